// The types of Cedar's validator, with subtyping and least upper bounds.
//
// Strict mode is what `Validator` checks: different entity types never join, records join only
// when they have exactly the same attributes with the same optionality, and an empty set literal
// has no type. The permissive relations are still needed: checking that an operand is "some
// entity" or "some record" uses width subtyping, as the reference validator does.

/// A validator type.
indirect enum VType: Hashable, Sendable, CustomStringConvertible {
    /// The bottom type (no value has it).
    case never
    /// The singleton types of `true` and `false`: how the validator knows a condition is constant.
    case trueType
    case falseType
    case bool
    case long
    case string
    /// A set; `nil` element type means "any set" and only appears as an expectation.
    case set(VType?)
    case record(VRecord)
    /// One of these entity types (a single type in strict mode).
    case entity(Set<String>)
    /// Some entity, type unknown.
    case anyEntity
    /// An action entity of the given action entity type (`Action`, `NS::Action`).
    case actionEntity(String)
    case ext(String)

    static func single(_ name: String) -> VType { .entity([name]) }
    static let anySet: VType = .set(nil)
    static let anyRecord: VType = .record(VRecord(attrs: [:], open: true))

    var isBoolean: Bool {
        switch self {
        case .trueType, .falseType, .bool: return true
        default: return false
        }
    }

    var description: String {
        switch self {
        case .never: return "Never"
        case .trueType, .falseType, .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .set(let e): return "Set<\(e?.description ?? "_")>"
        case .record(let r):
            if r.open && r.attrs.isEmpty { return "record" }
            let parts = r.attrs.keys.sorted().map { k in "\(schemaAttributeName(k))\(r.attrs[k]!.required ? "" : "?"): \(r.attrs[k]!.type)" }
            return "{" + parts.joined(separator: ", ") + "}"
        case .entity(let names):
            if names.count == 1 { return names.first! }
            return "one of " + names.sorted().joined(separator: ", ")
        case .anyEntity: return "entity"
        case .actionEntity(let n): return n
        case .ext(let n): return n
        }
    }
}

struct VAttr: Hashable, Sendable {
    var type: VType
    var required: Bool
}

struct VRecord: Hashable, Sendable {
    var attrs: [String: VAttr]
    var open: Bool
}

/// Why two types have no least upper bound (shown as a hint).
enum LubHelp: Sendable {
    case attributeQualifier, recordWidth, entityType, entityRecord, none

    var text: String {
        switch self {
        case .attributeQualifier:
            return "corresponding attributes of compatible record types must have the same optionality, either both being required or both being optional"
        case .recordWidth: return "compatible record types must have exactly the same attributes"
        case .entityType: return "different entity types are never compatible even when their attributes would be compatible"
        case .entityRecord: return "entity and record types are never compatible even when their attributes would be compatible"
        case .none: return "types must be exactly equal to be compatible"
        }
    }
}

/// Type operations that need the schema (entity attributes live there).
struct TypeSystem {
    let schema: Schema
    /// The attributes of every entity type, converted once.
    let entityAttributes: [String: [String: VAttr]]

    init(schema: Schema) {
        self.schema = schema
        var attrs: [String: [String: VAttr]] = [:]
        for (name, decl) in schema.entityTypes {
            var out: [String: VAttr] = [:]
            for (k, a) in decl.shape.attributes { out[k] = VAttr(type: Self.convert(a.type), required: a.required) }
            attrs[name] = out
        }
        entityAttributes = attrs
    }

    static func convert(_ t: SchemaType) -> VType {
        switch t {
        case .bool: return .bool
        case .long: return .long
        case .string: return .string
        case .set(let e): return .set(convert(e))
        case .record(let r):
            var attrs: [String: VAttr] = [:]
            for (k, a) in r.attributes { attrs[k] = VAttr(type: convert(a.type), required: a.required) }
            return .record(VRecord(attrs: attrs, open: r.additionalAttributes))
        case .entity(let n): return .single(n)
        case .extension(let n): return .ext(n)
        }
    }

    func type(of t: SchemaType) -> VType { Self.convert(t) }

    func record(of r: RecordType) -> VRecord {
        guard case .record(let v) = Self.convert(.record(r)) else { return VRecord(attrs: [:], open: false) }
        return v
    }

    // MARK: Subtyping

    func isSubtype(_ a: VType, _ b: VType, strict: Bool) -> Bool {
        switch (a, b) {
        case (.never, _): return true
        case (.trueType, .bool), (.falseType, .bool), (.trueType, .trueType), (.falseType, .falseType): return true
        case (.bool, .bool), (.long, .long), (.string, .string): return true
        case (.set(let ea), .set(let eb)):
            switch (ea, eb) {
            case (.some(let x), .some(let y)): return isSubtype(x, y, strict: strict)
            case (.some, .none), (.none, .none): return true
            case (.none, .some): return false
            }
        case (.record(let ra), .record(let rb)):
            if ra.open && !rb.open { return false }
            if rb.open && !strict && attrsSubtype(ra.attrs, rb.attrs, strict: strict) { return true }
            return Set(ra.attrs.keys) == Set(rb.attrs.keys) && attrsSubtype(ra.attrs, rb.attrs, strict: strict)
        case (.actionEntity, .actionEntity): return a == b
        case (.entity(let la), .entity(let lb)): return strict ? la == lb : la.isSubset(of: lb)
        case (.anyEntity, .anyEntity): return true
        case (.entity, .anyEntity), (.actionEntity, .anyEntity): return !strict
        case (.ext(let x), .ext(let y)): return x == y
        default: return false
        }
    }

    private func attrsSubtype(_ a: [String: VAttr], _ b: [String: VAttr], strict: Bool) -> Bool {
        for (k, tb) in b {
            guard let ta = a[k] else { return false }
            let qualifier = strict ? ta.required == tb.required : (ta.required || !tb.required)
            if !qualifier || !isSubtype(ta.type, tb.type, strict: strict) { return false }
        }
        return true
    }

    // MARK: Least upper bound

    func lub(_ a: VType, _ b: VType, strict: Bool) -> Result<VType, LubHelpError> {
        if isSubtype(a, b, strict: strict) { return .success(b) }
        if isSubtype(b, a, strict: strict) { return .success(a) }
        switch (a, b) {
        case (.trueType, .falseType), (.falseType, .trueType): return .success(.bool)
        case (.set(nil), .set), (.set, .set(nil)): return .success(.set(nil))
        case (.set(.some(let x)), .set(.some(let y))):
            return lub(x, y, strict: strict).map { .set($0) }
        case (.record(let ra), .record(let rb)):
            switch lubAttrs(ra.attrs, rb.attrs, strict: strict) {
            case .failure(let e): return .failure(e)
            case .success(let attrs):
                let allKeys = Set(ra.attrs.keys).union(rb.attrs.keys)
                let open = ra.open || rb.open || Set(attrs.keys) != allKeys
                return .success(.record(VRecord(attrs: attrs, open: open)))
            }
        case (.actionEntity(let x), .actionEntity(let y)):
            return x == y ? .success(a) : (strict ? .failure(LubHelpError(.entityType)) : .success(.anyEntity))
        case (.entity(let x), .entity(let y)):
            return strict && x != y ? .failure(LubHelpError(.entityType)) : .success(.entity(x.union(y)))
        case (.anyEntity, .entity), (.entity, .anyEntity), (.anyEntity, .actionEntity), (.actionEntity, .anyEntity),
            (.actionEntity, .entity), (.entity, .actionEntity):
            return strict ? .failure(LubHelpError(.entityType)) : .success(.anyEntity)
        case (.anyEntity, .record), (.record, .anyEntity), (.record, .entity), (.entity, .record),
            (.actionEntity, .record), (.record, .actionEntity):
            return .failure(LubHelpError(.entityRecord))
        default:
            return .failure(LubHelpError(.none))
        }
    }

    private func lubAttrs(_ a: [String: VAttr], _ b: [String: VAttr], strict: Bool) -> Result<[String: VAttr], LubHelpError> {
        if strict && Set(a.keys) != Set(b.keys) { return .failure(LubHelpError(.recordWidth)) }
        var out: [String: VAttr] = [:]
        for (k, ta) in a {
            guard let tb = b[k] else {
                if strict { return .failure(LubHelpError(.recordWidth)) }
                continue
            }
            switch lub(ta.type, tb.type, strict: strict) {
            case .failure(let e):
                if strict { return .failure(e) }
            case .success(let t):
                if strict && ta.required != tb.required { return .failure(LubHelpError(.attributeQualifier)) }
                out[k] = VAttr(type: t, required: ta.required && tb.required)
            }
        }
        return .success(out)
    }

    func lub(_ types: [VType], strict: Bool) -> Result<VType, LubHelpError> {
        var acc = VType.never
        for t in types {
            switch lub(acc, t, strict: strict) {
            case .success(let u): acc = u
            case .failure(let e): return .failure(e)
            }
        }
        return .success(acc)
    }

    /// Whether no value can have both types (used to type `==` as `false`). Conservative: only
    /// entity types are known to be disjoint.
    func disjoint(_ a: VType, _ b: VType) -> Bool {
        guard let x = entityNames(a), let y = entityNames(b) else { return false }
        return x.isDisjoint(with: y)
    }

    func entityNames(_ t: VType) -> Set<String>? {
        switch t {
        case .entity(let n): return n
        case .actionEntity(let n): return [n]
        default: return nil
        }
    }

    // MARK: Attributes

    /// The attributes of an entity or record type when they are known exactly.
    func attributes(of t: VType) -> [String: VAttr]? {
        switch t {
        case .record(let r): return r.attrs
        case .actionEntity: return [:]
        case .entity(let names):
            var result: [String: VAttr]?
            for n in names.sorted() {
                let attrs = entityAttributes[n] ?? [:]
                if let acc = result {
                    if case .success(let joined) = lubAttrs(acc, attrs, strict: false) { result = joined }
                } else {
                    result = attrs
                }
            }
            return result ?? [:]
        default: return nil
        }
    }

    func lookupAttribute(_ t: VType, _ name: String) -> VAttr? {
        attributes(of: t)?[name]
    }

    func hasOpenAttributes(_ t: VType) -> Bool {
        switch t {
        case .record(let r): return r.open
        case .actionEntity: return false
        case .anyEntity: return true
        case .entity(let names):
            return names.contains { schema.entityType($0).map { $0.shape.additionalAttributes } ?? true }
        default: return false
        }
    }

    func mayHaveAttribute(_ t: VType, _ name: String) -> Bool {
        switch t {
        case .never: return true
        case _ where hasOpenAttributes(t): return true
        case .entity(let names):
            return names.contains { schema.entityType($0)?.shape.attributes[name] != nil }
        case .actionEntity: return false
        case .record(let r): return r.attrs[name] != nil
        default: return false
        }
    }

    /// The types of the tags entities of this type may have (empty: none may have tags).
    func tagTypes(_ t: VType) -> [VType] {
        var out: [VType] = []
        let names: [String]
        switch t {
        case .entity(let n): names = n.sorted()
        case .anyEntity: names = schema.entityTypeNames
        default: names = []
        }
        for n in names {
            if let tag = schema.entityType(n)?.tags {
                let v = type(of: tag)
                if !out.contains(v) { out.append(v) }
            }
        }
        return out
    }
}

/// A failed least upper bound, with the hint to show.
struct LubHelpError: Error {
    var help: LubHelp
    init(_ help: LubHelp) { self.help = help }
}

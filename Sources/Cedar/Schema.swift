// The Cedar schema model: entity types, actions and the types of their attributes, with every
// name resolved to its fully qualified form. Both schema formats (`.cedarschema` and
// `.cedarschema.json`) parse into a `SchemaFragment` and are resolved into this one model, so
// everything downstream (schema-based entity parsing, request validation, the validator) is
// independent of the format the schema was written in.

/// The type of an attribute, a context or a tag value, as a schema declares it.
public indirect enum SchemaType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case long
    case string
    /// `Set<T>`.
    case set(SchemaType)
    /// `{ a: T, b?: U }`.
    case record(RecordType)
    /// A reference to an entity of the named (fully qualified) entity type.
    case entity(String)
    /// An extension type: `ipaddr`, `decimal`, `datetime` or `duration`.
    case `extension`(String)

    /// The type as the Cedar schema format writes it (`Set<User>`, `{ a: Long, b?: String }`).
    public var description: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .set(let t): return "Set<\(t)>"
        case .record(let r): return r.description
        case .entity(let n): return n
        case .extension(let n): return n
        }
    }
}

/// One attribute of a record type: its type and whether it must be present.
public struct AttributeDecl: Hashable, Sendable {
    /// The declared type.
    public var type: SchemaType
    /// `false` for an attribute declared with `?` (or `"required": false`).
    public var required: Bool
    /// Annotations written on the attribute declaration.
    public var annotations: [String: String]

    /// Creates an attribute declaration.
    public init(type: SchemaType, required: Bool = true, annotations: [String: String] = [:]) {
        self.type = type
        self.required = required
        self.annotations = annotations
    }
}

/// A record type: named attributes. Records declared in a schema are closed unless the JSON
/// format says `"additionalAttributes": true`.
public struct RecordType: Hashable, Sendable, CustomStringConvertible {
    /// Attributes by name.
    public var attributes: [String: AttributeDecl]
    /// Whether values may carry attributes beyond the declared ones.
    public var additionalAttributes: Bool

    /// Creates a record type.
    public init(attributes: [String: AttributeDecl] = [:], additionalAttributes: Bool = false) {
        self.attributes = attributes
        self.additionalAttributes = additionalAttributes
    }

    /// The empty, closed record.
    public static let empty = RecordType()

    /// Attribute names in a stable (sorted) order.
    public var sortedNames: [String] { attributes.keys.sorted() }

    public var description: String {
        if attributes.isEmpty { return "{}" }
        let parts = sortedNames.map { name -> String in
            let a = attributes[name]!
            return "\(schemaAttributeName(name))\(a.required ? "" : "?"): \(a.type)"
        }
        return "{ " + parts.joined(separator: ", ") + " }"
    }
}

/// An entity type declaration.
public struct EntityTypeDecl: Sendable, Equatable {
    /// Fully qualified name (`Acme::User`).
    public var name: String
    /// Entity types its entities may be direct members of (fully qualified).
    public var memberOfTypes: [String]
    /// The attributes its entities carry.
    public var shape: RecordType
    /// The type of its tags, when it declares `tags`.
    public var tags: SchemaType?
    /// For an enumerated entity type (`entity Color enum ["red", "blue"]`): the only valid ids.
    public var enumValues: [String]?
    /// Annotations written on the declaration.
    public var annotations: [String: String]
    /// Where it is declared.
    public var span: SourceSpan

    /// Creates a declaration.
    public init(
        name: String, memberOfTypes: [String] = [], shape: RecordType = .empty, tags: SchemaType? = nil,
        enumValues: [String]? = nil, annotations: [String: String] = [:], span: SourceSpan = .none
    ) {
        self.name = name
        self.memberOfTypes = memberOfTypes
        self.shape = shape
        self.tags = tags
        self.enumValues = enumValues
        self.annotations = annotations
        self.span = span
    }

    // Where a declaration was written is not part of what it declares.
    public static func == (a: EntityTypeDecl, b: EntityTypeDecl) -> Bool {
        a.name == b.name && a.memberOfTypes == b.memberOfTypes && a.shape == b.shape && a.tags == b.tags
            && a.enumValues == b.enumValues && a.annotations == b.annotations
    }
}

/// An action declaration.
public struct ActionDecl: Sendable, Equatable {
    /// The action entity (`Action::"view"`, `Acme::Action::"view"`).
    public var uid: EntityUID
    /// Action groups it is a direct member of.
    public var memberOf: [EntityUID]
    /// Whether the declaration has an `appliesTo` (without one the action applies to no request).
    public var hasAppliesTo: Bool
    /// Principal entity types the action applies to (fully qualified).
    public var principalTypes: [String]
    /// Resource entity types the action applies to (fully qualified).
    public var resourceTypes: [String]
    /// The type of the request context.
    public var context: RecordType
    /// Annotations written on the declaration.
    public var annotations: [String: String]
    /// Where it is declared.
    public var span: SourceSpan

    /// Creates a declaration.
    public init(
        uid: EntityUID, memberOf: [EntityUID] = [], hasAppliesTo: Bool = false, principalTypes: [String] = [],
        resourceTypes: [String] = [], context: RecordType = .empty, annotations: [String: String] = [:],
        span: SourceSpan = .none
    ) {
        self.uid = uid
        self.memberOf = memberOf
        self.hasAppliesTo = hasAppliesTo
        self.principalTypes = principalTypes
        self.resourceTypes = resourceTypes
        self.context = context
        self.annotations = annotations
        self.span = span
    }

    public static func == (a: ActionDecl, b: ActionDecl) -> Bool {
        a.uid == b.uid && a.memberOf == b.memberOf && a.hasAppliesTo == b.hasAppliesTo
            && a.principalTypes == b.principalTypes && a.resourceTypes == b.resourceTypes
            && a.context == b.context && a.annotations == b.annotations
    }
}

/// A resolved Cedar schema.
///
/// Build one with `Schema.parse(_:file:)` (Cedar schema format), `Schema.parseJSON(_:file:)`
/// (JSON schema format) or `Schema.load(source:file:)` (chosen by file name).
public struct Schema: Sendable, Equatable {
    /// Entity types by fully qualified name.
    public private(set) var entityTypes: [String: EntityTypeDecl]
    /// Actions by uid.
    public private(set) var actions: [EntityUID: ActionDecl]
    /// Namespaces the schema declares (the empty namespace as `""`), with their annotations.
    public private(set) var namespaces: [String: [String: String]]

    /// Entity types that list each entity type as a parent type (the hierarchy walked downwards).
    private var childTypes: [String: [String]] = [:]
    /// Actions that list each action as a group.
    private var childActions: [EntityUID: [EntityUID]] = [:]
    /// Entity types of actions (`Action`, `Acme::Action`).
    private var actionEntityTypes: Set<String> = []
    /// Sorted names, kept because the validator asks for them often.
    private var sortedEntityTypeNames: [String] = []
    private var sortedActionUIDs: [EntityUID] = []
    private var environments: [RequestEnvironment] = []

    /// Builds a schema from resolved declarations. Callers are expected to have checked references
    /// (the parsers do); the hierarchy closures are computed here.
    init(entityTypes: [String: EntityTypeDecl], actions: [EntityUID: ActionDecl], namespaces: [String: [String: String]]) {
        self.entityTypes = entityTypes
        self.actions = actions
        self.namespaces = namespaces
        computeClosures()
    }

    public static func == (a: Schema, b: Schema) -> Bool {
        a.entityTypes == b.entityTypes && a.actions == b.actions && a.namespaces == b.namespaces
    }

    // Hierarchies are walked on demand rather than closed transitively up front: the closure of a
    // long chain of types is quadratic in size, and a query only ever needs one walk.
    private mutating func computeClosures() {
        var children: [String: [String]] = [:]
        for name in entityTypes.keys.sorted() {
            for p in entityTypes[name]!.memberOfTypes { children[p, default: []].append(name) }
        }
        childTypes = children
        var childActs: [EntityUID: [EntityUID]] = [:]
        for uid in actions.keys.sorted() {
            for p in actions[uid]!.memberOf { childActs[p, default: []].append(uid) }
        }
        childActions = childActs
        actionEntityTypes = Set(actions.keys.map(\.type))
        sortedEntityTypeNames = entityTypes.keys.sorted()
        sortedActionUIDs = actions.keys.sorted()
        var envs: [RequestEnvironment] = []
        for uid in sortedActionUIDs {
            guard let a = actions[uid], a.hasAppliesTo else { continue }
            for p in a.principalTypes {
                for r in a.resourceTypes {
                    envs.append(RequestEnvironment(principalType: p, action: uid, resourceType: r, context: a.context))
                }
            }
        }
        environments = envs
    }

    // MARK: Queries

    /// The declaration of an entity type.
    public func entityType(_ name: String) -> EntityTypeDecl? { entityTypes[name] }

    /// The declaration of an action.
    public func action(_ uid: EntityUID) -> ActionDecl? { actions[uid] }

    /// Whether `name` is a declared entity type or the entity type of declared actions.
    public func isKnownEntityType(_ name: String) -> Bool {
        entityTypes[name] != nil || actionEntityTypes.contains(name)
    }

    /// Whether `name` is the entity type of some declared action (`Action`, `NS::Action`).
    public func isActionEntityType(_ name: String) -> Bool { actionEntityTypes.contains(name) }

    /// Whether `name` has the form of an action entity type (`Action` or `NS::Action`).
    public static func isActionTypeName(_ name: String) -> Bool {
        name == "Action" || name.hasSuffix("::Action")
    }

    /// Entity type names in sorted order.
    public var entityTypeNames: [String] { sortedEntityTypeNames }

    /// Action uids in sorted order.
    public var actionUIDs: [EntityUID] { sortedActionUIDs }

    /// Every node reachable from `start` through `next`, `start` excluded unless on a cycle.
    private static func reachable<T: Hashable>(from start: [T], _ next: (T) -> [T]) -> Set<T> {
        var seen: Set<T> = []
        var stack = start
        while let n = stack.popLast() {
            if seen.insert(n).inserted { stack.append(contentsOf: next(n)) }
        }
        return seen
    }

    /// Entity types whose entities may be `in` an entity of type `ancestor` (the type itself included).
    public func entityTypes(in ancestor: String) -> Set<String> {
        guard entityTypes[ancestor] != nil else { return [] }
        var out = Self.reachable(from: childTypes[ancestor] ?? []) { childTypes[$0] ?? [] }
        out.insert(ancestor)
        return out
    }

    /// The entity types an entity of type `name` may (transitively) be a member of.
    public func ancestorTypes(of name: String) -> Set<String> {
        Self.reachable(from: entityTypes[name]?.memberOfTypes ?? []) { entityTypes[$0]?.memberOfTypes ?? [] }
    }

    /// Whether an entity of type `descendant` may be a (transitive) member of an entity of type `ancestor`.
    public func mayBeDescendant(_ descendant: String, of ancestor: String) -> Bool {
        if descendant == ancestor { return entityTypes[ancestor] != nil }
        var seen: Set<String> = []
        var stack = entityTypes[descendant]?.memberOfTypes ?? []
        while let n = stack.popLast() {
            if n == ancestor { return true }
            if seen.insert(n).inserted { stack.append(contentsOf: entityTypes[n]?.memberOfTypes ?? []) }
        }
        return false
    }

    /// The transitive action groups of an action (itself excluded).
    public func actionAncestors(_ uid: EntityUID) -> Set<EntityUID> {
        var out = Self.reachable(from: actions[uid]?.memberOf ?? []) { actions[$0]?.memberOf ?? [] }
        out.remove(uid)
        return out
    }

    /// The actions transitively in an action group (itself excluded).
    public func actionDescendants(_ uid: EntityUID) -> Set<EntityUID> {
        var out = Self.reachable(from: childActions[uid] ?? []) { childActions[$0] ?? [] }
        out.remove(uid)
        return out
    }

    /// Every action in any of `groups` (each group included), or nil when one of them is not declared.
    public func actions(inAnyOf groups: [EntityUID]) -> Set<EntityUID>? {
        for g in groups where actions[g] == nil { return nil }
        return Self.reachable(from: groups) { childActions[$0] ?? [] }
    }

    /// One request shape the schema allows: a principal type, an action, a resource type and the
    /// context type.
    public struct RequestEnvironment: Hashable, Sendable {
        /// The principal's entity type.
        public var principalType: String
        /// The action.
        public var action: EntityUID
        /// The resource's entity type.
        public var resourceType: String
        /// The context type.
        public var context: RecordType
    }

    /// Every (principal type, action, resource type) the schema's `appliesTo` declarations allow,
    /// in a stable order.
    public var requestEnvironments: [RequestEnvironment] { environments }
}

/// An attribute name as the Cedar schema format writes it: bare when it is an identifier,
/// quoted otherwise.
func schemaAttributeName(_ name: String) -> String {
    isSchemaIdentifier(name) ? name : cedarQuoted(name)
}

/// Whether `s` is an identifier: `[_a-zA-Z][_a-zA-Z0-9]*`.
func isSchemaIdentifier(_ s: String) -> Bool {
    guard let first = s.utf8.first else { return false }
    func isStart(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
    func isCont(_ b: UInt8) -> Bool { isStart(b) || (b >= 0x30 && b <= 0x39) }
    return isStart(first) && s.utf8.dropFirst().allSatisfy(isCont)
}

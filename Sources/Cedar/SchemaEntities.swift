// Schema-based reading of entity and context JSON: every value is read by the type the schema
// declares for it, so `"10.0.0.1"` becomes an `ipaddr`, `"0.6"` a `decimal` and
// `{"type": "User", "id": "alice"}` an entity reference, and data that does not match the schema
// (a missing required attribute, an undeclared one, a wrong type, a parent type the schema does
// not allow) is rejected with its JSON path and location.

import Basics
import JSONValue

extension Schema {
    // MARK: Values

    /// Reads a JSON value as a value of the declared `type`. `path` names it in errors.
    public func value(json: JSONValue, as type: SchemaType, path: [JSONPathComponent] = []) throws(CedarError) -> Value {
        try SchemaValueParser(schema: self).value(json, type, path, depth: 0)
    }

    /// Reads a request context for `action`: a JSON object of the action's declared context type.
    public func context(for action: EntityUID, json: JSONValue) throws(CedarError) -> [ExactString: Value] {
        guard let decl = self.action(action) else {
            throw CedarError.request(message: "action \(action) is not declared in the schema; declare it or fix the request")
        }
        do {
            let v = try SchemaValueParser(schema: self).value(json, .record(decl.context), [], depth: 0, what: "context for \(action)")
            guard case .record(let r) = v else { return [:] }
            return r
        } catch {
            guard case .entities(let m, let path, _) = error else { throw error }
            throw CedarError.request(message: path.isEmpty ? "invalid context: \(m)" : "invalid context at `\(path)`: \(m)")
        }
    }

    // MARK: Entities

    /// The action entities the schema declares, with their action groups as parents.
    public var actionEntities: [Entity] {
        actionUIDs.map { Entity(uid: $0, parents: actions[$0]!.memberOf) }
    }

    /// Reads Cedar entity JSON (an array of `{"uid", "attrs", "parents", "tags"}`) by the schema,
    /// and adds the schema's action entities.
    public func entities(json: JSONValue) throws(CedarError) -> Entities {
        try SchemaValueParser(schema: self).readEntities(json)
    }

    /// Reads Cedar entity JSON from bytes; errors carry `file:line:col` of the offending value.
    public func entities(jsonBytes: [UInt8], file: String) throws(CedarError) -> Entities {
        try entities(json: try parseEntityJSON(jsonBytes, file: file), locatingErrorsIn: jsonBytes, file: file)
    }

    /// Reads entity JSON already parsed from `bytes`; an error is located by reading `bytes`
    /// again with locations (see `Entities.init(json:locatingErrorsIn:file:decode:)`).
    public func entities(json: JSONValue, locatingErrorsIn bytes: [UInt8], file: String) throws(CedarError) -> Entities {
        do {
            return try SchemaValueParser(schema: self, file: file).readEntities(json)
        } catch {
            throw locateEntityError(error, in: bytes, file: file)
        }
    }

    /// A reader that plugs schema-based parsing into code written against `SchemaValueReader`.
    public var valueReader: any SchemaValueReader { SchemaBasedValueReader(schema: self) }
}

/// `SchemaValueReader` backed by a schema.
public struct SchemaBasedValueReader: SchemaValueReader {
    /// The schema values are read by.
    public let schema: Schema

    /// Creates a reader.
    public init(schema: Schema) { self.schema = schema }

    /// Reads an attribute or tag value by the type the schema declares for it.
    public var entityValueDecoder: EntityValueDecoder {
        let schema = self.schema
        return { (entityType: String, name: String, json: JSONValue, path: String) throws(CedarError) -> Value in
            let components = parsePath(path)
            guard let decl = schema.entityType(entityType) else {
                if Schema.isActionTypeName(entityType) {
                    throw CedarError.entities(message: "action entities cannot have attributes", path: path, span: nil)
                }
                throw CedarError.entities(message: "entity type `\(entityType)` is not declared in the schema", path: path, span: nil)
            }
            let isTag = components.count >= 2 && components[components.count - 2] == .key("tags")
            let declared: SchemaType
            if isTag {
                guard let t = decl.tags else {
                    throw CedarError.entities(message: "entities of type `\(entityType)` cannot have tags; the schema declares none", path: path, span: nil)
                }
                declared = t
            } else {
                guard let a = decl.shape.attributes[name] else {
                    throw CedarError.entities(
                        message: "attribute `\(name)` is not declared for entity type `\(entityType)` in the schema", path: path, span: nil)
                }
                declared = a.type
            }
            return try SchemaValueParser(schema: schema).value(json, declared, components, depth: 0)
        }
    }

    /// Reads a request context by the action's declared context type.
    public func context(for action: EntityUID, json: JSONValue) throws(CedarError) -> [ExactString: Value] {
        try schema.context(for: action, json: json)
    }
}

/// Reads JSON by declared types.
struct SchemaValueParser {
    let schema: Schema
    var file: String = ""
    static let maxDepth = 256

    func fail(_ message: String, _ path: [JSONPathComponent]) -> CedarError {
        .entities(message: message, path: renderJSONPath(path), span: nil)
    }

    func typeName(of json: JSONValue) -> String {
        switch json {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "long"
        case .string: return "string"
        case .array: return "set"
        case .object(let o):
            if o.count == 1 && o["__entity"] != nil { return "entity" }
            if o.count == 1 && o["__extn"] != nil { return "extension value" }
            return "record"
        }
    }

    func mismatch(_ json: JSONValue, _ type: SchemaType, _ path: [JSONPathComponent]) -> CedarError {
        fail("type mismatch: value was expected to have type \(type), but it actually has type \(typeName(of: json)): `\(Self.excerpt(json))`", path)
    }

    /// A value as written, cut short so that a huge value cannot flood a message.
    static func excerpt(_ json: JSONValue) -> String {
        let text = JSONWriter.compact(json)
        guard text.count > 80 else { return text }
        return String(text.prefix(77)) + "..."
    }

    func value(_ json: JSONValue, _ type: SchemaType, _ path: [JSONPathComponent], depth: Int, what: String? = nil) throws(CedarError) -> Value {
        if depth > Self.maxDepth { throw fail("value is nested too deeply (more than \(Self.maxDepth) levels)", path) }
        if case .null = json { throw fail("found a `null`; JSON nulls are not allowed in Cedar", path) }
        if Self.isExtensionEscape(json) {
            switch type {
            case .bool, .long, .string:
                // As in the reference, an extension call may stand for any value; it is read
                // without a schema, evaluated, and its result must have the declared type.
                let v = try Value.fromJSON(json, path: renderJSONPath(path), depth: depth)
                switch (v, type) {
                case (.bool, .bool), (.long, .long), (.string, .string): return v
                default: throw fail("type mismatch: value was expected to have type \(type), but it actually has type \(v.typeName): `\(v)`", path)
                }
            default: break
            }
        }
        switch type {
        case .bool:
            guard case .bool(let b) = json else { throw mismatch(json, type, path) }
            return .bool(b)
        case .long:
            guard case .number(let n) = json else { throw mismatch(json, type, path) }
            guard let i = n.int64 else {
                throw fail("the number \(n.text) is not a 64-bit integer; Cedar numbers are integers", path)
            }
            return .long(i)
        case .string:
            guard case .string(let s) = json else { throw mismatch(json, type, path) }
            return .string(s)
        case .set(let element):
            guard case .array(let items) = json else { throw mismatch(json, type, path) }
            var out = Set<Value>(minimumCapacity: items.count)
            for (i, item) in items.enumerated() {
                out.insert(try value(item, element, path + [.index(i)], depth: depth + 1))
            }
            return .set(out)
        case .record(let r):
            guard case .object(let o) = json else { throw mismatch(json, type, path) }
            if o.count == 1 && (o["__entity"] != nil || o["__extn"] != nil) { throw mismatch(json, type, path) }
            var out: [ExactString: Value] = [:]
            for (k, v) in o {
                guard let a = r.attributes[k] else {
                    if r.additionalAttributes {
                        out[ExactString(k)] = try Value.fromJSON(v, path: renderJSONPath(path + [.key(k)]), depth: depth + 1)
                        continue
                    }
                    let declared = r.sortedNames.map { "`\($0)`" }.joined(separator: ", ")
                    throw fail("attribute `\(k)` is not declared in the schema\(what.map { " for the \($0)" } ?? "")"
                               + (declared.isEmpty ? "; no attributes are declared" : "; declared: \(declared)"), path + [.key(k)])
                }
                out[ExactString(k)] = try value(v, a.type, path + [.key(k)], depth: depth + 1)
            }
            for k in r.sortedNames where r.attributes[k]!.required && out[ExactString(k)] == nil {
                throw fail("missing required attribute `\(k)`\(what.map { " of the \($0)" } ?? "")", path)
            }
            return .record(out)
        case .entity(let expected):
            let uid = try entityReference(json, type, path)
            if uid.type != expected {
                throw fail("type mismatch: value was expected to have type \(expected), but it actually has type (entity of type `\(uid.type)`): `\(uid)`", path)
            }
            if let values = schema.entityType(expected)?.enumValues, !values.contains { $0.isExactly(uid.id) } {
                throw fail("entity \(uid) is of an enumerated entity type, but `\(cedarQuoted(uid.id))` is not one of its ids ("
                           + values.map(cedarQuoted).joined(separator: ", ") + ")", path)
            }
            return .entity(uid)
        case .extension(let name):
            let v = try extensionValue(json, name, type, path, depth: depth)
            let actual: String
            switch v {
            case .ipaddr: actual = "ipaddr"
            case .decimal: actual = "decimal"
            case .datetime: actual = "datetime"
            case .duration: actual = "duration"
            default: actual = v.typeName
            }
            if actual != name {
                throw fail("type mismatch: value was expected to have type \(name), but it actually has type \(actual): `\(v)`", path)
            }
            return v
        }
    }

    /// `{"type": T, "id": I}` or `{"__entity": {"type": T, "id": I}}`.
    func entityReference(_ json: JSONValue, _ type: SchemaType, _ path: [JSONPathComponent]) throws(CedarError) -> EntityUID {
        guard case .object(var o) = json else { throw mismatch(json, type, path) }
        var p = path
        if o.count == 1, let inner = o["__entity"] {
            guard case .object(let io) = inner else { throw mismatch(json, type, path) }
            o = io
            p = path + [.key("__entity")]
        }
        guard case .string(let t)? = o["type"], case .string(let id)? = o["id"], o.count == 2 else {
            throw fail("expected an entity reference `{\"type\": ..., \"id\": ...}` of type \(type), found `\(Self.excerpt(json))`", p)
        }
        return EntityUID(type: t, id: id)
    }

    /// A string (the constructor's argument), `{"__extn": {"fn", "arg"}}` or `{"fn", "arg"}`.
    func extensionValue(_ json: JSONValue, _ name: String, _ type: SchemaType, _ path: [JSONPathComponent], depth: Int) throws(CedarError) -> Value {
        let constructor: FunctionName
        switch name {
        case "ipaddr": constructor = .ip
        case "decimal": constructor = .decimal
        case "datetime": constructor = .datetime
        default: constructor = .duration
        }
        switch json {
        case .string(let s):
            switch callExtensionConstructor(constructor, s) {
            case .success(let v): return v
            case .failure(let e):
                throw fail("`\(cedarQuoted(s))` is not a valid \(name): \(e.message)", path)
            }
        case .object(let o):
            if o.count == 1, case .object(let call)? = o["__extn"] {
                return try typedExtensionCall(call, path + [.key("__extn")], depth: depth)
            }
            if o["fn"] != nil && (o["arg"] != nil || o["args"] != nil) {
                return try typedExtensionCall(o, path, depth: depth)
            }
            throw mismatch(json, type, path)
        default:
            throw mismatch(json, type, path)
        }
    }

    /// `{"__extn": {"fn": F, "arg" | "args": ...}}`, the escape of an extension call.
    static func isExtensionEscape(_ json: JSONValue) -> Bool {
        guard case .object(let o) = json, o.count == 1, case .object(let call)? = o["__extn"] else { return false }
        return call["fn"]?.stringValue != nil && (call["arg"] != nil || call["args"] != nil)
    }

    /// An extension call where the schema expects an extension value: each argument is read by
    /// the function's parameter type, so `{"fn": "offset", "args": ["2024-01-01", "1h"]}` reads
    /// its strings as a datetime and a duration (the reference does the same).
    func typedExtensionCall(_ call: JSONObject, _ path: [JSONPathComponent], depth: Int) throws(CedarError) -> Value {
        guard let fn = call["fn"]?.stringValue else { throw fail("an `__extn` escape needs `fn`, the name of an extension function", path) }
        guard let function = ExtensionFunction(name: fn) else { throw fail("extension function `\(fn)` does not exist", path) }
        let (arguments, _) = try Value.extensionArguments(call, path: renderJSONPath(path))
        let types = function.parameterTypes
        guard arguments.count == types.count else {
            throw fail("expected \(types.count) arguments for function \(fn) but \(arguments.count) arguments are provided", path)
        }
        var args: [Value] = []
        for (i, (a, t)) in zip(arguments, types).enumerated() {
            let p = path + (call["arg"] != nil ? [.key("arg")] : [.key("args"), .index(i)])
            args.append(try value(a, t, p, depth: depth + 1))
        }
        do {
            return try function.call(args)
        } catch {
            throw fail(error.message, path)
        }
    }

    // MARK: Entities

    func readEntities(_ json: JSONValue) throws(CedarError) -> Entities {
        guard case .array(let items) = json else {
            throw fail("entity data must be a JSON array of entities", [])
        }
        if items.count > CedarLimits.maxEntities {
            throw fail("more than \(CedarLimits.maxEntities) entities in one file; split the entity data", [.index(CedarLimits.maxEntities)])
        }
        var list: [Entity] = []
        var actions: [(entity: Entity, path: [JSONPathComponent])] = []
        for (i, item) in items.enumerated() {
            let path: [JSONPathComponent] = [.index(i)]
            let e = try entity(item, path)
            if schema.isActionEntityType(e.uid.type) {
                guard schema.action(e.uid) != nil else {
                    throw fail("found action entity \(e.uid), but it was not declared as an action in the schema", path + [.key("uid")])
                }
                actions.append((e, path))
            }
            list.append(e)
        }
        // Where each entity of the store came from in the data, so that an error names it there.
        var sourceIndices: [Int?] = Array(list.indices)
        if !actions.isEmpty {
            try checkActions(actions, in: list)
            sourceIndices = list.indices.filter { !schema.isActionEntityType(list[$0].uid.type) }
            list.removeAll { schema.isActionEntityType($0.uid.type) }
        }
        // Action entities come from the schema, the data's copies having been checked equal.
        let declared = schema.actionEntities
        list.append(contentsOf: declared)
        sourceIndices += Array(repeating: nil, count: declared.count)
        return try Entities(list, sourceIndices: sourceIndices)
    }

    /// Action entities in the data must be the schema's, as the reference checks them: after
    /// the transitive closure of the data's hierarchy (a cycle is an error first), each one's
    /// ancestors must be exactly its action groups in the schema, also closed transitively, and
    /// it has no attributes or tags. So an action may list every ancestor or only its direct
    /// groups when those list theirs, but not a group's group alone, nor fewer or other groups.
    func checkActions(_ actions: [(entity: Entity, path: [JSONPathComponent])], in data: [Entity]) throws(CedarError) {
        let closed = try Entities(data)
        for (e, path) in actions {
            let have = closed.ancestors(of: e.uid) ?? []
            let want = schema.actionAncestors(e.uid)
            func list(_ s: Set<EntityUID>) -> String { s.isEmpty ? "none" : s.sorted().map(\.description).joined(separator: ", ") }
            let mismatch: (String, JSONPathComponent)?
            if !e.attributes.isEmpty {
                mismatch = ("actions have no attributes", .key("attrs"))
            } else if !e.tags.isEmpty {
                mismatch = ("actions have no tags", .key("tags"))
            } else if have != want {
                mismatch = ("its ancestors in the entity data are \(list(have)), the schema's are \(list(want))", .key("parents"))
            } else {
                mismatch = nil
            }
            if let (why, at) = mismatch {
                throw fail("definition of action \(e.uid) does not match its schema declaration: \(why); "
                           + "list the action's groups as the schema declares them, or leave the action out of the entity data", path + [at])
            }
        }
    }

    func entity(_ json: JSONValue, _ path: [JSONPathComponent]) throws(CedarError) -> Entity {
        guard case .object(let o) = json else {
            throw fail("an entity must be a JSON object with `uid`, `attrs` and `parents`", path)
        }
        for k in o.keys where !["uid", "attrs", "parents", "tags"].contains(k) {
            throw fail("unknown field `\(k)` in an entity; expected `uid`, `attrs`, `parents` or `tags`", path + [.key(k)])
        }
        guard let uidJSON = o["uid"] else { throw fail("missing field `uid`", path) }
        let uid = try entityReference(uidJSON, .entity("an entity type"), path + [.key("uid")])
        let isAction = schema.isActionEntityType(uid.type)
        var attrs: [ExactString: Value] = [:]
        var parents: [EntityUID] = []
        var tags: [ExactString: Value] = [:]
        let decl = schema.entityType(uid.type)
        if decl == nil && !isAction {
            let suggestion = EditDistance.suggestion(for: uid.type, among: schema.entityTypeNames)
            throw fail("entity \(uid) has type `\(uid.type)`, which is not declared in the schema"
                       + (suggestion.map { "; did you mean `\($0)`?" } ?? ""), path + [.key("uid")])
        }
        if let values = decl?.enumValues, !values.contains { $0.isExactly(uid.id) } {
            throw fail("entity \(uid) is of an enumerated entity type, but `\(cedarQuoted(uid.id))` is not one of its ids ("
                       + values.map(cedarQuoted).joined(separator: ", ") + ")", path + [.key("uid")])
        }
        if let a = o["attrs"] {
            guard case .object = a else { throw fail("`attrs` of \(uid) must be an object", path + [.key("attrs")]) }
            if isAction {
                guard case .record(let r) = try Value.fromJSON(a, path: renderJSONPath(path + [.key("attrs")])) else {
                    return Entity(uid: uid)
                }
                attrs = r
            } else if let decl {
                guard case .record(let r) = try value(a, .record(decl.shape), path + [.key("attrs")], depth: 0, what: "entity type `\(uid.type)`") else {
                    return Entity(uid: uid)
                }
                attrs = r
            }
        } else {
            throw fail("missing field `attrs` on \(uid); write `\"attrs\": {}` for an entity without attributes", path)
        }
        guard let pj = o["parents"] else {
            throw fail("missing field `parents` on \(uid); write `\"parents\": []` for an entity without parents", path)
        }
        do {
            guard case .array(let arr) = pj else {
                throw fail("`parents` of \(uid) must be an array of entity references", path + [.key("parents")])
            }
            for (i, p) in arr.enumerated() {
                let pp = path + [.key("parents"), .index(i)]
                let parent = try entityReference(p, .entity("a parent entity type"), pp)
                if isAction {
                    parents.append(parent)
                    continue
                }
                if let decl, !decl.memberOfTypes.contains(parent.type) {
                    let allowed = decl.memberOfTypes.isEmpty ? "entities of this type cannot have parents"
                        : "allowed parent types: " + decl.memberOfTypes.map { "`\($0)`" }.joined(separator: ", ")
                    throw fail("\(uid) is not allowed to have a parent of type `\(parent.type)` according to the schema; \(allowed)", pp)
                }
                if let values = schema.entityType(parent.type)?.enumValues, !values.contains { $0.isExactly(parent.id) } {
                    throw fail("entity \(parent) is of an enumerated entity type, but `\(cedarQuoted(parent.id))` is not one of its ids", pp)
                }
                parents.append(parent)
            }
        }
        if let tj = o["tags"] {
            guard case .object(let to) = tj else { throw fail("`tags` of \(uid) must be an object", path + [.key("tags")]) }
            if isAction {
                for (k, v) in to { tags[ExactString(k)] = try Value.fromJSON(v, path: renderJSONPath(path + [.key("tags"), .key(k)])) }
            } else if !to.isEmpty {
                guard let tagType = decl?.tags else {
                    throw fail("entities of type `\(uid.type)` cannot have tags; the schema declares none", path + [.key("tags")])
                }
                for (k, v) in to { tags[ExactString(k)] = try value(v, tagType, path + [.key("tags"), .key(k)], depth: 0) }
            }
        }
        return Entity(uid: uid, attributes: attrs, parents: parents, tags: tags)
    }
}

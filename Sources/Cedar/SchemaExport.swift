// Writing a schema in the JSON schema format: every name fully qualified, common types expanded.

import JSONValue

extension Schema {
    /// The schema in the JSON schema format (`.cedarschema.json`), with names fully qualified
    /// and common types written out. Reading it back gives an equal schema.
    public var json: JSONValue {
        var namespaces: [String: (entities: [(String, JSONValue)], actions: [(String, JSONValue)])] = [:]
        for ns in self.namespaces.keys { namespaces[ns] = ([], []) }
        for name in entityTypeNames {
            let (ns, local) = Self.split(name)
            namespaces[ns, default: ([], [])].entities.append((local, Self.entityJSON(entityTypes[name]!)))
        }
        for uid in actionUIDs {
            let (ns, _) = Self.split(uid.type)
            namespaces[ns, default: ([], [])].actions.append((uid.id, Self.actionJSON(actions[uid]!)))
        }
        var out: [(String, JSONValue)] = []
        for ns in namespaces.keys.sorted() {
            var fields: [(String, JSONValue)] = [
                ("entityTypes", .object(JSONObject(namespaces[ns]!.entities))),
                ("actions", .object(JSONObject(namespaces[ns]!.actions))),
            ]
            if let a = self.namespaces[ns], !a.isEmpty { fields.append(("annotations", Self.annotationsJSON(a))) }
            out.append((ns, .object(JSONObject(fields))))
        }
        return .object(JSONObject(out))
    }

    /// `A::B::C` as namespace `A::B` and name `C`.
    static func split(_ name: String) -> (String, String) {
        let parts = name.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return ("", name) }
        return (parts.dropLast().joined(separator: "::"), parts[parts.count - 1])
    }

    static func annotationsJSON(_ a: [String: String]) -> JSONValue {
        .object(JSONObject(a.keys.sorted().map { ($0, .string(a[$0]!)) }))
    }

    static func typeJSON(_ t: SchemaType, extra: [(String, JSONValue)] = []) -> JSONValue {
        var fields: [(String, JSONValue)]
        switch t {
        case .bool: fields = [("type", "Boolean")]
        case .long: fields = [("type", "Long")]
        case .string: fields = [("type", "String")]
        case .set(let e): fields = [("type", "Set"), ("element", typeJSON(e))]
        case .entity(let n): fields = [("type", "Entity"), ("name", .string(n))]
        case .extension(let n): fields = [("type", "Extension"), ("name", .string(n))]
        case .record(let r):
            fields = [("type", "Record"), ("attributes", .object(JSONObject(r.sortedNames.map { name -> (String, JSONValue) in
                let a = r.attributes[name]!
                var attrExtra: [(String, JSONValue)] = []
                if !a.required { attrExtra.append(("required", false)) }
                if !a.annotations.isEmpty { attrExtra.append(("annotations", annotationsJSON(a.annotations))) }
                return (name, typeJSON(a.type, extra: attrExtra))
            })))]
            if r.additionalAttributes { fields.append(("additionalAttributes", true)) }
        }
        return .object(JSONObject(fields + extra))
    }

    static func entityJSON(_ e: EntityTypeDecl) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if let values = e.enumValues {
            fields.append(("enum", .array(values.map { .string($0) })))
        } else {
            if !e.memberOfTypes.isEmpty { fields.append(("memberOfTypes", .array(e.memberOfTypes.map { .string($0) }))) }
            if !e.shape.attributes.isEmpty || e.shape.additionalAttributes { fields.append(("shape", typeJSON(.record(e.shape)))) }
            if let t = e.tags { fields.append(("tags", typeJSON(t))) }
        }
        if !e.annotations.isEmpty { fields.append(("annotations", annotationsJSON(e.annotations))) }
        return .object(JSONObject(fields))
    }

    static func actionJSON(_ a: ActionDecl) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if !a.memberOf.isEmpty {
            fields.append(("memberOf", .array(a.memberOf.map {
                .object(JSONObject([("id", .string($0.id)), ("type", .string($0.type))]))
            })))
        }
        if a.hasAppliesTo {
            fields.append(("appliesTo", .object(JSONObject([
                ("principalTypes", .array(a.principalTypes.map { .string($0) })),
                ("resourceTypes", .array(a.resourceTypes.map { .string($0) })),
                ("context", typeJSON(.record(a.context))),
            ]))))
        }
        if !a.annotations.isEmpty { fields.append(("annotations", annotationsJSON(a.annotations))) }
        return .object(JSONObject(fields))
    }
}

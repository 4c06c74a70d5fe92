// Request validation: a request must use a declared action, principal and resource types the
// action applies to, and a context of the action's context type.
import JSONValue

extension Schema {
    /// Checks a request against the schema; throws `CedarError.request` naming what is wrong.
    public func validate(request: Request) throws(CedarError) {
        guard let decl = action(request.action) else {
            let suggestion = fuzzySuggestion(request.action.description, actionUIDs.map(\.description))
            throw .request(message: "request's action \(request.action) is not declared in the schema"
                           + (suggestion.map { "; did you mean \($0)?" } ?? ""))
        }
        try checkRequestEntity(request.principal, role: "principal", allowed: decl.principalTypes, action: request.action)
        try checkRequestEntity(request.resource, role: "resource", allowed: decl.resourceTypes, action: request.action)
        if let problem = conformanceProblem(.record(request.context), .record(decl.context), path: "") {
            throw .request(message: "context is not valid for \(request.action): \(problem)")
        }
    }

    private func checkRequestEntity(_ uid: EntityUID, role: String, allowed: [String], action: EntityUID) throws(CedarError) {
        guard let decl = entityType(uid.type) else {
            throw .request(message: "\(role) type `\(uid.type)` is not declared in the schema")
        }
        if !allowed.contains(uid.type) {
            let list = allowed.isEmpty ? "none" : allowed.map { "`\($0)`" }.joined(separator: ", ")
            throw .request(message: "\(role) type `\(uid.type)` is not valid for \(action); valid \(role) types: \(list)")
        }
        if let values = decl.enumValues, !values.contains { $0.isExactly(uid.id) } {
            throw .request(message: "\(role) \(uid) is of an enumerated entity type, but `\(cedarQuoted(uid.id))` is not one of its ids")
        }
    }

    /// Whether a value has the declared type; nil when it does, else what is wrong.
    public func conformanceProblem(_ value: Value, _ type: SchemaType, path: String = "") -> String? {
        let at = path.isEmpty ? "" : " at `\(path)`"
        switch (value, type) {
        case (.bool, .bool), (.long, .long), (.string, .string): return nil
        case (.ipaddr, .extension("ipaddr")), (.decimal, .extension("decimal")),
            (.datetime, .extension("datetime")), (.duration, .extension("duration")):
            return nil
        case (.entity(let uid), .entity(let t)):
            if uid.type != t { return "expected an entity of type `\(t)`\(at), found \(uid)" }
            if let values = entityType(t)?.enumValues, !values.contains { $0.isExactly(uid.id) } {
                return "\(uid)\(at) is not one of the ids of enumerated entity type `\(t)`"
            }
            return nil
        case (.set(let items), .set(let element)):
            for item in items.sorted(by: { $0.description.exactlyPrecedes($1.description) }) {
                if let p = conformanceProblem(item, element, path: path + "[]") { return p }
            }
            return nil
        case (.record(let r), .record(let rt)):
            for key in r.keys.sorted() {
                let k = key.string
                let sub = path.isEmpty ? k : "\(path).\(k)"
                guard let a = rt.attributes[k] else {
                    if rt.additionalAttributes { continue }
                    return "attribute `\(sub)` is not declared"
                }
                if let p = conformanceProblem(r[key]!, a.type, path: sub) { return p }
            }
            for k in rt.sortedNames where rt.attributes[k]!.required && r[ExactString(k)] == nil {
                return "missing required attribute `\(path.isEmpty ? k : "\(path).\(k)")`"
            }
            return nil
        default:
            return "expected \(type)\(at), found \(value.typeName) `\(value)`"
        }
    }
}

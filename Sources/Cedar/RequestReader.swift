// Reading Cedar authorization requests from JSON: the general path (any valid request, with
// located errors), shared by every reader of requests.
import JSONValue

/// A request field that is not valid: where (a JSON path inside the request) and why.
public struct RequestJSONError: Error, Equatable, Sendable {
    /// Where in the request, for locating the problem in its file.
    public var path: [JSONPathComponent]
    /// What is wrong, in plain words.
    public var message: String

    public init(path: [JSONPathComponent], message: String) {
        self.path = path
        self.message = message
    }
}

/// Builds authorization requests from JSON (a `--request` file or one JSONL line).
///
/// A request is `{"principal", "action", "resource", "context"?}`; each uid is either Cedar
/// text (`"User::\"alice\""`) or an object (`{"type": "User", "id": "alice"}`). With a schema,
/// the context is read by the action's declared context type and the request is validated.
public struct RequestReader: Sendable {
    /// The schema requests are read by and validated against, when there is one.
    public let schema: Schema?
    /// Uids written as text repeat across a batch (the same few actions); parse each once.
    private var uidCache: [String: EntityUID] = [:]
    private static let fields: Set<String> = ["principal", "action", "resource", "context"]

    /// A reader for requests under `schema` (none: contexts are read as plain Cedar values).
    public init(schema: Schema?) { self.schema = schema }

    /// The request `json` describes.
    public mutating func request(_ json: JSONValue) throws(RequestJSONError) -> Request {
        guard case .object(let object) = json else {
            throw RequestJSONError(path: [], message: "a request must be a JSON object with `principal`, `action`, `resource` and an optional `context`")
        }
        for key in object.keys where !RequestReader.fields.contains(key) {
            throw RequestJSONError(path: [.key(key)], message: "unknown request field `\(key)`; a request has `principal`, `action`, `resource` and `context`")
        }
        let principal = try uid(object, "principal")
        let action = try uid(object, "action")
        let resource = try uid(object, "resource")
        let contextJSON = object["context"]
        var context: [ExactString: Value] = [:]
        if let schema {
            do {
                context = try schema.context(for: action, json: contextJSON ?? .object(JSONObject([])))
            } catch {
                throw RequestJSONError(path: contextJSON == nil ? [] : [.key("context")], message: error.message)
            }
        } else if let contextJSON {
            let value: Value
            do {
                value = try Value(json: contextJSON)
            } catch {
                throw RequestJSONError(
                    path: [.key("context")] + error.jsonPathComponents,
                    message: "invalid context: \(error.messageWithPath)")
            }
            guard case .record(let record) = value else {
                throw RequestJSONError(path: [.key("context")], message: "the context must be a JSON object")
            }
            context = record
        }
        let request = Request(principal: principal, action: action, resource: resource, context: context)
        if let schema {
            do {
                try schema.validate(request: request)
            } catch {
                throw RequestJSONError(path: [], message: error.message)
            }
        }
        return request
    }

    private mutating func uid(_ object: JSONObject, _ key: String) throws(RequestJSONError) -> EntityUID {
        guard let json = object[key] else {
            throw RequestJSONError(path: [], message: "missing request field `\(key)`")
        }
        if case .string(let text) = json, let cached = uidCache[text] { return cached }
        do {
            let uid = try EntityUID(json: json)
            if case .string(let text) = json, uidCache.count < 4096 { uidCache[text] = uid }
            return uid
        } catch {
            throw RequestJSONError(path: [.key(key)], message: "invalid \(key): \(error.messageWithPath)")
        }
    }

}

extension CedarError {
    /// The JSON path an entity-data error names (`a.b[2]`), as components; keys containing
    /// `.` or `[` split wrongly, and then the location falls back to the nearest enclosing value.
    var jsonPathComponents: [JSONPathComponent] {
        guard case .entities(_, let path, _) = self, !path.isEmpty else { return [] }
        var components: [JSONPathComponent] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: true) {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                let key = rest[..<bracket]
                if !key.isEmpty { components.append(.key(String(key))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    if let index = Int(rest[rest.index(after: rest.startIndex)..<close]) { components.append(.index(index)) }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                components.append(.key(String(rest)))
            }
        }
        return components
    }

    /// The message with the JSON path it names, when it has one: `at `a.b`: ...`.
    public var messageWithPath: String {
        if case .entities(let message, let path, _) = self, !path.isEmpty {
            return "at `\(path)`: \(message)"
        }
        return message
    }
}


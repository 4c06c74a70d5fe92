// Reading the inputs of the Cedar commands (authorize, validate, fmt): policy files and
// directories, schemas, entity files and requests, with every problem turned into a located
// message (`file:line:col`) and a caret excerpt.
import Basics
import Cedar
import Foundation
import JSONValue

/// A problem with an input file that stops a Cedar command (exit 2). `line` is nil when the
/// problem has no place in the file (an empty directory, an entity uid given on the command line).
struct CedarInputError: Error, CustomStringConvertible {
    /// The file (or `--option` name) the problem is in.
    var file: String
    /// 1-based line, when known.
    var line: Int?
    /// 1-based column (Unicode scalars), when known.
    var column: Int?
    /// What is wrong, in plain words.
    var message: String
    /// The text of the offending line, for the caret excerpt.
    var sourceLine: String?

    init(file: String, line: Int? = nil, column: Int? = nil, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    var description: String {
        guard let line else { return "\(file): \(message)" }
        return "\(file):\(line):\(column ?? 1): \(message)"
    }

    /// `file:line:col: error: message` with a caret excerpt, or `file: error: message`.
    func rendered(style: Style) -> String {
        guard let line else {
            return style.bold("\(file):") + " " + style.apply("error:", .bold, .red) + " " + message + "\n"
        }
        return LocatedMessageRenderer.render(
            file: file, line: line, column: column ?? 1, severity: .error, message: message, sourceLine: sourceLine,
            style: style)
    }
}

/// The texts read so far, by file name, for excerpts.
struct CedarSources {
    private var files: [String: [UInt8]] = [:]

    mutating func add(_ file: String, _ bytes: [UInt8]) { files[file] = bytes }

    func lineText(file: String, line: Int) -> String? {
        guard let bytes = files[file] else { return nil }
        return LineTable(bytes).lineText(line)
    }

    /// A located error from an engine error; `fallback` names the file when the error has no span.
    func located(_ error: CedarError, fallback: String) -> CedarInputError {
        guard let span = error.span, span.file.isEmpty == false || fallback.isEmpty == false else {
            return CedarInputError(file: fallback, message: error.message)
        }
        let file = span.file.isEmpty ? fallback : span.file
        return CedarInputError(
            file: file, line: span.start.line, column: span.start.column, message: error.message,
            sourceLine: lineText(file: file, line: span.start.line))
    }
}

/// Listing and reading Cedar files.
enum CedarFiles {
    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func join(_ directory: String, _ name: String) -> String {
        if directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The policy files of `--policies PATH`: the file itself, or the `*.cedar` files directly in
    /// the directory in name order (the order positional ids follow, as in a policy directory).
    static func policyFiles(_ path: String) throws(CedarInputError) -> [String] {
        guard isDirectory(path) else { return [path] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CedarInputError(file: path, message: "cannot list the directory")
        }
        let files = names.filter { $0.hasSuffix(".cedar") && !$0.hasPrefix(".") }.sorted().map { join(path, $0) }
            .filter { !isDirectory($0) }
        if files.isEmpty {
            throw CedarInputError(file: path, message: "no .cedar files in this directory; pass a policy file or directory")
        }
        return files
    }

    /// The files `fmt` works on: each path given as a file, and the `*.cedar` files under each
    /// directory (recursively, hidden entries skipped), in name order.
    static func formatTargets(_ paths: [String]) throws(CedarInputError) -> [String] {
        var out: [String] = []
        for path in paths {
            guard path != "-", isDirectory(path) else {
                out.append(path)
                continue
            }
            var found: [String] = []
            var pending = [path]
            while let directory = pending.popLast() {
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: directory)
                } catch {
                    throw CedarInputError(file: directory, message: "cannot list the directory")
                }
                for name in names where !name.hasPrefix(".") {
                    let full = join(directory, name)
                    if isDirectory(full) {
                        pending.append(full)
                    } else if name.hasSuffix(".cedar") {
                        found.append(full)
                    }
                }
            }
            out += found.sorted()
        }
        return out
    }

    /// The schema file of a policy directory (`schema.cedarschema`, then `schema.cedarschema.json`).
    static func directorySchema(_ path: String) -> String? {
        guard isDirectory(path) else { return nil }
        for name in ["schema.cedarschema", "schema.cedarschema.json"] where FileManager.default.fileExists(atPath: join(path, name)) {
            return join(path, name)
        }
        return nil
    }
}

/// Loads policies, schema and entities, keeping the texts for excerpts.
struct CedarLoader {
    var sources = CedarSources()

    /// Parses every policy file of `path` into one set (ids: `@id`, else positional `policyN`).
    mutating func policies(_ path: String) throws -> PolicySet {
        var files: [PolicyFile] = []
        for file in try CedarFiles.policyFiles(path) {
            files.append(try parse(file, bytes: try FileReader.read(file)))
        }
        do {
            return try PolicySet(files: files)
        } catch {
            throw sources.located(error, fallback: path)
        }
    }

    /// Parses one policy text.
    mutating func parse(_ file: String, bytes: [UInt8]) throws(CedarInputError) -> PolicyFile {
        sources.add(file, bytes)
        do {
            return try Parser.parse(bytes, file: file)
        } catch {
            throw sources.located(error, fallback: file)
        }
    }

    /// Parses a schema file (Cedar schema format, or JSON for names ending in `.json`).
    mutating func schema(_ path: String) throws -> Schema {
        let bytes = try FileReader.read(path)
        sources.add(path, bytes)
        do {
            return try Schema.load(source: bytes, file: path)
        } catch {
            throw sources.located(error, fallback: path)
        }
    }

    /// Reads Cedar entity JSON, by the schema when there is one.
    mutating func entities(_ path: String, schema: Schema?) throws -> Entities {
        let bytes = try FileReader.read(path)
        sources.add(path, bytes)
        // Most entity files are valid: read them without recording every value's position, and
        // read them again with positions only to locate an error.
        if let json = try? JSONParser.parse(bytes) {
            if let schema, let entities = try? schema.entities(json: json) { return entities }
            if schema == nil, let entities = try? Entities(json: json) { return entities }
        }
        do {
            if let schema { return try schema.entities(jsonBytes: bytes, file: path) }
            return try Entities(jsonBytes: bytes, file: path)
        } catch {
            var located = sources.located(error, fallback: path)
            if let place = CedarLoader.cycleLocation(error, bytes: bytes) {
                located.line = place.line
                located.column = place.column
                located.sourceLine = sources.lineText(file: path, line: place.line)
            }
            throw located
        }
    }

    /// A cycle in `parents` is reported by the engine for the whole document; point at the
    /// `parents` of the entity it names instead.
    static func cycleLocation(_ error: CedarError, bytes: [UInt8]) -> SourceLocation? {
        guard case .entities(let message, let path, _) = error, path.isEmpty, message.contains("cycle"),
              let document = try? JSONParser.parseDocument(bytes), case .array(let items) = document.value
        else { return nil }
        for (index, item) in items.enumerated() {
            guard let uidJSON = item["uid"], let uid = try? EntityUID(json: uidJSON) else { continue }
            let named = uid.description
            if message.contains(named + ";") || message.hasSuffix(named) || message.contains(named + " ") {
                return document.location(of: [.index(index), .key("parents")]) ?? document.location(of: [.index(index)])
            }
        }
        return nil
    }
}

/// A request field that is not valid: where (a JSON path inside the request) and why.
struct RequestFieldError: Error {
    var path: [JSONPathComponent]
    var message: String
}

/// Builds authorization requests from JSON (a `--request` file or one JSONL line).
///
/// A request is `{"principal", "action", "resource", "context"?}`; each uid is either Cedar
/// text (`"User::\"alice\""`) or an object (`{"type": "User", "id": "alice"}`). With a schema,
/// the context is read by the action's declared context type and the request is validated.
struct CedarRequestReader {
    let schema: Schema?
    /// Uids written as text repeat across a batch (the same few actions); parse each once.
    private var uidCache: [String: EntityUID] = [:]
    private static let fields: Set<String> = ["principal", "action", "resource", "context"]

    init(schema: Schema?) { self.schema = schema }

    mutating func request(_ json: JSONValue) throws(RequestFieldError) -> Request {
        guard case .object(let object) = json else {
            throw RequestFieldError(path: [], message: "a request must be a JSON object with `principal`, `action`, `resource` and an optional `context`")
        }
        for key in object.keys where !CedarRequestReader.fields.contains(key) {
            throw RequestFieldError(path: [.key(key)], message: "unknown request field `\(key)`; a request has `principal`, `action`, `resource` and `context`")
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
                throw RequestFieldError(path: contextJSON == nil ? [] : [.key("context")], message: error.message)
            }
        } else if let contextJSON {
            let value: Value
            do {
                value = try Value(json: contextJSON)
            } catch {
                throw RequestFieldError(
                    path: [.key("context")] + CedarRequestReader.jsonPath(error),
                    message: "invalid context: \(CedarRequestReader.describe(error))")
            }
            guard case .record(let record) = value else {
                throw RequestFieldError(path: [.key("context")], message: "the context must be a JSON object")
            }
            context = record
        }
        let request = Request(principal: principal, action: action, resource: resource, context: context)
        if let schema {
            do {
                try schema.validate(request: request)
            } catch {
                throw RequestFieldError(path: [], message: error.message)
            }
        }
        return request
    }

    private mutating func uid(_ object: JSONObject, _ key: String) throws(RequestFieldError) -> EntityUID {
        guard let json = object[key] else {
            throw RequestFieldError(path: [], message: "missing request field `\(key)`")
        }
        if case .string(let text) = json, let cached = uidCache[text] { return cached }
        do {
            let uid = try EntityUID(json: json)
            if case .string(let text) = json, uidCache.count < 4096 { uidCache[text] = uid }
            return uid
        } catch {
            throw RequestFieldError(path: [.key(key)], message: "invalid \(key): \(CedarRequestReader.describe(error))")
        }
    }

    /// Parses a uid given on the command line: Cedar text or a JSON object.
    static func commandLineUID(_ text: String, option: String) throws(CedarInputError) -> EntityUID {
        let json: JSONValue
        if text.first == "{" {
            do {
                json = try JSONParser.parse(text)
            } catch {
                throw CedarInputError(file: "--\(option)", message: "not a uid object: \(error.message)")
            }
        } else {
            json = .string(text)
        }
        do {
            return try EntityUID(json: json)
        } catch {
            throw CedarInputError(file: "--\(option)", message: describe(error))
        }
    }

    /// The JSON path an entity-data error names (`a.b[2]`), as components; keys containing
    /// `.` or `[` split wrongly, and then the location falls back to the nearest enclosing value.
    static func jsonPath(_ error: CedarError) -> [JSONPathComponent] {
        guard case .entities(_, let path, _) = error, !path.isEmpty else { return [] }
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

    /// An engine error's message with the JSON path it names, when it has one.
    static func describe(_ error: CedarError) -> String {
        if case .entities(let message, let path, _) = error, !path.isEmpty {
            return "at `\(path)`: \(message)"
        }
        return error.message
    }
}

extension CommandContext {
    /// Prints a located input error on stderr, and keeps it for the error document.
    func report(_ error: CedarInputError) {
        failures.record(CommandFailure(error))
        let text = error.rendered(style: diagnosticStyle)
        console.diagnostic(String(text.hasSuffix("\n") ? text.dropLast() : text[...]))
    }

    /// Runs a Cedar command body; an input error is printed located and gives exit status 2.
    func runReportingInputErrors(_ body: () throws -> ExitCode) throws -> ExitCode {
        do {
            return try body()
        } catch let error as CedarInputError {
            report(error)
            return .error
        }
    }
}

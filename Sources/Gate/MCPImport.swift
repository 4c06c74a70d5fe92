import Basics
import JSONValue
import Workflow

/// One tool of an MCP server, as its `tools/list` result describes it.
public struct MCPTool: Sendable, Equatable {
    /// The tool's name, unique on its server.
    public var name: String
    /// Its human-readable title (`title`, else `annotations.title`).
    public var title: String?
    /// Its description.
    public var description: String?
    /// The JSON Schema of its arguments.
    public var inputSchema: JSONValue
    /// The behaviour hints of `annotations`, as given (nil when absent).
    public var readOnlyHint: Bool?
    public var destructiveHint: Bool?
    public var idempotentHint: Bool?
    public var openWorldHint: Bool?
    /// Where the tool is in the file.
    public var location: FileLocation

    /// The catalog effect: `read` for a read-only tool; else `delete` for a destructive one and
    /// `write` for one that only adds. Absent hints take the MCP specification's defaults
    /// (`readOnlyHint` false, `destructiveHint` true), the most cautious reading.
    public var effect: ActionEffect {
        if readOnlyHint ?? false { return .read }
        return destructiveHint ?? true ? .delete : .write
    }

    /// The catalog flags: `irreversible` for a destructive tool, `external` for one that reaches
    /// an open world of entities (`openWorldHint`, default true).
    public var flags: [ActionFlag] {
        var flags: [ActionFlag] = []
        if effect == .delete { flags.append(.irreversible) }
        if openWorldHint ?? true { flags.append(.external) }
        return flags.sorted()
    }
}

/// A type of the schema fragment: what a JSON Schema type becomes in Cedar.
public indirect enum MCPCedarType: Sendable, Equatable {
    case string, long, bool
    case set(MCPCedarType)
    case record([MCPCedarAttribute])

    /// The Cedar schema text of the type, indented for `level`.
    func text(level: Int) -> String {
        switch self {
        case .string: return "String"
        case .long: return "Long"
        case .bool: return "Bool"
        case .set(let element): return "Set<\(element.text(level: level))>"
        case .record(let attributes):
            if attributes.isEmpty { return "{}" }
            let pad = String(repeating: "  ", count: level + 1)
            let members = attributes.map { "\(pad)\(MCPImport.quoted($0.name))\($0.required ? "" : "?"): \($0.type.text(level: level + 1))" }
            return "{\n" + members.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: level) + "}"
        }
    }
}

/// One attribute of a record type.
public struct MCPCedarAttribute: Sendable, Equatable {
    public var name: String
    public var required: Bool
    public var type: MCPCedarType
}

/// `stepguard catalog import-mcp`: an MCP server's tools as catalog actions, host mapping rules
/// and a Cedar schema fragment.
public enum MCPImport {
    /// Nesting deeper than this in an input schema is left out of the fragment.
    static let maxDepth = 32

    /// The tools of a `tools/list` result: the JSON-RPC response (`result.tools`), its result
    /// (`tools`), or the array of tools itself.
    public static func tools(_ bytes: [UInt8], file: String) throws(GateError) -> [MCPTool] {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes, file: file)
        } catch {
            throw .malformedRecording(FileLocation(file: file, line: error.location.line, column: error.location.column), message: "not JSON: \(error.message)")
        }
        func fail(_ path: [JSONPathComponent], _ message: String) -> GateError {
            let at = document.nearestLocation(of: path)
            return .malformedRecording(FileLocation(file: file, line: at.line, column: at.column, path: renderJSONPath(path)), message: message)
        }
        var base: [JSONPathComponent] = []
        var list = document.value
        if case .object = list, let result = list["result"] { base = [.key("result")]; list = result }
        if case .object = list {
            guard let tools = list["tools"] else { throw fail(base, "expected a tools/list result: {\"tools\": [...]}") }
            base.append(.key("tools"))
            list = tools
        }
        guard case .array(let elements) = list else { throw fail(base, "\"tools\" must be an array of tool descriptions") }
        var tools: [MCPTool] = []
        var seen = Set<String>()
        for (index, element) in elements.enumerated() {
            let path = base + [.index(index)]
            guard case .object(let object) = element else { throw fail(path, "a tool must be an object with \"name\" and \"inputSchema\"") }
            guard let name = object["name"]?.stringValue, !name.isEmpty else { throw fail(path, "a tool needs a non-empty string \"name\"") }
            guard name.unicodeScalars.allSatisfy({ $0.isASCII && !ToolNameCharacters.controlOrSpace($0) }) else {
                throw fail(path + [.key("name")], "tool name \"\(name)\" has characters a host tool name cannot carry")
            }
            guard seen.insert(name).inserted else { throw fail(path + [.key("name")], "tool \"\(name)\" is listed twice") }
            guard let schema = object["inputSchema"], case .object = schema else {
                throw fail(object["inputSchema"] == nil ? path : path + [.key("inputSchema")], "tool \"\(name)\" needs an object \"inputSchema\"")
            }
            var hints: [String: Bool] = [:]
            var title = object["title"]?.stringValue
            if let annotations = object["annotations"] {
                guard case .object(let members) = annotations else { throw fail(path + [.key("annotations")], "\"annotations\" must be an object") }
                for key in ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] {
                    guard let value = members[key] else { continue }
                    guard let flag = value.boolValue else { throw fail(path + [.key("annotations"), .key(key)], "\"\(key)\" must be true or false") }
                    hints[key] = flag
                }
                if title == nil { title = members["title"]?.stringValue }
            }
            let at = document.nearestLocation(of: path)
            tools.append(MCPTool(
                name: name, title: title, description: object["description"]?.stringValue, inputSchema: schema,
                readOnlyHint: hints["readOnlyHint"], destructiveHint: hints["destructiveHint"], idempotentHint: hints["idempotentHint"],
                openWorldHint: hints["openWorldHint"],
                location: FileLocation(file: file, line: at.line, column: at.column, path: renderJSONPath(path))))
        }
        return tools
    }

    // MARK: - Catalog and mapping

    /// What a merge did.
    public struct Merge: Sendable {
        /// The catalog document after the merge.
        public var catalog: JSONValue
        /// Actions added, and actions already there (kept as they are).
        public var addedActions: [String] = []
        public var keptActions: [String] = []
        /// Mapping rules added (by tool name), and tools that already had a rule of their own.
        public var addedRules: [String] = []
        public var keptRules: [String] = []
        /// Added rules that an earlier rule maps first: (host tool name, the earlier rule's path).
        public var shadowed: [(tool: String, by: String)] = []
        /// Actions of this server whose tool the server no longer lists (kept).
        public var stale: [String] = []
    }

    /// The catalog action of `tool` on `server`.
    public static func action(server: String, tool: String) -> String { "\(server).\(tool)" }

    /// The host tool name Claude Code gives `tool` of `server`.
    public static func hostToolName(server: String, tool: String) -> String { "mcp__\(server)__\(tool)" }

    /// Merges `tools` of `server` into the catalog document `catalog` (a new one when nil): an
    /// action per tool and a mapping rule per tool under `hosts.<host>.tools`, appended after the
    /// rules already there. Whatever is there already stays as it is: an action of the same name,
    /// a rule for the same tool name, every other key.
    public static func merge(_ catalog: JSONValue?, tools: [MCPTool], server: String, host: String, file: String) throws(GateError) -> Merge {
        var root = JSONObject()
        if let catalog {
            guard case .object(let object) = catalog else {
                throw .malformedMapping(FileLocation(file: file, line: 1, column: 1), message: "the catalog must be a JSON object with \"actions\"")
            }
            root = object
        }
        var merge = Merge(catalog: .null)
        var actions = JSONObject()
        if let value = root["actions"] {
            guard case .object(let object) = value else {
                throw .malformedMapping(FileLocation(file: file, line: 1, column: 1, path: "actions"), message: "\"actions\" must be an object keyed by action name")
            }
            actions = object
        }
        for tool in tools {
            let name = action(server: server, tool: tool.name)
            if actions[name] != nil { merge.keptActions.append(name); continue }
            var entry: [(String, JSONValue)] = [("effect", .string(tool.effect.rawValue))]
            if !tool.flags.isEmpty { entry.append(("flags", .array(tool.flags.map { .string($0.rawValue) }))) }
            entry.append(("tool", .string(server)))
            if let summary = summary(tool) { entry.append(("description", .string(summary))) }
            actions[name] = .object(JSONObject(entry))
            merge.addedActions.append(name)
        }
        let listed = Set(tools.map { action(server: server, tool: $0.name) })
        merge.stale = actions.keys.filter { $0.hasPrefix(server + ".") && !listed.contains($0) && isServerAction(actions[$0], server: server) }
        root["actions"] = .object(actions)

        var hosts = JSONObject()
        if let value = root["hosts"] {
            guard case .object(let object) = value else {
                throw .malformedMapping(FileLocation(file: file, line: 1, column: 1, path: "hosts"), message: "\"hosts\" must be an object keyed by host name")
            }
            hosts = object
        }
        var mapping = JSONObject()
        if let value = hosts[host] {
            guard case .object(let object) = value else {
                throw .malformedMapping(FileLocation(file: file, line: 1, column: 1, path: "hosts.\(host)"), message: "host \"\(host)\" must be an object with \"tools\"")
            }
            mapping = object
        }
        var rules: [JSONValue] = []
        if let value = mapping["tools"] {
            guard case .array(let array) = value else {
                throw .malformedMapping(FileLocation(file: file, line: 1, column: 1, path: "hosts.\(host).tools"), message: "\"tools\" must be an array of mapping rules")
            }
            rules = array
        }
        let existing = rules
        for tool in tools {
            let toolName = hostToolName(server: server, tool: tool.name)
            if existing.contains(where: { $0["tool"]?.stringValue == toolName }) { merge.keptRules.append(toolName); continue }
            // A rule without input patterns whose glob takes the name maps the call first.
            if let index = existing.firstIndex(where: { rule in
                rule["input"] == nil && (rule["tool"]?.stringValue).map { Glob($0).matches(toolName) } == true
            }) {
                merge.shadowed.append((toolName, "hosts.\(host).tools[\(index)]"))
            }
            rules.append(.object(JSONObject([
                ("tool", .string(toolName)),
                ("action", .string(action(server: server, tool: tool.name))),
                ("resource", .object(JSONObject([("type", "McpServer"), ("id", .string(server))]))),
                ("input_args", true),
            ])))
            merge.addedRules.append(toolName)
        }
        mapping["tools"] = .array(rules)
        hosts[host] = .object(mapping)
        root["hosts"] = .object(hosts)
        merge.catalog = .object(root)
        return merge
    }

    /// The text of the merged catalog. When the file had the `actions` object and the host's
    /// `tools` array, the new entries are inserted into its text, one line each, after the
    /// last member of each, so that the file keeps its layout; the result must read back as
    /// exactly the merged document. Otherwise (a new file, a section to create) the merged
    /// document is written out whole.
    public static func text(of merge: Merge, old: String?, host: String) -> String {
        let whole = JSONWriter.pretty(merge.catalog, sortKeys: false) + "\n"
        guard let old, let document = try? JSONParser.parseDocument(old),
              let actionsAt = document.location(of: [.key("actions")]),
              let rulesAt = document.location(of: [.key("hosts"), .key(host), .key("tools")])
        else { return whole }
        let bytes = Array(old.utf8)
        let actions = merge.catalog["actions"]?.objectValue ?? JSONObject()
        let rules = merge.catalog["hosts"]?[host]?["tools"]?.arrayValue ?? []
        let newActions = merge.addedActions.map { "\(quoted($0)): \(oneLine(actions[$0] ?? .null))" }
        let newRules = rules.suffix(merge.addedRules.count).map(oneLine)
        var insertions: [(offset: Int, text: String)] = []
        for (start, lines) in [(actionsAt.offset, newActions), (rulesAt.offset, newRules)] where !lines.isEmpty {
            guard let insertion = insertion(into: bytes, containerAt: start, lines: lines) else { return whole }
            insertions.append(insertion)
        }
        var out = bytes
        for insertion in insertions.sorted(by: { $0.offset > $1.offset }) {
            out.insert(contentsOf: Array(insertion.text.utf8), at: insertion.offset)
        }
        let text = String(decoding: out, as: UTF8.self)
        guard let reread = try? JSONParser.parse(text), reread == merge.catalog else { return whole }
        return text
    }

    /// Where and what to insert so that `lines` become the last members of the object or array
    /// that starts at `start`: after its last member, each on its own line at that member's
    /// indentation.
    static func insertion(into bytes: [UInt8], containerAt start: Int, lines: [String]) -> (offset: Int, text: String)? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "["),
              let close = closingBracket(bytes, from: start)
        else { return nil }
        var last = close - 1
        while last > start, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[last]) { last -= 1 }
        func indentation(ofLineAt offset: Int) -> String {
            var lineStart = offset
            while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
            var end = lineStart
            while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
            return String(decoding: bytes[lineStart..<end], as: UTF8.self)
        }
        if last == start {
            // An empty container: the members go one level in from its own line.
            let outer = indentation(ofLineAt: start)
            let inner = outer + "  "
            return (start + 1, "\n" + lines.map { inner + $0 }.joined(separator: ",\n") + "\n" + outer)
        }
        let indent = indentation(ofLineAt: last)
        return (last + 1, ",\n" + lines.map { indent + $0 }.joined(separator: ",\n"))
    }

    /// The offset of the bracket that closes the one at `start`, strings skipped.
    static func closingBracket(_ bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0
        var index = start
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    /// `{ "key": value, ... }` on one line, as the hand-written entries of a catalog are.
    static func oneLine(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            if object.isEmpty { return "{}" }
            return "{ " + object.map { "\(quoted($0.0)): \(oneLine($0.1))" }.joined(separator: ", ") + " }"
        case .array(let elements):
            return "[" + elements.map(oneLine).joined(separator: ", ") + "]"
        default:
            return JSONWriter.compact(value)
        }
    }

    /// An action this import could have written for `server`: its `tool` is the server.
    static func isServerAction(_ value: JSONValue?, server: String) -> Bool {
        value?["tool"]?.stringValue == server
    }

    /// One line for the catalog's `description`: the title, else the description's first line.
    static func summary(_ tool: MCPTool) -> String? {
        let text = tool.title ?? tool.description?.split(whereSeparator: \.isNewline).first.map(String.init)
        guard let text, !text.isEmpty else { return nil }
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    // MARK: - Schema fragment

    /// The Cedar type of a JSON Schema, nil when Cedar cannot hold it (see docs/catalog.md).
    public static func cedarType(_ schema: JSONValue, depth: Int = 0) -> MCPCedarType? {
        guard depth < maxDepth, case .object(let object) = schema else { return nil }
        var type = object["type"]?.stringValue
        if case .array(let types)? = object["type"] {
            // A nullable type: Cedar has no null, and a null member is left out of the args.
            let named = types.compactMap(\.stringValue).filter { $0 != "null" }
            guard named.count == 1, named.count + 1 == types.count else { return nil }
            type = named[0]
        }
        if type == nil {
            if object["properties"] != nil { type = "object" }
            else if let values = object["enum"]?.arrayValue, !values.isEmpty, values.allSatisfy({ $0.stringValue != nil }) { type = "string" }
        }
        switch type {
        case "string": return .string
        case "integer": return .long
        case "boolean": return .bool
        case "array":
            guard let items = object["items"], let element = cedarType(items, depth: depth + 1) else { return nil }
            return .set(element)
        case "object":
            guard case .object(let properties)? = object["properties"] else { return nil }
            let required = Set(object["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            var attributes: [MCPCedarAttribute] = []
            for (name, property) in properties {
                guard let type = cedarType(property, depth: depth + 1) else { continue }
                // A nullable member may arrive as null, which the args leave out.
                let nullable = property["type"]?.arrayValue?.contains(.string("null")) ?? false
                attributes.append(MCPCedarAttribute(name: name, required: required.contains(name) && !nullable, type: type))
            }
            return .record(attributes.sorted { $0.name < $1.name })
        default:
            return nil
        }
    }

    /// The input record of `tool`: its `inputSchema` as a record (an empty one when Cedar can
    /// hold none of it).
    public static func inputType(_ tool: MCPTool) -> MCPCedarType {
        cedarType(tool.inputSchema) ?? .record([])
    }

    /// A Cedar identifier made of `text`: other characters become `_`, and a leading digit gets one.
    static func identifier(_ text: String) -> String {
        var out = String(text.unicodeScalars.map { scalar -> Character in
            (scalar.isASCII && (ToolNameCharacters.isWordCharacter(scalar))) ? Character(scalar) : "_"
        })
        if out.first.map({ $0.isNumber }) ?? true { out = "_" + out }
        return out
    }

    static func quoted(_ text: String) -> String {
        CanonicalJSON.string(.string(text))
    }

    /// The Cedar schema fragment for `tools` of `server` (see docs/catalog.md): in namespace
    /// `<server>` a record type `<tool>Input` per tool, following its `inputSchema`, and the
    /// types of the facts stepguard adds to the context of a gate call; then, outside any
    /// namespace (where stepguard's actions are), the principal and resource entity types and
    /// an action per tool whose context is those facts with `args` of the tool's input type.
    public static func schemaFragment(tools: [MCPTool], server: String, principalType: String, source: String) -> String {
        let namespace = identifier(server)
        var names: [String: String] = [:]
        var used = Set<String>(["Chain", "Plan", "Tool", "Resource", "Host"])
        for tool in tools {
            var name = identifier(tool.name) + "Input"
            var suffix = 2
            while used.contains(name) { name = identifier(tool.name) + "Input\(suffix)"; suffix += 1 }
            used.insert(name)
            names[tool.name] = name
        }
        var out = """
            // Cedar schema fragment for the MCP server "\(server)", written by stepguard catalog
            // import-mcp from \(source).
            // Each tool's action context is what stepguard gives a gate call: the tool input as
            // args, and stepguard's own facts.
            namespace \(namespace) {

            """
        for tool in tools {
            out += "  type \(names[tool.name]!) = \(inputType(tool).text(level: 1));\n\n"
        }
        out += """
              type Chain = {
                "actions": Set<String>,
                "count": Long,
                "external": Bool,
                "labels": Set<String>,
                "max_sensitivity": Long,
                "tools": Set<String>,
                "writes": Long
              };

              type Host = {
                "cwd": String,
                "name": String,
                "tool": String
              };

              type Plan = {
                "id": String,
                "intent": String,
                "owner": String,
                "risk": String,
                "tier": String
              };

              type Resource = {
                "environment"?: String,
                "external": Bool,
                "id": String,
                "in_project"?: Bool,
                "labels": Set<String>,
                "sensitivity": Long,
                "type": String
              };

              type Tool = {
                "effect": String,
                "flags": Set<String>,
                "name": String
              };
            }

            entity \(principalType);
            entity McpServer;

            """
        for tool in tools {
            out += """

                action \(quoted(action(server: server, tool: tool.name))) appliesTo {
                  principal: [\(principalType)],
                  resource: [McpServer],
                  context: {
                    "args": \(namespace)::\(names[tool.name]!),
                    "done": \(namespace)::Chain,
                    "history": \(namespace)::Chain,
                    "host": \(namespace)::Host,
                    "now": datetime,
                    "plan": \(namespace)::Plan,
                    "resource": \(namespace)::Resource,
                    "step": Long,
                    "step_id": String,
                    "tool": \(namespace)::Tool
                  }
                };

                """
        }
        return out
    }
}

/// Character classes the import needs, on Unicode scalars, without Foundation.
enum ToolNameCharacters {
    static func controlOrSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.value <= 0x20 || scalar.value == 0x7F }
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
        default: return false
        }
    }
}

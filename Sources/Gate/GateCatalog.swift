import Basics
import JSONValue
import Workflow

/// What the gate reads from `tools.json` beyond the action catalog: how each host's tool calls
/// map to catalog actions (`hosts`), the attributes of resources no `entities.json` lists
/// (`resources`), and the tool-input edits that carry out each variant (`input`).
///
///     "hosts": {
///       "claude-code": {
///         "principal": "Agent::\"claude-code\"",
///         "tools": [
///           { "tool": "Read", "action": "fs.read",
///             "resource": { "type": "File", "id": "{input.file_path|path}" } },
///           { "tool": "Bash", "input": { "command": "^\\s*curl\\s.*?(?<url>https?://\\S+)" },
///             "action": "net.fetch", "resource": { "type": "Url", "id": "{url}" } }
///         ],
///         "default": { "action": "tool.other", "resource": { "type": "Tool", "id": "{tool}" } }
///       }
///     },
///     "resources": [
///       { "type": "File", "id": "*/.env", "labels": ["secret"], "sensitivity": 4 },
///       { "type": "Url", "host": "*", "external": true }
///     ]
///
/// Rules are tried in order and the first that matches maps the call: its `tool` glob matches
/// the tool name and each of its `input` patterns (regular expressions, unanchored) matches
/// the string value of that input field.
public struct GateCatalog: Sendable {
    /// The mapping of each host, by host name.
    public var hosts: [String: HostMapping]
    /// Attribute rules, in file order; every matching rule contributes.
    public var resourceRules: [AttributeRule]
    /// Input edits by action, then variant.
    public var inputEdits: [String: [String: [InputEdit]]]
    /// The file read.
    public var file: String

    /// One host's mapping.
    public struct HostMapping: Sendable {
        /// The principal of every call (default `Agent::"<host>"`).
        public var principal: EntityRef
        /// Rules in order.
        public var rules: [ToolRule]
        /// The rule for calls no rule maps; without one, such calls are denied.
        public var fallback: ToolRule?
    }

    /// One mapping rule.
    public struct ToolRule: Sendable {
        let tool: Glob
        let input: [(field: String, pattern: Pattern)]
        /// The catalog action.
        public let action: String
        let resourceType: Template
        let resourceID: Template
        let args: [(String, ArgTemplate)]
        /// Whether the tool input, whole, is the step's args (`"input_args": true`), under `args`.
        let inputArgs: Bool
        /// Where the rule is (`hosts.claude-code.tools[3]`).
        public let path: String
    }

    indirect enum ArgTemplate: Sendable {
        case literal(JSONValue)
        case text(Template)
        case object([(String, ArgTemplate)])
        case array([ArgTemplate])
    }

    /// One attribute rule.
    public struct AttributeRule: Sendable {
        let type: String
        let id: Glob?
        let host: Glob?
        let labels: [String]
        let sensitivity: Int64?
        let environment: String?
        let external: Bool?
    }

    /// Reads the gate's sections of the catalog file at `path` and checks every action and
    /// variant they name against `catalog`.
    public static func load(_ path: String, catalog: ActionCatalog) throws(GateError) -> GateCatalog {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw .policies(.unreadable(file: path, message: error.message))
        }
        return try parse(bytes, file: path, catalog: catalog)
    }

    /// Parses the gate's sections of catalog JSON, compiling every regular expression (one that
    /// does not compile is an error here).
    public static func parse(_ bytes: [UInt8], file: String, catalog: ActionCatalog) throws(GateError) -> GateCatalog {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes, file: file)
        } catch {
            throw .policies(.malformedJSON(error))
        }
        return try Reader(document: document, file: file, catalog: catalog).read()
    }

    /// Compiles the input patterns of every rule of `host` that `tool` could meet, so that a
    /// pattern that does not compile is an error rather than a rule that silently fails to
    /// match (and lets the call fall to a later, wider rule).
    public func compilePatterns(host: String, tool: String) throws(GateError) {
        for rule in hosts[host]?.rules ?? [] where rule.tool.matches(tool) {
            for (field, pattern) in rule.input where pattern.regex == nil {
                throw .malformedMapping(
                    pattern.location ?? FileLocation(file: file, line: 1, column: 1, path: rule.path + ".input." + field),
                    message: "\"\(pattern.source)\" is not a valid regular expression")
            }
        }
    }

    /// Where the rules of `host` whose tool glob matches `tool` are (`hosts.cursor.tools[0]`):
    /// when none of them maps a call, its input is not what they expect.
    public func rulePaths(host: String, tool: String) -> [String] {
        (hosts[host]?.rules ?? []).filter { $0.tool.matches(tool) }.map(\.path)
    }

    /// Maps a call of `host`: the first matching rule, else the host's default, else nil.
    public func map(_ call: ToolCall, host: String, root: String) -> MappedCall? {
        guard let mapping = hosts[host] else { return nil }
        for rule in mapping.rules {
            if let mapped = rule.apply(call, root: root, principal: mapping.principal) { return mapped }
        }
        return mapping.fallback?.apply(call, root: root, principal: mapping.principal, isFallback: true)
    }

    /// The facts of `resource`: its `entities.json` attributes when it is listed there, else
    /// the union of every matching attribute rule (labels joined, the highest sensitivity, the
    /// first environment, external when any rule says so).
    public func facts(of resource: EntityRef, entities: EntityFacts, root: String) -> ResourceAttributes {
        var facts = ResourceAttributes()
        if resource.id.hasPrefix("/") { facts.inProject = PathText.isInside(resource.id, root: root) }
        if let attributes = entities.attributes(of: resource) {
            facts.labels = entities.labels(of: resource).sorted()
            facts.sensitivity = entities.sensitivity(of: resource)
            facts.environment = entities.environment(of: resource)
            facts.external = attributes["external"]?.boolValue ?? false
            return facts
        }
        var labels = Set<String>()
        lazy var host = PathText.host(ofURL: resource.id)
        for rule in resourceRules where rule.type == resource.type {
            if let id = rule.id, !id.matches(resource.id) { continue }
            if let glob = rule.host {
                guard let host, glob.matches(host) else { continue }
            }
            labels.formUnion(rule.labels)
            if let sensitivity = rule.sensitivity { facts.sensitivity = max(facts.sensitivity, sensitivity) }
            if facts.environment == nil { facts.environment = rule.environment }
            if rule.external == true { facts.external = true }
        }
        facts.labels = labels.sorted()
        return facts
    }

    /// Applies the input edits of a variant of `action`; nil when a field an edit needs is
    /// missing or not a string.
    public func edit(_ input: JSONObject, action: String, variant: String) -> JSONObject? {
        var out = input
        for edit in inputEdits[action]?[variant] ?? [] {
            guard let next = edit.apply(to: out) else { return nil }
            out = next
        }
        return out
    }
}

extension GateCatalog.ToolRule {
    func apply(_ call: ToolCall, root: String, principal: EntityRef, isFallback: Bool = false) -> MappedCall? {
        if !isFallback && !tool.matches(call.tool) { return nil }
        var groups: [String: String] = [:]
        for (field, pattern) in input {
            guard let value = call.input[field]?.stringValue, let found = pattern.firstMatch(value) else { return nil }
            groups.merge(found) { first, _ in first }
        }
        let values = TemplateValues(call: call, root: root, groups: groups)
        guard let type = resourceType.render(values), let id = resourceID.render(values), !type.isEmpty else { return nil }
        var args = inputArgs ? Self.cedarArgs(call.input) : JSONObject()
        for (key, template) in self.args {
            guard let value = template.render(values) else { return nil }
            args[key] = value
        }
        return MappedCall(principal: principal, action: action, resource: EntityRef(type: type, id: id), args: args, rule: path)
    }

    /// A tool input as Cedar can hold it: Cedar has no null, so null members and elements are
    /// left out, and no floating point, so a number with a fraction or an exponent becomes its
    /// JSON text.
    static func cedarArgs(_ input: JSONObject) -> JSONObject {
        var out = JSONObject()
        for (key, value) in input {
            if let converted = cedarValue(value) { out[key] = converted }
        }
        return out
    }

    static func cedarValue(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null: return nil
        case .number(let number): return number.int64 != nil ? value : .string(number.text)
        case .array(let elements): return .array(elements.compactMap(cedarValue))
        case .object(let members): return .object(cedarArgs(members))
        default: return value
        }
    }
}

extension GateCatalog.ArgTemplate {
    func render(_ values: TemplateValues) -> JSONValue? {
        switch self {
        case .literal(let value): return value
        case .text(let template): return template.render(values).map(JSONValue.string)
        case .object(let members):
            var object = JSONObject()
            for (key, member) in members {
                guard let value = member.render(values) else { return nil }
                object[key] = value
            }
            return .object(object)
        case .array(let elements):
            var out: [JSONValue] = []
            for element in elements {
                guard let value = element.render(values) else { return nil }
                out.append(value)
            }
            return .array(out)
        }
    }
}

private struct Reader {
    let document: JSONDocument
    let file: String
    let catalog: ActionCatalog

    /// The pattern, compiled; nil when it does not compile. It keeps where it is written, for
    /// the cache: read back from there, it is compiled when first used.
    func makePattern(_ text: String, _ path: [JSONPathComponent]) -> Pattern? {
        let at = document.nearestLocation(of: path)
        let pattern = Pattern(checked: text, location: FileLocation(file: file, line: at.line, column: at.column, path: renderJSONPath(path)))
        return pattern.regex == nil ? nil : pattern
    }

    func fail(_ path: [JSONPathComponent], _ message: String) -> GateError {
        let at = document.nearestLocation(of: path)
        return .malformedMapping(FileLocation(file: file, line: at.line, column: at.column, path: renderJSONPath(path)), message: message)
    }

    func read() throws(GateError) -> GateCatalog {
        let root = document.value
        var hosts: [String: GateCatalog.HostMapping] = [:]
        if let value = root["hosts"] {
            guard case .object(let members) = value else { throw fail([.key("hosts")], "\"hosts\" must be an object keyed by host name (\"claude-code\")") }
            for (name, hostValue) in members {
                hosts[name] = try host(name, hostValue, [.key("hosts"), .key(name)])
            }
        }
        var rules: [GateCatalog.AttributeRule] = []
        if let value = root["resources"] {
            guard case .array(let elements) = value else { throw fail([.key("resources")], "\"resources\" must be an array of attribute rules") }
            for (index, element) in elements.enumerated() {
                rules.append(try attributeRule(element, [.key("resources"), .index(index)]))
            }
        }
        var edits: [String: [String: [InputEdit]]] = [:]
        if case .object(let actions)? = root["actions"] {
            for (action, actionValue) in actions {
                guard case .object(let variants)? = actionValue["variants"] else { continue }
                for (variant, variantValue) in variants {
                    guard let input = variantValue["input"] else { continue }
                    let path: [JSONPathComponent] = [.key("actions"), .key(action), .key("variants"), .key(variant), .key("input")]
                    edits[action, default: [:]][variant] = try inputEdits(input, path)
                }
            }
        }
        return GateCatalog(hosts: hosts, resourceRules: rules, inputEdits: edits, file: file)
    }

    func host(_ name: String, _ value: JSONValue, _ path: [JSONPathComponent]) throws(GateError) -> GateCatalog.HostMapping {
        guard case .object(let object) = value else { throw fail(path, "host \"\(name)\" must be an object with \"tools\"") }
        for key in object.keys where !["principal", "tools", "default", "description"].contains(key) {
            throw fail(path + [.key(key)], "unknown key \"\(key)\" in host \"\(name)\"; a host has \"principal\", \"tools\" and \"default\"")
        }
        var principal = EntityRef(type: "Agent", id: name)
        if let value = object["principal"] {
            guard let entity = EntityRef(json: value) else {
                throw fail(path + [.key("principal")], "\"principal\" must be an entity: \"Agent::\\\"claude-code\\\"\" or {\"type\", \"id\"}")
            }
            principal = entity
        }
        var rules: [GateCatalog.ToolRule] = []
        if let value = object["tools"] {
            guard case .array(let elements) = value else { throw fail(path + [.key("tools")], "\"tools\" must be an array of mapping rules") }
            for (index, element) in elements.enumerated() {
                rules.append(try rule(element, path + [.key("tools"), .index(index)], isFallback: false))
            }
        }
        let fallback = try object["default"].map { (value) throws(GateError) in try rule(value, path + [.key("default")], isFallback: true) }
        return GateCatalog.HostMapping(principal: principal, rules: rules, fallback: fallback)
    }

    func rule(_ value: JSONValue, _ path: [JSONPathComponent], isFallback: Bool) throws(GateError) -> GateCatalog.ToolRule {
        guard case .object(let object) = value else { throw fail(path, "a mapping rule must be an object with \"tool\", \"action\" and \"resource\"") }
        let allowed: Set<String> = isFallback
            ? ["action", "resource", "args", "input_args", "description"]
            : ["tool", "input", "action", "resource", "args", "input_args", "description"]
        for key in object.keys where !allowed.contains(key) {
            throw fail(path + [.key(key)], "unknown key \"\(key)\" in a mapping rule; allowed keys are \(allowed.sorted().joined(separator: ", "))")
        }
        var tool = Glob("*")
        if !isFallback {
            guard let text = object["tool"]?.stringValue, !text.isEmpty else {
                throw fail(object["tool"] == nil ? path : path + [.key("tool")], "a mapping rule needs \"tool\": the host's tool name or a glob (\"mcp__github__*\")")
            }
            tool = Glob(text)
        }
        var patterns: [(field: String, pattern: Pattern)] = []
        if let value = object["input"] {
            guard case .object(let members) = value else { throw fail(path + [.key("input")], "\"input\" must map input fields to regular expressions") }
            for (field, patternValue) in members {
                guard let text = patternValue.stringValue else { throw fail(path + [.key("input"), .key(field)], "the pattern for \"\(field)\" must be a string") }
                guard let pattern = makePattern(text, path + [.key("input"), .key(field)]) else {
                    throw fail(path + [.key("input"), .key(field)], "\"\(text)\" is not a valid regular expression")
                }
                patterns.append((field, pattern))
            }
        }
        let groups = Set(patterns.flatMap(\.pattern.groupNames))
        guard let actionText = object["action"]?.stringValue, !actionText.isEmpty else {
            throw fail(object["action"] == nil ? path : path + [.key("action")], "a mapping rule needs \"action\": a catalog action")
        }
        let action = EntityRef.action(actionText).actionName
        guard catalog.action(named: action) != nil else {
            let hint = EditDistance.suggestion(for: action, among: catalog.actions.keys).map { "; did you mean \"\($0)\"?" } ?? "; add it to \"actions\""
            throw fail(path + [.key("action")], "unknown action \"\(action)\"\(hint)")
        }
        guard case .object(let resource)? = object["resource"], let typeText = resource["type"]?.stringValue,
              let idText = resource["id"]?.stringValue, resource.count == 2
        else {
            throw fail(object["resource"] == nil ? path : path + [.key("resource")],
                       "\"resource\" must be {\"type\": \"File\", \"id\": \"{input.file_path|path}\"}: an entity type and an id template")
        }
        let type = try template(typeText, groups, path + [.key("resource"), .key("type")])
        let id = try template(idText, groups, path + [.key("resource"), .key("id")])
        var args: [(String, GateCatalog.ArgTemplate)] = []
        if let value = object["args"] {
            guard case .object(let members) = value else { throw fail(path + [.key("args")], "\"args\" must be an object") }
            for (key, member) in members { args.append((key, try argTemplate(member, groups, path + [.key("args"), .key(key)]))) }
        }
        var inputArgs = false
        if let value = object["input_args"] {
            guard let flag = value.boolValue else { throw fail(path + [.key("input_args")], "\"input_args\" must be true or false") }
            inputArgs = flag
        }
        return GateCatalog.ToolRule(
            tool: tool, input: patterns, action: action, resourceType: type, resourceID: id, args: args, inputArgs: inputArgs,
            path: renderJSONPath(path))
    }

    func template(_ text: String, _ groups: Set<String>, _ path: [JSONPathComponent]) throws(GateError) -> Template {
        switch Template.parse(text, groups: groups) {
        case .success(let template): return template
        case .failure(let error): throw fail(path, error.message)
        }
    }

    func argTemplate(_ value: JSONValue, _ groups: Set<String>, _ path: [JSONPathComponent]) throws(GateError) -> GateCatalog.ArgTemplate {
        switch value {
        case .string(let text): return .text(try template(text, groups, path))
        case .object(let members):
            var out: [(String, GateCatalog.ArgTemplate)] = []
            for (key, member) in members { out.append((key, try argTemplate(member, groups, path + [.key(key)]))) }
            return .object(out)
        case .array(let elements):
            var out: [GateCatalog.ArgTemplate] = []
            for (index, element) in elements.enumerated() { out.append(try argTemplate(element, groups, path + [.index(index)])) }
            return .array(out)
        case .null: throw fail(path, "null has no Cedar equivalent; remove the argument")
        default: return .literal(value)
        }
    }

    func attributeRule(_ value: JSONValue, _ path: [JSONPathComponent]) throws(GateError) -> GateCatalog.AttributeRule {
        guard case .object(let object) = value else { throw fail(path, "an attribute rule must be an object with \"type\"") }
        let allowed: Set<String> = ["type", "id", "host", "labels", "sensitivity", "environment", "external", "description"]
        for key in object.keys where !allowed.contains(key) {
            throw fail(path + [.key(key)], "unknown key \"\(key)\" in an attribute rule; allowed keys are \(allowed.sorted().joined(separator: ", "))")
        }
        guard let type = object["type"]?.stringValue, !type.isEmpty else {
            throw fail(path, "an attribute rule needs \"type\": the entity type it describes (\"File\", \"Url\")")
        }
        func string(_ key: String) throws(GateError) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value.stringValue else { throw fail(path + [.key(key)], "\"\(key)\" must be a string") }
            return text
        }
        var labels: [String] = []
        if let value = object["labels"] {
            guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                throw fail(path + [.key("labels")], "\"labels\" must be an array of strings")
            }
            labels = array.compactMap(\.stringValue)
        }
        var sensitivity: Int64?
        if let value = object["sensitivity"] {
            guard let number = value.int64Value, (0...4).contains(number) else {
                throw fail(path + [.key("sensitivity")], "\"sensitivity\" must be an integer from 0 (public) to 4 (secret)")
            }
            sensitivity = number
        }
        var external: Bool?
        if let value = object["external"] {
            guard let flag = value.boolValue else { throw fail(path + [.key("external")], "\"external\" must be true or false") }
            external = flag
        }
        return GateCatalog.AttributeRule(
            type: type, id: try string("id").map(Glob.init), host: try string("host").map(Glob.init), labels: labels,
            sensitivity: sensitivity, environment: try string("environment"), external: external)
    }

    func inputEdits(_ value: JSONValue, _ path: [JSONPathComponent]) throws(GateError) -> [InputEdit] {
        guard case .array(let elements) = value else {
            throw fail(path, "\"input\" must be an array of edits: {\"field\", and one of \"set\", \"remove\", \"replace\"+\"with\", \"pattern\"+\"with\"}")
        }
        var edits: [InputEdit] = []
        for (index, element) in elements.enumerated() {
            let at = path + [.index(index)]
            guard case .object(let object) = element, let field = object["field"]?.stringValue, !field.isEmpty else {
                throw fail(at, "an input edit needs \"field\": the tool input field it changes")
            }
            let operations = ["set", "remove", "replace", "pattern"].filter { object[$0] != nil }
            guard operations.count == 1 else {
                throw fail(at, "an input edit does one of \"set\", \"remove\", \"replace\" or \"pattern\"; found \(operations.isEmpty ? "none" : operations.joined(separator: ", "))")
            }
            for key in object.keys where !["field", "set", "remove", "replace", "pattern", "with", "description"].contains(key) {
                throw fail(at + [.key(key)], "unknown key \"\(key)\" in an input edit")
            }
            switch operations[0] {
            case "set":
                edits.append(.set(field: field, value: object["set"]!))
            case "remove":
                guard object["remove"]?.boolValue == true else { throw fail(at + [.key("remove")], "write \"remove\": true") }
                edits.append(.remove(field: field))
            default:
                let operation = operations[0]
                guard let text = object[operation]?.stringValue, !text.isEmpty else {
                    throw fail(at + [.key(operation)], "\"\(operation)\" must be a non-empty string")
                }
                guard let with = object["with"]?.stringValue else { throw fail(at, "\"\(operation)\" needs \"with\": the replacement text") }
                if operation == "replace" {
                    edits.append(.replace(field: field, text: text, with: with))
                } else {
                    guard let pattern = makePattern(text, at + [.key("pattern")]) else { throw fail(at + [.key("pattern")], "\"\(text)\" is not a valid regular expression") }
                    edits.append(.pattern(field: field, regex: pattern, with: with))
                }
            }
        }
        return edits
    }
}

// MARK: - Binary form (the compiled-policy cache)

extension GateCatalog {
    /// Writes the mapping in binary form, hosts and actions by name.
    func write(to w: inout BinaryWriter) {
        w.string(file)
        w.count(hosts.count)
        for name in hosts.keys.sorted() {
            let host = hosts[name]!
            // The host's name, then the rest behind its length: a call reads its own host's rules.
            var mapping = BinaryWriter()
            host.principal.write(to: &mapping)
            mapping.count(host.rules.count)
            for rule in host.rules { rule.write(to: &mapping) }
            mapping.bool(host.fallback != nil)
            host.fallback?.write(to: &mapping)
            w.string(name)
            w.count(mapping.bytes.count)
            w.raw(mapping.bytes)
        }
        w.count(resourceRules.count)
        for rule in resourceRules {
            w.string(rule.type)
            w.optionalString(rule.id?.pattern)
            w.optionalString(rule.host?.pattern)
            w.count(rule.labels.count)
            for label in rule.labels { w.string(label) }
            w.bool(rule.sensitivity != nil)
            if let sensitivity = rule.sensitivity { w.int(sensitivity) }
            w.optionalString(rule.environment)
            w.byte(rule.external.map { $0 ? 2 : 1 } ?? 0)
        }
        w.count(inputEdits.count)
        for action in inputEdits.keys.sorted() {
            let variants = inputEdits[action]!
            w.string(action)
            w.count(variants.count)
            for variant in variants.keys.sorted() {
                w.string(variant)
                let edits = variants[variant]!
                w.count(edits.count)
                for edit in edits { edit.write(to: &w) }
            }
        }
    }

    /// Reads a mapping `write(to:)` wrote. Its regular expressions compiled when it was written;
    /// here each is compiled when a call first meets it. With `host`, only that host's mapping
    /// is read (the others' are passed over), for a call of that host.
    static func read(_ r: inout BinaryReader, host only: String? = nil) throws(BinaryFormatError) -> GateCatalog {
        let file = try r.string()
        var hosts: [String: HostMapping] = [:]
        for _ in 0..<(try r.count()) {
            let name = try r.string()
            let length = try r.count()
            guard length <= r.remaining else { throw r.fail("host mapping longer than the catalog") }
            guard only == nil || name == only else {
                _ = try r.raw(length)
                continue
            }
            let end = r.offset + length
            let principal = try EntityRef.read(&r)
            var rules: [ToolRule] = []
            for _ in 0..<(try r.count()) { rules.append(try ToolRule.read(&r)) }
            let fallback = try r.bool() ? try ToolRule.read(&r) : nil
            guard r.offset == end else { throw r.fail("host mapping of another length than its own") }
            hosts[name] = HostMapping(principal: principal, rules: rules, fallback: fallback)
        }
        var resourceRules: [AttributeRule] = []
        for _ in 0..<(try r.count()) {
            let type = try r.string()
            let id = try r.optionalString().map(Glob.init), host = try r.optionalString().map(Glob.init)
            var labels: [String] = []
            for _ in 0..<(try r.count()) { labels.append(try r.string()) }
            let sensitivity = try r.bool() ? try r.int() : nil
            let environment = try r.optionalString()
            let external: Bool?
            switch try r.byte() {
            case 0: external = nil
            case 1: external = false
            case 2: external = true
            default: throw r.fail("unknown flag")
            }
            resourceRules.append(AttributeRule(
                type: type, id: id, host: host, labels: labels, sensitivity: sensitivity, environment: environment, external: external))
        }
        var inputEdits: [String: [String: [InputEdit]]] = [:]
        for _ in 0..<(try r.count()) {
            let action = try r.string()
            var variants: [String: [InputEdit]] = [:]
            for _ in 0..<(try r.count()) {
                let variant = try r.string()
                var edits: [InputEdit] = []
                for _ in 0..<(try r.count()) { edits.append(try InputEdit.read(&r)) }
                variants[variant] = edits
            }
            inputEdits[action] = variants
        }
        return GateCatalog(hosts: hosts, resourceRules: resourceRules, inputEdits: inputEdits, file: file)
    }
}

extension GateCatalog.ToolRule {
    func write(to w: inout BinaryWriter) {
        w.string(tool.pattern)
        w.count(input.count)
        for (field, pattern) in input {
            w.string(field)
            pattern.write(to: &w)
        }
        w.string(action)
        resourceType.write(to: &w)
        resourceID.write(to: &w)
        w.count(args.count)
        for (key, template) in args {
            w.string(key)
            template.write(to: &w)
        }
        w.bool(inputArgs)
        w.string(path)
    }

    static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> GateCatalog.ToolRule {
        let tool = Glob(try r.string())
        var input: [(field: String, pattern: Pattern)] = []
        for _ in 0..<(try r.count()) {
            let field = try r.string()
            input.append((field, try Pattern.read(&r)))
        }
        let action = try r.string()
        let type = try Template.read(&r), id = try Template.read(&r)
        var args: [(String, GateCatalog.ArgTemplate)] = []
        for _ in 0..<(try r.count()) {
            let key = try r.string()
            args.append((key, try GateCatalog.ArgTemplate.read(&r, depth: 0)))
        }
        let inputArgs = try r.bool()
        return GateCatalog.ToolRule(
            tool: tool, input: input, action: action, resourceType: type, resourceID: id, args: args, inputArgs: inputArgs,
            path: try r.string())
    }
}

extension GateCatalog.ArgTemplate {
    func write(to w: inout BinaryWriter) {
        switch self {
        case .literal(let value): w.byte(0); value.write(to: &w)
        case .text(let template): w.byte(1); template.write(to: &w)
        case .object(let members):
            w.byte(2)
            w.count(members.count)
            for (key, member) in members {
                w.string(key)
                member.write(to: &w)
            }
        case .array(let elements):
            w.byte(3)
            w.count(elements.count)
            for element in elements { element.write(to: &w) }
        }
    }

    static func read(_ r: inout BinaryReader, depth: Int) throws(BinaryFormatError) -> GateCatalog.ArgTemplate {
        guard depth <= JSONParser.defaultMaxDepth else { throw r.fail("nested too deeply") }
        switch try r.byte() {
        case 0: return .literal(try JSONValue.read(from: &r))
        case 1: return .text(try Template.read(&r))
        case 2:
            var members: [(String, GateCatalog.ArgTemplate)] = []
            for _ in 0..<(try r.count()) {
                let key = try r.string()
                members.append((key, try read(&r, depth: depth + 1)))
            }
            return .object(members)
        case 3:
            var elements: [GateCatalog.ArgTemplate] = []
            for _ in 0..<(try r.count()) { elements.append(try read(&r, depth: depth + 1)) }
            return .array(elements)
        default: throw r.fail("unknown argument template")
        }
    }
}

extension Template {
    func write(to w: inout BinaryWriter) {
        w.count(parts.count)
        for part in parts {
            switch part {
            case .text(let text): w.byte(0); w.string(text)
            case .value(let name, let filter): w.byte(1); w.string(name); w.optionalString(filter)
            }
        }
    }

    static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> Template {
        var parts: [Part] = []
        for _ in 0..<(try r.count()) {
            switch try r.byte() {
            case 0: parts.append(.text(try r.string()))
            case 1:
                let name = try r.string()
                parts.append(.value(name: name, filter: try r.optionalString()))
            default: throw r.fail("unknown template part")
            }
        }
        return Template(parts: parts)
    }
}

extension Pattern {
    func write(to w: inout BinaryWriter) {
        w.string(source)
        w.bool(location != nil)
        location?.write(to: &w)
    }

    static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> Pattern {
        let source = try r.string()
        return Pattern(checked: source, location: try r.bool() ? try FileLocation.read(&r) : nil)
    }
}

extension InputEdit {
    func write(to w: inout BinaryWriter) {
        switch self {
        case .set(let field, let value): w.byte(0); w.string(field); value.write(to: &w)
        case .remove(let field): w.byte(1); w.string(field)
        case .replace(let field, let text, let with): w.byte(2); w.string(field); w.string(text); w.string(with)
        case .pattern(let field, let regex, let with): w.byte(3); w.string(field); regex.write(to: &w); w.string(with)
        }
    }

    static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> InputEdit {
        let kind = try r.byte()
        let field = try r.string()
        switch kind {
        case 0: return .set(field: field, value: try JSONValue.read(from: &r))
        case 1: return .remove(field: field)
        case 2:
            let text = try r.string()
            return .replace(field: field, text: text, with: try r.string())
        case 3:
            let regex = try Pattern.read(&r)
            return .pattern(field: field, regex: regex, with: try r.string())
        default: throw r.fail("unknown input edit")
        }
    }
}

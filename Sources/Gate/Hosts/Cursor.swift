import JSONValue

/// Cursor's hook contract (its hooks documentation).
///
/// Every event carries `conversation_id` (the session), `generation_id`, `model`,
/// `hook_event_name`, `cursor_version`, `workspace_roots` and `user_email`. The gate decides
/// - `preToolUse`: `tool_name` (`Shell`, `Read`, `Write`, `MCP:TOOL`, …), `tool_input`,
///   `tool_use_id`, `cwd`; the only event whose answer can carry `updated_input`;
/// - `beforeShellExecution`: `command` and `cwd`, decided as the tool `Shell` with input
///   `{"command"}`;
/// - `beforeMCPExecution`: `tool_name`, `tool_input` (the parameters as a JSON text) and the
///   server's `url` or `command`, decided as the tool `MCP:TOOL`;
///
/// and records `postToolUse` (`tool_output`) and `postToolUseFailure` (`error_message`,
/// `failure_type`, `is_interrupt`), joined by `tool_use_id`. The two specific events carry no
/// call id (the gate derives one) and no input update.
///
/// Answers: `permission` (`allow`, `deny` or `ask`), `user_message` shown in the client,
/// `agent_message` sent to the agent, and on `preToolUse` `updated_input`, which replaces the
/// tool input. Cursor wants a JSON object on every path, so an allowed call is answered `{}`.
/// Exit status 2 blocks; any other failure lets the call run unless the hook is registered
/// with `failClosed: true`, which `gate install` writes.
public enum Cursor: HostAdapter {
    public static let name = "cursor"
    /// `preToolUse` fires for every tool, shell and MCP calls included, so registering it alone
    /// decides each call once and keeps the rewrite path.
    public static let events = ["preToolUse", "postToolUse", "postToolUseFailure"]
    /// The events `read` accepts: the registered ones and the two specific "before" events.
    static let accepted = events + ["beforeShellExecution", "beforeMCPExecution"]
    /// The project's hooks file.
    public static let settingsPath: String? = ".cursor/hooks.json"

    public static func read(_ bytes: [UInt8]) throws(GateError) -> HostEvent {
        let object = try EventObject(bytes, host: "Cursor")
        let name = try object.eventName("hook_event_name", among: accepted)
        let session = try object.string("conversation_id")
        func cwd() throws(GateError) -> String {
            if let cwd = try object.optionalString("cwd"), !cwd.isEmpty { return try object.absolute(cwd) }
            guard let root = object["workspace_roots"]?.arrayValue?.first?.stringValue else {
                throw .malformedEvent("\"cwd\" and \"workspace_roots\" are both missing")
            }
            return try object.absolute(root, "workspace_roots[0]")
        }
        switch name {
        case "beforeShellExecution":
            let call = ToolCall(session: session, toolUseID: "", tool: "Shell",
                                input: JSONObject([("command", .string(try object.string("command")))]), cwd: try cwd())
            return HostEvent(name: name, event: .preToolUse(call), inputUpdate: .none)
        case "beforeMCPExecution":
            let input: JSONObject
            switch object["tool_input"] {
            case .object(let parameters)?:
                input = parameters
            case .string(let text)?:
                guard case .object(let parameters)? = try? JSONParser.parse(text, file: "tool_input") else {
                    throw .malformedEvent("\"tool_input\" must be a JSON object or the text of one")
                }
                input = parameters
            default:
                throw .malformedEvent("\"tool_input\" must be a JSON object or the text of one")
            }
            let call = ToolCall(session: session, toolUseID: "", tool: "MCP:" + (try object.string("tool_name")), input: input, cwd: try cwd())
            return HostEvent(name: name, event: .preToolUse(call), inputUpdate: .none)
        default:
            let call = ToolCall(
                session: session, toolUseID: try object.string("tool_use_id"), tool: try object.string("tool_name"),
                input: try object.object("tool_input"), cwd: try cwd())
            switch name {
            case "preToolUse":
                return HostEvent(name: name, event: .preToolUse(call), inputUpdate: .replace)
            case "postToolUse":
                return HostEvent(name: name, event: .postToolUse(call, ToolResult(succeeded: true, error: nil, interrupted: false)), inputUpdate: .replace)
            default:
                let error = try object.optionalString("error_message")
                let kind = try object.optionalString("failure_type")
                let interrupted = try object.optionalBool("is_interrupt") ?? false
                let text = [kind, error].compactMap { $0 }.joined(separator: ": ")
                return HostEvent(name: name, event: .postToolUse(call, ToolResult(succeeded: false, error: text.isEmpty ? nil : text, interrupted: interrupted)),
                                 inputUpdate: .replace)
            }
        }
    }

    public static func answer(_ verdict: GateVerdict, to event: HostEvent, allow: AllowAnswer, mode: GateMode) -> JSONValue? {
        if mode == .logOnly { return .object(JSONObject()) }
        func permission(_ value: String, _ message: String) -> [(String, JSONValue)] {
            [("permission", .string(value)), ("user_message", .string(message)), ("agent_message", .string(message))]
        }
        switch verdict.outcome {
        case .deny, .blocked:
            return .object(JSONObject(permission("deny", verdict.message)))
        case .approve:
            return .object(JSONObject(permission("ask", verdict.message)))
        case .mutate:
            // The gate refuses a rewrite the event cannot carry; should one arrive, it is denied.
            guard let input = verdict.updatedInput, event.inputUpdate == .replace else { return .object(JSONObject(permission("deny", verdict.message))) }
            return .object(JSONObject(permission("allow", verdict.message) + [("updated_input", .object(input))]))
        case .warn:
            let members = [("user_message", JSONValue.string(verdict.message)), ("agent_message", .string(verdict.message))]
            return .object(JSONObject((allow == .allow ? [("permission", "allow")] : []) + members))
        case .approved:
            return .object(JSONObject(permission("allow", verdict.message)))
        case .allow:
            return .object(JSONObject(allow == .allow ? [("permission", "allow")] : []))
        }
    }

    public static func recorded(_ event: HostEvent, seq: Int) -> JSONValue? { .object(JSONObject()) }

    /// With `failClosed: true` Cursor blocks on every failure, so a log-only error answers `{}`.
    public static var logOnlyErrorAnswer: JSONValue? { .object(JSONObject()) }

    /// `hooks.json`: `{"version": 1, "hooks": {EVENT: [{"command", "failClosed"}]}}`.
    public static func install(command: String, into settings: JSONValue, file: String) throws(GateError) -> JSONValue {
        var (root, hooks) = try MatcherGroups.hooksObject(settings, file: file)
        if root["version"] == nil { root["version"] = .int(1) }
        for event in events {
            var entries = try MatcherGroups.array(hooks, event, file: file, what: "hook definitions")
            if entries.contains(where: { $0["command"]?.stringValue == command }) { continue }
            entries.append(.object(JSONObject([("command", .string(command)), ("failClosed", true)])))
            hooks[event] = .array(entries)
        }
        root["hooks"] = .object(hooks)
        return .object(root)
    }
}

import JSONValue

/// Gemini CLI's hook contract (its hooks reference).
///
/// Events: `BeforeTool` and `AfterTool`, each with `session_id`, `transcript_path`, `cwd`,
/// `hook_event_name`, `timestamp`, `tool_name` (`run_shell_command`, `read_file`,
/// `mcp__SERVER__TOOL`), `tool_input` and, for MCP tools, `mcp_context`; `AfterTool` adds
/// `tool_response` (`llmContent`, `returnDisplay`, and `error` when the tool failed). The events
/// carry no id of the call: the gate derives the step id from the tool and its input.
///
/// Answers: `decision` (`allow` or `deny`) with `reason`, which is sent to the agent; `systemMessage`
/// is shown to the user; `hookSpecificOutput.tool_input` is merged over the model's arguments.
/// There is no "ask": a held call is denied with a reason that says how to get it approved. A
/// merge cannot remove an argument, so a rewrite that drops one is refused and falls through to
/// the next remedy. Exit status 2 blocks the call with stderr as the reason; other failures are
/// warnings and let it run, so every error is exit 2.
public enum GeminiCLI: HostAdapter {
    public static let name = "gemini"
    public static let events = ["BeforeTool", "AfterTool"]
    /// The project's settings file.
    public static let settingsPath: String? = ".gemini/settings.json"

    public static func read(_ bytes: [UInt8]) throws(GateError) -> HostEvent {
        let object = try EventObject(bytes, host: "Gemini CLI")
        let name = try object.eventName("hook_event_name", among: events)
        let call = ToolCall(
            session: try object.string("session_id"), toolUseID: "", tool: try object.string("tool_name"),
            input: try object.object("tool_input"), cwd: try object.absolute(try object.string("cwd")))
        if name == "BeforeTool" { return HostEvent(name: name, event: .preToolUse(call), inputUpdate: .merge) }
        let response = try object.object("tool_response")
        var error: String?
        switch response["error"] {
        case nil, .null?: error = nil
        case .string(let text)?: error = text
        case .object(let detail)?: error = detail["message"]?.stringValue ?? CanonicalJSON.string(.object(detail))
        case let other?: error = CanonicalJSON.string(other)
        }
        return HostEvent(name: name, event: .postToolUse(call, ToolResult(succeeded: error == nil, error: error, interrupted: false)), inputUpdate: .merge)
    }

    public static func answer(_ verdict: GateVerdict, to event: HostEvent, allow: AllowAnswer, mode: GateMode) -> JSONValue? {
        if mode == .logOnly { return nil }
        switch verdict.outcome {
        case .deny, .blocked:
            return .object(JSONObject([("decision", "deny"), ("reason", .string(verdict.message))]))
        case .approve:
            return .object(JSONObject([("decision", "deny"), ("reason", .string(verdict.heldWithoutPrompt(session: event.call.session)))]))
        case .mutate:
            guard let input = verdict.updatedInput else { return .object(JSONObject([("decision", "deny"), ("reason", .string(verdict.message))])) }
            return .object(JSONObject([
                ("decision", "allow"), ("systemMessage", .string(verdict.message)),
                ("hookSpecificOutput", .object(JSONObject([("hookEventName", "BeforeTool"), ("tool_input", .object(input))]))),
            ]))
        case .warn:
            var members: [(String, JSONValue)] = allow == .allow ? [("decision", "allow")] : []
            members.append(("systemMessage", .string(verdict.message)))
            return .object(JSONObject(members))
        case .approved:
            return .object(JSONObject([("decision", "allow"), ("systemMessage", .string(verdict.message))]))
        case .allow:
            return allow == .allow ? .object(JSONObject([("decision", "allow")])) : nil
        }
    }

    /// Gemini's `hooks` has Claude Code's shape; a group without `matcher` runs for every tool
    /// (its matchers are regular expressions, so Claude Code's `*` is not one).
    public static func install(command: String, into settings: JSONValue, file: String) throws(GateError) -> JSONValue {
        try MatcherGroups.install(command: command, events: events, matcher: nil, into: settings, file: file)
    }
}

import JSONValue

/// OpenAI Codex CLI's hook contract (its hooks documentation and the hook schemas it ships).
///
/// Events: `PreToolUse` and `PostToolUse`, each with `session_id`, `turn_id`,
/// `transcript_path`, `cwd`, `hook_event_name`, `model`, `permission_mode`, `tool_name`
/// (`Bash`, `apply_patch`, `mcp__SERVER__TOOL`), `tool_input` and `tool_use_id`;
/// `PostToolUse` adds `tool_response`. Codex has no event for a failed call.
///
/// Answers: `hookSpecificOutput` with `hookEventName`, `permissionDecision`,
/// `permissionDecisionReason`, `updatedInput` and `additionalContext`. Codex accepts `deny` only
/// with a non-empty reason and `allow` only together with `updatedInput`; it takes `ask`, a
/// plain `allow` and a reason without a decision as an invalid answer and lets the call run.
/// So a held call is denied with a reason that says how to get it approved, and an allowed call
/// is answered with nothing. Exit status 2 with a reason on stderr blocks the call; any other
/// failure lets it run, so every error is exit 2.
public enum Codex: HostAdapter {
    public static let name = "codex"
    public static let events = ["PreToolUse", "PostToolUse"]
    /// The project layer's hooks file (loaded once the project is trusted).
    public static let settingsPath: String? = ".codex/hooks.json"

    public static func read(_ bytes: [UInt8]) throws(GateError) -> HostEvent {
        let object = try EventObject(bytes, host: "Codex")
        let name = try object.eventName("hook_event_name", among: events)
        let call = ToolCall(
            session: try object.string("session_id"), toolUseID: try object.string("tool_use_id"), tool: try object.string("tool_name"),
            input: try object.object("tool_input"), cwd: try object.absolute(try object.string("cwd")))
        if name == "PreToolUse" { return HostEvent(name: name, event: .preToolUse(call), inputUpdate: .replace) }
        // Codex reports a call once it returned, whatever its exit status.
        return HostEvent(name: name, event: .postToolUse(call, ToolResult(succeeded: true, error: nil, interrupted: false)), inputUpdate: .replace)
    }

    public static func answer(_ verdict: GateVerdict, to event: HostEvent, allow: AllowAnswer, mode: GateMode) -> JSONValue? {
        if mode == .logOnly { return nil }
        var output: [(String, JSONValue)] = [("hookEventName", "PreToolUse")]
        switch verdict.outcome {
        case .deny, .blocked:
            output += PreToolUseOutput.permission("deny", verdict.message)
        case .approve:
            output += PreToolUseOutput.permission("deny", verdict.heldWithoutPrompt(session: event.call.session))
        case .mutate:
            guard let input = verdict.updatedInput else {
                output += PreToolUseOutput.permission("deny", verdict.message)
                break
            }
            output.append(("permissionDecision", "allow"))
            output.append(("updatedInput", .object(input)))
            output.append(("additionalContext", .string(verdict.message)))
        case .warn, .approved:
            // Codex has no plain allow: the call runs, and the message says why.
            output.append(("additionalContext", .string(verdict.message)))
        case .allow:
            return nil
        }
        return .object(JSONObject([("hookSpecificOutput", .object(JSONObject(output)))]))
    }

    /// Codex's `hooks.json` has Claude Code's shape; `*` matches every tool.
    public static func install(command: String, into settings: JSONValue, file: String) throws(GateError) -> JSONValue {
        try MatcherGroups.install(command: command, events: events, matcher: "*", into: settings, file: file)
    }
}

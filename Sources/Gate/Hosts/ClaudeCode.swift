import JSONValue

/// Claude Code's hook contract (its hooks reference): the events `gate` handles, read from the
/// JSON on stdin, and the answers, written as JSON on stdout with exit status 0. A blocking
/// error is exit status 2 with the reason on stderr, which Claude Code feeds to the model; the
/// CLI gives that answer for every `GateError`.
public enum ClaudeCode: HostAdapter {
    /// The host name on the command line and in `tools.json`.
    public static let name = "claude-code"

    /// The events `gate install` registers the gate for.
    public static let events = ["PreToolUse", "PostToolUse", "PostToolUseFailure"]

    /// The project's shared settings file.
    public static let settingsPath: String? = ".claude/settings.json"

    /// Reads one hook event.
    ///
    /// Every event carries `session_id`, `transcript_path`, `cwd` and `hook_event_name`; the
    /// tool events add `tool_name`, `tool_input` and `tool_use_id`, `PostToolUse` the tool's
    /// `tool_response`, `PostToolUseFailure` its `error` and `is_interrupt`.
    public static func event(_ bytes: [UInt8]) throws(GateError) -> HookEvent {
        try read(bytes).event
    }

    public static func read(_ bytes: [UInt8]) throws(GateError) -> HostEvent {
        let object = try EventObject(bytes, host: "Claude Code")
        let name = try object.eventName("hook_event_name", among: events)
        let cwd = try object.absolute(try object.string("cwd"))
        let input = try object.object("tool_input")
        let call = ToolCall(
            session: try object.string("session_id"), toolUseID: try object.string("tool_use_id"), tool: try object.string("tool_name"),
            input: input, cwd: cwd)
        let event: HookEvent
        switch name {
        case "PreToolUse":
            event = .preToolUse(call)
        case "PostToolUse":
            event = .postToolUse(call, ToolResult(succeeded: true, error: nil, interrupted: false))
        default:
            let error = try object.optionalString("error")
            let interrupted = try object.optionalBool("is_interrupt") ?? false
            event = .postToolUse(call, ToolResult(succeeded: false, error: error, interrupted: interrupted))
        }
        return HostEvent(name: name, event: event, inputUpdate: .replace)
    }

    /// The answer to a `PreToolUse` event, as the JSON to print; nil prints nothing, which
    /// leaves the call to Claude Code's own permission rules.
    ///
    /// - deny: `permissionDecision: "deny"`, the reason (shown to the model) naming the policies;
    /// - mutate: `"allow"` with the whole rewritten input as `updatedInput` (which replaces the
    ///   input) and the reason, shown to the user;
    /// - approve: `"ask"`, the reason and the approving groups shown in the prompt;
    /// - warn: the call goes on as an allow would, with the log-only policies in
    ///   `additionalContext`;
    /// - allow: nothing (`AllowAnswer.none`), or `"allow"`, which skips the prompt;
    /// - approved (signed approvals released a held call): `"allow"`, whatever `allow` says.
    ///
    /// In log-only mode nothing is printed: the call goes on as if no gate were there.
    public static func answer(_ verdict: GateVerdict, allow: AllowAnswer, mode: GateMode) -> JSONValue? {
        if mode == .logOnly { return nil }
        var output: [(String, JSONValue)] = [("hookEventName", "PreToolUse")]
        switch verdict.outcome {
        case .deny, .blocked:
            output += PreToolUseOutput.permission("deny", verdict.message)
        case .mutate:
            // Without the rewritten input an allow would run the call as it was asked.
            guard let input = verdict.updatedInput else {
                output += PreToolUseOutput.permission("deny", verdict.message)
                break
            }
            output += PreToolUseOutput.permission("allow", verdict.message)
            output.append(("updatedInput", .object(input)))
        case .approve:
            output += PreToolUseOutput.permission("ask", verdict.message)
        case .approved:
            // Signed approvals released it: the person's decision is made, so the prompt is skipped.
            output += PreToolUseOutput.permission("allow", verdict.message)
        case .warn, .allow:
            if allow == .allow {
                output += PreToolUseOutput.permission("allow", verdict.message)
            }
            if verdict.outcome == .warn {
                output.append(("additionalContext", .string(verdict.message)))
            }
            if output.count == 1 { return nil }
        }
        return .object(JSONObject([("hookSpecificOutput", .object(JSONObject(output)))]))
    }

    public static func answer(_ verdict: GateVerdict, to event: HostEvent, allow: AllowAnswer, mode: GateMode) -> JSONValue? {
        answer(verdict, allow: allow, mode: mode)
    }

    /// `settings` with a command hook for `command` under every event of `events` (matcher
    /// `*`), unless one with that command is already there. Every other key, hook and matcher
    /// group is kept in place.
    public static func install(command: String, into settings: JSONValue, file: String) throws(GateError) -> JSONValue {
        try MatcherGroups.install(command: command, events: events, matcher: "*", into: settings, file: file)
    }
}

import JSONValue

/// stepguard's own hook contract, for a runtime no other adapter speaks for (an MCP gateway
/// plugin, an in-house agent loop).
///
/// Events, one JSON object on stdin:
/// - `{"event": "pre_tool_call", "session_id", "call_id", "tool", "input", "cwd"}` is decided;
/// - `{"event": "post_tool_call", "session_id", "call_id", "tool", "input", "cwd", "succeeded",
///   "error", "interrupted"}` is recorded.
///
/// `call_id` is optional: without it the gate derives the step id from the tool and its input.
///
/// Answers, `stepguard.gate/v1` on stdout with exit status 0: `outcome` (allow, warn, mutate,
/// approve, approved, deny), `run` (whether the caller may run the call now), `input` (the input to run
/// it with: the rewritten one for mutate), `policies`, `reason`, `message`, `groups` (who must
/// approve), `variant`, `session_id`, `call_id`, `seq` and `enforced` (false under
/// `--mode log-only`, where `run` is always true). A recorded event answers `{"schema",
/// "recorded": true, "seq"}`. Every error is exit status 2 with the reason on stderr: the
/// caller must not run the call.
public enum GenericHost: HostAdapter {
    public static let name = "generic"
    public static let events = ["pre_tool_call", "post_tool_call"]
    public static let settingsPath: String? = nil
    /// The `schema` member of every answer.
    public static let schema = "stepguard.gate/v1"

    public static func read(_ bytes: [UInt8]) throws(GateError) -> HostEvent {
        let object = try EventObject(bytes, host: "the runtime")
        let name = try object.eventName("event", among: events)
        let call = ToolCall(
            session: try object.string("session_id"), toolUseID: try object.optionalString("call_id") ?? "", tool: try object.string("tool"),
            input: try object.object("input"), cwd: try object.absolute(try object.string("cwd")))
        if name == "pre_tool_call" { return HostEvent(name: name, event: .preToolUse(call), inputUpdate: .replace) }
        guard let succeeded = try object.optionalBool("succeeded") else { throw .malformedEvent("\"succeeded\" is missing") }
        let result = ToolResult(
            succeeded: succeeded, error: try object.optionalString("error"), interrupted: try object.optionalBool("interrupted") ?? false)
        return HostEvent(name: name, event: .postToolUse(call, result), inputUpdate: .replace)
    }

    public static func answer(_ verdict: GateVerdict, to event: HostEvent, allow: AllowAnswer, mode: GateMode) -> JSONValue? {
        let enforced = mode == .enforce
        let runs = !enforced || [.allow, .warn, .approved].contains(verdict.outcome) || (verdict.outcome == .mutate && verdict.updatedInput != nil)
        let input = enforced && verdict.outcome == .mutate ? verdict.updatedInput : event.call.input
        var members: [(String, JSONValue)] = [
            ("schema", .string(schema)), ("session_id", .string(event.call.session)), ("call_id", .string(verdict.step)),
            ("outcome", .string(verdict.outcome.rawValue)), ("run", .bool(runs)),
        ]
        if runs, let input { members.append(("input", .object(input))) }
        members += [
            ("policies", .array(verdict.policies.map(JSONValue.string))), ("reason", .string(verdict.reason)),
            ("message", .string(verdict.message)), ("groups", .array(verdict.groups.map(JSONValue.string))),
            ("variant", verdict.variant.map(JSONValue.string) ?? .null), ("seq", .int(Int64(verdict.seq))), ("enforced", .bool(enforced)),
        ]
        return .object(JSONObject(members))
    }

    public static func recorded(_ event: HostEvent, seq: Int) -> JSONValue? {
        .object(JSONObject([("schema", .string(schema)), ("recorded", true), ("seq", .int(Int64(seq)))]))
    }

    /// A generic runtime has no configuration file of its own: it runs the command itself.
    public static func install(command: String, into settings: JSONValue, file: String) throws(GateError) -> JSONValue {
        throw .notConfigured("host \"generic\" has no configuration file to install into; have the runtime run '\(command)' with each event on stdin")
    }
}

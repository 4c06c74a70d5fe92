import JSONValue

/// Claude Code's hook contract (its hooks reference): the events `gate` handles, read from the
/// JSON on stdin, and the answers, written as JSON on stdout with exit status 0. A blocking
/// error is exit status 2 with the reason on stderr, which Claude Code feeds to the model; the
/// CLI gives that answer for every `GateError`.
public enum ClaudeCode {
    /// The host name on the command line and in `tools.json`.
    public static let name = "claude-code"

    /// The events `gate install` registers the gate for.
    public static let events = ["PreToolUse", "PostToolUse", "PostToolUseFailure"]

    /// Reads one hook event.
    ///
    /// Every event carries `session_id`, `transcript_path`, `cwd` and `hook_event_name`; the
    /// tool events add `tool_name`, `tool_input` and `tool_use_id`, `PostToolUse` the tool's
    /// `tool_response`, `PostToolUseFailure` its `error` and `is_interrupt`.
    public static func event(_ bytes: [UInt8]) throws(GateError) -> HookEvent {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, file: "<stdin>")
        } catch {
            throw .malformedEvent("stdin is not JSON: \(error.message) at \(error.location)")
        }
        guard case .object(let object) = value else {
            throw .malformedEvent("expected a JSON object from Claude Code, found \(value.typeName)")
        }
        func string(_ key: String) throws(GateError) -> String {
            guard let member = object[key] else { throw .malformedEvent("\"\(key)\" is missing") }
            guard let text = member.stringValue, !text.isEmpty else { throw .malformedEvent("\"\(key)\" must be a non-empty string") }
            return text
        }
        let name = try string("hook_event_name")
        guard events.contains(name) else {
            throw .malformedEvent("\"\(name)\" is not an event the gate decides or records; register it for \(events.joined(separator: ", "))")
        }
        let cwd = try string("cwd")
        guard cwd.hasPrefix("/") else { throw .malformedEvent("\"cwd\" must be an absolute path, found \"\(cwd)\"") }
        guard case .object(let input)? = object["tool_input"] else {
            throw .malformedEvent(object["tool_input"] == nil ? "\"tool_input\" is missing" : "\"tool_input\" must be an object")
        }
        let call = ToolCall(
            session: try string("session_id"), toolUseID: try string("tool_use_id"), tool: try string("tool_name"),
            input: input, cwd: cwd)
        switch name {
        case "PreToolUse":
            return .preToolUse(call)
        case "PostToolUse":
            return .postToolUse(call, ToolResult(succeeded: true, error: nil, interrupted: false))
        default:
            var error: String?
            if let member = object["error"] {
                guard let text = member.stringValue else { throw .malformedEvent("\"error\" must be a string") }
                error = text
            }
            if let member = object["is_interrupt"], member.boolValue == nil {
                throw .malformedEvent("\"is_interrupt\" must be true or false")
            }
            return .postToolUse(call, ToolResult(succeeded: false, error: error, interrupted: object["is_interrupt"]?.boolValue ?? false))
        }
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
    /// - allow: nothing (`AllowAnswer.none`), or `"allow"`, which skips the prompt.
    ///
    /// In log-only mode nothing is printed: the call goes on as if no gate were there.
    public static func answer(_ verdict: GateVerdict, allow: AllowAnswer, mode: GateMode) -> JSONValue? {
        if mode == .logOnly { return nil }
        var output: [(String, JSONValue)] = [("hookEventName", "PreToolUse")]
        switch verdict.outcome {
        case .deny, .blocked:
            output.append(("permissionDecision", "deny"))
            output.append(("permissionDecisionReason", .string(verdict.message)))
        case .mutate:
            output.append(("permissionDecision", "allow"))
            output.append(("permissionDecisionReason", .string(verdict.message)))
            if let input = verdict.updatedInput { output.append(("updatedInput", .object(input))) }
        case .approve:
            output.append(("permissionDecision", "ask"))
            output.append(("permissionDecisionReason", .string(verdict.message)))
        case .warn, .allow, .approved:
            if allow == .allow {
                output.append(("permissionDecision", "allow"))
                output.append(("permissionDecisionReason", .string(verdict.message)))
            }
            if verdict.outcome == .warn {
                output.append(("additionalContext", .string(verdict.message)))
            }
            if output.count == 1 { return nil }
        }
        return .object(JSONObject([("hookSpecificOutput", .object(JSONObject(output)))]))
    }

    /// The hook command `gate install` writes.
    public static func hookCommand(executable: String) -> String {
        "\(executable) gate --host \(name)"
    }

    /// `settings` with a command hook for `command` under every event of `events` (matcher
    /// `*`), unless one with that command is already there. Every other key, hook and matcher
    /// group is kept in place.
    public static func install(command: String, into settings: JSONValue, file: String) throws(GateError) -> JSONValue {
        guard case .object(var root) = settings else {
            throw .malformedSettings(file: file, message: "the settings must be a JSON object, found \(settings.typeName)")
        }
        var hooks = JSONObject()
        if let value = root["hooks"] {
            guard case .object(let object) = value else {
                throw .malformedSettings(file: file, message: "\"hooks\" must be an object keyed by event name, found \(value.typeName)")
            }
            hooks = object
        }
        for event in events {
            var groups: [JSONValue] = []
            if let value = hooks[event] {
                guard case .array(let array) = value else {
                    throw .malformedSettings(file: file, message: "\"hooks.\(event)\" must be an array of matcher groups, found \(value.typeName)")
                }
                groups = array
            }
            let present = groups.contains { group in
                group["hooks"]?.arrayValue?.contains { $0["command"]?.stringValue == command } ?? false
            }
            if present { continue }
            groups.append(.object(JSONObject([
                ("matcher", "*"),
                ("hooks", .array([.object(JSONObject([("type", "command"), ("command", .string(command))]))])),
            ])))
            hooks[event] = .array(groups)
        }
        root["hooks"] = .object(hooks)
        return .object(root)
    }
}

/// A hook event the gate handles, whatever the host.
public enum HookEvent: Sendable, Equatable {
    /// A tool call about to run: decide it.
    case preToolUse(ToolCall)
    /// A tool call that ran (or failed): record it.
    case postToolUse(ToolCall, ToolResult)
}

/// How a tool call that ran ended.
public struct ToolResult: Sendable, Equatable {
    /// Whether the tool reported success.
    public var succeeded: Bool
    /// The host's description of the failure.
    public var error: String?
    /// Whether the user interrupted it.
    public var interrupted: Bool

    /// Creates a result.
    public init(succeeded: Bool, error: String?, interrupted: Bool) {
        self.succeeded = succeeded
        self.error = error
        self.interrupted = interrupted
    }
}

/// What the gate answers when policies allow a call.
public enum AllowAnswer: String, Sendable, CaseIterable {
    /// No decision: the host's own permission rules still apply (it may still prompt).
    case none
    /// The host's explicit allow, which skips its prompt (its deny and ask rules still apply).
    case allow
}

/// Whether the gate enforces its decisions.
public enum GateMode: String, Sendable, CaseIterable {
    /// Answers block, rewrite and hold calls.
    case enforce
    /// Decisions are recorded; the host is answered as if no gate were there.
    case logOnly = "log-only"
}

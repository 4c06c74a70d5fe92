import Crypto
import JSONValue

/// One agent host's hook contract: how its events read, how the gate's verdict is written in
/// its answer, and where its hook configuration lives. Adapters are pure JSON in and out; the
/// CLI reads stdin, runs the gate and prints what the adapter says. An error is the same for
/// every host: exit status 2 with the reason on stderr, which each host takes as a block.
public protocol HostAdapter: Sendable {
    /// The name on the command line and in `tools.json` (`codex`).
    static var name: String { get }
    /// The events `gate install` registers the gate for.
    static var events: [String] { get }
    /// The project's hook configuration file, relative to the project root; nil for a host
    /// without one.
    static var settingsPath: String? { get }

    /// Reads one hook event.
    static func read(_ bytes: [UInt8]) throws(GateError) -> HostEvent

    /// The answer to a call the gate decided, as the JSON to print on stdout with exit status
    /// 0; nil prints nothing.
    static func answer(_ verdict: GateVerdict, to event: HostEvent, allow: AllowAnswer, mode: GateMode) -> JSONValue?

    /// The answer to an event the gate recorded (a finished call); nil prints nothing.
    static func recorded(_ event: HostEvent, seq: Int) -> JSONValue?

    /// What a `--mode log-only` error prints with exit status 0 for a host that treats every
    /// other failure as a block (nil: exit status 1, the host's non-blocking error).
    static var logOnlyErrorAnswer: JSONValue? { get }

    /// `settings` with the gate's hook command registered for `events`, every other entry kept.
    static func install(command: String, into settings: JSONValue, file: String) throws(GateError) -> JSONValue
}

extension HostAdapter {
    public static func recorded(_ event: HostEvent, seq: Int) -> JSONValue? { nil }
    public static var logOnlyErrorAnswer: JSONValue? { nil }

    /// The hook command `gate install` writes.
    public static func hookCommand(executable: String) -> String {
        "\(executable) gate --host \(name)"
    }
}

/// The hosts the gate speaks for, by name.
public enum GateHosts {
    /// Every adapter, in the order help lists them.
    public static let all: [any HostAdapter.Type] = [ClaudeCode.self, Codex.self, GeminiCLI.self, Cursor.self, GenericHost.self]

    /// The adapter called `name`.
    public static func named(_ name: String) -> (any HostAdapter.Type)? {
        all.first { $0.name == name }
    }
}

/// How a host takes a rewritten tool input on an event.
public enum InputUpdate: String, Sendable, Equatable {
    /// The answer's input replaces the call's.
    case replace
    /// The answer's members are merged over the call's input: a rewrite can set a member but
    /// not remove one.
    case merge
    /// The event has no input update: a rewrite cannot be carried out.
    case none
}

/// One event as a host sent it: the gate's view of it, the host's name for it and how the host
/// takes a rewritten input on it.
public struct HostEvent: Sendable, Equatable {
    /// The host's event name (`BeforeTool`, `preToolUse`).
    public var name: String
    /// What the gate does with it.
    public var event: HookEvent
    /// How a rewrite reaches the tool.
    public var inputUpdate: InputUpdate

    /// Creates an event.
    public init(name: String, event: HookEvent, inputUpdate: InputUpdate) {
        self.name = name
        self.event = event
        self.inputUpdate = inputUpdate
    }

    /// The tool call it is about.
    public var call: ToolCall {
        switch event {
        case .preToolUse(let call), .postToolUse(let call, _): return call
        }
    }
}

/// The members of one event object, read with the messages every adapter gives.
struct EventObject {
    let object: JSONObject
    let host: String

    /// Parses `bytes` as the JSON object a host sends.
    init(_ bytes: [UInt8], host: String) throws(GateError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, file: "<stdin>")
        } catch {
            throw .malformedEvent("stdin is not JSON: \(error.message) at \(error.location)")
        }
        guard case .object(let object) = value else {
            throw .malformedEvent("expected a JSON object from \(host), found \(value.typeName)")
        }
        self.object = object
        self.host = host
    }

    subscript(key: String) -> JSONValue? { object[key] }

    /// A member that must be a non-empty string.
    func string(_ key: String) throws(GateError) -> String {
        guard let member = object[key] else { throw .malformedEvent("\"\(key)\" is missing") }
        guard let text = member.stringValue, !text.isEmpty else { throw .malformedEvent("\"\(key)\" must be a non-empty string") }
        return text
    }

    /// A member that, when present, must be a string.
    func optionalString(_ key: String) throws(GateError) -> String? {
        guard let member = object[key], member != .null else { return nil }
        guard let text = member.stringValue else { throw .malformedEvent("\"\(key)\" must be a string") }
        return text
    }

    /// A member that, when present, must be true or false.
    func optionalBool(_ key: String) throws(GateError) -> Bool? {
        guard let member = object[key], member != .null else { return nil }
        guard let flag = member.boolValue else { throw .malformedEvent("\"\(key)\" must be true or false") }
        return flag
    }

    /// A member that must be an object.
    func object(_ key: String) throws(GateError) -> JSONObject {
        guard case .object(let input)? = object[key] else {
            throw .malformedEvent(object[key] == nil ? "\"\(key)\" is missing" : "\"\(key)\" must be an object")
        }
        return input
    }

    /// The event name, which must be one of `names`.
    func eventName(_ key: String, among names: [String]) throws(GateError) -> String {
        let name = try string(key)
        guard names.contains(name) else {
            throw .malformedEvent("\"\(name)\" is not an event the gate decides or records; register it for \(names.joined(separator: ", "))")
        }
        return name
    }

    /// A working directory, which must be absolute.
    func absolute(_ cwd: String, _ key: String = "cwd") throws(GateError) -> String {
        guard cwd.hasPrefix("/") else { throw .malformedEvent("\"\(key)\" must be an absolute path, found \"\(cwd)\"") }
        return cwd
    }
}

/// The hook configuration shape Claude Code, Codex and Gemini CLI share: `hooks` maps an event
/// name to matcher groups, each `{"matcher", "hooks": [{"type": "command", "command"}]}`.
enum MatcherGroups {
    /// `settings` with a group running `command` under every event of `events` (with `matcher`
    /// when given), unless one with that command is already there. Every other key, hook and
    /// group is kept in place.
    static func install(command: String, events: [String], matcher: String?, into settings: JSONValue, file: String) throws(GateError) -> JSONValue {
        var (root, hooks) = try hooksObject(settings, file: file)
        for event in events {
            var groups = try array(hooks, event, file: file, what: "matcher groups")
            let present = groups.contains { group in
                group["hooks"]?.arrayValue?.contains { $0["command"]?.stringValue == command } ?? false
            }
            if present { continue }
            var group: [(String, JSONValue)] = []
            if let matcher { group.append(("matcher", .string(matcher))) }
            group.append(("hooks", .array([.object(JSONObject([("type", "command"), ("command", .string(command))]))])))
            groups.append(.object(JSONObject(group)))
            hooks[event] = .array(groups)
        }
        root["hooks"] = .object(hooks)
        return .object(root)
    }

    /// The settings object and its `hooks` object (empty when absent).
    static func hooksObject(_ settings: JSONValue, file: String) throws(GateError) -> (JSONObject, JSONObject) {
        guard case .object(let root) = settings else {
            throw .malformedSettings(file: file, message: "the settings must be a JSON object, found \(settings.typeName)")
        }
        guard let value = root["hooks"] else { return (root, JSONObject()) }
        guard case .object(let hooks) = value else {
            throw .malformedSettings(file: file, message: "\"hooks\" must be an object keyed by event name, found \(value.typeName)")
        }
        return (root, hooks)
    }

    /// The array under `hooks.event` (empty when absent).
    static func array(_ hooks: JSONObject, _ event: String, file: String, what: String) throws(GateError) -> [JSONValue] {
        guard let value = hooks[event] else { return [] }
        guard case .array(let array) = value else {
            throw .malformedSettings(file: file, message: "\"hooks.\(event)\" must be an array of \(what), found \(value.typeName)")
        }
        return array
    }
}

/// The step id of a call whose host gives it no id of its own: derived from the tool and its
/// input, so the event that reports the call's end finds the decision again.
enum CallDigest {
    /// The first 16 hex digits of the SHA-256 of the canonical `{"input", "tool"}`.
    static func of(tool: String, input: JSONObject) -> String {
        let value = JSONValue.object(JSONObject([("input", .object(input)), ("tool", .string(tool))]))
        return String(Hex.encode(SHA256.hash(CanonicalJSON.serialize(value))).prefix(16))
    }

    /// The prefix of every step id derived from `digest`; the n-th such call of a session is
    /// `call-DIGEST-n`.
    static func prefix(_ digest: String) -> String { "call-\(digest)-" }
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

/// What one host event came to: the verdict on a call decided (nil for a finished call), the
/// `seq` of the first record appended, and the host's answer (nil: print nothing).
public struct GateReply: Sendable {
    public var verdict: GateVerdict?
    public var seq: Int
    public var answer: JSONValue?
}

extension Gate {
    /// One host event through the gate, as the hook and session tests run it: a call about to
    /// run is decided (its policies loaded only then), a finished call recorded, and the reply
    /// written in the host's contract.
    public static func handle(
        _ event: HostEvent, host: any HostAdapter.Type, locations: GateLocations, options: GateOptions, allow: AllowAnswer,
        policies: () throws(GateError) -> GatePolicies
    ) throws(GateError) -> GateReply {
        var options = options
        options.inputUpdate = event.inputUpdate
        switch event.event {
        case .preToolUse(let call):
            let verdict = try decide(call, host: host.name, policies: try policies(), locations: locations, options: options)
            return GateReply(verdict: verdict, seq: verdict.seq, answer: host.answer(verdict, to: event, allow: allow, mode: options.mode))
        case .postToolUse(let call, let result):
            let seq = try record(call, result: result, host: host.name, locations: locations, options: options)
            return GateReply(verdict: nil, seq: seq, answer: host.recorded(event, seq: seq))
        }
    }
}

/// The `hookSpecificOutput` members of a PreToolUse answer in the shape Claude Code and Codex share.
enum PreToolUseOutput {
    /// `permissionDecision` `decision`, with `reason` as its `permissionDecisionReason`.
    static func permission(_ decision: String, _ reason: String) -> [(String, JSONValue)] {
        [("permissionDecision", .string(decision)), ("permissionDecisionReason", .string(reason))]
    }
}

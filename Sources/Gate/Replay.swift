import AuditLog
import JSONValue
import Workflow

/// One tool call as a recording tells it: a transcript's `tool_use` block, a gate's decision
/// record, or a `PreToolUse` event, with what the recording says happened to it afterwards.
public struct RecordedCall: Sendable, Equatable {
    /// The call.
    public var call: ToolCall
    /// The host that made it (the mapping `tools.json` applies).
    public var host: String
    /// Where the recording holds it.
    public var location: FileLocation
    /// The time the recording gives it; policies see it as `context.now` unless `--now` pins one.
    public var clock: Clock?
    /// Whether the recording shows it ran (a tool result, an execution record, a post-call event).
    public var ran: Bool
    /// The decision the gate logged for it (audit logs only).
    public var logged: LoggedDecision?
    /// How the host takes a rewritten input on the event that announced the call.
    public var inputUpdate: InputUpdate

    /// Creates a recorded call.
    public init(
        call: ToolCall, host: String, location: FileLocation, clock: Clock?, ran: Bool, logged: LoggedDecision? = nil,
        inputUpdate: InputUpdate = .replace
    ) {
        self.call = call
        self.host = host
        self.location = location
        self.clock = clock
        self.ran = ran
        self.logged = logged
        self.inputUpdate = inputUpdate
    }
}

/// A decision as the audit log recorded it.
public struct LoggedDecision: Sendable, Equatable {
    /// `allow`, `warn`, `mutate`, `approve`, `deny`.
    public var outcome: String
    /// The outcome with its variants (`mutate:force-with-lease`).
    public var label: String
    /// The deciding policies.
    public var policies: [String]

    public init(outcome: String, label: String, policies: [String]) {
        self.outcome = outcome
        self.label = label
        self.policies = policies
    }
}

/// How a replay treats the calls it decides.
public struct ReplayOptions: Sendable {
    /// The time every call is decided at; each call's recorded time when nil (the current time
    /// for calls without one).
    public var clock: Clock?
    /// `enforce`: a call the policies deny never ran, so it never enters the session's history;
    /// a held call did when the recording shows it ran (the person at the prompt let it).
    /// `log-only`: every call the recording shows ran is in the history, as the gate records it
    /// in log-only mode.
    public var mode: GateMode
    /// The project root `in_project` is measured against; found from each call's `cwd` as the
    /// gate finds it when nil.
    public var root: String?

    public init(clock: Clock? = nil, mode: GateMode = .enforce, root: String? = nil) {
        self.clock = clock
        self.mode = mode
        self.root = root
    }
}

/// One call re-decided.
public struct ReplayedCall: Sendable {
    /// The call as recorded.
    public var recorded: RecordedCall
    /// What the gate would have answered.
    public var verdict: GateVerdict

    /// The outcome with its variants, as decision records label it.
    public var label: String { verdict.label }
}

/// The calls of one session, in the order they were decided.
public struct ReplayedSession: Sendable {
    /// The host's session id.
    public var session: String
    /// Its calls.
    public var calls: [ReplayedCall]
}

/// A call whose outcome differs between two policy sets.
public struct ReplayChange: Sendable {
    /// Under the first policy set.
    public var before: ReplayedCall
    /// Under the second.
    public var after: ReplayedCall
}

/// Re-decides recorded tool calls without enforcing anything: each session's calls go through
/// the gate's own decision path (`Gate.decideLocked`), in order, and the records the gate would
/// have appended feed the session's history through the gate's own reader (`SessionLog.calls`),
/// so chain rules see exactly what the live gate would have shown them. Nothing is written.
public enum Replay {
    /// The sessions of `calls` (in the order each first appears), every call decided under
    /// `policies`.
    public static func run(_ calls: [RecordedCall], policies: GatePolicies, options: ReplayOptions) throws(GateError) -> [ReplayedSession] {
        var order: [String] = []
        var bySession: [String: [RecordedCall]] = [:]
        for recorded in calls {
            if bySession[recorded.call.session] == nil { order.append(recorded.call.session) }
            bySession[recorded.call.session, default: []].append(recorded)
        }
        var roots = RootFinder(fixed: options.root)
        var sessions: [ReplayedSession] = []
        sessions.reserveCapacity(order.count)
        for session in order {
            var records: [HistoryRecord] = []
            var replayed: [ReplayedCall] = []
            for recorded in bySession[session]! {
                let clock = options.clock ?? recorded.clock ?? Clock.now()
                let gateOptions = GateOptions(mode: options.mode, clock: clock, inputUpdate: recorded.inputUpdate)
                let (verdict, events) = try Gate.decideLocked(
                    recorded.call, host: recorded.host, policies: policies, root: roots.root(for: recorded.call.cwd),
                    history: SessionHistory(calls: SessionLog.calls(records)), options: gateOptions)
                for event in events { records.append(SessionLog.record(of: event)) }
                // What the post-call event would have recorded: the call ran unless the gate
                // stopped it (in enforce mode a denied call never reaches the host's tool).
                if recorded.ran && (options.mode == .logOnly || verdict.outcome != .deny) {
                    records.append(HistoryRecord(kind: "execution", step: recorded.call.toolUseID))
                }
                replayed.append(ReplayedCall(recorded: recorded, verdict: verdict))
            }
            sessions.append(ReplayedSession(session: session, calls: replayed))
        }
        return sessions
    }

    /// The calls whose outcome (with its variants) differs between two replays of the same
    /// recording, in recording order.
    public static func changes(_ before: [ReplayedSession], _ after: [ReplayedSession]) -> [ReplayChange] {
        var changes: [ReplayChange] = []
        for (old, new) in zip(before, after) {
            for (a, b) in zip(old.calls, new.calls) where a.label != b.label {
                changes.append(ReplayChange(before: a, after: b))
            }
        }
        return changes
    }

    /// The project root of each `cwd`, found once per distinct `cwd`.
    struct RootFinder {
        let fixed: String?
        var found: [String: String] = [:]

        mutating func root(for cwd: String) -> String {
            if let fixed { return fixed }
            if let known = found[cwd] { return known }
            let root = GateLocations.nearestDirectory(from: cwd).map(GateLocations.parent) ?? cwd
            found[cwd] = root
            return root
        }
    }
}

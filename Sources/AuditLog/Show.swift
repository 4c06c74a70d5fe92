import Basics
import JSONValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One record on a step's path.
public struct PathEvent: Equatable, Sendable {
    public var seq: Int
    public var line: Int
    public var kind: String
    public var time: String?
    public var outcome: String?
    public var policies: [String]
    public var principal: String?
    public var action: String?
    public var resource: String?
    public var jti: String?
    public var exp: String?
    /// Set on an execution whose credential was used before.
    public var replayOfLine: Int?
    /// The governance tier in force when the record was written (decision and mint records).
    public var tier: String? = nil
    /// What the tier demanded of the command that wrote the record and whether each was met,
    /// as that command found it; nil when the record does not say.
    public var demands: [RecordedDemand]? = nil

    /// The ids of the recorded demands that were not met.
    public var unmetDemands: [String] { (demands ?? []).filter { $0.met == false }.map(\.id) }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("seq", .int(Int64(seq))), ("line", .int(Int64(line))), ("kind", .string(kind))]
        if let time { pairs.append(("time", .string(time))) }
        if let outcome { pairs.append(("outcome", .string(outcome))) }
        if !policies.isEmpty { pairs.append(("policies", .array(policies.map { .string($0) }))) }
        if let principal { pairs.append(("principal", .string(principal))) }
        if let action { pairs.append(("action", .string(action))) }
        if let resource { pairs.append(("resource", .string(resource))) }
        if let jti { pairs.append(("jti", .string(jti))) }
        if let exp { pairs.append(("exp", .string(exp))) }
        if let replayOfLine { pairs.append(("replay_of_line", .int(Int64(replayOfLine)))) }
        if let tier { pairs.append(("tier", .string(tier))) }
        if let demands { pairs.append(("demands", .array(demands.map(\.json)))) }
        return .object(JSONObject(pairs))
    }
}

/// One demand of a governance tier as a record states it: its id (`audit_log`, `checkpoint`,
/// `max_ttl`, `hold`), what it asked, whether the writing command found it met (nil: it did
/// not apply to that command), and what was found.
public struct RecordedDemand: Equatable, Sendable {
    public var id: String
    public var demand: String
    public var met: Bool?
    public var detail: String
    /// The log line of the record that states it.
    public var line: Int

    public init(id: String, demand: String, met: Bool?, detail: String, line: Int) {
        self.id = id
        self.demand = demand
        self.met = met
        self.detail = detail
        self.line = line
    }

    /// The `demands` member of a record, or nil when it has none or it is not a list of
    /// `{"id", "demand", "met", "detail"}` (a record that does not say is not read as met).
    static func list(_ value: JSONValue?, line: Int) -> [RecordedDemand]? {
        guard let elements = value?.arrayValue else { return nil }
        var out: [RecordedDemand] = []
        for element in elements {
            guard let id = element["id"]?.stringValue, let demand = element["demand"]?.stringValue,
                  let detail = element["detail"]?.stringValue, let met = element["met"]
            else { return nil }
            switch met {
            case .bool(let flag): out.append(RecordedDemand(id: id, demand: demand, met: flag, detail: detail, line: line))
            case .null: out.append(RecordedDemand(id: id, demand: demand, met: nil, detail: detail, line: line))
            default: return nil
            }
        }
        return out
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("demand", .string(demand)), ("met", met.map(JSONValue.bool) ?? .null),
            ("detail", .string(detail)), ("line", .int(Int64(line))),
        ]))
    }
}

/// Where a step ended up.
public enum StepStatus: String, Sendable {
    /// Allowed (or approved) and executed once per credential.
    case executed
    /// Allowed but never executed.
    case aborted
    /// Executed with a credential that had been used before.
    case replayed
    /// Executed without an allowing decision.
    case unauthorized
    /// Denied.
    case denied
    /// Not run because a step it needs was denied, held or blocked.
    case blocked
    /// Held for approval, never approved.
    case held
    /// Approval refused.
    case rejected
    /// Records exist but no decision yet.
    case pending
}

/// The records of one step, in log order, and where the step ended up.
public struct StepPath: Equatable, Sendable {
    public var step: String
    public var status: StepStatus
    /// decided → minted → executed, as the records say.
    public var events: [PathEvent]

    public var json: JSONValue {
        .object(JSONObject([
            ("step", .string(step)), ("status", .string(status.rawValue)), ("events", .array(events.map(\.json))),
        ]))
    }
}

/// The action path of one plan: its steps in the order the log first mentions them.
public struct ActionPath: Equatable, Sendable {
    public var plan: String
    public var steps: [StepPath]

    /// The strictest governance tier its records were decided at (`standard` < `elevated` <
    /// `strict`); nil when no record names one.
    public var tier: String? {
        let order = ["standard", "elevated", "strict"]
        return steps.flatMap(\.events).compactMap(\.tier).max { (order.firstIndex(of: $0) ?? 3) < (order.firstIndex(of: $1) ?? 3) }
    }

    /// Each demand of that tier as the records at it state it, in the order first stated: the
    /// latest record that found it met or not met, else the latest that said it did not apply.
    /// Records at a lower tier (a gate session before it ratcheted) do not count. Nil when no
    /// record at the tier states its demands (the gate's, or a log written before records
    /// carried them): nothing is read as met that no record says was.
    public var demands: [RecordedDemand]? {
        guard let tier else { return nil }
        let stated = steps.flatMap(\.events).filter { $0.tier == tier && $0.demands != nil }.sorted { $0.line < $1.line }
        guard !stated.isEmpty else { return nil }
        var order: [String] = []
        var latest: [String: RecordedDemand] = [:]
        for demand in stated.flatMap({ $0.demands! }) {
            guard let kept = latest[demand.id] else {
                order.append(demand.id)
                latest[demand.id] = demand
                continue
            }
            if demand.met != nil || kept.met == nil { latest[demand.id] = demand }
        }
        return order.map { latest[$0]! }
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("plan", .string(plan)), ("tier", tier.map(JSONValue.string) ?? .null),
            ("demands", demands.map { .array($0.map(\.json)) } ?? .null), ("steps", .array(steps.map(\.json))),
        ]))
    }
}

extension AuditLog {
    /// The action path of `plan` (or of every plan, in order of first appearance).
    ///
    /// Reads the records as they are; run `verify` to know whether they can be trusted.
    public static func show(logAt path: String, plan: String? = nil) throws(AuditError) -> [ActionPath] {
        let lock = try FileHandleFD(path: path, flags: O_RDONLY)
        try lock.lockShared()
        let file = try MappedFile(path: path)
        let paths = show(bytes: file.bytes, plan: plan)
        withExtendedLifetime((file, lock)) {}
        return paths
    }

    /// The action paths in a log held in memory.
    public static func show(bytes: UnsafeRawBufferPointer, plan wanted: String? = nil) -> [ActionPath] {
        // Plan ids, step ids and credential ids are told apart by code points: two steps whose
        // ids are canonically equivalent are two steps, and two such credentials two credentials.
        var plans: [ExactString: [ExactString: [PathEvent]]] = [:]
        var planOrder: [ExactString] = []
        var stepOrder: [ExactString: [ExactString]] = [:]
        var usedCredentials: [ExactString: Int] = [:]
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            defer { start = end + 1 }
            guard end < bytes.count else { break }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            guard let scanned = try? RecordScanner.scan(line), let seq = scanned.seq else { continue }
            let kind = scanned.kind.map { RecordScanner.string($0, in: line) } ?? ""
            let jti = scanned.jti.map { RecordScanner.string($0, in: line) }
            var replayOf: Int? = nil
            if kind == "execution", let jti {
                if let first = usedCredentials[ExactString(jti)] { replayOf = first } else { usedCredentials[ExactString(jti)] = lineNumber }
            }
            guard let planSpan = scanned.plan, let stepSpan = scanned.step else { continue }
            let plan = ExactString(RecordScanner.string(planSpan, in: line))
            if let wanted, !plan.string.isExactly(wanted) { continue }
            let step = ExactString(RecordScanner.string(stepSpan, in: line))
            guard let value = try? JSONParser.parse(Array(line)) else { continue }
            let event = PathEvent(
                seq: seq, line: lineNumber, kind: kind, time: value["time"]?.stringValue, outcome: value["outcome"]?.stringValue,
                policies: value["policies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                principal: value["principal"]?.stringValue, action: value["action"]?.stringValue,
                resource: value["resource"]?.stringValue, jti: jti, exp: value["exp"]?.stringValue, replayOfLine: replayOf,
                tier: value["tier"]?.stringValue, demands: RecordedDemand.list(value["demands"], line: lineNumber))
            if plans[plan] == nil { plans[plan] = [:]; planOrder.append(plan) }
            if plans[plan]![step] == nil { plans[plan]![step] = []; stepOrder[plan, default: []].append(step) }
            plans[plan]![step]!.append(event)
        }
        return planOrder.map { plan in
            ActionPath(plan: plan.string, steps: stepOrder[plan]!.map { step in
                let events = plans[plan]![step]!
                return StepPath(step: step.string, status: status(of: events), events: events)
            })
        }
    }

    static func status(of events: [PathEvent]) -> StepStatus {
        // The joins' reading (`audit verify`): the latest decision stands, so a later deny
        // overrides an earlier allow, and an approval releases only a step that decision held.
        var allowed = false
        var held = false
        var lastDecision: String?
        var rejected = false
        var executed = false
        var replayed = false
        var unauthorized = false
        for event in events {
            switch event.kind {
            case "decision":
                let outcome = event.outcome ?? ""
                lastDecision = event.outcome
                let approved = RunningOutcomes.approvalRuns(outcome)
                allowed = approved || RunningOutcomes.decisionRuns(outcome)
                held = approved || outcome == "approve"
                rejected = false
            case "approval":
                guard held else { break }
                allowed = event.outcome.map(RunningOutcomes.approvalRuns) ?? false
                rejected = !allowed
            case "execution":
                if !allowed { unauthorized = true }
                if event.replayOfLine != nil { replayed = true }
                executed = true
            default:
                break
            }
        }
        if replayed { return .replayed }
        if unauthorized { return .unauthorized }
        if executed { return .executed }
        if allowed { return .aborted }
        if rejected { return .rejected }
        switch lastDecision {
        case "deny": return .denied
        case "approve": return .held
        case "blocked": return .blocked
        default: return .pending
        }
    }
}

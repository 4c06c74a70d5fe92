import AuditLog
import Basics
import Crypto
import JSONValue
import Workflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One earlier call of a session, as the log tells it.
public struct SessionCall: Sendable, Equatable {
    /// The host's tool-call id (the records' `step`).
    public var step: String
    /// The outcome of its first decision.
    public var outcome: String
    /// Who made it.
    public var principal: String?
    /// The action and resource (Cedar text) that run: the decision's, or the rewritten ones of
    /// its mutation record.
    public var action: String?
    public var resource: String?
    /// Whether an execution record followed.
    public var executed: Bool

    /// Whether an approval record released it.
    public var approved = false

    /// Whether a later decision of the gate released it with signed approvals (`approved`):
    /// the approvals that did are spent, and the call runs under the host call ids in `hostCalls`.
    public var released = false

    /// The host's ids of the calls that ran as this held call once approvals released it (the
    /// agent's retries, each decided `approved` under this call's step id).
    public var hostCalls: [String] = []

    /// The digest of the rewritten tool input (`CallDigest`), when its mutation record has one.
    public var inputDigest: String?

    /// The risk class its decision was governed at (the session's, as it stood then).
    public var risk: String?

    /// Whether the call counts in the session's history: its decision let it run, or it was
    /// held and then approved (at the host's prompt) or ran.
    public var ran: Bool {
        RunningOutcomes.decisionRuns(outcome) || approved || executed || released
    }

    /// Whether it is held and waiting: held for approval, not yet released, and not run.
    public var isOpen: Bool {
        outcome == StepOutcome.approve.rawValue && !released && !executed
    }
}

/// A session's records read from the log, under the log's lock, through a per-session index
/// beside the log (`LOG.sessions/<sha256 of the session id>.json`).
///
/// The index says where the session's records are, never what they say: it holds their byte
/// offsets, the length of the log it covers and the hash of the record that ends there. It is
/// used only when that record is still in the log with that hash and every offset still starts
/// a record of the session; the records themselves are always read from the log. Otherwise, or
/// when it cannot be read, the log is read from the start. Either way the log after the covered
/// length is scanned, so a decision costs the session's own records plus what other writers
/// appended since the session's last call, not the whole log.
struct SessionLog {
    let log: LockedLog
    let session: String
    let indexPath: String

    /// What `read()` found.
    struct State {
        /// The members of the session's records the gate reads (`SessionLog.fields`), in log order.
        var records: [[String: String]]
        /// Their byte offsets.
        var offsets: [Int]
        /// The byte offsets just past their newlines.
        var ends: [Int]
        /// The length of the log read.
        var end: Int
    }

    init(log: LockedLog, session: String) {
        self.log = log
        self.session = session
        let digest = Hex.encode(SHA256.hash(Array(session.utf8)))
        self.indexPath = log.path + ".sessions/" + digest + ".json"
    }

    /// The session's records (decisions, mutations, approvals, executions, in log order).
    func read() throws(GateError) -> State {
        do throws(AuditError) {
            var found: PlanRecords?
            if let index = cachedIndex() {
                found = try log.records(ofPlan: session, fields: Self.fields, at: index.offsets, from: index.end)
            }
            if found == nil { found = try log.records(ofPlan: session, fields: Self.fields, from: 0) }
            guard let all = found else { throw AuditError.logDoesNotVerify(path: log.path, firstFault: "unreadable") }
            return State(records: all.records.map(\.fields), offsets: all.records.map(\.offset), ends: all.records.map(\.end), end: all.end)
        } catch {
            throw .log(error)
        }
    }

    /// Records in the index that `appended` (written at the end of the log `state` read)
    /// belong to the session. A failure to write it is ignored: the next call reads the log.
    func remember(_ appended: [AppendedRecord], after state: State) {
        guard let last = appended.last else { return }
        var offsets = state.offsets
        var position = state.end
        for record in appended {
            offsets.append(position)
            position += record.line.utf8.count + 1
        }
        store(JSONObject([
            ("session", .string(session)), ("end", .int(Int64(position))), ("hash", .string(last.hash.hex)),
            ("offsets", .array(offsets.map { .int(Int64($0)) })),
        ]))
    }

    /// The members of a record the gate reads back.
    static let fields: Set<String> = ["kind", "step", "outcome", "principal", "action", "resource", "input_digest", "risk", "host_call_id"]

    /// The whole record `index` of `state`, parsed; nil when it is not a JSON object.
    func object(_ state: State, _ index: Int) throws(GateError) -> JSONObject? {
        let bytes: [UInt8]
        do throws(AuditError) {
            bytes = try log.read(offset: state.offsets[index], count: state.ends[index] - state.offsets[index] - 1)
        } catch {
            throw .log(error)
        }
        return (try? JSONParser.parse(bytes))?.objectValue
    }

    /// The members `fields` of an event about to be appended, as `read()` gives them back.
    static func fields(of event: JSONValue) -> [String: String] {
        var out: [String: String] = [:]
        for key in fields {
            if let text = event[key]?.stringValue { out[key] = text }
        }
        return out
    }

    /// The calls of the session, by step, in the order of their first decision.
    static func calls(_ records: [[String: String]]) -> [SessionCall] {
        var order: [String] = []
        var byStep: [String: SessionCall] = [:]
        for record in records {
            guard let step = record["step"] else { continue }
            switch record["kind"] {
            case "decision":
                guard let outcome = record["outcome"] else { continue }
                if byStep[step] != nil {
                    // A held call the gate later released with signed approvals.
                    if outcome == StepOutcome.approved.rawValue {
                        byStep[step]?.released = true
                        if let host = record["host_call_id"] { byStep[step]?.hostCalls.append(host) }
                    }
                    continue
                }
                order.append(step)
                byStep[step] = SessionCall(
                    step: step, outcome: outcome, principal: record["principal"], action: record["action"],
                    resource: record["resource"], executed: false, risk: record["risk"])
            case "mutation":
                byStep[step]?.action = record["action"]
                byStep[step]?.resource = record["resource"]
                byStep[step]?.inputDigest = record["input_digest"]
            case "approval":
                if RunningOutcomes.approvalRuns(record["outcome"] ?? "") { byStep[step]?.approved = true }
            case "execution":
                byStep[step]?.executed = true
            default:
                continue
            }
        }
        return order.map { byStep[$0]! }
    }

    // MARK: - Index

    private func cachedIndex() -> (offsets: [Int], end: Int)? {
        guard let bytes = try? FileBytes.read(indexPath),
              let value = try? JSONParser.parse(bytes),
              value["session"]?.stringValue == session,
              let end = value["end"]?.int64Value, end > 0,
              let hashText = value["hash"]?.stringValue,
              let offsetValues = value["offsets"]?.arrayValue
        else { return nil }
        let offsets = offsetValues.compactMap { $0.int64Value.map(Int.init) }
        guard offsets.count == offsetValues.count else { return nil }
        // The record the index ends on must still be in the log, with the same hash.
        guard let range = try? log.line(endingAt: Int(end)),
              let line = try? log.read(offset: range.lowerBound, count: range.count - 1),
              AuditLog.hash(line: line).hex == hashText
        else { return nil }
        return (offsets, Int(end))
    }

    /// Replaces the index through a rename, so a reader sees the old or the new one, never half
    /// of one. Not synced: a lost index is rebuilt from the log.
    private func store(_ index: JSONObject) {
        let bytes = CanonicalJSON.serialize(.object(index)) + [0x0A]
        let directory = log.path + ".sessions"
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { return }
        let temporary = indexPath + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                close(fd)
                unlink(temporary)
                return
            }
            done += n
        }
        close(fd)
        if rename(temporary, indexPath) != 0 { unlink(temporary) }
    }
}

import AuditLog
import Basics
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
/// beside the log (`LOG.sessions/<sha256 of the session id>`).
///
/// The index says where the session's records are, never what they say: it holds the byte
/// range of each of their lines, the length of the log it covers and the hash of the record that
/// ends there. It is used only when that record is still in the log with that hash, it is the
/// last line the index lists (the gate writes the index after its own records, so nothing of the
/// session can sit between them and the end of what it covers), and every range is still a whole
/// line holding a record of the session, chained to the one before it by `session_prev` (so no
/// record of the session between two it lists can be left out); the records themselves are
/// always read from the log (only those lines, see `LockedLog.records`). Otherwise, or when it
/// cannot be read, the log is read from the start. Either way the log after the covered length
/// is scanned, so a decision costs the session's own records plus what other writers appended
/// since the session's last call, not the whole log.
struct SessionLog {
    let log: LockedLog
    let session: String
    let indexPath: String

    /// What `read()` found.
    struct State {
        /// The members of the session's records the gate reads, in log order.
        var records: [HistoryRecord]
        /// Their lines' byte ranges, newline included.
        var lines: [Range<Int>]
        /// The length of the log read.
        var end: Int
        /// The hash of the session's last record: what the next one names as `session_prev`
        /// (the genesis value when the session has none yet).
        var lastHash: Digest32
        /// Whether the index was used (else the log was read from the start).
        var indexed = false
    }

    init(log: LockedLog, session: String) {
        self.log = log
        self.session = session
        let digest = Hex.encode(SHA256.hash(Array(session.utf8)))
        self.indexPath = log.path + ".sessions/" + digest
    }

    /// The session's records (decisions, mutations, approvals, executions, in log order).
    func read() throws(GateError) -> State {
        do throws(AuditError) {
            var found: PlanRecords?
            if let index = cachedIndex() {
                found = try log.records(ofPlan: session, at: index.lines, chained: true, from: index.end)
            }
            let indexed = found != nil
            if found == nil { found = try log.records(ofPlan: session, from: 0) }
            guard let all = found else { throw AuditError.logDoesNotVerify(path: log.path, firstFault: "unreadable") }
            return State(
                records: all.records.map(\.record), lines: all.records.map { $0.offset..<$0.end }, end: all.end,
                lastHash: all.lastHash ?? AuditLog.genesis, indexed: indexed)
        } catch {
            throw .log(error)
        }
    }

    /// Appends `events` at the end of the log `state` read, the session's records among them
    /// chained to its last record by `session_prev`, and brings the index up to date.
    func append(_ events: [JSONValue], after state: State, now: Date?) throws(AuditError) -> [AppendedRecord] {
        let appended = try log.append(events: events, now: now, session: (plan: session, last: state.lastHash))
        remember(appended, after: state)
        return appended
    }

    /// Records in the index that `appended` (written at the end of the log `state` read)
    /// belong to the session. A failure to write it is ignored: the next call reads the log.
    func remember(_ appended: [AppendedRecord], after state: State) {
        guard let last = appended.last else { return }
        var lines = state.lines
        var position = state.end
        for record in appended {
            let end = position + record.line.utf8.count + 1
            lines.append(position..<end)
            position = end
        }
        store(Index(end: position, hash: last.hash.bytes, lines: lines).encoded(session: session))
    }

    /// The whole record `index` of `state`, parsed; nil when it is not a JSON object.
    func object(_ state: State, _ index: Int) throws(GateError) -> JSONObject? {
        let bytes: [UInt8]
        do throws(AuditError) {
            bytes = try log.read(offset: state.lines[index].lowerBound, count: state.lines[index].count - 1)
        } catch {
            throw .log(error)
        }
        return (try? JSONParser.parse(bytes))?.objectValue
    }

    /// The members of an event about to be appended, as `read()` gives them back.
    static func record(of event: JSONValue) -> HistoryRecord {
        func text(_ key: String) -> String? { event[key]?.stringValue }
        return HistoryRecord(
            kind: text("kind"), step: text("step"), outcome: text("outcome"), principal: text("principal"), action: text("action"),
            resource: text("resource"), inputDigest: text("input_digest"), risk: text("risk"), hostCallID: text("host_call_id"))
    }

    /// The calls of the session, by step, in the order of their first decision.
    static func calls(_ records: [HistoryRecord]) -> [SessionCall] {
        var order: [String] = []
        var byStep: [String: SessionCall] = [:]
        for record in records {
            guard let step = record.step else { continue }
            switch record.kind {
            case "decision":
                guard let outcome = record.outcome else { continue }
                if byStep[step] != nil {
                    // A held call the gate later released with signed approvals.
                    if outcome == StepOutcome.approved.rawValue {
                        byStep[step]?.released = true
                        if let host = record.hostCallID { byStep[step]?.hostCalls.append(host) }
                    }
                    continue
                }
                order.append(step)
                byStep[step] = SessionCall(
                    step: step, outcome: outcome, principal: record.principal, action: record.action,
                    resource: record.resource, executed: false, risk: record.risk)
            case "mutation":
                byStep[step]?.action = record.action
                byStep[step]?.resource = record.resource
                byStep[step]?.inputDigest = record.inputDigest
            case "approval":
                if RunningOutcomes.approvalRuns(record.outcome ?? "") { byStep[step]?.approved = true }
            case "execution":
                byStep[step]?.executed = true
            default:
                continue
            }
        }
        return order.map { byStep[$0]! }
    }

    // MARK: - Index

    /// The index file: a format line, the session id, the covered length, the hash of the
    /// record ending there, and each line's offset (after the previous line's end) and length.
    struct Index: Equatable {
        static let format = Array("stepguard session index 2\n".utf8)

        var end: Int
        var hash: [UInt8]
        var lines: [Range<Int>]

        func encoded(session: String) -> [UInt8] {
            var w = BinaryWriter()
            w.raw(Self.format)
            w.string(session)
            w.uint(UInt64(end))
            w.raw(hash)
            w.count(lines.count)
            var previous = 0
            for line in lines {
                w.uint(UInt64(max(0, line.lowerBound - previous)))
                w.uint(UInt64(line.count))
                previous = line.upperBound
            }
            return w.bytes
        }

        /// The index in `bytes`, when they are one for `session`; nil for anything else.
        static func decode(_ bytes: [UInt8], session: String) -> Index? {
            guard bytes.starts(with: format) else { return nil }
            var r = BinaryReader(bytes, offset: format.count)
            do throws(BinaryFormatError) {
                guard try r.string().isExactly(session) else { return nil }
                /// A byte offset or length: any that does not fit an `Int` is damage.
                func size() throws(BinaryFormatError) -> Int {
                    let value = try r.uint()
                    guard value <= UInt64(Int.max) else { throw r.fail("too large") }
                    return Int(value)
                }
                let end = try size()
                let hash = Array(try r.raw(32))
                let count = try r.count()
                // Each line takes at least two bytes of the index: a count larger than that is damage.
                guard count <= bytes.count else { return nil }
                var lines: [Range<Int>] = []
                lines.reserveCapacity(count)
                var previous = 0
                for _ in 0..<count {
                    let (start, startOverflow) = previous.addingReportingOverflow(try size())
                    let (lineEnd, endOverflow) = start.addingReportingOverflow(try size())
                    guard !startOverflow, !endOverflow, lineEnd <= end else { return nil }
                    lines.append(start..<lineEnd)
                    previous = lineEnd
                }
                guard r.isAtEnd, end > 0 else { return nil }
                return Index(end: end, hash: hash, lines: lines)
            } catch {
                return nil
            }
        }
    }

    private func cachedIndex() -> Index? {
        guard let bytes = try? FileBytes.read(indexPath), let index = Index.decode(bytes, session: session) else { return nil }
        // The index ends on its own last line, as the gate writes it: a record of the session
        // after that line would be read by the scan from there, never left out.
        guard index.lines.last?.upperBound == index.end else { return nil }
        // The record the index ends on must still be in the log, with the same hash.
        guard let range = try? log.line(endingAt: index.end),
              let line = try? log.read(offset: range.lowerBound, count: range.count - 1),
              AuditLog.hash(line: line).bytes == index.hash
        else { return nil }
        return index
    }

    /// Replaces the index through a rename, so a reader sees the old or the new one, never half
    /// of one. Not synced: a lost index is rebuilt from the log.
    private func store(_ bytes: [UInt8]) {
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

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
/// The index holds the byte range of each of the session's lines, the length of the log it
/// covers and the hash of the record that ends there, and a snapshot: the members the gate reads
/// of every record before the last append (`HistoryEncoding`), with the hash of the last of
/// them. The snapshot is used only while the log vouches for it: the records of the gate's last
/// append (the lines that end what the index covers, read from the log) must chain by
/// `session_prev` from that hash, one after the other, and each names, as `history_digest`, the
/// digest of the history the gate read when it wrote them, which must be the snapshot's. The
/// gate that wrote those records read that history from the log or from a snapshot the log
/// vouched for in the same way, so a snapshot edited by anyone else, or an index that leaves
/// out a record of the append, does not match the log and is not used.
///
/// Without a snapshot that holds, the ranges are read instead: each must still be a whole line
/// holding a record of the session, chained to the one before it by `session_prev` (so no record
/// of the session between two it lists can be left out), and the records are read from those
/// lines (see `LockedLog.records`). Otherwise, or when the index cannot be read, the log is read
/// from the start. Either way the log after the covered length is scanned, so a decision costs
/// the session's last append plus what other writers appended since, not the whole log.
///
/// The ranges of a history read from a snapshot are checked against the log only when the gate
/// reads whole records back (held calls and approvals: `verified(_:)`).
struct SessionLog {
    let log: LockedLog
    let session: String
    let indexPath: String

    /// What `read()` found.
    struct State {
        /// How many records the session has.
        var count: Int
        /// The members of the session's records the gate reads, in log order, when they were
        /// read from the log (else they are decoded from `encoding` when asked for).
        var decoded: [HistoryRecord]?
        /// Their lines' byte ranges, newline included.
        var lines: [Range<Int>]
        /// The length of the log read.
        var end: Int
        /// The hash of the session's last record: what the next one names as `session_prev`
        /// (the genesis value when the session has none yet).
        var lastHash: Digest32
        /// Whether the index was used (else the log was read from the start).
        var indexed = false
        /// Whether `lines` were each read from the log as the records they name (false when the
        /// records came from the index's snapshot).
        var linesRead = true
        /// The records encoded as the index's snapshot keeps them.
        var encoding: HistoryEncoding
        /// What deciding a call needs of them, when it was gathered while they were read.
        var history: SessionHistory?
    }

    init(log: LockedLog, session: String) {
        self.log = log
        self.session = session
        let digest = Hex.encode(SHA256.hash(Array(session.utf8)))
        self.indexPath = log.path + ".sessions/" + digest
    }

    /// The members of the records of `state` the gate reads, in log order.
    func records(_ state: State) throws(GateError) -> [HistoryRecord] {
        if let decoded = state.decoded { return decoded }
        guard let records = HistoryEncoding.decode(state.encoding.bytes, count: state.count)?.records else {
            unlink(indexPath)
            throw .log(.logDoesNotVerify(
                path: log.path, firstFault: "the history of session \"\(session)\" does not read back from its index; it was removed, so make the call again to have the session read from the log"))
        }
        return records
    }

    /// What deciding a call needs of the calls of `state`, read from its encoding.
    func history(_ state: State) throws(GateError) -> SessionHistory {
        if let history = state.history ?? SessionHistory(encoded: state.encoding.bytes, count: state.count) { return history }
        return SessionHistory(calls: SessionLog.calls(try records(state)))
    }

    /// The session's records (decisions, mutations, approvals, executions, in log order).
    /// With `gatheringHistory`, a history read from the snapshot comes with what a decision reads
    /// of it (`State.history`), gathered in the same walk.
    func read(gatheringHistory: Bool = false) throws(GateError) -> State {
        do throws(AuditError) {
            var found: PlanRecords?
            if let index = cachedIndex() {
                if let state = try fromSnapshot(index, gatheringHistory: gatheringHistory) { return state }
                if endsOnItsRecord(index) {
                    found = try log.records(ofPlan: session, at: index.lines, chained: true, from: index.end)
                }
            }
            let indexed = found != nil
            if found == nil { found = try log.records(ofPlan: session, from: 0) }
            guard let all = found else { throw AuditError.logDoesNotVerify(path: log.path, firstFault: "unreadable") }
            let records = all.records.map(\.record)
            return State(
                count: records.count, decoded: records, lines: all.records.map { $0.offset..<$0.end }, end: all.end,
                lastHash: all.lastHash ?? AuditLog.genesis, indexed: indexed, encoding: HistoryEncoding(records))
        } catch {
            throw .log(error)
        }
    }

    /// The history from the index's snapshot and the records of the gate's last append, when the
    /// log vouches for the snapshot (see above); nil when it does not.
    private func fromSnapshot(_ index: Index, gatheringHistory: Bool) throws(AuditError) -> State? {
        guard let snapshot = index.snapshot, snapshot.count < index.lines.count else { return nil }
        let batch = index.lines[snapshot.count...]
        guard let lastAppend = try log.records(ofPlan: session, filling: batch.first!.lowerBound..<index.end),
              lastAppend.map({ $0.record.offset..<$0.record.end }).elementsEqual(batch)
        else { return nil }
        // The append's records chain from the snapshot's last record, one after the other, and
        // each names the snapshot (with that last record) as the history it was written on.
        let absorbed = HistoryEncoding.absorbing(snapshot.bytes)
        let digest = HistoryEncoding.digest(continuing: absorbed, after: snapshot.last)
        var previous = snapshot.last
        for (found, hash) in lastAppend {
            guard found.record.sessionPrev == previous, found.record.historyDigest == digest else { return nil }
            previous = hash
        }
        // The record the index ends on is still in the log, with the same hash.
        guard previous.bytes == index.hash else { return nil }
        // The records themselves are decoded only when asked for (held calls, approvals, the
        // call a result joins to): a decision needs only what `SessionHistory` reads, gathered
        // in the one walk over the snapshot that also readies its encoding for more records.
        var walker = HistoryEncoding.Walker()
        var fold = SessionHistory.Fold(expected: gatheringHistory ? snapshot.count + 16 : 0)
        guard walker.walk(snapshot.bytes, count: snapshot.count, { if gatheringHistory { fold.add($0) } }) else { return nil }
        var encoding = walker.encoding(of: snapshot.bytes, absorbed: absorbed)
        var lines = index.lines
        var added = 0
        for (found, _) in lastAppend {
            encoding.append(found.record)
            added += 1
        }
        // What other writers appended after the index was written.
        guard let after = try log.records(ofPlan: session, from: index.end) else { return nil }
        for found in after.records {
            encoding.append(found.record)
            added += 1
            lines.append(found.offset..<found.end)
        }
        guard walker.walk(encoding.bytes, count: added, { if gatheringHistory { fold.add($0) } }) else { return nil }
        return State(
            count: snapshot.count + added, decoded: nil, lines: lines, end: after.end, lastHash: after.lastHash ?? previous,
            indexed: true, linesRead: false, encoding: encoding,
            history: gatheringHistory ? fold.history(of: encoding.bytes, distinct: walker.distinct) : nil)
    }

    /// `state` with every line it names read from the log and found to hold the record the
    /// history has for it; a history from a snapshot whose ranges do not is an error (and the
    /// index is removed, so the next call reads the log).
    func verified(_ state: State) throws(GateError) -> State {
        if state.linesRead { return state }
        do throws(AuditError) {
            if let found = try log.records(ofPlan: session, at: state.lines, chained: false, from: state.end),
               found.records.count == state.count, HistoryEncoding(found.records.map(\.record)).bytes == state.encoding.bytes {
                var read = state
                read.linesRead = true
                read.decoded = found.records.map(\.record)
                return read
            }
        } catch {
            throw .log(error)
        }
        unlink(indexPath)
        throw .log(.logDoesNotVerify(
            path: log.path, firstFault: "the index of session \"\(session)\" names lines that do not hold its records; it was removed, so make the call again to have the session read from the log"))
    }

    /// Appends `events` at the end of the log `state` read, the session's records among them
    /// chained to its last record by `session_prev` and naming the digest of `state`'s history
    /// as `history_digest`, and brings the index up to date.
    func append(_ events: [JSONValue], after state: State, now: Date?) throws(AuditError) -> [AppendedRecord] {
        let digest = JSONValue.string(state.encoding.digest(after: state.lastHash).hex)
        let stamped = events.map { event -> JSONValue in
            guard case .object(var object) = event, object["plan"]?.stringValue?.isExactly(session) == true else { return event }
            object[AuditLog.historyDigestField] = digest
            return .object(object)
        }
        let appended = try log.append(events: stamped, now: now, session: (plan: session, last: state.lastHash))
        remember(appended, after: state)
        return appended
    }

    /// Records in the index that `appended` (written at the end of the log `state` read)
    /// belong to the session, with `state`'s history as the snapshot they vouch for. A failure
    /// to write it is ignored: the next call reads the log.
    func remember(_ appended: [AppendedRecord], after state: State) {
        guard let last = appended.last else { return }
        var lines = state.lines
        var position = state.end
        for record in appended {
            let end = position + record.line.utf8.count + 1
            lines.append(position..<end)
            position = end
        }
        let snapshot = Index.Snapshot(count: state.count, last: state.lastHash, bytes: state.encoding.bytes[...])
        store(Index(end: position, hash: last.hash.bytes, lines: lines, snapshot: snapshot).parts(session: session))
    }

    /// The whole record `index` of `state`, parsed; nil when it is not a JSON object.
    func object(_ state: State, _ index: Int) throws(GateError) -> JSONObject? {
        guard state.linesRead else {
            throw .log(.logDoesNotVerify(path: log.path, firstFault: "a record of session \"\(session)\" was read before its line was checked"))
        }
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
        var calls: [SessionCall] = []
        // Step ids compare exactly, as the gate compares them everywhere else.
        var position: [ExactString: Int] = [:]
        position.reserveCapacity(records.count)
        for record in records {
            guard let stepText = record.step else { continue }
            let step = ExactString(stepText)
            switch record.kind {
            case "decision":
                guard let outcome = record.outcome else { continue }
                if let at = position[step] {
                    // A held call the gate later released with signed approvals.
                    if outcome == StepOutcome.approved.rawValue {
                        calls[at].released = true
                        if let host = record.hostCallID { calls[at].hostCalls.append(host) }
                    }
                    continue
                }
                position[step] = calls.count
                calls.append(SessionCall(
                    step: stepText, outcome: outcome, principal: record.principal, action: record.action,
                    resource: record.resource, executed: false, risk: record.risk))
            case "mutation":
                guard let at = position[step] else { continue }
                calls[at].action = record.action
                calls[at].resource = record.resource
                calls[at].inputDigest = record.inputDigest
            case "approval":
                if let at = position[step], RunningOutcomes.approvalRuns(record.outcome ?? "") { calls[at].approved = true }
            case "execution":
                if let at = position[step] { calls[at].executed = true }
            default:
                continue
            }
        }
        return calls
    }

    // MARK: - Index

    /// The index file: a format line, the session id, the covered length, the hash of the
    /// record ending there, each line's offset (after the previous line's end) and length, and
    /// the snapshot when there is one (a flag, the number of records and the encoding's bytes).
    struct Index: Equatable {
        static let format = Array("stepguard session index 4\n".utf8)

        /// The history of the session's first `count` records, as the gate read it before its
        /// last append (whose records follow on the index's later lines).
        struct Snapshot: Equatable {
            var count: Int
            /// The hash of the last of those records (the genesis value when there are none).
            var last: Digest32
            /// Their `HistoryEncoding` (where the index was read into, when it was read).
            var bytes: ArraySlice<UInt8>
        }

        var end: Int
        var hash: [UInt8]
        var lines: [Range<Int>]
        var snapshot: Snapshot?

        /// The index's bytes in two parts: all but the snapshot's encoding, then the encoding
        /// (where it lies, so that writing the index does not copy the history once more).
        func parts(session: String) -> (head: [UInt8], snapshot: ArraySlice<UInt8>) {
            var w = BinaryWriter(capacity: 128 + session.utf8.count + lines.count * 6)
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
            w.bool(snapshot != nil)
            if let snapshot {
                w.count(snapshot.count)
                w.raw(snapshot.last.bytes)
                w.count(snapshot.bytes.count)
            }
            return (w.bytes, snapshot?.bytes ?? [])
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
                var snapshot: Snapshot?
                if try r.bool() {
                    let records = try r.count()
                    let last = Digest32(bytes: try r.raw(32))!
                    let length = try r.count()
                    guard records <= count, length <= bytes.count else { return nil }
                    snapshot = Snapshot(count: records, last: last, bytes: try r.raw(length))
                }
                guard r.isAtEnd, end > 0 else { return nil }
                return Index(end: end, hash: hash, lines: lines, snapshot: snapshot)
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
        return index
    }

    /// Whether the record `index` ends on is still in the log, with the same hash. (The
    /// snapshot's reading checks it on the lines of the last append, which it reads anyway.)
    private func endsOnItsRecord(_ index: Index) -> Bool {
        guard let range = try? log.line(endingAt: index.end),
              let line = try? log.read(offset: range.lowerBound, count: range.count - 1)
        else { return false }
        return AuditLog.hash(line: line).bytes == index.hash
    }

    /// Writes the index over the old one, in place. Every reader of an index holds the log's
    /// lock, as the writer does, so none sees it half written; a write cut short (a crash, a
    /// full disk) leaves bytes that do not decode, or a snapshot and ranges that the log does
    /// not vouch for, and the next call reads the log instead. Not synced: a lost index is
    /// rebuilt from the log. (Writing a new file and renaming it over the old one cost a new
    /// inode and all of the old one's blocks freed, on every call.)
    private func store(_ parts: (head: [UInt8], snapshot: ArraySlice<UInt8>)) {
        // Non-blocking: a FIFO planted at the name is found below, never waited on.
        var fd = open(indexPath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        if fd < 0 && errno == ENOENT {
            // The session's first index beside this log.
            if mkdir(log.path + ".sessions", 0o755) != 0 && errno != EEXIST { return }
            fd = open(indexPath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        }
        var info = stat()
        if fd < 0 || fstat(fd, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG || info.st_nlink != 1 {
            // Never written through: a link planted at the index's name (symbolic, or a second
            // name of another file), or anything but a file, is removed and the index made anew.
            if fd >= 0 { close(fd) }
            unlink(indexPath)
            fd = open(indexPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
            guard fd >= 0 else { return }
            info.st_size = 0
        }
        defer { close(fd) }
        let total = parts.head.count + parts.snapshot.count
        var done = 0
        while done < total {
            // The head, then the snapshot's encoding from where it lies.
            let n = done < parts.head.count
                ? parts.head.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, parts.head.count - done, off_t(done)) }
                : parts.snapshot.withUnsafeBytes { bytes in
                    let at = done - parts.head.count
                    return pwrite(fd, bytes.baseAddress! + at, bytes.count - at, off_t(done))
                }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                unlink(indexPath)
                return
            }
            done += n
        }
        // An index only grows as its session does; a longer old one is cut to the new length.
        if info.st_size > off_t(total) && ftruncate(fd, off_t(total)) != 0 { unlink(indexPath) }
    }
}

import AuditLog
import Crypto
import JSONValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One earlier call of a session, as its decision record in the log tells it.
public struct SessionCall: Sendable, Equatable {
    /// The host's tool-call id (the record's `step`).
    public var step: String
    /// The decision's outcome.
    public var outcome: String
    /// What ran, or would run (the rewritten form for a rewrite): the record's `chain` member.
    public var chain: JSONObject?
    /// Whether an execution record followed.
    public var executed: Bool
    /// The decision record itself.
    public var record: JSONObject

    /// Whether the call counts in the session's history: its decision let it run, or it was
    /// held, approved at the host's prompt and ran.
    public var ran: Bool {
        ["allow", "warn", "mutate"].contains(outcome) || executed
    }
}

/// A session's calls read from the log, under the log's lock, through a per-session index
/// beside the log (`LOG.sessions/<sha256 of the session id>.jsonl`).
///
/// The index is a cache: each of its lines says "the log up to byte `end`, whose last record
/// has hash `hash`, holds these records of the session". It is used only when its last line
/// still matches the log there (same bytes, same hash); otherwise, or when it cannot be read,
/// it is rebuilt from the whole log. Either way the log from `end` onwards is scanned, so a
/// decision costs the session's own records plus what other writers appended since the
/// session's last call, not the whole log.
struct SessionLog {
    let log: LockedLog
    let session: String
    let indexPath: String

    init(log: LockedLog, session: String) {
        self.log = log
        self.session = session
        let digest = Hex.encode(SHA256.hash(Array(session.utf8)))
        self.indexPath = log.path + ".sessions/" + digest + ".jsonl"
    }

    /// The session's records (decisions and executions, in log order) and the log length.
    func read() throws(GateError) -> (records: [JSONObject], end: Int) {
        var records: [JSONObject] = []
        var start = 0
        if let cached = cachedRecords() {
            records = cached.records
            start = cached.end
        }
        do {
            let scanned = try log.records(ofPlan: session, from: start)
            records += scanned.records.compactMap { $0.value.objectValue.map(Self.compact) }
            if start == 0 || !scanned.records.isEmpty || scanned.end != start {
                let last = scanned.records.last?.end == scanned.end ? scanned.records.last?.hash : nil
                try? remember(Array(records), end: scanned.end, knownHash: last)
            }
            return (records, scanned.end)
        } catch {
            throw .log(error)
        }
    }

    /// The calls of the session, by step, in the order of their first decision.
    static func calls(_ records: [JSONObject]) -> [SessionCall] {
        var order: [String] = []
        var byStep: [String: SessionCall] = [:]
        for record in records {
            guard let step = record["step"]?.stringValue else { continue }
            switch record["kind"]?.stringValue {
            case "decision":
                guard byStep[step] == nil, let outcome = record["outcome"]?.stringValue else { continue }
                order.append(step)
                byStep[step] = SessionCall(step: step, outcome: outcome, chain: record["chain"]?.objectValue, executed: false, record: record)
            case "execution":
                byStep[step]?.executed = true
            default:
                continue
            }
        }
        return order.map { byStep[$0]! }
    }

    /// The members of a record the gate reads back; the rest stays in the log only.
    static func compact(_ record: JSONObject) -> JSONObject {
        var out = JSONObject()
        for key in ["kind", "step", "outcome", "chain", "principal", "action", "resource", "tool"] {
            if let value = record[key] { out[key] = value }
        }
        return out
    }

    /// Adds the records appended by this call to the index, `end` being the log's new length.
    func appended(_ records: [JSONObject], previous: [JSONObject], end: Int, lastHash: Digest32) {
        try? remember(previous + records.map(Self.compact), end: end, knownHash: lastHash)
    }

    // MARK: - Index

    private func cachedRecords() -> (records: [JSONObject], end: Int)? {
        guard let bytes = try? FileBytes.read(indexPath) else { return nil }
        var lastLine: ArraySlice<UInt8> = []
        var lineStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0A {
            if index > lineStart { lastLine = bytes[lineStart..<index] }
            lineStart = index + 1
        }
        // A line without its newline is an interrupted write: the index is not used.
        guard lineStart == bytes.endIndex, !lastLine.isEmpty,
              let value = try? JSONParser.parse(Array(lastLine)),
              value["session"]?.stringValue == session,
              let end = value["end"]?.int64Value, end > 0,
              let hashText = value["hash"]?.stringValue,
              let records = value["records"]?.arrayValue?.compactMap(\.objectValue)
        else { return nil }
        // Never trusted over the log: the record the index ends on must still be there.
        guard let range = try? log.line(endingAt: Int(end)),
              let line = try? log.read(offset: range.lowerBound, count: range.count - 1),
              AuditLog.hash(line: line).hex == hashText
        else { return nil }
        return (records, Int(end))
    }

    /// Writes the index as one line (the newest state): written in place of the old file
    /// through a rename, so a reader sees the old or the new line, never half of one. Not
    /// synced: a lost index is rebuilt from the log.
    private func remember(_ records: [JSONObject], end: Int, knownHash: Digest32?) throws {
        guard end > 0 else { return }
        let hash: Digest32
        if let knownHash {
            hash = knownHash
        } else {
            guard let range = try log.line(endingAt: end) else { return }
            hash = AuditLog.hash(line: try log.read(offset: range.lowerBound, count: range.count - 1))
        }
        let line = CanonicalJSON.serialize(.object(JSONObject([
            ("session", .string(session)), ("end", .int(Int64(end))), ("hash", .string(hash.hex)),
            ("records", .array(records.map(JSONValue.object))),
        ]))) + [0x0A]
        let directory = log.path + ".sessions"
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { return }
        let temporary = indexPath + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var done = 0
        while done < line.count {
            let n = line.withUnsafeBytes { write(fd, $0.baseAddress! + done, line.count - done) }
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

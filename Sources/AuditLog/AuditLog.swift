#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a record reports.
public enum RecordKind: String, CaseIterable, Sendable {
    /// A step was evaluated: `outcome` is `allow`, `deny`, `mutate`, `approve` or `warn`.
    case decision
    /// A step was rewritten into a safer variant.
    case mutation
    /// A held step was approved (`outcome` `approved`) or rejected (`rejected`).
    case approval
    /// A credential was minted for a step: `jti` and `exp`.
    case mint
    /// A step ran.
    case execution
    /// A credential was revoked: `jti`.
    case revocation

    /// Members an event of this kind must carry.
    var requiredFields: [String] {
        switch self {
        case .decision, .approval: return ["plan", "step", "outcome"]
        case .mutation, .execution: return ["plan", "step"]
        case .mint: return ["plan", "step", "jti", "exp"]
        case .revocation: return ["jti"]
        }
    }
}

/// One record as `append` wrote it.
public struct AppendedRecord: Equatable, Sendable {
    /// Its position in the log, from 0; also its leaf index in the Merkle tree.
    public let seq: Int
    /// The RFC 3339 time stamped on it.
    public let time: String
    /// The hash the next record names as `prev`: SHA-256(0x00 || line), its Merkle leaf hash.
    public let hash: Digest32
    /// The canonical JSON text of the record (without the newline).
    public let line: String

    /// For `--format json`.
    public var json: JSONValue {
        .object(JSONObject([
            ("seq", .int(Int64(seq))), ("time", .string(time)), ("hash", .string(hash.hex)), ("record", .string(line)),
        ]))
    }
}

/// What `repair` removed from the end of a log.
public struct RepairResult: Equatable, Sendable {
    /// The bytes dropped (empty when the log was already whole).
    public let dropped: [UInt8]
    /// The 1-based line number they occupied, when anything was dropped.
    public let line: Int?
    /// The log's length afterwards.
    public let length: Int

    /// Whether anything was dropped.
    public var changed: Bool { !dropped.isEmpty }

    /// For `--format json`; the dropped bytes as text (invalid UTF-8 replaced).
    public var json: JSONValue {
        .object(JSONObject([
            ("changed", .bool(changed)), ("line", line.map { .int(Int64($0)) } ?? .null),
            ("dropped", .string(String(decoding: dropped, as: UTF8.self))), ("dropped_bytes", .int(Int64(dropped.count))),
            ("length", .int(Int64(length))),
        ]))
    }
}

/// The audit log: JSON Lines, one canonical (RFC 8785) JSON record per line, each naming the
/// Merkle leaf hash of the line before it.
public enum AuditLog {
    /// The `prev` of the first record: 64 zeros.
    public static let genesis = Digest32.zero

    /// The member by which a live session's records chain: the hash of the session's record
    /// before it (the genesis value for its first), so that a reader holding some of a
    /// session's records can tell whether one between them is missing.
    public static let sessionPrevField = "session_prev"
    /// The member of a gate record naming the digest of the session's history it was decided
    /// on (see `Gate`'s session index).
    public static let historyDigestField = "history_digest"

    /// Top-level members `append` fills in; an event may not carry them.
    public static let reservedFields: Set<String> = ["seq", "time", "prev"]

    /// The RFC 6962 leaf hash of a record line (without its newline): what `prev` names and
    /// what the Merkle tree is built over.
    public static func hash(line: some Sequence<UInt8>) -> Digest32 {
        RFC6962Hasher().hashLeaf(line)
    }

    /// Appends one event to the log at `path`, creating the log if needed.
    ///
    /// Takes an exclusive lock on the log, checks that its last line is a whole record that
    /// chains to the one before it, fills in `seq`, `time` and `prev`, writes the canonical line
    /// with one write(2) and fsyncs before releasing the lock.
    ///
    /// `now` nil reads the clock once the lock is held, so that writers racing for the lock
    /// stamp their records in the order they are written. A time earlier than the last
    /// record's is refused (`timeGoesBackwards`): time in the log only moves forward.
    @discardableResult
    public static func append(event: JSONValue, to path: String, now: Date? = nil) throws(AuditError) -> AppendedRecord {
        try append(events: [event], to: path, now: now)[0]
    }

    /// Appends several events in order under one lock and one fsync.
    @discardableResult
    public static func append(events: [JSONValue], to path: String, now: Date? = nil) throws(AuditError) -> [AppendedRecord] {
        let file = try FileHandleFD(path: path, flags: O_RDWR | O_CREAT | O_APPEND)
        try file.lockExclusive()
        return try append(events: events, locked: file, path: path, now: now)
    }

    /// The body of `append` for a log whose exclusive lock `file` already holds. With `session`,
    /// each event of that plan carries `session_prev`: the hash of the plan's record before it
    /// (`session.last` for the first, then the one appended before it).
    static func append(
        events: [JSONValue], locked file: FileHandleFD, path: String, now: Date?, session: (plan: String, last: Digest32)? = nil
    ) throws(AuditError) -> [AppendedRecord] {
        let tail = try readTail(file)
        var seq = tail.nextSeq
        var prev = tail.lastHash
        let now = now ?? Date()
        let time = Timestamp.format(now)
        if let last = tail.lastTime, Timestamp.milliseconds(now) < last.milliseconds {
            throw .timeGoesBackwards(path: path, line: try countNewlines(file, upTo: last.offset) + 1, last: last.text, now: time)
        }
        var out: [UInt8] = []
        var written: [AppendedRecord] = []
        var sessionLast = session?.last
        for var event in events {
            let chained = session.map { event["plan"]?.stringValue?.isExactly($0.plan) == true } ?? false
            // What a session's chain and the gate's index trust is written only by the append that
            // chains the session under the log's lock (the gate's), never by anyone's event: an
            // event that named its own `session_prev` and `history_digest` could stand for a
            // history the gate never read, and have the index vouched for by a forged record.
            if !chained, let object = event.objectValue {
                for key in [sessionPrevField, historyDigestField] where object[key] != nil {
                    throw .invalidEvent("the event sets \"\(key)\", which only the gate writes for its own session records; remove it")
                }
            }
            if chained, case .object(var object) = event {
                object[sessionPrevField] = .string(sessionLast!.hex)
                event = .object(object)
            }
            let line = try recordLine(event: event, seq: seq, prev: prev, time: time)
            let hash = self.hash(line: line)
            if chained { sessionLast = hash }
            written.append(AppendedRecord(seq: seq, time: time, hash: hash, line: String(decoding: line, as: UTF8.self)))
            out.append(contentsOf: line)
            out.append(0x0A)
            seq += 1
            prev = hash
        }
        // A failed write (a full disk) must not leave part of a record behind: cut the log back
        // to the length it had under this lock, so it stays as it was.
        let length = try file.size()
        do {
            try file.writeAll(out)
            try file.sync()
        } catch {
            try? file.truncate(to: length)
            try? file.sync()
            throw error
        }
        if tail.nextSeq == 0 {
            // A new log: make its directory entry durable too.
            FileSystem.syncDirectory(FileSystem.parentDirectory(of: path))
        }
        return written
    }

    /// The canonical record line for `event` at position `seq` after a record with hash `prev`.
    ///
    /// Public so that logs can be built in memory (tests, benchmarks, imports) exactly as
    /// `append` writes them.
    public static func recordLine(event: JSONValue, seq: Int, prev: Digest32, time: String) throws(AuditError) -> [UInt8] {
        guard case .object(let object) = event else {
            throw .invalidEvent("an event must be a JSON object, not \(event.typeName)")
        }
        for key in object.keys where reservedFields.contains(key) {
            throw .invalidEvent("the event sets \"\(key)\", which append fills in; remove it")
        }
        guard let kindText = object["kind"]?.stringValue else {
            throw .invalidEvent("\"kind\" is missing; give one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kind = RecordKind(rawValue: kindText) else {
            throw .invalidEvent("unknown kind \"\(kindText)\"; use one of \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var record = object
        for field in ["plan", "step", "principal", "action", "resource", "outcome", "jti"] {
            if let value = object[field], value.stringValue == nil {
                throw .invalidEvent("\"\(field)\" must be a string, not \(value.typeName)")
            }
        }
        for field in kind.requiredFields where object[field] == nil {
            throw .invalidEvent("a \(kind.rawValue) event needs \"\(field)\"")
        }
        if let policies = object["policies"] {
            guard let list = policies.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalidEvent("\"policies\" must be an array of policy id strings")
            }
        }
        if let exp = object["exp"] {
            // Credentials carry `exp` as a NumericDate; records keep one spelling: RFC 3339 UTC.
            if let seconds = exp.int64Value {
                record["exp"] = .string(Timestamp.format(milliseconds: seconds * 1000))
            } else if let text = exp.stringValue, let ms = Timestamp.parse(text) {
                record["exp"] = .string(Timestamp.format(milliseconds: ms))
            } else {
                throw .invalidEvent("\"exp\" must be an RFC 3339 time or seconds since the epoch")
            }
        }
        record["seq"] = .int(Int64(seq))
        record["time"] = .string(time)
        record["prev"] = .string(prev.hex)
        return CanonicalJSON.serialize(.object(record))
    }

    /// Drops a torn final line: bytes after the last newline, or a final line that is not a
    /// record. Never touches anything before it.
    public static func repair(path: String) throws(AuditError) -> RepairResult {
        let file = try FileHandleFD(path: path, flags: O_RDWR)
        try file.lockExclusive()
        let size = try file.size()
        let lastLine = try lastLineRange(file, size: size)
        guard let lastLine else { return RepairResult(dropped: [], line: nil, length: size) }
        let bytes = try file.read(offset: lastLine.lowerBound, count: lastLine.count)
        let terminated = bytes.last == 0x0A
        let body = terminated ? Array(bytes.dropLast()) : bytes
        let parses = body.withUnsafeBytes { raw -> Bool in
            guard let record = try? RecordScanner.scan(raw) else { return false }
            return record.seq != nil && record.prev.map { $0.count == 64 } == true
        }
        if terminated && parses { return RepairResult(dropped: [], line: nil, length: size) }
        let lineNumber = try countNewlines(file, upTo: lastLine.lowerBound) + 1
        try file.truncate(to: lastLine.lowerBound)
        try file.sync()
        return RepairResult(dropped: bytes, line: lineNumber, length: lastLine.lowerBound)
    }

    // MARK: - Tail

    struct Tail {
        var nextSeq: Int
        var lastHash: Digest32
        /// The last record's time in milliseconds since the epoch, its text, and the offset of
        /// its line; nil for an empty log or a last record without a readable time.
        var lastTime: (milliseconds: Int64, text: String, offset: Int)? = nil
    }

    /// The byte range of the last line (with its newline if it has one), or nil for an empty file.
    static func lastLineRange(_ file: FileHandleFD, size: Int) throws(AuditError) -> Range<Int>? {
        if size == 0 { return nil }
        var chunk = min(size, 4096)
        while true {
            let start = size - chunk
            let bytes = try file.read(offset: start, count: chunk)
            // Ignore the final newline when looking for the start of the last line.
            let searchEnd = bytes.last == 0x0A ? bytes.count - 1 : bytes.count
            if let newline = bytes[..<searchEnd].lastIndex(of: 0x0A) {
                return (start + newline + 1)..<size
            }
            if start == 0 { return 0..<size }
            chunk = min(size, chunk * 4)
        }
    }

    static func countNewlines(_ file: FileHandleFD, upTo end: Int) throws(AuditError) -> Int {
        var count = 0
        var offset = 0
        while offset < end {
            let bytes = try file.read(offset: offset, count: min(1 << 20, end - offset))
            if bytes.isEmpty { break }
            for byte in bytes where byte == 0x0A { count += 1 }
            offset += bytes.count
        }
        return count
    }

    /// Reads and checks the last two records.
    static func readTail(_ file: FileHandleFD) throws(AuditError) -> Tail {
        let size = try file.size()
        guard let last = try lastLineRange(file, size: size) else {
            return Tail(nextSeq: 0, lastHash: genesis)
        }
        let lastBytes = try file.read(offset: last.lowerBound, count: last.count)
        guard lastBytes.last == 0x0A else {
            let line = try countNewlines(file, upTo: last.lowerBound) + 1
            throw AuditError.tornTail(path: file.path, line: line, byteCount: lastBytes.count)
        }
        let lastLine = Array(lastBytes.dropLast())
        guard let lastRecord = try? lastLine.withUnsafeBytes({ (raw) throws(ScanError) in try RecordScanner.scan(raw) }),
              let lastSeq = lastRecord.seq, let lastPrev = lastRecord.prev,
              let claimedPrev = lastLine.withUnsafeBytes({ lastPrev.digest(in: $0) })
        else {
            let line = try countNewlines(file, upTo: last.lowerBound) + 1
            throw AuditError.tornTail(path: file.path, line: line, byteCount: lastBytes.count)
        }
        let lastHash = hash(line: lastLine)
        func lastTime() -> (milliseconds: Int64, text: String, offset: Int)? {
            guard let span = lastRecord.time else { return nil }
            let text = lastLine.withUnsafeBytes { RecordScanner.string(span, in: $0) }
            guard let ms = Timestamp.parse(text) else { return nil }
            return (ms, text, last.lowerBound)
        }
        if last.lowerBound == 0 {
            guard lastSeq == 0, claimedPrev == genesis else {
                throw AuditError.brokenTail(path: file.path, line: 1, reason: "the only record is not record 0 after the genesis value")
            }
            return Tail(nextSeq: 1, lastHash: lastHash, lastTime: lastTime())
        }
        guard let previous = try lastLineRange(file, size: last.lowerBound) else {
            return Tail(nextSeq: lastSeq + 1, lastHash: lastHash, lastTime: lastTime())
        }
        let previousLine = Array(try file.read(offset: previous.lowerBound, count: previous.count).dropLast())
        let previousSeq = previousLine.withUnsafeBytes { raw in (try? RecordScanner.scan(raw))?.seq }
        guard claimedPrev == hash(line: previousLine) else {
            let line = try countNewlines(file, upTo: last.lowerBound) + 1
            throw AuditError.brokenTail(path: file.path, line: line, reason: "the last record's prev does not match the hash of the record before it")
        }
        guard previousSeq.map({ $0 + 1 == lastSeq }) == true else {
            let line = try countNewlines(file, upTo: last.lowerBound) + 1
            throw AuditError.brokenTail(path: file.path, line: line, reason: "the last record's seq does not follow the record before it")
        }
        return Tail(nextSeq: lastSeq + 1, lastHash: lastHash, lastTime: lastTime())
    }
}

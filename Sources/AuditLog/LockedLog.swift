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

/// A log held under its exclusive lock: what a caller reads through it and what it appends
/// through it form one critical section, so no other writer comes in between.
///
/// `gate` reads a session's history, decides, and appends the decision this way: two tool calls
/// of one session decided in parallel are decided one after the other, each seeing the other's
/// record if it came first.
public final class LockedLog {
    /// The log's path.
    public let path: String
    let file: FileHandleFD

    init(path: String, file: FileHandleFD) {
        self.path = path
        self.file = file
    }

    /// The log's length in bytes.
    public func size() throws(AuditError) -> Int { try file.size() }

    /// `count` bytes at `offset` (fewer at the end of the file).
    public func read(offset: Int, count: Int) throws(AuditError) -> [UInt8] {
        try file.read(offset: offset, count: count)
    }

    /// The range of the whole line (newline included) that ends at byte `end`, when `end` is a
    /// line boundary after at least one line.
    public func line(endingAt end: Int) throws(AuditError) -> Range<Int>? {
        guard end > 0, try file.size() >= end else { return nil }
        guard try file.read(offset: end - 1, count: 1) == [0x0A] else { return nil }
        return try AuditLog.lastLineRange(file, size: end)
    }

    /// The records of plan `plan` as the gate reads a session's history: first those on the
    /// lines `known` names (byte ranges, newline included, in log order: each must be a whole
    /// line holding a record of that plan, else the answer is nil and the caller rereads the log
    /// from the start), then those found from byte `offset` (a line boundary) to the last whole
    /// line; also where that scan stopped and the hash of the last record found.
    ///
    /// With `chained`, the known lines must also chain by `session_prev`: the first names the
    /// genesis value (it is the session's first record) and each later one the hash of the line
    /// before it, so a list that leaves out one of the session's records between them is found
    /// out (nil) and not read as the whole session.
    ///
    /// Only the bytes asked for are read, with `pread`: the known lines (neighbours within a
    /// page in one read), then the log after `offset` in chunks. A session's records spread
    /// over a large log cost a read each, not a mapping of the whole file. Each line is read in
    /// one pass that checks its canonical form and takes the members the history needs.
    ///
    /// Lines of other plans are only scanned, not parsed. A line that is not a record is an
    /// error: a history with a hole in it could let a chain rule miss what the hole held. A
    /// final line without its newline is left for `append` to report as a torn tail.
    public func records(ofPlan plan: String, at known: [Range<Int>] = [], chained: Bool = false, from offset: Int) throws(AuditError) -> PlanRecords? {
        let size = try file.size()
        let wanted = Array(plan.utf8)
        func record(_ line: UnsafeRawBufferPointer, at start: Int) -> (record: PlanRecord?, isRecord: Bool) {
            Self.record(ofPlan: plan, wanted, line, at: start)
        }
        var found: [PlanRecord] = []
        found.reserveCapacity(known.count)
        var buffer = ReadBuffer()
        var next = 0
        var previousEnd = 0
        var lastHash: Digest32?
        let hasher = RFC6962Hasher()
        while next < known.count {
            // One read for this line and every later one that starts within a page of the last.
            var last = next
            while last + 1 < known.count, known[last + 1].lowerBound >= known[last].upperBound,
                  known[last + 1].lowerBound - known[last].upperBound <= 4096 { last += 1 }
            let first = known[next]
            guard first.lowerBound >= 0, first.count >= 2, known[last].upperBound <= size else { return nil }
            // The byte before the first line too: it must be a newline (or the start of the log).
            let spanStart = max(0, first.lowerBound - 1)
            let bytes = try buffer.read(file, offset: spanStart, count: known[last].upperBound - spanStart)
            guard bytes.count == known[last].upperBound - spanStart else { return nil }
            for range in known[next...last] {
                // In log order, each after the one before, all before the scan from `offset`.
                guard range.count >= 2, range.lowerBound >= previousEnd, range.upperBound <= offset else { return nil }
                previousEnd = range.upperBound
                let lower = range.lowerBound - spanStart
                let upper = range.upperBound - spanStart
                if range.lowerBound > 0 && bytes[lower - 1] != 0x0A { return nil }
                guard bytes[upper - 1] == 0x0A else { return nil }
                let line = UnsafeRawBufferPointer(rebasing: bytes[lower..<(upper - 1)])
                guard memchr(line.baseAddress!, 0x0A, line.count) == nil, let hit = record(line, at: range.lowerBound).record else { return nil }
                if chained {
                    guard hit.record.sessionPrev == (lastHash ?? AuditLog.genesis) else { return nil }
                    lastHash = hasher.hashLeaf(line)
                }
                found.append(hit)
            }
            next = last + 1
        }
        var failure: AuditError?
        var lastLine: Range<Int>?
        let end = try forEachLine(from: min(max(0, offset), size), size: size, buffer: &buffer) { line, start in
            let (hit, isRecord) = record(line, at: start)
            guard isRecord else {
                failure = AuditError.logDoesNotVerify(path: path, firstFault: "byte \(start) starts a line that is not a record")
                return false
            }
            if let hit {
                found.append(hit)
                lastLine = start..<(start + line.count)
            }
            return true
        }
        if let failure { throw failure }
        if let lastLine {
            // The last record came after the known lines: its hash is read once more.
            lastHash = AuditLog.hash(line: try file.read(offset: lastLine.lowerBound, count: lastLine.count))
        } else if !chained, let last = found.last {
            lastHash = AuditLog.hash(line: try file.read(offset: last.offset, count: last.end - last.offset - 1))
        }
        return PlanRecords(records: found, end: end, lastHash: lastHash)
    }

    /// The record of `plan` (`wanted`: its UTF-8) that `line` (without its newline, at byte
    /// `start`) holds; nil when it holds another plan's; `isRecord` false when it is not a
    /// record at all.
    static func record(ofPlan plan: String, _ wanted: [UInt8], _ line: UnsafeRawBufferPointer, at start: Int) -> (record: PlanRecord?, isRecord: Bool) {
        guard let scanned = try? RecordScanner.scan(line), let seq = scanned.seq else { return (nil, false) }
        guard let span = scanned.plan,
              span.escaped ? RecordScanner.string(span, in: line).isExactly(plan) : line[span.start..<span.end].elementsEqual(wanted)
        else { return (nil, true) }
        return (PlanRecord(offset: start, end: start + line.count + 1, seq: seq, record: HistoryRecord(scanned, line: line)), true)
    }

    /// The records on the whole lines that fill bytes `range` of the log exactly (the byte
    /// before it a newline or the start of the log, its last byte a newline), read in one
    /// `pread`, each with its line's hash; nil unless each of those lines holds a record of
    /// plan `plan`.
    public func records(ofPlan plan: String, filling range: Range<Int>) throws(AuditError) -> [(record: PlanRecord, hash: Digest32)]? {
        guard range.lowerBound >= 0, range.count >= 2, range.upperBound <= (try file.size()) else { return nil }
        let spanStart = max(0, range.lowerBound - 1)
        var buffer = ReadBuffer()
        let bytes = try buffer.read(file, offset: spanStart, count: range.upperBound - spanStart)
        guard bytes.count == range.upperBound - spanStart, bytes[bytes.count - 1] == 0x0A,
              range.lowerBound == 0 || bytes[0] == 0x0A
        else { return nil }
        let wanted = Array(plan.utf8)
        let hasher = RFC6962Hasher()
        var found: [(record: PlanRecord, hash: Digest32)] = []
        var lineStart = range.lowerBound - spanStart
        while lineStart < bytes.count {
            let newline = bytes.baseAddress!.distance(to: UnsafeRawPointer(memchr(bytes.baseAddress! + lineStart, 0x0A, bytes.count - lineStart)!))
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<newline])
            guard let hit = Self.record(ofPlan: plan, wanted, line, at: spanStart + lineStart).record else { return nil }
            found.append((hit, hasher.hashLeaf(line)))
            lineStart = newline + 1
        }
        return found
    }

    /// Calls `body` with each whole line (without its newline) from byte `start` (a line
    /// boundary) up to `size`, and the line's offset, until it returns false; returns the
    /// offset just past the last whole line read. Bytes after the last newline are not a line.
    func forEachLine(
        from start: Int, size: Int, buffer: inout ReadBuffer, _ body: (UnsafeRawBufferPointer, Int) -> Bool
    ) throws(AuditError) -> Int {
        var position = start
        while position < size {
            let bytes = try buffer.read(file, offset: position, count: min(size - position, max(buffer.capacity, 1 << 20)))
            if bytes.isEmpty { break }
            var lineStart = 0
            while let newline = memchr(bytes.baseAddress! + lineStart, 0x0A, bytes.count - lineStart) {
                let lineEnd = bytes.baseAddress!.distance(to: UnsafeRawPointer(newline))
                guard body(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd]), position + lineStart) else {
                    return position + lineStart
                }
                lineStart = lineEnd + 1
            }
            if lineStart == 0 {
                // A line longer than the chunk: read again with room for it, or stop at a torn tail.
                if position + bytes.count >= size { break }
                buffer.grow(to: bytes.count * 2)
                continue
            }
            position += lineStart
        }
        return position
    }

    /// Appends `events` as `AuditLog.append` does (tail checked, time only forward, one write,
    /// fsync; `now` nil reads the clock) without letting go of the lock.
    /// With `session`, the events of plan `session.plan` chain by `session_prev`, the first to
    /// `session.last` (the hash of the plan's last record, or the genesis value).
    @discardableResult
    public func append(events: [JSONValue], now: Date? = nil, session: (plan: String, last: Digest32)? = nil) throws(AuditError) -> [AppendedRecord] {
        try AuditLog.append(events: events, locked: file, path: path, now: now, session: session)
    }
}

extension AuditLog {
    /// Runs `body` with the log at `path` (created when missing) under its exclusive lock,
    /// waiting at most `timeoutMilliseconds` for the lock; `AuditError.lockTimeout` when it
    /// stays taken. The lock is released when `body` returns or throws.
    public static func withLock<T>(
        path: String, timeoutMilliseconds: Int, _ body: (LockedLog) throws -> T
    ) throws -> T {
        let file = try FileHandleFD(path: path, flags: O_RDWR | O_CREAT | O_APPEND)
        guard try file.lockExclusive(waitingAtMost: max(0, timeoutMilliseconds)) else {
            throw AuditError.lockTimeout(path: path, milliseconds: timeoutMilliseconds)
        }
        let log = LockedLog(path: path, file: file)
        return try withExtendedLifetime(log) { try body(log) }
    }
}

/// A reusable buffer for `pread`s of the log.
struct ReadBuffer: ~Copyable {
    private var memory: UnsafeMutableRawBufferPointer
    private var capacityInBytes: Int

    init() {
        capacityInBytes = 0
        memory = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    deinit { memory.deallocate() }

    var capacity: Int { capacityInBytes }

    mutating func grow(to count: Int) {
        guard count > capacityInBytes else { return }
        memory.deallocate()
        memory = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        capacityInBytes = count
    }

    /// `count` bytes at `offset` (fewer at the end of the file), valid until the next read.
    mutating func read(_ file: FileHandleFD, offset: Int, count: Int) throws(AuditError) -> UnsafeRawBufferPointer {
        grow(to: count)
        var done = 0
        while done < count {
            let n = pread(file.fd, memory.baseAddress! + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError.io(path: file.path, operation: "read", message: errnoMessage())
            }
            if n == 0 { break }
            done += n
        }
        return UnsafeRawBufferPointer(rebasing: memory[0..<done])
    }
}

/// One record of a plan, as `LockedLog.records(ofPlan:at:chained:from:)` found it.
public struct PlanRecord: Sendable {
    /// Byte offset of its line in the log.
    public let offset: Int
    /// Byte offset just past its newline.
    public let end: Int
    /// Its `seq`.
    public let seq: Int
    /// The members the history reads.
    public let record: HistoryRecord
}

/// A plan's records in a log and where the reading stopped.
public struct PlanRecords: Sendable {
    /// The records, in the order asked for and found.
    public let records: [PlanRecord]
    /// The length of the log read: just past its last whole line.
    public let end: Int
    /// The hash of the last record found (what the plan's next record names as `session_prev`).
    public let lastHash: Digest32?
}

/// The members of a record that a live session's history is built from: the string members
/// `kind`, `step`, `outcome`, `principal`, `action`, `resource`, `input_digest`, `risk` and
/// `host_call_id`, and `session_prev` (the hash of the session's record before it).
public struct HistoryRecord: Sendable, Equatable {
    public var kind: String?
    public var step: String?
    public var outcome: String?
    public var principal: String?
    public var action: String?
    public var resource: String?
    public var inputDigest: String?
    public var risk: String?
    public var hostCallID: String?
    /// The record's `session_prev` as 64 hex digits; nil when it has none that reads.
    public var sessionPrev: Digest32?
    /// The record's `history_digest` (see `Gate`'s session index); nil when it has none that reads.
    public var historyDigest: Digest32?

    public init(
        kind: String? = nil, step: String? = nil, outcome: String? = nil, principal: String? = nil, action: String? = nil,
        resource: String? = nil, inputDigest: String? = nil, risk: String? = nil, hostCallID: String? = nil, sessionPrev: Digest32? = nil,
        historyDigest: Digest32? = nil
    ) {
        self.kind = kind
        self.step = step
        self.outcome = outcome
        self.principal = principal
        self.action = action
        self.resource = resource
        self.inputDigest = inputDigest
        self.risk = risk
        self.hostCallID = hostCallID
        self.sessionPrev = sessionPrev
        self.historyDigest = historyDigest
    }

    /// The members `scanned` found in `line`, read with their escapes resolved.
    init(_ scanned: ScannedRecord, line: UnsafeRawBufferPointer) {
        func text(_ span: ByteSpan?) -> String? { span.map { RecordScanner.string($0, in: line) } }
        self.init(
            kind: text(scanned.kind), step: text(scanned.step), outcome: text(scanned.outcome), principal: text(scanned.principal),
            action: text(scanned.action), resource: text(scanned.resource), inputDigest: text(scanned.inputDigest), risk: text(scanned.risk),
            hostCallID: text(scanned.hostCallID),
            sessionPrev: scanned.sessionPrev?.digest(in: line), historyDigest: scanned.historyDigest?.digest(in: line))
    }
}

import Foundation
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

    /// The string members named in `fields` of the records of plan `plan`: first of those on
    /// the lines `known` names (byte ranges, newline included, in log order: each must be a
    /// whole line holding a record of that plan, else the answer is nil and the caller rereads
    /// the log from the start), then those found from byte `offset` (a line boundary) to the
    /// last whole line; also where that scan stopped.
    ///
    /// Only the bytes asked for are read, with `pread`: the known lines (neighbours within a
    /// page in one read), then the log after `offset` in chunks. A session's records spread
    /// over a large log cost a read each, not a mapping of the whole file.
    ///
    /// Lines of other plans are only scanned, not parsed. A line that is not a record is an
    /// error: a history with a hole in it could let a chain rule miss what the hole held. A
    /// final line without its newline is left for `append` to report as a torn tail.
    public func records(ofPlan plan: String, fields: Set<String>, at known: [Range<Int>] = [], from offset: Int) throws(AuditError) -> PlanRecords? {
        let size = try file.size()
        let wanted = Array(plan.utf8)
        /// The record of `plan` that `line` (without its newline, at byte `start`) holds; nil
        /// when it holds another plan's; `isRecord` false when it is not a record at all.
        func record(_ line: UnsafeRawBufferPointer, at start: Int) -> (record: PlanRecord?, isRecord: Bool) {
            guard let scanned = try? RecordScanner.scan(line), let seq = scanned.seq else { return (nil, false) }
            guard let span = scanned.plan,
                  span.escaped ? RecordScanner.string(span, in: line).isExactly(plan) : line[span.start..<span.end].elementsEqual(wanted),
                  let value = Self.strings(fields, of: line)
            else { return (nil, true) }
            return (PlanRecord(offset: start, end: start + line.count + 1, seq: seq, fields: value), true)
        }
        var found: [PlanRecord] = []
        found.reserveCapacity(known.count)
        var buffer = ReadBuffer()
        var next = 0
        var previousEnd = 0
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
                found.append(hit)
            }
            next = last + 1
        }
        var failure: AuditError?
        let end = try forEachLine(from: min(max(0, offset), size), size: size, buffer: &buffer) { line, start in
            let (hit, isRecord) = record(line, at: start)
            guard isRecord else {
                failure = AuditError.logDoesNotVerify(path: path, firstFault: "byte \(start) starts a line that is not a record")
                return false
            }
            if let hit { found.append(hit) }
            return true
        }
        if let failure { throw failure }
        return PlanRecords(records: found, end: end)
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

    /// The string values of the top-level members `wanted` of a record line the scanner has
    /// accepted (so its JSON is well formed): nested values are skipped without building them,
    /// which keeps reading a long session's records cheap.
    static func strings(_ wanted: Set<String>, of line: UnsafeRawBufferPointer) -> [String: String]? {
        var i = 0
        let n = line.count
        func skipSpace() { while i < n, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0A || line[i] == 0x0D { i += 1 } }
        /// The span of the string starting at `i` (its quote), leaving `i` after it.
        func string() -> (Int, Int, Bool)? {
            guard i < n, line[i] == 0x22 else { return nil }
            i += 1
            let start = i
            var escaped = false
            while i < n, line[i] != 0x22 {
                if line[i] == 0x5C { escaped = true; i += 1 }
                i += 1
            }
            guard i < n else { return nil }
            i += 1
            return (start, i - 1, escaped)
        }
        func skipValue() -> Bool {
            guard i < n else { return false }
            switch line[i] {
            case 0x22: return string() != nil
            case 0x7B, 0x5B:
                var depth = 0
                while i < n {
                    switch line[i] {
                    case 0x22: if string() == nil { return false }; continue
                    case 0x7B, 0x5B: depth += 1
                    case 0x7D, 0x5D:
                        depth -= 1
                        if depth == 0 { i += 1; return true }
                    default: break
                    }
                    i += 1
                }
                return false
            default:
                while i < n, line[i] != 0x2C, line[i] != 0x7D, line[i] != 0x5D { i += 1 }
                return true
            }
        }
        func text(_ span: (Int, Int, Bool)) -> String {
            let bytes = UnsafeRawBufferPointer(rebasing: line[span.0..<span.1])
            return span.2 ? RecordScanner.unescape(bytes) : String(decoding: bytes, as: UTF8.self)
        }
        skipSpace()
        guard i < n, line[i] == 0x7B else { return nil }
        i += 1
        var out: [String: String] = [:]
        while true {
            skipSpace()
            if i < n, line[i] == 0x7D { return out }
            guard let key = string() else { return nil }
            skipSpace()
            guard i < n, line[i] == 0x3A else { return nil }
            i += 1
            skipSpace()
            let name = text(key)
            if wanted.contains(name), i < n, line[i] == 0x22 {
                guard let value = string() else { return nil }
                out[name] = text(value)
            } else if !skipValue() {
                return nil
            }
            skipSpace()
            if i < n, line[i] == 0x2C { i += 1; continue }
            if i < n, line[i] == 0x7D { return out }
            return nil
        }
    }

    /// Appends `events` as `AuditLog.append` does (tail checked, time only forward, one write,
    /// fsync; `now` nil reads the clock) without letting go of the lock.
    @discardableResult
    public func append(events: [JSONValue], now: Date? = nil) throws(AuditError) -> [AppendedRecord] {
        try AuditLog.append(events: events, locked: file, path: path, now: now)
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

/// One record of a plan, as `LockedLog.records(ofPlan:fields:at:from:)` found it.
public struct PlanRecord: Sendable {
    /// Byte offset of its line in the log.
    public let offset: Int
    /// Byte offset just past its newline.
    public let end: Int
    /// Its `seq`.
    public let seq: Int
    /// The string members asked for that it has.
    public let fields: [String: String]
}

/// A plan's records in a log and where the reading stopped.
public struct PlanRecords: Sendable {
    /// The records, in the order asked for and found.
    public let records: [PlanRecord]
    /// The length of the log read: just past its last whole line.
    public let end: Int
}

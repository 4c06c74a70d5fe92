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

    /// The string members named in `fields` of the records of plan `plan`: first of those at
    /// the byte offsets `known` (each must start a
    /// line holding a record of that plan, else the answer is nil and the caller rereads the
    /// log from the start), then those found from byte `offset` (a line boundary) to the last
    /// whole line; also where that scan stopped.
    ///
    /// Lines of other plans are only scanned, not parsed. A line that is not a record is an
    /// error: a history with a hole in it could let a chain rule miss what the hole held. A
    /// final line without its newline is left for `append` to report as a torn tail.
    public func records(ofPlan plan: String, fields: Set<String>, at known: [Int] = [], from offset: Int) throws(AuditError) -> PlanRecords? {
        let mapped = try MappedFile(path: path)
        let bytes = mapped.bytes
        let wanted = Array(plan.utf8)
        /// The record of `plan` on the line starting at `start`, or why there is none.
        func record(at start: Int) -> (record: PlanRecord?, end: Int, isRecord: Bool) {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            guard end < bytes.count else { return (nil, end, true) }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            guard let scanned = try? RecordScanner.scan(line), let seq = scanned.seq else { return (nil, end, false) }
            guard let span = scanned.plan,
                  span.escaped ? RecordScanner.string(span, in: line).isExactly(plan) : line[span.start..<span.end].elementsEqual(wanted),
                  let value = Self.strings(fields, of: line)
            else { return (nil, end, true) }
            return (PlanRecord(offset: start, end: end + 1, seq: seq, fields: value), end, true)
        }
        var found: [PlanRecord] = []
        for start in known {
            guard start >= 0, start < bytes.count, start == 0 || bytes[start - 1] == 0x0A,
                  let hit = record(at: start).record
            else { return nil }
            found.append(hit)
        }
        var start = min(max(0, offset), bytes.count)
        while start < bytes.count {
            let (hit, end, isRecord) = record(at: start)
            guard isRecord else {
                throw AuditError.logDoesNotVerify(path: path, firstFault: "byte \(start) starts a line that is not a record")
            }
            if end == bytes.count { break }
            if let hit { found.append(hit) }
            start = end + 1
        }
        let result = PlanRecords(records: found, end: start)
        return withExtendedLifetime(mapped) { result }
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

/// One record of a plan, as `LockedLog.records(ofPlan:at:from:)` found it.
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

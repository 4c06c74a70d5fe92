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

    /// The whole log mapped read-only, valid inside `body`.
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let mapped = try MappedFile(path: path)
        return try withExtendedLifetime(mapped) { try body(mapped.bytes) }
    }

    /// The range of the whole line (newline included) that ends at byte `end`, when `end` is a
    /// line boundary after at least one line.
    public func line(endingAt end: Int) throws(AuditError) -> Range<Int>? {
        guard end > 0, try file.size() >= end else { return nil }
        guard try file.read(offset: end - 1, count: 1) == [0x0A] else { return nil }
        return try AuditLog.lastLineRange(file, size: end)
    }

    /// The records of plan `plan` in the log from byte `offset` (a line boundary) to its last
    /// whole line, and the offset where the scan stopped. Lines of other plans are only scanned,
    /// not parsed. A line that is not a record is an error: a history with a hole in it could let
    /// a chain rule miss what the hole held. A final line without its newline is left for
    /// `append` to report as a torn tail.
    public func records(ofPlan plan: String, from offset: Int) throws(AuditError) -> (records: [PlanRecord], end: Int) {
        let mapped = try MappedFile(path: path)
        let bytes = mapped.bytes
        var found: [PlanRecord] = []
        var start = min(offset, bytes.count)
        let wanted = Array(plan.utf8)
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if end == bytes.count { break }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            guard let scanned = try? RecordScanner.scan(line), let seq = scanned.seq else {
                throw AuditError.logDoesNotVerify(path: path, firstFault: "byte \(start) starts a line that is not a record")
            }
            if let span = scanned.plan,
               span.escaped ? RecordScanner.string(span, in: line) == plan : line[span.start..<span.end].elementsEqual(wanted),
               let value = try? JSONParser.parse(Array(line)) {
                found.append(PlanRecord(offset: start, end: end + 1, seq: seq, hash: AuditLog.hash(line: line), value: value))
            }
            start = end + 1
        }
        return withExtendedLifetime(mapped) { (found, start) }
    }

    /// Appends `events` as `AuditLog.append` does (tail checked, one write, fsync) without
    /// letting go of the lock.
    @discardableResult
    public func append(events: [JSONValue], now: Date = Date()) throws(AuditError) -> [AppendedRecord] {
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

/// One record of a plan, as `LockedLog.records(ofPlan:from:)` found it.
public struct PlanRecord: Sendable {
    /// Byte offset of its line in the log.
    public let offset: Int
    /// Byte offset just past its newline.
    public let end: Int
    /// Its `seq`.
    public let seq: Int
    /// Its leaf hash (what the next record names as `prev`).
    public let hash: Digest32
    /// The record.
    public let value: JSONValue
}

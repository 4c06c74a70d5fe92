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

/// What a plan id stands for in one log: the plan as decided (`plan_digest`) and as written
/// (`plan_source_digest`). A plan id reused for other content makes another plan, which the
/// joins keep apart by digest; the commands that record decisions refuse to write it into a
/// log at all.
public struct PlanContent: Sendable, Equatable {
    /// The plan id (`plan` of its records).
    public var plan: String
    /// The digest of the plan as decided, as its decision records state it.
    public var decided: String
    /// The digest of the plan as written.
    public var written: String

    /// Creates the content of plan `plan`.
    public init(plan: String, decided: String, written: String) {
        self.plan = plan
        self.decided = decided
        self.written = written
    }
}

/// An earlier decision of a plan id that states other content than the one about to be
/// recorded.
public struct ReusedPlanID: Sendable, Equatable {
    /// Its line in the log (1-based).
    public var line: Int
    /// What it states, in words.
    public var detail: String
}

extension AuditLog {
    /// Appends `events`, the records of one run over plan `content.plan`, as `append(events:to:now:)`
    /// does, unless an earlier decision of that plan id in the log states another plan
    /// (`AuditError.planIDReused`): one made by the gate (a session), or one whose `plan_digest`
    /// differs from `content.decided` while its `plan_source_digest` is not `content.written`
    /// (the same plan, decided again, may decide differently: approvals released a step, the
    /// clock moved). A decision that states no plan digest (written by hand, or before the
    /// digests were recorded) is not compared. The log is read and appended to under one lock.
    @discardableResult
    public static func append(events: [JSONValue], to path: String, now: Date? = nil, for content: PlanContent) throws(AuditError) -> [AppendedRecord] {
        let file = try FileHandleFD(path: path, flags: O_RDWR | O_CREAT | O_APPEND)
        try file.lockExclusive()
        if let reused = try LockedLog(path: path, file: file).decision(statingOtherContentThan: content) {
            throw .planIDReused(path: path, line: reused.line, plan: content.plan, detail: reused.detail)
        }
        return try append(events: events, locked: file, path: path, now: now)
    }
}

extension LockedLog {
    /// The first decision of `content.plan` in the log that states another plan (see
    /// `AuditLog.append(events:to:now:for:)`), or nil.
    ///
    /// No index names a plan's records, so the whole log is read, in chunks; a line is scanned
    /// as a record only when its bytes hold the plan's `"plan":"ID"` member as a canonical record
    /// writes it. Such a line that does not scan as a record is an error
    /// (`AuditError.unreadablePlanRecord`): it may be the decision that states another plan.
    public func decision(statingOtherContentThan content: PlanContent) throws(AuditError) -> ReusedPlanID? {
        let size = try file.size()
        let member = Array(#""plan":"#.utf8) + CanonicalJSON.serialize(.string(content.plan))
        let decision = Array("decision".utf8)
        var buffer = ReadBuffer()
        var lineNumber = 0
        var found: ReusedPlanID?
        var unreadable: (line: Int, reason: String)?
        _ = try forEachLine(from: 0, size: size, buffer: &buffer) { line, _ in
            lineNumber += 1
            guard Self.contains(member, in: line) else { return true }
            let record: ScannedRecord
            do throws(ScanError) {
                record = try RecordScanner.scan(line)
            } catch {
                unreadable = (lineNumber, error.message)
                return false
            }
            guard let kind = record.kind, line[kind.start..<kind.end].elementsEqual(decision),
                  let plan = record.plan, RecordScanner.string(plan, in: line).isExactly(content.plan)
            else { return true }
            func value(_ name: StaticString) -> String? {
                RecordScanner.topLevelString(name, in: line).map { RecordScanner.string($0, in: line) }
            }
            if let host = value("host") {
                found = ReusedPlanID(line: lineNumber, detail: "it is the id of a session the gate decided for host \"\(host)\"")
                return false
            }
            let source = value("plan_source_digest")
            guard let decided = value("plan_digest"), decided != content.decided, source != content.written else {
                return true
            }
            let written = source.map { "a plan written as \($0)" } ?? "a plan whose written form it does not state"
            found = ReusedPlanID(
                line: lineNumber,
                detail: "its decision there is of \(written), decided as \(decided); this plan is written as \(content.written), decided as \(content.decided)")
            return false
        }
        if let unreadable {
            throw .unreadablePlanRecord(path: path, line: unreadable.line, plan: content.plan, reason: unreadable.reason)
        }
        return found
    }

    /// Whether `needle`, a member as a canonical record writes it (`"NAME":VALUE`), occurs in
    /// `line`. Most lines of a large log belong to other plans, so this is most of what reading
    /// the log costs: a search for the colon after the name, then a compare around it.
    static func contains(_ needle: [UInt8], in line: UnsafeRawBufferPointer) -> Bool {
        guard let colon = needle.firstIndex(of: UInt8(ascii: ":")), line.count >= needle.count, let base = line.baseAddress else { return false }
        var from = colon
        while from < line.count, let hit = memchr(base + from, Int32(UInt8(ascii: ":")), line.count - from) {
            let start = UnsafeRawPointer(hit) - base - colon
            if start + needle.count <= line.count,
               needle.withUnsafeBytes({ memcmp(base + start, $0.baseAddress!, needle.count) }) == 0 { return true }
            from = start + colon + 1
        }
        return false
    }
}

// Audit-log records. The input is verified and shown as a log file; then every line of it that
// is an acceptable event is appended, in memory, to a fresh log exactly as `audit append`
// writes it. Invariants: valid records never exceed the records seen; a log built only by
// appending has no record-level fault (torn, malformed, modified, missing, inserted,
// reordered) and every record counts as valid unless a join finding names it; its tree size
// is the number of records; and a signed checkpoint over it verifies. Verification cut into
// small windows prepared by another thread reports exactly what the one-window pass reports.
@testable import AuditLog
import Crypto
import JSONValue

let recordFaults: Set<FindingKind> = [.torn, .malformed, .modified, .missing, .inserted, .reordered, .truncated]
let auditSigner: NoteSigner = {
    do { return try NoteSigner(name: "fuzz.example/log", seed: [UInt8](repeating: 3, count: 32)) } catch { fatalError("\(error)") }
}()

func verifyLog(_ bytes: [UInt8]) -> VerificationReport? {
    bytes.withUnsafeBytes { raw in
        try? AuditVerifier.verify(bytes: raw, options: VerifyOptions(trustedKeys: [auditSigner.verifier]))
    }
}

/// The report with lines prepared in windows of `window` bytes, by the reader and `workers`
/// other threads.
func verifyLog(_ bytes: [UInt8], window: Int, workers: Int) -> VerificationReport? {
    var options = VerifyOptions(trustedKeys: [auditSigner.verifier])
    options.preparationWindow = window
    options.preparationWorkers = workers
    return bytes.withUnsafeBytes { raw in try? AuditVerifier.verify(bytes: raw, options: options) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuditLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    if let report = verifyLog(bytes) {
        require(report.validRecords <= report.totalRecords, "\(report.summary) on arbitrary input")
        _ = report.json
        let window = 1 + (bytes.first.map(Int.init) ?? 0) % 61
        if let windowed = verifyLog(bytes, window: window, workers: 1) {
            require(windowed.findings == report.findings && windowed.summary == report.summary && windowed.root == report.root,
                    "windows of \(window) bytes change the report: \(windowed.summary) vs \(report.summary)")
        } else {
            require(false, "windows of \(window) bytes make verification fail")
        }
    }
    _ = bytes.withUnsafeBytes { AuditLog.show(bytes: $0) }
    _ = bytes.withUnsafeBytes { AuditLog.show(bytes: $0, plan: "p") }

    var log: [UInt8] = []
    var prev = AuditLog.genesis
    var count = 0
    for line in bytes.split(separator: 0x0A) {
        guard let event = try? JSONParser.parse(Array(line)),
              let record = try? AuditLog.recordLine(event: event, seq: count, prev: prev, time: "2025-06-15T12:00:00.000Z")
        else { continue }
        log += record
        log.append(0x0A)
        prev = AuditLog.hash(line: record)
        count += 1
    }
    guard count > 0 else { return 0 }
    guard let report = verifyLog(log) else {
        require(false, "a log built by appending does not verify at all:\n\(String(decoding: log, as: UTF8.self))")
        return 0
    }
    let bad = report.findings.filter { recordFaults.contains($0.kind) }
    require(bad.isEmpty, "a log built by appending has record faults \(bad.map(\.kind)):\n\(String(decoding: log, as: UTF8.self))")
    require(report.totalRecords == count && report.treeSize == count,
            "\(count) records appended, verification saw \(report.totalRecords) (tree size \(report.treeSize))")
    if report.isIntact {
        require(report.validRecords == count, "an intact log of \(count) records reports \(report.summary)")
    }
    _ = log.withUnsafeBytes { AuditLog.show(bytes: $0) }
    return 0
}

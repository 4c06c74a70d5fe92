import Foundation
import Testing
@testable import AuditLog

/// Verification prepares lines in windows on several threads; where the windows fall and how
/// many threads there are must never change a report.
@Suite struct LinePreparationTests {
    static let hasher = FastTestHasher()

    /// Logs with every kind of damage near window edges: a modified record, a deleted one, an
    /// inserted line, a swap, a blank line, a line that is not JSON, a torn tail.
    static func damagedLogs() -> [(String, [UInt8])] {
        let lines = GeneratedLog(records: 600, hasher: hasher).lines
        var modified = lines
        modified[100][20] ^= 1
        var deleted = lines
        deleted.remove(at: 300)
        var inserted = lines
        inserted.insert(lines[50], at: 400)
        var swapped = lines
        swapped.swapAt(200, 201)
        var blank = lines
        blank.insert([], at: 250)
        var garbage = lines
        garbage.insert(Array("not json {".utf8), at: 10)
        var torn = GeneratedLog.bytes(lines)
        torn.append(contentsOf: lines[0].prefix(40))
        var tornWithNewline = GeneratedLog.bytes(lines)
        tornWithNewline.append(contentsOf: lines[0].prefix(40) + [0x0A])
        return [
            ("intact", GeneratedLog.bytes(lines)), ("modified", GeneratedLog.bytes(modified)),
            ("deleted", GeneratedLog.bytes(deleted)), ("inserted", GeneratedLog.bytes(inserted)),
            ("swapped", GeneratedLog.bytes(swapped)), ("blank line", GeneratedLog.bytes(blank)),
            ("garbage", GeneratedLog.bytes(garbage)), ("torn", torn), ("torn with newline", tornWithNewline),
            ("empty", []), ("only a torn line", Array(lines[0].prefix(40))),
        ]
    }

    static func report(_ bytes: [UInt8], window: Int?, workers: Int?) throws -> VerificationReport {
        var options = VerifyOptions()
        options.preparationWindow = window
        options.preparationWorkers = workers
        return try bytes.withUnsafeBytes { try AuditVerifier.verify(bytes: $0, options: options, hasher: hasher) }
    }

    @Test(arguments: damagedLogs().map(\.0))
    func reportsDoNotDependOnWindowsOrThreads(name: String) throws {
        let bytes = try #require(Self.damagedLogs().first { $0.0 == name }?.1)
        // One window, one thread: the plain sequential pass.
        let reference = try Self.report(bytes, window: Int.max / 2, workers: 0)
        // Window sizes around and below a record (~230 bytes), so that lines cross every edge.
        for window in [1, 2, 3, 64, 229, 230, 1000, 4096] {
            for workers in [0, 1, 3] {
                let report = try Self.report(bytes, window: window, workers: workers)
                #expect(report.findings == reference.findings, "\(name), window \(window), \(workers) workers")
                #expect(report.summary == reference.summary, "\(name), window \(window), \(workers) workers")
                #expect(report.root == reference.root && report.treeSize == reference.treeSize)
            }
        }
        if name == "intact" { #expect(reference.isIntact && reference.totalRecords == 600) }
        if name != "intact" && name != "empty" { #expect(!reference.isIntact) }
    }
}

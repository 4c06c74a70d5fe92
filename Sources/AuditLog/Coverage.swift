import JSONValue

/// How far a log is covered by a checkpoint that trusted keys signed: what a demand for a fresh
/// signed checkpoint reads.
public struct SignedCoverage: Sendable, Equatable {
    /// Records in the log.
    public var totalRecords: Int
    /// The size of the largest checkpoint signed by a trusted key that matches the log; nil
    /// when there is none.
    public var signedSize: Int?
    /// The time (milliseconds since the epoch) of the first record no such checkpoint covers;
    /// nil when every record is covered.
    public var firstUnsignedTime: Int64?
    /// Why the log cannot be relied on (a fault other than unsigned records); nil when intact.
    public var fault: String?
}

extension AuditLog {
    /// Verifies the log at `path` against `trustedKeys` and reports how far its signed
    /// checkpoints reach.
    public static func signedCoverage(logAt path: String, trustedKeys: [NoteVerifier]) throws(AuditError) -> SignedCoverage {
        let report = try verify(logAt: path, options: VerifyOptions(trustedKeys: trustedKeys))
        let fault = report.faults.first { $0.kind != .unsigned }
        let signed = report.checkpoints.filter { $0.signature == "verified" && $0.matchesLog == true }.map(\.size).max()
        var coverage = SignedCoverage(
            totalRecords: report.totalRecords, signedSize: signed, firstUnsignedTime: nil,
            fault: fault.map { "\($0.kind.rawValue): \($0.message)" })
        guard let signed, signed < report.totalRecords else { return coverage }
        let file = try MappedFile(path: path)
        let bytes = file.bytes
        var index = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if index == signed {
                if let value = try? JSONParser.parse(Array(bytes[start..<end])), let text = value["time"]?.stringValue {
                    coverage.firstUnsignedTime = Timestamp.parse(text)
                }
                break
            }
            index += 1
            start = end + 1
        }
        withExtendedLifetime(file) {}
        // A record whose time cannot be read is as old as it can be: the demand fails closed.
        if coverage.firstUnsignedTime == nil { coverage.firstUnsignedTime = Int64.min / 2 }
        return coverage
    }
}

import Basics
import Testing
@testable import AuditLog

/// Verification reads every record's `time` through `Timestamp.parse`, whose fast path reads
/// the spellings `Timestamp.format` writes; it must answer exactly as the general RFC 3339
/// parser on every text, valid or not.
@Suite struct TimestampTests {
    static func general(_ text: [UInt8]) -> Int64? {
        text.withUnsafeBytes { RFC3339.epochMilliseconds($0) }
    }

    static func parsed(_ text: [UInt8]) -> Int64? {
        text.withUnsafeBytes { Timestamp.parse($0) }
    }

    static func written(_ text: [UInt8]) -> Int64? {
        text.withUnsafeBytes { Timestamp.parseWritten($0) }
    }

    /// Texts around every field's limits, in both written spellings and others.
    static let edges: [String] = [
        "2026-03-01T12:00:05Z", "2026-03-01T12:00:05.250Z", "2026-03-01T12:00:05.000Z", "2026-03-01T12:00:05.999Z",
        "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2026-04-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-31T00:00:00Z", "2026-12-32T00:00:00Z",
        "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-09T24:00:00Z",
        "2026-01-09T23:60:00Z", "2026-01-09T23:59:60Z", "2026-01-09T23:59:61Z", "2016-12-31T23:59:60.500Z",
        "2026-01-09T23:59:59z", "2026-01-09t23:59:59Z", "2026-01-09 23:59:59Z", "2026-01-09T23:59:59+00:00",
        "2026-01-09T23:59:59.5Z", "2026-01-09T23:59:59.12Z", "2026-01-09T23:59:59.1234Z", "2026-01-09T23:59:59.Z",
        "2026-01-09T23:59:59-01:30", "2026-01-09T23:59:59.250+05:45", "2026-01-09T23:59:59", "2026-01-09T23:59:59ZZ",
        "2026-01-09T23:59:59.250", "2026-01-09T23:59:59,250Z", "2026-01-09T23:59:59.25aZ", "2026-01-09T23:59:59.250z",
        "2026/01/09T23:59:59Z", "2026-01-09T23-59-59Z", "2026-01-09T23:59;59Z", "2026-1-09T23:59:59Z",
        "+026-01-09T23:59:59Z", "2026-01-09T23:5 :59Z", "2026-01-09T23:59:5 Z", "２026-01-09T23:59:59Z",
        "", "Z", "2026-01-09", "not a time at all!!", "2026-01-09T23:59:59.250Z ",
    ]

    @Test(arguments: edges)
    func agreesOnEdges(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.parsed(bytes) == Self.general(bytes), "\(text)")
        if let fast = Self.written(bytes) { #expect(fast == Self.general(bytes), "\(text)") }
    }

    /// Every byte of the two written spellings replaced by each byte that matters to a parser:
    /// digits, separators, their neighbours in the byte order, and bytes outside ASCII.
    @Test(arguments: ["2024-02-29T23:59:60Z", "1999-12-31T00:09:59.905Z"])
    func agreesOnEveryOneByteChange(_ text: String) {
        let original = Array(text.utf8)
        let replacements: [UInt8] = Array(0x2B...0x3B) + [0x00, 0x20, 0x2A, 0x54, 0x5A, 0x74, 0x7A, 0x7F, 0x80, 0xB0, 0xFF]
        var fastAnswers = 0
        for position in original.indices {
            for byte in replacements where byte != original[position] {
                var changed = original
                changed[position] = byte
                #expect(Self.parsed(changed) == Self.general(changed), "\(String(decoding: changed, as: UTF8.self))")
                if let fast = Self.written(changed) {
                    fastAnswers += 1
                    #expect(fast == Self.general(changed), "\(String(decoding: changed, as: UTF8.self))")
                }
            }
        }
        // The fast path did read the valid changes (another digit in most places).
        #expect(fastAnswers > original.count)
    }

    /// Every day of four years (a leap year among them), at the edges of the day, in both
    /// spellings: the fast path reads them all, as the general parser does.
    @Test func readsEveryDay() {
        var days = 0
        for year: Int64 in [1970, 2000, 2023, 2024] {
            for month: Int64 in 1...12 {
                for day in 1...RFC3339.daysIn(month: month, year: year) {
                    for time in ["00:00:00Z", "23:59:59.999Z", "12:34:56.007Z"] {
                        let text = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)T" + time
                        let bytes = Array(text.utf8)
                        #expect(Self.written(bytes) != nil && Self.written(bytes) == Self.general(bytes), "\(text)")
                    }
                    days += 1
                }
            }
        }
        #expect(days == 4 * 365 + 2)
    }

    /// What `format` writes reads back to the same instant, by both paths.
    @Test(arguments: [Int64(0), -1, 1, 999, 1000, 1_772_366_405_250, 253_402_300_799_999, -62_167_219_200_000])
    func readsWhatIsWritten(_ milliseconds: Int64) {
        let bytes = Array(Timestamp.format(milliseconds: milliseconds).utf8)
        #expect(Self.written(bytes) == milliseconds)
        #expect(Self.general(bytes) == milliseconds)
    }
}

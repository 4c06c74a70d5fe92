import Testing
import Basics

struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0), Int64(0)), ("2026-01-02T03:04:05Z", 1_767_323_045, 0),
        ("2026-01-02T04:04:05+01:00", 1_767_323_045, 0), ("2026-01-02t03:04:05.25z", 1_767_323_045, 250),
        ("1969-12-31T23:59:59.9999-00:00", -1, 999), ("2024-02-29T12:00:00Z", 1_709_208_000, 0),
    ])
    func parses(text: String, seconds: Int64, millisecond: Int64) throws {
        let time = try #require(RFC3339.parseDateTime(text))
        #expect(time.epochSeconds == seconds)
        #expect(time.millisecond == millisecond)
    }

    @Test(arguments: [
        "", "2026-01-02", "2026-01-02T03:04:05", "2026-13-02T03:04:05Z", "2026-01-32T03:04:05Z",
        "2026-01-02T24:00:00Z", "2026-01-02T03:60:00Z", "2026-01-02T03:04:61Z", "2026-01-02T03:04:05.Z",
        "2026-01-02T03:04:05+24:00", "2026-01-02T03:04:05+01", "2026-01-02T03:04:05Zx", "2026-01-02 03:04:05Z",
        "20x6-01-02T03:04:05Z",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parseDateTime(text) == nil)
    }

    @Test func spaceSeparatorOnRequest() {
        #expect(RFC3339.parseDateTime("2026-01-02 03:04:05Z", allowingSpaceSeparator: true)?.epochSeconds == 1_767_323_045)
    }

    @Test func leavesTheDayOfTheMonthAndLeapSecondToTheCaller() throws {
        let time = try #require(RFC3339.parseDateTime("2026-02-30T23:59:60Z"))
        #expect(time.day == 30 && time.second == 60)
        #expect(RFC3339.daysIn(month: 2, year: 2026) == 28)
        #expect(RFC3339.daysIn(month: 2, year: 2000) == 29)
        #expect(RFC3339.daysIn(month: 2, year: 1900) == 28)
    }

    @Test func fullDates() {
        #expect(RFC3339.parseFullDate("2026-03-01")! == (2026, 3, 1))
        #expect(RFC3339.parseFullDate("2026-3-01") == nil)
        #expect(RFC3339.parseFullDate("2026-00-01") == nil)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (1_767_323_045_250, "2026-01-02T03:04:05.250Z"),
        (-1, "1969-12-31T23:59:59.999Z"), (951_782_400_000, "2000-02-29T00:00:00Z"),
    ])
    func formats(milliseconds: Int64, text: String) {
        #expect(RFC3339.format(epochMilliseconds: milliseconds) == text)
        if milliseconds % 1000 == 0 { #expect(RFC3339.format(epochSeconds: milliseconds / 1000) == text) }
    }

    @Test func civilRoundTrip() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = RFC3339.civilFromDays(days)
            #expect(RFC3339.daysFromCivil(year: y, month: m, day: d) == days)
            #expect((1...RFC3339.daysIn(month: m, year: y)).contains(d))
        }
    }

    /// The one reading of a time a person writes (`--now`, a test suite's clock).
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0), ("2027-01-15T08:00:00Z", 1_800_000_000_000), ("2027-01-15T09:00:00+01:00", 1_800_000_000_000),
        ("2027-01-15T08:00:00.999Z", 1_800_000_000_999), ("2000-02-29T12:00:00Z", 951_825_600_000), ("2024-02-29", 1_709_164_800_000),
        ("2016-12-31T23:59:60Z", 1_483_228_799_000),
    ] as [(String, Int64)])
    func instants(text: String, milliseconds: Int64) {
        #expect(RFC3339.instant(text) == milliseconds)
    }

    @Test(arguments: ["2027-13-01T00:00:00Z", "2023-02-29", "2023-02-29T00:00:00Z", "2027-01-15T08:00:00", "2027-01-15T08:00:00+0100",
                      "2027-01-15 08:00:00Z", "yesterday", "2027-01-15T25:00:00Z", "1800000000", ""])
    func notInstants(text: String) {
        #expect(RFC3339.instant(text) == nil)
    }
}

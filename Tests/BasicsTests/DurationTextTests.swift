import Testing
import Basics

struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Int64(250)), ("90s", 90_000), ("5m", 300_000), ("1h", 3_600_000), ("1h30m", 5_400_000),
        ("1d2h3m4s5ms", 93_784_005), ("0ms", 0),
    ])
    func valid(text: String, milliseconds: Int64) {
        #expect(DurationText.milliseconds(text) == milliseconds)
        #expect(DurationText.milliseconds(DurationText.format(milliseconds: milliseconds)) == milliseconds)
    }

    @Test(arguments: ["", "5", "m", "5x", "-5m", "1h1h", "30m1h", "5 m", "5M", "1.5h", "99999999999999999999s", "9223372036854775807d"])
    func invalid(text: String) {
        #expect(DurationText.milliseconds(text) == nil)
    }

    @Test func formatsShortest() {
        #expect(DurationText.format(milliseconds: 90_000) == "1m30s")
        #expect(DurationText.format(milliseconds: 0) == "0s")
        #expect(DurationText.format(milliseconds: 3_600_250) == "1h250ms")
    }
}

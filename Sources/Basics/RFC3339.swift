/// RFC 3339 date-times and the proleptic Gregorian calendar arithmetic behind them.
///
/// Parsing checks the syntax and each field's range as the RFC's grammar gives it (month
/// 01-12, day 01-31, hour 00-23, minute 00-59, second 00-60, offset up to 23:59). Whether the
/// day exists in that month, and what a leap second `:60` means, differ between the formats
/// built on it, so those checks are left to the caller (see `daysIn(month:year:)`).
public enum RFC3339 {
    /// The fields of a date-time as written.
    public struct DateTime: Equatable, Sendable {
        public var year: Int64
        public var month: Int64
        public var day: Int64
        public var hour: Int64
        public var minute: Int64
        public var second: Int64
        /// The first three digits of the fraction of a second, as milliseconds (`.5` is 500);
        /// further digits are dropped.
        public var millisecond: Int64
        /// The offset from UTC in seconds: `+01:00` is 3600, `Z` is 0.
        public var utcOffsetSeconds: Int64

        /// Whole seconds since 1970-01-01T00:00:00Z, fraction dropped. A leap second `:60`
        /// counts as the first second of the next minute.
        public var epochSeconds: Int64 {
            RFC3339.daysFromCivil(year: year, month: month, day: day) * 86_400
                + hour * 3600 + minute * 60 + second - utcOffsetSeconds
        }
    }

    /// Reads `YYYY-MM-DD(T|t)hh:mm:ss[.fraction](Z|z|+hh:mm|-hh:mm)` spelled by `bytes`, or nil.
    /// With `allowingSpaceSeparator`, a space may separate the date and the time (RFC 3339
    /// section 5.6 allows it by mutual agreement).
    public static func parseDateTime(_ b: UnsafeRawBufferPointer, allowingSpaceSeparator: Bool = false) -> DateTime? {
        guard b.count >= 20,
            let year = digits(b, 0, 4), b[4] == UInt8(ascii: "-"),
            let month = digits(b, 5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(b, 8, 2),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || (allowingSpaceSeparator && b[10] == UInt8(ascii: " ")),
            let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"),
            let minute = digits(b, 14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(b, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var i = 19
        var millisecond: Int64 = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if count < 3 { millisecond = millisecond * 10 + Int64(b[i] - 0x30) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) { millisecond *= 10 }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let hours = digits(b, i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                let minutes = digits(b, i + 4, 2), hours <= 23, minutes <= 59
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        return DateTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            millisecond: millisecond, utcOffsetSeconds: offset)
    }

    /// Reads a date-time from `text`; see `parseDateTime(_:allowingSpaceSeparator:)`.
    public static func parseDateTime(_ text: String, allowingSpaceSeparator: Bool = false) -> DateTime? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { parseDateTime($0, allowingSpaceSeparator: allowingSpaceSeparator) }
    }

    /// Milliseconds since the epoch of the RFC 3339 date-time spelled by `bytes` (any offset,
    /// any fraction, of which milliseconds are kept), or nil. The day must exist in its month;
    /// a leap second reads as the last second of its minute.
    public static func epochMilliseconds(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard let time = parseDateTime(b), time.day <= daysIn(month: time.month, year: time.year) else { return nil }
        return (time.epochSeconds - (time.second == 60 ? 1 : 0)) * 1000 + time.millisecond
    }

    /// The instant `text` names, in milliseconds since the epoch: an RFC 3339 date-time (see
    /// `epochMilliseconds(_:)`) or a full date `YYYY-MM-DD` (its midnight, UTC); nil otherwise.
    /// Every time stepguard reads from a person (`--now`, a test suite's clock) goes through it.
    public static func instant(_ text: String) -> Int64? {
        if let date = parseFullDate(text) {
            guard date.day <= daysIn(month: date.month, year: date.year) else { return nil }
            return daysFromCivil(year: date.year, month: date.month, day: date.day) * 86_400_000
        }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { epochMilliseconds($0) }
    }

    /// Reads a full date `YYYY-MM-DD` (month 01-12, day 01-31), or nil.
    public static func parseFullDate(_ text: String) -> (year: Int64, month: Int64, day: Int64)? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { b -> (year: Int64, month: Int64, day: Int64)? in
            guard b.count == 10, let year = digits(b, 0, 4), b[4] == UInt8(ascii: "-"),
                let month = digits(b, 5, 2), b[7] == UInt8(ascii: "-"), let day = digits(b, 8, 2),
                (1...12).contains(month), (1...31).contains(day)
            else { return nil }
            return (year, month, day)
        }
    }

    /// `YYYY-MM-DDThh:mm:ssZ` in UTC for seconds since the epoch, with `.mmm` added when
    /// `millisecond` (0-999) is not zero.
    public static func format(epochSeconds: Int64, millisecond: Int64 = 0) -> String {
        let (days, secondOfDay) = floorDivide(epochSeconds, 86_400)
        let (year, month, day) = civilFromDays(days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if millisecond != 0 { text += "." + pad(millisecond, 3) }
        return text + "Z"
    }

    /// `YYYY-MM-DDThh:mm:ss[.mmm]Z` in UTC for milliseconds since the epoch; the fraction is
    /// written only when it is not zero.
    public static func format(epochMilliseconds: Int64) -> String {
        let (seconds, millisecond) = floorDivide(epochMilliseconds, 1000)
        return format(epochSeconds: seconds, millisecond: millisecond)
    }

    /// Whether `year` is a leap year in the proleptic Gregorian calendar.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1-12) of `year`.
    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (`month` 1-12), by the era-based
    /// method: exact for every year an `Int64` count of days can hold.
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (negative: before).
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func digits(_ b: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Int64? {
        guard at + count <= b.count else { return nil }
        var value: Int64 = 0
        for k in at..<(at + count) {
            let c = b[k]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int64(c - 0x30)
        }
        return value
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }
}

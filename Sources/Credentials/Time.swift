/// Durations and timestamps as they appear in arguments and policy annotations.
public enum CredentialTime {
    /// Seconds in a duration such as `90`, `30s`, `5m`, `1h`, `1h30m` or `2d`.
    public static func parseDuration(_ text: String) throws(CredentialsError) -> Int64 {
        let chars = Array(text.utf8)
        guard !chars.isEmpty else { throw .invalidTime("empty duration; use e.g. 30s, 5m or 1h") }
        if chars.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard chars.count <= 12, let seconds = Int64(text) else { throw .invalidTime("duration \"\(text)\" is too large") }
            return seconds
        }
        var total: Int64 = 0
        var number: Int64 = 0
        var digits = 0
        var lastUnit = Int64.max
        for c in chars {
            if c >= 0x30 && c <= 0x39 {
                digits += 1
                guard digits <= 9 else { throw .invalidTime("duration \"\(text)\" is too large") }
                number = number * 10 + Int64(c - 0x30)
                continue
            }
            let unit: Int64
            switch c {
            case UInt8(ascii: "s"): unit = 1
            case UInt8(ascii: "m"): unit = 60
            case UInt8(ascii: "h"): unit = 3600
            case UInt8(ascii: "d"): unit = 86400
            default: throw .invalidTime("duration \"\(text)\" has an unknown unit; use s, m, h or d, e.g. 30s, 5m, 1h")
            }
            guard digits > 0, unit < lastUnit else {
                throw .invalidTime("duration \"\(text)\" is not of the form 1h30m, 5m, 30s")
            }
            total += number * unit
            number = 0
            digits = 0
            lastUnit = unit
        }
        guard digits == 0 else { throw .invalidTime("duration \"\(text)\" ends without a unit; write e.g. \(text)s") }
        return total
    }

    /// Seconds since the epoch from integer seconds or an RFC 3339 timestamp
    /// (`2026-01-02T03:04:05Z`, `2026-01-02T04:04:05+01:00`, fractions of a second dropped).
    public static func parseTimestamp(_ text: String) throws(CredentialsError) -> Int64 {
        if let seconds = Int64(text) { return seconds }
        func fail() -> CredentialsError {
            .invalidTime("\"\(text)\" is neither seconds since the epoch nor an RFC 3339 time like 2026-01-02T03:04:05Z")
        }
        let c = Array(text.utf8)
        func number(_ range: Range<Int>) throws(CredentialsError) -> Int64 {
            guard range.upperBound <= c.count else { throw fail() }
            var value: Int64 = 0
            for i in range {
                guard c[i] >= 0x30 && c[i] <= 0x39 else { throw fail() }
                value = value * 10 + Int64(c[i] - 0x30)
            }
            return value
        }
        guard c.count >= 20, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"),
            c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: "t") || c[10] == UInt8(ascii: " "),
            c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":")
        else { throw fail() }
        let year = try number(0..<4), month = try number(5..<7), day = try number(8..<10)
        let hour = try number(11..<13), minute = try number(14..<16), second = try number(17..<19)
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { throw fail() }
        var index = 19
        if index < c.count && c[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < c.count && c[index] >= 0x30 && c[index] <= 0x39 { index += 1 }
            guard index > start else { throw fail() }
        }
        guard index < c.count else { throw fail() }
        var offset: Int64 = 0
        switch c[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == c.count else { throw fail() }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == c.count, c[index + 3] == UInt8(ascii: ":") else { throw fail() }
            let hours = try number((index + 1)..<(index + 3)), minutes = try number((index + 4)..<(index + 6))
            guard hours < 24, minutes < 60 else { throw fail() }
            offset = (hours * 3600 + minutes * 60) * (c[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            throw fail()
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        return days * 86400 + hour * 3600 + minute * 60 + second - offset
    }

    /// RFC 3339 UTC text for seconds since the epoch.
    public static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }

    // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's civil algorithms).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

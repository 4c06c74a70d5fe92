import JSONValue

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
        // Leniencies kept for `--now` and token times: a space may stand for the `T`, and
        // the day is only checked to be 01-31 (a day past the month's end rolls over).
        guard let time = RFC3339.parseDateTime(text, allowingSpaceSeparator: true) else { throw fail() }
        return time.epochSeconds
    }

    /// RFC 3339 UTC text for seconds since the epoch.
    public static func format(_ seconds: Int64) -> String {
        RFC3339.format(epochSeconds: seconds)
    }
}

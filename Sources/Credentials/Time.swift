import Basics
import JSONValue

/// Durations and timestamps as they appear in arguments and policy annotations.
public enum CredentialTime {
    /// Whole seconds in a duration written in the shared notation (`30s`, `5m`, `1h30m`, `2d`).
    public static func parseDuration(_ text: String) throws(CredentialsError) -> Int64 {
        guard !text.isEmpty else { throw .invalidTime("empty duration; use e.g. 30s, 5m or 1h") }
        guard let milliseconds = DurationText.milliseconds(text) else {
            if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                throw .invalidTime("duration \"\(text)\" has no unit; write e.g. \(text)s")
            }
            throw .invalidTime("duration \"\(text)\" is not of the form 1h30m, 5m, 30s")
        }
        guard milliseconds % 1000 == 0 else {
            throw .invalidTime("duration \"\(text)\" is not a whole number of seconds; credentials count in seconds")
        }
        return milliseconds / 1000
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

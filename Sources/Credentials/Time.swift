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

    /// RFC 3339 UTC text for seconds since the epoch.
    public static func format(_ seconds: Int64) -> String {
        RFC3339.format(epochSeconds: seconds)
    }
}

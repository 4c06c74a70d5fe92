import Basics
import JSONValue

/// Duration-valued options: the shared duration notation (`DurationText`) read as a `Duration`.
public enum DurationParser {
    /// The duration `text` denotes, or nil when it is not one (or does not fit in 64 bits of
    /// milliseconds).
    public static func parse(_ text: String) -> Duration? {
        milliseconds(text).map { Duration.milliseconds($0) }
    }

    /// The number of milliseconds `text` denotes, or nil.
    public static func milliseconds(_ text: String) -> Int64? { DurationText.milliseconds(text) }

    /// The shortest spelling of a number of milliseconds: `90000` → `1m30s`.
    public static func format(milliseconds: Int64) -> String { DurationText.format(milliseconds: milliseconds) }
}

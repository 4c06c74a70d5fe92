import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue

/// RFC 3339 timestamps as records carry them, held as milliseconds since the Unix epoch.
///
/// Written in UTC with a `Z`, to the second, with three fraction digits only when the
/// milliseconds are not zero: `2026-03-01T12:00:05Z`, `2026-03-01T12:00:05.250Z`. Read with
/// any fraction and any numeric offset.
public enum Timestamp {
    /// Milliseconds since the epoch for `date` (rounded toward negative infinity).
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The RFC 3339 UTC text of `date`.
    public static func format(_ date: Date) -> String {
        format(milliseconds: milliseconds(date))
    }

    /// The RFC 3339 UTC text of an instant given in milliseconds since the epoch.
    public static func format(milliseconds ms: Int64) -> String {
        RFC3339.format(epochMilliseconds: ms)
    }

    /// Milliseconds since the epoch of an RFC 3339 date-time, or nil when it is not one.
    public static func parse(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Milliseconds since the epoch of an RFC 3339 date-time spelled by `bytes`, or nil
    /// (`RFC3339.epochMilliseconds`).
    static func parse(_ b: UnsafeRawBufferPointer) -> Int64? {
        RFC3339.epochMilliseconds(b)
    }
}

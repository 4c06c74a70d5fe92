import Basics
import Foundation
import JSONValue

/// A point in time, to the second, in UTC. Evaluations read the clock once; tests pin it.
public struct Clock: Sendable, Equatable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var epochSeconds: Int64

    /// A fixed time.
    public init(epochSeconds: Int64) {
        self.epochSeconds = epochSeconds
    }

    /// The current time.
    public static func now() -> Clock {
        Clock(epochSeconds: Int64(Date().timeIntervalSince1970.rounded(.down)))
    }

    /// Reads `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ` (UTC); nil otherwise.
    public init?(iso8601 text: String) {
        if let date = RFC3339.parseFullDate(text) {
            guard date.day <= RFC3339.daysIn(month: date.month, year: date.year) else { return nil }
            epochSeconds = RFC3339.daysFromCivil(year: date.year, month: date.month, day: date.day) * 86_400
            return
        }
        // Only the one UTC spelling: no fraction, no offset, upper-case `T` and `Z`, no leap second.
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z"),
              let time = RFC3339.parseDateTime(text), time.second < 60,
              time.day <= RFC3339.daysIn(month: time.month, year: time.year) else { return nil }
        epochSeconds = time.epochSeconds
    }

    /// `YYYY-MM-DDThh:mm:ssZ`.
    public var description: String {
        RFC3339.format(epochSeconds: epochSeconds)
    }
}

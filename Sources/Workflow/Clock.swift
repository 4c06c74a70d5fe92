import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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

    /// Reads an RFC 3339 date-time or a date (`RFC3339.instant`), to the second (a fraction is
    /// dropped); nil otherwise.
    public init?(iso8601 text: String) {
        guard let milliseconds = RFC3339.instant(text) else { return nil }
        epochSeconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
    }

    /// `YYYY-MM-DDThh:mm:ssZ`.
    public var description: String {
        RFC3339.format(epochSeconds: epochSeconds)
    }
}

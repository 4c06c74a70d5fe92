import Foundation

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
        let scalars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= scalars.count else { return nil }
            var value: Int64 = 0
            for index in range {
                let byte = scalars[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard scalars.count == 10 || scalars.count == 20,
              let year = number(0..<4), scalars[4] == UInt8(ascii: "-"), let month = number(5..<7),
              scalars[7] == UInt8(ascii: "-"), let day = number(8..<10),
              (1...12).contains(month), day >= 1, day <= Clock.daysIn(month: month, year: year) else { return nil }
        var seconds: Int64 = 0
        if scalars.count == 20 {
            guard scalars[10] == UInt8(ascii: "T"), let hour = number(11..<13), scalars[13] == UInt8(ascii: ":"),
                  let minute = number(14..<16), scalars[16] == UInt8(ascii: ":"), let second = number(17..<19),
                  scalars[19] == UInt8(ascii: "Z"), hour < 24, minute < 60, second < 60 else { return nil }
            seconds = hour * 3600 + minute * 60 + second
        }
        epochSeconds = Clock.daysFromCivil(year: year, month: month, day: day) * 86_400 + seconds
    }

    /// `YYYY-MM-DDThh:mm:ssZ`.
    public var description: String {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let rest = epochSeconds - days * 86_400
        let (year, month, day) = Clock.civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Proleptic Gregorian calendar conversions (days since 1970-01-01).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

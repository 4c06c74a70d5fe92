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
    ///
    /// Every record's `time` is read when a log is verified (5 % of its CPU time, `perf`), so
    /// the two spellings `format` writes are read by `parseWritten`; anything else, and any
    /// text that path does not accept, is read by the general parser, which answers for it.
    static func parse(_ b: UnsafeRawBufferPointer) -> Int64? {
        if let milliseconds = parseWritten(b) { return milliseconds }
        return RFC3339.epochMilliseconds(b)
    }

    /// The instant of `YYYY-MM-DDThh:mm:ssZ` or `YYYY-MM-DDThh:mm:ss.mmmZ` with every field in
    /// range, the day in its month, read eight bytes at a time; nil for any other text (which
    /// may still be a date-time in another spelling). Where it answers it answers as
    /// `RFC3339.epochMilliseconds`, a leap second included; a test holds it to that on valid
    /// and invalid texts.
    static func parseWritten(_ b: UnsafeRawBufferPointer) -> Int64? {
        let count = b.count
        guard count == 20 || count == 24, let base = b.baseAddress else { return nil }
        // `YYYY-MM-`, `DDThh:mm` and `:ss` with the byte after it, as little-endian words: byte
        // k of a word is the text's byte at the word's offset plus k.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let zeros = ones &* 0x30
        let head = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        let middle = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let tail = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        // Separators: '-' at 4 and 7, 'T' at 10, ':' at 13, 16; the byte after the seconds.
        let headSeparators: UInt64 = 0x2D00_002D_0000_0000
        let middleSeparators: UInt64 = 0x0000_3A00_0054_0000
        guard head & 0xFF00_00FF_0000_0000 == headSeparators,
              middle & 0x0000_FF00_00FF_0000 == middleSeparators,
              tail & 0xFF == 0x3A
        else { return nil }
        // Digits: the other bytes, each in '0'...'9'.
        @inline(__always) func allDigits(_ word: UInt64, _ mask: UInt64) -> Bool {
            // A digit xor '0' is 0...9: no high nibble, and adding 0x76 leaves the byte under 0x80.
            let value = (word ^ zeros) & mask
            return value & (ones &* 0xF0) == 0 && (value &+ ((ones &* 0x76) & mask)) & (ones &* 0x80) == 0
        }
        let headDigits: UInt64 = 0x00FF_FF00_FFFF_FFFF
        let middleDigits: UInt64 = 0xFFFF_00FF_FF00_FFFF
        let tailDigits: UInt64 = 0x0000_0000_00FF_FF00
        guard allDigits(head, headDigits), allDigits(middle, middleDigits), allDigits(tail, tailDigits) else { return nil }
        @inline(__always) func digit(_ word: UInt64, _ index: Int) -> Int64 { Int64((word >> (8 * UInt64(index))) & 0xFF) - 0x30 }
        var millisecond: Int64 = 0
        if count == 20 {
            guard tail >> 24 == UInt64(UInt8(ascii: "Z")) else { return nil }
        } else {
            let fraction = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            guard fraction >> 24 & 0xFF == UInt64(UInt8(ascii: ".")), fraction >> 56 == UInt64(UInt8(ascii: "Z")),
                  allDigits(fraction, 0x00FF_FFFF_0000_0000) else { return nil }
            millisecond = digit(fraction, 4) * 100 + digit(fraction, 5) * 10 + digit(fraction, 6)
        }
        let year = digit(head, 0) * 1000 + digit(head, 1) * 100 + digit(head, 2) * 10 + digit(head, 3)
        let month = digit(head, 5) * 10 + digit(head, 6)
        let day = digit(middle, 0) * 10 + digit(middle, 1)
        let hour = digit(middle, 3) * 10 + digit(middle, 4)
        let minute = digit(middle, 6) * 10 + digit(middle, 7)
        let second = digit(tail, 1) * 10 + digit(tail, 2)
        guard month >= 1, month <= 12, day >= 1, day <= RFC3339.daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        // A leap second reads as the last second of its minute, as in the general parser.
        let seconds = RFC3339.daysFromCivil(year: year, month: month, day: day) * 86_400
            + hour * 3600 + minute * 60 + min(second, 59)
        return seconds * 1000 + millisecond
    }
}

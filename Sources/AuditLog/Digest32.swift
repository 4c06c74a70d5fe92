import Crypto

/// A 32-byte hash value (SHA-256 output), held inline so that hashing a record or a tree node
/// allocates nothing for the result.
public struct Digest32: Hashable, Sendable, Comparable, CustomStringConvertible {
    // Four big-endian words: word 0 holds bytes 0..7.
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    /// The all-zero digest; also the `prev` of the first record of a log.
    public static let zero = Digest32(w0: 0, w1: 0, w2: 0, w3: 0)

    @usableFromInline init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// The digest spelled by exactly 32 bytes, or nil for any other length. (Inlinable, as
    /// `Hex.encode` is.)
    @inlinable
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var i = 0
        for byte in bytes {
            let word = i >> 3
            let value = UInt64(byte)
            switch word {
            case 0: words.0 = words.0 << 8 | value
            case 1: words.1 = words.1 << 8 | value
            case 2: words.2 = words.2 << 8 | value
            default: words.3 = words.3 << 8 | value
            }
            i += 1
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// Reads 32 bytes at `pointer`.
    @inlinable
    public init(loading pointer: UnsafeRawPointer) {
        self.init(
            w0: UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            w1: UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            w2: UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            w3: UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// The digest spelled by 64 hex digits (either case), or nil.
    public init?(hex: String) {
        var utf8 = Array(hex.utf8)
        guard let value = utf8.withUnsafeMutableBytes({ Digest32(hexBytes: UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self = value
    }

    /// The digest spelled by 64 hex digits in `hexBytes`, or nil.
    @inlinable
    public init?(hexBytes: UnsafeRawBufferPointer) {
        guard hexBytes.count == 64, let base = hexBytes.baseAddress,
              let a = Digest32.hexWord(base), let b = Digest32.hexWord(base + 16),
              let c = Digest32.hexWord(base + 32), let d = Digest32.hexWord(base + 48)
        else { return nil }
        self.init(w0: a, w1: b, w2: c, w3: d)
    }

    /// The value of 16 hex digits (either case) at `p`, or nil when one is not a hex digit.
    @inlinable
    static func hexWord(_ p: UnsafeRawPointer) -> UInt64? {
        guard let high = hexHalfWord(p), let low = hexHalfWord(p + 8) else { return nil }
        return high << 32 | low
    }

    /// The value of 8 hex digits at `p`, all eight checked and converted at once in one word.
    @inlinable @inline(__always)
    static func hexHalfWord(_ p: UnsafeRawPointer) -> UInt64? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // Byte 0 of `x` is the first digit.
        let x = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        // For bytes below 0x80, adding 0x80 - lo sets a byte's high bit when it is at least lo,
        // and adding 0x7F - hi when it is above hi; no carry crosses into the next byte.
        @inline(__always) func within(_ v: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
            (v &+ ones &* (0x80 - lo)) & ~(v &+ ones &* (0x7F - hi)) & highs
        }
        let digits = within(x, 0x30, 0x39)
        let letters = within(x | ones &* 0x20, 0x61, 0x66)
        guard x & highs == 0, digits | letters == highs else { return nil }
        // '0'...'9' -> 0...9 and 'a'/'A'...'f'/'F' -> 10...15: the low four bits, plus 9 for letters.
        var v = (x & (ones &* 0x0F)) &+ (((x >> 6) & ones) &* 9)
        // Pack the eight nibbles, first digit most significant.
        v = ((v << 4) | (v >> 8)) & 0x00FF_00FF_00FF_00FF
        v = ((v << 8) | (v >> 16)) & 0x0000_FFFF_0000_FFFF
        v = ((v << 16) | (v >> 32)) & 0x0000_0000_FFFF_FFFF
        return v
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { store(into: $0.baseAddress!) }
        return out
    }

    /// Writes the 32 bytes at `pointer`.
    @inlinable
    public func store(into pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// Lower-case hex, 64 digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { out in
            let digits: StaticString = "0123456789abcdef"
            let table = digits.utf8Start
            var k = 0
            for word in [w0, w1, w2, w3] {
                var shift: UInt64 = 60
                for _ in 0..<16 {
                    out[k] = table[Int(truncatingIfNeeded: (word >> shift) & 0x0F)]
                    k += 1
                    shift &-= 4
                }
            }
            return 64
        }
    }

    /// Standard base64 (RFC 4648 §4), as checkpoints carry root hashes.
    public var base64: String { StandardBase64.encode(bytes) }

    public var description: String { hex }

    /// Compares `self` with 64 hex digits at `hexBytes` without decoding into a new value.
    @inlinable
    public func matches(hexBytes: UnsafeRawBufferPointer) -> Bool {
        guard let other = Digest32(hexBytes: hexBytes) else { return false }
        return other == self
    }

    public static func < (a: Digest32, b: Digest32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

/// Standard base64 with padding (RFC 4648 §4), as signed notes and checkpoints use it.
enum StandardBase64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `bytes` as padded standard base64.
    static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)]); out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let n = UInt32(input[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "=")); out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)]); out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of padded standard base64 `text`, or nil when it is not canonical base64
    /// (wrong length, foreign characters, non-zero padding bits).
    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            var n: UInt32 = 0
            var pad = 0
            for j in 0..<4 {
                let c = chars[i + j]
                let v: UInt32
                switch c {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
                case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a") + 26)
                case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0") + 52)
                case UInt8(ascii: "+"): v = 62
                case UInt8(ascii: "/"): v = 63
                case UInt8(ascii: "="):
                    // Padding only at the end of the last quantum.
                    guard i + 4 == chars.count, j >= 2 else { return nil }
                    pad += 1
                    v = 0
                default: return nil
                }
                if pad > 0 && c != UInt8(ascii: "=") { return nil }
                n = n << 6 | v
            }
            out.append(UInt8(n >> 16 & 0xff))
            if pad < 2 { out.append(UInt8(n >> 8 & 0xff)) } else if n >> 8 & 0xff != 0 { return nil }
            if pad < 1 { out.append(UInt8(n & 0xff)) } else if n & 0xff != 0 { return nil }
            i += 4
        }
        return out
    }
}

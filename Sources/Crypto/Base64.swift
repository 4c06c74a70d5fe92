/// Base64 (RFC 4648 §4) and base64url (§5) codecs.
///
/// Decoding is strict: characters outside the alphabet, misplaced or (for base64url) any padding,
/// and non-zero leftover bits are all refused, so every byte string has exactly one accepted
/// encoding. Tokens rely on that: a signature must not verify under two spellings.
public enum Base64 {
    private static let standardAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let standardTable = decodingTable(standardAlphabet)
    private static let urlTable = decodingTable(urlAlphabet)

    private static func decodingTable(_ alphabet: [UInt8]) -> [UInt8] {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }

    /// Standard base64 with `=` padding.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        encode(Array(bytes), alphabet: standardAlphabet, pad: true)
    }

    /// base64url without padding, as JOSE uses it.
    public static func urlEncode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        encode(Array(bytes), alphabet: urlAlphabet, pad: false)
    }

    /// Decodes standard padded base64; nil when `text` is not canonical base64.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8), table: standardTable, padded: true)
    }

    /// Decodes standard base64 ignoring ASCII whitespace (line breaks in PEM bodies).
    public static func decodeIgnoringWhitespace(_ text: String) -> [UInt8]? {
        let chars = text.utf8.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0a && $0 != 0x0d }
        return decode(chars, table: standardTable, padded: true)
    }

    /// Decodes unpadded base64url; nil when `text` is not canonical base64url.
    public static func urlDecode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8), table: urlTable, padded: false)
    }

    /// Decodes unpadded base64url from raw bytes; nil when not canonical base64url.
    public static func urlDecode<Bytes: Collection>(bytes: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        decode(Array(bytes), table: urlTable, padded: false)
    }

    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], pad: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if pad { out.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")]) }
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            if pad { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ input: [UInt8], table: [UInt8], padded: Bool) -> [UInt8]? {
        var chars = input[...]
        if padded {
            guard chars.count % 4 == 0 else { return nil }
            if chars.last == UInt8(ascii: "=") { chars = chars.dropLast() }
            if chars.last == UInt8(ascii: "=") { chars = chars.dropLast() }
        }
        if chars.count % 4 == 1 { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for c in chars {
            let v = table[Int(c)]
            if v == 0xff { return nil }
            accumulator = accumulator << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Leftover bits must be zero, or two spellings would decode to the same bytes.
        if accumulator != 0 { return nil }
        return out
    }
}

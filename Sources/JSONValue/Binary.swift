// A compact binary form for values that are expensive to rebuild from their text (compiled
// policy sets, entity stores): unsigned LEB128 integers, length-prefixed UTF-8 strings. The
// reader never traps on bad input: every read is bounds-checked and a short or malformed input
// throws, so a damaged file is an error its caller can set aside.

/// Appends values to a byte buffer.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public internal(set) var bytes: [UInt8] {
        get { written }
        set { written = newValue }
    }
    // The small writers below are inlinable: a compiled policy or a session index is tens of
    // thousands of numbers and bytes, each otherwise a call into this module.
    @usableFromInline var written: [UInt8] = []

    /// An empty buffer.
    public init() {}

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Writes raw bytes as they are.
    public mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// Writes bytes as they are, from where they lie.
    public mutating func raw(_ data: ArraySlice<UInt8>) { bytes.append(contentsOf: data) }

    /// Writes one byte.
    @inlinable public mutating func byte(_ value: UInt8) { written.append(value) }

    /// Writes a boolean as one byte.
    @inlinable public mutating func bool(_ value: Bool) { written.append(value ? 1 : 0) }

    /// Writes an unsigned integer (LEB128).
    @inlinable public mutating func uint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            written.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        written.append(UInt8(v))
    }

    /// Writes a non-negative count or index.
    @inlinable public mutating func count(_ value: Int) { uint(UInt64(max(0, value))) }

    /// Writes a signed integer (zigzag, then LEB128).
    public mutating func int(_ value: Int64) {
        uint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes a string: its UTF-8 length, then its bytes (so ids that differ only in bytes stay
    /// different).
    public mutating func string(_ value: String) {
        let utf8 = value.utf8
        count(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// Writes an optional string: a presence byte, then the string.
    public mutating func optionalString(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }
}

/// Why a binary form could not be read.
public struct BinaryFormatError: Error, Sendable, Equatable {
    /// What was wrong.
    public let message: String
    /// Byte offset where reading stopped.
    public let offset: Int

    /// Creates an error.
    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}

/// Reads what `BinaryWriter` wrote, from a byte array, checking every bound.
public struct BinaryReader: Sendable {
    // The small readers below are inlinable, as the writer's are.
    @usableFromInline let bytes: [UInt8]
    /// The next byte to read.
    public var offset: Int { at }
    @usableFromInline var at: Int

    /// A reader over `bytes` from `offset`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.at = offset
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// How many bytes are left to read.
    public var remaining: Int { bytes.count - offset }

    /// An error at the current offset.
    @inlinable public func fail(_ message: String) -> BinaryFormatError { BinaryFormatError(message, offset: at) }

    /// Reads `n` raw bytes.
    @inlinable public mutating func raw(_ n: Int) throws(BinaryFormatError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - at else { throw fail("truncated: \(n) bytes wanted") }
        defer { at += n }
        return bytes[at..<at + n]
    }

    /// Reads one byte.
    @inlinable public mutating func byte() throws(BinaryFormatError) -> UInt8 {
        guard at < bytes.count else { throw fail("truncated") }
        defer { at += 1 }
        return bytes[at]
    }

    /// Reads a boolean; any byte but 0 and 1 is an error.
    @inlinable public mutating func bool() throws(BinaryFormatError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw fail("not a boolean")
        }
    }

    /// Reads an unsigned integer (LEB128, at most ten bytes).
    @inlinable public mutating func uint() throws(BinaryFormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw fail("integer too large") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw fail("integer too large") }
        }
    }

    /// Reads a count no larger than the bytes left (each counted item takes at least one byte),
    /// so a damaged count can never ask for a huge allocation.
    @inlinable public mutating func count() throws(BinaryFormatError) -> Int {
        let n = try uint()
        guard n <= UInt64(bytes.count - at) else { throw fail("count \(n) exceeds the data left") }
        return Int(n)
    }

    /// Reads a signed integer.
    public mutating func int() throws(BinaryFormatError) -> Int64 {
        let z = try uint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    /// Reads a string; its bytes must be valid UTF-8.
    public mutating func string() throws(BinaryFormatError) -> String {
        let n = try count()
        let slice = try raw(n)
        let text: String? = slice.withUnsafeBufferPointer { buffer in
            // ASCII is valid UTF-8 as it is; only other text pays for the (generic, slower) check.
            Self.isASCII(buffer) ? String(decoding: buffer, as: UTF8.self) : String(validating: buffer, as: UTF8.self)
        }
        guard let text else { throw fail("a string is not valid UTF-8") }
        return text
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < bytes.count {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Reads an optional string.
    public mutating func optionalString() throws(BinaryFormatError) -> String? {
        try bool() ? try string() : nil
    }

    /// Reads a string naming a case of `type` (its raw value); any other string is an error.
    public mutating func named<T: RawRepresentable>(_ type: T.Type) throws(BinaryFormatError) -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else { throw fail("unknown name \"\(text)\"") }
        return value
    }
}

extension JSONValue {
    /// Writes the value in binary form (object members in their order, numbers as written).
    public func write(to w: inout BinaryWriter) {
        switch self {
        case .null: w.byte(0)
        case .bool(let b): w.byte(b ? 2 : 1)
        case .number(let n):
            w.byte(3)
            w.string(n.text)
        case .string(let s):
            w.byte(5)
            w.string(s)
        case .array(let elements):
            w.byte(6)
            w.count(elements.count)
            for e in elements { e.write(to: &w) }
        case .object(let object):
            w.byte(7)
            w.count(object.count)
            for (key, value) in object {
                w.string(key)
                value.write(to: &w)
            }
        }
    }

    /// Reads a value `write(to:)` wrote; nesting deeper than `maxDepth` is an error.
    public static func read(from r: inout BinaryReader, maxDepth: Int = JSONParser.defaultMaxDepth) throws(BinaryFormatError) -> JSONValue {
        guard maxDepth > 0 else { throw r.fail("nested too deeply") }
        switch try r.byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3:
            let text = try r.string()
            guard let isInteger = JSONNumber.literalKind(text) else { throw r.fail("not a JSON number") }
            return .number(JSONNumber(validatedLiteral: text, isInteger: isInteger))
        case 5: return .string(try r.string())
        case 6:
            let n = try r.count()
            var elements: [JSONValue] = []
            elements.reserveCapacity(n)
            for _ in 0..<n { elements.append(try read(from: &r, maxDepth: maxDepth - 1)) }
            return .array(elements)
        case 7:
            let n = try r.count()
            var object = JSONObject()
            for _ in 0..<n {
                let key = try r.string()
                guard object.appendNew(key, try read(from: &r, maxDepth: maxDepth - 1)) else { throw r.fail("duplicate member \"\(key)\"") }
            }
            return .object(object)
        default:
            throw r.fail("unknown value tag")
        }
    }
}

extension JSONNumber {
    /// Whether `text` is a JSON number literal (RFC 8259 §6): nil when it is not, true for an
    /// integer literal (no fraction or exponent), as the parser classifies it.
    static func literalKind(_ text: String) -> Bool? {
        let b = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let n = digits()
        guard n > 0, n == 1 || b[intStart] != UInt8(ascii: "0") else { return nil }
        var isInteger = true
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
            isInteger = false
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
            isInteger = false
        }
        return i == b.count ? isInteger : nil
    }
}

/// A JSON text that could not be read, with where and why.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the text came from, when known.
    public var file: String?
    public var location: SourceLocation
    public var message: String

    public init(file: String?, location: SourceLocation, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    /// `file:line:col: message`.
    public var description: String {
        "\(file ?? "<input>"):\(location.line):\(location.column): \(message)"
    }
}

/// A parsed document that remembers where every value starts.
public struct JSONDocument: Sendable {
    /// The root value.
    public let value: JSONValue
    /// The file the document came from, when known.
    public let file: String?
    /// Line and column lookup over the source.
    public let lines: LineTable
    private let offsets: [ExactString: Int]

    init(value: JSONValue, file: String?, lines: LineTable, offsets: [ExactString: Int]) {
        self.value = value
        self.file = file
        self.lines = lines
        self.offsets = offsets
    }

    /// Where the value at `path` starts; for a missing member, where its parent starts is
    /// the most useful place to point at, so callers may fall back to a shorter path.
    public func location(of path: [JSONPathComponent]) -> SourceLocation? {
        offsets[ExactString(renderJSONPath(path))].map { lines.location(ofOffset: $0) }
    }

    /// Where the value at `path`, or else its nearest ancestor that exists, starts.
    public func nearestLocation(of path: [JSONPathComponent]) -> SourceLocation {
        var path = path
        while true {
            if let location = location(of: path) { return location }
            if path.isEmpty { return SourceLocation(line: 1, column: 1, offset: 0) }
            path.removeLast()
        }
    }
}

/// An RFC 8259 parser over bytes.
///
/// Decisions where the RFC leaves room (documented in the README):
/// - a leading UTF-8 byte order mark is skipped; anywhere else it is an ordinary character;
/// - duplicate object keys are an error (I-JSON, RFC 7493), reported at the second key;
/// - lone or misordered UTF-16 surrogate escapes are an error (I-JSON);
/// - invalid UTF-8 and raw control characters inside strings are errors;
/// - numbers keep their literal; a number too large for a double (`1e400`) is an error, a large
///   integer (`123456789012345678901234567890`) is kept exactly as text;
/// - nesting deeper than `maxDepth` (default 512) is an error, never a stack overflow.
public enum JSONParser {
    /// The default nesting limit.
    public static let defaultMaxDepth = 512

    /// Parses a complete JSON text.
    public static func parse(_ bytes: [UInt8], file: String? = nil, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var reader = Reader(bytes: bytes, file: file, maxDepth: maxDepth, recordOffsets: false)
        return try reader.parseDocument()
    }

    /// Parses a complete JSON text.
    public static func parse(_ text: String, file: String? = nil, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), file: file, maxDepth: maxDepth)
    }

    /// Parses a complete JSON text and keeps the location of every value.
    public static func parseDocument(_ bytes: [UInt8], file: String? = nil, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONDocument {
        var reader = Reader(bytes: bytes, file: file, maxDepth: maxDepth, recordOffsets: true)
        let value = try reader.parseDocument()
        return JSONDocument(value: value, file: file, lines: LineTable(bytes), offsets: reader.offsets)
    }

    /// Parses a complete JSON text and keeps the location of every value.
    public static func parseDocument(_ text: String, file: String? = nil, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONDocument {
        try parseDocument(Array(text.utf8), file: file, maxDepth: maxDepth)
    }
}

private struct Reader {
    let bytes: [UInt8]
    let file: String?
    let maxDepth: Int
    let recordOffsets: Bool
    var position = 0
    var depth = 0
    var offsets: [ExactString: Int] = [:]
    var path: [JSONPathComponent] = []

    init(bytes: [UInt8], file: String?, maxDepth: Int, recordOffsets: Bool) {
        self.bytes = bytes
        self.file = file
        self.maxDepth = maxDepth
        self.recordOffsets = recordOffsets
    }

    func fail(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let location = LineTable(bytes).location(ofOffset: offset ?? position)
        return JSONParseError(file: file, location: location, message: message)
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        guard position < bytes.count else { throw fail("empty input: expected a JSON value") }
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count {
            throw fail("unexpected \(describe(position)) after the JSON value; a file holds exactly one value")
        }
        return value
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func describe(_ offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(UnicodeScalar(byte)))'" }
        if byte == 0x20 { return "space" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        if recordOffsets { offsets[ExactString(renderJSONPath(path))] = position }
        guard position < bytes.count else { throw fail("unexpected end of input: expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            throw fail("unexpected \(describe(position)): expected a value (object, array, string, number, true, false or null)")
        }
    }

    mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let start = position
        let count = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { expected -> Bool in
            guard start + count <= bytes.count else { return false }
            for index in 0..<count where bytes[start + index] != expected[index] { return false }
            return true
        }
        guard matches else { throw fail("invalid literal: expected '\(word)'", at: start) }
        position += count
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth {
            throw fail("nesting deeper than \(maxDepth) levels; flatten the document")
        }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        let open = position
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw fail("unterminated object (opened at \(LineTable(bytes).location(ofOffset: open))): expected '}'") }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw fail("unexpected \(describe(position)): expected a member name in double quotes")
            }
            let keyOffset = position
            let key = try parseString()
            if object.contains(key) {
                throw fail("duplicate key \"\(key)\" in object; each key may appear once", at: keyOffset)
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail("unexpected \(describe(position)): expected ':' after member name")
            }
            position += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue()
            path.removeLast()
            object[key] = value
            skipWhitespace()
            guard position < bytes.count else { throw fail("unterminated object (opened at \(LineTable(bytes).location(ofOffset: open))): expected '}'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                depth -= 1
                return .object(object)
            }
            throw fail("unexpected \(describe(position)): expected ',' or '}' in object")
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        let open = position
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            path.append(.index(elements.count))
            elements.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw fail("unterminated array (opened at \(LineTable(bytes).location(ofOffset: open))): expected ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                return .array(elements)
            }
            throw fail("unexpected \(describe(position)): expected ',' or ']' in array")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw fail("invalid number: expected a digit", at: position)
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw fail("invalid number: leading zeros are not allowed", at: start)
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("invalid number: expected a digit after '.'", at: position)
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("invalid number: expected a digit in the exponent", at: position)
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        let number = JSONNumber(validatedLiteral: text, isInteger: isInteger)
        if !number.double.isFinite {
            throw fail("number \(text.count > 40 ? String(text.prefix(40)) + "…" : text) is out of range for a 64-bit float", at: start)
        }
        return number
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    mutating func parseString() throws(JSONParseError) -> String {
        let open = position
        position += 1
        // Fast path: no escapes, all ASCII.
        var scan = position
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[position..<scan], as: UTF8.self)
                position = scan + 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            scan += 1
        }
        var scalars = String.UnicodeScalarView()
        var chunkStart = position
        func flush(_ end: Int, into scalars: inout String.UnicodeScalarView) {
            if end > chunkStart {
                scalars.append(contentsOf: String(decoding: bytes[chunkStart..<end], as: UTF8.self).unicodeScalars)
            }
        }
        while true {
            guard position < bytes.count else {
                throw fail("unterminated string (opened at \(LineTable(bytes).location(ofOffset: open))): expected a closing '\"'")
            }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                flush(position, into: &scalars)
                position += 1
                return String(scalars)
            }
            if byte < 0x20 {
                throw fail("control character 0x\(String(byte, radix: 16, uppercase: true)) in string; write it as an escape such as \\n or \\u00\(byte < 16 ? "0" : "")\(String(byte, radix: 16))")
            }
            if byte == UInt8(ascii: "\\") {
                flush(position, into: &scalars)
                let escapeStart = position
                position += 1
                guard position < bytes.count else { throw fail("unterminated escape sequence") }
                let code = bytes[position]
                position += 1
                switch code {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    let unit = try readHex4(escapeStart)
                    if unit >= 0xD800 && unit <= 0xDBFF {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw fail("lone high surrogate \\u\(hex4(unit)) in string; pair it with a low surrogate", at: escapeStart)
                        }
                        position += 2
                        let low = try readHex4(escapeStart)
                        guard low >= 0xDC00 && low <= 0xDFFF else {
                            throw fail("high surrogate \\u\(hex4(unit)) followed by \\u\(hex4(low)), not a low surrogate", at: escapeStart)
                        }
                        let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        scalars.append(UnicodeScalar(value)!)
                    } else if unit >= 0xDC00 && unit <= 0xDFFF {
                        throw fail("lone low surrogate \\u\(hex4(unit)) in string", at: escapeStart)
                    } else {
                        scalars.append(UnicodeScalar(unit)!)
                    }
                default:
                    throw fail("invalid escape '\\\(describeEscape(code))' in string; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", at: escapeStart)
                }
                chunkStart = position
                continue
            }
            if byte >= 0x80 {
                let length = try validateUTF8(at: position)
                position += length
                continue
            }
            position += 1
        }
    }

    func describeEscape(_ code: UInt8) -> String {
        code >= 0x21 && code < 0x7F ? String(Character(UnicodeScalar(code))) : "0x" + String(code, radix: 16)
    }

    func hex4(_ value: UInt32) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    mutating func readHex4(_ escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("incomplete \\u escape: expected 4 hex digits", at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw fail("invalid \\u escape: expected 4 hex digits", at: escapeStart)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// Checks one UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
    func validateUTF8(at offset: Int) throws(JSONParseError) -> Int {
        let lead = bytes[offset]
        let length: Int
        var minimum: UInt32
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
        default: throw fail("invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true)); save the file as UTF-8", at: offset)
        }
        guard offset + length <= bytes.count else { throw fail("truncated UTF-8 sequence; save the file as UTF-8", at: offset) }
        for index in 1..<length {
            let byte = bytes[offset + index]
            guard byte & 0xC0 == 0x80 else { throw fail("invalid UTF-8 sequence; save the file as UTF-8", at: offset) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        if value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) {
            throw fail("invalid UTF-8 sequence (overlong, surrogate or out of range); save the file as UTF-8", at: offset)
        }
        minimum = 0
        return length
    }
}

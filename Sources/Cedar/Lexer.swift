// Tokenizer for Cedar policy text. Works on UTF-8 bytes; comments are kept as trivia.

/// Token kinds of the Cedar policy grammar. Keywords are identifiers; the parser tells them apart.
public enum TokenKind: String, Sendable, Hashable {
    case identifier, integer, string, slot
    case at = "@", dot = ".", comma = ",", semicolon = ";", colon = ":", doubleColon = "::"
    case leftParen = "(", rightParen = ")", leftBrace = "{", rightBrace = "}"
    case leftBracket = "[", rightBracket = "]"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case or = "||", and = "&&", plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case bang = "!", assign = "="
    case endOfInput
}

/// A `//` comment.
public struct Comment: Equatable, Sendable {
    /// The comment text from `//` to the end of the line (line break excluded).
    public var text: String
    /// Where it is.
    public var span: SourceSpan
}

/// A token with its source text, span, and the comments that precede it.
public struct Token: Equatable, Sendable {
    /// The kind of token.
    public var kind: TokenKind
    /// The exact source text (a string token includes its quotes).
    public var text: String
    /// Where it is.
    public var span: SourceSpan
    /// Comments between the previous token and this one, in order.
    public var leadingComments: [Comment]
}

/// Splits Cedar source text into tokens.
public enum Lexer {
    /// Tokenizes `source`. The last token is always `.endOfInput`; comments after the last real
    /// token are its leading comments.
    public static func tokenize(_ source: [UInt8], file: String) throws(CedarError) -> [Token] {
        var lexer = LexerState(source: source, file: file)
        return try lexer.run()
    }

    /// Tokenizes a string.
    public static func tokenize(_ source: String, file: String) throws(CedarError) -> [Token] {
        try tokenize(Array(source.utf8), file: file)
    }
}

/// Finds the first invalid UTF-8 sequence; returns its byte offset or nil when valid.
func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        if b < 0x80 { i += 1; continue }
        var need = 0
        var minValue: UInt32 = 0
        var value: UInt32 = 0
        if b & 0xE0 == 0xC0 { need = 1; value = UInt32(b & 0x1F); minValue = 0x80 }
        else if b & 0xF0 == 0xE0 { need = 2; value = UInt32(b & 0x0F); minValue = 0x800 }
        else if b & 0xF8 == 0xF0 { need = 3; value = UInt32(b & 0x07); minValue = 0x10000 }
        else { return i }
        if i + need >= n { return i }
        for k in 1...need {
            let c = bytes[i + k]
            if c & 0xC0 != 0x80 { return i }
            value = (value << 6) | UInt32(c & 0x3F)
        }
        if value < minValue || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) { return i }
        i += need + 1
    }
    return nil
}

struct LexerState {
    let source: [UInt8]
    let file: String
    var offset = 0
    var line = 1
    var column = 1

    init(source: [UInt8], file: String) {
        self.source = source
        self.file = file
    }

    var position: SourcePosition { SourcePosition(line: line, column: column, offset: offset) }

    /// Position of byte `target` (>= offset), computed by scanning forward from the current one.
    func position(at target: Int) -> SourcePosition {
        var l = line, c = column, o = offset
        while o < target && o < source.count {
            let b = source[o]
            if b == 0x0A { l += 1; c = 1 } else if b & 0xC0 != 0x80 { c += 1 }
            o += 1
        }
        return SourcePosition(line: l, column: c, offset: target)
    }

    mutating func advance() {
        let b = source[offset]
        offset += 1
        if b == 0x0A {
            line += 1
            column = 1
        } else if offset >= source.count || source[offset] & 0xC0 != 0x80 {
            // count a scalar once, at its last byte
            column += 1
        }
    }

    func peek(_ k: Int = 0) -> UInt8? {
        offset + k < source.count ? source[offset + k] : nil
    }

    func span(from start: SourcePosition) -> SourceSpan {
        SourceSpan(file: file, start: start, end: position)
    }

    func error(_ message: String, at start: SourcePosition, expected: [String] = []) -> CedarError {
        let end = SourcePosition(line: start.line, column: start.column + 1, offset: start.offset + 1)
        return .parse(message: message, span: SourceSpan(file: file, start: start, end: end), expected: expected)
    }

    /// Length in bytes of a Unicode whitespace scalar starting at `offset`, or 0.
    func whitespaceLength() -> Int {
        guard let b = peek() else { return 0 }
        switch b {
        case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return 1
        case 0xC2:
            if let c = peek(1), c == 0x85 || c == 0xA0 { return 2 }
        case 0xE1:
            if peek(1) == 0x9A, peek(2) == 0x80 { return 3 }  // U+1680
        case 0xE2:
            if peek(1) == 0x80, let c = peek(2), (c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF {
                return 3
            }
            if peek(1) == 0x81, peek(2) == 0x9F { return 3 }  // U+205F
        case 0xE3:
            if peek(1) == 0x80, peek(2) == 0x80 { return 3 }  // U+3000
        default: break
        }
        return 0
    }

    mutating func run() throws(CedarError) -> [Token] {
        if let bad = firstInvalidUTF8Offset(source) {
            // locate without trusting the rest of the text
            let pos = position(at: bad)
            throw error("the text is not valid UTF-8 (byte 0x\(String(source[bad], radix: 16)))", at: pos)
        }
        var tokens: [Token] = []
        tokens.reserveCapacity(source.count / 3)
        var comments: [Comment] = []
        while true {
            // whitespace and comments
            while offset < source.count {
                let w = whitespaceLength()
                if w > 0 {
                    for _ in 0..<w { advance() }
                    continue
                }
                if source[offset] == 0x2F && peek(1) == 0x2F {
                    let start = position
                    while offset < source.count && source[offset] != 0x0A && source[offset] != 0x0D { advance() }
                    let text = String(decoding: source[start.offset..<offset], as: UTF8.self)
                    comments.append(Comment(text: text, span: span(from: start)))
                    continue
                }
                break
            }
            let start = position
            guard offset < source.count else {
                tokens.append(Token(kind: .endOfInput, text: "", span: span(from: start), leadingComments: comments))
                return tokens
            }
            let b = source[offset]
            let kind: TokenKind
            if isIdentStart(b) {
                while let c = peek(), isIdentContinue(c) { advance() }
                kind = .identifier
            } else if b >= 0x30 && b <= 0x39 {
                while let c = peek(), c >= 0x30 && c <= 0x39 { advance() }
                kind = .integer
            } else if b == 0x22 {
                advance()
                var closed = false
                while offset < source.count {
                    let c = source[offset]
                    if c == 0x5C {
                        advance()
                        if offset < source.count { advance() }
                    } else if c == 0x22 {
                        advance()
                        closed = true
                        break
                    } else {
                        advance()
                    }
                }
                if !closed {
                    throw .parse(
                        message: "unterminated string literal: add the closing `\"`",
                        span: SourceSpan(file: file, start: start, end: position(at: start.offset + 1)),
                        expected: ["`\"`"])
                }
                kind = .string
            } else if b == 0x3F {
                advance()
                guard let c = peek(), isIdentStart(c) else {
                    throw error("unexpected character `?`: a template slot is written `?principal` or `?resource`", at: start)
                }
                while let c = peek(), isIdentContinue(c) { advance() }
                kind = .slot
            } else {
                let next = peek(1)
                func two(_ k: TokenKind) -> TokenKind { kind2 = 2; return k }
                var kind2 = 1
                switch b {
                case 0x40: kind = .at
                case 0x2E: kind = .dot
                case 0x2C: kind = .comma
                case 0x3B: kind = .semicolon
                case 0x3A: kind = next == 0x3A ? two(.doubleColon) : .colon
                case 0x28: kind = .leftParen
                case 0x29: kind = .rightParen
                case 0x7B: kind = .leftBrace
                case 0x7D: kind = .rightBrace
                case 0x5B: kind = .leftBracket
                case 0x5D: kind = .rightBracket
                case 0x3D: kind = next == 0x3D ? two(.equal) : .assign
                case 0x21: kind = next == 0x3D ? two(.notEqual) : .bang
                case 0x3C: kind = next == 0x3D ? two(.lessEqual) : .less
                case 0x3E: kind = next == 0x3D ? two(.greaterEqual) : .greater
                case 0x7C:
                    guard next == 0x7C else { throw error("unexpected character `|`: did you mean `||`?", at: start) }
                    kind = two(.or)
                case 0x26:
                    guard next == 0x26 else { throw error("unexpected character `&`: did you mean `&&`?", at: start) }
                    kind = two(.and)
                case 0x2B: kind = .plus
                case 0x2D: kind = .minus
                case 0x2A: kind = .star
                case 0x2F: kind = .slash
                case 0x25: kind = .percent
                default:
                    var end = offset + 1
                    while end < source.count && source[end] & 0xC0 == 0x80 { end += 1 }
                    let ch = String(decoding: source[offset..<end], as: UTF8.self)
                    throw error("unexpected character `\(ch)`", at: start)
                }
                for _ in 0..<kind2 { advance() }
            }
            let text = String(decoding: source[start.offset..<offset], as: UTF8.self)
            tokens.append(Token(kind: kind, text: text, span: span(from: start), leadingComments: comments))
            comments.removeAll(keepingCapacity: true)
        }
    }
}

@inline(__always) func isIdentStart(_ b: UInt8) -> Bool {
    (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
}

@inline(__always) func isIdentContinue(_ b: UInt8) -> Bool {
    isIdentStart(b) || (b >= 0x30 && b <= 0x39)
}

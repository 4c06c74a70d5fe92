// Source positions, spans and the module's error type.

/// A position in a source text: 1-based line and column (column counts Unicode scalars)
/// and the 0-based UTF-8 byte offset.
public struct SourcePosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int
    /// 0-based byte offset into the UTF-8 source.
    public var offset: Int

    /// Creates a position.
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { a.offset < b.offset }
    public var description: String { "\(line):\(column)" }
}

/// A half-open range `[start, end)` of a named source text.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    /// The file name given when parsing (may be empty for text without a file).
    public var file: String
    /// First character of the span.
    public var start: SourcePosition
    /// Position just past the last character of the span.
    public var end: SourcePosition

    /// Creates a span.
    public init(file: String, start: SourcePosition, end: SourcePosition) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// An empty span at the start of an unnamed text, for values built in code.
    public static let none = SourceSpan(
        file: "", start: SourcePosition(line: 1, column: 1, offset: 0),
        end: SourcePosition(line: 1, column: 1, offset: 0))

    /// The smallest span covering both `self` and `other`.
    public func merged(with other: SourceSpan) -> SourceSpan {
        SourceSpan(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    /// `file:line:col` (or `line:col` without a file name).
    public var description: String { file.isEmpty ? "\(start)" : "\(file):\(start)" }
}

/// What a caret excerpt shows: the offending source line and the columns to underline.
public struct SourceExcerpt: Equatable, Sendable {
    /// 1-based line number.
    public var line: Int
    /// The full text of that line, without its line break.
    public var text: String
    /// 1-based column (Unicode scalars) where the underline starts.
    public var column: Int
    /// Number of scalars to underline (at least 1).
    public var length: Int

    /// Two plain-text lines: the source line and a caret line under the span.
    public func rendered() -> String {
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        var caretLine = ""
        var col = 1
        for ch in text.unicodeScalars {
            if col >= column { break }
            caretLine.append(ch == "\t" ? "\t" : " ")
            col += 1
        }
        caretLine += String(repeating: "^", count: max(1, length))
        return "\(gutter) | \(text)\n\(pad) | \(caretLine)"
    }

    /// Extracts the excerpt for `span` from the UTF-8 `source` the span refers to.
    public static func make(source: [UInt8], span: SourceSpan) -> SourceExcerpt {
        let startOffset = min(max(0, span.start.offset), source.count)
        var lineStart = startOffset
        while lineStart > 0 && source[lineStart - 1] != 0x0A { lineStart -= 1 }
        var lineEnd = startOffset
        while lineEnd < source.count && source[lineEnd] != 0x0A { lineEnd += 1 }
        var lineBytes = Array(source[lineStart..<lineEnd])
        if lineBytes.last == 0x0D { lineBytes.removeLast() }
        let text = String(decoding: lineBytes, as: UTF8.self)
        var length = 1
        if span.end.line == span.start.line && span.end.column > span.start.column {
            length = span.end.column - span.start.column
        } else if span.end.line > span.start.line {
            length = max(1, text.unicodeScalars.count - span.start.column + 1)
        }
        return SourceExcerpt(line: span.start.line, text: text, column: span.start.column, length: length)
    }
}

/// The one error type of the Cedar module. Every case carries a message in plain words and,
/// where the error comes from a text, the location of the offending part.
public enum CedarError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Policy text that does not parse or is not valid Cedar. `expected` lists, in plain words,
    /// what could have come at that point (empty when not applicable).
    case parse(message: String, span: SourceSpan, expected: [String])
    /// Entity or value JSON that is not valid Cedar entity data. `path` names the offending
    /// element (`[3].attrs.owner`); `span` is set when the JSON locations are known.
    case entities(message: String, path: String, span: SourceSpan?)
    /// A request that cannot be built (bad entity uid text, bad context).
    case request(message: String)
    /// A policy set that cannot be assembled (duplicate ids, bad template link).
    case policySet(message: String, span: SourceSpan?)

    /// The message without location.
    public var message: String {
        switch self {
        case .parse(let m, _, _), .entities(let m, _, _), .request(let m), .policySet(let m, _): return m
        }
    }

    /// Where the error is, when known.
    public var span: SourceSpan? {
        switch self {
        case .parse(_, let s, _): return s
        case .entities(_, _, let s): return s
        case .request: return nil
        case .policySet(_, let s): return s
        }
    }

    /// `file:line:col: message` when located, else the message (with the JSON path for entities).
    public var description: String {
        switch self {
        case .entities(let m, let path, let span):
            if let span { return "\(span): \(m)" }
            return path.isEmpty ? m : "\(path): \(m)"
        default:
            if let span { return "\(span): \(message)" }
            return message
        }
    }
}

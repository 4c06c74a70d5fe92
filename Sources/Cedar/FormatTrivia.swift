// Comments attached to tokens, the way the formatter places them.
//
// The text between two tokens is split at its first line break: a comment before the break
// trails the earlier token (`a // note`), comments after it lead the later token (on lines of
// their own). Comments before the first token lead it; comments after the last token's line
// close the file. Each comment is handed out once: the first part of the layout that asks for
// a token's comments prints them, later requests for the same token get nothing, so no comment
// is printed twice.

/// The comments of one token.
struct FormatComment {
    /// Whole-line comments before the token, each trimmed.
    var leading: [String] = []
    /// The comment after the token on its line, trimmed; empty when none.
    var trailing: String = ""

    static let none = FormatComment()
}

/// The tokens of a file with their comments, handed out once each.
struct FormatTrivia {
    /// Byte offsets of each token (end of input excluded).
    private(set) var starts: [Int] = []
    private(set) var ends: [Int] = []
    private var comments: [FormatComment] = []
    /// Comments after the last token's line.
    private(set) var endOfFile: [String] = []

    init(tokens: [Token], source: [UInt8]) {
        let real = tokens.filter { $0.kind != .endOfInput }
        starts = real.map { $0.span.start.offset }
        ends = real.map { $0.span.end.offset }
        comments = Array(repeating: .none, count: real.count)
        guard !real.isEmpty else {
            endOfFile = Self.commentLines(source[...])
            return
        }
        comments[0].leading = Self.commentLines(source[0..<starts[0]])
        for i in 0..<real.count {
            let gapEnd = i + 1 < real.count ? starts[i + 1] : source.count
            let gap = source[ends[i]..<gapEnd]
            let (before, after) = Self.splitAtFirstNewline(gap)
            comments[i].trailing = rustTrim(String(decoding: before, as: UTF8.self))
            if i + 1 < real.count {
                comments[i + 1].leading = Self.commentLines(after)
            } else {
                endOfFile = Self.commentLines(after)
            }
        }
    }

    var count: Int { starts.count }

    // MARK: lookups (by byte offset)

    /// The token starting at `offset`.
    func token(startingAt offset: Int) -> Int? {
        let i = lowerBound(starts, offset)
        return i < starts.count && starts[i] == offset ? i : nil
    }

    /// The first token starting at or after `offset`; the first token of the file when none.
    func token(after offset: Int) -> Int? {
        let i = lowerBound(starts, offset)
        if i < starts.count { return i }
        return starts.isEmpty ? nil : 0
    }

    /// The token ending at `offset`.
    func token(endingAt offset: Int) -> Int? {
        let i = lowerBound(ends, offset)
        return i < ends.count && ends[i] == offset ? i : nil
    }

    // MARK: consuming comments

    /// Takes both comments of token `index`.
    mutating func take(_ index: Int?) -> FormatComment {
        guard let index else { return .none }
        let c = comments[index]
        comments[index] = .none
        return c
    }

    /// Takes only the leading comments of token `index`.
    mutating func takeLeading(_ index: Int?) -> [String] {
        guard let index else { return [] }
        let c = comments[index].leading
        comments[index].leading = []
        return c
    }

    /// Comments of the token starting at `offset`.
    mutating func atStart(_ offset: Int) -> FormatComment { take(token(startingAt: offset)) }
    /// Comments of the token after `offset`.
    mutating func afterEnd(_ offset: Int) -> FormatComment { take(token(after: offset)) }
    /// Comments of the token ending at `offset`.
    mutating func atEnd(_ offset: Int) -> FormatComment { take(token(endingAt: offset)) }
    /// Leading comments of the token starting at `offset`.
    mutating func leadingAtStart(_ offset: Int) -> [String] { takeLeading(token(startingAt: offset)) }

    /// Comments of the tokens from the one starting at or after `start` while they end by `end`.
    mutating func inRange(_ start: Int, _ end: Int) -> [FormatComment] {
        var out: [FormatComment] = []
        var i = lowerBound(starts, start)
        while i < starts.count && ends[i] <= end {
            out.append(take(i))
            i += 1
        }
        return out
    }

    // MARK: helpers

    private func lowerBound(_ a: [Int], _ value: Int) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private static func splitAtFirstNewline(_ bytes: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        if let nl = bytes.firstIndex(of: 0x0A) {
            return (bytes[bytes.startIndex..<nl], bytes[(nl + 1)...])
        }
        return (bytes, bytes[bytes.endIndex...])
    }

    /// Every `//` comment in `bytes` (to the end of its line), trimmed.
    static func commentLines(_ bytes: ArraySlice<UInt8>) -> [String] {
        var out: [String] = []
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i + 1 < end {
            if bytes[i] == 0x2F && bytes[i + 1] == 0x2F {
                var j = i + 2
                while j < end && bytes[j] != 0x0A && bytes[j] != 0x0D { j += 1 }
                out.append(rustTrim(String(decoding: bytes[i..<j], as: UTF8.self)))
                i = j
            } else {
                i += 1
            }
        }
        return out
    }
}

/// Whether `s` is a Unicode `White_Space` scalar.
func isUnicodeWhitespace(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
        return true
    default:
        return false
    }
}

/// `s` without leading and trailing Unicode white space.
func rustTrim(_ s: String) -> String {
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isUnicodeWhitespace($0) }),
          let last = scalars.lastIndex(where: { !isUnicodeWhitespace($0) }) else { return "" }
    return String(scalars[first...last])
}

/// A place in a source text: 1-based line and column (columns count Unicode scalars, as editors
/// do), and the 0-based byte offset.
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible, Comparable {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String { "\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool { lhs.offset < rhs.offset }
}

/// Turns byte offsets into line and column, computing line starts once.
public struct LineTable: Sendable {
    private let lineStarts: [Int]
    private let bytes: [UInt8]
    /// `scalarsBefore[k]`: how many Unicode scalars start before byte `k * stride`. Columns are
    /// counted from these checkpoints, so a location costs at most `stride` steps even on a
    /// megabyte-long line (minified JSON), instead of a walk from the start of the line.
    private let scalarsBefore: [Int]
    private static let stride = 1024

    /// Indexes the lines of `bytes`.
    public init(_ bytes: [UInt8]) {
        var starts = [0]
        var checkpoints: [Int] = []
        checkpoints.reserveCapacity(bytes.count / Self.stride + 1)
        var scalars = 0
        for (index, byte) in bytes.enumerated() {
            if index % Self.stride == 0 { checkpoints.append(scalars) }
            if byte == 0x0A { starts.append(index + 1) }
            if byte & 0xC0 != 0x80 { scalars += 1 }
        }
        checkpoints.append(scalars)
        self.lineStarts = starts
        self.bytes = bytes
        self.scalarsBefore = checkpoints
    }

    /// Unicode scalars starting before byte `offset` (0...bytes.count).
    private func scalarCount(before offset: Int) -> Int {
        let block = offset / Self.stride
        var count = scalarsBefore[block]
        var index = block * Self.stride
        while index < offset {
            if bytes[index] & 0xC0 != 0x80 { count += 1 }
            index += 1
        }
        return count
    }

    /// The location of byte `offset` (clamped to the text).
    public func location(ofOffset offset: Int) -> SourceLocation {
        let offset = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        var column = 1 + scalarCount(before: offset) - scalarCount(before: lineStarts[low])
        // A location inside a multi-byte scalar belongs to that scalar.
        if offset < bytes.count, bytes[offset] & 0xC0 == 0x80, column > 1 { column -= 1 }
        return SourceLocation(line: low + 1, column: column, offset: offset)
    }

    /// The number of lines (a final newline starts one more, empty line).
    public var lineCount: Int { lineStarts.count }

    /// The text of line `line` (1-based) without its line break, for caret excerpts; empty when
    /// there is no such line.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}

/// One step of a path into a JSON document.
public enum JSONPathComponent: Equatable, Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// Renders a path the way people write it: `steps[3].args.url`, `meta["a b"]`.
public func renderJSONPath(_ path: [JSONPathComponent]) -> String {
    var text = ""
    for component in path {
        switch component {
        case .index(let index):
            text += "[\(index)]"
        case .key(let key):
            let plain = !key.isEmpty && key.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
            }
            if plain {
                text += text.isEmpty ? key : ".\(key)"
            } else {
                text += "[\(CanonicalJSON.string(.string(key)))]"
            }
        }
    }
    return text
}

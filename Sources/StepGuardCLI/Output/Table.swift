/// A table for eval-style output: a header, rows of cells, columns padded to their widest
/// cell. Colour is applied after padding so escape sequences never upset the alignment.
public struct Table: Sendable {
    /// How a column's cells line up.
    public enum Alignment: Sendable { case left, right }

    /// A column.
    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        /// The column wraps its text to fit the table into a width (at most one should).
        public var isFlexible: Bool

        /// Creates a column.
        public init(_ title: String, alignment: Alignment = .left, isFlexible: Bool = false) {
            self.title = title
            self.alignment = alignment
            self.isFlexible = isFlexible
        }
    }

    /// A cell: text and the attributes to paint it with.
    public struct Cell: Sendable, ExpressibleByStringLiteral {
        public var text: String
        public var attributes: [Style.Attribute]

        /// Creates a cell.
        public init(_ text: String, _ attributes: [Style.Attribute] = []) {
            self.text = text
            self.attributes = attributes
        }

        public init(stringLiteral value: String) { self.init(value) }
    }

    public var columns: [Column]
    public private(set) var rows: [[Cell]] = []

    /// Creates an empty table.
    public init(columns: [Column]) {
        self.columns = columns
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    public mutating func append(_ cells: [Cell]) {
        var row = Array(cells.prefix(columns.count))
        while row.count < columns.count { row.append("") }
        rows.append(row)
    }

    /// The table as lines joined by newlines (with a final newline). Two spaces separate columns;
    /// trailing spaces are trimmed. With `maxWidth`, the flexible column wraps so that lines fit
    /// when they can.
    public func render(style: Style = .plain, maxWidth: Int? = nil, header: Bool = true) -> String {
        let separator = 2
        var widths = columns.indices.map { index in
            max(header ? DisplayWidth.of(columns[index].title) : 0,
                rows.map { DisplayWidth.of($0[index].text) }.max() ?? 0)
        }
        let flexible = columns.firstIndex(where: \.isFlexible)
        if let maxWidth {
            widths = Self.fit(widths, into: maxWidth - separator * (columns.count - 1), flexible: flexible)
        }
        var lines: [String] = []
        func emit(_ cells: [Cell], painted: Bool) {
            let wrapped: [[String]] = cells.enumerated().map { index, cell in
                guard DisplayWidth.of(cell.text) > widths[index] else { return [cell.text] }
                // The flexible column wraps; a fixed column squeezed to fit is cut with an ellipsis.
                return index == flexible ? TextWrap.wrap(cell.text, width: widths[index]) : [Self.truncate(cell.text, to: widths[index])]
            }
            let height = wrapped.map(\.count).max() ?? 1
            for lineIndex in 0..<height {
                var line = ""
                for (index, column) in columns.enumerated() {
                    let text = lineIndex < wrapped[index].count ? wrapped[index][lineIndex] : ""
                    let padding = String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(text)))
                    let painted = painted ? style.apply(text, cells[index].attributes) : text
                    if index > 0 { line += String(repeating: " ", count: separator) }
                    line += column.alignment == .left ? painted + padding : padding + painted
                }
                lines.append(line.trimmingTrailingSpaces())
            }
        }
        if header {
            emit(columns.map { Cell($0.title, [.bold]) }, painted: true)
        }
        for row in rows { emit(row, painted: true) }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// Column widths that fit `room` columns of text when they can: the flexible column keeps
    /// at least `minimumFlexible` (or its natural width, if smaller) and takes what is left;
    /// when the fixed columns alone are too wide, the widest of them gives way first, down to
    /// `minimumFixed`.
    static func fit(_ natural: [Int], into room: Int, flexible: Int?, minimumFlexible: Int = 20, minimumFixed: Int = 6) -> [Int] {
        var widths = natural
        let flexibleFloor = flexible.map { min(natural[$0], minimumFlexible) } ?? 0
        var fixedTotal = widths.indices.filter { $0 != flexible }.reduce(0) { $0 + widths[$1] }
        while fixedTotal + flexibleFloor > room {
            guard let widest = widths.indices.filter({ $0 != flexible && widths[$0] > minimumFixed }).max(by: { widths[$0] < widths[$1] })
            else { break }
            widths[widest] -= 1
            fixedTotal -= 1
        }
        if let flexible {
            widths[flexible] = max(min(natural[flexible], room - fixedTotal), flexibleFloor)
        }
        return widths
    }

    /// `text` cut to `width` terminal columns, the last one an ellipsis.
    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        var out = ""
        var used = 0
        for character in text {
            let w = DisplayWidth.of(String(character))
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }
}

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
        if let maxWidth, let flexible {
            let fixed = widths.enumerated().filter { $0.offset != flexible }.reduce(0) { $0 + $1.element }
                + separator * (columns.count - 1)
            widths[flexible] = max(min(widths[flexible], maxWidth - fixed), 20)
        }
        var lines: [String] = []
        func emit(_ cells: [Cell], painted: Bool) {
            let wrapped: [[String]] = cells.enumerated().map { index, cell in
                index == flexible && DisplayWidth.of(cell.text) > widths[index]
                    ? TextWrap.wrap(cell.text, width: widths[index]) : [cell.text]
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
}

import Basics

/// A range of a file: 1-based start and end line and column (columns count Unicode scalars;
/// the end column is just past the last character, as SARIF regions have it).
public struct SourceRange: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// First line.
    public var startLine: Int
    /// First column.
    public var startColumn: Int
    /// Last line.
    public var endLine: Int
    /// Column just past the last character on `endLine`.
    public var endColumn: Int

    /// Creates a range; the end is clamped so it never precedes the start.
    public init(startLine: Int, startColumn: Int, endLine: Int, endColumn: Int) {
        self.startLine = max(1, startLine)
        self.startColumn = max(1, startColumn)
        self.endLine = max(self.startLine, endLine)
        self.endColumn = self.endLine == self.startLine ? max(self.startColumn, endColumn) : max(1, endColumn)
    }

    /// A one-character range at `line:column`.
    public static func point(line: Int, column: Int) -> SourceRange {
        SourceRange(startLine: line, startColumn: column, endLine: line, endColumn: column + 1)
    }

    /// The start of a file.
    public static let fileStart = SourceRange.point(line: 1, column: 1)

    public static func < (a: SourceRange, b: SourceRange) -> Bool {
        (a.startLine, a.startColumn, a.endLine, a.endColumn) < (b.startLine, b.startColumn, b.endLine, b.endColumn)
    }

    /// `line:col`.
    public var description: String { "\(startLine):\(startColumn)" }
}

/// One problem found in one file.
public struct Finding: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The rule id (`SG201`).
    public var ruleID: String
    /// The effective severity (after configuration).
    public var severity: Severity
    /// The file as the caller named it.
    public var file: String
    /// Where in the file.
    public var range: SourceRange
    /// What is wrong, in one sentence.
    public var message: String
    /// How to fix it, when the rule knows.
    public var hint: String?

    /// Creates a finding.
    public init(ruleID: String, severity: Severity, file: String, range: SourceRange, message: String, hint: String? = nil) {
        self.ruleID = ruleID
        self.severity = severity
        self.file = file
        self.range = range
        self.message = message
        self.hint = hint
    }

    /// Stable order: file, position, rule id, message.
    public static func < (a: Finding, b: Finding) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if a.range != b.range { return a.range < b.range }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        return a.message < b.message
    }

    /// `file:line:col: severity: [SG201] message`.
    public var description: String { "\(file):\(range.startLine):\(range.startColumn): \(severity.rawValue): [\(ruleID)] \(message)" }
}

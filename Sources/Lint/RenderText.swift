import Basics
/// How the text report looks.
public struct TextRenderOptions: Sendable {
    /// ANSI colours (the caller decides from `--color`, `NO_COLOR` and whether stdout is a TTY).
    public var color: Bool
    /// Show the source line and a caret under each finding.
    public var excerpts: Bool
    /// Show only findings that fail the run, and the summary.
    public var quiet: Bool

    /// Creates options; the defaults are plain text with excerpts.
    public init(color: Bool = false, excerpts: Bool = true, quiet: Bool = false) {
        self.color = color
        self.excerpts = excerpts
        self.quiet = quiet
    }
}

/// The human-readable report: `file:line:col: severity: [SG201] message`, a caret excerpt,
/// the hint, and a summary line.
public func renderText(_ result: LintResult, options: TextRenderOptions = TextRenderOptions()) -> String {
    var out = ""
    let lines = SourceLines(result.sources)
    for finding in result.findings {
        if options.quiet, let level = result.failLevel, finding.severity < level { continue }
        if options.quiet && result.failLevel == nil { continue }
        let severity = paint(finding.severity.rawValue, severityColor(finding.severity), options.color)
        let location = paint("\(finding.file):\(finding.range.startLine):\(finding.range.startColumn)", "1", options.color)
        out += "\(location): \(severity): [\(finding.ruleID)] \(finding.message)\n"
        if options.excerpts, let excerpt = lines.excerpt(finding.file, finding.range) {
            let gutter = String(excerpt.line)
            let pad = String(repeating: " ", count: gutter.count)
            out += " \(gutter) | \(excerpt.text)\n"
            out += " \(pad) | \(excerpt.prefix)\(paint(String(repeating: "^", count: excerpt.length), severityColor(finding.severity), options.color))\n"
        }
        if let hint = finding.hint { out += "   = hint: \(hint)\n" }
    }
    out += summaryLine(result) + "\n"
    return out
}

/// `3 files: 1 error, 2 warnings, 0 info (1 suppressed)`.
public func summaryLine(_ result: LintResult) -> String {
    let c = result.counts
    func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
    var line = "\(plural(c.files, "file")) linted: \(plural(c.errors, "error")), \(plural(c.warnings, "warning")), \(c.info) info"
    if c.suppressed > 0 { line += " (\(c.suppressed) suppressed)" }
    return line
}

func severityColor(_ severity: Severity) -> String {
    switch severity {
    case .error: return "31;1"
    case .warning: return "33;1"
    case .info: return "36;1"
    }
}

/// Colours are written with U+FDD0 standing in for ESC: the terminal writer turns only that
/// marker into ESC, after escaping every control character the linted files brought along.
func paint(_ text: String, _ code: String, _ enabled: Bool) -> String {
    enabled ? "\(escapeMarker)[\(code)m\(text)\(escapeMarker)[0m" : text
}

/// U+FDD0, a noncharacter (Swift literals cannot spell it).
private let escapeMarker = String(Unicode.Scalar(0xFDD0 as UInt32)!)

/// Source lines of the linted files, for excerpts.
struct SourceLines {
    let sources: [String: [UInt8]]
    init(_ sources: [String: [UInt8]]) { self.sources = sources }

    struct Excerpt {
        var line: Int
        var text: String
        /// Spaces (tabs kept) up to the caret.
        var prefix: String
        var length: Int
    }

    func excerpt(_ file: String, _ range: SourceRange) -> Excerpt? {
        guard let bytes = sources[file] else { return nil }
        var line = 1
        var start = 0
        var index = 0
        while index < bytes.count, line < range.startLine {
            if bytes[index] == 0x0A { line += 1; start = index + 1 }
            index += 1
        }
        guard line == range.startLine, start <= bytes.count else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        var lineBytes = Array(bytes[start..<end])
        if lineBytes.last == 0x0D { lineBytes.removeLast() }
        // A long line is shown around the finding, as every excerpt is.
        let (text, startColumn) = ExcerptClip.around(String(decoding: lineBytes, as: UTF8.self), column: range.startColumn)
        let shift = startColumn - range.startColumn
        let range = SourceRange(startLine: range.startLine, startColumn: startColumn, endLine: range.endLine, endColumn: range.endColumn + shift)
        let scalars = Array(text.unicodeScalars)
        var prefix = ""
        for i in 0..<min(max(0, range.startColumn - 1), scalars.count) { prefix += scalars[i] == "\t" ? "\t" : " " }
        let available = max(1, scalars.count - (range.startColumn - 1))
        var length = range.endLine == range.startLine ? range.endColumn - range.startColumn : available
        length = max(1, min(length, available))
        return Excerpt(line: range.startLine, text: text, prefix: prefix, length: length)
    }
}

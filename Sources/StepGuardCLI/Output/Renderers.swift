import Basics
import JSONValue

/// Something a command prints, in text for people or JSON for machines.
///
/// A command builds its result as a value conforming to `Report` and hands it to
/// `CommandContext.emit(_:)`, which picks the rendering `--format` asks for.
public protocol Report {
    /// The text for people, newline-terminated; `style` is off when colour is.
    func text(style: Style, quiet: Bool) -> String
    /// The documented JSON for machines.
    var json: JSONValue { get }
}

/// JSON on stdout.
public enum JSONRenderer {
    /// A whole JSON document: indented, keys sorted, newline-terminated.
    public static func document(_ value: JSONValue) -> String {
        JSONWriter.pretty(value) + "\n"
    }

    /// One JSON Lines record: compact, keys sorted (RFC 8785 form), newline-terminated.
    public static func line(_ value: JSONValue) -> String {
        JSONWriter.compact(value) + "\n"
    }
}

/// Severity of a located message.
public enum Severity: String, Sendable, CaseIterable, Comparable {
    case info, warning, error

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Messages about a place in a file, in the form editors and CI understand:
///
///     policies/deploy.cedar:3:14: error: [SG201] permit without @owner
///        3 | permit(principal, action == Action::"deploy", resource)
///          |              ^
public enum LocatedMessageRenderer {
    /// The message line and, when `sourceLine` is given, an excerpt with a caret under `column`.
    /// A long line is clipped around the caret (`ExcerptClip`); the header keeps the true column.
    public static func render(
        file: String, line: Int, column: Int, severity: Severity, code: String? = nil, message: String,
        sourceLine: String? = nil, style: Style = .plain
    ) -> String {
        let label: String
        switch severity {
        case .error: label = style.apply("error:", .bold, .red)
        case .warning: label = style.apply("warning:", .bold, .yellow)
        case .info: label = style.apply("info:", .bold, .cyan)
        }
        var text = style.bold("\(file):\(line):\(column):") + " " + label + " "
        if let code { text += "[\(code)] " }
        text += message + "\n"
        if let fullLine = sourceLine {
            let (sourceLine, column) = ExcerptClip.around(fullLine, column: column)
            let gutter = String(line)
            let blank = String(repeating: " ", count: gutter.count)
            // Columns count Unicode scalars; tabs stay tabs so the caret lines up under them.
            var caretPad = ""
            for (index, scalar) in sourceLine.unicodeScalars.enumerated() where index < column - 1 {
                caretPad.append(scalar == "\t" ? "\t" : " ")
            }
            text += " \(style.dim(gutter)) \(style.dim("|")) \(sourceLine)\n"
            text += " \(blank) \(style.dim("|")) \(caretPad)\(style.apply("^", .bold, .red))\n"
        }
        return text
    }

    /// A `file:line:col` location from the JSON module, with its line's text as the excerpt.
    public static func render(
        file: String, location: SourceLocation, lines: LineTable?, severity: Severity, code: String? = nil,
        message: String, style: Style = .plain
    ) -> String {
        render(
            file: file, line: location.line, column: location.column, severity: severity, code: code,
            message: message, sourceLine: lines?.lineText(location.line), style: style)
    }
}

extension CommandContext {
    /// Prints a report as `--format` asks: JSON for `json`, text otherwise. Commands that offer
    /// `sarif`, `github`, `diff` or `junit` render those themselves before falling back here.
    public func emit(_ report: some Report) {
        switch format {
        case .json: printJSON(report.json)
        default: console.write(report.text(style: style, quiet: isQuiet))
        }
    }
}

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

/// Messages about a place in a file, in the form editors and CI understand:
///
///     policies/deploy.cedar:3:14: error: [SG201] permit without @owner
///        3 | permit(principal, action == Action::"deploy", resource)
///          |              ^
public enum LocatedMessageRenderer {
    /// The message line and, when `sourceLine` is given, an excerpt with carets under `column`
    /// (`caretLength` of them, fewer when the line ends first). A long line is clipped around the
    /// caret (`ExcerptClip`); the header keeps the true column. Every located message — an input
    /// error, a lint finding, a validation error — is drawn here.
    public static func render(
        file: String, line: Int, column: Int, severity: Severity, code: String? = nil, message: String,
        sourceLine: String? = nil, caretLength: Int = 1, style: Style = .plain
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
            let available = max(1, sourceLine.unicodeScalars.count - (column - 1))
            let carets = String(repeating: "^", count: max(1, min(caretLength, available)))
            text += " \(blank) \(style.dim("|")) \(caretPad)\(style.apply(carets, .bold, .red))\n"
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

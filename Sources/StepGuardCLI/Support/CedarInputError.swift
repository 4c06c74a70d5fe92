// The located errors of the Cedar commands (authorize, validate, fmt) and the texts they
// quote.
import Basics
import Cedar
import JSONValue

/// A problem with an input file that stops a Cedar command (exit 2). `line` is nil when the
/// problem has no place in the file (an empty directory, an entity uid given on the command line).
struct CedarInputError: Error, CustomStringConvertible {
    /// The file (or `--option` name) the problem is in.
    var file: String
    /// 1-based line, when known.
    var line: Int?
    /// 1-based column (Unicode scalars), when known.
    var column: Int?
    /// What is wrong, in plain words.
    var message: String
    /// The text of the offending line, for the caret excerpt.
    var sourceLine: String?

    init(file: String, line: Int? = nil, column: Int? = nil, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    var description: String {
        guard let line else { return "\(file): \(message)" }
        return "\(file):\(line):\(column ?? 1): \(message)"
    }

    /// `file:line:col: error: message` with a caret excerpt, or `file: error: message`.
    func rendered(style: Style) -> String {
        guard let line else {
            return style.bold("\(file):") + " " + style.apply("error:", .bold, .red) + " " + message + "\n"
        }
        return LocatedMessageRenderer.render(
            file: file, line: line, column: column ?? 1, severity: .error, message: message, sourceLine: sourceLine,
            style: style)
    }
}

/// The texts read so far, by file name, for excerpts.
struct CedarSources {
    private var files: [String: [UInt8]] = [:]

    mutating func add(_ file: String, _ bytes: [UInt8]) { files[file] = bytes }

    func lineText(file: String, line: Int) -> String? {
        guard let bytes = files[file] else { return nil }
        return LineTable(bytes).lineText(line)
    }

    /// A located error from an engine error; `fallback` names the file when the error has no span.
    func located(_ error: CedarError, fallback: String) -> CedarInputError {
        guard let span = error.span, span.file.isEmpty == false || fallback.isEmpty == false else {
            return CedarInputError(file: fallback, message: error.message)
        }
        let file = span.file.isEmpty ? fallback : span.file
        return CedarInputError(
            file: file, line: span.start.line, column: span.start.column, message: error.message,
            sourceLine: lineText(file: file, line: span.start.line))
    }
}

extension CommandContext {
    /// Prints a located input error on stderr, and keeps it for the error document.
    func report(_ error: CedarInputError) {
        failures.record(CommandFailure(error))
        let text = error.rendered(style: diagnosticStyle)
        console.diagnostic(String(text.hasSuffix("\n") ? text.dropLast() : text[...]))
    }

    /// Runs a Cedar command body; an input error is printed located and gives exit status 2.
    func runReportingInputErrors(_ body: () throws -> ExitCode) throws -> ExitCode {
        do {
            return try body()
        } catch let error as CedarInputError {
            report(error)
            return .error
        }
    }
}

import AuditLog
import Basics
import Credentials
import Gate
import JSONValue
import Lint
import Workflow

/// Why a command could not do its job (exit 2), kept so that under `--format json` stdout says
/// it too: CI reads stdout, not stderr. Printed as the error document (docs/cli.md):
///
///     {"schema": "stepguard.error/v1", "command": "eval", "code": "invalid_input",
///      "message": "...", "file": "plan.json", "line": 3, "column": 14}
public struct CommandFailure: Equatable, Sendable {
    /// A stable word for the kind of failure.
    public enum Code: String, Sendable, CaseIterable {
        /// The command line is wrong (an unknown option, a missing argument, two request forms).
        case usage
        /// An input file could not be read (missing, unreadable, too large).
        case unreadableFile = "unreadable_file"
        /// An output file could not be written, or exists and must not be replaced.
        case unwritableFile = "unwritable_file"
        /// An input file was read but is malformed or invalid (a parse error, a bad plan, a
        /// policy that does not load, a key of the wrong kind).
        case invalidInput = "invalid_input"
        /// The audit log cannot be appended to or read as asked: a torn or tampered tail, a
        /// record that would go back in time, a lock not obtained.
        case auditLog = "audit_log"
        /// Anything else that stopped the command.
        case failed
    }

    public var code: Code
    /// The message printed on stderr, without the `stepguard: error:` prefix or location.
    public var message: String
    /// The file the problem is in, when there is one.
    public var file: String?
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// 1-based column (Unicode scalars), when known.
    public var column: Int?

    public init(code: Code, message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// The failure an error thrown out of a command stands for: its kind from its type, its
    /// place when it carries one.
    public init(_ error: any Error) {
        switch error {
        case let error as CLIError:
            switch error {
            case .invalidUsage: self.init(code: .usage, message: error.description)
            case .unreadableFile(let path, _): self.init(code: .unreadableFile, message: error.description, file: path)
            case .unwritableFile(let path, _), .fileExists(let path):
                self.init(code: .unwritableFile, message: error.description, file: path)
            }
        case let error as ParseFailure:
            self.init(code: .usage, message: error.error.message)
        case let error as ParseError:
            self.init(code: .usage, message: error.message)
        case let error as WorkflowError:
            if case .unreadable(let file, _) = error {
                self.init(code: .unreadableFile, message: error.message, file: file)
            } else {
                let location = error.location
                self.init(
                    code: .invalidInput, message: error.message, file: location?.file, line: location?.line,
                    column: location?.column)
            }
        case let error as CedarInputError:
            self.init(code: .invalidInput, message: error.message, file: error.file, line: error.line, column: error.column)
        case let error as JSONParseError:
            self.init(
                code: .invalidInput, message: error.message, file: error.file, line: error.location.line,
                column: error.location.column)
        case let error as CredentialsError:
            switch error {
            case .invalidFile(let file, let line, let column, let message):
                self.init(code: .invalidInput, message: message, file: file, line: line, column: column)
            case .io(let path, _): self.init(code: .unreadableFile, message: error.description, file: path)
            case .fileExists(let path): self.init(code: .unwritableFile, message: error.description, file: path)
            default: self.init(code: .invalidInput, message: error.description)
            }
        case let error as AuditError:
            self.init(code: .auditLog, message: error.description)
        case let error as LintError:
            self.init(code: .invalidInput, message: error.description)
        case let error as TokenFailure:
            self.init(code: .invalidInput, message: error.description)
        case let error as GateError:
            switch error {
            case .policies(let error): self.init(error)
            case .log(let error): self.init(error)
            case .malformedMapping(let location, let message):
                self.init(code: .invalidInput, message: message, file: location.file, line: location.line, column: location.column)
            case .malformedRecording(let location, let message):
                self.init(code: .invalidInput, message: message, file: location.file, line: location.line, column: location.column)
            case .unreadable(let path, _): self.init(code: .unreadableFile, message: error.description, file: path)
            default: self.init(code: .invalidInput, message: error.description)
            }
        default:
            self.init(code: .failed, message: String(describing: error))
        }
    }

    /// The error document of `commandPath`.
    public func json(commandPath: [String]) -> JSONValue {
        func optional(_ value: Int?) -> JSONValue { value.map { .int($0) } ?? .null }
        return JSONSchema.stamp(
            .object(JSONObject([
                ("command", .string(commandPath.joined(separator: " "))),
                ("code", .string(code.rawValue)),
                ("message", .string(message)),
                ("file", file.map(JSONValue.string) ?? .null),
                ("line", optional(line)),
                ("column", optional(column)),
            ])), schema: JSONSchema.error)
    }
}

/// The failures one run of a command reported, shared by every copy of its `CommandContext`.
public final class CommandFailures: @unchecked Sendable {
    private let lock = ThreadLock()
    private var failures: [CommandFailure] = []
    private var printedLines = false

    public init() {}

    /// Keeps a failure; the first one is the one the error document reports.
    public func record(_ failure: CommandFailure) {
        lock.lock()
        defer { lock.unlock() }
        failures.append(failure)
    }

    /// The first failure recorded, if any.
    public var first: CommandFailure? {
        lock.lock()
        defer { lock.unlock() }
        return failures.first
    }

    /// Marks that the command printed JSON Lines, so its error document is one more line.
    func notePrintedLines() {
        lock.lock()
        defer { lock.unlock() }
        printedLines = true
    }

    var hasPrintedLines: Bool {
        lock.lock()
        defer { lock.unlock() }
        return printedLines
    }
}

extension CommandContext {
    /// Prints `stepguard: error: MESSAGE` for a thrown error, and keeps it for the error document.
    public func fail(_ error: any Error) {
        let failure = CommandFailure(error)
        failures.record(failure)
        console.diagnostic(diagnosticStyle.apply("stepguard: error:", .bold, .red) + " " + String(describing: error))
    }

    /// Under `--format json`, the error document of a run that exits 2: pretty like every
    /// document, or one compact line when the command printed JSON Lines before it failed.
    func printErrorDocument() {
        guard format == .json else { return }
        let failure = failures.first ?? CommandFailure(code: .failed, message: "the command could not do its job; see stderr")
        let document = failure.json(commandPath: arguments.commandPath)
        console.write(failures.hasPrintedLines ? JSONRenderer.line(document) : JSONRenderer.document(document))
    }
}

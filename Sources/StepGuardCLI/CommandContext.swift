/// Output formats a command may offer through `--format`.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// For people (the default).
    case text
    /// Documented, stable JSON for machines.
    case json
    /// SARIF 2.1.0 for code scanning (lint, eval).
    case sarif
    /// GitHub workflow annotations (lint, eval).
    case github
    /// A unified diff (mutate).
    case diff
    /// JUnit XML (test).
    case junit
    /// A C2SP tlog-proof file (audit prove).
    case tlogProof = "tlog-proof"
}

/// Everything a command handler gets: its parsed arguments, the console, and the shared
/// conventions (format, colour, quiet) already resolved.
public struct CommandContext: Sendable {
    /// The parsed command line.
    public let arguments: ParsedArguments
    /// The command's table.
    public let command: CommandSpec
    /// The streams and environment.
    public let console: Console
    /// Styling for stdout (off unless colour is enabled for it).
    public let style: Style
    /// Styling for stderr.
    public let diagnosticStyle: Style
    /// `-q/--quiet`: print only failures and the summary.
    public let isQuiet: Bool
    /// The `--format` value, `.text` when the command has no such option.
    public let format: OutputFormat
    /// What stopped the command, for the error document `--format json` prints on exit 2.
    public let failures = CommandFailures()

    /// Creates a context; `CLI.run` does this for every command.
    public init(arguments: ParsedArguments, command: CommandSpec, console: Console) {
        self.arguments = arguments
        self.command = command
        self.console = console
        let has = { (long: String) in command.option(long: long) != nil }
        let mode = has("color") ? arguments.value("color").flatMap(ColorMode.init(rawValue:)) ?? .auto : .auto
        self.style = Style(isEnabled: mode.isEnabled(isTerminal: console.output.isTerminal, environment: console.environment))
        self.diagnosticStyle = Style(
            isEnabled: mode.isEnabled(isTerminal: console.diagnostics.isTerminal, environment: console.environment))
        self.isQuiet = has("quiet") && arguments.flag("quiet")
        self.format = has("format") ? arguments.value("format").flatMap(OutputFormat.init(rawValue:)) ?? .text : .text
    }

    /// `stepguard token verify`
    public var commandLine: String { (["stepguard"] + arguments.commandPath).joined(separator: " ") }

    /// `token verify`
    public var commandName: String { arguments.commandPath.joined(separator: " ") }

    // MARK: - Diagnostics (stderr)

    /// Prints `stepguard: error: MESSAGE` on stderr, and keeps it (with its kind) for the error
    /// document should the command exit 2.
    public func error(_ message: String, code: CommandFailure.Code = .failed) {
        failures.record(CommandFailure(code: code, message: message))
        console.diagnostic(diagnosticStyle.apply("stepguard: error:", .bold, .red) + " " + message)
    }

    /// Prints `stepguard: warning: MESSAGE` on stderr.
    public func warning(_ message: String) {
        console.diagnostic(diagnosticStyle.apply("stepguard: warning:", .bold, .yellow) + " " + message)
    }

    /// Prints a progress or information line on stderr, unless `--quiet`.
    public func note(_ message: String) {
        if !isQuiet { console.diagnostic(message) }
    }

    // MARK: - Files

    /// The bytes of a file, or of stdin when `path` is `-`; more than `limit` bytes is an error.
    public func readInput(_ path: String, limit: Int = FileReader.maxFileBytes) throws(CLIError) -> [UInt8] {
        if path == "-" {
            let bytes: [UInt8]
            do {
                bytes = try console.readStandardInput()
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError.unreadableFile(path: "-", reason: String(describing: error))
            }
            if bytes.count > limit { throw FileReader.tooLarge("-", limit) }
            return bytes
        }
        return try FileReader.read(path, limit: limit)
    }

    /// Writes a file atomically (see `AtomicFile`).
    public func writeFile(
        _ text: String, to path: String, permissions: UInt16 = 0o644, overwrite: Bool = true
    ) throws(CLIError) {
        try AtomicFile.write(text, to: path, permissions: permissions, overwrite: overwrite)
    }
}

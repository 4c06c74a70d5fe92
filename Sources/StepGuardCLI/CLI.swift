/// The stepguard command line: parse, dispatch, report.
public enum CLI {
    /// The version `--version` prints and man pages carry.
    public static let version = "0.1.0"

    /// Runs stepguard with `arguments` (argv without the program name) and returns the exit status.
    public static func run(arguments: [String], console: Console) -> Int32 {
        let status: ExitCode
        if let selected = CommandTable.root(selecting: arguments) {
            status = execute(arguments, console: console, root: selected, whole: { CommandTable.root })
        } else {
            status = execute(arguments, console: console, root: CommandTable.root)
        }
        console.flush()
        return status.rawValue
    }

    /// Runs a command line against any command table (tests use small tables of their own).
    public static func run(arguments: [String], console: Console, root: CommandSpec) -> Int32 {
        let status = execute(arguments, console: console, root: root)
        console.flush()
        return status.rawValue
    }

    /// Parses and runs `arguments` with `root`. With `whole`, `root` holds only part of the
    /// command table, and a line it does not parse, or that asks for help or the version, is
    /// handled by the whole table instead.
    static func execute(_ arguments: [String], console: Console, root: CommandSpec, whole: (() -> CommandSpec)? = nil) -> ExitCode {
        // Usage errors happen before --color is parsed; honour it if it is on the line at all.
        let autoStyle = Style(isEnabled: requestedColorMode(arguments).isEnabled(
            isTerminal: console.diagnostics.isTerminal, environment: console.environment))
        let outcome: ParseOutcome
        do {
            outcome = try ArgumentParser(root: root).parse(arguments)
        } catch {
            if let whole { return execute(arguments, console: console, root: whole()) }
            reportUsage(error, root: root, console: console, style: autoStyle)
            printUsageErrorDocument(error, arguments: arguments, console: console)
            return .error
        }
        if let whole {
            guard case .run = outcome else { return execute(arguments, console: console, root: whole()) }
        }
        switch outcome {
        case .version:
            console.print("stepguard \(version)")
            return .success
        case .help(let path):
            console.write(HelpRenderer.render(HelpDocument(root: root, path: path)))
            return .success
        case .run(let parsed):
            guard let command = root.descendant(parsed.commandPath), let handler = command.run else {
                let failure = ParseFailure(.missingCommand(index: arguments.count + 1), commandPath: parsed.commandPath)
                reportUsage(failure, root: root, console: console, style: autoStyle)
                printUsageErrorDocument(failure, arguments: arguments, console: console)
                return .error
            }
            let context = CommandContext(arguments: parsed, command: command, console: console)
            let status = run(handler, context: context, root: root)
            if status == .error { context.printErrorDocument() }
            return status
        }
    }

    /// Runs a command's handler; whatever it throws is reported on stderr (usage errors with the
    /// usage line) and kept for the error document, and gives exit status 2.
    static func run(_ handler: CommandHandler, context: CommandContext, root: CommandSpec) -> ExitCode {
        let path = context.arguments.commandPath
        do {
            return try handler(context)
        } catch let failure as ParseFailure {
            context.failures.record(CommandFailure(failure))
            reportUsage(failure, root: root, console: context.console, style: context.diagnosticStyle)
        } catch let error as ParseError {
            context.failures.record(CommandFailure(error))
            reportUsage(ParseFailure(error, commandPath: path), root: root, console: context.console, style: context.diagnosticStyle)
        } catch CLIError.invalidUsage(let message) {
            context.failures.record(CommandFailure(code: .usage, message: message))
            reportUsage(message: message, path: path, suggestion: nil, root: root, console: context.console,
                        style: context.diagnosticStyle)
        } catch {
            context.fail(error)
        }
        return .error
    }

    /// A usage error found before any command ran: its error document when the command line
    /// asks for `--format json`, since no context exists yet to say so.
    static func printUsageErrorDocument(_ error: any Error, arguments: [String], console: Console) {
        guard requestedFormat(arguments) == OutputFormat.json.rawValue else { return }
        let path = (error as? ParseFailure)?.commandPath ?? []
        console.write(JSONRenderer.document(CommandFailure(error).json(commandPath: path)))
    }

    /// The last `--format FORMAT` or `--format=FORMAT` before `--`, if any.
    static func requestedFormat(_ arguments: [String]) -> String? {
        lastValue(of: "format", in: arguments) { OutputFormat(rawValue: $0) != nil }
    }

    /// The last `--color WHEN` or `--color=WHEN` before `--`, else `auto`.
    static func requestedColorMode(_ arguments: [String]) -> ColorMode {
        lastValue(of: "color", in: arguments) { ColorMode(rawValue: $0) != nil }.flatMap(ColorMode.init(rawValue:)) ?? .auto
    }

    /// The value of the last valid `--NAME VALUE` or `--NAME=VALUE` before `--`: usage errors
    /// happen before the options are parsed, and still honour `--color` and `--format`.
    static func lastValue(of name: String, in arguments: [String], where isValid: (String) -> Bool) -> String? {
        var value: String?
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let word = arguments[index]
            var candidate: String?
            if word == "--" + name, index + 1 < arguments.count {
                candidate = arguments[index + 1]
            } else if word.hasPrefix("--\(name)=") {
                candidate = String(word.dropFirst(name.count + 3))
            }
            if let candidate, isValid(candidate) { value = candidate }
            index += 1
        }
        return value
    }

    /// A usage error: what was wrong, the usage line, a did-you-mean, where to read more.
    static func reportUsage(_ failure: ParseFailure, root: CommandSpec, console: Console, style: Style) {
        var listCommands = false
        switch failure.error {
        case .missingCommand, .unknownCommand: listCommands = true
        default: break
        }
        reportUsage(message: failure.error.message, path: failure.commandPath, suggestion: failure.error.suggestion,
                    listCommands: listCommands, root: root, console: console, style: style)
    }

    static func reportUsage(
        message: String, path: [String], suggestion: String?, listCommands: Bool = false, root: CommandSpec,
        console: Console, style: Style
    ) {
        console.diagnostic(style.apply("stepguard: error:", .bold, .red) + " " + message)
        if let command = root.descendant(path) {
            for (index, line) in HelpDocument.usageLines(for: command, path: path).enumerated() {
                console.diagnostic((index == 0 ? "usage: " : "       ") + line)
            }
        }
        if let suggestion {
            console.diagnostic("did you mean '\(style.bold(suggestion))'?")
        } else if listCommands, let command = root.descendant(path), command.isGroup {
            console.diagnostic("commands: " + command.visibleSubcommands.map(\.name).joined(separator: ", "))
        }
        console.diagnostic("run '" + (["stepguard"] + path + ["--help"]).joined(separator: " ") + "' for more information")
    }
}

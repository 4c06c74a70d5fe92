/// The stepguard command line: parse, dispatch, report.
public enum CLI {
    /// The version `--version` prints and man pages carry.
    public static let version = "0.1.0"

    /// Runs stepguard with `arguments` (argv without the program name) and returns the exit status.
    public static func run(arguments: [String], console: Console) -> Int32 {
        run(arguments: arguments, console: console, root: CommandTable.root)
    }

    /// Runs a command line against any command table (tests use small tables of their own).
    public static func run(arguments: [String], console: Console, root: CommandSpec) -> Int32 {
        let status = execute(arguments, console: console, root: root)
        console.flush()
        return status.rawValue
    }

    static func execute(_ arguments: [String], console: Console, root: CommandSpec) -> ExitCode {
        // Usage errors happen before --color is parsed; honour it if it is on the line at all.
        let autoStyle = Style(isEnabled: requestedColorMode(arguments).isEnabled(
            isTerminal: console.diagnostics.isTerminal, environment: console.environment))
        let outcome: ParseOutcome
        do {
            outcome = try ArgumentParser(root: root).parse(arguments)
        } catch {
            reportUsage(error, root: root, console: console, style: autoStyle)
            return .error
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
                reportUsage(ParseFailure(.missingCommand(index: arguments.count + 1), commandPath: parsed.commandPath),
                            root: root, console: console, style: autoStyle)
                return .error
            }
            let context = CommandContext(arguments: parsed, command: command, console: console)
            do {
                return try handler(context)
            } catch let failure as ParseFailure {
                reportUsage(failure, root: root, console: console, style: context.diagnosticStyle)
            } catch let error as ParseError {
                reportUsage(ParseFailure(error, commandPath: parsed.commandPath), root: root, console: console,
                            style: context.diagnosticStyle)
            } catch CLIError.invalidUsage(let message) {
                reportUsage(message: message, path: parsed.commandPath, suggestion: nil, root: root, console: console,
                            style: context.diagnosticStyle)
            } catch {
                context.error(String(describing: error))
            }
            return .error
        }
    }

    /// The last `--color WHEN` or `--color=WHEN` before `--`, else `auto`.
    static func requestedColorMode(_ arguments: [String]) -> ColorMode {
        var mode = ColorMode.auto
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let word = arguments[index]
            if word == "--color", index + 1 < arguments.count {
                mode = ColorMode(rawValue: arguments[index + 1]) ?? mode
            } else if word.hasPrefix("--color=") {
                mode = ColorMode(rawValue: String(word.dropFirst("--color=".count))) ?? mode
            }
            index += 1
        }
        return mode
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

import Foundation
import Testing
@testable import StepGuardCLI

/// A minimal command line that satisfies a command's table: every required option and every
/// required positional, with a value of the right kind.
func minimalArguments(path: [String], command: CommandSpec) -> [String] {
    func sample(_ kind: OptionKind) -> String {
        switch kind {
        case .choice(let values): return values[0]
        case .duration: return "5m"
        case .integer: return "1"
        case .flag, .value, .path, .command: return "x"
        }
    }
    var words = path
    for option in command.options where option.isRequired {
        words += [option.longSpelling] + (option.kind.takesValue ? [sample(option.kind)] : [])
    }
    for group in command.requireOneOf {
        if let option = command.option(long: group[0]) {
            words += [option.longSpelling] + (option.kind.takesValue ? [sample(option.kind)] : [])
        }
    }
    for positional in command.positionals where positional.arity.minimum > 0 {
        words.append(sample(positional.kind))
    }
    return words
}

/// Every leaf command of the real table with its path.
let leafCommands: [[String]] = CommandTable.root.visibleDescendants().filter { !$0.command.isGroup }.map(\.path)

struct CLITests {
    @Test func misspeltCommandSuggestsTheNearest() {
        let result = runCLI(["lnit"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("unknown command 'lnit'"))
        #expect(result.stderr.contains("usage: stepguard <command> [options]"))
        #expect(result.stderr.contains("did you mean 'lint'?"))
    }

    @Test func misspeltOptionSuggestsTheNearest() {
        let result = runCLI(["eval", "--formt", "json", "plan.json"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("unknown option '--formt'"))
        #expect(result.stderr.contains("usage: stepguard eval [options] PLAN"))
        #expect(result.stderr.contains("did you mean '--format'?"))
    }

    @Test func invalidEnumValueListsTheAllowedValues() {
        let result = runCLI(["eval", "--format", "yaml", "plan.json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid value 'yaml' for '--format': expected one of text, json, sarif, github"))
        #expect(result.stderr.contains("usage: stepguard eval"))
    }

    @Test func usageErrorMessageInFull() {
        let result = runCLI(["token", "verify", "--leway", "5s", "-k", "k.pub", "t"])
        #expect(result.stderr == """
            stepguard: error: unknown option '--leway'
            usage: stepguard token verify (--key FILE | --jwks FILE) [options] TOKEN
            did you mean '--leeway'?
            run 'stepguard token verify --help' for more information

            """)
    }

    @Test func missingCommandListsTheCommands() {
        let result = runCLI(["audit"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("missing command"))
        #expect(result.stderr.contains("commands: append, checkpoint, verify, show, prove, verify-proof"))
    }

    @Test func requiredOptionsAreEnforced() {
        let result = runCLI(["mint", "--plan", "p.json", "--step", "s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("missing required option '--key'"))
        #expect(result.stderr.contains("usage: stepguard mint --key FILE --policies DIR --plan FILE --step ID [options]"))
    }

    @Test func badDurationIsAUsageError() {
        let result = runCLI(["mint", "-k", "k", "--plan", "p", "--step", "s", "--ttl", "5 minutes"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid duration '5 minutes' for '--ttl'"))
    }

    @Test func oneOfAGroupIsRequired() {
        let result = runCLI(["token", "verify", "t"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("one of '--key' or '--jwks' is required"))
    }

    @Test func exclusiveOptionsAreRefused() {
        let result = runCLI(["fmt", "--check", "-w", "a.cedar"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("options '--check' and '--write' cannot be used together"))
    }

    @Test func version() {
        let result = runCLI(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "stepguard \(CLI.version)\n")
        #expect(result.stderr.isEmpty)
    }

    @Test(arguments: leafCommands)
    func everyTableParsesItsOwnMinimalCommandLine(path: [String]) throws {
        let command = try #require(CommandTable.root.descendant(path))
        let words = minimalArguments(path: path, command: command)
        let outcome = try ArgumentParser(root: CommandTable.root).parse(words)
        guard case .run(let arguments) = outcome else {
            Issue.record("\(words) did not select a command")
            return
        }
        #expect(arguments.commandPath == path)
    }

    @Test(arguments: [[]] + CommandTable.root.visibleDescendants().map(\.path))
    func helpCommandAndHelpFlagAgree(path: [String]) {
        let viaCommand = runCLI(["help"] + path)
        let viaFlag = runCLI(path + ["--help"])
        #expect(viaCommand.status == 0)
        #expect(viaFlag.status == 0)
        #expect(viaCommand.stdout == viaFlag.stdout)
        #expect(viaCommand.stdout.hasPrefix((["stepguard"] + path).joined(separator: " ") + " - "))
        #expect(viaFlag.stderr.isEmpty)
    }

    @Test func helpOfAnUnknownCommandSuggests() {
        let result = runCLI(["help", "token", "verfy"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown command 'verfy'"))
        #expect(result.stderr.contains("did you mean 'verify'?"))
    }

    @Test func helpListsEveryCommandButHiddenOnes() {
        let help = runCLI(["--help"]).stdout
        for (path, command) in CommandTable.root.visibleDescendants() where !command.isGroup {
            #expect(help.contains("  " + path.joined(separator: " ")))
        }
        #expect(!help.contains("__generate-docs"))
    }

    @Test(arguments: Shell.allCases)
    func completionsPrintTheCommittedScript(shell: Shell) throws {
        let result = runCLI(["completions", shell.rawValue])
        #expect(result.status == 0)
        let committed = try String(
            contentsOf: Repository.root.appendingPathComponent("completions/\(shell.fileName)"), encoding: .utf8)
        #expect(result.stdout == committed)
    }

    @Test func completionsRejectAnUnknownShell() {
        let result = runCLI(["completions", "tcsh"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid value 'tcsh' for 'SHELL': expected one of bash, zsh, fish"))
    }
}

struct ColorTests {
    @Test func autoFollowsTerminalNoColorAndTerm() {
        #expect(ColorMode.auto.isEnabled(isTerminal: true, environment: [:]))
        #expect(!ColorMode.auto.isEnabled(isTerminal: false, environment: [:]))
        #expect(!ColorMode.auto.isEnabled(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(ColorMode.auto.isEnabled(isTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(!ColorMode.auto.isEnabled(isTerminal: true, environment: ["TERM": "dumb"]))
        #expect(ColorMode.always.isEnabled(isTerminal: false, environment: ["NO_COLOR": "1"]))
        #expect(!ColorMode.never.isEnabled(isTerminal: true, environment: [:]))
    }

    @Test func usageErrorsAreColouredOnlyOnATerminal() {
        let terminal = runCLI(["lnit"], stderrIsTerminal: true)
        #expect(terminal.stderr.contains("\u{1B}["))
        let noColor = runCLI(["lnit"], environment: ["NO_COLOR": "1"], stderrIsTerminal: true)
        #expect(!noColor.stderr.contains("\u{1B}["))
        let pipe = runCLI(["lnit"])
        #expect(!pipe.stderr.contains("\u{1B}["))
    }

    @Test func colorFlagReachesTheContext() throws {
        let command = try #require(CommandTable.root.descendant(["eval"]))
        func context(_ words: [String], terminal: Bool, environment: [String: String] = [:]) throws -> CommandContext {
            guard case .run(let arguments) = try ArgumentParser(root: CommandTable.root).parse(words) else {
                throw ParseFailure(.missingCommand(index: 0), commandPath: [])
            }
            let console = Console.capturing(environment: environment, outputIsTerminal: terminal).console
            return CommandContext(arguments: arguments, command: command, console: console)
        }
        #expect(try context(["eval", "p"], terminal: true).style.isEnabled)
        #expect(try !context(["eval", "p"], terminal: false).style.isEnabled)
        #expect(try context(["eval", "--color", "always", "p"], terminal: false).style.isEnabled)
        #expect(try !context(["eval", "--color=never", "p"], terminal: true).style.isEnabled)
        #expect(try !context(["eval", "p"], terminal: true, environment: ["NO_COLOR": "x"]).style.isEnabled)
        #expect(try context(["eval", "-q", "--format", "json", "p"], terminal: false).isQuiet)
        #expect(try context(["eval", "--format", "sarif", "p"], terminal: false).format == .sarif)
        #expect(try context(["eval", "p"], terminal: false).format == .text)
    }

    @Test func colorNeverSilencesUsageErrorsToo() {
        #expect(!runCLI(["eval", "--color", "never", "--formt"], stderrIsTerminal: true).stderr.contains("\u{1B}["))
        #expect(runCLI(["eval", "--color=always", "--formt"]).stderr.contains("\u{1B}["))
    }

    @Test func styleIsANoOpWhenOff() {
        #expect(Style.plain.red("x") == "x")
        #expect(TerminalText.sanitize(Style(isEnabled: true).apply("x", .bold, .red)) == "\u{1B}[1;31mx\u{1B}[0m")
        #expect(DisplayWidth.of(Style(isEnabled: true).red("abc")) == 3)
        #expect(DisplayWidth.of("日本") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)
    }
}

struct TableTests {
    @Test func columnsAlignAndColourDoesNotShiftThem() {
        var table = Table(columns: [Table.Column("STEP"), Table.Column("OUTCOME"), Table.Column("N", alignment: .right)])
        table.append(["clone", Table.Cell("allow", [.green]), "1"])
        table.append(["deploy-prod", Table.Cell("mutate", [.yellow]), "12"])
        let expected = """
            STEP         OUTCOME   N
            clone        allow     1
            deploy-prod  mutate   12

            """
        #expect(table.render() == expected)
        let coloured = TerminalText.sanitize(table.render(style: Style(isEnabled: true)))
        let stripped = coloured.replacing(/\u{1B}\[[0-9;]*m/, with: "")
        #expect(stripped == expected)
    }

    @Test func flexibleColumnWrapsToTheWidth() {
        var table = Table(columns: [Table.Column("ID"), Table.Column("REASON", isFlexible: true)])
        table.append(["s1", "production writes go through a read-only verification first"])
        let rendered = table.render(maxWidth: 30)
        for line in rendered.split(separator: "\n") { #expect(line.count <= 30) }
        #expect(rendered.hasPrefix("ID  REASON\ns1  production writes go\n"))
    }
}

struct AtomicFileTests {
    let directory: String = {
        let path = NSTemporaryDirectory() + "stepguard-atomic-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    @Test func writesReplacesAndLeavesNoTemporaryFile() throws {
        let path = directory + "/out.txt"
        try AtomicFile.write("first\n", to: path)
        try AtomicFile.write("second\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.txt"])
    }

    @Test func privateModeAndNoOverwrite() throws {
        let path = directory + "/key.pem"
        try AtomicFile.write("secret", to: path, permissions: 0o600, overwrite: false)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(throws: CLIError.fileExists(path: path)) {
            try AtomicFile.write("other", to: path, overwrite: false)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["key.pem"])
    }

    @Test func missingDirectoryIsANamedError() {
        let path = directory + "/no/such/dir/file"
        #expect(throws: CLIError.self) { try AtomicFile.write("x", to: path) }
    }
}

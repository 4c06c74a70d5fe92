import Basics
import Testing
@testable import StepGuardCLI

/// Rules every command table keeps, so help, man pages and completions stay consistent.
struct CommandTableTests {
    static let all: [(path: [String], command: CommandSpec)] = [([], CommandTable.root)] + CommandTable.root.visibleDescendants()

    @Test(arguments: all.map(\.path))
    func spellingsAreUniqueAndWellFormed(path: [String]) throws {
        let command = try #require(CommandTable.root.descendant(path))
        let longs = command.allOptions.map(\.long)
        #expect(Set(longs).count == longs.count, "duplicate long option in \(path)")
        let shorts = command.allOptions.compactMap(\.short)
        #expect(Set(shorts).count == shorts.count, "duplicate short option in \(path)")
        for option in command.allOptions {
            #expect(option.long.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "--\(option.long)")
            #expect(!option.kind.takesValue || !option.valueName.isEmpty, "--\(option.long) needs a value name")
            #expect(option.defaultValue == nil || option.kind.takesValue, "--\(option.long): a flag has no default")
            if case .choice(let values) = option.kind, let value = option.defaultValue {
                #expect(values.contains(value), "--\(option.long): default '\(value)' is not allowed")
            }
            if option.kind == .duration, let value = option.defaultValue {
                #expect(DurationText.milliseconds(value) != nil, "--\(option.long): default '\(value)' is not a duration")
            }
        }
        let names = command.subcommands.map(\.name)
        #expect(Set(names).count == names.count, "duplicate subcommand in \(path)")
        for group in command.exclusive + command.requireOneOf {
            for long in group { #expect(command.option(long: long) != nil, "\(path): unknown option '\(long)' in a group") }
        }
        #expect(command.isGroup != (command.run != nil), "\(path): a command is a group or has a handler, not both")
    }

    @Test(arguments: all.map(\.path))
    func helpTextIsLowerCaseWithoutFinalStop(path: [String]) throws {
        let command = try #require(CommandTable.root.descendant(path))
        var lines = [command.summary] + command.allOptions.map(\.help) + command.positionals.map(\.help)
        lines += command.exitStatus.map(\.meaning) + command.examples.map(\.explanation)
        for line in lines {
            #expect(!line.isEmpty, "\(path): empty help")
            let firstWord = String(line.prefix { $0 != " " })
            let properNoun = ["Cedar", "Ed25519", "JSON", "RFC", "SARIF"].contains(firstWord)
            #expect(!(line.first?.isUppercase ?? false) || properNoun, "\(path): '\(line)' starts upper-case")
            #expect(!line.hasSuffix("."), "\(path): '\(line)' ends with a full stop")
        }
        // The help renderer says "(repeatable)" itself; a help text that says it too prints it twice.
        for option in command.allOptions {
            #expect(!option.help.contains("repeatable"), "\(path): --\(option.long) says (repeatable) in its own help")
        }
    }

    /// DESIGN §1: every command takes --format, --color and -q (help and completions print
    /// documentation, not results).
    @Test(arguments: all.filter { !$0.command.isGroup && !$0.command.isHidden }.map(\.path))
    func sharedOptionsArePresent(path: [String]) throws {
        guard path != ["help"], path != ["completions"] else { return }
        let command = try #require(CommandTable.root.descendant(path))
        let format = try #require(command.option(long: "format"), "\(path) lacks --format")
        #expect(format.kind.choices?.prefix(2) == ["text", "json"], "\(path): --format starts with text, json")
        #expect(format.defaultValue == "text")
        #expect(command.option(long: "color")?.kind == .choice(["auto", "always", "never"]))
        #expect(command.option(short: "q")?.long == "quiet")
        if path == ["lint"] || path == ["eval"] {
            #expect(format.kind.choices == ["text", "json", "sarif", "github"])
        }
    }
}

/// A command line is parsed with only the table of the command it names; what it prints and
/// returns is what the whole table gives, whatever the line.
struct SelectedCommandTableTests {
    @Test func theListNamesEachCommandAsItsTableDoes() {
        #expect(CommandTable.commands.map(\.name) == CommandTable.root.subcommands.map(\.name))
        for command in CommandTable.commands {
            #expect(CommandTable.root(selecting: [command.name])?.subcommands.map(\.name) == [command.name])
        }
        #expect(CommandTable.root(selecting: ["gat"]) == nil && CommandTable.root(selecting: []) == nil)
    }

    @Test(arguments: [
        ["gate", "--hots", "claude-code"], ["gate", "--host"], ["gate", "--help"], ["gate", "install", "--help"],
        ["gate", "--version"], ["gate", "--host", "nosuchhost"], ["gate", "install", "--host", "claude-code", "--policies", "p"],
        ["eval", "--format", "yaml", "plan.json"], ["eval", "-h"], ["lint", "--frmat", "json"], ["help", "gate"], ["help", "nosuch"],
        ["audit"], ["audit", "verfy"], ["token", "inspect", "--help"], ["completions", "bash"], ["fmt", "--check", "/nonexistent"],
        ["gate"], ["--version"], ["gat"], ["help"], [],
    ])
    func aLineGivesWhatTheWholeTableGives(arguments: [String]) {
        func run(_ whole: Bool) -> (Int32, String, String) {
            let captured = Console.capturing(input: Array("{}".utf8))
            let status = whole
                ? CLI.run(arguments: arguments, console: captured.console, root: CommandTable.root)
                : CLI.run(arguments: arguments, console: captured.console)
            return (status, captured.stdout, captured.stderr)
        }
        let (selected, whole) = (run(false), run(true))
        #expect(selected.0 == whole.0, "\(arguments)")
        #expect(selected.1 == whole.1, "\(arguments)")
        #expect(selected.2 == whole.2, "\(arguments)")
    }
}

/// Runs a command once its command line has been parsed.
///
/// Return `.success` or `.failure` as DESIGN §1 defines them for the command; throw (or return
/// `.error`) when the command could not do its job. Thrown errors are printed on stderr and the
/// process exits 2.
public typealias CommandHandler = @Sendable (CommandContext) throws -> ExitCode

/// One example in help and man pages.
public struct Example: Equatable, Sendable {
    /// The command line, starting with `stepguard`.
    public var command: String
    /// What it does, one line.
    public var explanation: String

    /// Creates an example.
    public init(_ command: String, _ explanation: String) {
        self.command = command
        self.explanation = explanation
    }
}

/// What one exit status means for a command (shown under EXIT STATUS).
public struct ExitStatusNote: Equatable, Sendable {
    /// The status.
    public var code: ExitCode
    /// When the command exits with it.
    public var meaning: String

    /// Creates a note.
    public init(_ code: ExitCode, _ meaning: String) {
        self.code = code
        self.meaning = meaning
    }
}

/// A JSON document a command prints instead of its own when an option asks for something else
/// (`lint --list-rules`): it carries `"schema": "stepguard.<command>-<name>/v1"`.
public struct OptionDocument: Equatable, Sendable {
    /// The long name of the option that selects the document.
    public var option: String
    /// The document's name after the command's (`rules` in `stepguard.lint-rules/v1`).
    public var name: String

    /// Creates an option document.
    public init(option: String, name: String) {
        self.option = option
        self.name = name
    }
}

/// The table of one command: everything parsing, help, man pages and completions need.
///
/// A command either has `subcommands` (a group such as `token`) or a `run` handler (a leaf).
public struct CommandSpec: Sendable {
    /// The word that selects the command: `eval`, `verify`.
    public var name: String
    /// One line, lower-case, no final full stop: shown in command lists and the man page NAME.
    public var summary: String
    /// Paragraphs separated by blank lines. A line starting with two spaces is kept as is
    /// (examples of file formats, lists).
    public var discussion: String
    /// Explicit usage lines after the command path (`--policies DIR --request FILE [options]`);
    /// empty means generated from the table.
    public var usage: [String]
    /// The option table (`-h/--help` is added by the parser).
    public var options: [OptionSpec]
    /// Positional arguments, in order.
    public var positionals: [PositionalSpec]
    /// Nested commands.
    public var subcommands: [CommandSpec]
    /// Examples for help and man pages.
    public var examples: [Example]
    /// What each exit status means; the generic `2` line is added when absent.
    public var exitStatus: [ExitStatusNote]
    /// Sets of long option names of which at most one may be given.
    public var exclusive: [[String]]
    /// Sets of long option names of which at least one must be given.
    public var requireOneOf: [[String]]
    /// The JSON documents options select instead of the command's own.
    public var optionDocuments: [OptionDocument]
    /// Left out of help, man pages and completions.
    public var isHidden: Bool
    /// Runs the command; nil for a group.
    public var run: CommandHandler?

    /// Creates a command table.
    public init(
        name: String, summary: String, discussion: String = "", usage: [String] = [],
        options: [OptionSpec] = [], positionals: [PositionalSpec] = [], subcommands: [CommandSpec] = [],
        examples: [Example] = [], exitStatus: [ExitStatusNote] = [], exclusive: [[String]] = [],
        requireOneOf: [[String]] = [], optionDocuments: [OptionDocument] = [], isHidden: Bool = false, run: CommandHandler? = nil
    ) {
        self.optionDocuments = optionDocuments
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.usage = usage
        self.options = options
        self.positionals = positionals
        self.subcommands = subcommands
        self.examples = examples
        self.exitStatus = exitStatus
        self.exclusive = exclusive
        self.requireOneOf = requireOneOf
        self.isHidden = isHidden
        self.run = run
    }

    /// Whether the command only groups subcommands.
    public var isGroup: Bool { !subcommands.isEmpty }

    /// The built-in `-h, --help` row every command has.
    public static let helpOption = OptionSpec.flag("help", short: "h", help: "show this help and exit")

    /// The table's options plus `-h, --help`.
    public var allOptions: [OptionSpec] {
        options.contains { $0.long == "help" } ? options : options + [CommandSpec.helpOption]
    }

    /// Options shown in help, man pages and completions.
    public var visibleOptions: [OptionSpec] { allOptions.filter { !$0.isHidden } }

    /// Subcommands shown in help, man pages and completions.
    public var visibleSubcommands: [CommandSpec] { subcommands.filter { !$0.isHidden } }

    /// The option spelled `--long`, if any.
    public func option(long: String) -> OptionSpec? { allOptions.first { $0.long == long } }

    /// The option spelled `-c`, if any.
    public func option(short: Character) -> OptionSpec? { allOptions.first { $0.short == short } }

    /// The direct subcommand named `name`, if any.
    public func subcommand(_ name: String) -> CommandSpec? { subcommands.first { $0.name == name } }

    /// The command reached by following `path` from this one.
    public func descendant(_ path: [String]) -> CommandSpec? {
        var command = self
        for word in path {
            guard let next = command.subcommand(word) else { return nil }
            command = next
        }
        return command
    }

    /// Every visible command below this one with its path, depth first, in table order.
    public func visibleDescendants(prefix: [String] = []) -> [(path: [String], command: CommandSpec)] {
        var result: [(path: [String], command: CommandSpec)] = []
        for sub in visibleSubcommands {
            let path = prefix + [sub.name]
            result.append((path, sub))
            result += sub.visibleDescendants(prefix: path)
        }
        return result
    }

    /// The exit-status notes with the generic status-2 line added when the table has none.
    public var effectiveExitStatus: [ExitStatusNote] {
        var notes = exitStatus
        if !notes.contains(where: { $0.code == .error }) {
            notes.append(ExitStatusNote(.error, "bad usage, an unreadable or malformed input file, a missing key"))
        }
        return notes.sorted { $0.code.rawValue < $1.code.rawValue }
    }
}

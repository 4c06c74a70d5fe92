import Basics

/// The values of one parsed command line, looked up by the names the table gives them.
///
/// Options are keyed by their long spelling without dashes (`format`), positionals by their
/// name (`PLAN`). Lookups fall back to the table's default. Asking for a name the command's
/// table does not have is a programming error and traps in debug builds.
public struct ParsedArguments: Equatable, Sendable {
    /// The path of the command that was selected: `["token", "verify"]`.
    public var commandPath: [String]
    /// Values given per option, in command-line order (flags get one empty string per use).
    public private(set) var given: [String: [String]]
    /// Words given per positional argument.
    public private(set) var positionalValues: [String: [String]]
    /// argv positions of the words of each positional argument.
    public private(set) var positionalIndices: [String: [Int]]
    /// Defaults from the table.
    var defaults: [String: String]
    /// Every option and positional name the table knows.
    var known: Set<String>

    /// Creates an empty set of values for a command's table.
    public init(commandPath: [String], command: CommandSpec) {
        self.commandPath = commandPath
        self.given = [:]
        self.positionalValues = [:]
        self.positionalIndices = [:]
        var defaults: [String: String] = [:]
        var known = Set<String>()
        for option in command.allOptions {
            known.insert(option.long)
            if let value = option.defaultValue { defaults[option.long] = value }
        }
        for positional in command.positionals { known.insert(positional.name) }
        self.defaults = defaults
        self.known = known
    }

    mutating func append(option long: String, value: String) {
        given[long, default: []].append(value)
    }

    mutating func append(positional name: String, value: String, index: Int) {
        positionalValues[name, default: []].append(value)
        positionalIndices[name, default: []].append(index)
    }

    private func check(_ name: String) {
        assert(known.contains(name), "'\(name)' is not in the table of '\(commandPath.joined(separator: " "))'")
    }

    /// Whether the option was given on the command line (a default does not count).
    public func isGiven(_ long: String) -> Bool {
        check(long)
        return given[long] != nil
    }

    /// Whether the flag was given.
    public func flag(_ long: String) -> Bool { count(long) > 0 }

    /// How many times the option was given (`-v -v` is 2).
    public func count(_ long: String) -> Int {
        check(long)
        return given[long]?.count ?? 0
    }

    /// The option's value (the last one given), else its default, else nil.
    public func value(_ long: String) -> String? {
        check(long)
        return given[long]?.last ?? defaults[long]
    }

    /// Every value given for a repeatable option, in order; the default alone when none was given.
    public func values(_ long: String) -> [String] {
        check(long)
        if let values = given[long] { return values }
        return defaults[long].map { [$0] } ?? []
    }

    /// The option's value as a duration (checked when parsing), else its default.
    public func duration(_ long: String) -> Duration? {
        value(long).flatMap(DurationText.milliseconds).map(Duration.milliseconds)
    }

    /// The option's value as an integer (checked when parsing), else its default.
    public func integer(_ long: String) -> Int? {
        value(long).flatMap { Int($0) }
    }

    /// The value of an option the table requires. The parser has checked that it is there; a
    /// table that forgot to require it is a usage error here, never a trap.
    public func required(_ long: String) throws(CLIError) -> String {
        guard let value = value(long) else { throw CLIError.invalidUsage("missing --\(long)") }
        return value
    }

    /// The word of a positional argument the table requires (see `required(_:)`).
    public func requiredPositional(_ name: String) throws(CLIError) -> String {
        guard let value = positional(name) else { throw CLIError.invalidUsage("missing \(name)") }
        return value
    }

    /// The single word of a positional argument, if given.
    public func positional(_ name: String) -> String? {
        check(name)
        return positionalValues[name]?.first
    }

    /// Every word of a positional argument, in order.
    public func positionals(_ name: String) -> [String] {
        check(name)
        return positionalValues[name] ?? []
    }
}

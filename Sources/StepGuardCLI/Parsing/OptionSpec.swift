/// What an option or a positional argument accepts.
///
/// The kind drives parsing (a `duration` is checked when the command line is read, a `choice`
/// lists its allowed values in the error), help (`--format text|json`), and completions
/// (`path` completes file names, `choice` its values).
public enum OptionKind: Equatable, Sendable {
    /// An option without a value: `--strict`. May be given more than once.
    case flag
    /// Free text: an id, an audience, a timestamp.
    case value
    /// A file or directory name (completed as a file name).
    case path
    /// A decimal integer, optionally negative.
    case integer
    /// A duration such as `250ms`, `90s`, `5m`, `1h30m`, `2d`.
    case duration
    /// One of a fixed set of words.
    case choice([String])
    /// The name of a stepguard command (the `help` command's argument).
    case command

    /// Whether the option consumes a value.
    public var takesValue: Bool { self != .flag }

    /// The allowed values of a `choice`, or nil.
    public var choices: [String]? {
        if case .choice(let values) = self { return values }
        return nil
    }
}

/// One row of a command's option table.
public struct OptionSpec: Equatable, Sendable {
    /// Long spelling without the leading dashes: `format` for `--format`.
    public var long: String
    /// Short spelling, a single character: `q` for `-q`.
    public var short: Character?
    /// What the option accepts.
    public var kind: OptionKind
    /// Name of the value in help and man pages: `DIR`, `FORMAT`, `DURATION`.
    public var valueName: String
    /// One line of help, lower-case, no final full stop.
    public var help: String
    /// Left out of help, man pages and completions; still parsed.
    public var isHidden: Bool
    /// The value used when the option is absent (shown in help).
    public var defaultValue: String?
    /// Parsing fails when the option is absent.
    public var isRequired: Bool
    /// The option may be given more than once; every value is kept in order.
    public var isRepeatable: Bool

    /// Creates a row; prefer the static constructors (`.flag`, `.value`, `.path`, ...).
    public init(
        long: String, short: Character? = nil, kind: OptionKind, valueName: String = "",
        help: String, isHidden: Bool = false, defaultValue: String? = nil,
        isRequired: Bool = false, isRepeatable: Bool = false
    ) {
        self.long = long
        self.short = short
        self.kind = kind
        self.valueName = kind.takesValue && valueName.isEmpty ? OptionSpec.defaultValueName(for: kind) : valueName
        self.help = help
        self.isHidden = isHidden
        self.defaultValue = defaultValue
        self.isRequired = isRequired
        self.isRepeatable = isRepeatable
    }

    /// `--long`
    public var longSpelling: String { "--" + long }
    /// `-s`, or nil when the option has no short form.
    public var shortSpelling: String? { short.map { "-" + String($0) } }

    private static func defaultValueName(for kind: OptionKind) -> String {
        switch kind {
        case .flag: return ""
        case .value: return "VALUE"
        case .path: return "PATH"
        case .integer: return "N"
        case .duration: return "DURATION"
        case .choice: return "WORD"
        case .command: return "COMMAND"
        }
    }

    // MARK: - Table constructors

    /// A flag: `--strict`, `-q`.
    public static func flag(_ long: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .flag, help: help)
    }

    /// A free-text value: `--audience AUD`.
    public static func value(
        _ long: String, short: Character? = nil, valueName: String, help: String, default defaultValue: String? = nil
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .value, valueName: valueName, help: help, defaultValue: defaultValue)
    }

    /// A file or directory: `--policies DIR`.
    public static func path(
        _ long: String, short: Character? = nil, valueName: String = "FILE", help: String, default defaultValue: String? = nil
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .path, valueName: valueName, help: help, defaultValue: defaultValue)
    }

    /// An integer: `--seq N`.
    public static func integer(
        _ long: String, short: Character? = nil, valueName: String = "N", help: String, default defaultValue: String? = nil
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .integer, valueName: valueName, help: help, defaultValue: defaultValue)
    }

    /// A duration: `--ttl 5m`.
    public static func duration(
        _ long: String, short: Character? = nil, valueName: String = "DURATION", help: String, default defaultValue: String? = nil
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .duration, valueName: valueName, help: help, defaultValue: defaultValue)
    }

    /// One of a fixed set of words: `--fail-level error|warning`.
    public static func choice(
        _ long: String, short: Character? = nil, _ values: [String], valueName: String = "WORD", help: String,
        default defaultValue: String? = nil
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .choice(values), valueName: valueName, help: help, defaultValue: defaultValue)
    }

    // MARK: - Modifiers

    /// The same row, required.
    public func required() -> OptionSpec { var copy = self; copy.isRequired = true; return copy }
    /// The same row, repeatable.
    public func repeatable() -> OptionSpec { var copy = self; copy.isRepeatable = true; return copy }
    /// The same row, hidden from help, man pages and completions.
    public func hidden() -> OptionSpec { var copy = self; copy.isHidden = true; return copy }
}

/// How many words a positional argument takes.
public enum Arity: Equatable, Sendable {
    /// Exactly one.
    case one
    /// Zero or one.
    case optional
    /// One or more.
    case oneOrMore
    /// Zero or more.
    case zeroOrMore

    var minimum: Int {
        switch self {
        case .one, .oneOrMore: return 1
        case .optional, .zeroOrMore: return 0
        }
    }

    var isUnbounded: Bool { self == .oneOrMore || self == .zeroOrMore }
}

/// One positional argument of a command.
public struct PositionalSpec: Equatable, Sendable {
    /// Name in usage and help: `PLAN`, `PATH`.
    public var name: String
    /// How many words it takes.
    public var arity: Arity
    /// What each word is (`path` completes file names; `choice` is checked).
    public var kind: OptionKind
    /// One line of help.
    public var help: String

    /// Creates a positional argument.
    public init(_ name: String, arity: Arity = .one, kind: OptionKind = .path, help: String) {
        self.name = name
        self.arity = arity
        self.kind = kind
        self.help = help
    }

    /// The argument as the usage line shows it: `PLAN`, `[DIR]`, `PATH...`, `[PATH...]`.
    public var usage: String {
        switch arity {
        case .one: return name
        case .optional: return "[\(name)]"
        case .oneOrMore: return "\(name)..."
        case .zeroOrMore: return "[\(name)...]"
        }
    }
}

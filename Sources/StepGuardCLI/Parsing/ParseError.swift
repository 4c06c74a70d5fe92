/// Why a command line could not be parsed.
///
/// Every case carries `index`, the position of the offending word in the process's argv
/// (argv[0] is the program, so the first argument is 1). Errors about something absent (a
/// missing argument or required option) point one past the last word.
public enum ParseError: Error, Equatable, Sendable {
    /// A word where a command was expected is not one; `suggestion` is the nearest command.
    case unknownCommand(String, index: Int, suggestion: String?)
    /// A group (`stepguard`, `stepguard token`) was given no command.
    case missingCommand(index: Int)
    /// An option the command does not have; `suggestion` is the nearest spelling.
    case unknownOption(String, index: Int, suggestion: String?)
    /// An option that takes a value was the last word, or was followed by another option.
    case missingValue(option: String, index: Int)
    /// A flag was given a value with `=`: `--strict=yes`.
    case unexpectedValue(option: String, index: Int)
    /// A value outside a fixed set; `option` is `--format` or a positional name such as `SHELL`.
    case invalidChoice(option: String, value: String, index: Int, allowed: [String])
    /// A value that is not a duration.
    case invalidDuration(option: String, value: String, index: Int)
    /// A value that is not an integer.
    case invalidInteger(option: String, value: String, index: Int)
    /// An option that may be given once was given again.
    case duplicateOption(option: String, index: Int)
    /// Two options of which at most one may be given.
    case conflictingOptions(String, String, index: Int)
    /// A required option is absent.
    case missingOption(option: String, index: Int)
    /// None of a set of options of which one is required was given.
    case missingOneOf(options: [String], index: Int)
    /// A required positional argument is absent.
    case missingArgument(name: String, index: Int)
    /// A word left over after every positional argument is filled.
    case unexpectedArgument(String, index: Int)

    /// The argv position of the offending word.
    public var index: Int {
        switch self {
        case .unknownCommand(_, let index, _), .missingCommand(let index), .unknownOption(_, let index, _),
            .missingValue(_, let index), .unexpectedValue(_, let index), .invalidChoice(_, _, let index, _),
            .invalidDuration(_, _, let index), .invalidInteger(_, _, let index), .duplicateOption(_, let index),
            .conflictingOptions(_, _, let index), .missingOption(_, let index), .missingOneOf(_, let index),
            .missingArgument(_, let index),
            .unexpectedArgument(_, let index):
            return index
        }
    }

    /// What was wrong, one line, naming the offending word.
    public var message: String {
        switch self {
        case .unknownCommand(let word, _, _):
            return "unknown command '\(word)'"
        case .missingCommand:
            return "missing command"
        case .unknownOption(let word, _, _):
            return "unknown option '\(word)'"
        case .missingValue(let option, _):
            return "option '\(option)' needs a value"
        case .unexpectedValue(let option, _):
            return "option '\(option)' does not take a value"
        case .invalidChoice(let option, let value, _, let allowed):
            return "invalid value '\(value)' for '\(option)': expected one of \(allowed.joined(separator: ", "))"
        case .invalidDuration(let option, let value, _):
            return "invalid duration '\(value)' for '\(option)': expected a number and a unit (ms, s, m, h, d) such as 90s, 5m or 1h30m"
        case .invalidInteger(let option, let value, _):
            return "invalid value '\(value)' for '\(option)': expected an integer"
        case .duplicateOption(let option, _):
            return "option '\(option)' given more than once"
        case .conflictingOptions(let first, let second, _):
            return "options '\(first)' and '\(second)' cannot be used together"
        case .missingOption(let option, _):
            return "missing required option '\(option)'"
        case .missingOneOf(let options, _):
            let quoted = options.map { "'\($0)'" }
            return "one of " + quoted.dropLast().joined(separator: ", ") + " or " + quoted.last! + " is required"
        case .missingArgument(let name, _):
            return "missing argument \(name)"
        case .unexpectedArgument(let word, _):
            return "unexpected argument '\(word)'"
        }
    }

    /// The nearest valid spelling, when there is one close enough.
    public var suggestion: String? {
        switch self {
        case .unknownCommand(_, _, let suggestion), .unknownOption(_, _, let suggestion):
            return suggestion
        case .invalidChoice(_, let value, _, let allowed):
            return Suggestion.nearest(to: value, among: allowed)
        default:
            return nil
        }
    }
}

/// A parse error and the command whose usage line explains it.
public struct ParseFailure: Error, Equatable, Sendable {
    /// What was wrong.
    public var error: ParseError
    /// The path of the command being parsed when it went wrong (`["token", "verify"]`).
    public var commandPath: [String]

    /// Creates a failure.
    public init(_ error: ParseError, commandPath: [String]) {
        self.error = error
        self.commandPath = commandPath
    }
}

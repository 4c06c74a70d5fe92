/// Everything that stops the linter from doing its job (exit 2): an input path that does not
/// exist, an unreadable file, a malformed configuration file. Problems *in* the inputs are
/// findings, never errors.
public enum LintError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A path given to lint that does not exist.
    case missingPath(String)
    /// A file that exists but cannot be read.
    case unreadable(String)
    /// A file larger than the limit (in bytes) the linter reads.
    case tooLarge(String, limit: Int)
    /// A file named explicitly that the linter does not know how to read.
    case unsupportedFile(String)
    /// A configuration file that is not valid; `line`/`column` locate the problem.
    case configuration(file: String, line: Int, column: Int, message: String)
    /// A rule id that no rule has (in `--explain`, configuration, or an option).
    case unknownRule(String, suggestion: String?)
    /// An option value that is not valid.
    case invalidOption(String)
    /// An input refused as a whole, with the reason (a hidden policy file).
    case refused(String)

    /// The message, located when the problem is in a file.
    public var description: String {
        switch self {
        case .missingPath(let path):
            return "\"\(path)\" does not exist; pass policy files or directories to lint"
        case .refused(let message):
            return message
        case .unreadable(let path):
            return "cannot read \"\(path)\"; check the permissions"
        case .tooLarge(let path, let limit):
            return "cannot read \"\(path)\": the file is larger than the \(limit >> 20) MiB limit; split it"
        case .unsupportedFile(let path):
            return "\"\(path)\" is not a file stepguard lints; pass .cedar, .cedarschema, entities.json, tools.json or plan .json files"
        case .configuration(let file, let line, let column, let message):
            return "\(file):\(line):\(column): \(message)"
        case .unknownRule(let id, let suggestion):
            let hint = suggestion.map { "did you mean \"\($0)\"? " } ?? ""
            return "unknown rule \"\(id)\"; \(hint)run `stepguard lint --explain` with one of the ids in docs/rules.md"
        case .invalidOption(let message):
            return message
        }
    }
}

/// Why a command could not do its job (exit 2). Messages are lower-case and say what to do next.
public enum CLIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A file could not be written.
    case unwritableFile(path: String, reason: String)
    /// A file that must not be overwritten exists.
    case fileExists(path: String)
    /// A command line that parsed but makes no sense for the command (for example two request
    /// forms at once); rendered with the usage line like a parse error.
    case invalidUsage(String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .unwritableFile(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        case .fileExists(let path):
            return "'\(path)' exists; choose another name or remove it first"
        case .invalidUsage(let message):
            return message
        }
    }
}

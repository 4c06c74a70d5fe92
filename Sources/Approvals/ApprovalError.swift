/// Why approvals could not be read, signed or stored (exit 2): never "the approval does not
/// count", which is a finding (`ApprovalProblem`), not an error.
public enum ApprovalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An approval file or record that is not a well-formed approval document.
    case malformed(file: String, message: String)
    /// A file or directory that cannot be read or written.
    case io(path: String, message: String)
    /// A key or entity that cannot be used to sign.
    case unusable(message: String)

    /// The message, lower-case, naming the file.
    public var description: String {
        switch self {
        case .malformed(let file, let message): return "\(file): not a stepguard approval: \(message)"
        case .io(let path, let message): return "\(path): \(message)"
        case .unusable(let message): return message
        }
    }
}

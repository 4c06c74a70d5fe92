/// Process exit statuses, as DESIGN §1 defines them for every command.
public enum ExitCode: Int32, Sendable, CaseIterable {
    /// The command did its job and the answer is yes: no error finding, allowed, valid, intact.
    case success = 0
    /// The command did its job and the answer is no: findings, denied, invalid, tampered.
    case failure = 1
    /// The command could not do its job: bad usage, an unreadable or malformed input, a missing
    /// key. Never "policy said no".
    case error = 2
}

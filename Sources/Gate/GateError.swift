import Approvals
import AuditLog
import JSONValue
import Workflow

/// Why the gate could not decide a tool call. Every one of them blocks the call: the host is
/// answered with its blocking error (exit 2 for Claude Code), never with an allow.
public enum GateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The hook event on stdin is not what the host's contract says.
    case malformedEvent(String)
    /// The policy directory, its catalog or its mapping could not be read or is not valid.
    case policies(WorkflowError)
    /// The `hosts` or `resources` section of `tools.json`, or a variant's `input` edits, is not valid.
    case malformedMapping(FileLocation, message: String)
    /// No policy directory or log was given or found.
    case notConfigured(String)
    /// The audit log could not be read or written (a torn or broken log, a lock not obtained).
    case log(AuditError)
    /// The settings file `gate install` merges into is not valid.
    case malformedSettings(file: String, message: String)
    /// The presented identity was not accepted, or is not the principal the gate decides for.
    case identity(String)
    /// A recording `replay` reads is not what its format says.
    case malformedRecording(FileLocation, message: String)
    /// A file could not be read.
    case unreadable(path: String, message: String)
    /// The signed approvals of the approvals directory or the log could not be read.
    case approvals(ApprovalError)

    public var description: String {
        switch self {
        case .malformedEvent(let message): return "malformed hook event: \(message)"
        case .policies(let error): return error.description
        case .malformedMapping(let location, let message):
            return "\(location): \(message)" + (location.path.isEmpty ? "" : " (at \(location.path))")
        case .notConfigured(let message): return message
        case .log(let error): return "audit log: \(error)"
        case .malformedSettings(let file, let message): return "\(file): \(message)"
        case .identity(let message): return "identity refused: \(message)"
        case .malformedRecording(let location, let message):
            return "\(location): \(message)" + (location.path.isEmpty ? "" : " (at \(location.path))")
        case .unreadable(let path, let message): return "\(path): \(message)"
        case .approvals(let error): return "approvals: \(error)"
        }
    }
}

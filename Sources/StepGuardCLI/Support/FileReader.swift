import Basics

/// Reads whole files with errors that name the file and say why, never more than a limit
/// (`BoundedRead`).
public enum FileReader {
    /// The largest policy, schema, entity or plan file read: 32 MiB, as for policy directories.
    public static let maxFileBytes = 32 << 20
    /// The largest stream of records read at once (authorize request files, standard input).
    public static let maxStreamBytes = 256 << 20

    /// The bytes of the file at `path`, at most `limit`.
    public static func read(_ path: String, limit: Int = maxFileBytes) throws(CLIError) -> [UInt8] {
        do {
            return try BoundedRead.file(path, limit: limit)
        } catch {
            throw CLIError(error)
        }
    }

    /// Everything left on descriptor `fd`, at most `limit` bytes; `path` names it in errors.
    static func readAll(_ fd: Int32, into result: inout [UInt8], path: String, limit: Int) throws(CLIError) -> [UInt8] {
        do {
            try BoundedRead.descriptor(fd, into: &result, path: path, limit: limit)
        } catch {
            throw CLIError(error)
        }
        return result
    }

    static func tooLarge(_ path: String, _ limit: Int) -> CLIError { CLIError(BoundedRead.tooLarge(path, limit)) }
}

extension CLIError {
    /// A file error in the CLI's words.
    init(_ error: FileError) {
        switch error {
        case .unreadable(let path, let reason): self = .unreadableFile(path: path, reason: reason)
        case .unwritable(let path, let reason): self = .unwritableFile(path: path, reason: reason)
        case .exists(let path): self = .fileExists(path: path)
        }
    }
}

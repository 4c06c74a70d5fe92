#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files with errors that name the file and say why, never more than a limit.
public enum FileReader {
    /// The largest policy, schema, entity or plan file read: 32 MiB, as for policy directories.
    public static let maxFileBytes = 32 << 20
    /// The largest stream of records read at once (authorize request files, standard input).
    public static let maxStreamBytes = 256 << 20

    /// The bytes of the file at `path`; a file larger than `limit` is an error, found before it
    /// is read (a pipe or device: as soon as the limit is passed).
    public static func read(_ path: String, limit: Int = maxFileBytes) throws(CLIError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CLIError.unreadableFile(path: path, reason: System.lastError()) }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError.unreadableFile(path: path, reason: "is a directory")
        }
        if info.st_size > limit { throw tooLarge(path, limit) }
        var result: [UInt8] = []
        if info.st_size > 0 { result.reserveCapacity(Int(info.st_size)) }
        return try readAll(fd, into: &result, path: path, limit: limit)
    }

    /// Everything left on descriptor `fd`, at most `limit` bytes; `path` names it in errors.
    static func readAll(_ fd: Int32, into result: inout [UInt8], path: String, limit: Int) throws(CLIError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { System.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError.unreadableFile(path: path, reason: System.lastError())
            }
            if count == 0 { return result }
            if result.count + count > limit { throw tooLarge(path, limit) }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    static func tooLarge(_ path: String, _ limit: Int) -> CLIError {
        .unreadableFile(path: path, reason: "the file is larger than the \(limit >> 20) MiB limit; split it")
    }
}

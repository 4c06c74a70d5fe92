import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole small files (catalogs, indexes, settings) read with plain POSIX calls: the gate runs
/// before every tool call, so its reads stay cheap.
enum FileBytes {
    struct Failure: Error { let message: String }

    /// The file's bytes; at most `limit` of them. Only a regular file is read (a FIFO is
    /// refused, never waited on).
    static func read(_ path: String, limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        do {
            return try BoundedRead.file(path, limit: limit)
        } catch {
            throw Failure(message: error.reason)
        }
    }

    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

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

    /// The file's bytes; at most `limit` of them.
    static func read(_ path: String, limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        // Non-blocking open: a FIFO with no writer is refused below, never waited on.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw Failure(message: errno == ENOENT ? "no such file" : String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(message: String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw Failure(message: "is a directory, expected a file") }
        if (info.st_mode & S_IFMT) != S_IFREG { throw Failure(message: "is not a regular file (a FIFO, device or socket)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw Failure(message: "larger than \(limit >> 20) MiB") }
        }
        return out
    }

    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

/// `read(2)`, named apart from `FileBytes.read`.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

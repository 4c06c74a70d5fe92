#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto

/// Small POSIX file helpers with the durability rules the project follows.
enum FileIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The whole file, refusing files larger than `limit` bytes.
    static func readBytes(path: String, limit: Int) throws(CredentialsError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, message: errnoText()) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, message: errnoText())
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
            if out.count > limit { throw .io(path: path, message: "file is larger than \(limit) bytes") }
        }
        return out
    }

    static func readText(path: String, limit: Int) throws(CredentialsError) -> String {
        let bytes = try readBytes(path: path, limit: limit)
        // Decoding replaces invalid sequences, so a round trip that changes the bytes means the
        // file was not UTF-8. (String(validating:) would say so directly but needs macOS 15.)
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.elementsEqual(bytes) else {
            throw .io(path: path, message: "file is not UTF-8 text")
        }
        return text
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(CredentialsError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, message: errnoText())
            }
            written += n
        }
    }

    static func syncDirectory(of path: String) {
        let fd = open(directory(of: path), O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Writes a new file atomically without ever replacing an existing one: temp file in the
    /// same directory, fsync, then link(2) to the final name (fails with EEXIST if taken).
    static func createExclusively(path: String, contents: [UInt8], mode: mode_t) throws(CredentialsError) {
        let suffix = (try? SecureRandom.bytes(6)).map { Hex.encode($0) } ?? String(getpid())
        let temp = directory(of: path) + "/.stepguard-tmp-" + suffix
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(path: path, message: errnoText()) }
        do throws(CredentialsError) {
            // The umask may have narrowed the mode; set it exactly.
            fchmod(fd, mode)
            try writeAll(fd, contents, path: path)
            guard fsync(fd) == 0 else { throw CredentialsError.io(path: path, message: errnoText()) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        defer { unlink(temp) }
        guard link(temp, path) == 0 else {
            if errno == EEXIST { throw .fileExists(path: path) }
            throw .io(path: path, message: errnoText())
        }
        syncDirectory(of: path)
    }
}

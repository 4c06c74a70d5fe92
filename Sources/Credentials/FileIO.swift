#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Basics

/// Small POSIX file helpers with the durability rules the project follows.
enum FileIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The whole file, refusing files larger than `limit` bytes.
    static func readBytes(path: String, limit: Int) throws(CredentialsError) -> [UInt8] {
        do {
            return try BoundedRead.file(path, limit: limit)
        } catch {
            throw .io(path: path, message: error.reason)
        }
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

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(CredentialsError) {
        guard Basics.writeAll(fd, bytes) else { throw .io(path: path, message: errnoText()) }
    }

    /// Writes a new file atomically without ever replacing an existing one (`AtomicWrite`
    /// with `overwrite: false`: the check and the creation are one `link`).
    static func createExclusively(path: String, contents: [UInt8], mode: mode_t) throws(CredentialsError) {
        do {
            try AtomicWrite.write(contents, to: path, permissions: UInt16(mode), overwrite: false)
        } catch {
            if case .exists = error { throw .fileExists(path: path) }
            throw .io(path: path, message: error.reason)
        }
    }
}

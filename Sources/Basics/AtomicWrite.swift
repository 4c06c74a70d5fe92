#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that readers never see half done and that survive a crash.
///
/// The bytes go to a temporary file in the destination's directory (same file system, so the
/// final rename is atomic), are flushed with `fsync`, and the temporary file is renamed over
/// the destination; the directory is then synced so the rename itself is durable.
public enum AtomicWrite {
    /// Writes `bytes` to `path` atomically.
    ///
    /// - Parameters:
    ///   - permissions: mode of the new file (`0o600` for private keys).
    ///   - overwrite: when false, fails with `FileError.exists` rather than replace a file;
    ///     the check and the creation are one atomic step (`link`), so two writers cannot both win.
    public static func write(
        _ bytes: some Collection<UInt8>, to path: String, permissions: UInt16 = 0o644, overwrite: Bool = true
    ) throws(FileError) {
        var info = stat()
        if stat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) != S_IFREG {
                // A device or pipe (`-o /dev/stdout`, `/dev/full`) cannot be replaced by renaming
                // a file over it; it is written in place, and a failed write still fails.
                if !overwrite { throw FileError.exists(path: path) }
                try writeInPlace(bytes, to: path)
                return
            }
            // Through a symlink the file it names is replaced, not the link.
            if let resolved = realpath(path, nil) {
                defer { free(resolved) }
                try replace(with: bytes, at: String(cString: resolved), reportedAs: path, permissions: permissions, overwrite: overwrite)
                return
            }
        }
        try replace(with: bytes, at: path, reportedAs: path, permissions: permissions, overwrite: overwrite)
    }

    private static func replace(
        with bytes: some Collection<UInt8>, at target: String, reportedAs path: String, permissions: UInt16, overwrite: Bool
    ) throws(FileError) {
        let directory = directoryName(of: target)
        var template = Array((directory + "/." + baseName(of: target) + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileError.unwritable(path: path, reason: lastError()) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var succeeded = false
        defer {
            if !succeeded { _ = unlink(temporary) }
        }
        do {
            defer { _ = close(fd) }
            guard fchmod(fd, mode_t(permissions)) == 0 else {
                throw FileError.unwritable(path: path, reason: lastError())
            }
            guard writeAll(fd, Array(bytes)) else { throw FileError.unwritable(path: path, reason: lastError()) }
            guard fsync(fd) == 0 else { throw FileError.unwritable(path: path, reason: lastError()) }
        }
        if overwrite {
            guard rename(temporary, target) == 0 else { throw FileError.unwritable(path: path, reason: lastError()) }
        } else {
            if link(temporary, target) != 0 {
                if errno == EEXIST { throw FileError.exists(path: path) }
                throw FileError.unwritable(path: path, reason: lastError())
            }
            _ = unlink(temporary)
        }
        succeeded = true
        syncDirectory(directory)
    }

    private static func writeInPlace(_ bytes: some Collection<UInt8>, to path: String) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.unwritable(path: path, reason: lastError()) }
        defer { _ = close(fd) }
        guard writeAll(fd, Array(bytes)) else { throw FileError.unwritable(path: path, reason: lastError()) }
    }

    /// Writes UTF-8 text to `path` atomically.
    public static func write(
        _ text: String, to path: String, permissions: UInt16 = 0o644, overwrite: Bool = true
    ) throws(FileError) {
        try write(Array(text.utf8), to: path, permissions: permissions, overwrite: overwrite)
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    private static func lastError() -> String { FileError.lastError() }
}

/// Writes all of `data` to `fd`, retrying interrupted and short writes; false on an error
/// (`errno` says which).
public func writeAll(_ fd: Int32, _ data: [UInt8]) -> Bool {
    var offset = 0
    while offset < data.count {
        let written = data.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, raw.count - offset) }
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}

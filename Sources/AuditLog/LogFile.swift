import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Thin wrappers over the POSIX calls the log needs: appends are single write(2)s on an
// O_APPEND descriptor under flock(2), made durable with fsync(2); verification maps the file.

func errnoMessage(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

/// An open file descriptor, closed when the value goes away.
final class FileHandleFD {
    let fd: Int32
    let path: String

    init(path: String, flags: Int32, mode: mode_t = 0o644) throws(AuditError) {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw AuditError.io(path: path, operation: "open", message: errnoMessage())
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Takes the exclusive advisory lock; released when the descriptor closes.
    func lockExclusive() throws(AuditError) {
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw AuditError.io(path: path, operation: "lock", message: errnoMessage())
        }
    }

    /// Takes the exclusive advisory lock, waiting at most `milliseconds`; false when another
    /// holder kept it that long.
    func lockExclusive(waitingAtMost milliseconds: Int) throws(AuditError) -> Bool {
        var waited = 0
        var pause = 1
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            guard errno == EWOULDBLOCK else {
                throw AuditError.io(path: path, operation: "lock", message: errnoMessage())
            }
            if waited >= milliseconds { return false }
            // Back off from 1 ms up to 8 ms: a gate decision holds the lock for a few ms.
            let step = min(pause, milliseconds - waited)
            usleep(useconds_t(step * 1000))
            waited += step
            pause = min(pause * 2, 8)
        }
        return true
    }

    /// Takes the shared advisory lock.
    func lockShared() throws(AuditError) {
        while flock(fd, LOCK_SH) != 0 {
            if errno == EINTR { continue }
            throw AuditError.io(path: path, operation: "lock", message: errnoMessage())
        }
    }

    func size() throws(AuditError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw AuditError.io(path: path, operation: "stat", message: errnoMessage())
        }
        return Int(info.st_size)
    }

    /// Reads exactly `count` bytes at `offset` (fewer only at end of file).
    func read(offset: Int, count: Int) throws(AuditError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError.io(path: path, operation: "read", message: errnoMessage())
            }
            if n == 0 { break }
            done += n
        }
        if done < count { buffer.removeLast(count - done) }
        return buffer
    }

    func writeAll(_ bytes: [UInt8]) throws(AuditError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + done, bytes.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditError.io(path: path, operation: "write", message: errnoMessage())
            }
            done += n
        }
    }

    func sync() throws(AuditError) {
        guard fsync(fd) == 0 else {
            throw AuditError.io(path: path, operation: "fsync", message: errnoMessage())
        }
    }

    func truncate(to length: Int) throws(AuditError) {
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw AuditError.io(path: path, operation: "truncate", message: errnoMessage())
        }
    }
}

/// A whole file mapped read-only (or read into memory where mapping is not possible).
final class MappedFile {
    let path: String
    private let base: UnsafeMutableRawPointer?
    let count: Int
    private let mapped: Bool

    init(path: String) throws(AuditError) {
        let handle = try FileHandleFD(path: path, flags: O_RDONLY)
        let size = try handle.size()
        self.path = path
        self.count = size
        if size == 0 {
            base = nil
            mapped = false
            return
        }
        let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, handle.fd, 0)
        if let pointer, pointer != MAP_FAILED {
            base = pointer
            mapped = true
        } else {
            let copy = try handle.read(offset: 0, count: size)
            let memory = UnsafeMutableRawPointer.allocate(byteCount: max(copy.count, 1), alignment: 16)
            copy.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: copy.count) }
            base = memory
            mapped = false
        }
    }

    deinit {
        if let base {
            if mapped { munmap(base, count) } else { base.deallocate() }
        }
    }

    /// The bytes, valid while `self` lives.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func makeDirectory(_ path: String) throws(AuditError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw AuditError.io(path: path, operation: "create directory", message: errnoMessage())
        }
    }

    static func readFile(_ path: String) throws(AuditError) -> [UInt8] {
        let handle = try FileHandleFD(path: path, flags: O_RDONLY)
        return try handle.read(offset: 0, count: handle.size())
    }

    static func listDirectory(_ path: String) throws(AuditError) -> [String] {
        do {
            return try DirectoryListing.names(path).sorted()
        } catch {
            throw AuditError.io(path: path, operation: "list", message: error.reason)
        }
    }

    /// Creates `path` and any missing parents.
    static func makeDirectories(_ path: String) throws(AuditError) {
        if isDirectory(path) { return }
        let parent = parentDirectory(of: path)
        if parent != path && parent != "." && parent != "/" { try makeDirectories(parent) }
        try makeDirectory(path)
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename,
    /// then fsync of the directory so the rename itself survives a crash. With `durable` false
    /// the two fsyncs are left to the caller, who writes many files and syncs once after them.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, durable: Bool = true) throws(AuditError) {
        let directory = parentDirectory(of: path)
        var template = Array((directory + "/.tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw AuditError.io(path: path, operation: "create a temporary file", message: errnoMessage())
        }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var ok = false
        defer { if !ok { unlink(tempPath) } }
        fchmod(fd, mode)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let message = errnoMessage()
                close(fd)
                throw AuditError.io(path: path, operation: "write", message: message)
            }
            done += n
        }
        guard !durable || fsync(fd) == 0 else {
            let message = errnoMessage()
            close(fd)
            throw AuditError.io(path: path, operation: "fsync", message: message)
        }
        close(fd)
        guard rename(tempPath, path) == 0 else {
            throw AuditError.io(path: path, operation: "rename into place", message: errnoMessage())
        }
        ok = true
        if durable { syncDirectory(directory) }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }
}

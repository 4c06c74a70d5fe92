#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read or written; each module words it in its own error enum.
public enum FileError: Error, Equatable, Sendable {
    /// Reading failed; `reason` says why (the system's words, or the size limit).
    case unreadable(path: String, reason: String)
    /// Writing failed.
    case unwritable(path: String, reason: String)
    /// The file exists and was not to be replaced.
    case exists(path: String)

    /// The file named.
    public var path: String {
        switch self {
        case .unreadable(let path, _), .unwritable(let path, _), .exists(let path): return path
        }
    }

    /// Why, without the path.
    public var reason: String {
        switch self {
        case .unreadable(_, let reason), .unwritable(_, let reason): return reason
        case .exists: return "already exists"
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// Whole-file reads that never hold more than a limit: a file larger than the limit is an
/// error found before it is read (a pipe or device: as soon as the limit is passed).
public enum BoundedRead {
    /// The bytes of the file at `path`, at most `limit`. Only a regular file is read: a FIFO,
    /// a device or a socket is refused by name, and opening one never blocks (a FIFO with no
    /// writer would hang the command; a device could read without end or not at all).
    public static func file(_ path: String, limit: Int) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .unreadable(path: path, reason: FileError.lastError()) }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: FileError.lastError()) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(path: path, reason: "is a directory")
        case S_IFIFO: throw .unreadable(path: path, reason: "is a FIFO, not a regular file; give a file (or - for stdin)")
        case S_IFCHR, S_IFBLK: throw .unreadable(path: path, reason: "is a device, not a regular file; give a file (or - for stdin)")
        default: throw .unreadable(path: path, reason: "is not a regular file; give a file (or - for stdin)")
        }
        // A regular file never blocks, but reads the ordinary way from here.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        if info.st_size > limit { throw tooLarge(path, limit) }
        var result: [UInt8] = []
        try descriptor(fd, into: &result, path: path, limit: limit, left: Int(info.st_size))
        return result
    }

    /// Appends everything left on descriptor `fd` to `result`, which may hold at most `limit`
    /// bytes; `path` names it in errors.
    ///
    /// Bytes are read straight into buffers that are not zeroed first, sized by the file's
    /// length when it has one: a command that runs before every tool call of an agent pays for
    /// each page of memory it touches.
    public static func descriptor(_ fd: Int32, into result: inout [UInt8], path: String, limit: Int) throws(FileError) {
        try descriptor(fd, into: &result, path: path, limit: limit, left: nil)
    }

    /// As above, with `left` the bytes a regular file has from the descriptor's position, when
    /// the caller knows it (one `fstat` and one `lseek` fewer).
    private static func descriptor(_ fd: Int32, into result: inout [UInt8], path: String, limit: Int, left: Int?) throws(FileError) {
        // One byte more than a regular file's length, so its end is seen in the first buffer.
        var size = 1 << 16
        if let left {
            size = max(1, min(left, limit) + 1)
        } else {
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size >= 0 {
                size = max(1, min(Int(info.st_size) - Int(lseek(fd, 0, SEEK_CUR)), limit) + 1)
            }
        }
        while true {
            var failed = false
            let chunk = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                initialized = 0
                while initialized < buffer.count {
                    let n = read(fd, buffer.baseAddress! + initialized, buffer.count - initialized)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failed = true
                        return
                    }
                    if n == 0 { return }
                    initialized += n
                }
            }
            if failed { throw .unreadable(path: path, reason: FileError.lastError()) }
            if result.count + chunk.count > limit { throw tooLarge(path, limit) }
            if result.isEmpty { result = chunk } else { result.append(contentsOf: chunk) }
            // A buffer not filled ended at the end of the input.
            if chunk.count < size { return }
            size = min(max(size, 1 << 16) * 2, 1 << 24)
        }
    }

    /// The error for more than `limit` bytes.
    public static func tooLarge(_ path: String, _ limit: Int) -> FileError {
        .unreadable(path: path, reason: "the file is larger than the \(limit >> 20) MiB limit; split it")
    }
}

/// Whether two paths name one file, whatever their spelling: the same device and inode, after
/// symbolic links (so `dir/./log`, a link to it and a hard link are all the same file). False
/// when either cannot be looked up.
public func isSameFile(_ a: String, _ b: String) -> Bool {
    var first = stat(), second = stat()
    guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
}

/// What `stat` says of a file (links followed): where it lives, its size, and when its content
/// and its metadata last changed, in nanoseconds since the epoch.
public struct FileStatus: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var isRegular: Bool
    /// The last change of the content (`st_mtime`).
    public var modified: Int64
    /// The last change of the content or metadata (`st_ctime`), which no program sets back.
    public var changed: Int64

    /// The status of the file at `path`; nil when it cannot be read.
    public init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(truncatingIfNeeded: status.st_dev)
        inode = UInt64(truncatingIfNeeded: status.st_ino)
        size = Int64(status.st_size)
        isRegular = (status.st_mode & S_IFMT) == S_IFREG
        #if canImport(Darwin)
        modified = Self.nanoseconds(status.st_mtimespec)
        changed = Self.nanoseconds(status.st_ctimespec)
        #else
        modified = Self.nanoseconds(status.st_mtim)
        changed = Self.nanoseconds(status.st_ctim)
        #endif
    }

    /// The wall clock, in nanoseconds since the epoch.
    public static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return nanoseconds(time)
    }

    static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }
}

/// What a path names after symbolic links, as `FileManager.fileExists(atPath:isDirectory:)`
/// tells it: nothing (or a dangling link), a directory, or anything else that exists.
public enum PathKind: Sendable {
    case missing, directory, other

    /// Looks `path` up.
    public init(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { self = .missing; return }
        self = (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .other
    }
}

/// The path arithmetic of `NSString` (`deletingLastPathComponent`, `appendingPathComponent`),
/// character for character, so paths printed and created stay what they were.
public enum PathText {
    /// `path` with runs of `/` made one and a trailing `/` dropped (`/` itself stays).
    static func fixingSlashes(_ path: String) -> String {
        if path == "/" { return path }
        var result = ""
        var afterSlash = false
        for c in path {
            if c == "/" && afterSlash { continue }
            afterSlash = c == "/"
            result.append(c)
        }
        if result.last == "/" { result.removeLast() }
        return result
    }

    /// `path` without its last component: `a/b/c` → `a/b`, `/a` → `/`, `a` → empty.
    public static func deletingLastComponent(_ path: String) -> String {
        let fixed = fixingSlashes(path)
        if fixed == "/" || fixed.isEmpty { return fixed }
        guard let slash = fixed.lastIndex(of: "/") else { return "" }
        if slash == fixed.startIndex { return "/" }
        return String(fixed[..<slash])
    }

    /// `component` appended to `path` with one `/` between them.
    public static func appending(_ component: String, to path: String) -> String {
        if component.isEmpty { return path }
        if path.isEmpty { return component }
        return path.last == "/" ? path + component : path + "/" + component
    }
}

/// The names in a directory, with `opendir`: what `FileManager.contentsOfDirectory` answers,
/// without setting up a file manager in a command that runs before every tool call.
public enum DirectoryListing {
    /// The names of the entries of the directory at `path`, but `.` and `..`, in no set order.
    public static func names(_ path: String) throws(FileError) -> [String] {
        guard let directory = opendir(path) else { throw .unreadable(path: path, reason: FileError.lastError()) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw .unreadable(path: path, reason: FileError.lastError()) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }
}

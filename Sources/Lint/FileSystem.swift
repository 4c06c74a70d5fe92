import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the linter reads files from: the disk, or memory (tests, examples, benchmarks).
public protocol LintFileSystem: Sendable {
    /// The bytes of a regular file, nil when it does not exist or cannot be read.
    func read(_ path: String) -> [UInt8]?
    /// Whether `path` is a directory.
    func isDirectory(_ path: String) -> Bool
    /// Whether `path` is a regular file.
    func isFile(_ path: String) -> Bool
    /// The names in a directory, nil when it cannot be listed.
    func list(_ directory: String) -> [String]?
    /// The size in bytes of a regular file that can be read, nil when it cannot be.
    func readableSize(_ path: String) -> Int?
    /// Whether anything exists at `path`.
    func exists(_ path: String) -> Bool
    /// The path a directory's symbolic links resolve to, which tells one directory reached
    /// twice through a link.
    func resolved(_ directory: String) -> String
}

extension LintFileSystem {
    public func readableSize(_ path: String) -> Int? { read(path)?.count }
    public func exists(_ path: String) -> Bool { isFile(path) || isDirectory(path) }
    public func resolved(_ directory: String) -> String { normalizePath(directory) }
}

/// The real file system.
public struct DiskFileSystem: LintFileSystem {
    /// Creates the disk view.
    public init() {}

    /// At most `Linter.maxFileBytes`: a file that grew past it after its size was checked is
    /// unreadable, not read whole.
    public func read(_ path: String) -> [UInt8]? {
        guard isFile(path) else { return nil }
        return try? BoundedRead.file(path, limit: Linter.maxFileBytes)
    }

    public func isDirectory(_ path: String) -> Bool {
        PathKind(path) == .directory
    }

    /// A regular file, following symbolic links: a FIFO, a device or a socket is not one.
    public func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    public func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    public func resolved(_ directory: String) -> String {
        URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
    }

    public func list(_ directory: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: directory)
    }

    public func readableSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(path, R_OK) == 0 else { return nil }
        return Int(info.st_size)
    }
}

/// Files held in memory, keyed by path (`dir/policy.cedar`); directories are implied by paths.
public struct MemoryFileSystem: LintFileSystem {
    /// The files.
    public var files: [String: [UInt8]]

    /// Creates a file system holding `files` (text, UTF-8).
    public init(_ files: [String: String]) {
        self.files = files.mapValues { Array($0.utf8) }
    }

    /// Creates a file system holding `files` (bytes).
    public init(bytes files: [String: [UInt8]]) {
        self.files = files
    }

    public func read(_ path: String) -> [UInt8]? { files[normalizePath(path)] }

    public func isFile(_ path: String) -> Bool { files[normalizePath(path)] != nil }

    public func isDirectory(_ path: String) -> Bool {
        let directory = normalizePath(path)
        if directory == "." { return !files.isEmpty }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return files.keys.contains { $0.hasPrefix(prefix) }
    }

    public func list(_ directory: String) -> [String]? {
        let normalized = normalizePath(directory)
        guard isDirectory(normalized) else { return nil }
        let prefix = normalized == "." ? "" : (normalized.hasSuffix("/") ? normalized : normalized + "/")
        var names = Set<String>()
        for key in files.keys where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            if let first = rest.split(separator: "/").first { names.insert(String(first)) }
        }
        return names.sorted()
    }
}

/// `a/b` joined without doubling the separator; `.` joined with a name is the name.
func joinPath(_ directory: String, _ name: String) -> String {
    if directory.isEmpty || directory == "." { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// The directory part of a path (`.` when there is none).
func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// The last component of a path.
func baseName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}

/// Removes `./` prefixes, repeated and trailing slashes: `./a//b/` is `a/b`.
func normalizePath(_ path: String) -> String {
    if path.isEmpty { return "." }
    let absolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
        parts.append(part)
    }
    let joined = parts.joined(separator: "/")
    if absolute { return "/" + joined }
    return joined.isEmpty ? "." : joined
}

/// The working directory as an absolute path.
func absoluteWorkingDirectory() -> String {
    FileManager.default.currentDirectoryPath
}

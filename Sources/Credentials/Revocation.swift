#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A revocation file: one `jti` per line; blank lines and lines starting with `#` are ignored.
///
/// Appending uses `O_APPEND` under an exclusive `flock`, then `fsync`, rather than rewriting the
/// file through a temporary copy: the file only ever grows, so readers never see it half-written
/// and a revocation made by one process is never lost to another's concurrent rewrite. The lock
/// serialises revokers; the fsync makes the revocation durable before success is reported. A
/// last line left without its newline by a crash is completed before the next entry is added.
public struct RevocationList: Equatable, Sendable {
    /// The revoked `jti` values.
    public private(set) var jtis: Set<String>

    public init(jtis: Set<String> = []) {
        self.jtis = jtis
    }

    /// Whether `jti` is revoked.
    public func contains(_ jti: String) -> Bool { jtis.contains(jti) }

    /// Parses the file format.
    public init(text: String) {
        var set = Set<String>()
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let entry = line.trimmingSpaces()
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            set.insert(entry)
        }
        jtis = set
    }

    /// Loads a revocation file. A missing file is an error unless `missingIsEmpty`.
    public static func load(path: String, missingIsEmpty: Bool = false) throws(CredentialsError) -> RevocationList {
        if missingIsEmpty && !FileIO.exists(path) { return RevocationList() }
        return RevocationList(text: try FileIO.readText(path: path, limit: 64 << 20))
    }

    /// What `append` did.
    public enum AppendOutcome: Equatable, Sendable {
        /// The jti was added.
        case appended
        /// The jti was already in the file; nothing was written.
        case alreadyRevoked
    }

    /// Checks that `jti` can be stored as one line.
    public static func validate(jti: String) throws(CredentialsError) {
        guard !jti.isEmpty else { throw .invalidJTI("it is empty") }
        guard jti.utf8.count <= 256 else { throw .invalidJTI("longer than 256 bytes") }
        guard !jti.hasPrefix("#") else { throw .invalidJTI("it must not start with \"#\"") }
        for scalar in jti.unicodeScalars where scalar.value < 0x21 || scalar.value == 0x7f {
            throw .invalidJTI("it must not contain spaces or control characters")
        }
    }

    /// Adds `jti` to the file at `path` (created with mode 0644 if absent), durably and safely
    /// under concurrent revokers.
    @discardableResult
    public static func append(jti: String, to path: String) throws(CredentialsError) -> AppendOutcome {
        try validate(jti: jti)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, message: FileIO.errnoText()) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .io(path: path, message: "cannot lock: \(FileIO.errnoText())") }
        }
        defer { flock(fd, LOCK_UN) }
        // Read under the lock so the duplicate check and the append are one step.
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        guard lseek(fd, 0, SEEK_SET) >= 0 else { throw .io(path: path, message: FileIO.errnoText()) }
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, message: FileIO.errnoText())
            }
            if n == 0 { break }
            contents.append(contentsOf: buffer[0..<n])
            guard contents.count <= 64 << 20 else { throw .io(path: path, message: "revocation file is larger than 64 MiB") }
        }
        if RevocationList(text: String(decoding: contents, as: UTF8.self)).contains(jti) { return .alreadyRevoked }
        var line = Array(jti.utf8) + [0x0a]
        if let last = contents.last, last != 0x0a { line.insert(0x0a, at: 0) }
        do throws(CredentialsError) {
            try FileIO.writeAll(fd, line, path: path)
            guard fsync(fd) == 0 else { throw .io(path: path, message: FileIO.errnoText()) }
        } catch {
            // A write that failed part way (a full disk) must not leave half a line behind.
            _ = ftruncate(fd, off_t(contents.count))
            throw error
        }
        return .appended
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A revocation file: one `jti` per line; blank lines and lines starting with `#` (comments)
/// are skipped. A leading byte-order mark is skipped, and LF, CRLF and CR all end a line. Any
/// other line that is not a `jti` is an error naming its line: a revocation that silently did not
/// count would leave the token it was meant to stop valid.
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

    /// Parses the file format; `file` names the file in errors.
    public init(text: String, file: String = "<revocations>") throws(CredentialsError) {
        var set = Set<String>()
        for (number, line) in Self.lines(text).enumerated() {
            let entry = line.trimmingSpaces()
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            do {
                try Self.validate(jti: entry)
            } catch {
                let detail: String
                if case .invalidJTI(let reason) = error { detail = reason } else { detail = error.description }
                throw .invalidFile(
                    file: file, line: number + 1, column: 1,
                    message: "this line is not a jti (\(detail)); write one jti per line, or start a comment with #")
            }
            set.insert(entry)
        }
        jtis = set
    }

    /// The lines of `text`: a leading byte-order mark skipped, LF, CRLF and CR each ending one.
    static func lines(_ text: String) -> [Substring] {
        var body = text[...]
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        return body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    }

    /// Loads a revocation file. A missing file is an error unless `missingIsEmpty`.
    public static func load(path: String, missingIsEmpty: Bool = false) throws(CredentialsError) -> RevocationList {
        if missingIsEmpty && !FileIO.exists(path) { return RevocationList() }
        return try RevocationList(text: try FileIO.readText(path: path, limit: 64 << 20), file: path)
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
        // Only the duplicate check reads the file here: a revocation is added even to a file with a
        // bad line, which every verifier then reports by its line number.
        if lines(String(decoding: contents, as: UTF8.self)).contains(where: { $0.trimmingSpaces() == jti }) { return .alreadyRevoked }
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file open for reading at given offsets, so that a reader takes only the parts it
/// needs. The file is read with `pread`, never mapped: a file another process truncates while
/// it is open gives a short read, which the reader sees, and never a fault.
public final class PositionedFile: Sendable {
    private let fd: Int32
    /// The file's size when it was opened.
    public let size: Int

    /// Opens the regular file at `path`; nil when it cannot be opened or is not a regular file.
    public init?(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            _ = close(fd)
            return nil
        }
        self.fd = fd
        size = Int(info.st_size)
    }

    deinit { _ = close(fd) }

    /// The `count` bytes at `offset`; nil when they cannot all be read.
    public func read(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { return nil }
        // Read straight into memory not zeroed first: a head of some hundred kilobytes is read
        // before every decision.
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    complete = false
                    break
                }
                done += n
            }
            initialized = done
        }
        return complete ? bytes : nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors of the Crypto module.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operating system's random source could not be read.
    case randomUnavailable(String)
    /// A key, seed or signature had the wrong length.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// Bytes that are not the canonical encoding of a point on edwards25519.
    case invalidPublicKey
    /// Coordinates that are not a point of the named NIST curve.
    case invalidECPoint(String)
    /// An RSA modulus or exponent that cannot be a usable public key.
    case invalidRSAKey(String)

    public var description: String {
        switch self {
        case .randomUnavailable(let detail):
            return "cannot read random bytes from the operating system (\(detail)); check that /dev/urandom is available"
        case .invalidLength(let what, let expected, let actual):
            return "\(what) must be \(expected) bytes, got \(actual)"
        case .invalidPublicKey:
            return "the public key is not a valid Ed25519 point; check that the key file is not damaged"
        case .invalidECPoint(let detail):
            return "invalid EC public key: \(detail); check that the key file is not damaged"
        case .invalidRSAKey(let detail):
            return "invalid RSA public key: \(detail)"
        }
    }
}

/// Cryptographically secure random bytes from the operating system.
public enum SecureRandom {
    /// `count` random bytes. Throws only if the operating system's source fails.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count == 0 { return out }
        let failure: CryptoError? = out.withUnsafeMutableBytes { buffer in
            do throws(CryptoError) {
                try fill(buffer)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return out
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        #if canImport(Darwin)
        arc4random_buf(base, buffer.count)
        #else
        guard let getrandom = getrandomFunction else {
            try readDevURandom(buffer)
            return
        }
        var filled = 0
        while filled < buffer.count {
            // getrandom blocks only until the kernel pool is first initialised, then never.
            let n = getrandom(base + filled, buffer.count - filled, 0)
            if n > 0 {
                filled += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && errno == ENOSYS {
                try readDevURandom(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                return
            } else {
                throw .randomUnavailable("getrandom failed with errno \(errno)")
            }
        }
        #endif
    }

    #if !canImport(Darwin)
    private typealias GetRandom = @convention(c) (UnsafeMutableRawPointer?, Int, UInt32) -> Int

    // The C library's module map does not export <sys/random.h>, so the symbol is looked up at
    // run time; C libraries too old to have it get /dev/urandom instead.
    private static let getrandomFunction: GetRandom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "getrandom") else { return nil }
        return unsafeBitCast(symbol, to: GetRandom.self)
    }()

    private static func readDevURandom(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .randomUnavailable("cannot open /dev/urandom") }
        defer { close(fd) }
        var filled = 0
        while filled < buffer.count {
            let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n > 0 {
                filled += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw .randomUnavailable("short read from /dev/urandom")
            }
        }
    }
    #endif
}

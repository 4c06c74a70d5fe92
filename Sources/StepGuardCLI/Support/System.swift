#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the few system calls whose names clash with Swift methods.
enum System {
    /// write(2).
    static func write(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, pointer, count)
        #elseif canImport(Musl)
        return Musl.write(fd, pointer, count)
        #else
        return Darwin.write(fd, pointer, count)
        #endif
    }

    /// read(2).
    static func read(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.read(fd, pointer, count)
        #elseif canImport(Musl)
        return Musl.read(fd, pointer, count)
        #else
        return Darwin.read(fd, pointer, count)
        #endif
    }

    /// The message of the current `errno`.
    static func lastError() -> String { String(cString: strerror(errno)) }
}

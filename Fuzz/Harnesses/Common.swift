// Shared by every harness: invariant checks that stop the run so libFuzzer keeps the input.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fails the run (SIGABRT, which libFuzzer records as a crash with the input) when an
/// invariant does not hold.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        fputs("invariant violated: \(message())\n", stderr)
        abort()
    }
}

/// The input as a byte array.
func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// The repository root (run.sh exports it), for harnesses that load fixed fixture files.
func repositoryRoot() -> String {
    if let root = getenv("FUZZ_ROOT") { return String(cString: root) }
    return "."
}

/// Reads a whole file, or stops: a harness without its fixture is misconfigured.
func readFixture(_ relativePath: String) -> [UInt8] {
    let path = repositoryRoot() + "/" + relativePath
    guard let file = fopen(path, "rb") else {
        fputs("cannot open fixture \(path); set FUZZ_ROOT to the repository root\n", stderr)
        exit(2)
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return bytes
}

import Foundation

/// What one run printed and returned.
public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// The repository the tests run in.
public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built executable, found next to the test bundle (SwiftPM puts products side by side).
public let stepguardBinary: String? = {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var candidates = [here.deletingLastPathComponent().appendingPathComponent("stepguard").path]
    // On macOS the runner sits inside the .xctest bundle: Contents/MacOS/…
    var up = here
    for _ in 0..<4 {
        up = up.deletingLastPathComponent()
        candidates.append(up.appendingPathComponent("stepguard").path)
    }
    candidates.append(repositoryRoot.appendingPathComponent(".build/debug/stepguard").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Runs an external program; nil when it cannot be started.
@discardableResult
public func runProcess(
    _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
    directory: String? = nil
) -> RunResult? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    do { try process.run() } catch { return nil }
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    // Drain stderr on another thread while reading stdout here, so a chatty child never
    // blocks on a full pipe.
    let errorBox = DataBox()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorBox.set(err.fileHandleForReading.readDataToEndOfFile())
        done.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    let errorData = errorBox.get()
    process.waitUntilExit()
    return RunResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errorData, as: UTF8.self))
}

/// The full path of a program on PATH, or nil.
public func which(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Bytes handed from one thread to another.
final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

import Foundation
@testable import StepGuardCLI

/// Paths of the repository the tests run in.
enum Repository {
    /// Tests/StepGuardCLITests
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The repository root.
    static let root = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    /// Golden files.
    static let golden = testsDirectory.appendingPathComponent("Golden")
}

/// What one in-process run printed and returned.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs stepguard in-process with a recording console.
func runCLI(
    _ arguments: [String], environment: [String: String] = [:], input: String = "",
    stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false, root: CommandSpec = CommandTable.root
) -> RunResult {
    let captured = Console.capturing(
        environment: environment, input: Array(input.utf8), outputIsTerminal: stdoutIsTerminal,
        diagnosticsIsTerminal: stderrIsTerminal)
    let status = CLI.run(arguments: arguments, console: captured.console, root: root)
    return RunResult(status: status, stdout: captured.stdout, stderr: captured.stderr)
}

/// Runs an external program; nil when it cannot be started.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil)
    -> RunResult?
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
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
func which(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

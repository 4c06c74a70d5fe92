import Foundation
import Testing

/// Paths of the repository the tests run in.
enum Repository {
    /// Tests/GateTests
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The repository root.
    static let root = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    /// Fixtures of this target.
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    /// The shipped coding-agent example.
    static let codingAgent = root.appendingPathComponent("policies/examples/coding-agent")
}

/// The built executable, found next to the test bundle (SwiftPM puts products side by side).
let stepguardBinary: String? = {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var candidates = [here.deletingLastPathComponent().appendingPathComponent("stepguard").path]
    var up = here
    for _ in 0..<4 {
        up = up.deletingLastPathComponent()
        candidates.append(up.appendingPathComponent("stepguard").path)
    }
    candidates.append(Repository.root.appendingPathComponent(".build/debug/stepguard").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// What one run printed and returned.
struct RunResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout as JSON, when it is.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
    }

    /// `hookSpecificOutput` of the answer.
    var hookOutput: [String: Any]? { json?["hookSpecificOutput"] as? [String: Any] }
}

/// Runs the stepguard binary.
func runStepguard(_ arguments: [String], input: String? = nil, environment: [String: String] = [:], directory: String? = nil) throws -> RunResult {
    let binary = try #require(stepguardBinary)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "STEPGUARD_POLICIES")
    env.removeValue(forKey: "STEPGUARD_LOG")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    let errorBox = DataBox()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorBox.set(err.fileHandleForReading.readDataToEndOfFile())
        done.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return RunResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errorBox.get(), as: UTF8.self))
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// A throwaway project governed by a copy of the coding-agent example: `.stepguard/policies/`
/// and `.stepguard/audit.log` inside a fresh temporary directory.
struct Project {
    let root: String
    var policies: String { root + "/.stepguard/policies" }
    var log: String { root + "/.stepguard/audit.log" }

    init(policies source: URL = Repository.codingAgent) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)")
        // Resolved, so the path the gate sees is the one the events carry.
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: root + "/.stepguard", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source.path, toPath: policies)
    }

    /// A hook-event fixture of `host` with this project and `session` filled in.
    func event(_ name: String, session: String = "session-1", host: String = "claude-code") throws -> String {
        let url = Repository.fixtures.appendingPathComponent("\(host)/\(name).json")
        return try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "{{PROJECT}}", with: root)
            .replacingOccurrences(of: "{{SESSION}}", with: session)
    }

    /// Runs the gate on one fixture from inside the project (policies and log found from `cwd`).
    func gate(_ name: String, session: String = "session-1", _ extra: [String] = []) throws -> RunResult {
        try runStepguard(["gate", "--host", "claude-code", "--now", "2026-12-07T09:00:00Z"] + extra, input: try event(name, session: session))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

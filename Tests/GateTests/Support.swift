import Foundation
@_exported import ProcessSupport
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

extension RunResult {
    /// stdout as JSON, when it is.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
    }

    /// `hookSpecificOutput` of the answer.
    var hookOutput: [String: Any]? { json?["hookSpecificOutput"] as? [String: Any] }
}

/// Runs the stepguard binary with the policy and log variables of the environment cleared.
func runStepguard(_ arguments: [String], input: String? = nil, environment: [String: String] = [:], directory: String? = nil) throws -> RunResult {
    let binary = try #require(stepguardBinary)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "STEPGUARD_POLICIES")
    env.removeValue(forKey: "STEPGUARD_LOG")
    for (key, value) in environment { env[key] = value }
    return try #require(runProcess(binary, arguments, input: input, environment: env, directory: directory))
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

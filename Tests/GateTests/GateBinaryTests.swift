import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One hook event of the coding-agent example and the answer Claude Code must get.
struct OutcomeCase: Sendable, CustomTestStringConvertible {
    var fixture: String
    /// `permissionDecision`, or nil for no decision.
    var decision: String?
    /// Texts the reason (or the additional context) must hold.
    var mentions: [String] = []
    /// `updatedInput.command`, for a rewrite.
    var command: String? = nil
    /// Whether stdout is empty (no answer at all).
    var silent = false

    var testDescription: String { fixture }
}

@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct GateOutcomeTests {
    static let cases: [OutcomeCase] = [
        OutcomeCase(fixture: "pre-read-source", decision: nil, silent: true),
        OutcomeCase(fixture: "pre-todo", decision: nil, silent: true),
        OutcomeCase(fixture: "pre-fetch-docs", decision: nil, silent: true),
        OutcomeCase(fixture: "pre-read-env", decision: nil, silent: true),
        OutcomeCase(fixture: "pre-delete-outside", decision: "deny", mentions: ["no-delete-outside-project", "deleting outside the project"]),
        OutcomeCase(fixture: "pre-mcp-delete", decision: "deny", mentions: ["no-destructive-deploybot", "cannot be undone"]),
        OutcomeCase(fixture: "pre-force-push", decision: "allow", mentions: ["force-with-lease", "no-force-push"],
                    command: "git push --force-with-lease origin main"),
        OutcomeCase(fixture: "pre-kubectl-prod", decision: "allow", mentions: ["server-dry-run", "prod-apply-dry-run-first"],
                    command: "kubectl --context prod-eu apply --dry-run=server -f deploy/app.yaml"),
        OutcomeCase(fixture: "pre-workflow-write", decision: "ask", mentions: ["\"platform-security\"", "ci-config-needs-review"]),
        OutcomeCase(fixture: "pre-add-dependency", decision: nil, mentions: ["new-dependency-review", "supply-chain review"]),
    ]

    @Test(arguments: cases)
    func answer(_ expected: OutcomeCase) throws {
        let project = try Project()
        defer { project.remove() }
        let result = try project.gate(expected.fixture)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        if expected.silent {
            #expect(result.stdout.isEmpty)
            return
        }
        let output = try #require(result.hookOutput, "stdout: \(result.stdout)")
        #expect(output["hookEventName"] as? String == "PreToolUse")
        #expect(output["permissionDecision"] as? String == expected.decision)
        let text = [output["permissionDecisionReason"], output["additionalContext"]].compactMap { $0 as? String }.joined(separator: " ")
        for mention in expected.mentions { #expect(text.contains(mention), "\(text)") }
        if let command = expected.command {
            let input = try #require(output["updatedInput"] as? [String: Any])
            #expect(input["command"] as? String == command)
            // The whole input: updatedInput replaces it, so untouched fields come along.
            let original = try #require(try JSONSerialization.jsonObject(with: Data(project.event(expected.fixture).utf8)) as? [String: Any])
            let originalInput = try #require(original["tool_input"] as? [String: Any])
            #expect(Set(input.keys) == Set(originalInput.keys))
            #expect(input["description"] as? String == originalInput["description"] as? String)
        } else {
            #expect(output["updatedInput"] == nil)
        }
    }

    @Test func allowAnswerAllowSkipsThePrompt() throws {
        let project = try Project()
        defer { project.remove() }
        let result = try project.gate("pre-read-source", ["--allow-answer", "allow"])
        #expect(result.status == 0)
        let output = try #require(result.hookOutput)
        #expect(output["permissionDecision"] as? String == "allow")
        #expect((output["permissionDecisionReason"] as? String)?.contains("agent-works-in-project") == true)
        // warn proceeds the same way, with the log-only policy for the model.
        let warn = try #require(try project.gate("pre-add-dependency", ["--allow-answer", "allow"]).hookOutput)
        #expect(warn["permissionDecision"] as? String == "allow")
        #expect((warn["additionalContext"] as? String)?.contains("new-dependency-review") == true)
    }

    /// An input edit that does not carry out what its variant says (here it leaves the apply an
    /// apply) is refused: the rewrite falls through, and with no other remedy the call is denied.
    @Test func aRewriteTheInputDoesNotCarryOutIsRefused() throws {
        let project = try Project()
        defer { project.remove() }
        let tools = project.policies + "/tools.json"
        let text = try String(contentsOfFile: tools, encoding: .utf8)
            .replacingOccurrences(of: "\"with\": \"apply --dry-run=server\"", with: "\"with\": \"apply --validate=true\"")
        try text.write(toFile: tools, atomically: true, encoding: .utf8)
        let result = try project.gate("pre-kubectl-prod")
        #expect(result.status == 0, "\(result.stderr)")
        let output = try #require(result.hookOutput)
        #expect(output["permissionDecision"] as? String == "deny")
        #expect(output["updatedInput"] == nil)
        let reason = try #require(output["permissionDecisionReason"] as? String)
        #expect(reason.contains("rewrite \"server-dry-run\" refused: the rewritten input maps to k8s.apply on Cluster::\"prod-eu\""), "\(reason)")
    }

    @Test func anUnmappedToolIsDeniedWithTheWayToMapIt() throws {
        let project = try Project()
        defer { project.remove() }
        let event = try project.event("pre-read-source").replacingOccurrences(of: "\"Read\"", with: "\"NotebookRead\"")
        let result = try runStepguard(["gate", "--host", "claude-code"], input: event)
        #expect(result.status == 0)
        let output = try #require(result.hookOutput)
        #expect(output["permissionDecision"] as? String == "deny")
        let reason = try #require(output["permissionDecisionReason"] as? String)
        #expect(reason.contains("\"NotebookRead\""))
        #expect(reason.contains("hosts.claude-code.tools"))
    }

    @Test func logOnlyRecordsButNeverAnswers() throws {
        let project = try Project()
        defer { project.remove() }
        let result = try project.gate("pre-delete-outside", ["--mode", "log-only"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let log = try String(contentsOfFile: project.log, encoding: .utf8)
        #expect(log.contains("\"outcome\":\"deny\""))
        #expect(log.contains("\"mode\":\"log-only\""))
    }

    @Test func policiesAndLogFromTheEnvironment() throws {
        let project = try Project()
        defer { project.remove() }
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("gate-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let cwd = elsewhere.resolvingSymlinksInPath().path
        let log = cwd + "/gate.log"
        let event = try project.event("pre-delete-outside").replacingOccurrences(of: "\"cwd\": \"\(project.root)\"", with: "\"cwd\": \"\(cwd)\"")
        let result = try runStepguard(
            ["gate", "--host", "claude-code"], input: event,
            environment: ["STEPGUARD_POLICIES": project.policies, "STEPGUARD_LOG": log])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.hookOutput?["permissionDecision"] as? String == "deny")
        #expect(FileManager.default.fileExists(atPath: log))
        #expect(!FileManager.default.fileExists(atPath: project.log))
    }
}

/// Every way the gate can fail is exit status 2 with the reason on stderr: Claude Code blocks
/// the call and shows the reason to the model. Never an allow.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct GateFailureTests {
    func expectBlocked(_ result: RunResult, _ mention: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "\(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(result.stderr.contains(mention), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ("not json", "stdin is not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ("{\"hook_event_name\": \"PreToolUse\"}", "\"cwd\" is missing"),
        ("{\"hook_event_name\": \"PreToolUse\", \"session_id\": \"s\", \"cwd\": \"/tmp\", \"tool_name\": \"Read\", \"tool_input\": \"x\", \"tool_use_id\": \"t\"}",
         "\"tool_input\" must be an object"),
        ("{\"hook_event_name\": \"PreToolUse\", \"session_id\": \"s\", \"cwd\": \"/tmp\", \"tool_name\": \"Read\", \"tool_input\": {}}",
         "\"tool_use_id\" is missing"),
        ("{\"hook_event_name\": \"Stop\", \"session_id\": \"s\", \"cwd\": \"/tmp\"}", "\"Stop\" is not an event"),
        ("{\"hook_event_name\": \"PreToolUse\", \"session_id\": \"s\", \"cwd\": \"relative\", \"tool_name\": \"Read\", \"tool_input\": {}, \"tool_use_id\": \"t\"}",
         "absolute path"),
    ])
    func malformedEvent(input: String, mention: String) throws {
        expectBlocked(try runStepguard(["gate", "--host", "claude-code", "--policies", "/nonexistent", "--log", "/nonexistent/log"], input: input), mention)
    }

    @Test func unreadablePolicies() throws {
        let project = try Project()
        defer { project.remove() }
        expectBlocked(try project.gate("pre-read-source", ["--policies", project.root + "/missing"]), "does not exist")
    }

    @Test func invalidPolicies() throws {
        let project = try Project()
        defer { project.remove() }
        try "permit (principal, action, resource) when { context.x ==".write(toFile: project.policies + "/broken.cedar", atomically: true, encoding: .utf8)
        expectBlocked(try project.gate("pre-read-source"), "broken.cedar:1:")
    }

    @Test func invalidMapping() throws {
        let project = try Project()
        defer { project.remove() }
        let tools = project.policies + "/tools.json"
        let text = try String(contentsOfFile: tools, encoding: .utf8)
            .replacingOccurrences(of: "\"^\\\\s*git\\\\s+push\\\\b\"", with: "\"^(unclosed\"")
        try text.write(toFile: tools, atomically: true, encoding: .utf8)
        expectBlocked(try project.gate("pre-read-source"), "is not a valid regular expression")
        #expect(try project.gate("pre-read-source").stderr.contains("tools.json:"))
    }

    @Test func notConfigured() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gate-none-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let event = "{\"hook_event_name\": \"PreToolUse\", \"session_id\": \"s\", \"cwd\": \"\(directory.resolvingSymlinksInPath().path)\", \"tool_name\": \"Read\", \"tool_input\": {\"file_path\": \"/x\"}, \"tool_use_id\": \"t\"}"
        expectBlocked(try runStepguard(["gate", "--host", "claude-code"], input: event), "no policy directory")
    }

    @Test func tornLog() throws {
        let project = try Project()
        defer { project.remove() }
        #expect(try project.gate("pre-read-source").status == 0)
        let handle = try #require(FileHandle(forWritingAtPath: project.log))
        handle.seekToEndOfFile()
        handle.write(Data("{\"kind\":\"decision\",\"pl".utf8))
        try handle.close()
        expectBlocked(try project.gate("pre-todo"), "incomplete")
        expectBlocked(try project.gate("pre-delete-outside"), "incomplete")
    }

    @Test func lockNotObtained() throws {
        let project = try Project()
        defer { project.remove() }
        #expect(try project.gate("pre-read-source").status == 0)
        let fd = open(project.log, O_RDWR)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        let started = Date()
        expectBlocked(try project.gate("pre-read-source", ["--lock-timeout", "300"]), "lock was not obtained within 300 ms")
        #expect(Date().timeIntervalSince(started) >= 0.3)
        flock(fd, LOCK_UN)
        #expect(try project.gate("pre-read-source").status == 0)
    }

    @Test func logOnlyErrorsDoNotBlock() throws {
        let result = try runStepguard(["gate", "--host", "claude-code", "--mode", "log-only"], input: "not json")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("stdin is not JSON"))
    }
}

import Foundation
import Testing

/// Every host's answers, pinned by golden files: one session per host through the binary, each
/// event of its fixtures (shaped after the host's documentation) in order, covering every
/// outcome, the finished-call events and the error path, in enforce and log-only mode.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct HostAnswerTests {
    /// One run of the gate: a fixture (or raw stdin), the session and extra arguments.
    struct Step: Sendable {
        var fixture: String
        var session = "session-1"
        var arguments: [String] = []
        var stdin: String? = nil
    }

    static let malformed = Step(fixture: "error: stdin is not JSON", stdin: "{\"hook_event_name\": ")
    static let malformedLogOnly = Step(fixture: "error: stdin is not JSON", arguments: ["--mode", "log-only"], stdin: "{\"hook_event_name\": ")

    static let sessions: [String: [Step]] = [
        "claude-code": [
            Step(fixture: "pre-read-source"), Step(fixture: "post-read-source"),
            Step(fixture: "pre-read-source", session: "session-2", arguments: ["--allow-answer", "allow"]),
            Step(fixture: "pre-add-dependency"), Step(fixture: "pre-force-push"), Step(fixture: "post-force-push-failure"),
            Step(fixture: "pre-workflow-write"), Step(fixture: "pre-delete-outside"), malformed, malformedLogOnly,
        ],
        "codex": [
            Step(fixture: "pre-read-source"), Step(fixture: "post-read-source"),
            Step(fixture: "pre-read-source", session: "session-2", arguments: ["--allow-answer", "allow"]),
            Step(fixture: "pre-add-dependency"), Step(fixture: "pre-force-push"), Step(fixture: "post-force-push"),
            Step(fixture: "pre-workflow-write"), Step(fixture: "pre-multi-file-patch"), Step(fixture: "pre-delete-outside"),
            Step(fixture: "pre-mcp-delete"), malformed, malformedLogOnly,
        ],
        "gemini": [
            Step(fixture: "pre-read-source"), Step(fixture: "post-read-source"),
            Step(fixture: "pre-read-source", session: "session-2", arguments: ["--allow-answer", "allow"]),
            Step(fixture: "pre-add-dependency"), Step(fixture: "pre-force-push"), Step(fixture: "post-force-push"),
            Step(fixture: "pre-workflow-write"), Step(fixture: "pre-delete-outside"), Step(fixture: "pre-mcp-delete"),
            malformed, malformedLogOnly,
        ],
        "cursor": [
            Step(fixture: "pre-read-source"), Step(fixture: "post-read-source"),
            Step(fixture: "pre-read-source", session: "session-2", arguments: ["--allow-answer", "allow"]),
            Step(fixture: "pre-add-dependency"), Step(fixture: "pre-force-push"), Step(fixture: "post-force-push-failure"),
            Step(fixture: "pre-workflow-write"), Step(fixture: "pre-delete-outside"),
            Step(fixture: "before-shell-force-push"), Step(fixture: "before-mcp-delete"),
            malformed, malformedLogOnly,
        ],
        "generic": [
            Step(fixture: "pre-read-source"), Step(fixture: "post-read-source"),
            Step(fixture: "pre-add-dependency"), Step(fixture: "pre-force-push"), Step(fixture: "post-force-push"),
            Step(fixture: "pre-workflow-write"), Step(fixture: "pre-delete-outside"),
            Step(fixture: "pre-delete-outside", session: "session-2", arguments: ["--mode", "log-only"]),
            malformed, malformedLogOnly,
        ],
    ]

    @Test(arguments: ["claude-code", "codex", "gemini", "cursor", "generic"])
    func goldenSession(host: String) throws {
        let project = try Project()
        defer { project.remove() }
        var transcript = ""
        for step in try #require(Self.sessions[host]) {
            let input = try step.stdin ?? project.event(step.fixture, session: step.session, host: host)
            let result = try runStepguard(
                ["gate", "--host", host, "--now", "2026-12-07T09:00:00Z"] + step.arguments + (step.stdin == nil ? [] : ["--policies", project.policies, "--log", project.log]),
                input: input)
            transcript += "## \(step.fixture)" + (step.arguments.isEmpty ? "" : " " + step.arguments.joined(separator: " "))
            transcript += " (session \(step.session)): exit \(result.status)\n"
            transcript += "stdout: \(result.stdout.isEmpty ? "(nothing)\n" : result.stdout)"
            if !result.stderr.isEmpty { transcript += "stderr: \(result.stderr)" }
            transcript += "\n"
        }
        transcript = transcript.replacingOccurrences(of: project.root, with: "{{PROJECT}}")
        // A derived call id digests the input, which holds the project's temporary path.
        transcript = transcript.replacingOccurrences(of: #"call-[0-9a-f]{16}-"#, with: "call-DIGEST-", options: .regularExpression)
        try Golden.check(transcript, "hosts/\(host).txt")

        // Every finished call joins the decision it ran under, derived call ids included.
        let verify = try runStepguard(["audit", "verify", project.log])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}

/// A rewrite a host cannot express falls through to the next remedy, never to an allow of the
/// unrewritten call.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct InexpressibleRewriteTests {
    /// Gemini merges the rewritten input over the call's: a rewrite that drops an argument is
    /// refused there, while Codex, whose input update replaces, carries it out.
    @Test func aMergeCannotRemoveAnArgument() throws {
        let project = try Project()
        defer { project.remove() }
        let tools = project.policies + "/tools.json"
        let text = try String(contentsOfFile: tools, encoding: .utf8).replacingOccurrences(
            of: #"{ "field": "command", "pattern": "(\\s)(--force|-f)(?=\\s|$)", "with": "$1--force-with-lease" }"#,
            with: #"{ "field": "command", "pattern": "(\\s)(--force|-f)(?=\\s|$)", "with": "$1--force-with-lease" }, { "field": "description", "remove": true }"#)
        #expect(text.contains(#""remove": true"#))
        try text.write(toFile: tools, atomically: true, encoding: .utf8)

        let gemini = try runStepguard(["gate", "--host", "gemini"], input: try project.event("pre-force-push", host: "gemini"))
        #expect(gemini.status == 0, "\(gemini.stderr)")
        #expect(gemini.json?["decision"] as? String == "deny", "\(gemini.stdout)")
        #expect((gemini.json?["reason"] as? String)?.contains("host \"gemini\" merges a rewritten input over the call's, so it cannot remove \"description\"") == true, "\(gemini.stdout)")
        #expect(gemini.json?["hookSpecificOutput"] == nil)

        let generic = try runStepguard(["gate", "--host", "generic"], input: try project.event("pre-force-push", host: "generic")
            .replacingOccurrences(of: #""command": "git push --force origin main""#, with: #""command": "git push --force origin main", "description": "push""#))
        #expect(generic.json?["outcome"] as? String == "mutate", "\(generic.stdout)")
        #expect(generic.json?["input"] as? [String: String] == ["command": "git push --force-with-lease origin main"])
    }
}

/// Golden files under Tests/GateTests/Golden; `STEPGUARD_UPDATE_GOLDEN=1` rewrites them.
enum Golden {
    static let directory = Repository.testsDirectory.appendingPathComponent("Golden")

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "golden \(name) differs; rerun with STEPGUARD_UPDATE_GOLDEN=1 and review the diff", sourceLocation: sourceLocation)
    }
}

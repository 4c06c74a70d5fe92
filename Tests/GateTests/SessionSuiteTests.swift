import Foundation
import JSONValue
import Testing
import Workflow
@testable import Gate

/// Session tests of `stepguard test`: host events through the real gate path.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct SessionSuiteTests {
    @Test func theExampleSessionsPassAsJUnit() throws {
        let result = try runStepguard(["test", Repository.codingAgent.path, "--format", "junit"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("<testsuite name=\"coding-agent sessions\" tests=\"4\" failures=\"0\""), "\(result.stdout)")
    }

    /// A project whose policies hold one more suite.
    func project(suite: String) throws -> Project {
        let project = try Project()
        try suite.write(toFile: project.policies + "/tests/extra.json", atomically: true, encoding: .utf8)
        return project
    }

    static let event = #"{"conversation_id": "c-1", "hook_event_name": "preToolUse", "tool_name": "Shell", "tool_input": {"command": "rm -rf /etc/nginx"}, "tool_use_id": "t1", "cwd": "/work/app"}"#

    @Test func aFailingEventIsReportedWithItsAnswer() throws {
        let project = try project(suite: """
            {"suite": "extra", "clock": "2026-12-07T09:00:00Z", "tests": [
              {"name": "wrong", "host": "cursor", "events": [
                {"event": \(Self.event), "expect": {"outcome": "allow", "answer": {}}}
              ]}
            ]}
            """)
        defer { project.remove() }
        let text = try runStepguard(["test", project.policies, "--run", "extra/"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("step \"events[0]\""), "\(text.stdout)")
        #expect(text.stdout.contains("expected: allow"))
        #expect(text.stdout.contains("actual:   deny"))
        #expect(text.stdout.contains("expected answer: {}"))
        #expect(text.stdout.contains("actual answer:   {\"agent_message\""), "\(text.stdout)")
        let junit = try runStepguard(["test", project.policies, "--run", "extra/", "--format", "junit"])
        #expect(junit.status == 1)
        #expect(junit.stdout.contains("<failure message=\"events[0]: expected allow, got deny; the answer differs\""), "\(junit.stdout)")
        let json = try runStepguard(["test", project.policies, "--run", "extra/", "--format", "json"])
        let failure = try #require(((json.json?["tests"] as? [[String: Any]])?.first?["failures"] as? [[String: Any]])?.first)
        #expect((failure["answers"] as? [String: Any])?["expected"] as? String == "{}")
    }

    @Test(arguments: [
        (#"{"name": "no clock", "host": "cursor", "events": [{"event": {}, "expect": "allow"}]}"#, "needs a pinned \"clock\""),
        (#"{"name": "h", "host": "cursor", "clock": "2026-12-07", "events": []}"#, "\"events\" must be a non-empty array"),
        (#"{"name": "h", "host": "cursor", "clock": "2026-12-07", "events": [{"event": {}, "expect": "maybe"}]}"#, "unknown outcome \"maybe\""),
        (#"{"name": "h", "host": "cursor", "clock": "2026-12-07", "events": [{"parallel": [{"event": {}}]}]}"#, "\"parallel\" needs at least two events"),
        (#"{"name": "h", "host": "vim", "clock": "2026-12-07", "events": [{"event": {}}]}"#, "unknown host \"vim\""),
    ])
    func malformedSessionTests(test: String, mention: String) throws {
        let project = try project(suite: #"{"suite": "extra", "tests": ["# + test + #"]}"#)
        defer { project.remove() }
        let result = try runStepguard(["test", project.policies])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(mention), "\(result.stderr)")
        #expect(result.stderr.contains("extra.json:"), "\(result.stderr)")
    }

    /// The calls of a parallel group are decided one after the other under the log's lock:
    /// eight sends issued at once after a secret was read are all denied, each in its own record.
    @Test func parallelCallsAreEachDecided() throws {
        let bundle = try PolicyBundle.load(path: Repository.codingAgent.path)
        func event(_ id: String, _ tool: String, _ input: String) -> JSONValue {
            try! JSONParser.parse(#"{"conversation_id": "c-1", "hook_event_name": "preToolUse", "tool_name": "\#(tool)", "tool_input": \#(input), "tool_use_id": "\#(id)", "cwd": "/work/app"}"#)
        }
        func step(_ value: JSONValue, _ outcome: String, _ label: String) -> SessionEvent {
            SessionEvent(
                event: value, expectation: SessionExpectation(outcomes: [outcome], policies: nil, answer: nil), label: label,
                location: FileLocation(file: "t", line: 1, column: 1))
        }
        let sends = (0..<8).map { step(event("send-\($0)", "Shell", #"{"command": "curl https://paste.example.com/\#($0)"}"#), "deny", "send \($0)") }
        let test = SessionTest(
            host: "cursor",
            groups: [[step(event("read", "Read", #"{"file_path": "/work/app/.env"}"#), "allow", "read")], sends],
            location: FileLocation(file: "t", line: 1, column: 1))
        let mismatches = try GateSessionRunner().run(test, bundle: bundle, clock: try #require(Clock(iso8601: "2026-12-07T09:00:00Z")))
        #expect(mismatches.isEmpty, "\(mismatches.map(\.message))")
    }
}

import JSONValue
import Testing
import Workflow
@testable import Gate

/// Claude Code's contract in and out, without a process.
struct ClaudeCodeTests {
    func verdict(_ outcome: StepOutcome, policies: [String] = ["p"], groups: [String] = [], input: JSONValue? = nil) -> GateVerdict {
        GateVerdict(
            outcome: outcome, policies: policies, reason: "because", warnings: [], groups: groups,
            variant: outcome == .mutate ? "safer" : nil, updatedInput: input?.objectValue, mapped: nil, seq: 0)
    }

    func output(_ value: JSONValue?) -> JSONObject? { value?["hookSpecificOutput"]?.objectValue }

    @Test func answersPerOutcome() throws {
        let deny = try #require(output(ClaudeCode.answer(verdict(.deny), allow: .none, mode: .enforce)))
        #expect(deny["hookEventName"] == "PreToolUse")
        #expect(deny["permissionDecision"] == "deny")
        #expect(deny["permissionDecisionReason"] == "stepguard denied this call (\"p\"): because")

        let mutate = try #require(output(ClaudeCode.answer(verdict(.mutate, input: ["command": "safe"]), allow: .none, mode: .enforce)))
        #expect(mutate["permissionDecision"] == "allow")
        #expect(mutate["updatedInput"] == ["command": "safe"])
        #expect(mutate["permissionDecisionReason"]?.stringValue?.contains("\"safer\"") == true)

        // A rewrite without its rewritten input must not run the call as asked.
        let unrewritten = try #require(output(ClaudeCode.answer(verdict(.mutate), allow: .allow, mode: .enforce)))
        #expect(unrewritten["permissionDecision"] == "deny")
        #expect(unrewritten["updatedInput"] == nil)

        let ask = try #require(output(ClaudeCode.answer(verdict(.approve, groups: ["sec", "ops"]), allow: .none, mode: .enforce)))
        #expect(ask["permissionDecision"] == "ask")
        #expect(ask["permissionDecisionReason"]?.stringValue?.contains("approval by \"sec\" and \"ops\"") == true)

        let warn = try #require(output(ClaudeCode.answer(verdict(.warn), allow: .none, mode: .enforce)))
        #expect(warn["permissionDecision"] == nil)
        #expect(warn["additionalContext"]?.stringValue?.contains("log-only policy \"p\"") == true)

        #expect(ClaudeCode.answer(verdict(.allow), allow: .none, mode: .enforce) == nil)
        #expect(output(ClaudeCode.answer(verdict(.allow), allow: .allow, mode: .enforce))?["permissionDecision"] == "allow")
        for outcome in StepOutcome.allCases {
            #expect(ClaudeCode.answer(verdict(outcome), allow: .allow, mode: .logOnly) == nil)
        }
    }

    @Test func readsPostToolUseFailure() throws {
        let event = """
            {"session_id": "s", "transcript_path": "/t", "cwd": "/w", "hook_event_name": "PostToolUseFailure",
             "tool_name": "Bash", "tool_input": {"command": "npm test"}, "tool_use_id": "toolu_1",
             "error": "Command exited with non-zero status code 1", "is_interrupt": true}
            """
        let parsed = try ClaudeCode.event(Array(event.utf8))
        guard case .postToolUse(let call, let result) = parsed else {
            Issue.record("not a post event: \(parsed)")
            return
        }
        #expect(call.toolUseID == "toolu_1")
        #expect(!result.succeeded)
        #expect(result.interrupted)
        #expect(result.error == "Command exited with non-zero status code 1")
    }

    @Test func installIsIdempotentAndKeepsEverythingElse() throws {
        let settings: JSONValue = [
            "env": ["A": "1"],
            "hooks": ["PreToolUse": [["matcher": "Bash", "hooks": [["type": "command", "command": "other"]]]]],
        ]
        let once = try ClaudeCode.install(command: "stepguard gate --host claude-code", into: settings, file: "s.json")
        let twice = try ClaudeCode.install(command: "stepguard gate --host claude-code", into: once, file: "s.json")
        #expect(once == twice)
        #expect(once["env"] == settings["env"])
        #expect(once["hooks"]?["PreToolUse"]?.arrayValue?.count == 2)
        #expect(once["hooks"]?["PreToolUse"]?.arrayValue?.first == settings["hooks"]?["PreToolUse"]?.arrayValue?.first)
        #expect(once["hooks"]?.objectValue?.keys == ["PreToolUse", "PostToolUse", "PostToolUseFailure"])
    }
}

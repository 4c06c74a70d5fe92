import Foundation
import Testing

/// `stepguard replay` through the binary: the coding-agent example's transcript, logs the gate
/// wrote, hook events, `--against`, and the reports.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct ReplayTests {
    static let transcript = Repository.codingAgent.appendingPathComponent("recordings/claude-code-session.jsonl").path

    /// The labels of every call of a `stepguard.replay/v1` document, by call id.
    static func labels(_ document: [String: Any], key: String = "label") -> [String: String] {
        var labels: [String: String] = [:]
        for session in document["sessions"] as? [[String: Any]] ?? [] {
            for call in session["calls"] as? [[String: Any]] ?? [] {
                labels[call["call"] as! String] = call[key] as? String
            }
        }
        return labels
    }

    @Test func theExampleTranscriptMeetsEveryOutcome() throws {
        let result = try runStepguard([
            "replay", "-p", Repository.codingAgent.path, "--root", "/work/app", "--format", "json", Self.transcript,
        ])
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(result.json, "\(result.stdout)")
        #expect(document["schema"] as? String == "stepguard.replay/v1")
        #expect((document["recordings"] as? [[String: Any]])?.first?["kind"] as? String == "transcript")
        let expected: [String: String] = [
            "toolu_01A1readsrc": "allow", "toolu_01A2readtest": "allow", "toolu_01A3grep": "allow", "toolu_01A4docs": "allow",
            "toolu_01A5edit": "allow", "toolu_01A6dep": "warn", "toolu_01A7test": "allow", "toolu_01A8ci": "approve",
            "toolu_01A9push": "mutate:force-with-lease", "toolu_01B1env": "allow",
            // The chain rule: after the .env read, nothing may leave the machine.
            "toolu_01B2paste": "deny", "toolu_01B3status": "deny",
            "toolu_01B4apply": "mutate:server-dry-run", "toolu_01B5list": "allow", "toolu_01B6drop": "deny",
            "toolu_01B7clean": "deny", "toolu_01B8todo": "allow",
        ]
        #expect(Self.labels(document) == expected)
        let summary = try #require(document["summary"] as? [String: Any])
        #expect(summary["calls"] as? Int == 17)
        #expect(summary["sessions"] as? Int == 1)
        #expect(summary["deny"] as? Int == 4)
        // The rewritten push carries the input the host would have run.
        let calls = try #require((document["sessions"] as? [[String: Any]])?.first?["calls"] as? [[String: Any]])
        let push = try #require(calls.first { $0["call"] as? String == "toolu_01A9push" })
        #expect((push["updated_input"] as? [String: Any])?["command"] as? String == "git push --force-with-lease origin main")
        #expect(push["line"] as? Int != nil && push["file"] as? String == Self.transcript)
    }

    /// Without the .env read the same calls go out: the history is the session's own.
    @Test func historyHoldsOnlyWhatRanBefore() throws {
        let lines = try String(contentsOfFile: Self.transcript, encoding: .utf8).split(separator: "\n")
        let kept = lines.filter { !$0.contains("toolu_01B1env") }.joined(separator: "\n") + "\n"
        let result = try runStepguard(["replay", "-p", Repository.codingAgent.path, "--root", "/work/app", "--format", "json", "-"], input: kept)
        let labels = Self.labels(try #require(result.json, "\(result.stderr)"))
        #expect(labels["toolu_01B2paste"] == "allow")
        #expect(labels["toolu_01B3status"] == "allow")
    }

    /// A policy change that exempts a status page from the chain rule flips exactly that call.
    @Test func againstListsTheCallsAPolicyChangeFlips() throws {
        let next = try Project()
        defer { next.remove() }
        let file = next.policies + "/policies.cedar"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let changed = text.replacingOccurrences(
            of: "  (context.history.labels.contains(\"secret\") ||\n   context.history.max_sensitivity >= 4)\n};",
            with: "  (context.history.labels.contains(\"secret\") ||\n   context.history.max_sensitivity >= 4)\n}\nunless { resource == Url::\"https://status.example.com/api/v2/summary.json\" };")
        #expect(changed != text)
        try changed.write(toFile: file, atomically: true, encoding: .utf8)

        let result = try runStepguard([
            "replay", "-p", Repository.codingAgent.path, "--against", next.policies, "--root", "/work/app", "--format", "json", Self.transcript,
        ])
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(result.json, "\(result.stdout)")
        let changes = try #require((document["against"] as? [String: Any])?["changes"] as? [[String: Any]])
        #expect(changes.count == 1)
        #expect(changes.first?["call"] as? String == "toolu_01B3status")
        #expect((changes.first?["before"] as? [String: Any])?["label"] as? String == "deny")
        #expect((changes.first?["after"] as? [String: Any])?["label"] as? String == "allow")
        #expect(document["passed"] as? Bool == false)

        let text2 = try runStepguard(["replay", "-p", Repository.codingAgent.path, "--against", next.policies, "--root", "/work/app", Self.transcript])
        #expect(text2.stdout.contains("toolu_01B3status"))
        #expect(text2.stdout.contains("1 of 17 calls change outcome"))

        // The same policies on both sides change nothing: exit 0.
        let same = try runStepguard(["replay", "-p", Repository.codingAgent.path, "--against", Repository.codingAgent.path, "--root", "/work/app", Self.transcript])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("0 of 17 calls change outcome"))
    }

    /// A session the gate decided and logged, replayed from the log under the same policies:
    /// every logged decision comes out again, the held call that ran counted in the history.
    @Test(arguments: ["enforce", "log-only"])
    func aLogTheGateWroteReplaysToItsOwnDecisions(mode: String) throws {
        let project = try Project()
        defer { project.remove() }
        let sessions: [(String, [String])] = [
            ("session-a", ["pre-read-source", "post-read-source", "pre-todo", "pre-fetch-docs", "pre-delete-outside", "pre-force-push",
                           "post-force-push-failure", "pre-workflow-write", "post-workflow-write", "pre-kubectl-prod", "pre-add-dependency",
                           "pre-mcp-delete", "pre-read-env", "pre-curl-after-secret", "pre-fetch-after-secret"]),
            ("session-b", ["pre-fetch-docs", "pre-read-env", "pre-fetch-after-secret", "pre-force-push"]),
        ]
        // Interleaved, as parallel sessions share one log.
        for index in 0..<15 {
            for (session, fixtures) in sessions where index < fixtures.count {
                let result = try project.gate(fixtures[index], session: session, ["--mode", mode])
                #expect(result.status == 0, "\(fixtures[index]): \(result.stderr)")
            }
        }
        let result = try runStepguard(["replay", "-p", project.policies, "--mode", mode, "--format", "json", project.log])
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(result.json, "\(result.stdout)")
        #expect((document["recordings"] as? [[String: Any]])?.first?["kind"] as? String == "log")
        var compared = 0
        for session in document["sessions"] as? [[String: Any]] ?? [] {
            for call in session["calls"] as? [[String: Any]] ?? [] {
                let logged = try #require(call["logged"] as? [String: Any])
                #expect(call["label"] as? String == logged["label"] as? String, "\(call)")
                #expect(call["policies"] as? [String] == logged["policies"] as? [String], "\(call)")
                compared += 1
            }
        }
        #expect(compared == 12 + 4)
        #expect(Self.labels(document)["toolu_0110readenv"] == "allow")
    }

    @Test func hookEventsReplayAsTheGateDecidesThem() throws {
        let project = try Project()
        defer { project.remove() }
        let fixtures = ["pre-read-env", "pre-fetch-after-secret", "pre-force-push", "pre-workflow-write"]
        var events = ""
        for fixture in fixtures {
            let event = try project.event(fixture)
            let value = try JSONSerialization.jsonObject(with: Data(event.utf8))
            events += String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self) + "\n"
        }
        let result = try runStepguard(["replay", "-p", project.policies, "--format", "json", "-"], input: events)
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(result.json, "\(result.stdout)")
        #expect((document["recordings"] as? [[String: Any]])?.first?["kind"] as? String == "events")
        let labels = Array(Self.labels(document).values).sorted()
        #expect(labels == ["allow", "approve", "deny", "mutate:force-with-lease"])
    }

    @Test func findingsForCodeScanning() throws {
        let sarif = try runStepguard(["replay", "-p", Repository.codingAgent.path, "--root", "/work/app", "--format", "sarif", Self.transcript])
        let log = try #require(sarif.json, "\(sarif.stderr)")
        #expect(log["version"] as? String == "2.1.0")
        let results = try #require((log["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
        #expect(results.count == 8)
        #expect(Set(results.compactMap { $0["ruleId"] as? String }) == ["call-denied", "call-held", "call-mutated", "call-log-only"])

        let github = try runStepguard(["replay", "-p", Repository.codingAgent.path, "--root", "/work/app", "--format", "github", Self.transcript])
        let annotations = github.stdout.split(separator: "\n")
        #expect(annotations.count == 8)
        #expect(annotations.allSatisfy { $0.hasPrefix("::") && $0.contains("file=\(Self.transcript)") })
        #expect(github.stderr.contains("17 calls"))
    }

    @Test func unreadableRecordingsExitTwoWithTheirPlace() throws {
        let bad = try runStepguard(["replay", "-p", Repository.codingAgent.path, "--input", "transcript", "-"],
                                   input: "{\"type\":\"summary\"}\n{\"type\": \"assistant\", \"message\": {\"content\": [{\"type\": \"tool_use\"}]}}\n")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("<stdin>:2:1: a tool_use block needs a string \"id\""), "\(bad.stderr)")

        let notJSON = try runStepguard(["replay", "-p", Repository.codingAgent.path, "-"], input: "{\"seq\": 1,\n")
        #expect(notJSON.status == 2)
        #expect(notJSON.stderr.contains("<stdin>:1:"), "\(notJSON.stderr)")

        let noInput = "{\"seq\":0,\"prev\":\"00\",\"time\":\"2026-12-07T09:00:00Z\",\"kind\":\"decision\",\"plan\":\"s\",\"step\":\"t\",\"host\":\"claude-code\",\"tool\":\"Read\",\"cwd\":\"/w\",\"outcome\":\"allow\"}\n"
        let old = try runStepguard(["replay", "-p", Repository.codingAgent.path, "-"], input: noInput)
        #expect(old.status == 2)
        #expect(old.stderr.contains("does not record the tool input"), "\(old.stderr)")

        let missing = try runStepguard(["replay", "-p", Repository.codingAgent.path, "/nonexistent/session.jsonl"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/session.jsonl: no such file"), "\(missing.stderr)")
    }
}

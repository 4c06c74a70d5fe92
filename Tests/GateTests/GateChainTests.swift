import Foundation
import Testing

@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct GateSessionTests {
    @Test func egressAfterASecretIsDeniedOnlyThen() throws {
        let project = try Project()
        defer { project.remove() }
        // Alone, in a session that read nothing secret, the send goes through.
        #expect(try project.gate("pre-curl-after-secret", session: "clean").stdout.isEmpty)
        #expect(try project.gate("pre-read-env", session: "leaky").stdout.isEmpty)
        for fixture in ["pre-curl-after-secret", "pre-fetch-after-secret"] {
            let result = try project.gate(fixture, session: "leaky")
            let output = try #require(result.hookOutput, "\(fixture): \(result.stdout) \(result.stderr)")
            #expect(output["permissionDecision"] as? String == "deny")
            #expect((output["permissionDecisionReason"] as? String)?.contains("no-egress-after-secret") == true)
        }
        // The other session is not affected by what this one read.
        #expect(try project.gate("pre-fetch-after-secret", session: "clean").stdout.isEmpty)
    }


    /// A whole Claude Code session through the binary: every answer, then the log it leaves.
    @Test func wholeSession() throws {
        let project = try Project()
        defer { project.remove() }
        let session = "7c1e4a52-0d9b-4f55-9a3e-2f7b1d0c8e61"
        let steps: [(fixture: String, decision: String?)] = [
            ("pre-read-source", nil), ("post-read-source", nil),
            ("pre-todo", nil),
            ("pre-fetch-docs", nil),
            ("pre-delete-outside", "deny"),
            ("pre-force-push", "allow"), ("post-force-push-failure", nil),
            ("pre-workflow-write", "ask"), ("post-workflow-write", nil),
            ("pre-kubectl-prod", "allow"),
            ("pre-add-dependency", nil),
            ("pre-mcp-delete", "deny"),
            ("pre-read-env", nil),
            ("pre-curl-after-secret", "deny"),
            ("pre-fetch-after-secret", "deny"),
        ]
        for step in steps {
            let result = try project.gate(step.fixture, session: session)
            #expect(result.status == 0, "\(step.fixture): \(result.stderr)")
            #expect(result.hookOutput?["permissionDecision"] as? String == step.decision, "\(step.fixture): \(result.stdout)")
            if step.fixture.hasPrefix("post-") { #expect(result.stdout.isEmpty) }
        }

        let verify = try runStepguard(["audit", "verify", project.log])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(!verify.stdout.contains("fault"), "\(verify.stdout)")

        let show = try runStepguard(["audit", "show", "--plan", session, "--format", "json", project.log])
        #expect(show.status == 0, "\(show.stderr)")
        let paths = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let planPaths = try #require((paths["plans"] as? [[String: Any]]) ?? (paths["paths"] as? [[String: Any]]), "\(show.stdout)")
        let stepsShown = try #require(planPaths.first?["steps"] as? [[String: Any]])
        var status: [String: String] = [:]
        for step in stepsShown { status[step["step"] as! String] = step["status"] as? String }
        #expect(stepsShown.count == 12)
        #expect(status["toolu_0101readsource"] == "executed")
        #expect(status["toolu_0104deleteoutsid"] == "denied")
        #expect(status["toolu_0105forcepush"] == "executed")
        #expect(status["toolu_0106workflowwrit"] == "executed")
        #expect(status["toolu_0111curlaftersec"] == "denied")
        #expect(status["toolu_0102todo"] == "aborted")

        // The log holds what each answer rests on.
        let log = try String(contentsOfFile: project.log, encoding: .utf8)
        #expect(log.contains("\"kind\":\"mutation\""))
        #expect(log.contains("git push --force-with-lease origin main"))
        #expect(log.contains("\"via\":\"host-prompt\""))
        #expect(log.contains("\"succeeded\":false"))
        // And the index beside it was kept.
        let index = try FileManager.default.contentsOfDirectory(atPath: project.log + ".sessions")
        #expect(index.count == 1)
    }

    /// Eight gate processes of one session at once: one reads a secret, seven send data out.
    /// The log's order is the decision order: every send decided after the read is denied,
    /// every send before it allowed, and nothing is lost.
    @Test func parallelCallsCannotSlipPastAChainRule() throws {
        let project = try Project()
        defer { project.remove() }
        let session = "parallel"
        var events: [(id: String, text: String)] = []
        let read = try project.event("pre-read-env", session: session)
        events.append(("toolu_secret", read.replacingOccurrences(of: "toolu_0110readenv", with: "toolu_secret")))
        for n in 1...7 {
            let send = try project.event("pre-curl-after-secret", session: session)
            events.append(("toolu_send\(n)", send.replacingOccurrences(of: "toolu_0111curlaftersec", with: "toolu_send\(n)")))
        }
        let results = ResultBox(count: events.count)
        let inputs = events.map(\.text)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
            let result = try? runStepguard(["gate", "--host", "claude-code"], input: inputs[index])
            results.set(index, result)
        }
        let log = try String(contentsOfFile: project.log, encoding: .utf8)
        let records = log.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let decided = records.filter { $0["kind"] as? String == "decision" }.compactMap { $0["step"] as? String }
        #expect(decided.count == 8)
        #expect(Set(decided) == Set(events.map(\.id)))
        let secretAt = try #require(decided.firstIndex(of: "toolu_secret"))
        for (index, event) in events.enumerated() {
            let result = try #require(results.get(index))
            #expect(result.status == 0, "\(result.stderr)")
            if event.id == "toolu_secret" {
                #expect(result.stdout.isEmpty)
                continue
            }
            let position = try #require(decided.firstIndex(of: event.id))
            let denied = result.hookOutput?["permissionDecision"] as? String == "deny"
            #expect(denied == (position > secretAt), "\(event.id) at \(position), secret at \(secretAt): \(result.stdout)")
        }
        let verify = try runStepguard(["audit", "verify", project.log])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [RunResult?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: RunResult?) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> RunResult? { lock.lock(); defer { lock.unlock() }; return values[index] }
}


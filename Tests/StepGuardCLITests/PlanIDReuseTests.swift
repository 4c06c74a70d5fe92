import Foundation
import Testing

/// Reusing a plan id for different content makes a different plan (#23): `eval`, `mutate` and
/// `mint` with `--audit` refuse to record it into a log where the id already stands for
/// another plan, and record the same plan again, however it is written or decided now.
@Suite struct PlanIDReuseTests {
    typealias F = CredentialFixtures

    /// A copy of the fixture plan with `edit` applied to its JSON, under the same plan id.
    static func plan(in dir: URL, _ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: F.plan))) as? [String: Any])
        edit(&object)
        let path = dir.appendingPathComponent(name).path
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func run(_ command: String, _ plan: String, log: String, key: String) -> RunResult {
        switch command {
        case "mint":
            return runCLI(["mint", "--key", key, "--policies", F.release.path, "--plan", plan, "--step", "build", "--now", F.nowText,
                           "--audit", log, "--format", "json"])
        default:
            return runCLI([command, plan, "--policies", F.release.path, "--now", F.nowText, "--audit", log])
        }
    }

    @Test(arguments: ["eval", "mutate", "mint"])
    func anotherPlanUnderARecordedIDIsRefused(_ command: String) throws {
        let dir = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try F.key(in: dir)
        let log = dir.appendingPathComponent("audit.jsonl").path
        let first = Self.run("eval", F.plan, log: log, key: key)
        #expect(first.status == 1, "\(first.stderr)")

        // The same plan, written otherwise (the same JSON value), is the same plan.
        let reformatted = try Self.plan(in: dir, "reformatted.json") { _ in }
        let same = Self.run(command, reformatted, log: log, key: key)
        #expect(same.status != 2, "\(same.stderr)")

        // Another build under the same id is another plan: nothing is recorded or minted.
        let other = try Self.plan(in: dir, "other.json") { object in
            var steps = object["steps"] as! [[String: Any]]
            steps[0]["args"] = ["ref": "v6.0.0-rc1"]
            object["steps"] = steps
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        let refused = Self.run(command, other, log: log, key: key)
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains(#"\#(log):1: plan id "storefront-release-7.3" was decided here for other content"#), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was appended: give this plan a new plan id"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("token"), "\(refused.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)

        // Under a new id it is recorded.
        let renamed = try Self.plan(in: dir, "renamed.json") { object in
            var steps = object["steps"] as! [[String: Any]]
            steps[0]["args"] = ["ref": "v6.0.0-rc1"]
            object["steps"] = steps
            object["plan"] = "storefront-release-6.0"
        }
        #expect(Self.run(command, renamed, log: log, key: key).status != 2)
        #expect(runCLI(["audit", "verify", log]).stdout.contains("fault") == false)
    }

    /// The same plan decided otherwise (an approval released its held step) keeps its id: it is
    /// written the same.
    @Test func theSamePlanDecidedAgainIsRecorded() throws {
        let s = try ApprovalCommandTests.Scratch("freeze-window-rotation")
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        let log = s.root + "/audit.jsonl"
        let clock = ApprovalCommandTests.freezeClock
        #expect(try s.run(["eval", s.plan, "-p", s.example, "--now", clock, "--audit", log]).status == 1)
        let approved = try s.run(["approve", "-k", s.key("dana"), "--as", #"User::"dana""#, s.plan, "--step", "rotate", "-p", s.example,
                                  "--audit", log, "--now", clock])
        #expect(approved.status == 0, "\(approved.stderr)")
        let again = try s.run(["eval", s.plan, "-p", s.example, "--now", clock, "--approvals", log, "--audit", log])
        #expect(again.status != 2, "\(again.stderr)")
        #expect(again.stdout.contains("approved"), "\(again.stdout)")
        let decisions = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap { line -> [String: Any]? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["kind"] as? String == "decision" ? object : nil
        }
        #expect(Set(decisions.compactMap { $0["plan_digest"] as? String }).count == 2, "decided otherwise: \(decisions)")
        #expect(Set(decisions.compactMap { $0["plan_source_digest"] as? String }).count == 1, "written the same: \(decisions)")
    }

    /// The id of a session the gate decided is not a plan's.
    @Test func aGateSessionsIDIsNotAPlans() throws {
        let dir = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("audit.jsonl").path
        let gate = #"{"kind":"decision","plan":"storefront-release-7.3","step":"toolu_01","outcome":"allow","host":"claude-code"}"#
        #expect(runCLI(["audit", "append", log, "--now", "2027-01-15T07:00:00Z"], input: gate).status == 0)
        let refused = runCLI(["eval", F.plan, "--policies", F.release.path, "--now", F.nowText, "--audit", log])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(#"it is the id of a session the gate decided for host "claude-code""#), "\(refused.stderr)")
    }

    /// A line holding the plan id that is not a record could be the decision that states
    /// another plan: recording is refused at that line, for the same plan too, never let through.
    @Test(arguments: ["eval", "mutate", "mint"])
    func anUnreadableLineOfThePlanIsRefused(_ command: String) throws {
        let dir = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try F.key(in: dir)
        let log = dir.appendingPathComponent("audit.jsonl").path
        #expect(Self.run("eval", F.plan, log: log, key: key).status == 1)
        // Whitespace inside the first record: its bytes still hold the plan's member.
        var lines = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "\n")
        #expect(lines[0].hasPrefix("{\"") && lines[0].contains(#""plan":"storefront-release-7.3""#))
        lines[0] = "{ " + lines[0].dropFirst()
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: URL(fileURLWithPath: log))

        let refused = Self.run(command, F.plan, log: log, key: key)
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains(#"\#(log):1: a line naming plan id "storefront-release-7.3" is not a record ("#), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was appended: the log is damaged there, run 'stepguard audit verify' to locate the damage"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("token"), "\(refused.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
    }
}

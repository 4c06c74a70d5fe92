import Foundation
import Testing
@testable import StepGuardCLI

/// Decision records carry the order their plan allows (`after`; `sequential` and `index` in a
/// sequential plan), and `audit verify` holds the executions to it: a step executed before a
/// step it runs after is an `out-of-order` fault. Run over the exfiltration example's plans:
/// the sequential one (post, read, summarise in file order) and the one ordered by `needs`
/// (read, then summarise).
@Suite struct ExecutionOrderTests {
    static let example = WorkflowFixtures.root + "/policies/examples/exfiltration-chain"
    static let now = "2026-11-20T09:00:00Z"

    struct Case: CustomStringConvertible, Sendable {
        var plan: String
        var executed: [String]
        /// Each out-of-order execution: the step and the steps it came before.
        var outOfOrder: [String: [String]]
        var description: String { "\(plan): \(executed.joined(separator: ", "))" }
    }

    static let cases: [Case] = [
        Case(plan: "plan-sequential.json", executed: ["post-to-partner", "read-customer", "summarize"], outOfOrder: [:]),
        Case(plan: "plan-sequential.json", executed: ["read-customer", "post-to-partner", "summarize"],
             outOfOrder: ["read-customer": ["post-to-partner"]]),
        Case(plan: "plan-sequential.json", executed: ["summarize", "post-to-partner", "read-customer"],
             outOfOrder: ["summarize": ["read-customer"]]),
        Case(plan: "plan.json", executed: ["read-customer", "summarize"], outOfOrder: [:]),
        Case(plan: "plan.json", executed: ["summarize", "read-customer"], outOfOrder: ["summarize": ["read-customer"]]),
    ]

    /// The mint record of the credential `jti-STEP` for `step`.
    static func mint(plan: String, step: String) -> String {
        #"{"kind":"mint","plan":"\#(plan)","step":"\#(step)","jti":"jti-\#(step)","exp":"2026-11-20T10:00:00Z"}"#
    }

    @Test(arguments: cases)
    func executionsAreHeldToThePlansOrder(_ example: Case) throws {
        let (directory, log) = try AuditFixtures.newLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = Self.example + "/" + example.plan
        let decided = runCLI(["eval", plan, "--now", Self.now, "--audit", log])
        #expect(decided.stderr.hasPrefix("appended 3 records"), "\(decided.stderr)")
        let planID = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])["plan"] as! String
        for step in example.executed {
            // Each step runs with the credential minted for it, as a plan's step must.
            for event in [Self.mint(plan: planID, step: step),
                          #"{"kind":"execution","plan":"\#(planID)","step":"\#(step)","jti":"jti-\#(step)","outcome":"success"}"#] {
                #expect(AuditFixtures.append(log, event, now: Self.now).status == 0)
            }
        }

        let json = runCLI(["audit", "verify", log, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.allSatisfy { $0["kind"] as? String != "unauthorized-execution" }, "\(findings)")
        let outOfOrder = findings.filter { $0["kind"] as? String == "out-of-order" }
        #expect(outOfOrder.count == example.outOfOrder.count, "\(findings)")
        for finding in outOfOrder {
            let step = try #require(finding["step"] as? String)
            let before = try #require(example.outOfOrder[step], "\(finding)")
            #expect(finding["severity"] as? String == "fault")
            let message = try #require(finding["message"] as? String)
            #expect(message.contains("was executed before \(before.map { "\"\($0)\"" }.joined(separator: ", ")) had been"), "\(message)")
            // The decision that set the order is named.
            #expect((finding["related_line"] as? NSNumber).map { $0.intValue >= 1 && $0.intValue <= 3 } == true, "\(finding)")
        }
        #expect(json.status == (example.outOfOrder.isEmpty ? 0 : 1), "\(json.stdout)")
        if !example.outOfOrder.isEmpty {
            let text = runCLI(["audit", "verify", log])
            #expect(text.stdout.contains("fault: out-of-order:"), "\(text.stdout)")
        }
    }

    /// A held step's order comes from its decision, though its approval is what lets it run.
    @Test(arguments: [true, false])
    func anApprovedStepKeepsItsDecisionsOrder(_ prerequisiteFirst: Bool) throws {
        let (directory, log) = try AuditFixtures.newLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = [
            #"{"kind":"decision","plan":"p","step":"a","outcome":"allow"}"#,
            #"{"after":["a"],"kind":"decision","plan":"p","step":"b","outcome":"approve"}"#,
            #"{"kind":"approval","plan":"p","step":"b","outcome":"approved"}"#,
        ] + [Self.mint(plan: "p", step: "a"), Self.mint(plan: "p", step: "b")]
            + (prerequisiteFirst ? ["a", "b"] : ["b", "a"]).map { #"{"kind":"execution","plan":"p","step":"\#($0)","jti":"jti-\#($0)"}"# }
        for event in events { #expect(AuditFixtures.append(log, event, now: Self.now).status == 0) }
        let verified = runCLI(["audit", "verify", log])
        #expect(verified.status == (prerequisiteFirst ? 0 : 1), "\(verified.stdout)")
        #expect(verified.stdout.contains(#"fault: out-of-order: record 5: step "b" of plan "p" was executed before "a" had been, which its plan runs it after (decision on line 2)"#) != prerequisiteFirst,
                "\(verified.stdout)")
    }

    /// The records say what the plan allows: the steps each runs after, and in a sequential
    /// plan the marker and the step's place.
    @Test func decisionRecordsCarryTheOrder() throws {
        let (directory, log) = try AuditFixtures.newLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = runCLI(["eval", Self.example + "/plan-sequential.json", "--now", Self.now, "--audit", log])
        _ = runCLI(["eval", Self.example + "/plan.json", "--now", Self.now, "--audit", log])
        let records = try AuditFixtures.lines(log).filter { !$0.isEmpty }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        func order(_ plan: String, _ step: String) -> [String] {
            guard let record = records.first(where: { $0["plan"] as? String == plan && $0["step"] as? String == step }) else { return ["none"] }
            var parts = (record["after"] as? [String]) ?? []
            if record["sequential"] as? Bool == true { parts.append("#\((record["index"] as? NSNumber)?.intValue ?? -1)") }
            return parts
        }
        #expect(order("notify-then-read", "post-to-partner") == ["#0"])
        #expect(order("notify-then-read", "read-customer") == ["post-to-partner", "#1"])
        #expect(order("notify-then-read", "summarize") == ["read-customer", "#2"])
        #expect(order("sync-customer-case", "read-customer") == [])
        #expect(order("sync-customer-case", "summarize") == ["read-customer"])
        #expect(order("sync-customer-case", "post-to-partner") == ["summarize"])
    }
}

import Foundation
import Testing

/// The governance tier demands what it prints (docs/workflow.md "Risk and governance tier"),
/// through the real process: a strict plan mints only with an audit log and a fresh signed
/// checkpoint, for at most five minutes, and its irreversible steps wait for approval; a
/// low-risk plan mints with none of that.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct TierTests {
    typealias F = CredentialFixtures

    static func run(_ arguments: [String], input: String? = nil) throws -> RunResult {
        let binary = try #require(stepguardBinary)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        return try #require(runProcess(binary, arguments, input: input, environment: environment))
    }

    /// A policy directory where every step is permitted, a strict plan (an irreversible delete
    /// and a read) and a low-risk one (the read alone), and the issuer key.
    struct Setup {
        let dir: URL
        let key: String
        var policies: String { dir.appendingPathComponent("policies").path }
        var strict: String { dir.appendingPathComponent("strict.json").path }
        var low: String { dir.appendingPathComponent("low.json").path }
        var elevated: String { dir.appendingPathComponent("elevated.json").path }
        var log: String { dir.appendingPathComponent("audit.jsonl").path }

        init(tiers: String? = nil, permit: String = "") throws {
            dir = try F.temporaryDirectory()
            key = try F.key(in: dir)
            let policies = dir.appendingPathComponent("policies")
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            func write(_ text: String, _ name: String, in base: URL) throws {
                try text.write(to: base.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            try write(#"""
                {"actions": {
                  "repo.read": {"effect": "read", "tool": "git"},
                  "repo.push": {"effect": "write", "tool": "git"},
                  "storage.delete": {"effect": "delete", "flags": ["irreversible"], "tool": "object-store"}
                }}
                """#, "tools.json", in: policies)
            try write(#"""
                [{"uid": {"type": "Agent", "id": "spiffe://corp.example/agents/ops"}, "attrs": {}, "parents": []}]
                """#, "entities.json", in: policies)
            try write("""
                @id("ops-may-work")
                @owner("platform")
                \(permit)permit (principal, action, resource);
                """, "policies.cedar", in: policies)
            try write(#"{"mint": {"allowUnauthenticated": true}}"#, ".stepguard.json", in: policies)
            if let tiers { try write(tiers, "tiers.json", in: policies) }
            let principal = #""principal": "Agent::\"spiffe://corp.example/agents/ops\"""#
            try write("""
                {"plan": "cleanup", "owner": "ops", "intent": "clean up", \(principal),
                 "steps": [{"id": "read", "action": "repo.read", "resource": "Repo::\\"api\\""},
                           {"id": "drop", "action": "storage.delete", "resource": "Bucket::\\"scratch\\""}]}
                """, "strict.json", in: dir)
            try write("""
                {"plan": "look", "owner": "ops", "intent": "look", \(principal),
                 "steps": [{"id": "read", "action": "repo.read", "resource": "Repo::\\"api\\""}]}
                """, "low.json", in: dir)
            try write("""
                {"plan": "push", "owner": "ops", "intent": "push", \(principal),
                 "steps": [{"id": "push", "action": "repo.push", "resource": "Repo::\\"api\\""}]}
                """, "elevated.json", in: dir)
        }

        /// `tiers.json` trusting the fixture issuer key for checkpoints, at most 15 minutes stale.
        static var trustingIssuer: String {
            #"{"tiers": {"strict": {"checkpoint": {"max_age": "15m", "keys": ["\#(F.publicKey)"]}}}}"#
        }

        func mint(_ plan: String, step: String, at time: String, _ extra: [String] = []) throws -> RunResult {
            try TierTests.run(["mint", "-k", key, "--plan", plan, "--step", step, "-p", policies, "--now", time] + extra)
        }

        func json(_ result: RunResult) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        }

        /// The status of demand `id` in a JSON report's `tier`.
        func requirement(_ id: String, in object: [String: Any]) throws -> [String: Any] {
            let tier = try #require(object["tier"] as? [String: Any])
            let list = try #require(tier["requirements"] as? [[String: Any]])
            return try #require(list.first { $0["id"] as? String == id }, "no \(id) in \(list)")
        }
    }

    @Test func aStrictPlanRefusesToMintWithoutAnAuditLog() throws {
        let setup = try Setup(tiers: Setup.trustingIssuer)
        let result = try setup.mint(setup.strict, step: "read", at: "2026-12-01T10:00:00Z", ["--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("nothing minted: the strict tier"), "\(result.stderr)")
        #expect(result.stderr.contains("audit_log: not met"), "\(result.stderr)")
        let object = try setup.json(result)
        #expect(object["minted"] as? Bool == false)
        #expect((object["tier"] as? [String: Any])?["name"] as? String == "strict")
        #expect(try setup.requirement("audit_log", in: object)["met"] as? Bool == false)
    }

    @Test func aStrictPlanRefusesWithAMissingOrStaleCheckpoint() throws {
        let setup = try Setup(tiers: Setup.trustingIssuer)
        // Records, but no checkpoint yet.
        #expect(try Self.run(["eval", setup.low, "-p", setup.policies, "--audit", setup.log, "--now", "2026-12-01T10:00:00Z"]).status == 0)
        let missing = try setup.mint(setup.strict, step: "read", at: "2026-12-01T10:01:00Z", ["--audit", setup.log])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no checkpoint signed by a key tiers.json trusts matches the log"), "\(missing.stderr)")

        // Signed, then a record the checkpoint does not cover, an hour before minting.
        #expect(try Self.run(["audit", "checkpoint", setup.log, "-k", setup.key]).status == 0)
        #expect(try Self.run(["eval", setup.low, "-p", setup.policies, "--audit", setup.log, "--now", "2026-12-01T10:02:00Z"]).status == 0)
        let stale = try setup.mint(setup.strict, step: "read", at: "2026-12-01T11:02:00Z", ["--audit", setup.log, "--format", "json"])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("checkpoint: not met"), "\(stale.stderr)")
        #expect(stale.stderr.contains("unsigned record is 1h old"), "\(stale.stderr)")
        #expect(try setup.requirement("checkpoint", in: try setup.json(stale))["met"] as? Bool == false)

        // A fresh checkpoint: minted, the lifetime capped to the tier's five minutes.
        #expect(try Self.run(["audit", "checkpoint", setup.log, "-k", setup.key]).status == 0)
        let minted = try setup.mint(
            setup.strict, step: "read", at: "2026-12-01T11:03:00Z", ["--audit", setup.log, "--ttl", "30m", "--format", "json"])
        #expect(minted.status == 0, "\(minted.stderr)")
        #expect(minted.stderr.contains("capped to 5m by the strict tier"), "\(minted.stderr)")
        let object = try setup.json(minted)
        #expect(object["ttl"] as? Int == 300)
        #expect(object["capped_by"] as? String == "tier")
        for id in ["audit_log", "checkpoint", "max_ttl", "hold"] {
            #expect(try setup.requirement(id, in: object)["met"] as? Bool == true, "\(id)")
        }
    }

    @Test func anElevatedPlanMintsOnlyWithAnAuditLogAndNothingMore() throws {
        let setup = try Setup()
        let refused = try setup.mint(setup.elevated, step: "push", at: "2026-12-01T10:00:00Z", ["--format", "json"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("nothing minted: the elevated tier (shipped defaults) is not satisfied: audit_log"), "\(refused.stderr)")
        #expect(try setup.requirement("audit_log", in: try setup.json(refused))["met"] as? Bool == false)
        // No checkpoint, and the lifetime asked for: the elevated tier demands neither.
        let minted = try setup.mint(setup.elevated, step: "push", at: "2026-12-01T10:00:00Z", ["--audit", setup.log, "--ttl", "30m", "--format", "json"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let object = try setup.json(minted)
        #expect(object["ttl"] as? Int == 1800)
        let tier = try #require(object["tier"] as? [String: Any])
        #expect(tier["name"] as? String == "elevated")
        #expect((tier["requirements"] as? [[String: Any]])?.map { $0["id"] as? String } == ["audit_log"])
        let shown = try Self.run(["audit", "show", setup.log])
        #expect(shown.stdout.hasPrefix("plan \"push\"  tier elevated: 1 demand, 1 met\n  audit_log: met - "), "\(shown.stdout)")
    }

    @Test func theShippedDefaultsTrustTheIssuerKeyForCheckpoints() throws {
        // No tiers.json: the strict tier's checkpoint must be signed by the key mint signs with.
        let setup = try Setup()
        let log = ["--audit", setup.log, "--format", "json"]
        #expect(try Self.run(["eval", setup.low, "-p", setup.policies, "--audit", setup.log, "--now", "2026-12-01T10:00:00Z"]).status == 0)
        let unsigned = "no checkpoint signed by the issuer key (mint --key) matches the log"
        let missing = try setup.mint(setup.strict, step: "read", at: "2026-12-01T10:01:00Z", log)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains(unsigned), "\(missing.stderr)")
        #expect(try setup.requirement("checkpoint", in: try setup.json(missing))["met"] as? Bool == false)

        // A checkpoint signed by another key is not one the tier trusts: as for audit verify
        // --key, the log beside it does not verify.
        let other = try F.key("other.key", in: setup.dir)
        #expect(try Self.run(["audit", "checkpoint", setup.log, "-k", other]).status == 0)
        let wrong = try setup.mint(setup.strict, step: "read", at: "2026-12-01T10:02:00Z", log)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("is not signed by any trusted key"), "\(wrong.stderr)")
        #expect(try setup.requirement("checkpoint", in: try setup.json(wrong))["met"] as? Bool == false)

        // Signed by the issuer key: minted, with nothing in the policy directory edited.
        try FileManager.default.removeItem(atPath: setup.log + ".checkpoints")
        #expect(try Self.run(["audit", "checkpoint", setup.log, "-k", setup.key]).status == 0)
        let minted = try setup.mint(setup.strict, step: "read", at: "2026-12-01T10:03:00Z", log)
        #expect(minted.status == 0, "\(minted.stderr)")
        let checkpoint = try setup.requirement("checkpoint", in: try setup.json(minted))
        #expect(checkpoint["met"] as? Bool == true)
        #expect((checkpoint["detail"] as? String)?.hasSuffix("signed by the issuer key (mint --key) covers the whole log") == true, "\(checkpoint)")

        // The records of that mint, an hour later, are past the checkpoint's age.
        let stale = try setup.mint(setup.strict, step: "read", at: "2026-12-01T11:04:00Z", log)
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("checkpoint: not met"), "\(stale.stderr)")
        #expect(try setup.requirement("checkpoint", in: try setup.json(stale))["met"] as? Bool == false)

        // A log whose first record was altered under its checkpoint does not count as signed.
        #expect(try Self.run(["audit", "checkpoint", setup.log, "-k", setup.key]).status == 0)
        var lines = try String(contentsOfFile: setup.log, encoding: .utf8).components(separatedBy: "\n")
        lines[0] = lines[0].replacingOccurrences(of: "\"outcome\":\"allow\"", with: "\"outcome\":\"allox\"")
        try lines.joined(separator: "\n").write(toFile: setup.log, atomically: true, encoding: .utf8)
        let altered = try setup.mint(setup.strict, step: "read", at: "2026-12-01T11:05:00Z", log)
        #expect(altered.status == 1)
        #expect(altered.stderr.contains("the audit log does not verify"), "\(altered.stderr)")
    }

    @Test func auditShowStatesEachDemandAsTheRecordsFoundIt() throws {
        let setup = try Setup()
        #expect(try Self.run(["eval", setup.strict, "-p", setup.policies, "--audit", setup.log, "--now", "2026-12-01T10:00:00Z"]).status == 1)
        let refused = try setup.mint(setup.strict, step: "read", at: "2026-12-01T10:01:00Z", ["--audit", setup.log])
        #expect(refused.status == 1)
        #expect(try Self.run(["audit", "checkpoint", setup.log, "-k", setup.key]).status == 0)
        let minted = try setup.mint(setup.strict, step: "read", at: "2026-12-01T10:02:00Z", ["--audit", setup.log, "--ttl", "30m", "--format", "json"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let jti = try #require((try setup.json(minted)["claims"] as? [String: Any])?["jti"] as? String)

        let text = try Self.run(["audit", "show", setup.log])
        #expect(text.status == 0, "\(text.stderr)")
        try F.expectGolden(F.masked(text.stdout, [(jti, "JTI")]), "audit-show-tier.txt")
        let json = try Self.run(["audit", "show", setup.log, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        try F.expectGolden(F.masked(json.stdout, [(jti, "JTI")]), "audit-show-tier.json")
        let plan = try #require((try setup.json(json)["plans"] as? [[String: Any]])?.first)
        #expect(plan["tier"] as? String == "strict")
        let demands = try #require(plan["demands"] as? [[String: Any]])
        #expect(demands.map { $0["id"] as? String } == ["audit_log", "checkpoint", "max_ttl", "hold"])
        // The latest record that checked each demand: the mint, not the eval or the refusal.
        #expect(demands.allSatisfy { $0["met"] as? Bool == true }, "\(demands)")
        #expect(demands.first { $0["id"] as? String == "max_ttl" }?["detail"] as? String == "requested 30m, granted 5m")
    }

    @Test func auditShowReadsNothingAsMetThatNoRecordSays() throws {
        let setup = try Setup()
        // Records naming the tier but no demands (as the gate writes), then a malformed list.
        for event in [
            #"{"kind":"decision","plan":"s","step":"a","outcome":"allow","tier":"strict"}"#,
            #"{"kind":"decision","plan":"t","step":"a","outcome":"allow","tier":"strict","demands":[{"id":"checkpoint","demand":"d","met":"yes","detail":"x"}]}"#,
        ] {
            let appended = try Self.run(["audit", "append", setup.log], input: event)
            #expect(appended.status == 0, "\(appended.stderr)")
        }
        let text = try Self.run(["audit", "show", setup.log])
        #expect(text.stdout.contains("plan \"s\"  tier strict (its demands are not recorded)"), "\(text.stdout)")
        #expect(text.stdout.contains("plan \"t\"  tier strict (its demands are not recorded)"), "\(text.stdout)")
        let plans = try #require(try setup.json(try Self.run(["audit", "show", setup.log, "--format", "json"]))["plans"] as? [[String: Any]])
        #expect(plans.count == 2)
        #expect(plans.allSatisfy { $0["demands"] is NSNull }, "\(plans)")
    }

    @Test func aStrictPlanHoldsAnIrreversibleStepThePoliciesPermit() throws {
        let setup = try Setup(tiers: Setup.trustingIssuer)
        let eval = try Self.run(["eval", setup.strict, "-p", setup.policies, "--now", "2026-12-01T10:00:00Z"])
        #expect(eval.status == 1)
        #expect(eval.stdout.contains("the strict tier holds \"irreversible\" actions for approval"), "\(eval.stdout)")
        #expect(eval.stdout.contains("held for approval by \"approvers\": \"drop\""), "\(eval.stdout)")
        let minted = try setup.mint(setup.strict, step: "drop", at: "2026-12-01T10:00:00Z", ["--audit", setup.log])
        #expect(minted.status == 1)
        #expect(minted.stderr.contains("nothing minted: step \"drop\" is approve"), "\(minted.stderr)")
        #expect(minted.stdout.isEmpty)

        // A permit that releases the flag explicitly lets the step run.
        let released = try Setup(tiers: Setup.trustingIssuer, permit: "@release(\"irreversible\")\n")
        let again = try Self.run(["eval", released.strict, "-p", released.policies, "--now", "2026-12-01T10:00:00Z", "--format", "json"])
        #expect(again.status == 0, "\(again.stdout)")
    }

    @Test func aLowTierPlanMintsWithNoneOfThat() throws {
        let setup = try Setup(tiers: Setup.trustingIssuer)
        let minted = try setup.mint(setup.low, step: "read", at: "2026-12-01T10:00:00Z", ["--ttl", "30m", "--format", "json"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let object = try setup.json(minted)
        #expect(object["ttl"] as? Int == 1800)
        let tier = try #require(object["tier"] as? [String: Any])
        #expect(tier["name"] as? String == "standard")
        #expect((tier["requirements"] as? [Any])?.isEmpty == true)
    }

    @Test func aWeakenedTierWithoutAReasonIsLinted() throws {
        let setup = try Setup(tiers: #"{"tiers": {"strict": {"max_ttl": "1h", "checkpoint": null}}}"#)
        let lint = try Self.run(["lint", setup.policies])
        #expect(lint.stdout.contains("[SG217]"), "\(lint.stdout)")
        #expect(lint.stdout.contains("no signed checkpoint required"), "\(lint.stdout)")
        let broken = try Setup(tiers: #"{"tiers": {"strcit": {}}}"#)
        let eval = try Self.run(["eval", broken.low, "-p", broken.policies])
        #expect(eval.status == 2)
        #expect(eval.stderr.contains("unknown tier \"strcit\"; did you mean \"strict\"?"), "\(eval.stderr)")
    }
}

/// A step a policy holds (`@approve`) whose action the strict tier holds too waits for the
/// tier's group as well: the policy's approvers alone do not release it, unless the tier's
/// group is the policy's (docs/workflow.md, "A step a policy holds as well").
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct TierAndPolicyHoldTests {
    typealias S = ApprovalCommandTests.Scratch

    /// The freeze-window example with `secret.rotate` privileged (so the strict tier holds it)
    /// and erin moved from the on-call group to `holdGroup`'s, when that is another group.
    static func scratch(holdGroup: String?) throws -> S {
        let s = try S("freeze-window-rotation")
        try s.edit("tools.json") { text in
            // The first action listed is secret.rotate.
            var text = text
            if let flags = text.range(of: #""flags": ["secret"]"#) { text.replaceSubrange(flags, with: #""flags": ["secret", "privileged"]"#) }
            return text
        }
        let group = holdGroup ?? "approvers"
        if group != "security-oncall" {
            let path = s.example + "/entities.json"
            var entities = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]])
            for index in entities.indices where (entities[index]["uid"] as? [String: String])?["id"] == "erin" {
                entities[index]["parents"] = [["type": "Group", "id": group]]
            }
            entities.append(["uid": ["type": "Group", "id": group], "attrs": [String: Any](), "parents": [Any]()])
            try JSONSerialization.data(withJSONObject: entities).write(to: URL(fileURLWithPath: path))
        }
        if let holdGroup {
            try #"{"tiers": {"strict": {"audit_log": false, "checkpoint": null, "hold": {"group": "\#(holdGroup)"}, "reason": "tests"}, "elevated": {"audit_log": false, "reason": "tests"}}}"#
                .write(toFile: s.example + "/tiers.json", atomically: true, encoding: .utf8)
        }
        return s
    }

    @Test func thePolicysApproversAloneDoNotReleaseWhatTheTierHolds() throws {
        let s = try Self.scratch(holdGroup: nil)
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        let clock = ApprovalCommandTests.freezeClock
        var eval = try s.run(["eval", s.plan, "-p", s.example, "--now", clock, "--format", "json"])
        let step = try #require(((try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])?["steps"] as? [[String: Any]])?
            .first { $0["id"] as? String == "rotate" }, "\(eval.stdout)")
        #expect(step["outcome"] as? String == "approve")
        let approval = try #require(step["approval"] as? [String: Any])
        #expect(approval["groups"] as? [String] == ["security-oncall", "approvers"], "\(step)")
        #expect(approval["tier_hold"] as? [String] == ["privileged"], "\(step)")
        #expect((step["reason"] as? String)?.contains(#"the strict tier holds "privileged" actions for approval by "approvers""#) == true, "\(step)")

        let oncall = try s.approve(#"User::"dana""#, key: "dana", step: "rotate", now: clock, extra: ["--group", "security-oncall"])
        #expect(oncall.status == 0, "\(oncall.stderr)")
        eval = try s.eval(now: clock)
        #expect(ApprovalCommandTests.outcome(eval.stdout, "rotate") == "approve", "\(eval.stdout)")
        #expect(eval.stdout.contains(#""approvers" has 0 of 1 approval"#), "\(eval.stdout)")

        let tier = try s.approve(#"User::"erin""#, key: "erin", step: "rotate", now: clock, extra: ["--group", "approvers"])
        #expect(tier.status == 0, "\(tier.stderr)")
        eval = try s.eval(now: clock)
        #expect(ApprovalCommandTests.outcome(eval.stdout, "rotate") == "approved", "\(eval.stdout)")
    }

    @Test func theTiersGroupAskedByThePolicyApprovesOnce() throws {
        let s = try Self.scratch(holdGroup: "security-oncall")
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        let clock = ApprovalCommandTests.freezeClock
        let approved = try s.approve(#"User::"dana""#, key: "dana", step: "rotate", now: clock)
        #expect(approved.status == 0, "\(approved.stderr)")
        let eval = try s.eval(now: clock)
        #expect(ApprovalCommandTests.outcome(eval.stdout, "rotate") == "approved", "\(eval.stdout)")
    }
}

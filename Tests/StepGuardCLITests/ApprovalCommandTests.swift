import Foundation
import Testing

/// `stepguard approve` and `--approvals` through the binary, over copies of the release-pipeline
/// (quorum 2) and freeze-window-rotation (quorum 1) examples and their test keys.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct ApprovalCommandTests {
    static let examples = Repository.root.appendingPathComponent("policies/examples")
    static let releaseClock = "2026-11-20T09:00:00Z"
    static let freezeClock = "2026-12-24T10:00:00Z"

    /// A scratch copy of an example (`ex/`), its test keys made private, and mint allowed
    /// without an identity token.
    struct Scratch {
        let root: String
        var example: String { root + "/ex" }
        var plan: String { example + "/plan.json" }
        var approvals: String { root + "/approvals" }

        init(_ name: String) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("sg-approve-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: ApprovalCommandTests.examples.appendingPathComponent(name).path, toPath: root + "/ex")
            // Signed approvals shipped with the example would count in eval; each test signs its own.
            try? FileManager.default.removeItem(atPath: root + "/ex/approvals")
            for file in try FileManager.default.contentsOfDirectory(atPath: root + "/ex/approvers") where file.hasSuffix(".key") {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: root + "/ex/approvers/" + file)
            }
            try #"{"mint": {"allowUnauthenticated": true}}"#.write(toFile: root + "/ex/.stepguard.json", atomically: true, encoding: .utf8)
            try CredentialFixtures.relaxTiers(inExample: root + "/ex", because: "approval tests mint without a log")
        }

        func key(_ name: String) -> String { example + "/approvers/TEST-ONLY-\(name).key" }

        func run(_ arguments: [String]) throws -> RunResult {
            let binary = try #require(stepguardBinary)
            return try #require(runProcess(binary, arguments, environment: ["NO_COLOR": "1", "COLUMNS": "400"]))
        }

        /// `approve` as `entity` with `keyName`'s key, into the approvals directory.
        func approve(_ entity: String, key keyName: String, step: String, now: String, extra: [String] = []) throws -> RunResult {
            try run(["approve", "-k", key(keyName), "--as", entity, plan, "--step", step, "-p", example, "--out", approvals, "--now", now] + extra)
        }

        func eval(now: String, approvals given: String? = nil, format: String = "text") throws -> RunResult {
            try run(["eval", plan, "-p", example, "--now", now, "--approvals", given ?? approvals, "--format", format])
        }

        func edit(_ relative: String, _ change: (String) -> String) throws {
            let path = example + "/" + relative
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let changed = change(text)
            #expect(changed != text, "the edit of \(relative) changed nothing")
            try changed.write(toFile: path, atomically: true, encoding: .utf8)
        }

        /// The only approval file, as JSON text.
        func approvalFile() throws -> String {
            let files = try FileManager.default.contentsOfDirectory(atPath: approvals).filter { $0.hasSuffix(".json") }
            #expect(files.count == 1)
            return approvals + "/" + files[0]
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    /// The outcome column of `step` in eval's table.
    static func outcome(_ table: String, _ step: String) -> String? {
        for line in table.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.first.map(String.init) == step, words.count > 3 { return String(words[3]) }
        }
        return nil
    }

    @Test func heldThenQuorumOfTwoThenApprovedThenMinted() throws {
        let s = try Scratch("release-pipeline")
        defer { s.remove() }
        let step = "rotate-signing-key"
        var eval = try s.run(["eval", s.plan, "-p", s.example, "--now", Self.releaseClock])
        #expect(Self.outcome(eval.stdout, step) == "approve")

        let list = try s.run(["approve", "--list", s.plan, "-p", s.example, "--now", Self.releaseClock])
        #expect(list.status == 0)
        #expect(list.stdout.contains(#"security-oncall  2       0        User::"alice", User::"bob""#))

        let first = try s.approve(#"User::"alice""#, key: "alice", step: step, now: Self.releaseClock, extra: ["--note", "CHG-20417"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(#"approved step "rotate-signing-key" of plan "storefront-release-7.3" as User::"alice" for "security-oncall""#))
        eval = try s.eval(now: Self.releaseClock)
        #expect(Self.outcome(eval.stdout, step) == "approve")
        #expect(eval.stdout.contains(#"quorum not met: "security-oncall" has 1 of 2 approvals"#))
        #expect(Self.outcome(eval.stdout, "sign-artifacts") == "blocked")
        var mint = try s.run(["mint", "-k", s.key("alice"), "--plan", s.plan, "--step", step, "-p", s.example, "--now", Self.releaseClock,
                              "--approvals", s.approvals])
        #expect(mint.status == 1)
        #expect(mint.stderr.contains("nothing minted"))

        let second = try s.approve(#"User::"bob""#, key: "bob", step: step, now: Self.releaseClock)
        #expect(second.status == 0, "\(second.stderr)")
        eval = try s.eval(now: Self.releaseClock)
        #expect(Self.outcome(eval.stdout, step) == "approved")
        #expect(Self.outcome(eval.stdout, "sign-artifacts") == "allow")
        #expect(eval.stdout.contains("1 approved"))

        _ = try s.run(["keygen", "--out", s.root + "/issuer"])
        mint = try s.run(["mint", "-k", s.root + "/issuer.key", "--plan", s.plan, "--step", step, "-p", s.example,
                          "--now", Self.releaseClock, "--approvals", s.approvals, "--format", "json"])
        #expect(mint.status == 0, "\(mint.stderr)")
        let ids = try FileManager.default.contentsOfDirectory(atPath: s.approvals).map { String($0.dropLast(".json".count)) }.sorted()
        #expect(ids.count == 2)
        for id in ids { #expect(mint.stdout.contains("\"\(id)\"")) }
        #expect(mint.stdout.contains(#""approvals": ["#))
        #expect(mint.stdout.contains(#""outcome": "approved""#))
    }

    @Test func heldThenRejected() throws {
        let s = try Scratch("freeze-window-rotation")
        defer { s.remove() }
        let reject = try s.approve(#"User::"erin""#, key: "erin", step: "rotate", now: Self.freezeClock, extra: ["--reject", "--note", "after the freeze"])
        #expect(reject.status == 0, "\(reject.stderr)")
        #expect(reject.stdout.hasPrefix(#"rejected step "rotate""#))
        let eval = try s.eval(now: Self.freezeClock)
        #expect(eval.status == 1)
        #expect(Self.outcome(eval.stdout, "rotate") == "deny")
        #expect(eval.stdout.contains(#"rejected by User::"erin" (security-oncall)"#))
        #expect(Self.outcome(eval.stdout, "verify-rotation") == "blocked")
        // One valid rejection rejects, whatever approves.
        let approve = try s.approve(#"User::"dana""#, key: "dana", step: "rotate", now: Self.freezeClock)
        #expect(approve.status == 0)
        #expect(Self.outcome(try s.eval(now: Self.freezeClock).stdout, "rotate") == "deny")
    }

    /// Refused before anything is signed (exit 1, nothing written).
    @Test(arguments: [
        (#"Agent::"keeper""#, "keeper", "self_approval", #"Agent::"keeper" asked for the step and cannot approve it"#),
        (#"User::"dana""#, "erin", "unknown_key", #"--key is not User::"dana"'s approval key"#),
        (#"User::"frank""#, "dana", "unknown_key", #"User::"frank" is not in entities.json"#),
    ])
    func approveRefuses(entity: String, key: String, problem: String, message: String) throws {
        let s = try Scratch("freeze-window-rotation")
        defer { s.remove() }
        let result = try s.approve(entity, key: key, step: "rotate", now: Self.freezeClock)
        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing signed (\(problem))"), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.approvals))
    }

    @Test func approveRefusesByGroupAndPolicy() throws {
        let s = try Scratch("release-pipeline")
        defer { s.remove() }
        let step = "rotate-signing-key"
        let carol = try s.approve(#"User::"carol""#, key: "carol", step: step, now: Self.releaseClock)
        #expect(carol.status == 1)
        #expect(carol.stderr.contains(#"nothing signed (not_in_group): User::"carol" may not approve step "rotate-signing-key": User::"carol" is not in Group::"security-oncall""#))
        let bot = try s.approve(#"Agent::"oncall-bot""#, key: "oncall-bot", step: step, now: Self.releaseClock)
        #expect(bot.status == 1)
        #expect(bot.stderr.contains("nothing signed (not_permitted)"))
        #expect(bot.stderr.contains(#"("no-agent-approves")"#))
        let own = try s.approve(#"Agent::"release-bot""#, key: "release-bot", step: step, now: Self.releaseClock)
        #expect(own.status == 1)
        #expect(own.stderr.contains("nothing signed (self_approval)"))
        let notHeld = try s.approve(#"User::"alice""#, key: "alice", step: "build", now: Self.releaseClock)
        #expect(notHeld.status == 2)
        #expect(notHeld.stderr.contains(#"step "build" is not held for approval (its outcome is allow)"#))
    }

    /// An approval that does not count: the step stays held, and a warning names the case.
    enum Spoil: String, CaseIterable, Sendable {
        case badSignature = "bad_signature", unknownKey = "unknown_key", notInGroup = "not_in_group"
        case notPermitted = "not_permitted", selfApproval = "self_approval", expired, alteredStep = "altered_step"
        case planMismatch = "plan_mismatch"
    }

    /// Rewrites dana's entity in the example's entities.json.
    static func editDana(_ s: Scratch, _ change: (inout [String: Any]) -> Void) throws {
        let path = s.example + "/entities.json"
        var entities = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]])
        let index = try #require(entities.firstIndex { ($0["uid"] as? [String: String]) == ["type": "User", "id": "dana"] })
        change(&entities[index])
        try JSONSerialization.data(withJSONObject: entities).write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: Spoil.allCases)
    func approvalThatDoesNotCount(_ spoil: Spoil) throws {
        let s = try Scratch("freeze-window-rotation")
        defer { s.remove() }
        let signed = try s.approve(#"User::"dana""#, key: "dana", step: "rotate", now: Self.freezeClock)
        #expect(signed.status == 0, "\(signed.stderr)")
        var now = Self.freezeClock
        let message: String
        switch spoil {
        case .badSignature:
            let file = try s.approvalFile()
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try text.replacingOccurrences(of: #""note": """#, with: #""note": "approved twice""#).write(toFile: file, atomically: true, encoding: .utf8)
            message = #"the signature does not verify under User::"dana"'s approval key"#
        case .unknownKey:
            let erin = try String(contentsOfFile: s.example + "/approvers/TEST-ONLY-erin.pub", encoding: .utf8)
            try Self.editDana(s) { $0["attrs"] = ["approval_key": erin] }
            message = #"not by User::"dana"'s approval key"#
        case .notInGroup:
            try Self.editDana(s) { $0["parents"] = [] }
            message = #"User::"dana" is not in Group::"security-oncall""#
        case .notPermitted:
            try """
                @id("dana-is-on-leave")
                forbid (principal == User::"dana", action == Action::"stepguard.approve", resource);
                """.write(toFile: s.example + "/zz-leave.cedar", atomically: true, encoding: .utf8)
            message = #"("dana-is-on-leave")"#
        case .selfApproval:
            // Dana runs the plan herself: the same step (the principal is the plan's), now hers.
            try Self.editDana(s) { $0["parents"] = [["type": "Group", "id": "security-oncall"], ["type": "Group", "id": "ops-agents"]] }
            try s.edit("plan.json") { $0.replacingOccurrences(of: #""principal": "Agent::\"keeper\"""#, with: #""principal": "User::\"dana\"""#) }
            message = #"User::"dana" asked for the step and cannot approve it"#
        case .expired:
            now = "2026-12-25T10:00:00Z"
            message = "it expired at 2026-12-25T10:00:00Z"
        case .alteredStep:
            try s.edit("plan.json") { $0.replacingOccurrences(of: #""length": 40"#, with: #""length": 8"#) }
            message = "the step changed after it was approved"
        case .planMismatch:
            try s.edit("plan.json") { $0.replacingOccurrences(of: #""plan": "rotate-payments-db-password""#, with: #""plan": "rotate-payments-db-password-again""#) }
            message = #"it approves this step in plan "rotate-payments-db-password", not in plan "rotate-payments-db-password-again""#
        }
        let eval = try s.eval(now: now)
        #expect(eval.status == 1)
        #expect(Self.outcome(eval.stdout, "rotate") == "approve", "\(eval.stdout)")
        #expect(eval.stdout.contains("awaiting approval"), "\(eval.stdout)")
        #expect(eval.stderr.contains("does not count (\(spoil.rawValue)): "), "\(eval.stderr)")
        #expect(eval.stderr.contains(message), "\(eval.stderr)")
        let json = try s.eval(now: now, format: "json")
        #expect(json.stdout.contains(#""problem": "\#(spoil.rawValue)""#))
    }

    @Test func approvalsFromTheAuditLogAndTheRewrittenPlan() throws {
        let s = try Scratch("freeze-window-rotation")
        defer { s.remove() }
        let log = s.root + "/audit.jsonl"
        // The checkpoint mutate writes is approved as the step it holds.
        let rewritten = s.root + "/rewritten.json"
        let mutate = try s.run(["mutate", s.plan, "-p", s.example, "--now", Self.freezeClock, "-o", rewritten])
        #expect(mutate.status == 1)
        #expect(try String(contentsOfFile: rewritten, encoding: .utf8).contains("stepguard.approval"))
        let signed = try s.run(["approve", "-k", s.key("dana"), "--as", #"User::"dana""#, rewritten, "--step", "rotate", "-p", s.example,
                                "--audit", log, "--now", Self.freezeClock])
        #expect(signed.status == 0, "\(signed.stderr)")
        let record = try String(contentsOfFile: log, encoding: .utf8)
        #expect(record.contains(#""kind":"approval""#) && record.contains(#""signature":"#) && record.contains(#""outcome":"approved""#))
        // The log releases the step of both the plan and its rewrite.
        var eval = try s.eval(now: Self.freezeClock, approvals: log)
        #expect(Self.outcome(eval.stdout, "rotate") == "approved", "\(eval.stdout)\(eval.stderr)")
        eval = try s.run(["eval", rewritten, "-p", s.example, "--now", Self.freezeClock, "--approvals", log])
        #expect(Self.outcome(eval.stdout, "rotate") == "approved", "\(eval.stdout)\(eval.stderr)")
        // mutate drops the checkpoint of an approved step: the step itself runs.
        let again = s.root + "/again.json"
        _ = try s.run(["mutate", s.plan, "-p", s.example, "--now", Self.freezeClock, "--approvals", log, "-o", again])
        let text = try String(contentsOfFile: again, encoding: .utf8)
        #expect(!text.contains("stepguard.approval"))
        #expect(text.contains(#""action": "secret.rotate""#))
    }

    /// The task is over: every credential minted for the plan is revoked, and a later use of
    /// one is a fault in the log.
    @Test func revokeEveryCredentialOfAPlanAtTaskEnd() throws {
        let s = try Scratch("release-pipeline")
        defer { s.remove() }
        let log = s.root + "/audit.jsonl", revoked = s.root + "/revoked.txt"
        _ = try s.run(["keygen", "--out", s.root + "/issuer"])
        var jtis: [String] = []
        for step in ["build", "announce"] {
            let mint = try s.run(["mint", "-k", s.root + "/issuer.key", "--plan", s.plan, "--step", step, "-p", s.example, "--audit", log,
                                  "--format", "json"])
            #expect(mint.status == 0, "\(mint.stderr)")
            let document = try #require(JSONSerialization.jsonObject(with: Data(mint.stdout.utf8)) as? [String: Any])
            jtis.append(try #require((document["claims"] as? [String: Any])?["jti"] as? String))
        }
        let revoke = try s.run(["token", "revoke", "--plan", "storefront-release-7.3", "--log", log, "--revoked", revoked])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(revoke.stdout == "revoked 2 credentials of plan \"storefront-release-7.3\" in \(revoked)\n")
        #expect(Set(try String(contentsOfFile: revoked, encoding: .utf8).split(separator: "\n").map(String.init)) == Set(jtis))
        let again = try s.run(["token", "revoke", "--session", "storefront-release-7.3", "--log", log, "--revoked", revoked])
        #expect(again.stdout.contains("revoked 0 credentials of plan \"storefront-release-7.3\" in \(revoked) (2 already revoked)"))
        let usage = try s.run(["token", "revoke", "--plan", "storefront-release-7.3", "--revoked", revoked])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--plan needs --log LOG"))

        let event = #"{"kind":"execution","plan":"storefront-release-7.3","step":"build","jti":"\#(jtis[0])"}"#
        let binary = try #require(stepguardBinary)
        let appended = try #require(runProcess(binary, ["audit", "append", log], input: event))
        #expect(appended.status == 0, "\(appended.stderr)")
        let verify = try s.run(["audit", "verify", log])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("fault: revoked-credential: record"), "\(verify.stdout)")
        #expect(verify.stdout.contains("credential \"\(jtis[0])\" used after its revocation"))
    }

    /// `eval --approvals --audit` records the approval that released a held step, then the
    /// decision that it runs `approved`: the step's execution verifies, with and without
    /// `--policies`.
    @Test func aStepReleasedByEvalVerifies() throws {
        let s = try Scratch("freeze-window-rotation")
        defer { s.remove() }
        let binary = try #require(stepguardBinary)
        let signed = try s.approve(#"User::"dana""#, key: "dana", step: "rotate", now: Self.freezeClock)
        #expect(signed.status == 0, "\(signed.stderr)")
        let log = s.root + "/audit.jsonl"
        let eval = try s.run(["eval", s.plan, "-p", s.example, "--now", Self.freezeClock, "--approvals", s.approvals, "--audit", log])
        #expect(Self.outcome(eval.stdout, "rotate") == "approved", "\(eval.stdout)\(eval.stderr)")
        let records = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(records.first?.contains(#""kind":"approval""#) == true && records.dropFirst().first?.contains(#""outcome":"approved""#) == true)
        let ran = #"{"kind":"mint","plan":"rotate-payments-db-password","step":"rotate","jti":"jti-rotate","exp":"2026-12-24T11:00:00Z"}"#
            + "\n" + #"{"kind":"execution","plan":"rotate-payments-db-password","step":"rotate","jti":"jti-rotate"}"#
        let appended = try #require(runProcess(binary, ["audit", "append", log, "--now", "2026-12-24T10:05:00Z"], input: ran))
        #expect(appended.status == 0, "\(appended.stderr)")
        for extra in [[], ["--policies", s.example]] {
            let verify = try s.run(["audit", "verify", log] + extra)
            #expect(verify.status == 0, "\(extra): \(verify.stdout)")
        }
    }

    /// `audit verify --policies`: a signed approval before the execution of a held step keeps the
    /// log intact; an unsigned approval record, which the joins alone accept, is a fault.
    @Test func auditVerifyChecksApprovalsOfHeldSteps() throws {
        let s = try Scratch("freeze-window-rotation")
        defer { s.remove() }
        let binary = try #require(stepguardBinary)
        // The step runs with a credential minted for it once released.
        let execution = #"{"kind":"mint","plan":"rotate-payments-db-password","step":"rotate","jti":"jti-rotate","exp":"2026-12-24T11:00:00Z"}"#
            + "\n" + #"{"kind":"execution","plan":"rotate-payments-db-password","step":"rotate","jti":"jti-rotate"}"#
        func append(_ log: String, _ event: String) throws {
            let result = try #require(runProcess(binary, ["audit", "append", log, "--now", "2026-12-24T10:05:00Z"], input: event))
            #expect(result.status == 0, "\(result.stderr)")
        }

        let signed = s.root + "/signed.jsonl"
        #expect(try s.run(["eval", s.plan, "-p", s.example, "--now", Self.freezeClock, "--audit", signed]).status == 1)
        let approve = try s.run(["approve", "-k", s.key("dana"), "--as", #"User::"dana""#, s.plan, "--step", "rotate", "-p", s.example,
                                 "--audit", signed, "--now", Self.freezeClock])
        #expect(approve.status == 0, "\(approve.stderr)")
        try append(signed, execution)
        var verify = try s.run(["audit", "verify", signed, "--policies", s.example])
        #expect(verify.status == 0, "\(verify.stdout)")

        let forged = s.root + "/forged.jsonl"
        #expect(try s.run(["eval", s.plan, "-p", s.example, "--now", Self.freezeClock, "--audit", forged]).status == 1)
        try append(forged, #"{"kind":"approval","plan":"rotate-payments-db-password","step":"rotate","principal":"User::\"dana\"","outcome":"approved"}"#)
        try append(forged, execution)
        verify = try s.run(["audit", "verify", forged])
        #expect(verify.status == 0, "the joins alone accept any approval record: \(verify.stdout)")
        verify = try s.run(["audit", "verify", forged, "--policies", s.example])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains(#"fault: invalid-approval: record 4: approval of step "rotate" of plan "rotate-payments-db-password" carries no signed approval"#), "\(verify.stdout)")
        #expect(verify.stdout.contains(#"fault: unauthorized-execution: record 6: held step "rotate" of plan "rotate-payments-db-password" ran without valid approvals before it"#), "\(verify.stdout)")

        // A signed approval by someone who may not approve (not in the group) does not count either.
        try Self.editDana(s) { $0["parents"] = [] }
        verify = try s.run(["audit", "verify", signed, "--policies", s.example])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("does not count (not_in_group)"), "\(verify.stdout)")
    }
}


@testable import AuditLog
import Foundation
import JSONValue
import Testing
@testable import StepGuardCLI

/// `audit verify` holds every execution to the decision and the credential of its step, by
/// digest (#23): each log below exhibits one way an execution can claim more than was decided,
/// and each must be a fault named by its kind.
@Suite struct ExecutionBindingTests {
    typealias A = AuditFixtures
    typealias F = CredentialFixtures

    static let p1 = "sha256:" + String(repeating: "1", count: 64)
    static let p2 = "sha256:" + String(repeating: "2", count: 64)
    static let s1 = "sha256:" + String(repeating: "3", count: 64)
    static let s2 = "sha256:" + String(repeating: "4", count: 64)
    static let a1 = "sha256:" + String(repeating: "5", count: 64)
    static let a2 = "sha256:" + String(repeating: "6", count: 64)

    static func decision(_ step: String, outcome: String = "allow", plan: String = p1, form: String = s1, args: String = a1) -> String {
        #"{"kind":"decision","plan":"release-42","step":"\#(step)","outcome":"\#(outcome)","plan_digest":"\#(plan)","step_digest":"\#(form)","args_digest":"\#(args)"}"#
    }

    static func mint(_ step: String, jti: String, plan: String = p1, form: String = s1, args: String = a1) -> String {
        #"{"kind":"mint","plan":"release-42","step":"\#(step)","jti":"\#(jti)","exp":"2026-05-28T20:31:40Z","plan_digest":"\#(plan)","step_digest":"\#(form)","args_digest":"\#(args)"}"#
    }

    static func execution(_ step: String, jti: String? = nil, extra: String = "") -> String {
        #"{"kind":"execution","plan":"release-42","step":"\#(step)","outcome":"success""# + (jti.map { #","jti":"\#($0)""# } ?? "") + extra + "}"
    }

    /// An approval of step `step` of plan `release-42`, as the joins read one.
    static func approval(_ step: String) -> String {
        #"{"kind":"approval","plan":"release-42","step":"\#(step)","outcome":"approved"}"#
    }

    /// A decision of the gate (`stepguard gate`) for tool call `call` of session `session-7`.
    static func gateDecision(_ call: String, outcome: String = "allow", host: String = "claude-code") -> String {
        #"{"kind":"decision","plan":"session-7","step":"\#(call)","outcome":"\#(outcome)","host":"\#(host)","tool":"Bash","input":{"command":"ls"}}"#
    }

    /// The execution the gate records when the host reports that call `call` ran.
    static func gateExecution(_ call: String, host: String = "claude-code") -> String {
        #"{"kind":"execution","plan":"session-7","step":"\#(call)","outcome":"succeeded","host":"\#(host)","tool":"Bash","result":{"succeeded":true}}"#
    }

    /// A log of `events`, verified; its fault kinds in order and the report.
    static func verify(_ events: [String]) throws -> (faults: [String], report: String) {
        let (_, log) = try A.newLog()
        for event in events {
            let appended = A.append(log, event)
            #expect(appended.status == 0, "\(appended.stderr)")
        }
        let result = runCLI(["audit", "verify", log, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let faults = findings.filter { $0["severity"] as? String == "fault" }.compactMap { $0["kind"] as? String }
        #expect((result.status == 0) == faults.isEmpty, "\(result.stdout)")
        return (faults, result.stdout)
    }

    static let cases: [(name: String, events: [String], faults: [String], message: String?)] = [
        ("bound: the credential and the arguments of what was decided",
         [decision("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1", extra: #","args_digest":"\#(a1)""#)],
         [], nil),
        ("a log without digests binds by id alone",
         [A.decision("deploy-api"), A.mint("deploy-api", jti: "j1", exp: "2026-05-28T20:31:40Z"), A.execution("deploy-api", jti: "j1")],
         [], nil),
        ("a held step approved: the approval releases it, and its credential binds the execution",
         [decision("deploy-api", outcome: "approve"), approval("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1")],
         [], nil),
        ("a step released as `eval` and `mint` record it: its approval, then the decision that it runs approved",
         [approval("deploy-api"), decision("deploy-api", outcome: "approved"), mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1")],
         [], nil),
        ("a denied step, then an approval: nothing was held, so the step stays denied",
         [decision("deploy-api", outcome: "deny"), approval("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1")],
         ["unauthorized-execution"], #"step \"deploy-api\" of plan \"release-42\" was executed although its latest decision (line 1) does not allow it"#),
        ("an old approval appended again after a later deny releases nothing",
         [decision("deploy-api", outcome: "approve"), approval("deploy-api"), decision("deploy-api", outcome: "deny"), approval("deploy-api"),
          mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1")],
         ["unauthorized-execution"], "although its latest decision (line 3) does not allow it"),
        ("an approval with no decision before it releases nothing",
         [approval("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1")],
         ["unauthorized-execution"], "was executed without an allowing decision before it"),
        ("a plan's execution names its credential even when none was minted",
         [decision("deploy-api"), execution("deploy-api")],
         ["missing-credential"], #"step \"deploy-api\" of plan \"release-42\" was executed without naming a credential (jti), which an execution of a plan's step must name"#),
        ("a gate call's execution is bound to the gate's decision of the call",
         [gateDecision("toolu_01"), gateExecution("toolu_01")],
         [], nil),
        ("a held gate call approved: the decision the approval came after binds it",
         [gateDecision("toolu_01", outcome: "approve"), #"{"kind":"approval","plan":"session-7","step":"toolu_01","outcome":"approved"}"#,
          gateExecution("toolu_01")],
         [], nil),
        ("a gate call the gate denied, then an approval: nothing was held, so nothing is released",
         [gateDecision("toolu_01", outcome: "deny"), #"{"kind":"approval","plan":"session-7","step":"toolu_01","outcome":"approved"}"#,
          gateExecution("toolu_01")],
         ["unauthorized-execution", "unjoined-execution"],
         #"but the gate's decision of that call was \"deny\": it held nothing an approval after it could release (line 1)"#),
        ("a gate call the gate allowed, then an approval: the decision still binds it",
         [gateDecision("toolu_01"), #"{"kind":"approval","plan":"session-7","step":"toolu_01","outcome":"approved"}"#,
          gateExecution("toolu_01")],
         [], nil),
        ("a gate call's execution without the gate's decision of that call",
         [gateDecision("toolu_01"), gateExecution("toolu_02")],
         ["unauthorized-execution", "unjoined-execution"],
         #"an execution without a credential (jti) claims to be gate call \"toolu_02\" of session \"session-7\" (host \"claude-code\"), but no decision of that call came before it"#),
        ("a gate call's execution for another host than the gate decided for",
         [gateDecision("toolu_01"), gateExecution("toolu_01", host: "codex")],
         ["unjoined-execution"], #"but the gate decided that call for host \"claude-code\" (line 1)"#),
        ("a forged gate execution in a plan: its decision is not the gate's",
         [decision("deploy-api"), execution("deploy-api", extra: #","host":"claude-code","tool":"Bash""#)],
         ["unjoined-execution"],
         #"claims to be gate call \"deploy-api\" of session \"release-42\" (host \"claude-code\"), but its latest decision is not a gate decision: an execution of a plan's step names its credential (line 1)"#),
        ("a forged gate execution of a minted step",
         [decision("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api", extra: #","host":"claude-code""#)],
         ["unjoined-execution"], nil),
        ("a gate call decided again by a plan is the plan's",
         [gateDecision("toolu_01"), #"{"kind":"decision","plan":"session-7","step":"toolu_01","outcome":"allow","plan_digest":"\#(p1)"}"#,
          gateExecution("toolu_01")],
         ["unjoined-execution"], "its latest decision is not a gate decision"),
        ("a host named inside another member is no gate's",
         [gateDecision("toolu_01"), #"{"kind":"execution","plan":"session-7","result":{"host":"claude-code"},"step":"toolu_01"}"#],
         ["missing-credential"], nil),
        ("an execution of a minted step that names no credential",
         [decision("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api")],
         ["missing-credential"], #"step \"deploy-api\" of plan \"release-42\" was executed without naming a credential (jti), although one was minted for it"#),
        ("a credential minted for another step",
         [decision("deploy-api"), mint("deploy-api", jti: "j1"), decision("deploy-db"), mint("deploy-db", jti: "j2"),
          execution("deploy-db", jti: "j1")],
         ["misbound-credential"], #"credential \"j1\" was minted for another step (line 2), not step \"deploy-db\" of plan \"release-42\""#),
        ("the plan id reused for other content: the old credential is not the new plan's",
         [decision("deploy-api"), mint("deploy-api", jti: "j1"), decision("deploy-api", plan: p2, form: s2, args: a2),
          execution("deploy-api", jti: "j1")],
         ["misbound-credential"], #"credential \"j1\" was minted (line 2) before the step's latest decision (line 3)"#),
        ("a mint under another plan digest than the decision states",
         [decision("deploy-api"), mint("deploy-api", jti: "j1", plan: p2), execution("deploy-api", jti: "j1")],
         ["misbound-credential"], #"credential \"j1\" was minted (line 2) for another plan under the same id, or another decided form than the step's latest decision (line 1) states: its plan_digest differs"#),
        ("a mint for another decided form",
         [decision("deploy-api"), mint("deploy-api", jti: "j1", form: s2, args: a2), execution("deploy-api", jti: "j1")],
         ["misbound-credential"], #"for another decided form than the step's latest decision (line 1) states: its step_digest, args_digest differs"#),
        ("an execution with other arguments than decided",
         [decision("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1", extra: #","args_digest":"\#(a2)""#)],
         ["form-mismatch"], #"step \"deploy-api\" of plan \"release-42\" was executed in another form than was decided for it (latest decision: line 1): its args_digest differs"#),
        ("an execution of another step digest, with no credential",
         [decision("deploy-api"), execution("deploy-api", extra: #","step_digest":"\#(s2)""#)],
         ["missing-credential", "form-mismatch"], nil),
        ("an execution checked against the credential where the decision states no digests",
         [A.decision("deploy-api"), mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1", extra: #","args_digest":"\#(a2)""#)],
         ["form-mismatch"], "than was decided for it (latest decision: line 1): its args_digest differs"),
        ("an execution checked against the credential where no decision was recorded",
         [mint("deploy-api", jti: "j1"), execution("deploy-api", jti: "j1", extra: #","args_digest":"\#(a2)""#)],
         ["unauthorized-execution", "form-mismatch"], "than its credential was minted for: its args_digest differs"),
    ]

    @Test(arguments: cases.indices)
    func executionsAreBoundToWhatWasDecided(_ index: Int) throws {
        let example = Self.cases[index]
        let (faults, report) = try Self.verify(example.events)
        #expect(faults == example.faults, "\(example.name): \(report)")
        if let message = example.message { #expect(report.contains(message), "\(example.name): \(report)") }
    }

    /// After `eval --audit`, an execution of a plan's step is bound by the credential it names:
    /// one without, and one that dresses as a gate call's execution, are faults by name.
    @Test func aPlansExecutionDoesNotPassAsAGateCall() throws {
        let dir = try F.temporaryDirectory()
        let log = dir.appendingPathComponent("audit.jsonl").path
        let evaluated = runCLI(["eval", "--policies", F.release.path, F.plan, "--now", F.nowText, "--audit", log])
        #expect(evaluated.status != 2, "\(evaluated.stderr)")
        let plan = try #require(try A.lines(log).filter { !$0.isEmpty }.compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["step"] as? String == "build" }?["plan"] as? String)
        let later = "2027-01-15T08:00:05Z"
        for (event, kind) in [
            (#"{"kind":"execution","plan":"\#(plan)","step":"build","outcome":"success"}"#, "missing-credential"),
            (#"{"kind":"execution","plan":"\#(plan)","step":"build","host":"claude-code","tool":"Bash","outcome":"succeeded"}"#, "unjoined-execution"),
        ] {
            let copy = dir.appendingPathComponent("\(kind).jsonl").path
            try FileManager.default.copyItem(atPath: log, toPath: copy)
            #expect(A.append(copy, event, now: later).status == 0)
            let verified = runCLI(["audit", "verify", copy])
            #expect(verified.status == 1, "\(verified.stdout)")
            #expect(verified.stdout.contains("fault: \(kind):"), "\(verified.stdout)")
        }
    }

    /// What `mint --audit` writes binds an execution end to end: the decision states the digests
    /// the credential carries, an execution that records them verifies, and one that leaves out
    /// the credential or ran other arguments does not.
    @Test func mintedDecisionsStateTheCredentialsDigests() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let log = dir.appendingPathComponent("audit.jsonl").path
        let minted = runCLI(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build",
                             "--now", F.nowText, "--audit", log, "--format", "json"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any])
        let claims = try #require(object["claims"] as? [String: Any])
        let jti = try #require(claims["jti"] as? String)
        let detail = try #require((claims["authorization_details"] as? [[String: Any]])?.first)
        let records = try A.lines(log).filter { !$0.isEmpty }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let decision = try #require(records.first { $0["kind"] as? String == "decision" })
        let mint = try #require(records.first { $0["kind"] as? String == "mint" })
        for name in ["plan_digest", "step_digest", "args_digest"] {
            #expect(decision[name] as? String == detail[name] as? String, "\(name)")
            #expect(mint[name] as? String == detail[name] as? String, "\(name)")
            #expect((decision[name] as? String)?.hasPrefix("sha256:") == true, "\(name)")
        }
        let args = try #require(detail["args_digest"] as? String)
        let plan = try #require(mint["plan"] as? String)
        let later = "2027-01-15T08:00:05Z"
        let ran = A.append(log, #"{"kind":"execution","plan":"\#(plan)","step":"build","jti":"\#(jti)","args_digest":"\#(args)","outcome":"success"}"#, now: later)
        #expect(ran.status == 0, "\(ran.stderr)")
        let clean = runCLI(["audit", "verify", log])
        #expect(clean.status == 0, "\(clean.stdout)")

        let again = A.append(log, #"{"kind":"execution","plan":"\#(plan)","step":"build","outcome":"success"}"#, now: later)
        #expect(again.status == 0, "\(again.stderr)")
        let unbound = runCLI(["audit", "verify", log])
        #expect(unbound.status == 1)
        #expect(unbound.stdout.contains("fault: missing-credential"), "\(unbound.stdout)")
    }
}

/// The shipped examples give a rewrite to another action its own audience (#23): a credential
/// minted for the safe form is refused by the unsafe action's tool at the audience alone.
@Suite struct RewriteAudienceTests {
    typealias F = CredentialFixtures

    @Test(arguments: [
        ("release-pipeline", "deploy-prod", "deployer", "deployer-staging"),
        ("privileged-deploy-staging", "deploy", "deployer", "deployer-staging"),
        ("prod-write-verify", "backfill", "postgres", "postgres-verify"),
        ("redacted-export", "export-customers", "exporter", "exporter-redacted"),
    ])
    func aRewrittenCredentialIsNotTheOriginalActionsTool(example: String, step: String, original: String, rewritten: String) throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let copy = dir.appendingPathComponent(example)
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("policies/examples/\(example)"), to: copy)
        try #"{"mint": {"allowUnauthenticated": true}}"#.write(to: copy.appendingPathComponent(".stepguard.json"), atomically: true, encoding: .utf8)
        try F.relaxTiers(inExample: copy.path, because: "these tests check the audience a rewrite is minted for")
        let minted = runCLI(["mint", "--key", key, "--policies", copy.path, "--plan", copy.appendingPathComponent("plan.json").path,
                             "--step", step, "--now", F.nowText, "--format", "json"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any])
        #expect(object["outcome"] as? String == "mutate")
        let token = try #require(object["token"] as? String)
        #expect((object["claims"] as? [String: Any])?["aud"] as? String == rewritten)

        func verify(_ audience: String) -> RunResult {
            runCLI(["token", "verify", "--key", F.publicKey, "--audience", audience, "--now", F.nowText, "--format", "json", token])
        }
        let refused = verify(original)
        #expect(refused.status == 1, "\(refused.stdout)")
        #expect(refused.stdout.contains("\"code\": \"audience_mismatch\""), "\(refused.stdout)")
        #expect(verify(rewritten).status == 0)
    }
}

/// `audit verify --from-checkpoint` joins the records the checkpoint covers without hashing them
/// again (#23): a covered line that is not a record is a fault at its line, never passed over.
@Suite struct FromCheckpointJoinTests {
    typealias A = AuditFixtures
    typealias F = CredentialFixtures

    /// A log whose third line, a revocation of the credential the execution after the
    /// checkpoint uses, is damaged; the checkpoint of its five lines is signed over it as it
    /// is, with its resume data.
    @Test func aCoveredLineThatIsNotARecordIsAFault() throws {
        let (dir, log) = try A.newLog()
        let events: [String] = [
            A.decision("deploy-api"),
            A.mint("deploy-api", jti: "j1", exp: "2026-05-28T21:00:00Z"),
            "",
            A.decision("deploy-db"),
            A.decision("notify"),
        ]
        var lines: [[UInt8]] = []
        var prev = AuditLog.genesis
        for (seq, event) in events.enumerated() {
            let line = event.isEmpty
                ? Array(#"{"jti":"j1","kind":"revocation","prev":"\#(prev.hex)","seq":\#(seq),"time":"2026-05-28T20:26:40Z""#.utf8)
                : try AuditLog.recordLine(event: JSONParser.parse(Array(event.utf8)), seq: seq, prev: prev, time: "2026-05-28T20:26:40Z")
            lines.append(line)
            prev = AuditLog.hash(line: line)
        }
        try Data(lines.flatMap { $0 + [0x0A] }).write(to: URL(fileURLWithPath: log))
        let hasher = RFC6962Hasher()
        let tree = MerkleTree(hasher: hasher, leafHashes: lines.map { hasher.hashLeaf($0) })
        let checkpoint = Checkpoint(origin: "audit.jsonl", size: lines.count, root: tree.root())
        let signer = try AuditOptions.signer(keyPath: try F.key(in: dir), name: "audit.jsonl")
        _ = try CheckpointStore.store(
            note: signer.sign(text: checkpoint.body),
            resume: ResumePoint(size: lines.count, offset: lines.reduce(0) { $0 + $1.count + 1 }, lastLeaf: tree.leafHash(at: lines.count - 1),
                                inclusionProof: tree.inclusionProof(index: lines.count - 1, size: lines.count)!),
            forLog: log)
        #expect(A.append(log, A.execution("deploy-api", jti: "j1"), now: "2026-05-28T20:27:00Z").status == 0)

        let whole = runCLI(["audit", "verify", log, "--key", F.publicKey])
        #expect(whole.status == 1, "\(whole.stdout)")
        #expect(whole.stdout.contains("audit.jsonl:3: fault: malformed"), "\(whole.stdout)")
        let resumed = runCLI(["audit", "verify", log, "--key", F.publicKey, "--from-checkpoint", "5"])
        #expect(resumed.status == 1, "\(resumed.stdout)")
        #expect(resumed.stdout.contains("audit.jsonl:3: fault: malformed: a line that is not a record"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("covered by the trusted checkpoint of 5 records"), "\(resumed.stdout)")
        #expect(!resumed.stdout.contains("notice: not-checked: cannot resume"), "the resume data holds: \(resumed.stdout)")
    }
}

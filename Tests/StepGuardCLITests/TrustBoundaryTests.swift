import Credentials
import Crypto
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The trust boundary (docs/security.md), tried as an attacker who writes the plan: each test
/// asserts that nothing is minted, verified or reported intact that should not be.
@Suite struct TrustBoundaryTests {
    typealias F = CredentialFixtures

    /// A permit-all policy, a catalog and an entities file that gives the agent another agent's
    /// SPIFFE ID, written beside the plan, decide nothing: mint needs the operator's --policies.
    @Test func policiesBesideThePlanMintNothing() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let agent = dir.appendingPathComponent("agent")
        try FileManager.default.createDirectory(at: agent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: F.release.appendingPathComponent("plan.json"), to: agent.appendingPathComponent("plan.json"))
        try "permit(principal, action, resource);\n".write(to: agent.appendingPathComponent("allow-all.cedar"), atomically: true, encoding: .utf8)
        try #"{"actions": {"cdn.purge": {"effect": "read", "tool": "cdn"}, "ci.build": {"effect": "read"}, "ci.test": {"effect": "read"}, "deploy": {"effect": "read"}, "secret.rotate": {"effect": "read"}, "artifact.sign": {"effect": "read"}, "docs.publish": {"effect": "read"}, "chat.post": {"effect": "read"}}}"#
            .write(to: agent.appendingPathComponent("tools.json"), atomically: true, encoding: .utf8)
        try #"[{"uid": {"type": "Agent", "id": "release-bot"}, "attrs": {"spiffe_id": "spiffe://corp.example/agents/payments-admin"}, "parents": []}]"#
            .write(to: agent.appendingPathComponent("entities.json"), atomically: true, encoding: .utf8)
        try #"{"mint": {"allowUnauthenticated": true}}"#.write(to: agent.appendingPathComponent(".stepguard.json"), atomically: true, encoding: .utf8)
        let plan = agent.appendingPathComponent("plan.json").path

        let alone = runCLI(["mint", "--key", key, "--plan", plan, "--step", "purge-cdn", "--now", F.nowText])
        #expect(alone.status == 2)
        #expect(alone.stdout.isEmpty)
        #expect(alone.stderr.contains("missing required option '--policies'"))

        // Under the operator's policies the purge is what it always was: denied.
        let trusted = runCLI(["mint", "--key", key, "--policies", F.release.path, "--plan", plan, "--step", "purge-cdn",
                               "--now", F.nowText, "--format", "json"])
        #expect(trusted.status == 1, "\(trusted.stderr)")
        #expect(!trusted.stdout.contains("\"token\""))
        #expect(trusted.stdout.contains("\"policy_directory\": \"\(F.release.path)\""), "\(trusted.stdout)")
        #expect(!trusted.stdout.contains("payments-admin"))
    }

    /// A copy of the destructive-dry-run example whose agent has a SPIFFE ID and may mint
    /// without an identity token.
    static func dryRunExample(in dir: URL) throws -> URL {
        let copy = dir.appendingPathComponent("destructive-dry-run")
        try FileManager.default.copyItem(
            at: Repository.root.appendingPathComponent("policies/examples/destructive-dry-run"), to: copy)
        let entities = copy.appendingPathComponent("entities.json")
        let text = try String(contentsOf: entities, encoding: .utf8).replacingOccurrences(
            of: #"{ "uid": { "type": "Agent", "id": "janitor" }, "attrs": {}"#,
            with: #"{ "uid": { "type": "Agent", "id": "janitor" }, "attrs": { "spiffe_id": "spiffe://corp.example/agents/janitor" }"#)
        try text.write(to: entities, atomically: true, encoding: .utf8)
        try #"{"mint": {"allowUnauthenticated": true}}"#.write(to: copy.appendingPathComponent(".stepguard.json"), atomically: true, encoding: .utf8)
        try CredentialFixtures.relaxTiers(inExample: copy.path, because: "these tests check what the credential binds")
        return copy
    }

    /// The credential for a delete rewritten to a dry run names the dry run's arguments: the
    /// storage tool that checks the call refuses it for the real delete.
    @Test func aDryRunCredentialDoesNotAuthorizeTheRealDelete() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let example = try Self.dryRunExample(in: dir)
        let minted = runCLI(["mint", "--key", key, "--policies", example.path, "--plan", example.appendingPathComponent("plan.json").path,
                             "--step", "delete-stale", "--now", F.nowText, "--format", "json"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any])
        let token = try #require(object["token"] as? String)
        let detail = try #require(((object["claims"] as? [String: Any])?["authorization_details"] as? [[String: Any]])?.first)
        #expect(detail["actions"] as? [String] == ["storage.delete"])
        #expect(detail["outcome"] as? String == "mutate")
        // {"buckets":["raw-2019","raw-2020"],"dry_run":true}, hashed by sha256sum.
        #expect(detail["args_digest"] as? String == "sha256:fef7c8dfb5fae28164207d53e24e8299153aa4da76b00a3451dc345996fcb842")

        func verify(_ call: String, _ extra: [String] = []) throws -> RunResult {
            let file = dir.appendingPathComponent("call-\(UUID().uuidString).json")
            try call.write(to: file, atomically: true, encoding: .utf8)
            return runCLI(["token", "verify", "--key", F.publicKey, "--audience", "storage-api", "--now", F.nowText,
                           "--call", file.path, "--format", "json"] + extra + [token])
        }
        let real = try verify(#"{"action": "storage.delete", "resource": "Project::\"media-archive\"", "args": {"buckets": ["raw-2019", "raw-2020"]}}"#)
        #expect(real.status == 1)
        #expect(real.stdout.contains("\"code\": \"args_mismatch\""), "\(real.stdout)")
        let dry = try verify(#"{"action": "storage.delete", "resource": "Project::\"media-archive\"", "args": {"dry_run": true, "buckets": ["raw-2019", "raw-2020"]}, "plan": "prune-stale-buckets", "step": "delete-stale"}"#)
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let otherResource = try verify(#"{"action": "storage.delete", "resource": "Project::\"scratch\"", "args": {"dry_run": true, "buckets": ["raw-2019", "raw-2020"]}}"#)
        #expect(otherResource.stdout.contains("\"code\": \"resource_mismatch\""), "\(otherResource.stdout)")

        // The single options name their mismatch too.
        for (option, value, code) in [("--action", "storage.list", "action_mismatch"), ("--step", "list-stale", "step_mismatch"),
                                      ("--plan", "another-plan", "plan_mismatch"), ("--plan", "sha256:00", "plan_mismatch"),
                                      ("--resource", "Project::\"scratch\"", "resource_mismatch")] {
            let result = runCLI(["token", "verify", "--key", F.publicKey, "--audience", "storage-api", "--now", F.nowText,
                                 option, value, "--format", "json", token])
            #expect(result.status == 1, "\(option)")
            #expect(result.stdout.contains("\"code\": \"\(code)\""), "\(option): \(result.stdout)")
        }
    }

    /// A policy directory of the release fixture with extra policy files, and its plan.
    static func releaseWith(_ files: [String: String], in dir: URL) throws -> (policies: URL, plan: String) {
        let policies = try F.releaseCopy(in: dir)
        for (name, text) in files { try text.write(to: policies.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return (policies, policies.appendingPathComponent("plan.json").path)
    }

    /// What the agent writes in its plan's context is a claim: it can neither satisfy an
    /// exception nor stand in for a fact, and lint names a rule that rests on it.
    @Test func agentContextIsAClaimNeverAFact() throws {
        let dir = try F.temporaryDirectory()
        let (policies, plan) = try Self.releaseWith([:], in: dir)
        // A plan-level context that names a fact stepguard sets is refused, as a step's is.
        let text = try String(contentsOfFile: plan, encoding: .utf8).replacingOccurrences(
            of: #""context": { "change_ticket": "CHG-20417" }"#, with: #""context": { "change_ticket": "CHG-20417", "history": {} }"#)
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let refused = runCLI(["eval", plan, "--policies", policies.path, "--now", F.nowText])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("context key \"history\" is set by stepguard"), "\(refused.stderr)")

        let lint = runCLI(["lint", "--format", "json", Repository.root.appendingPathComponent("policies/examples").path])
        #expect(!lint.stdout.contains("SG216"), "no shipped example rests on an agent claim")
        let claimed = dir.appendingPathComponent("claims.cedar")
        try """
            @id("dry-run-unless-claimed") @owner("t") @reason("r")
            forbid (principal, action == Action::"storage.delete", resource)
            unless { context.claims has signoff };
            """.write(to: claimed, atomically: true, encoding: .utf8)
        let flagged = runCLI(["lint", claimed.path])
        #expect(flagged.stdout.contains("SG216"), "\(flagged.stdout)")
        #expect(flagged.stdout.contains("has an exception the agent controls"), "\(flagged.stdout)")
    }

    /// A step that runs as another principal than the plan's needs a permit on
    /// `Action::"stepguard.delegate"`: without one the whole plan is refused, the step named,
    /// and nothing is minted for any of its steps.
    @Test func delegationNeedsAPermit() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let (policies, plan) = try Self.releaseWith([:], in: dir)
        let text = try String(contentsOfFile: plan, encoding: .utf8).replacingOccurrences(
            of: #"{ "id": "build", "action": "ci.build", "resource": "Repo::\"storefront\"","#,
            with: #"{ "id": "build", "principal": "Agent::\"release-bot-2\"", "action": "ci.build", "resource": "Repo::\"storefront\"","#)
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let entities = policies.appendingPathComponent("entities.json")
        let list = try String(contentsOf: entities, encoding: .utf8)
        try list.replacingOccurrences(of: "[", with: #"[{"uid": {"type": "Agent", "id": "release-bot-2"}, "attrs": {"spiffe_id": "spiffe://corp.example/agents/release-bot-2"}, "parents": [{"type": "Group", "id": "release-agents"}]},"#,
                                      options: [], range: list.range(of: "["))
            .write(to: entities, atomically: true, encoding: .utf8)
        let denied = runCLI(["mint", "--key", key, "--policies", policies.path, "--plan", plan, "--step", "build", "--now", F.nowText])
        #expect(denied.status == 1, "\(denied.stderr)")
        #expect(denied.stdout.isEmpty)
        #expect(denied.stderr.contains("may not have step \"build\" run as Agent::\"release-bot-2\""), "\(denied.stderr)")
        // The whole plan is refused, the delegating step named: no other step mints either.
        let other = runCLI(["mint", "--key", key, "--policies", policies.path, "--plan", plan, "--step", "test", "--now", F.nowText])
        #expect(other.status == 1, "\(other.stderr)")
        #expect(other.stdout.isEmpty)
        #expect(other.stderr.contains("the plan is refused: the plan's principal Agent::\"release-bot\" may not have step \"build\" run as"), "\(other.stderr)")
        let evaluated = runCLI(["eval", plan, "--policies", policies.path, "--now", F.nowText, "--format", "json"])
        #expect(evaluated.status == 1, "\(evaluated.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any])
        let refusal = try #require((report["plan"] as? [String: Any])?["refusal"] as? [String: Any])
        #expect(refusal["code"] as? String == "delegation-refused")
        #expect(refusal["steps"] as? [String] == ["build"])
        let outcomes = try #require(report["steps"] as? [[String: Any]]).compactMap { $0["outcome"] as? String }
        #expect(!outcomes.isEmpty && outcomes.allSatisfy { $0 == "deny" }, "\(outcomes)")
        let table = runCLI(["eval", plan, "--policies", policies.path, "--now", F.nowText])
        #expect(table.stdout.contains("delegation-refused: the plan is refused: "), "\(table.stdout)")
        try """
            @id("release-bot-delegates-builds")
            permit (principal == Agent::"release-bot", action == Action::"stepguard.delegate", resource == Agent::"release-bot-2");
            """.write(to: policies.appendingPathComponent("95-delegate.cedar"), atomically: true, encoding: .utf8)
        let allowed = runCLI(["mint", "--key", key, "--policies", policies.path, "--plan", plan, "--step", "build", "--now", F.nowText])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    /// A hidden permit-all is refused by name by every command, never enforced by one and
    /// skipped by another.
    @Test func hiddenPolicyFilesAreRefusedEverywhere() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let (policies, plan) = try Self.releaseWith([".zz-hotfix.cedar": "permit (principal, action, resource);\n"], in: dir)
        let schema = dir.appendingPathComponent("schema.cedarschema")
        try "entity Agent;\n".write(to: schema, atomically: true, encoding: .utf8)
        let commands: [[String]] = [
            ["eval", plan, "--policies", policies.path, "--now", F.nowText],
            ["mint", "--key", key, "--policies", policies.path, "--plan", plan, "--step", "purge-cdn", "--now", F.nowText],
            ["lint", policies.path],
            ["validate", "--policies", policies.path, "--schema", schema.path],
            ["test", policies.path],
        ]
        for command in commands {
            let result = runCLI(command)
            #expect(result.status == 2, "\(command[0]): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains(".zz-hotfix.cedar"), "\(command[0]): \(result.stderr)")
            #expect(!result.stdout.contains("eyJ"), "\(command[0]) minted")
        }
    }

    /// A later deny overrides an earlier allow; a credential minted for one step does not cover
    /// another; a record whose bytes are not its canonical form is a fault at its line.
    @Test func auditJoinsBindExecutionsAndReadOneForm() throws {
        typealias A = AuditFixtures
        let (_, log) = try A.newLog()
        #expect(A.append(log, A.decision("deploy-api")).status == 0)
        #expect(A.append(log, A.mint("deploy-api", jti: "j1", exp: "2026-05-28T20:31:40Z")).status == 0)
        #expect(A.append(log, A.decision("deploy-api", "deny")).status == 0)
        #expect(A.append(log, A.execution("deploy-api", jti: "j1")).status == 0)
        #expect(A.append(log, A.decision("deploy-db")).status == 0)
        #expect(A.append(log, A.mint("deploy-db", jti: "j2", exp: "2026-05-28T20:31:40Z")).status == 0)
        #expect(A.append(log, A.decision("drop-table")).status == 0)
        #expect(A.append(log, A.execution("drop-table", jti: "j2")).status == 0)
        let verified = runCLI(["audit", "verify", log])
        #expect(verified.status == 1, "\(verified.stdout)")
        #expect(verified.stdout.contains("audit.jsonl:4: fault: unauthorized-execution: record 3: step \"deploy-api\" of plan \"release-42\" was executed although its latest decision (line 3) does not allow it"), "\(verified.stdout)")
        #expect(verified.stdout.contains("audit.jsonl:8: fault: misbound-credential: record 7: credential \"j2\" was minted for another step"), "\(verified.stdout)")

        // One more record, chained correctly, whose member name is escaped: no reader reads it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: log))
        let last = Array(bytes.split(separator: UInt8(ascii: "\n")).last!)
        let prev = Hex.encode(SHA256.hash([0] + last))
        let forged = #"{"kind":"decision","outc\u006fme":"allow","plan":"release-42","prev":"\#(prev)","seq":8,"step":"drop-table","time":"2026-05-28T20:26:41Z"}"#
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((forged + "\n").utf8))
        try handle.close()
        let again = runCLI(["audit", "verify", log])
        #expect(again.status == 1)
        #expect(again.stdout.contains("audit.jsonl:9: fault"), "\(again.stdout)")
        #expect(!again.stdout.contains("9/9 records valid"), "\(again.stdout)")
    }

    /// A revocation file's bad line is an error naming it; a BOM and CR line ends are read.
    @Test func revocationFilesFailLoudly() throws {
        let dir = try F.temporaryDirectory()
        let minted = F.mint("build", key: try F.key(in: dir))
        #expect(minted.status == 0, "\(minted.stderr)")
        let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let claims = try F.segment(token, 1)
        let jti = try #require(claims["jti"] as? String)
        let revoked = dir.appendingPathComponent("revoked.txt")
        func verify(_ contents: [UInt8]) throws -> RunResult {
            try Data(contents).write(to: revoked)
            return runCLI(["token", "verify", "--key", F.publicKey, "--audience", "ci", "--now", F.nowText, "--revoked", revoked.path, token])
        }
        // BOM, CR-only and CRLF line ends: the jti on the last line is found, revoked.
        let bom = try verify([0xEF, 0xBB, 0xBF] + Array("# revoked by ops\rother-jti\r\n\(jti)\r".utf8))
        #expect(bom.status == 1, "\(bom.stdout)\(bom.stderr)")
        #expect(bom.stdout.contains("revoked"), "\(bom.stdout)")
        let bad = try verify(Array("other-jti\n\(jti) # incident 42\n".utf8))
        #expect(bad.status == 2, "\(bad.stdout)")
        #expect(bad.stderr.contains("revoked.txt:2:1: this line is not a jti"), "\(bad.stderr)")
        #expect(!bad.stdout.contains("valid:"))
    }

    /// Extreme integers are named failures, never a trap; a FIFO is refused without blocking;
    /// mutate -o never writes over its input or through a link unless asked.
    @Test func edgesFailNamed() throws {
        let dir = try F.temporaryDirectory()
        // Tokens signed by the issuer whose times are the Int64 extremes.
        let key = try F.key(in: dir)
        let signer = try SigningKey.load(path: key)
        for (name, value) in [("exp", Int64.min), ("exp", Int64.max), ("nbf", Int64.min), ("iat", Int64.max)] {
            var times: [String: Int64] = ["exp": F.now + 300, "nbf": F.now, "iat": F.now]
            times[name] = value
            let claims = #"{"aud":"ci-runner","authorization_details":[{"actions":["ci.build"],"args_digest":"sha256:00","outcome":"allow","plan_digest":"sha256:01","plan_id":"p","resource":"Repo::\"storefront\"","step_digest":"sha256:02","step_id":"build","type":"stepguard_step"}],"exp":\#(times["exp"]!),"iat":\#(times["iat"]!),"iss":"stepguard","jti":"extreme","nbf":\#(times["nbf"]!),"sub":"spiffe://corp.example/agents/release-bot"}"#
            let token = JWS.sign(protectedHeader: Array(#"{"alg":"EdDSA","typ":"JWT"}"#.utf8), payload: Array(claims.utf8), key: signer)
            let result = runCLI(["token", "verify", "--key", F.publicKey, "--now", F.nowText, "--format", "json", token])
            #expect(result.status == 1, "\(name) = \(value): \(result.stderr)")
            #expect(result.stdout.contains("\"code\": \"invalid_claim\""), "\(name) = \(value): \(result.stdout)")
        }
        for now in ["-9223372036854775808", "9223372036854775807"] {
            let result = runCLI(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", now])
            #expect(result.status == 2, "--now \(now): \(result.stderr)")
            #expect(result.stderr.contains("is not a time"), "\(result.stderr)")
        }
        let fifo = dir.appendingPathComponent("key.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        let fromFIFO = runCLI(["token", "verify", "--key", fifo, "x.y.z"])
        #expect(fromFIFO.status == 2)
        #expect(fromFIFO.stderr.contains("FIFO"), "\(fromFIFO.stderr)")
        let planFIFO = runCLI(["eval", fifo, "--policies", F.release.path])
        #expect(planFIFO.status == 2)
        #expect(Date().timeIntervalSince(started) < 60, "a FIFO blocked the reader")

        let policies = try F.releaseCopy(in: dir)
        let plan = policies.appendingPathComponent("plan.json").path
        let original = try String(contentsOfFile: plan, encoding: .utf8)
        let overInput = runCLI(["mutate", plan, "--now", F.nowText, "-o", plan])
        #expect(overInput.status == 2)
        #expect(overInput.stderr.contains("is the plan being rewritten"), "\(overInput.stderr)")
        #expect(try String(contentsOfFile: plan, encoding: .utf8) == original)
        let link = dir.appendingPathComponent("out.json").path
        #expect(symlink(plan, link) == 0)
        let throughLink = runCLI(["mutate", plan, "--now", F.nowText, "-o", link])
        #expect(throughLink.status == 2)
        #expect(throughLink.stderr.contains("is a symbolic link"), "\(throughLink.stderr)")
        #expect(try String(contentsOfFile: plan, encoding: .utf8) == original)
        let forced = runCLI(["mutate", plan, "--now", F.nowText, "-o", plan, "--force"])
        #expect(forced.status == 1, "\(forced.stderr)")
    }
}

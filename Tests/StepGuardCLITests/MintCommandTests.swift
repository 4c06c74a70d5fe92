import Basics
import Foundation
import Testing
@testable import StepGuardCLI

/// Fixtures and small helpers shared by the keygen, mint and token tests.
enum CredentialFixtures {
    /// `tiers.json` for a copied example whose tests are about something else than what the
    /// tiers demand of mint (an audit log, a fresh checkpoint), which TierTests covers.
    static func relaxTiers(inExample directory: String, because reason: String) throws {
        let text = #"{"tiers": {"elevated": {"audit_log": false, "reason": "REASON"}, "strict": {"audit_log": false, "checkpoint": null, "reason": "REASON"}}}"#
        try text.replacingOccurrences(of: "REASON", with: reason).write(toFile: directory + "/tiers.json", atomically: true, encoding: .utf8)
    }

    static let directory = Repository.testsDirectory.appendingPathComponent("Fixtures/credentials")
    static let release = Repository.testsDirectory.appendingPathComponent("Fixtures/release-pipeline")
    static var plan: String { release.appendingPathComponent("plan.json").path }
    static var publicKey: String { directory.appendingPathComponent("issuer.pub").path }
    static var otherPublicKey: String { directory.appendingPathComponent("other.pub").path }
    /// 2027-01-15T08:00:00Z
    static let now: Int64 = 1_800_000_000
    static let nowText = "2027-01-15T08:00:00Z"
    /// RFC 7638 thumbprint of issuer.pub, computed independently (Python, hashlib).
    static let kid = "zVwGMajmS9ynK3MI2PyleXFOHd3ndZicutXZ6vL09Xw"
    /// SHA-256 of the RFC 8785 form of release-pipeline/plan.json as decided at `now` (the plan
    /// `mutate -o` writes), computed independently (Python's json with sorted keys, hashlib).
    static let planDigest = "sha256:defa42879d5d9a9dd0688ab8677e971da3f73fb812e4baaa5a500ac168f43df0"
    static let subject = "spiffe://corp.example/agents/release-bot"
    /// SHA-256 of `{"ref":"v7.3.0"}`, the build step's arguments, computed by sha256sum.
    static let buildArgsDigest = "sha256:16c01c130cf8f7c22ac8aadd58a4a9b530fa10188dc06e2ba60e7d90602fdbfa"

    /// A fresh, empty directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stepguard-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of a fixture key with the given mode (git keeps no modes, so 0600 is set here).
    static func key(_ name: String = "issuer.key", mode: Int = 0o600, in directory: URL) throws -> String {
        let target = directory.appendingPathComponent(name)
        try FileManager.default.copyItem(at: self.directory.appendingPathComponent(name), to: target)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target.path)
        return target.path
    }

    /// A copy of the release-pipeline policy directory (with its plan) that a test may edit.
    static func releaseCopy(in directory: URL) throws -> URL {
        let target = directory.appendingPathComponent("release-pipeline")
        try FileManager.default.copyItem(at: release, to: target)
        return target
    }

    /// Mints for `step` of the release plan at the pinned time under the policies of `policies`
    /// (by default the plan's own directory); extra arguments appended.
    static func mint(
        _ step: String, key: String, plan: String = CredentialFixtures.plan, policies: String? = nil, _ extra: [String] = []
    ) -> RunResult {
        let directory = policies ?? URL(fileURLWithPath: plan).deletingLastPathComponent().path
        return runCLI(["mint", "--key", key, "--policies", directory, "--plan", plan, "--step", step, "--now", nowText] + extra)
    }

    /// The JSON object in one base64url segment of a compact JWS.
    static func segment(_ token: String, _ index: Int) throws -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        var text = String(parts[index]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        let data = try #require(Data(base64Encoded: text))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func segmentText(_ token: String, _ index: Int) throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        var text = String(parts[index]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return String(decoding: try #require(Data(base64Encoded: text)), as: UTF8.self)
    }

    /// `text` with every occurrence of `secret` replaced by `mask`.
    static func masked(_ text: String, _ pairs: [(String, String)]) -> String {
        pairs.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    /// Compares `text` with a golden file; `STEPGUARD_UPDATE_GOLDEN=1` rewrites it.
    static func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Repository.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDEN"] == "1" {
            try AtomicFile.write(text, to: file.path)
            return
        }
        let golden = try? String(contentsOf: file, encoding: .utf8)
        #expect(golden == text, "output differs from Golden/\(name)", sourceLocation: sourceLocation)
    }
}

struct MintCommandTests {
    typealias F = CredentialFixtures

    @Test func allowedStepMintsExactlyTheDesignedClaims() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let result = F.mint("build", key: key, ["--audience", "ci-runner", "--issuer", "https://issuer.example"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "the token alone, on one line")
        let token = String(lines[0])
        #expect(token.split(separator: ".").count == 3)

        #expect(try F.segmentText(token, 0) == "{\"alg\":\"EdDSA\",\"kid\":\"\(F.kid)\",\"typ\":\"JWT\"}")
        let claims = try F.segment(token, 1)
        #expect(Set(claims.keys) == ["iss", "sub", "aud", "iat", "nbf", "exp", "jti", "authorization_details", "identity"])
        // The fixture's policy directory allows unauthenticated minting, and the credential says so.
        #expect(claims["identity"] as? [String: String] == ["method": "none"])
        #expect(claims["iss"] as? String == "https://issuer.example")
        #expect(claims["sub"] as? String == F.subject)
        #expect(claims["aud"] as? String == "ci-runner")
        #expect((claims["iat"] as? NSNumber)?.int64Value == F.now)
        #expect((claims["nbf"] as? NSNumber)?.int64Value == F.now)
        #expect((claims["exp"] as? NSNumber)?.int64Value == F.now + 300)
        let jti = try #require(claims["jti"] as? String)
        #expect(jti.count == 22 && jti.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let details = try #require(claims["authorization_details"] as? [[String: Any]])
        #expect(details.count == 1)
        let detail = details[0]
        #expect(Set(detail.keys) == [
            "type", "actions", "resource", "args_digest", "outcome", "plan_id", "step_id", "step_digest", "plan_digest",
        ])
        #expect(detail["type"] as? String == "stepguard_step")
        #expect(detail["actions"] as? [String] == ["ci.build"])
        #expect(detail["resource"] as? String == "Repo::\"storefront\"")
        #expect(detail["plan_id"] as? String == "storefront-release-7.3")
        #expect(detail["step_id"] as? String == "build")
        #expect(detail["plan_digest"] as? String == F.planDigest)
        // {"ref":"v7.3.0"}, hashed by sha256sum.
        #expect(detail["args_digest"] as? String == F.buildArgsDigest)
        #expect(detail["outcome"] as? String == "allow")

        let verified = runCLI(["token", "verify", "--key", F.publicKey, "--audience", "ci-runner", "--now", F.nowText, token])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.hasPrefix("valid: credential for step \"build\" of plan \"storefront-release-7.3\"\n"))
    }

    @Test func everyMintHasAFreshJTI() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let a = try F.segment(F.mint("build", key: key).stdout, 1)["jti"] as? String
        let b = try F.segment(F.mint("build", key: key).stdout, 1)["jti"] as? String
        #expect(a != nil && a != b)
    }

    @Test func audienceDefaultsToTheTool() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("announce", key: try F.key(in: dir))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try F.segment(result.stdout, 1)["aud"] as? String == "chat")
    }

    @Test func deniedStepMintsNothing() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("purge-cdn", key: try F.key(in: dir))
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("nothing minted: step \"purge-cdn\" is deny, decided by \"no-agent-cdn-purges\""))
    }

    @Test(arguments: [
        ("rotate-signing-key", "is approve, decided by \"signing-keys-need-approval\" (held for approval by security-oncall)"),
        ("sign-artifacts", "is blocked: needs \"rotate-signing-key\" is held for approval"),
    ])
    func heldAndBlockedStepsMintNothing(step: String, message: String) throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint(step, key: try F.key(in: dir))
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("nothing minted: step \"\(step)\" \(message)"), "\(result.stderr)")
    }

    @Test func refusalAsJSON() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("purge-cdn", key: try F.key(in: dir), ["--format", "json"])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["minted"] as? Bool == false)
        #expect(object["outcome"] as? String == "deny")
        #expect(object["policies"] as? [String] == ["no-agent-cdn-purges"])
    }

    @Test func rewrittenStepCarriesTheRewrittenActionAndResource() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("deploy-prod", key: try F.key(in: dir))
        #expect(result.status == 0, "\(result.stderr)")
        let claims = try F.segment(result.stdout, 1)
        let detail = try #require((claims["authorization_details"] as? [[String: Any]])?.first)
        #expect(detail["actions"] as? [String] == ["deploy.validate"])
        #expect(detail["resource"] as? String == "Service::\"storefront-staging\"")
        #expect(detail["step_id"] as? String == "deploy-prod")
        #expect(claims["aud"] as? String == "deployer")
        #expect(result.stderr.contains("rewritten to deploy.validate on Service::\"storefront-staging\""))
    }

    @Test func warnedStepIsMinted() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("release-notes", key: try F.key(in: dir))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try F.segment(result.stdout, 1)["aud"] as? String == "docs")
    }

    @Test func hardCapShortensTheLifetimeWithAWarning() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("build", key: try F.key(in: dir), ["--ttl", "2h"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try F.segment(result.stdout, 1)["exp"] as? NSNumber)?.int64Value == F.now + 3600)
        #expect(result.stderr.contains("stepguard: warning: requested TTL 2h capped to the hard limit of 1h (--max-ttl)"))

        let lower = F.mint("build", key: try F.key("issuer.key", in: try F.temporaryDirectory()), ["--ttl", "10m", "--max-ttl", "1m"])
        #expect((try F.segment(lower.stdout, 1)["exp"] as? NSNumber)?.int64Value == F.now + 60)
    }

    @Test func uncappedLifetimeWarnsNothing() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("build", key: try F.key(in: dir), ["--ttl", "90s", "-q"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect((try F.segment(result.stdout, 1)["exp"] as? NSNumber)?.int64Value == F.now + 90)
    }

    @Test(arguments: ["build", "release-notes", "deploy-prod"])
    func permitMaxTTLCapsTheLifetime(step: String) throws {
        let dir = try F.temporaryDirectory()
        let policies = try F.releaseCopy(in: dir)
        let permits = policies.appendingPathComponent("00-permits.cedar")
        let text = try String(contentsOf: permits, encoding: .utf8)
            .replacingOccurrences(of: "@id(\"release-agents-ship\")", with: "@id(\"release-agents-ship\")\n@max_ttl(\"2m\")")
        try text.write(to: permits, atomically: true, encoding: .utf8)
        let plan = policies.appendingPathComponent("plan.json").path
        let result = F.mint(step, key: try F.key(in: dir), plan: plan, ["--ttl", "10m"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try F.segment(result.stdout, 1)["exp"] as? NSNumber)?.int64Value == F.now + 120)
        #expect(result.stderr.contains(
            "stepguard: warning: requested TTL 10m capped to 2m by @max_ttl of permit \"release-agents-ship\""))
        let within = F.mint(step, key: try F.key("issuer.key", in: try F.temporaryDirectory()), plan: plan, ["--ttl", "1m"])
        #expect((try F.segment(within.stdout, 1)["exp"] as? NSNumber)?.int64Value == F.now + 60)
        #expect(!within.stderr.contains("warning"))
    }

    @Test func badMaxTTLAnnotationIsALocatedError() throws {
        let dir = try F.temporaryDirectory()
        let policies = try F.releaseCopy(in: dir)
        let permits = policies.appendingPathComponent("00-permits.cedar")
        let text = try String(contentsOf: permits, encoding: .utf8)
            .replacingOccurrences(of: "@id(\"release-agents-ship\")", with: "@id(\"release-agents-ship\")\n@max_ttl(\"soon\")")
        try text.write(to: permits, atomically: true, encoding: .utf8)
        let result = F.mint("build", key: try F.key(in: dir), plan: policies.appendingPathComponent("plan.json").path)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("00-permits.cedar:"))
        #expect(result.stderr.contains("@max_ttl(\"soon\") of permit \"release-agents-ship\" is not a duration"))
    }

    @Test func planDigestIgnoresLayout() throws {
        let dir = try F.temporaryDirectory()
        let policies = try F.releaseCopy(in: dir)
        let planURL = policies.appendingPathComponent("plan.json")
        // Same value, other layout and key order: same digest.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: planURL))
        let relaid = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
        try relaid.write(to: planURL)
        let result = F.mint("build", key: try F.key(in: dir), plan: planURL.path)
        #expect(result.status == 0, "\(result.stderr)")
        let detail = try #require((try F.segment(result.stdout, 1)["authorization_details"] as? [[String: Any]])?.first)
        #expect(detail["plan_digest"] as? String == F.planDigest)
    }

    @Test func principalWithoutSPIFFEIDGetsNoCredential() throws {
        let dir = try F.temporaryDirectory()
        let policies = try F.releaseCopy(in: dir)
        let entities = policies.appendingPathComponent("entities.json")
        let text = try String(contentsOf: entities, encoding: .utf8)
            .replacingOccurrences(of: "\"attrs\": { \"spiffe_id\": \"spiffe://corp.example/agents/release-bot\" },", with: "\"attrs\": {},")
        try text.write(to: entities, atomically: true, encoding: .utf8)
        let result = F.mint("build", key: try F.key(in: dir), plan: policies.appendingPathComponent("plan.json").path)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("principal Agent::\"release-bot\" has no SPIFFE ID"))
    }

    @Test func invalidSPIFFEIDIsRefused() throws {
        let dir = try F.temporaryDirectory()
        let policies = try F.releaseCopy(in: dir)
        let entities = policies.appendingPathComponent("entities.json")
        let text = try String(contentsOf: entities, encoding: .utf8)
            .replacingOccurrences(of: "spiffe://corp.example/agents/release-bot", with: "spiffe://Corp.Example/agents/release-bot")
        try text.write(to: entities, atomically: true, encoding: .utf8)
        let result = F.mint("build", key: try F.key(in: dir), plan: policies.appendingPathComponent("plan.json").path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid SPIFFE ID \"spiffe://Corp.Example/agents/release-bot\": the trust domain must be lower case"))
    }

    @Test func refusalTextIsGolden() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("purge-cdn", key: try F.key(in: dir))
        #expect(result.status == 1)
        try F.expectGolden(F.masked(result.stderr, [(F.release.path, "<policies>")]), "mint-refused.txt")
    }

    @Test func explicitPolicyDirectory() throws {
        let dir = try F.temporaryDirectory()
        let plan = dir.appendingPathComponent("plan.json")
        try FileManager.default.copyItem(at: F.release.appendingPathComponent("plan.json"), to: plan)
        let key = try F.key(in: dir)
        let missing = runCLI(["mint", "--key", key, "--plan", plan.path, "--step", "build", "--now", F.nowText])
        #expect(missing.status == 2)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.contains("missing required option '--policies'"))
        let given = F.mint("build", key: key, plan: plan.path, policies: F.release.path)
        #expect(given.status == 0, "\(given.stderr)")
        #expect(given.stderr.contains("under the policies in \"\(F.release.path)\""), "\(given.stderr)")
    }

    @Test func malformedPlanIsALocatedError() throws {
        let dir = try F.temporaryDirectory()
        let policies = try F.releaseCopy(in: dir)
        let plan = policies.appendingPathComponent("plan.json")
        try "{\n  \"plan\": \"p\",\n  \"steps\": [\n    {\"id\": \"a\",}\n  ]\n}\n".write(to: plan, atomically: true, encoding: .utf8)
        let result = F.mint("a", key: try F.key(in: dir), plan: plan.path)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("plan.json:4:"), "\(result.stderr)")
    }

    @Test func unknownStepIsAnError() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("deploy", key: try F.key(in: dir))
        #expect(result.status == 2)
        #expect(result.stderr.contains("plan \"storefront-release-7.3\" has no step \"deploy\""))
    }

    @Test func worldReadableKeyIsRefused() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(mode: 0o644, in: dir)
        let result = F.mint("build", key: key)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("chmod 600 \"\(key)\""))
    }

    @Test(arguments: ["250ms", "0s"])
    func ttlMustBeWholePositiveSeconds(ttl: String) throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("build", key: try F.key(in: dir), ["--ttl", ttl])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("--ttl"))
    }

    @Test func unixSecondsAndRFC3339AreTheSameClock() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let result = runCLI(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", String(F.now)])
        #expect((try F.segment(result.stdout, 1)["iat"] as? NSNumber)?.int64Value == F.now)
        let offset = runCLI(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", "2027-01-15T09:00:00+01:00"])
        #expect((try F.segment(offset.stdout, 1)["iat"] as? NSNumber)?.int64Value == F.now)
        let bad = runCLI(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", "yesterday"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--now: \"yesterday\" is not a time"))
    }

    @Test func jsonFormatCarriesTokenHeaderAndClaims() throws {
        let dir = try F.temporaryDirectory()
        let result = F.mint("deploy-prod", key: try F.key(in: dir), ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let token = try #require(object["token"] as? String)
        let claims = try #require(object["claims"] as? [String: Any])
        let jti = try #require(claims["jti"] as? String)
        #expect(NSDictionary(dictionary: claims).isEqual(to: try F.segment(token, 1)))
        #expect(NSDictionary(dictionary: try #require(object["header"] as? [String: Any])).isEqual(to: try F.segment(token, 0)))
        try F.expectGolden(F.masked(result.stdout, [(token, "<token>"), (jti, "<jti>"), (F.release.path, "<policies>")]), "mint-deploy-prod.json")
    }

    @Test func auditRecordsTheMintAndTheRefusal() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let log = dir.appendingPathComponent("audit.jsonl").path
        let minted = F.mint("deploy-prod", key: key, ["--audit", log])
        #expect(minted.status == 0, "\(minted.stderr)")
        let jti = try #require(try F.segment(minted.stdout, 1)["jti"] as? String)
        let refused = F.mint("purge-cdn", key: key, ["--audit", log])
        #expect(refused.status == 1)

        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3, "the allowing decision, the mint, the refusal")
        let allowing = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(allowing["kind"] as? String == "decision")
        #expect(allowing["step"] as? String == "deploy-prod")
        #expect(allowing["outcome"] as? String == "mutate")
        // The same spelling as `eval --audit`: every field of the decision.
        #expect(allowing["label"] as? String == "mutate:staging-validation")
        #expect(allowing["clock"] as? String == F.nowText)
        #expect(allowing["risk"] as? String == "high")
        #expect(allowing["tier"] as? String == "strict")
        #expect((allowing["reason"] as? String)?.isEmpty == false)
        let mint = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(mint["kind"] as? String == "mint")
        #expect(mint["plan"] as? String == "storefront-release-7.3")
        #expect(mint["step"] as? String == "deploy-prod")
        #expect(mint["principal"] as? String == "Agent::\"release-bot\"")
        #expect(mint["action"] as? String == "deploy.validate")
        #expect(mint["resource"] as? String == "Service::\"storefront-staging\"")
        #expect(mint["outcome"] as? String == "mutate")
        #expect(mint["policies"] as? [String] == ["prod-deploys-need-release-manager"])
        #expect(mint["jti"] as? String == jti)
        #expect(mint["exp"] as? String == "2027-01-15T08:05:00Z")
        #expect(mint["label"] as? String == "mutate:staging-validation")
        #expect(mint["allowed_by"] as? [String] == ["release-agents-ship"])
        let decision = try #require(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        #expect(decision["kind"] as? String == "decision")
        #expect(decision["outcome"] as? String == "deny")
        #expect(decision["policies"] as? [String] == ["no-agent-cdn-purges"])
        #expect(decision["label"] as? String == "deny")
        #expect((decision["reason"] as? String)?.isEmpty == false)
    }
}

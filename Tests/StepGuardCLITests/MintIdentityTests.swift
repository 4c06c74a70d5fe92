import Foundation
import Testing
@testable import StepGuardCLI

/// `mint --identity TOKEN --trust FILE` over the ci-deploy and spiffe-agent examples, whose
/// tokens are issued at 2027-01-15T08:00:00Z for ten minutes.
@Suite struct MintIdentityTests {
    typealias F = CredentialFixtures
    /// A copy of the examples whose tiers demand no audit log: these tests are about the
    /// identity, and what the tiers demand of mint is tested on its own (TierTests).
    static let examples: URL = {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-identity-\(UUID().uuidString)")
        try! FileManager.default.copyItem(at: Repository.root.appendingPathComponent("policies/examples"), to: copy)
        for name in ["ci-deploy", "spiffe-agent"] {
            try! CredentialFixtures.relaxTiers(inExample: copy.appendingPathComponent(name).path, because: "identity tests")
        }
        return copy
    }()
    static let now = "2027-01-15T08:01:00Z"

    static func path(_ relative: String) -> String { examples.appendingPathComponent(relative).path }

    static func mintCI(_ token: String, step: String = "deploy-prod", key: String, _ extra: [String] = []) -> RunResult {
        runCLI(["mint", "--key", key, "--policies", path("ci-deploy"), "--plan", path("ci-deploy/plan.json"), "--step", step,
                "--identity", "@" + path("ci-deploy/tokens/\(token).jwt"),
                "--trust", path("ci-deploy/trust/github-actions.trust.json"), "--now", now] + extra)
    }

    static func mintSVID(_ token: String, key: String, _ extra: [String] = []) -> RunResult {
        runCLI(["mint", "--key", key, "--policies", path("spiffe-agent"), "--plan", path("spiffe-agent/plan.json"), "--step", "read-report",
                "--identity", "@" + path("spiffe-agent/tokens/\(token).jwt"),
                "--trust", path("spiffe-agent/trust/corp.example.trust.json"), "--now", now] + extra)
    }

    @Test func mainBranchJobGetsAProductionDeployCredential() throws {
        let dir = try F.temporaryDirectory()
        let result = Self.mintCI("main", key: try F.key(in: dir), ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let claims = try #require(object["claims"] as? [String: Any])
        #expect(claims["sub"] as? String == "spiffe://ci.acme.example/github/acme/web")
        #expect(claims["act"] as? [String: String] == [
            "sub": "repo:acme/web:ref:refs/heads/main", "iss": "https://token.actions.githubusercontent.com",
        ])
        let token = try String(contentsOfFile: Self.path("ci-deploy/tokens/main.jwt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // The digest of exactly the token presented, computed by sha256sum.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sh", "-c", "printf %s \"$0\" | sha256sum", token]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let digest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        process.waitUntilExit()
        #expect(claims["identity"] as? [String: String] == ["method": "oidc", "token_digest": "sha256:" + digest])
    }

    /// The policy reads the token's claims: a feature branch of the same repository is the
    /// same principal, and may deploy to staging, but not to production.
    @Test func featureBranchIsDeniedProductionByPolicy() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let prod = Self.mintCI("feature-branch", key: key)
        #expect(prod.status == 1)
        #expect(prod.stderr.contains("decided by \"prod-deploys-from-main-only\""), "\(prod.stderr)")
        let staging = Self.mintCI("feature-branch", step: "deploy-staging", key: key)
        #expect(staging.status == 0, "\(staging.stderr)")
    }

    /// The audit `mint` record says who was authenticated, as the credential does.
    @Test func auditMintRecordCarriesTheIdentity() throws {
        let dir = try F.temporaryDirectory()
        let log = dir.appendingPathComponent("audit.log").path
        let result = Self.mintSVID("report-bot", key: try F.key(in: dir), ["--audit", log, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let identity = try #require((object["claims"] as? [String: Any])?["identity"] as? [String: String])
        #expect(identity["method"] == "jwt-svid")
        let records = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let mint = try #require(records.first { $0["kind"] as? String == "mint" })
        #expect(mint["identity"] as? [String: String] == identity)
    }

    @Test(arguments: [
        ("expired", "expired"), ("wrong-audience", "audience_mismatch"), ("wrong-issuer", "issuer_mismatch"),
        ("unknown-kid", "unknown_key"), ("alg-mismatch", "alg_unsupported"), ("tampered", "bad_signature"),
        ("other-repository", "principal_mismatch"),
    ])
    func ciTokenRefusals(token: String, code: String) throws {
        let dir = try F.temporaryDirectory()
        let result = Self.mintCI(token, key: try F.key(in: dir), ["--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("nothing minted: identity refused:"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["minted"] as? Bool == false)
        #expect(object["code"] as? String == code)
    }

    @Test func svidOfThePrincipalGetsItsCredential() throws {
        let dir = try F.temporaryDirectory()
        let result = Self.mintSVID("report-bot", key: try F.key(in: dir))
        #expect(result.status == 0, "\(result.stderr)")
        let claims = try F.segment(result.stdout.trimmingCharacters(in: .newlines), 1)
        #expect(claims["sub"] as? String == "spiffe://corp.example/agents/report-bot")
        #expect(claims["act"] as? [String: String] == ["sub": "spiffe://corp.example/agents/report-bot"])
        #expect((claims["identity"] as? [String: String])?["method"] == "jwt-svid")
    }

    @Test(arguments: [
        ("mail-bot", "principal_mismatch"), ("expired", "expired"), ("wrong-audience", "audience_mismatch"),
        ("unknown-kid", "unknown_key"), ("alg-mismatch", "alg_key_mismatch"), ("foreign-domain", "trust_domain_mismatch"),
        ("alg-none", "alg_none"), ("alg-hmac", "alg_unsupported"),
    ])
    func svidRefusals(token: String, code: String) throws {
        let dir = try F.temporaryDirectory()
        let result = Self.mintSVID(token, key: try F.key(in: dir), ["--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["code"] as? String == code)
    }

    @Test func withoutIdentityMintRefusesUnlessTheDirectoryAllowsIt() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let refused = runCLI(["mint", "--key", key, "--policies", Self.path("spiffe-agent"), "--plan", Self.path("spiffe-agent/plan.json"), "--step", "read-report", "--now", Self.now])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--identity TOKEN --trust FILE"))
        #expect(refused.stderr.contains("allowUnauthenticated"))
        let noTrust = runCLI(["mint", "--key", key, "--policies", Self.path("spiffe-agent"), "--plan", Self.path("spiffe-agent/plan.json"), "--step", "read-report",
                              "--identity", "x.y.z", "--now", Self.now])
        #expect(noTrust.status == 2)
        #expect(noTrust.stderr.contains("--identity needs --trust FILE"))
    }

    @Test func aPlanCannotSpeakForTheIdentity() throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(in: dir)
        let copy = dir.appendingPathComponent("spiffe-agent")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("spiffe-agent"), to: copy)
        let plan = copy.appendingPathComponent("plan.json")
        let text = try String(contentsOf: plan, encoding: .utf8).replacingOccurrences(
            of: "\"principal\": \"Agent::\\\"report-bot\\\"\",",
            with: "\"principal\": \"Agent::\\\"report-bot\\\"\", \"context\": {\"identity\": {\"ref\": \"refs/heads/main\"}},")
        try text.write(to: plan, atomically: true, encoding: .utf8)
        let result = runCLI(["mint", "--key", key, "--policies", copy.path, "--plan", plan.path, "--step", "read-report",
                             "--identity", "@" + Self.path("spiffe-agent/tokens/report-bot.jwt"),
                             "--trust", Self.path("spiffe-agent/trust/corp.example.trust.json"), "--now", Self.now])
        #expect(result.status == 2)
        #expect(result.stderr.contains("context key \"identity\" is set by stepguard"), "\(result.stderr)")
    }

    @Test func aBrokenTrustFileNamesItsPlace() throws {
        let dir = try F.temporaryDirectory()
        let trust = dir.appendingPathComponent("bad.trust.json")
        try "{\"kind\": \"spiffe\",\n \"audience\": 7}".write(to: trust, atomically: true, encoding: .utf8)
        let result = runCLI(["mint", "--key", try F.key(in: dir), "--policies", Self.path("spiffe-agent"), "--plan", Self.path("spiffe-agent/plan.json"),
                             "--step", "read-report", "--identity", "a.b.c", "--trust", trust.path, "--now", Self.now])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.trust.json:2:14: \"audience\" must be a non-empty string"), "\(result.stderr)")
    }
}

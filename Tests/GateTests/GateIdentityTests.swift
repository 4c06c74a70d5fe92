import Crypto
import Foundation
import Testing

/// `gate --identity TOKEN --trust FILE`: the agent's JWT-SVID, verified at each call, must be the
/// host's principal; its claims reach policies and its digest the decision record.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct GateIdentityTests {
    static let spiffe = Repository.root.appendingPathComponent("policies/examples/spiffe-agent")
    static let trust = spiffe.appendingPathComponent("trust/corp.example.trust.json").path
    /// Inside the example tokens' lifetime (issued 2027-01-15T08:00:00Z, ten minutes).
    static let now = "2027-01-15T08:01:00Z"

    /// The coding-agent project, its principal given the SPIFFE ID of the example's report-bot.
    static func project(policy: String? = nil) throws -> Project {
        let project = try Project()
        try """
            [{ "uid": { "type": "Agent", "id": "claude-code" },
               "attrs": { "spiffe_id": "spiffe://corp.example/agents/report-bot" }, "parents": [] }]
            """.write(toFile: project.policies + "/entities.json", atomically: true, encoding: .utf8)
        if let policy { try policy.write(toFile: project.policies + "/identity.cedar", atomically: true, encoding: .utf8) }
        return project
    }

    static func token(_ name: String) -> String { "@" + spiffe.appendingPathComponent("tokens/\(name).jwt").path }

    static func gate(_ project: Project, _ extra: [String], environment: [String: String] = [:]) throws -> RunResult {
        try runStepguard(
            ["gate", "--host", "claude-code", "--now", now] + extra, input: try project.event("pre-read-source"), environment: environment)
    }

    static func records(_ project: Project) throws -> [[String: Any]] {
        try String(contentsOfFile: project.log, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The token's text and the digest a record must carry of it.
    static func tokenText(_ name: String) throws -> (token: String, digest: String) {
        let token = try String(contentsOf: spiffe.appendingPathComponent("tokens/\(name).jwt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (token, "sha256:" + Hex.encode(SHA256.hash(Array(token.utf8))))
    }

    @Test func matchingPrincipalIsDecidedAndRecorded() throws {
        let project = try Self.project()
        defer { project.remove() }
        let result = try Self.gate(project, ["--identity", Self.token("report-bot"), "--trust", Self.trust])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let decision = try #require(try Self.records(project).last)
        #expect(decision["kind"] as? String == "decision")
        #expect(decision["outcome"] as? String == "allow")
        let identity = try #require(decision["identity"] as? [String: Any])
        #expect(identity["method"] as? String == "jwt-svid")
        let (token, digest) = try Self.tokenText("report-bot")
        #expect(identity["token_digest"] as? String == digest)
        // The same token from the environment, as a hook's fixed command line passes it.
        let fromEnvironment = try Self.gate(project, ["--trust", Self.trust], environment: ["STEPGUARD_IDENTITY": token])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        let second = try #require(try Self.records(project).last)
        #expect((second["identity"] as? [String: Any])?["token_digest"] as? String == digest)
    }

    @Test func claimsReachPoliciesAsContextIdentity() throws {
        let project = try Self.project(policy: """
            @id("report-bot-reads-nothing")
            @reason("the report bot reads nothing here")
            forbid (principal, action, resource)
            when { context has identity && context.identity.subject == "spiffe://corp.example/agents/report-bot" };
            """)
        defer { project.remove() }
        let denied = try Self.gate(project, ["--identity", Self.token("report-bot"), "--trust", Self.trust])
        #expect(denied.status == 0, "\(denied.stderr)")
        #expect(denied.hookOutput?["permissionDecision"] as? String == "deny")
        #expect((denied.hookOutput?["permissionDecisionReason"] as? String)?.contains("report-bot-reads-nothing") == true)
        // Without an identity the gate decides as before: the policy does not apply.
        let plain = try Self.gate(project, [])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.isEmpty)
        #expect(try Self.records(project).last?["identity"] == nil)
    }

    @Test(arguments: [
        ("mail-bot", "spiffe://corp.example/agents/mail-bot"),
        ("expired", "expired"),
        ("alg-none", "none"),
    ])
    func refusedIdentityBlocks(_ token: String, _ mention: String) throws {
        let project = try Self.project()
        defer { project.remove() }
        let result = try Self.gate(project, ["--identity", Self.token(token), "--trust", Self.trust])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("identity refused"), "\(result.stderr)")
        #expect(result.stderr.contains(mention), "\(result.stderr)")
        let records = FileManager.default.fileExists(atPath: project.log) ? try Self.records(project) : []
        #expect(records.isEmpty)
    }

    @Test func unusableOptionsBlock() throws {
        let project = try Self.project()
        defer { project.remove() }
        let unreadable = try Self.gate(project, ["--identity", Self.token("report-bot"), "--trust", project.root + "/missing.json"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("missing.json"), "\(unreadable.stderr)")
        let stdin = try Self.gate(project, ["--identity", "-", "--trust", Self.trust])
        #expect(stdin.status == 2)
        #expect(stdin.stderr.contains("stdin is the hook event"), "\(stdin.stderr)")
        let noTrust = try Self.gate(project, ["--identity", Self.token("report-bot")])
        #expect(noTrust.status == 2)
        #expect(noTrust.stderr.contains("--trust"), "\(noTrust.stderr)")
    }
}

import Foundation
import Testing

/// DESIGN §6 through the real process: a forbid that raises an error on a step holds in the
/// commands that let a step run, and only `authorize` keeps Cedar's skip.
struct ErroringForbidTests {
    typealias F = CredentialFixtures

    /// The release example plus a forbid on `ci.build` that reads a misspelt attribute (an
    /// error on every step it matches) and asks for an approval it must not get.
    static func policies(in directory: URL) throws -> URL {
        let copy = try F.releaseCopy(in: directory)
        try """
            @id("typo-guard")
            @owner("platform-security")
            @approve("release-managers")
            forbid (principal, action == Action::"ci.build", resource)
            when { resource.enviroment == "production" };

            """.write(to: copy.appendingPathComponent("40-typo.cedar"), atomically: true, encoding: .utf8)
        return copy
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func evalDeniesAndNamesThePolicyAndItsError() throws {
        let binary = try #require(stepguardBinary)
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policies = try Self.policies(in: directory)
        let plan = policies.appendingPathComponent("plan.json").path
        let result = try #require(runProcess(binary, ["eval", plan, "--now", F.nowText, "--format", "json"]))
        #expect(result.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let steps = try #require(document["steps"] as? [[String: Any]])
        let build = try #require(steps.first { $0["id"] as? String == "build" })
        #expect(build["outcome"] as? String == "deny")
        #expect(build["policies"] as? [String] == ["typo-guard"])
        #expect(build["approval"] is NSNull)
        let reason = try #require(build["reason"] as? String)
        #expect(reason.hasPrefix("forbid \"typo-guard\" raised an error, so it holds: "))
        #expect(reason.contains("enviroment"))
        // The text report names it too, on stdout (the row) and stderr (the warning).
        let text = try #require(runProcess(binary, ["eval", plan, "--now", F.nowText], environment: ["NO_COLOR": "1"]))
        #expect(text.status == 1)
        #expect(text.stdout.contains("typo-guard"))
        #expect(text.stderr.contains("warning: forbid \"typo-guard\" raised an error on step \"build\" and holds: "))
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func mintMintsNothing() throws {
        let binary = try #require(stepguardBinary)
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policies = try Self.policies(in: directory)
        let log = directory.appendingPathComponent("audit.jsonl").path
        let result = try #require(runProcess(binary, [
            "mint", "--key", try F.key(in: directory), "--policies", policies.path, "--plan", policies.appendingPathComponent("plan.json").path,
            "--step", "build", "--now", F.nowText, "--audit", log,
        ]))
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("nothing minted: step \"build\" is deny, decided by \"typo-guard\""))
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(record["kind"] as? String == "decision")
        #expect(record["outcome"] as? String == "deny")
        #expect((record["reason"] as? String)?.contains("raised an error") == true)
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func authorizeKeepsCedarsSkip() throws {
        let binary = try #require(stepguardBinary)
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policies = try Self.policies(in: directory)
        let result = try #require(runProcess(binary, [
            "authorize", "-p", policies.path, "--entities", policies.appendingPathComponent("entities.json").path,
            "--principal", #"Agent::"release-bot""#, "--action", #"Action::"ci.build""#, "--resource", #"Repo::"storefront""#,
            "--format", "json",
        ]))
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""decision":"allow""#))
        #expect(result.stdout.contains("typo-guard"))
    }
}

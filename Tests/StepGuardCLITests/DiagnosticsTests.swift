import Foundation
import Testing
@testable import StepGuardCLI

/// Error messages point the right way: what the input is comes before advice about it.
struct DiagnosticsTests {
    typealias F = CredentialFixtures

    @Test func aPublicKeyGivenToMintIsNamedBeforeAnyPermissionAdvice() throws {
        let result = runCLI(["mint", "-k", F.publicKey, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", F.nowText])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("this is a public key"), "\(result.stderr)")
        #expect(!result.stderr.contains("chmod"), "no advice to chmod a public key: \(result.stderr)")
    }

    @Test func aDirectoryGivenToMintIsNamed() throws {
        let dir = try F.temporaryDirectory()
        let result = runCLI(["mint", "-k", dir.path, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", F.nowText])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is a directory; pass the private key file itself"), "\(result.stderr)")
        #expect(!result.stderr.contains("chmod"))
    }

    @Test func aFileWhereTestWantsADirectoryIsNamed() {
        let result = runCLI(["test", F.plan])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is a file, not a directory; give the policy directory that holds it"), "\(result.stderr)")
    }

    @Test func aRepeatedStepIDIsADuplicateNotASelfNeed() throws {
        let dir = try F.temporaryDirectory()
        let plan = dir.appendingPathComponent("plan.json").path
        try #"{"plan":"p","principal":"Agent::\"release-bot\"","steps":[{"id":"a","action":"ci.build","resource":"Repo::\"storefront\""},{"id":"a","action":"ci.build","resource":"Repo::\"storefront\"","needs":["a"]}]}"#
            .write(toFile: plan, atomically: true, encoding: .utf8)
        let result = runCLI(["eval", plan, "--policies", F.release.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("duplicate step id \"a\""), "\(result.stderr)")
        #expect(!result.stderr.contains("needs itself"))
    }

    @Test func anEmptyPolicyFileIsValidAndCanonical() throws {
        let dir = try F.temporaryDirectory()
        let file = dir.appendingPathComponent("empty.cedar").path
        try "".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(runCLI(["fmt", "--check", file]).status == 0, "fmt agrees with lint: nothing to change")
        #expect(runCLI(["lint", file]).status == 0)
    }
}

import Foundation
import Testing
@testable import StepGuardCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `lint` reads a policy directory by the rules every other command reads it by
/// (`PolicyDirectory`): which files, which schema, hidden files, links, entries that are not
/// regular files.
struct PolicyDirectoryRulesTests {
    typealias F = CredentialFixtures

    /// A copy of the release example, its plan, and the commands that read its directory.
    static func release(_ files: [String: String] = [:]) throws -> (dir: URL, policies: URL, plan: String, commands: [[String]]) {
        let dir = try F.temporaryDirectory()
        let policies = try F.releaseCopy(in: dir)
        for (name, text) in files { try text.write(to: policies.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let plan = policies.appendingPathComponent("plan.json").path
        let schema = dir.appendingPathComponent("given.cedarschema")
        try "entity Agent;\n".write(to: schema, atomically: true, encoding: .utf8)
        let commands: [[String]] = [
            ["eval", plan, "--policies", policies.path, "--now", F.nowText],
            ["lint", policies.path],
            ["validate", "--policies", policies.path, "--schema", schema.path],
            ["test", policies.path],
            ["fmt", "--check", dir.path],
        ]
        return (dir, policies, plan, commands)
    }

    /// A FIFO named like a policy is refused by name, before anything is opened, by every
    /// command: lint no longer lints it as an empty file.
    @Test func anEntryThatIsNotARegularFileIsRefusedEverywhere() throws {
        let (dir, policies, _, commands) = try Self.release()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = policies.appendingPathComponent("50-pipe.cedar").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        for command in commands {
            let result = runCLI(command)
            #expect(result.status == 2, "\(command[0]): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("\"\(fifo)\" is not a regular file; a policy directory holds only files"), "\(command[0]): \(result.stderr)")
        }
        #expect(Date().timeIntervalSince(started) < 60, "a FIFO blocked a reader")
    }

    /// A hidden policy file is refused by name by fmt as by every other command, in a
    /// directory it walks to as well as in the one it is given.
    @Test func fmtRefusesAHiddenPolicyFileItWalksTo() throws {
        let (dir, policies, _, _) = try Self.release([".zz-hotfix.cedar": "permit (principal, action, resource);\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        for command in [["fmt", "--check", dir.path], ["fmt", "--check", policies.path], ["lint", dir.path]] {
            let result = runCLI(command)
            #expect(result.status == 2, "\(command): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("zz-hotfix.cedar\" is a hidden policy file"), "\(command): \(result.stderr)")
        }
        try FileManager.default.removeItem(at: policies.appendingPathComponent(".zz-hotfix.cedar"))
        try FileManager.default.createSymbolicLink(atPath: policies.appendingPathComponent("loop").path, withDestinationPath: dir.path)
        let check = runCLI(["fmt", "--check", dir.path])
        #expect(check.status != 2, "\(check.stderr)")
    }

    /// The schema is `schema.cedarschema`, else `schema.cedarschema.json`, for lint as for
    /// every command: another `*.cedarschema` beside it is checked on its own, and no policy is
    /// validated against it.
    @Test func onlyTheConventionalSchemaIsTheDirectorysSchema() throws {
        // Declares no actions: every policy would fail validation against it.
        let (dir, policies, _, _) = try Self.release(["fragment.cedarschema": "entity Agent;\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        // (The fixture's own findings, SG2xx, make it exit 1.)
        let lint = runCLI(["lint", "--format", "json", policies.path])
        #expect(lint.status == 1, "\(lint.stdout)")
        #expect(!lint.stdout.contains("SG102") && !lint.stdout.contains("SG101"), "\(lint.stdout)")
        let validate = runCLI(["validate", "-p", policies.path])
        #expect(validate.status == 2 && validate.stderr.contains("no schema to validate against"), "\(validate.stderr)")

        // A broken schema file is still reported where lint finds it.
        try "entity A in [A".write(to: policies.appendingPathComponent("fragment.cedarschema"), atomically: true, encoding: .utf8)
        let broken = runCLI(["lint", policies.path])
        #expect(broken.status == 2)
        #expect(broken.stdout.contains("fragment.cedarschema:1:") && broken.stdout.contains("[SG101]"), "\(broken.stdout)")

        // With schema.cedarschema present, it is the schema, whatever else is beside it.
        try "entity Agent;\n".write(to: policies.appendingPathComponent("fragment.cedarschema"), atomically: true, encoding: .utf8)
        let schema = ExampleSchemaTests.release + "/schema.cedarschema"
        try FileManager.default.copyItem(atPath: schema, toPath: policies.appendingPathComponent("schema.cedarschema").path)
        try "{}".write(to: policies.appendingPathComponent("schema.cedarschema.json"), atomically: true, encoding: .utf8)
        let both = runCLI(["lint", "--format", "json", policies.path])
        #expect(both.status == 1, "\(both.stdout)")
        #expect(!both.stdout.contains("SG102") && !both.stdout.contains("SG101"), "\(both.stdout)")
        let validated = runCLI(["validate", "-p", policies.path])
        #expect(validated.stdout.hasSuffix("schema.cedarschema\n"), "\(validated.stdout)")
    }

    /// A linked policy file is read as the file it points to, by lint as by eval; a link back
    /// up the tree is not walked twice.
    @Test func linksAreFollowedOnceByLintAsByEveryCommand() throws {
        let (dir, policies, plan, _) = try Self.release()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = runCLI(["lint", "--format", "json", dir.path])
        let outside = dir.appendingPathComponent("elsewhere.txt")
        try """
            @id("no-announcements") @owner("comms") @reason("quiet period")
            forbid (principal, action == Action::"chat.post", resource);

            """.write(to: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: policies.appendingPathComponent("60-linked.cedar").path, withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: policies.appendingPathComponent("loop").path, withDestinationPath: dir.path)

        let eval = runCLI(["eval", plan, "--policies", policies.path, "--now", F.nowText, "--format", "json"])
        #expect(eval.stdout.contains("no-announcements"), "eval reads the linked policy")
        let lint = runCLI(["lint", "--format", "json", dir.path])
        func files(_ result: RunResult) throws -> Int {
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return try #require((report["summary"] as? [String: Any])?["files"] as? Int)
        }
        // One more file (the link), not the whole tree again through `loop`.
        #expect(try files(lint) == files(before) + 1, "\(lint.stdout)")
        #expect(!lint.stdout.contains("SG204") && !lint.stdout.contains("duplicate"), "\(lint.stdout)")
    }
}

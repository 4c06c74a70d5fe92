import Foundation
import Testing
@testable import StepGuardCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct FmtCommandTests {
    static let messy = """
        // who may read
        @id("read-platform")
        permit(principal in Team::"platform",action==Action::"read",resource);
        forbid (principal, action, resource) when { resource.env == "prod" && context has ticket && !(context.ticket like "CHG-*") };

        """

    @Test func printsTheCanonicalFormToStandardOutput() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("messy.cedar", Self.messy)
        let result = w.run(["fmt", w.path("messy.cedar")])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        try expectGolden("fmt-messy.cedar", result.stdout)
        // Printing changes nothing on disk.
        #expect(try w.read("messy.cedar") == Self.messy)
    }

    @Test func checkPrintsADiffAndExitsOne() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("messy.cedar", Self.messy)
        let result = w.run(["fmt", "--check", w.path("messy.cedar")])
        #expect(result.status == 1)
        try expectGolden("fmt-check.diff", result.stdout)
        #expect(result.stderr.contains("1 of 1 file not in canonical form"))
        #expect(try w.read("messy.cedar") == Self.messy)
    }

    @Test func writeIsIdempotentAndTouchesOnlyChangedFiles() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try FileManager.default.createDirectory(atPath: w.path("tree/nested"), withIntermediateDirectories: true)
        try w.write("tree/nested/messy.cedar", Self.messy)
        let first = w.run(["fmt", "-w", w.path("tree")])
        #expect(first.status == 0)
        #expect(first.stdout.isEmpty)
        #expect(first.stderr == "formatted tree/nested/messy.cedar\n")
        let formatted = try w.read("tree/nested/messy.cedar")
        let printed = w.run(["fmt", w.path("tree/nested/messy.cedar")])
        #expect(printed.stdout == formatted)

        let before = try FileManager.default.attributesOfItem(atPath: w.path("tree/nested/messy.cedar"))
        let second = w.run(["fmt", "-w", w.path("tree")])
        #expect(second.status == 0)
        #expect(second.stderr.isEmpty)
        #expect(try w.read("tree/nested/messy.cedar") == formatted)
        let after = try FileManager.default.attributesOfItem(atPath: w.path("tree/nested/messy.cedar"))
        // Not rewritten: the same inode (an atomic rewrite would be a new file).
        #expect((before[.systemFileNumber] as? Int) == (after[.systemFileNumber] as? Int))

        let check = w.run(["fmt", "--check", w.path("tree")])
        #expect(check.status == 0)
        #expect(check.stdout.isEmpty)
    }

    /// A directory is listed by the rule every command follows: a hidden policy file is refused
    /// by name (exit 2, nothing written), never passed over in silence; a hidden directory is not
    /// a policy file and is not entered.
    @Test func hiddenPolicyFilesAreRefusedNotSkipped() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try FileManager.default.createDirectory(atPath: w.path("tree/nested"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: w.path("tree/.git"), withIntermediateDirectories: true)
        try w.write("tree/messy.cedar", Self.messy)
        try w.write("tree/.git/stash.cedar", Self.messy)
        let clean = w.run(["fmt", "--check", w.path("tree")])
        #expect(clean.status == 1)
        #expect(clean.stderr.contains("1 of 1 file not in canonical form"), "\(clean.stderr)")

        try w.write("tree/nested/.zz-hotfix.cedar", "permit (principal, action, resource);\n")
        for mode in [["--check"], ["-w"], []] {
            let result = w.run(["fmt"] + mode + [w.path("tree")])
            #expect(result.status == 2, "\(mode): \(result.stderr)")
            #expect(result.stderr.contains("nested/.zz-hotfix.cedar\" is a hidden policy file"), "\(mode): \(result.stderr)")
        }
        #expect(try w.read("tree/messy.cedar") == Self.messy, "nothing written")
        #expect(mkfifo(w.path("tree/pipe.cedar"), 0o600) == 0)
        try FileManager.default.removeItem(atPath: w.path("tree/nested/.zz-hotfix.cedar"))
        let fifo = w.run(["fmt", "--check", w.path("tree")])
        #expect(fifo.status == 2)
        #expect(fifo.stderr.contains("pipe.cedar\" is not a regular file"), "\(fifo.stderr)")
    }

    @Test func parseErrorExitsTwoWithTheLocation() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("broken.cedar", "permit (principal, action, resource)\nwhen { resource.env == \"prod };\n")
        try w.write("messy.cedar", Self.messy)
        let result = w.run(["fmt", "-w", w.path("broken.cedar"), w.path("messy.cedar")])
        #expect(result.status == 2)
        try expectGolden("fmt-parse-error.stderr.txt", result.stderr)
        // The file that parsed is still formatted; the broken one is left alone.
        #expect(try w.read("messy.cedar") != Self.messy)
        #expect(try w.read("broken.cedar") == "permit (principal, action, resource)\nwhen { resource.env == \"prod };\n")
    }

    @Test func invalidUTF8IsNotRewritten() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let bytes = Array("permit (principal, action, resource) when { \"".utf8) + [0xFF] + Array("\" };\n".utf8)
        try w.write("latin1.cedar", bytes: bytes)
        let result = w.run(["fmt", "-w", w.path("latin1.cedar")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("latin1.cedar:1:"))
        #expect(result.stderr.contains("UTF-8"))
        #expect(try Data(contentsOf: w.directory.appendingPathComponent("latin1.cedar")) == Data(bytes))
    }

    @Test func standardInput() throws {
        let result = runCLI(["fmt", "-"], input: Self.messy)
        #expect(result.status == 0)
        let check = runCLI(["fmt", "--check", "-"], input: result.stdout)
        #expect(check.status == 0)
        let write = runCLI(["fmt", "-w", "-"], input: Self.messy)
        #expect(write.status == 2)
        #expect(write.stderr.contains("--write cannot rewrite stdin"))
    }

    @Test func jsonReport() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("messy.cedar", Self.messy)
        let result = w.run(["fmt", "--check", "--format", "json", w.path("messy.cedar"), w.path("policies/errors.cedar")])
        #expect(result.status == 1)
        try expectGolden("fmt-check.json", result.stdout)
    }
}

import Foundation
import Testing
@testable import Lint

private let ownerless = """
    @id("read")
    @reason("r")
    permit(principal in G::"g", action == Action::"read", resource);
    """

@Test("rules can be turned off, on, and given another severity")
func ruleSettings() throws {
    let config = try LintConfiguration.parse(Array(#"{"lint": {"rules": {"SG201": "warning", "SG300": "off", "sg202": "on"}}}"#.utf8), file: "x/.stepguard.json")
    #expect(config.rules["SG201"] == .severity(.warning))
    #expect(config.rules["SG300"] == .off)
    #expect(config.rules["SG202"] == .on)
    let result = Linter.lint(files: ["d/p.cedar": ownerless], configuration: config)
    #expect(result.findings.map(\.ruleID) == ["SG201"])
    #expect(result.findings.first?.severity == .warning)
    #expect(!result.failed)
    #expect(config.baseDirectory == "x")
}

@Test("strict makes warnings fail; failLevel sets the threshold; none never fails")
func failLevels() throws {
    let warningOnly = try LintConfiguration.parse(Array(#"{"lint": {"rules": {"SG201": "warning"}}}"#.utf8), file: ".stepguard.json")
    #expect(Linter.lint(files: ["d/p.cedar": ownerless], configuration: warningOnly).exitCode == 0)
    var strict = warningOnly
    strict.strict = true
    #expect(Linter.lint(files: ["d/p.cedar": ownerless], configuration: strict).exitCode == 1)
    let info = try LintConfiguration.parse(Array(#"{"lint": {"failLevel": "info"}}"#.utf8), file: ".stepguard.json")
    let noReason = Linter.lint(files: ["d/p.cedar": "@id(\"a\")\n@owner(\"o\")\npermit(principal in G::\"g\", action, resource);"], configuration: info)
    #expect(noReason.findings.map(\.ruleID) == ["SG300"] && noReason.failed)
    let never = try LintConfiguration.parse(Array(#"{"lint": {"failLevel": "none"}}"#.utf8), file: ".stepguard.json")
    #expect(never.failLevel == nil)
    #expect(!Linter.lint(files: ["d/p.cedar": "permit(principal, action, resource);"], configuration: never).failed)
}

@Test("configuration errors are located and suggest the setting meant",
      arguments: [
        (#"{"lint": {"stirct": true}}"#, "1:21", "did you mean \"strict\""),
        (#"{"lint": {"rules": {"SG999": "off"}}}"#, "1:30", "unknown rule \"SG999\""),
        (#"{"lint": {"rules": {"SG201": "loud"}}}"#, "1:30", "\"loud\" is not valid"),
        (#"{"lint": {"failLevel": "fatal"}}"#, "1:24", "failLevel"),
        (#"{"lint": {"ignore": "x"}}"#, "1:21", "array of path globs"),
        (#"{"lint": "#, "1:10", "expected a value"),
      ])
func configurationErrors(text: String, location: String, fragment: String) {
    do {
        _ = try LintConfiguration.parse(Array(text.utf8), file: "c.json")
        Issue.record("expected an error")
    } catch {
        #expect(error.description.hasPrefix("c.json:\(location):"), "\(error)")
        #expect(error.description.contains(fragment), "\(error)")
    }
}

@Test("ignore globs skip files and directories")
func ignoreGlobs() throws {
    let config = try LintConfiguration.parse(Array(#"{"lint": {"ignore": ["legacy/**", "*.draft.cedar"]}}"#.utf8), file: ".stepguard.json")
    let files = MemoryFileSystem([
        "legacy/old.cedar": "permit(principal, action, resource);",
        "live/wip.draft.cedar": "permit(principal, action, resource);",
        "live/p.cedar": ownerless,
    ])
    let result = try Linter.lint(paths: ["."], configuration: config, fileSystem: files)
    #expect(result.files == ["live/p.cedar"])
    #expect(globMatches("legacy/**", "legacy/a/b.cedar"))
    #expect(globMatches("*.cedar", "a/b/c.cedar"))
    #expect(!globMatches("a/*.cedar", "a/b/c.cedar"))
    #expect(globMatches("a/**/c.cedar", "a/c.cedar"))
    #expect(globMatches("p?.cedar", "x/p1.cedar"))
}

@Test(".stepguard.json is found by walking up from the working directory")
func discovery() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-config-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root + "/a/b", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    #expect(FileManager.default.createFile(atPath: root + "/.stepguard.json", contents: Data(#"{"lint": {"strict": true}}"#.utf8)))
    let found = try LintConfiguration.discover(from: root + "/a/b")
    #expect(found.strict && found.file == root + "/.stepguard.json" && found.baseDirectory == root)
    let none = try LintConfiguration.discover(from: "/", fileSystem: MemoryFileSystem([:]))
    #expect(none.file == nil && !none.strict)
}

@Test("inline suppression: a reason is required, and it covers the policy, the line, or the next line")
func suppression() {
    let text = """
        // stepguard:ignore SG201 -- owned by the vendor
        @id("a")
        @reason("r")
        permit(principal in G::"g", action == Action::"a1", resource);

        @id("b")
        @reason("r")
        permit(principal in G::"g", action == Action::"a2", resource); // stepguard:ignore SG201 -- same line

        // stepguard:ignore SG201
        @id("c")
        @reason("r")
        permit(principal in G::"g", action == Action::"a3", resource);

        // stepguard:ignore SG2O1 -- typo in the id
        @id("d")
        @reason("r")
        permit(principal in G::"g", action == Action::"a4", resource);
        """
    let result = Linter.lint(files: ["d/p.cedar": text])
    #expect(result.suppressed.map(\.finding.range.startLine) == [4, 8])
    #expect(result.suppressed.map(\.reason) == ["owned by the vendor", "same line"])
    let reported = result.findings.map { "\($0.ruleID)@\($0.range.startLine)" }
    #expect(reported == ["SG212@10", "SG201@13", "SG212@15", "SG201@18"], "\(reported)")
    #expect(result.findings.first { $0.range.startLine == 15 }?.hint == "did you mean \"SG201\"?")

    var off = LintConfiguration()
    off.allowInlineSuppression = false
    let strict = Linter.lint(files: ["d/p.cedar": text], configuration: off)
    #expect(strict.suppressed.isEmpty)
    #expect(strict.findings.filter { $0.ruleID == "SG201" }.count == 4)
}

@Test("missing paths and unknown explicit files stop the run")
func inputErrors() {
    let files = MemoryFileSystem(["a/p.cedar": ownerless, "a/notes.txt": "x"])
    #expect(throws: LintError.missingPath("nope")) { try Linter.lint(paths: ["nope"], fileSystem: files) }
    #expect(throws: LintError.unsupportedFile("a/notes.txt")) { try Linter.lint(paths: ["a/notes.txt"], fileSystem: files) }
}

@Test("ignore patterns are relative to the configuration's directory, whether paths are relative or absolute")
func ignoreRelativeToConfiguration() {
    let cwd = FileManager.default.currentDirectoryPath
    var config = LintConfiguration(ignore: ["legacy/**"], baseDirectory: cwd)
    #expect(config.isIgnored("legacy/a.cedar"))
    #expect(config.isIgnored(cwd + "/legacy/a.cedar"))
    #expect(!config.isIgnored("live/a.cedar"))
    config.baseDirectory = "repo"
    #expect(config.isIgnored("repo/legacy/x/y.cedar"))
    #expect(!config.isIgnored("legacy/y.cedar"))
    #expect(relativePath("./repo//a/b.cedar", to: "repo/") == "a/b.cedar")
}

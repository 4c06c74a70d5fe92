import Basics
import Foundation
import Testing
@testable import StepGuardCLI

/// The lint fixtures: `mixed` (an error, a warning, an info and a suppressed finding),
/// `warnings` (a warning and an info), `clean`, and `configured` (a `.stepguard.json` above
/// `team/agents`).
enum LintFixtures {
    static let directory = Repository.testsDirectory.appendingPathComponent("Fixtures/lint")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs stepguard with the fixture directory's path turned back into relative names, so
    /// golden files do not depend on where the repository is checked out.
    static func run(_ arguments: [String], workingDirectory: String? = nil, environment: [String: String] = [:]) -> RunResult {
        var result = LintCommand.$workingDirectory.withValue(workingDirectory) {
            runCLI(arguments, environment: environment)
        }
        let prefix = directory.path + "/"
        for text in [\RunResult.stdout, \RunResult.stderr] {
            result[keyPath: text] = result[keyPath: text]
                .replacingOccurrences(of: "file://" + prefix, with: "")
                .replacingOccurrences(of: prefix, with: "")
        }
        return result
    }
}

struct LintCommandTests {
    typealias F = LintFixtures

    @Test func textReportAndExitOneOnAnError() throws {
        let result = F.run(["lint", F.path("mixed")])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        try expectGolden("lint-mixed.txt", result.stdout)
        #expect(result.stdout.contains("mixed/policies.cedar:8:1: error: [SG201]"))
        #expect(result.stdout.hasSuffix("1 file linted: 1 error, 1 warning, 1 info (1 suppressed)\n"))
    }

    @Test func jsonReport() throws {
        let result = F.run(["lint", "--format", "json", F.path("mixed")])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        try expectGolden("lint-mixed.json", result.stdout)
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "stepguard.lint/v1")
        #expect((object["findings"] as? [Any])?.count == 3)
        #expect((object["suppressed"] as? [Any])?.count == 1)
    }

    @Test func sarifReport() throws {
        let result = F.run(["lint", "--format", "sarif", F.path("mixed")])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        try expectGolden("lint-mixed.sarif", result.stdout)
        let log = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["version"] as? String == CLI.version)
        #expect((run["results"] as? [Any])?.count == 4, "three findings and one suppressed")
    }

    @Test func githubAnnotationsOnStdoutAndTheReportOnStderr() throws {
        let result = F.run(["lint", "--format", "github", F.path("mixed")])
        #expect(result.status == 1)
        try expectGolden("lint-mixed.github.txt", result.stdout)
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("::") })
        #expect(result.stdout.contains("::error file=mixed/policies.cedar,line=8,col=1,"))
        #expect(result.stdout.contains("::notice "))
        // The human report is the same as the text format's.
        #expect(result.stderr == F.run(["lint", F.path("mixed")]).stdout)
    }

    @Test func warningsPassUnlessStrict() {
        let plain = F.run(["lint", F.path("warnings")])
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("warning: [SG204]"))
        #expect(plain.stdout.hasSuffix("1 file linted: 0 errors, 1 warning, 1 info\n"))
        #expect(F.run(["lint", "--strict", F.path("warnings")]).status == 1)
    }

    @Test(arguments: [
        ("mixed", "error", Int32(1)), ("mixed", "none", 0), ("warnings", "error", 0),
        ("warnings", "warning", 1), ("warnings", "info", 1), ("clean", "info", 0),
    ])
    func failLevel(fixture: String, level: String, status: Int32) {
        let result = F.run(["lint", "--fail-level", level, F.path(fixture)])
        #expect(result.status == status, "\(fixture) at --fail-level \(level)")
    }

    @Test func strictAndFailLevelAreExclusive() {
        let result = F.run(["lint", "--strict", "--fail-level", "info", F.path("clean")])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
    }

    @Test func quietPrintsOnlyFailingFindingsAndTheSummary() {
        let result = F.run(["lint", "-q", F.path("mixed")])
        #expect(result.status == 1)
        #expect(result.stdout.contains("[SG201]"))
        #expect(!result.stdout.contains("[SG204]"))
        #expect(!result.stdout.contains("[SG300]"))
        #expect(result.stdout.hasSuffix("1 file linted: 1 error, 1 warning, 1 info (1 suppressed)\n"))
    }

    @Test func colourFollowsTheSeverity() {
        let result = F.run(["lint", "--color", "always", F.path("mixed")])
        #expect(result.stdout.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        #expect(result.stdout.contains("\u{1B}[1;33mwarning:\u{1B}[0m"))
        // auto: colour on a terminal, unless NO_COLOR is set; never on a pipe.
        let terminal = runCLI(["lint", F.path("mixed")], stdoutIsTerminal: true)
        #expect(terminal.stdout.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        let noColor = runCLI(["lint", F.path("mixed")], environment: ["NO_COLOR": "1"], stdoutIsTerminal: true)
        #expect(!noColor.stdout.contains("\u{1B}["))
        #expect(!runCLI(["lint", F.path("mixed")]).stdout.contains("\u{1B}["))
        // github: the report on stderr is coloured by the state of stderr.
        let github = runCLI(["lint", "--format", "github", F.path("mixed")], stdoutIsTerminal: true, stderrIsTerminal: false)
        #expect(!github.stdout.contains("\u{1B}[") && !github.stderr.contains("\u{1B}["))
    }

    @Test func cleanDirectoryExitsZero() {
        let result = F.run(["lint", F.path("clean")])
        #expect(result.status == 0)
        #expect(result.stdout == "1 file linted: 0 errors, 0 warnings, 0 info\n")
    }

    @Test func baselinePackIsClean() {
        let baseline = Repository.root.appendingPathComponent("policies/baseline").path
        let result = runCLI(["lint", baseline])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains(" 0 errors, 0 warnings"))
    }

    @Test func shippedPoliciesAreClean() {
        // The examples carry two suppressions, each with its reason; nothing else is reported.
        let policies = Repository.root.appendingPathComponent("policies").path
        let result = runCLI(["lint", policies])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.hasSuffix(" linted: 0 errors, 0 warnings, 0 info (2 suppressed)\n"), "\(result.stdout)")
    }

    @Test func configurationIsFoundByWalkingUpFromTheWorkingDirectory() {
        let agents = F.path("configured/team/agents")
        // From inside the tree the configuration makes SG204 an error and turns SG300 off.
        let configured = F.run(["lint", agents], workingDirectory: agents)
        #expect(configured.status == 1)
        #expect(configured.stdout.contains("error: [SG204]"))
        #expect(!configured.stdout.contains("SG300"))
        // From outside it, the defaults apply.
        let outside = F.run(["lint", agents], workingDirectory: F.path("clean"))
        #expect(outside.status == 0)
        #expect(outside.stdout.contains("warning: [SG204]"))
        #expect(outside.stdout.contains("info: [SG300]"))
    }

    @Test func configurationFileOption() throws {
        let result = F.run(["lint", "--config", F.path("configured/.stepguard.json"), F.path("warnings")])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error: [SG204]"))
        // The command line overrides the file.
        let relaxed = F.run(["lint", "-c", F.path("configured/.stepguard.json"), "--disable", "SG204", F.path("warnings")])
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout == "1 file linted: 0 errors, 0 warnings, 0 info\n")
    }

    @Test func invalidConfigurationIsALocatedUsageError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(".stepguard.json")
        try Data("{\n  \"lint\": {\n    \"rulez\": {}\n  }\n}\n".utf8).write(to: file)
        let result = runCLI(["lint", "--config", file.path, F.path("clean")])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "stepguard: error: \(file.path):3:14: unknown lint setting \"rulez\"; did you mean \"rules\"? settings are allowInlineSuppression, annotations, failLevel, ignore, rules, strict\n")
        // Found by discovery, the same error.
        let discovered = F.run(["lint", F.path("clean")], workingDirectory: directory.path)
        #expect(discovered.status == 2)
        #expect(discovered.stderr.contains(".stepguard.json:3:14: unknown lint setting"))
        let missing = runCLI(["lint", "--config", directory.appendingPathComponent("absent.json").path, F.path("clean")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("does not exist"))
    }

    @Test func missingPathExitsTwo() {
        let result = F.run(["lint", F.path("nowhere")])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "stepguard: error: \"nowhere\" does not exist; pass policy files or directories to lint\n")
    }

    @Test func unknownRuleInAnOptionExitsTwo() {
        let result = F.run(["lint", "--disable", "SG2O4", F.path("clean")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown rule \"SG2O4\"; did you mean \"SG204\"?"))
    }

    @Test func explainPrintsTheRulesSectionOfTheReference() throws {
        let result = runCLI(["lint", "--explain", "SG201"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix("# SG201 missing-owner\n"))
        // The same text as docs/rules.md, two heading levels up.
        let reference = try String(contentsOf: Repository.root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let section = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("#") ? "##" + $0 : String($0) }.joined(separator: "\n")
        #expect(reference.contains(section))
        // Rule ids are not case-sensitive.
        #expect(runCLI(["lint", "--explain", "sg201"]).stdout == result.stdout)
    }

    @Test func explainOfAnUnknownRuleSuggestsTheNearest() {
        let result = runCLI(["lint", "--explain", "SG201x"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("unknown rule \"SG201x\"; did you mean \"SG201\"?"))
    }

    @Test func listRules() {
        let result = runCLI(["lint", "--list-rules"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("SG201"))
        #expect(result.stdout.contains("missing-owner"))
        #expect(result.stdout.split(separator: "\n").count >= 24)
    }
}

/// The real process in a working directory of its own: no PATH lints `.`, and the
/// configuration is found above it.
struct LintBinaryTests {
    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func lintsTheWorkingDirectoryWithTheConfigurationAboveIt() throws {
        let binary = try #require(stepguardBinary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["lint"]
        process.currentDirectoryURL = LintFixtures.directory.appendingPathComponent("configured/team/agents")
        process.environment = ["NO_COLOR": "1"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stdout = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(stdout.hasPrefix("policies.cedar:2:1: error: [SG204]"), "\(stdout)")
        #expect(stdout.hasSuffix("1 file linted: 1 error, 0 warnings, 0 info\n"))
    }
}

import AuditLog
import Foundation
import Lint
import Testing
@testable import StepGuardCLI

/// Inputs and golden files of the workflow commands (`eval`, `mutate`, `test`).
///
/// Commands run in-process with absolute paths; outputs are compared with the repository root
/// taken out, so the golden files read as if run from the root, as the README does.
enum WorkflowFixtures {
    static let root = Repository.root.path
    static let fixtures = Repository.testsDirectory.appendingPathComponent("Fixtures").path
    static let releaseDirectory = root + "/policies/examples/release-pipeline"
    static let releasePlan = releaseDirectory + "/plan.json"
    static let clock = "2026-11-20T09:00:00Z"

    /// Paths made relative to the repository root (file URIs included).
    static func normalize(_ text: String) -> String {
        text.replacingOccurrences(of: SARIFReporter.fileURI(root + "/"), with: "")
            .replacingOccurrences(of: root + "/", with: "")
    }

    /// Compares `text` with `Golden/<name>`; rewrites the file under `STEPGUARD_UPDATE_GOLDEN=1`.
    static func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Repository.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDEN"] == "1" {
            try AtomicFile.write(text, to: file.path)
            return
        }
        let golden = try? String(contentsOf: file, encoding: .utf8)
        #expect(golden != nil, "Golden/\(name) is missing; create it with STEPGUARD_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
        #expect(
            golden == nil || golden == text,
            "output differs from Golden/\(name); if intended, regenerate with STEPGUARD_UPDATE_GOLDEN=1 swift test --filter StepGuardCLITests",
            sourceLocation: sourceLocation)
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct EvalCommandTests {
    typealias F = WorkflowFixtures

    @Test("eval of the release example, pinned per format", arguments: [
        ("text", "eval-release-pipeline.txt"),
        ("json", "eval-release-pipeline.json"),
        ("sarif", "eval-release-pipeline.sarif"),
        ("github", "eval-release-pipeline.github.txt"),
    ])
    func goldenOutput(format: String, golden: String) throws {
        let result = runCLI(["eval", F.releasePlan, "--now", F.clock, "--format", format])
        #expect(result.status == 1)
        try F.expectGolden(F.normalize(result.stdout), golden)
        if format == "github" {
            // The annotations go to stdout; the human report to stderr.
            let text = runCLI(["eval", F.releasePlan, "--now", F.clock])
            #expect(result.stderr == text.stdout)
        } else {
            #expect(result.stderr.isEmpty)
        }
    }

    @Test func tableShowsEveryOutcomeTogether() {
        let result = runCLI(["eval", F.releasePlan, "--now", F.clock])
        let outcomes = result.stdout.split(separator: "\n").dropFirst().compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.map(String.init)
        }
        for outcome in ["allow", "mutate:staging-validation", "approve", "deny", "warn", "blocked"] {
            #expect(outcomes.contains(outcome), "no \(outcome) row in:\n\(result.stdout)")
        }
        #expect(result.stdout.contains("\n8 steps: 3 allow, 1 warn, 1 mutate, 1 approve, 1 deny, 1 blocked; risk high (strict: approvals required, full audit)\ntier strict (shipped defaults): "))
    }

    @Test func quietKeepsOnlyRowsNotAllowedAndTheSummary() {
        let result = runCLI(["eval", "-q", F.releasePlan, "--now", F.clock])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 8)  // header, 5 rows, the summary, the tier (split drops the blank line)
        #expect(!result.stdout.contains("\nbuild "))
        #expect(!result.stdout.contains("\nannounce "))
        #expect(result.stdout.contains("\npurge-cdn "))
        #expect(result.stdout.contains("\nrelease-notes "))
    }

    @Test func outcomesAreColouredWhenColourIsOn() {
        let coloured = runCLI(["eval", F.releasePlan, "--now", F.clock, "--color", "always"])
        #expect(coloured.stdout.contains("\u{1B}[1;31mdeny\u{1B}[0m"))
        #expect(coloured.stdout.contains("\u{1B}[32mallow\u{1B}[0m"))
        #expect(coloured.stdout.contains("\u{1B}[36mmutate:staging-validation\u{1B}[0m"))
        let plain = runCLI(["eval", F.releasePlan, "--now", F.clock], environment: ["NO_COLOR": "1"], stdoutIsTerminal: true)
        #expect(!plain.stdout.contains("\u{1B}["))
    }

    @Test func reasonsWrapToTheTerminalWidth() {
        let captured = Console.capturing(environment: ["NO_COLOR": "1"], outputIsTerminal: true, terminalWidth: 160)
        let status = CLI.run(arguments: ["eval", F.releasePlan, "--now", F.clock], console: captured.console)
        #expect(status == 1)
        let lines = captured.stdout.split(separator: "\n")
        let tableLines = lines.dropLast()  // the summary line is not part of the table
        #expect(tableLines.allSatisfy { DisplayWidth.of(String($0)) <= 160 })
        #expect(tableLines.count > 9)  // some reasons took a second line
    }

    @Test func everyStepAllowedExitsZero() {
        let result = runCLI(["eval", F.fixtures + "/allowed/plan.json", "-p", F.releaseDirectory, "--now", F.clock])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\n2 steps: 2 allow; risk medium (elevated: rewrites and denials audited)\ntier elevated (shipped defaults): 1 demand, 0 met\n"))
        let sarif = runCLI(["eval", F.fixtures + "/allowed/plan.json", "-p", F.releaseDirectory, "--format", "sarif"])
        #expect(sarif.status == 0)
        #expect(sarif.stdout.contains("\"results\": []"))
    }

    @Test func malformedPlanIsALocatedErrorWithACaret() {
        let plan = F.fixtures + "/malformed-plan.json"
        let result = runCLI(["eval", plan, "-p", F.releaseDirectory])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            \(plan):5:43: error: unexpected character '"': expected ',' or '}' in object
             5 |     { "id": "build", "action": "ci.build" "resource": "Repo::\\"storefront\\"" }
               |                                           ^

            """)
    }

    @Test func unknownActionIsLocatedAtTheAction() {
        let plan = F.fixtures + "/unknown-action-plan.json"
        let result = runCLI(["eval", plan, "-p", F.releaseDirectory])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("\(plan):6:31: error: unknown action \"ci.tset\"; did you mean \"ci.test\"?"))
        #expect(result.stderr.contains("\n   | " + String(repeating: " ", count: 30) + "^\n"))
    }

    @Test func inputsThatStopTheToolExitTwo() {
        #expect(runCLI(["eval", F.fixtures + "/no-such-plan.json", "-p", F.releaseDirectory]).status == 2)
        #expect(runCLI(["eval", F.releasePlan, "-p", F.fixtures + "/no-such-directory"]).status == 2)
        let badClock = runCLI(["eval", F.releasePlan, "--now", "tomorrow"])
        #expect(badClock.status == 2)
        #expect(badClock.stderr.contains("--now: \"tomorrow\" is not a time"))
    }

    /// eval, mint and audit append read `--now` one way: the same spellings of one instant give
    /// the same clock, and a day that does not exist is refused by all three.
    @Test(arguments: ["2027-01-15T08:00:00Z", "2027-01-15T09:00:00+01:00", "2027-01-15T08:00:00.250Z", "1800000000"])
    func everyCommandReadsNowAlike(_ now: String) throws {
        let eval = runCLI(["eval", F.releasePlan, "--now", now, "--format", "json"])
        #expect(eval.stdout.contains(#""clock": "2027-01-15T08:00:00Z""#), "\(eval.stderr)")
        let directory = try CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mint = runCLI([
            "mint", "--key", try CredentialFixtures.key(in: directory), "--policies", CredentialFixtures.release.path, "--plan", CredentialFixtures.plan, "--step", "build", "--now", now,
            "--format", "json",
        ])
        #expect(mint.status == 0, "\(mint.stderr)")
        #expect(mint.stdout.contains(#""expires_at": "2027-01-15T08:05:00Z""#))
        let log = directory.appendingPathComponent("audit.jsonl").path
        let append = runCLI(["audit", "append", log, "--now", now], input: #"{"kind":"execution","plan":"p","step":"s"}"#)
        #expect(append.status == 0, "\(append.stderr)")
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains(#""time":"2027-01-15T08:00:00"#))
    }

    @Test(arguments: [["eval", WorkflowFixtures.releasePlan], ["mint", "--key", "k", "--policies", WorkflowFixtures.releaseDirectory, "--plan", WorkflowFixtures.releasePlan, "--step", "build"],
                      ["audit", "append", "/nonexistent/log"]])
    func everyCommandRefusesADayThatDoesNotExist(_ command: [String]) {
        let result = runCLI(command + ["--now", "2027-02-29T08:00:00Z"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--now: \"2027-02-29T08:00:00Z\" is not a time"))
    }

    @Test func planFromStandardInput() throws {
        let text = try String(contentsOfFile: F.fixtures + "/allowed/plan.json", encoding: .utf8)
        let result = runCLI(["eval", "-", "-p", F.releaseDirectory, "--format", "json"], input: text)
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"file\": \"<stdin>\""))
    }

    @Test func auditRecordsVerify() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        for _ in 0..<2 {
            let result = runCLI(["eval", F.releasePlan, "--now", F.clock, "--audit", log])
            #expect(result.status == 1)
            #expect(result.stderr == "appended 9 records to \(log)\n")
        }
        let report = try AuditVerifier.verify(logAt: log)
        #expect(report.isIntact, "\(report.findings.map(\.message))")
        #expect(report.totalRecords == 18)
        #expect(report.validRecords == 18)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0.contains("\"kind\":\"decision\"") }.count == 16)
        let mutation = try #require(lines.first { $0.contains("\"kind\":\"mutation\"") })
        #expect(mutation.contains("\"step\":\"deploy-prod\""))
        #expect(mutation.contains("\"action\":\"deploy.validate\""))
        #expect(mutation.contains("\"outcome\":\"staging-validation\""))
        #expect(mutation.contains("\"policies\":[\"prod-deploys-need-release-manager\"]"))
        let held = try #require(lines.first { $0.contains("\"step\":\"rotate-signing-key\"") })
        #expect(held.contains("\"outcome\":\"approve\""))
        #expect(held.contains("\"sha256\":\"651f5df437b7ed7566faecdcbfdd47229febb0c37f952c40fdbc1004119b1acd\""))
        // `audit show` reads the held step as held, not as answered.
        let paths = try AuditLog.show(logAt: log)
        let status = paths.first?.steps.first { $0.step == "rotate-signing-key" }?.status
        #expect(status == .held)
    }

    @Test("SARIF validates against the SARIF 2.1.0 schema",
          .enabled(if: pythonWithJSONSchema, "python3 with the jsonschema package is not installed; SARIF schema validation skipped"))
    func sarifValidatesAgainstSchema() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = [
            "-c",
            """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.validators.validator_for(schema)
            for path in sys.argv[2:]:
                validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(path)))
            """,
            // The schema the lint tests validate against; one copy in the repository.
            F.root + "/Tests/LintTests/Fixtures/sarif-schema-2.1.0.json",
        ]
        let runs = [
            runCLI(["eval", F.releasePlan, "--now", F.clock, "--format", "sarif"]),
            runCLI(["eval", F.fixtures + "/allowed/plan.json", "-p", F.releaseDirectory, "--format", "sarif"]),
        ]
        for (index, run) in runs.enumerated() {
            let path = directory.appendingPathComponent("eval-\(index).sarif").path
            try run.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            arguments.append(path)
        }
        let result = try #require(runProcess("/usr/bin/env", ["python3"] + arguments))
        #expect(result.status == 0, "SARIF is not valid: \(result.stderr)")
    }

    @Test("the README's first command, through the built binary",
          .enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func readmeFirstCommand() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(stepguardBinary))
        process.arguments = ["eval", "policies/examples/release-pipeline/plan.json"]
        process.currentDirectoryURL = Repository.root
        process.environment = ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        for outcome in [" allow ", " mutate:staging-validation ", " approve ", " deny "] {
            #expect(text.contains(outcome), "no\(outcome)row in:\n\(text)")
        }
    }
}

/// Whether python3 with the jsonschema package can run here.
let pythonWithJSONSchema: Bool = {
    guard let result = runProcess("/usr/bin/env", ["python3", "-c", "import jsonschema"]) else { return false }
    return result.status == 0
}()

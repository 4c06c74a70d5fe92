import Basics
import Foundation
import JSONValue
@testable import Lint
import Testing
@testable import StepGuardCLI

/// The lint reports (text, JSON, SARIF, GitHub) over the lint fixture project of LintTests,
/// pinned by the goldens next to it.
struct LintReportTests {
    /// Tests/LintTests/Fixtures: the fixture project, its goldens and the SARIF schema.
    static let fixtures = Repository.root.appendingPathComponent("Tests/LintTests/Fixtures").path

    /// The fixture project linted from memory, paths relative to the fixtures directory.
    static func project() throws -> LintResult {
        var files: [String: [UInt8]] = [:]
        let base = fixtures + "/project"
        let enumerator = FileManager.default.enumerator(atPath: base)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = base + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            files["project/" + name] = [UInt8](data)
        }
        return try Linter.lint(paths: ["project"], fileSystem: MemoryFileSystem(bytes: files))
    }

    static func render(_ result: LintResult, _ format: String) -> String {
        switch format {
        case "txt": return LintReport.text(result, style: .plain, quiet: false)
        case "json": return JSONRenderer.document(JSONSchema.stamp(LintReport.json(result), schema: "stepguard.lint/v1"))
        case "sarif": return LintReport.sarif(result, toolVersion: "0.0.0-test")
        default: return LintReport.github(result)
        }
    }

    @Test("golden reports over the fixture project", arguments: ["txt", "json", "sarif", "github"])
    func goldenReport(format: String) throws {
        let output = Self.render(try Self.project(), format)
        let path = Self.fixtures + "/golden/project.\(format)"
        if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDENS"] == "1" {
            try output.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(golden == output, "golden project.\(format) differs; rerun with STEPGUARD_UPDATE_GOLDENS=1 and review the diff")
    }

    @Test("renders are byte-identical across runs")
    func rendersAreDeterministic() throws {
        let a = try Self.project(), b = try Self.project()
        for format in ["txt", "json", "sarif", "github"] { #expect(Self.render(a, format) == Self.render(b, format)) }
    }

    @Test("text: file:line:col: severity: [id] message, with carets under the range")
    func textFormat() {
        let result = Linter.lint(files: ["d/p.cedar": "@id(\"x\")\n@owner(\"o\")\n@reason(\"r\")\npermit(principal, action, resource);\n"])
        let text = LintReport.text(result, style: .plain, quiet: false)
        #expect(text.hasPrefix("d/p.cedar:4:1: error: [SG200] permit \"x\" allows every action on every resource to every principal\n 4 | permit(principal, action, resource);\n   | ^^^^^^\n"))
        #expect(text.hasSuffix("1 file linted: 1 error, 0 warnings, 0 info\n"))
        // Colours use the U+FDD0 marker, which the terminal writer turns into ESC.
        let marker = String(Unicode.Scalar(0xFDD0 as UInt32)!)
        #expect(LintReport.text(result, style: Style(isEnabled: true), quiet: false).contains("\(marker)[1;31merror:\(marker)[0m"))
    }

    @Test("text: a long line is clipped around the carets, as every excerpt is")
    func longLinesAreClipped() {
        let padding = String(repeating: " ", count: 400)
        let result = Linter.lint(files: ["d/p.cedar": "@id(\"x\")\n@owner(\"o\")\n@reason(\"r\")\n\(padding)permit(principal, action, resource);\n"])
        let text = LintReport.text(result, style: .plain, quiet: false)
        let excerpt = text.split(separator: "\n").dropFirst().first ?? ""
        #expect(excerpt.count < 200, "\(excerpt)")
        #expect(text.contains("^^^^^^"))
    }

    @Test("github: workflow commands with escaped properties and message")
    func githubFormat() {
        let finding = Finding(ruleID: "SG201", severity: .warning, file: "a,b:c.cedar", range: SourceRange(startLine: 2, startColumn: 3, endLine: 2, endColumn: 9), message: "100% wrong\nline", hint: nil)
        let result = LintResult(findings: [finding], suppressed: [], files: ["a,b:c.cedar"], sources: [:], failLevel: .error)
        #expect(LintReport.github(result) == "::warning file=a%2Cb%3Ac.cedar,line=2,col=3,endLine=2,endColumn=9,title=SG201::100%25 wrong%0Aline\n")
    }

    @Test("json: counts and exit decision; the command adds the schema")
    func jsonFormat() throws {
        let result = try Self.project()
        let value = LintReport.json(result)
        #expect(value["failed"] == .bool(true))
        #expect(value["summary"]?["suppressed"] == .int(1))
        #expect(value["findings"]?.arrayValue?.count == result.findings.count)
        let mixed = Repository.testsDirectory.appendingPathComponent("Fixtures/lint/mixed").path
        let printed = runCLI(["lint", "--format", "json", mixed])
        #expect(printed.stdout.contains("\"schema\": \"stepguard.lint/v1\""), "\(printed.stdout)")
    }

    /// Whether python3 with the jsonschema package can run here.
    static let pythonJSONSchemaAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import jsonschema"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test("SARIF of lint and of eval validates against the SARIF 2.1.0 JSON schema",
          .enabled(if: pythonJSONSchemaAvailable, "python3 with the jsonschema package is not installed; SARIF schema validation skipped"))
    func sarifValidatesAgainstSchema() throws {
        let result = try Self.project()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-sarif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clean = Linter.lint(files: ["ok/p.cedar": "@id(\"a\")\n@owner(\"o\")\n@reason(\"r\")\npermit(principal in G::\"g\", action, resource);\n"])
        let release = Repository.testsDirectory.appendingPathComponent("Fixtures/release-pipeline").path
        let eval = runCLI(["eval", "--format", "sarif", release + "/plan.json", "--now", "2027-01-15T08:00:00Z"]).stdout
        let logs = ["findings.sarif": LintReport.sarif(result, toolVersion: nil), "clean.sarif": LintReport.sarif(clean, toolVersion: nil),
                    "eval.sarif": eval]
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            for path in sys.argv[2:]:
                jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(path)))
            print("ok")
            """
        var arguments = ["python3", "-c", script, Self.fixtures + "/sarif-schema-2.1.0.json"]
        for (name, text) in logs {
            let path = directory.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            arguments.append(path)
        }
        let checked = try #require(runProcess("/usr/bin/env", arguments))
        #expect(checked.status == 0, "SARIF is not valid: \(checked.stderr)")
    }

    @Test("SARIF: every rule described, results located, suppressions carried")
    func sarifContent() throws {
        let result = try Self.project()
        let value = try JSONParser.parse(Array(LintReport.sarif(result, toolVersion: nil).utf8))
        let run = value["runs"]?.arrayValue?.first
        let rules = run?["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        #expect(rules.count == LintRules.all.count)
        #expect(rules.first?["helpUri"]?.stringValue?.hasSuffix("docs/rules.md#sg100") == true)
        let results = run?["results"]?.arrayValue ?? []
        #expect(results.count == result.findings.count + result.suppressed.count)
        #expect(results.contains { $0["suppressions"]?.arrayValue?.first?["justification"] == .string("the reason lives in the runbook linked from the id") })
        for r in results {
            let region = r["locations"]?.arrayValue?.first?["physicalLocation"]?["region"]
            #expect(region?["startLine"]?.int64Value ?? 0 >= 1)
            #expect(region?["endColumn"]?.int64Value ?? 0 >= 1)
        }
    }
}

import Foundation
import Testing
@testable import Lint

@Test("golden reports over the fixture project", arguments: ["txt", "json", "sarif", "github"])
func goldenReport(format: String) throws {
    let result = try lintFixtureProject()
    let output: String
    switch format {
    case "txt": output = renderText(result)
    case "json": output = renderJSON(result)
    case "sarif": output = renderSARIF(result, options: SARIFOptions(toolVersion: "0.0.0-test"))
    default: output = renderGitHub(result)
    }
    #expect(matchesGolden(output, "project.\(format)"), "golden project.\(format) differs; rerun with STEPGUARD_UPDATE_GOLDENS=1 and review the diff\n\(output)")
}

@Test("the fixture project reports what it was written to show")
func fixtureProjectFindings() throws {
    let result = try lintFixtureProject()
    let ids = Set(result.findings.map(\.ruleID))
    for id in ["SG100", "SG103", "SG110", "SG112", "SG200", "SG201", "SG203", "SG204", "SG206", "SG208", "SG210", "SG211", "SG212"] {
        #expect(ids.contains(id), "expected \(id)")
    }
    // The suppression with a reason applies; the one without does not.
    #expect(result.suppressed.map(\.finding.ruleID) == ["SG300"])
    #expect(result.suppressed.first?.reason == "the reason lives in the runbook linked from the id")
    #expect(result.findings.contains { $0.ruleID == "SG201" && $0.range.startLine == 34 })
    #expect(result.counts.suppressed == 1)
    // SG100 and SG103: some inputs did not load, which is exit 2 whatever the fail level.
    #expect(result.failed && result.inputDidNotLoad && result.exitCode == 2)
}

@Test("renders are byte-identical across runs")
func rendersAreDeterministic() throws {
    let a = try lintFixtureProject(), b = try lintFixtureProject()
    #expect(renderJSON(a) == renderJSON(b))
    #expect(renderSARIF(a) == renderSARIF(b))
    #expect(renderText(a) == renderText(b))
}

@Test("text: file:line:col: severity: [id] message, with a caret under the range")
func textFormat() {
    let result = Linter.lint(files: ["d/p.cedar": "@id(\"x\")\n@owner(\"o\")\n@reason(\"r\")\npermit(principal, action, resource);\n"])
    let text = renderText(result)
    #expect(text.hasPrefix("d/p.cedar:4:1: error: [SG200] permit \"x\" allows every action on every resource to every principal\n 4 | permit(principal, action, resource);\n   | ^^^^^^\n"))
    #expect(text.hasSuffix("1 file linted: 1 error, 0 warnings, 0 info\n"))
    // Colours use the U+FDD0 marker, which the terminal writer turns into ESC.
    let marker = String(Unicode.Scalar(0xFDD0 as UInt32)!)
    #expect(renderText(result, options: TextRenderOptions(color: true)).contains("\(marker)[31;1merror\(marker)[0m"))
}

@Test("github: workflow commands with escaped properties and message")
func githubFormat() {
    let finding = Finding(ruleID: "SG201", severity: .warning, file: "a,b:c.cedar", range: SourceRange(startLine: 2, startColumn: 3, endLine: 2, endColumn: 9), message: "100% wrong\nline", hint: nil)
    let result = LintResult(findings: [finding], suppressed: [], files: ["a,b:c.cedar"], sources: [:], failLevel: .error)
    #expect(renderGitHub(result) == "::warning file=a%2Cb%3Ac.cedar,line=2,col=3,endLine=2,endColumn=9,title=SG201::100%25 wrong%0Aline\n")
}

@Test("json: versioned schema tag, counts and exit decision")
func jsonFormat() throws {
    let result = try lintFixtureProject()
    let value = lintJSONValue(result)
    #expect(value["schema"] == .string("stepguard.lint/v1"))
    #expect(value["failed"] == .bool(true))
    #expect(value["summary"]?["suppressed"] == .int(1))
    #expect(value["findings"]?.arrayValue?.count == result.findings.count)
}

/// Whether python3 with the jsonschema package can run here.
let pythonJSONSchemaAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import jsonschema"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

@Test("SARIF validates against the SARIF 2.1.0 JSON schema",
      .enabled(if: pythonJSONSchemaAvailable, "python3 with the jsonschema package is not installed; SARIF schema validation skipped"))
func sarifValidatesAgainstSchema() throws {
    let result = try lintFixtureProject()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-sarif-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let clean = Linter.lint(files: ["ok/p.cedar": "@id(\"a\")\n@owner(\"o\")\n@reason(\"r\")\npermit(principal in G::\"g\", action, resource);\n"])
    let logs = ["findings.sarif": renderSARIF(result), "clean.sarif": renderSARIF(clean)]
    let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        for path in sys.argv[2:]:
            jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(path)))
        print("ok")
        """
    var arguments = ["python3", "-c", script, fixturesDirectory + "/sarif-schema-2.1.0.json"]
    for (name, text) in logs {
        let path = directory.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        arguments.append(path)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "SARIF is not valid: \(message)")
}

@Test("SARIF: every rule described, results located, suppressions carried")
func sarifContent() throws {
    let result = try lintFixtureProject()
    let value = sarifValue(result)
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

import Foundation
import Testing
import Workflow
@testable import Lint

/// The repository root, from this file's location.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

let baselineDirectory = repositoryRoot + "/policies/baseline"

@Test("the baseline pack lints clean: no finding at any severity")
func baselineLintsClean() throws {
    let result = try Linter.lint(paths: [baselineDirectory])
    #expect(result.findings.isEmpty, "\(result.findings.map { "\($0.file):\($0.range.startLine): [\($0.ruleID)] \($0.message)" })")
    #expect(result.suppressed.isEmpty)
    #expect(result.files.count >= 10)
}

@Test("every baseline policy has @id, @owner, @reason and recognised @control ids")
func baselineAnnotations() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: baselineDirectory).filter { $0.hasSuffix(".cedar") }.sorted()
    let entries = try ControlsDocumentation.entries(files: files.map { name in
        (path: "policies/baseline/" + name, text: try String(contentsOfFile: baselineDirectory + "/" + name, encoding: .utf8))
    })
    #expect(entries.count >= 14)
    for entry in entries {
        #expect(!entry.reason.isEmpty, "\(entry.policy) has no reason")
        #expect(!entry.controls.isEmpty, "\(entry.policy) names no control")
        for control in entry.controls { #expect(ControlCatalog.lookup(control) != nil, "\(entry.policy): \(control)") }
    }
}

@Test("the baseline test suites pass")
func baselineSuitesPass() throws {
    let bundle = try PolicyBundle.load(path: baselineDirectory)
    let report = try PolicyTestRunner.run(bundle)
    #expect(report.total >= 20)
    for result in report.results where !result.passed {
        Issue.record("\(result.fullName): \(result.mismatches.map(\.message).joined(separator: "; "))")
    }
}

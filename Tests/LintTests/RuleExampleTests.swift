import Testing
@testable import Lint

/// One example of one rule, as a test case.
struct ExampleCase: CustomTestStringConvertible, Sendable {
    let rule: LintRule
    let index: Int
    var example: RuleExample { rule.examples[index] }
    var testDescription: String { "\(rule.id) example \(index + 1) (\(example.triggers ? "triggers" : "clean"))" }

    static let all: [ExampleCase] = LintRules.all.flatMap { rule in rule.examples.indices.map { ExampleCase(rule: rule, index: $0) } }

    /// Lints the example's files in a directory of their own, with the rule enabled.
    func lint() -> LintResult {
        let directory = "examples/\(rule.id.lowercased())/\(index + 1)"
        var files: [String: String] = [:]
        for file in example.files { files["\(directory)/\(file.name)"] = file.text }
        let configuration = LintConfiguration(rules: [rule.id: .on])
        return Linter.lint(files: files, configuration: configuration)
    }
}

@Test("every rule has a triggering and a non-triggering example")
func everyRuleHasExamples() {
    for rule in LintRules.all {
        #expect(rule.examples.contains { $0.triggers }, "\(rule.id) has no triggering example")
        #expect(rule.examples.contains { !$0.triggers }, "\(rule.id) has no clean example")
    }
}

@Test("rule ids are unique, well-formed and in their category", arguments: LintRules.all.map(\.id))
func ruleIDsAreWellFormed(id: String) {
    #expect(LintRules.all.filter { $0.id == id }.count == 1)
    #expect(RuleCategory(ruleID: id) != nil)
    let rule = LintRules.rule(id)!
    #expect(!rule.summary.isEmpty && !rule.rationale.isEmpty && !rule.name.isEmpty)
    #expect(rule.name.allSatisfy { $0.isLowercase || $0 == "-" || $0.isNumber })
}

@Test("rule examples trigger exactly when they say", arguments: ExampleCase.all)
func ruleExample(_ testCase: ExampleCase) {
    let result = testCase.lint()
    let hits = result.findings.filter { $0.ruleID == testCase.rule.id }
    if testCase.example.triggers {
        #expect(!hits.isEmpty, "expected \(testCase.rule.id); got \(result.findings.map(\.description))")
    } else {
        #expect(hits.isEmpty, "unexpected: \(hits.map(\.description))")
    }
}

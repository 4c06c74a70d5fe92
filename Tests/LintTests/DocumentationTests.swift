import Foundation
import Testing
@testable import Lint

@Test("docs/rules.md is generated from the rules and up to date")
func rulesDocumentationIsCurrent() {
    #expect(documentIsCurrent(RulesDocumentation.markdown(), at: "docs/rules.md"),
            "docs/rules.md is stale; regenerate it with: \(RulesDocumentation.regenerateCommand)")
}

@Test("docs/controls.md is generated from the baseline pack and up to date")
func controlsDocumentationIsCurrent() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: baselineDirectory).filter { $0.hasSuffix(".cedar") }
    let entries = try ControlsDocumentation.entries(files: names.map { name in
        (path: "policies/baseline/" + name, text: try String(contentsOfFile: baselineDirectory + "/" + name, encoding: .utf8))
    })
    #expect(documentIsCurrent(ControlsDocumentation.markdown(entries: entries), at: "docs/controls.md"),
            "docs/controls.md is stale; regenerate it with: \(RulesDocumentation.regenerateCommand)")
}

@Test("--explain prints the rule's section of docs/rules.md", arguments: LintRules.ids)
func explainMatchesDocumentation(id: String) throws {
    let text = try RulesDocumentation.explain(id.lowercased())
    #expect(text.hasPrefix("# \(id) "))
    let rule = LintRules.rule(id)!
    #expect(text.contains(rule.rationale))
    for example in rule.examples { for file in example.files { #expect(text.contains(file.text)) } }
    // The same section, one heading level down, is in the reference.
    #expect(RulesDocumentation.markdown().contains(RulesDocumentation.section(rule, headingLevel: 3)))
}

@Test("--explain of an unknown id suggests the nearest")
func explainUnknown() {
    #expect(throws: LintError.unknownRule("SG2O1", suggestion: "SG201")) { try RulesDocumentation.explain("SG2O1") }
}

@Test("controls mapping lists every framework control, covered or not")
func controlsMapping() {
    let entries = [ControlsDocumentation.Entry(policy: "p", file: "f.cedar", reason: "r", controls: ["ASI03", "PR.AA-05", "PCI DSS 7.2"])]
    let text = ControlsDocumentation.markdown(entries: entries, title: "t")
    #expect(text.contains("| ASI03 | Identity and Privilege Abuse | `p` |"))
    #expect(text.contains("| ASI01 | Agent Goal Hijack | — (not covered) |"))
    #expect(text.contains("| PR.AA-05 | Identity Management, Authentication, and Access Control | `p` |"))
    #expect(text.contains("| PCI DSS 7.2 | `p` |"))
    #expect(text.contains("| NHI10 | Human Use of NHI |"))
}

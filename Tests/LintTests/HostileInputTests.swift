import Testing
@testable import Lint

@Test("hostile inputs give located findings, never a crash")
func hostileInputs() {
    let deepParens = String(repeating: "(", count: 150) + "true" + String(repeating: ")", count: 150)
    let longChain = (0..<900).map { "context.a\($0) == \($0)" }.joined(separator: " && ")
    let files: [String: String] = [
        "h/deep.cedar": "@id(\"a\")\n@owner(\"o\")\n@reason(\"r\")\nforbid(principal, action, resource) when { \(deepParens) };",
        "h/chain.cedar": "@id(\"b\")\n@owner(\"o\")\n@reason(\"r\")\nforbid(principal, action, resource) when { \(longChain) };",
        "h/too-deep.cedar": "permit(principal, action, resource) when { " + String(repeating: "[", count: 5000) + " };",
        "h/garbage.cedar": "\u{0}\u{1}permit(",
        "h/tools.json": String(repeating: "[", count: 10000),
        "h/plan.json": "{\"steps\": " + String(repeating: "[", count: 600) + "}",
        "h/entities.json": "{\"not\": \"an array\"}",
        "h/bad.cedarschema": "entity A in [A",
    ]
    let result = Linter.lint(files: files)
    let byFile = Dictionary(grouping: result.findings, by: \.file)
    #expect(byFile["h/too-deep.cedar"]?.first?.ruleID == "SG100")
    #expect(byFile["h/garbage.cedar"]?.first?.ruleID == "SG100")
    #expect(byFile["h/tools.json"]?.first?.ruleID == "SG103")
    #expect(byFile["h/plan.json"]?.first?.ruleID == "SG103")
    #expect(byFile["h/entities.json"]?.first?.ruleID == "SG103")
    #expect(byFile["h/bad.cedarschema"]?.first?.ruleID == "SG101")
    #expect(byFile["h/deep.cedar"]?.contains { $0.ruleID == "SG110" } == true)
    // Every finding is located inside its file.
    for finding in result.findings { #expect(finding.range.startLine >= 1 && finding.range.startColumn >= 1) }
}

import Testing
import Foundation
import JSONValue
@testable import Workflow

/// Golden files pin what users see from the library: the eval JSON (schema stepguard.eval/v1),
/// the rewritten plan and the unified diff of `mutate`, and the mutate JSON. Regenerate with
/// STEPGUARD_UPDATE_GOLDENS=1 after an intended change, and review the diff.
@Suite struct GoldenTests {
    static let goldens = fixtures + "/golden"

    /// Paths in output are made relative to the repository so goldens do not depend on where it lives.
    func relative(_ text: String) -> String {
        text.replacingOccurrences(of: repositoryRoot + "/", with: "")
    }

    @Test(arguments: ScenarioTests.exampleNames)
    func evalJSON(_ name: String) throws {
        var options = pinned
        if name == "freeze-window-rotation" { options.clock = Clock(iso8601: "2026-12-24T10:00:00Z") }
        let evaluation = try evaluateExample(name, options: options)
        let text = relative(JSONWriter.pretty(evaluation.json) + "\n")
        #expect(matchesGolden(text, "\(Self.goldens)/\(name).eval.json"), "eval JSON of \(name) differs from its golden file")
    }

    @Test(arguments: ScenarioTests.exampleNames)
    func mutateOutputs(_ name: String) throws {
        var options = pinned
        if name == "freeze-window-rotation" { options.clock = Clock(iso8601: "2026-12-24T10:00:00Z") }
        let result = PlanRewriter.rewrite(try evaluateExample(name, options: options))
        #expect(matchesGolden(result.rewrittenText, "\(Self.goldens)/\(name).rewritten.json"))
        #expect(matchesGolden(result.diff, "\(Self.goldens)/\(name).diff"))
        #expect(matchesGolden(relative(JSONWriter.pretty(result.json) + "\n"), "\(Self.goldens)/\(name).mutate.json"))
    }

    @Test func rowsAndSummaryLine() throws {
        let evaluation = try evaluateExample("release-pipeline")
        #expect(evaluation.rows.map(\.outcome) == ["allow", "allow", "mutate:staging-validation", "approve", "blocked", "deny", "warn", "allow"])
        #expect(evaluation.rows[2] == EvaluationRow(
            step: "deploy-prod", action: "deploy", resource: "Service::\"storefront\"", outcome: "mutate:staging-validation",
            kind: .mutate, policies: ["prod-deploys-need-release-manager"],
            reason: "privileged production deployments need a release manager; validating on staging instead"))
        #expect(evaluation.summaryLine == "8 steps: 3 allow, 1 warn, 1 mutate, 1 approve, 1 deny, 1 blocked; risk high (strict: approvals required, full audit)")
    }

    @Test func findingsAreLocatedAtTheStep() throws {
        let evaluation = try evaluateExample("release-pipeline")
        let findings = evaluation.findings
        #expect(findings.map(\.ruleID) == ["step-mutated", "step-held", "step-blocked", "step-denied", "step-log-only"])
        let denied = try #require(findings.first { $0.ruleID == "step-denied" })
        #expect(denied.severity == .error)
        #expect(denied.location.line == 15)
        #expect(denied.location.column == 5)
        #expect(denied.location.path == "steps[5]")
        #expect(denied.policies == ["no-agent-cdn-purges"])
        #expect(Set(findings.map(\.ruleID)).isSubset(of: Set(PlanEvaluation.rules.map(\.id))))
    }
}

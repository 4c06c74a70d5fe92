import JSONValue
import Workflow

/// Plan findings (`PlanEvaluation.findings`) for code scanning and CI, through the shared
/// reporters: a SARIF 2.1.0 log and GitHub Actions workflow annotations, each located at the
/// step in the plan file.
enum PlanFindingsRenderer {
    /// Where the findings' rules are documented.
    static let documentationURI = "https://github.com/stepguard/stepguard/blob/main/docs/workflow.md"
    static let rulesAnchor = "#findings-sarif-github-annotations"

    /// The findings of `evaluation` in the shape every reporter takes.
    static func report(_ evaluation: PlanEvaluation, toolVersion: String? = nil) -> FindingReport {
        report(rules: PlanEvaluation.rules, findings: evaluation.findings, plan: { _ in evaluation.plan.id },
               rulesURI: documentationURI + rulesAnchor, toolVersion: toolVersion)
    }

    /// `findings` in the shape every reporter takes: `rules` documented at `rulesURI`, each
    /// finding located at its step (or call) in its file, with the plan (or session) `plan`
    /// names for it.
    static func report(
        rules: [FindingRule], findings: [Workflow.Finding], plan: (Workflow.Finding) -> String, rulesURI: String,
        toolVersion: String? = nil
    ) -> FindingReport {
        let reported = findings.map { finding in
            ReportedFinding(
                ruleID: finding.ruleID, severity: finding.severity, message: finding.message,
                region: FindingRegion(file: finding.location.file, startLine: finding.location.line, startColumn: finding.location.column),
                logicalName: finding.stepID, logicalPath: finding.location.path,
                properties: JSONObject([
                    ("plan", .string(plan(finding))),
                    ("step", .string(finding.stepID)),
                    ("policies", .array(finding.policies.map(JSONValue.string))),
                ]))
        }
        let described = rules.map { rule in
            ReportedRule(id: rule.id, summary: rule.summary, helpURI: rulesURI, level: rule.severity)
        }
        return FindingReport(findings: reported, rules: described, informationURI: documentationURI, toolVersion: toolVersion)
    }

    /// A SARIF 2.1.0 log with one run: the plan rules in `tool.driver.rules` and a result per finding.
    static func sarif(_ evaluation: PlanEvaluation, toolVersion: String = CLI.version) -> JSONValue {
        SARIFReporter().log(report(evaluation, toolVersion: toolVersion))
    }

    /// One workflow command per finding: `::error file=…,line=…,col=…,title=step-denied::message`
    /// (`info` findings become `::notice`).
    static func github(_ evaluation: PlanEvaluation) -> String {
        GitHubReporter().render(report(evaluation))
    }

    /// A SARIF 2.1.0 log of `findings` under `rules` (see `report(rules:findings:plan:rulesURI:)`).
    static func sarif(
        rules: [FindingRule], findings: [Workflow.Finding], plan: (Workflow.Finding) -> String, rulesURI: String,
        toolVersion: String = CLI.version
    ) -> JSONValue {
        SARIFReporter().log(report(rules: rules, findings: findings, plan: plan, rulesURI: rulesURI, toolVersion: toolVersion))
    }

    /// One workflow command per finding of `findings`.
    static func github(_ findings: [Workflow.Finding]) -> String {
        GitHubReporter().render(report(rules: [], findings: findings, plan: { _ in "" }, rulesURI: ""))
    }
}

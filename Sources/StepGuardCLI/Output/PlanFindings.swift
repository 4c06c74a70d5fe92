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
        let findings = evaluation.findings.map { finding in
            ReportedFinding(
                ruleID: finding.ruleID, severity: finding.severity, message: finding.message,
                region: FindingRegion(file: finding.location.file, startLine: finding.location.line, startColumn: finding.location.column),
                logicalName: finding.stepID, logicalPath: finding.location.path,
                properties: JSONObject([
                    ("plan", .string(evaluation.plan.id)),
                    ("step", .string(finding.stepID)),
                    ("policies", .array(finding.policies.map(JSONValue.string))),
                ]))
        }
        let rules = PlanEvaluation.rules.map { rule in
            ReportedRule(id: rule.id, summary: rule.summary, helpURI: documentationURI + rulesAnchor, level: rule.severity)
        }
        return FindingReport(findings: findings, rules: rules, informationURI: documentationURI, toolVersion: toolVersion)
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
}

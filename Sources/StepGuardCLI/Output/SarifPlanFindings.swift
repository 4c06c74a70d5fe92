import JSONValue
import Lint
import Workflow

/// Plan findings (`PlanEvaluation.findings`) for code scanning and CI: a SARIF 2.1.0 log and
/// GitHub Actions workflow annotations, each located at the step in the plan file.
enum PlanFindingsRenderer {
    /// Where the findings' rules are documented.
    static let documentationURI = "https://github.com/stepguard/stepguard/blob/main/docs/workflow.md"
    static let rulesAnchor = "#findings-sarif-github-annotations"

    /// A SARIF 2.1.0 log with one run: the plan rules in `tool.driver.rules` and a result per finding.
    static func sarif(_ evaluation: PlanEvaluation, toolVersion: String = CLI.version) -> JSONValue {
        sarif(rules: PlanEvaluation.rules, findings: evaluation.findings, plan: { _ in evaluation.plan.id },
              rulesURI: documentationURI + rulesAnchor, toolVersion: toolVersion)
    }

    /// A SARIF 2.1.0 log with one run: `rules` in `tool.driver.rules` (documented at
    /// `rulesURI`) and a result per finding, located at its step (or call) in its file, with
    /// the plan (or session) `plan` names for it.
    static func sarif(
        rules: [FindingRule], findings: [Workflow.Finding], plan: (Workflow.Finding) -> String, rulesURI: String,
        toolVersion: String = CLI.version
    ) -> JSONValue {
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        let descriptors: [JSONValue] = rules.map { rule in
            .object(JSONObject([
                ("id", .string(rule.id)),
                ("shortDescription", .object(JSONObject([("text", .string(rule.summary))]))),
                ("helpUri", .string(rulesURI)),
                ("defaultConfiguration", .object(JSONObject([("level", .string(rule.level.rawValue))]))),
            ]))
        }
        let results: [JSONValue] = findings.map { finding in
            var result = JSONObject([
                ("ruleId", .string(finding.ruleID)),
                ("level", .string(finding.level.rawValue)),
                ("message", .object(JSONObject([("text", .string(finding.message))]))),
                ("locations", .array([.object(JSONObject([
                    ("physicalLocation", .object(JSONObject([
                        ("artifactLocation", .object(JSONObject([("uri", .string(fileURI(finding.location.file)))]))),
                        ("region", .object(JSONObject([
                            ("startLine", .int(Int64(finding.location.line))),
                            ("startColumn", .int(Int64(finding.location.column))),
                        ]))),
                    ]))),
                    ("logicalLocations", .array([.object(JSONObject([
                        ("name", .string(finding.stepID)),
                        ("fullyQualifiedName", .string(finding.location.path)),
                        ("kind", .string("member")),
                    ]))])),
                ]))])),
                ("properties", .object(JSONObject([
                    ("plan", .string(plan(finding))),
                    ("step", .string(finding.stepID)),
                    ("policies", .array(finding.policies.map(JSONValue.string))),
                ]))),
            ])
            if let index = ruleIndex[finding.ruleID] { result["ruleIndex"] = .int(Int64(index)) }
            return .object(result)
        }
        let driver = JSONObject([
            ("name", .string("stepguard")),
            ("version", .string(toolVersion)),
            ("informationUri", .string(documentationURI)),
            ("rules", .array(descriptors)),
        ])
        return sarifLog(driver: driver, results: results)
    }

    /// One workflow command per finding: `::error file=…,line=…,col=…,title=step-denied::message`
    /// (`note` findings become `::notice`).
    static func github(_ findings: [Workflow.Finding]) -> String {
        var out = ""
        for finding in findings {
            let command: String
            switch finding.level {
            case .error: command = "error"
            case .warning: command = "warning"
            case .note: command = "notice"
            }
            let properties = [
                "file=\(escapeProperty(finding.location.file))", "line=\(finding.location.line)",
                "col=\(finding.location.column)", "title=\(escapeProperty(finding.ruleID))",
            ].joined(separator: ",")
            out += "::\(command) \(properties)::\(escapeData(finding.message))\n"
        }
        return out
    }
}

import Basics
import JSONValue
import Lint

/// Lint results in every format `lint --format` offers, through the shared reporters.
enum LintReport {
    /// Where docs/rules.md is published; each rule's `helpUri` is this plus `#sgNNN`.
    static let rulesDocumentationURI = "https://github.com/stepguard/stepguard/blob/main/docs/rules.md"

    /// A lint finding in the shape every reporter takes.
    static func reported(_ finding: Finding, suppression: String? = nil) -> ReportedFinding {
        let r = finding.range
        return ReportedFinding(
            ruleID: finding.ruleID, severity: finding.severity, message: finding.message, hint: finding.hint,
            region: FindingRegion(
                file: finding.file, startLine: r.startLine, startColumn: r.startColumn, endLine: r.endLine,
                endColumn: r.endColumn),
            suppression: suppression)
    }

    /// Every rule, described for SARIF's `tool.driver.rules`.
    static var rules: [ReportedRule] {
        LintRules.all.map { rule in
            ReportedRule(
                id: rule.id, name: rule.name, summary: plainText(rule.summary), description: plainText(rule.rationale),
                helpURI: rulesDocumentationURI + "#" + rule.anchor, level: rule.defaultSeverity,
                enabledByDefault: rule.enabledByDefault, category: rule.category.rawValue)
        }
    }

    /// SARIF 2.1.0: every rule, a result per finding, and each suppressed finding with the
    /// reason written with its suppression (`inSource`).
    static func sarif(_ result: LintResult, toolVersion: String?) -> String {
        let findings = result.findings.map { reported($0) }
            + result.suppressed.map { reported($0.finding, suppression: $0.reason) }
        return SARIFReporter().render(FindingReport(
            findings: findings, rules: rules, informationURI: rulesDocumentationURI, toolVersion: toolVersion))
    }

    /// GitHub workflow annotations, one per finding.
    static func github(_ result: LintResult) -> String {
        GitHubReporter().render(FindingReport(findings: result.findings.map { reported($0) }))
    }

    /// For people: each finding located with an excerpt and its hint, then the summary line.
    /// Under `quiet`, only the findings that fail the run.
    static func text(_ result: LintResult, style: Style, quiet: Bool) -> String {
        let shown = result.findings.filter { finding in
            guard quiet else { return true }
            guard let level = result.failLevel else { return false }
            return finding.severity >= level
        }
        let report = FindingReport(findings: shown.map { reported($0) })
        return TextReporter(style: style, sources: result.sources).render(report) + summaryLine(result) + "\n"
    }

    /// `3 files linted: 1 error, 2 warnings, 0 info (1 suppressed)`.
    static func summaryLine(_ result: LintResult) -> String {
        let c = result.counts
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var line = "\(plural(c.files, "file")) linted: \(plural(c.errors, "error")), \(plural(c.warnings, "warning")), \(c.info) info"
        if c.suppressed > 0 { line += " (\(c.suppressed) suppressed)" }
        return line
    }

    /// The document of `lint --format json` (docs/lint.md); the command adds its `schema`:
    ///
    ///     {"findings": [...], "suppressed": [...],
    ///      "summary": {"files", "errors", "warnings", "info", "suppressed"},
    ///      "failLevel": "error" | null, "failed": false}
    static func json(_ result: LintResult) -> JSONValue {
        let c = result.counts
        return .object(JSONObject([
            ("findings", .array(result.findings.map { findingJSON($0) })),
            ("suppressed", .array(result.suppressed.map { findingJSON($0.finding, reason: $0.reason) })),
            ("summary", .object(JSONObject([
                ("files", .int(c.files)), ("errors", .int(c.errors)), ("warnings", .int(c.warnings)),
                ("info", .int(c.info)), ("suppressed", .int(c.suppressed)),
            ]))),
            ("failLevel", result.failLevel.map { .string($0.rawValue) } ?? .null),
            ("failed", .bool(result.failed)),
        ]))
    }

    static func findingJSON(_ finding: Finding, reason: String? = nil) -> JSONValue {
        var object = JSONObject([
            ("rule", .string(finding.ruleID)),
            ("name", .string(LintRules.rule(finding.ruleID)?.name ?? "")),
            ("severity", .string(finding.severity.rawValue)),
            ("file", .string(finding.file)),
            ("line", .int(finding.range.startLine)),
            ("column", .int(finding.range.startColumn)),
            ("endLine", .int(finding.range.endLine)),
            ("endColumn", .int(finding.range.endColumn)),
            ("message", .string(finding.message)),
        ])
        if let hint = finding.hint { object["hint"] = .string(hint) }
        if let reason { object["reason"] = .string(reason) }
        return .object(object)
    }

    /// Markdown inline code marks removed, for SARIF's plain-text descriptions.
    static func plainText(_ markdown: String) -> String {
        markdown.replacing("`", with: "")
    }
}

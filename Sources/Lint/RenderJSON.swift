import JSONValue

/// The version tag of the lint JSON report.
public let lintJSONSchemaVersion = "stepguard.lint/v1"

/// The machine-readable report (`--format json`), documented in docs/lint.md:
///
///     {"schema": "stepguard.lint/v1", "findings": [...], "suppressed": [...],
///      "summary": {"files", "errors", "warnings", "info", "suppressed"},
///      "failLevel": "error" | null, "failed": false}
///
/// Keys are sorted and findings are in stable order, so the output is byte-identical for the
/// same inputs.
public func renderJSON(_ result: LintResult) -> String {
    JSONWriter.pretty(lintJSONValue(result)) + "\n"
}

/// The JSON report as a value.
public func lintJSONValue(_ result: LintResult) -> JSONValue {
    let c = result.counts
    return .object(JSONObject([
        ("schema", .string(lintJSONSchemaVersion)),
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

func findingJSON(_ finding: Finding, reason: String? = nil) -> JSONValue {
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

import JSONValue

/// Options of the SARIF report.
public struct SARIFOptions: Sendable {
    /// Where `docs/rules.md` is published; each rule's `helpUri` is this plus `#sgNNN`.
    public var rulesDocumentationURI: String
    /// The tool version reported in `tool.driver.version`.
    public var toolVersion: String?

    /// Creates options.
    public init(rulesDocumentationURI: String = defaultRulesDocumentationURI, toolVersion: String? = nil) {
        self.rulesDocumentationURI = rulesDocumentationURI
        self.toolVersion = toolVersion
    }

    /// The published rules reference.
    public static let defaultRulesDocumentationURI = "https://github.com/stepguard/stepguard/blob/main/docs/rules.md"
}

/// A SARIF 2.1.0 log with one run: every rule in `tool.driver.rules`, and a result per finding
/// (suppressed findings carry an `inSource` suppression with the written reason).
public func renderSARIF(_ result: LintResult, options: SARIFOptions = SARIFOptions()) -> String {
    JSONWriter.pretty(sarifValue(result, options: options)) + "\n"
}

/// The SARIF log as a value.
public func sarifValue(_ result: LintResult, options: SARIFOptions = SARIFOptions()) -> JSONValue {
    let rules = LintRules.all
    let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
    let descriptors: [JSONValue] = rules.map { rule in
        .object(JSONObject([
            ("id", .string(rule.id)),
            ("name", .string(rule.name)),
            ("shortDescription", .object(JSONObject([("text", .string(plainText(rule.summary)))]))),
            ("fullDescription", .object(JSONObject([("text", .string(plainText(rule.rationale)))]))),
            ("helpUri", .string(options.rulesDocumentationURI + "#" + rule.anchor)),
            ("defaultConfiguration", .object(JSONObject([
                ("level", .string(rule.defaultSeverity.sarifLevel)),
                ("enabled", .bool(rule.enabledByDefault)),
            ]))),
            ("properties", .object(JSONObject([("category", .string(rule.category.rawValue))]))),
        ]))
    }
    func resultValue(_ finding: Finding, suppression: String?) -> JSONValue {
        let r = finding.range
        var text = finding.message
        if let hint = finding.hint { text += " (hint: \(hint))" }
        var object = JSONObject([
            ("ruleId", .string(finding.ruleID)),
            ("level", .string(finding.severity.sarifLevel)),
            ("message", .object(JSONObject([("text", .string(text))]))),
            ("locations", .array([.object(JSONObject([
                ("physicalLocation", .object(JSONObject([
                    ("artifactLocation", .object(JSONObject([("uri", .string(fileURI(finding.file)))]))),
                    ("region", .object(JSONObject([
                        ("startLine", .int(r.startLine)), ("startColumn", .int(r.startColumn)),
                        ("endLine", .int(r.endLine)), ("endColumn", .int(r.endColumn)),
                    ]))),
                ]))),
            ]))])),
        ])
        if let index = ruleIndex[finding.ruleID] { object["ruleIndex"] = .int(index) }
        if let suppression {
            object["suppressions"] = .array([.object(JSONObject([("kind", .string("inSource")), ("justification", .string(suppression))]))])
        }
        return .object(object)
    }
    var driver = JSONObject([
        ("name", .string("stepguard")),
        ("informationUri", .string(options.rulesDocumentationURI)),
        ("rules", .array(descriptors)),
    ])
    if let version = options.toolVersion { driver["version"] = .string(version) }
    let results = result.findings.map { resultValue($0, suppression: nil) }
        + result.suppressed.map { resultValue($0.finding, suppression: $0.reason) }
    return sarifLog(driver: driver, results: results)
}

/// A SARIF 2.1.0 log of one run by `driver` (`tool.driver`) with `results`, columns counted in
/// Unicode code points; shared by every renderer of findings.
public func sarifLog(driver: JSONObject, results: [JSONValue]) -> JSONValue {
    let run = JSONObject([
        ("tool", .object(JSONObject([("driver", .object(driver))]))),
        ("columnKind", .string("unicodeCodePoints")),
        ("results", .array(results)),
    ])
    return .object(JSONObject([
        ("$schema", .string("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")),
        ("version", .string("2.1.0")),
        ("runs", .array([.object(run)])),
    ]))
}

/// Markdown inline code marks removed, for SARIF's plain-text descriptions.
func plainText(_ markdown: String) -> String {
    markdown.replacingAll("`", "")
}

/// A relative path as a URI reference (percent-encoding what a URI cannot hold); an absolute
/// path as a `file://` URI.
public func fileURI(_ path: String) -> String {
    var out = ""
    for byte in path.utf8 {
        let c = Character(Unicode.Scalar(byte))
        if byte < 0x80, c.isLetter || c.isNumber || "-._~/!$&'()*+,;=:@".contains(c) {
            out.append(c)
        } else {
            out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
        }
    }
    return path.hasPrefix("/") ? "file://" + out : out
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

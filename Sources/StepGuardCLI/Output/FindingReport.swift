import Basics
import JSONValue

/// Where a finding is: its first line and column and, when known, where it ends (the end column
/// just past the last character, as SARIF regions have it). Columns count Unicode scalars.
struct FindingRegion: Sendable, Equatable {
    var file: String
    var startLine: Int
    var startColumn: Int
    var endLine: Int?
    var endColumn: Int?
}

/// One located finding, whatever found it (a lint rule, a plan evaluation): the one shape every
/// reporter renders.
struct ReportedFinding: Sendable {
    var ruleID: String
    var severity: Severity
    var message: String
    /// What to do about it, when the rule says.
    var hint: String?
    var region: FindingRegion
    /// For a finding suppressed in the source, the reason written with the suppression.
    var suppression: String?
    /// The named thing the finding is about (a plan step: its id and path), for SARIF's
    /// `logicalLocations`.
    var logicalName: String?
    var logicalPath: String?
    /// Extra facts for SARIF's `properties`.
    var properties: JSONObject?
}

/// A rule as SARIF's `tool.driver.rules` describes it.
struct ReportedRule: Sendable {
    var id: String
    var name: String?
    var summary: String
    var description: String?
    var helpURI: String
    var level: Severity
    var enabledByDefault: Bool?
    var category: String?
}

/// Everything a reporter renders: the findings, the rules they cite, and who reported them.
struct FindingReport: Sendable {
    var findings: [ReportedFinding]
    var rules: [ReportedRule] = []
    /// Where the rules are documented (SARIF `informationUri`).
    var informationURI: String = ""
    var toolVersion: String?
}

/// Renders a finding report in one format. Every command that reports located findings (lint,
/// eval) renders them through these, so each format has one writer.
protocol FindingReporter {
    func render(_ report: FindingReport) -> String
}

/// SARIF 2.1.0: one run, the rules in `tool.driver.rules`, a result per finding.
struct SARIFReporter: FindingReporter {
    func render(_ report: FindingReport) -> String {
        JSONWriter.pretty(log(report)) + "\n"
    }

    /// The SARIF log as a value.
    func log(_ report: FindingReport) -> JSONValue {
        let ruleIndex = Dictionary(report.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        let descriptors: [JSONValue] = report.rules.map { rule in
            var descriptor = JSONObject([
                ("id", .string(rule.id)),
                ("shortDescription", .object(JSONObject([("text", .string(rule.summary))]))),
                ("helpUri", .string(rule.helpURI)),
            ])
            if let name = rule.name { descriptor["name"] = .string(name) }
            if let description = rule.description {
                descriptor["fullDescription"] = .object(JSONObject([("text", .string(description))]))
            }
            var configuration = JSONObject([("level", .string(rule.level.sarifLevel))])
            if let enabled = rule.enabledByDefault { configuration["enabled"] = .bool(enabled) }
            descriptor["defaultConfiguration"] = .object(configuration)
            if let category = rule.category {
                descriptor["properties"] = .object(JSONObject([("category", .string(category))]))
            }
            return .object(descriptor)
        }
        let results: [JSONValue] = report.findings.map { finding in
            let r = finding.region
            var text = finding.message
            if let hint = finding.hint { text += " (hint: \(hint))" }
            var region = JSONObject([("startLine", .int(r.startLine)), ("startColumn", .int(r.startColumn))])
            if let endLine = r.endLine { region["endLine"] = .int(endLine) }
            if let endColumn = r.endColumn { region["endColumn"] = .int(endColumn) }
            var location = JSONObject([
                ("physicalLocation", .object(JSONObject([
                    ("artifactLocation", .object(JSONObject([("uri", .string(fileURI(r.file)))]))),
                    ("region", .object(region)),
                ]))),
            ])
            if let name = finding.logicalName {
                location["logicalLocations"] = .array([.object(JSONObject([
                    ("name", .string(name)), ("fullyQualifiedName", .string(finding.logicalPath ?? name)),
                    ("kind", .string("member")),
                ]))])
            }
            var result = JSONObject([
                ("ruleId", .string(finding.ruleID)),
                ("level", .string(finding.severity.sarifLevel)),
                ("message", .object(JSONObject([("text", .string(text))]))),
                ("locations", .array([.object(location)])),
            ])
            if let index = ruleIndex[finding.ruleID] { result["ruleIndex"] = .int(index) }
            if let suppression = finding.suppression {
                result["suppressions"] = .array([.object(JSONObject([
                    ("kind", .string("inSource")), ("justification", .string(suppression)),
                ]))])
            }
            if let properties = finding.properties { result["properties"] = .object(properties) }
            return .object(result)
        }
        var driver = JSONObject([
            ("name", .string("stepguard")),
            ("informationUri", .string(report.informationURI)),
            ("rules", .array(descriptors)),
        ])
        if let version = report.toolVersion { driver["version"] = .string(version) }
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

    /// A relative path as a URI reference (percent-encoding what a URI cannot hold); an
    /// absolute path as a `file://` URI.
    static func fileURI(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~/!$&'()*+,;=:@".contains(c) {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count < 2 ? "0" + hex : hex)
            }
        }
        return path.hasPrefix("/") ? "file://" + out : out
    }

    private func fileURI(_ path: String) -> String { Self.fileURI(path) }
}

/// GitHub Actions workflow commands, one per finding:
/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=SG201::message`; `info` becomes
/// `::notice`. Suppressed findings are not annotated.
struct GitHubReporter: FindingReporter {
    func render(_ report: FindingReport) -> String {
        var out = ""
        for finding in report.findings where finding.suppression == nil {
            let r = finding.region
            var properties = ["file=\(Self.escapeProperty(r.file))", "line=\(r.startLine)", "col=\(r.startColumn)"]
            if let endLine = r.endLine { properties.append("endLine=\(endLine)") }
            if let endColumn = r.endColumn { properties.append("endColumn=\(endColumn)") }
            properties.append("title=\(Self.escapeProperty(finding.ruleID))")
            var message = finding.message
            if let hint = finding.hint { message += "\nhint: " + hint }
            out += "::\(finding.severity.githubCommand) \(properties.joined(separator: ","))::\(Self.escapeData(message))\n"
        }
        return out
    }

    /// A workflow command's message: `%`, CR and LF encoded (scalar by scalar, so a CR LF pair
    /// is encoded too).
    static func escapeData(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A workflow command's property value: as a message, plus `:` and `,`.
    static func escapeProperty(_ text: String) -> String {
        var out = ""
        for scalar in escapeData(text).unicodeScalars {
            switch scalar {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// For people: `file:line:col: severity: [id] message`, an excerpt with carets under the range
/// (clipped around them on a long line, as every excerpt is), and the hint.
struct TextReporter: FindingReporter {
    var style: Style
    /// The text of each file, for excerpts.
    var sources: [String: [UInt8]]

    func render(_ report: FindingReport) -> String {
        var out = ""
        var tables: [String: LineTable] = [:]
        for finding in report.findings where finding.suppression == nil {
            let r = finding.region
            if tables[r.file] == nil, let bytes = sources[r.file] { tables[r.file] = LineTable(bytes) }
            // No excerpt for a line the file does not have.
            let sourceLine = tables[r.file].flatMap { r.startLine <= $0.lineCount ? $0.lineText(r.startLine) : nil }
            var caretLength = 1
            if let endColumn = r.endColumn {
                caretLength = (r.endLine ?? r.startLine) == r.startLine ? endColumn - r.startColumn : Int.max
            }
            out += LocatedMessageRenderer.render(
                file: r.file, line: r.startLine, column: r.startColumn, severity: finding.severity, code: finding.ruleID,
                message: finding.message, sourceLine: sourceLine, caretLength: caretLength, style: style)
            if let hint = finding.hint { out += "   = hint: \(hint)\n" }
        }
        return out
    }
}

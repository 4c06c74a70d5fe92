import Basics
import Cedar
import JSONValue

/// `stepguard validate --policies PATH --schema FILE`
enum ValidateCommand {
    static let spec = CommandSpec(
        name: "validate",
        summary: "type-check policies against a Cedar schema",
        discussion: """
            Runs Cedar's strict-mode validator over the policies: every entity type, action, \
            attribute and operator is checked against the schema. Errors are reported with their \
            file, line and column. lint reports the same errors among its findings.

            When PATH is a policy directory with an entities.json, the entities are read through \
            the schema, as every command reads them: an entity or attribute the schema does not \
            declare, or a value of the wrong type, stops the command (exit 2) at its place in the file.
            """,
        options: [
            CommonOptions.policies(valueName: "PATH", help: "a policy file or a directory of them").required(),
            .path("schema", help: "the Cedar schema, .cedarschema or JSON (default: the one in the policy directory)"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        examples: [
            Example("stepguard validate -p policies/ --schema policies/schema.cedarschema", "validate a directory"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the policies validate"),
            ExitStatusNote(.failure, "validation errors"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.runReportingInputErrors { try validate(context) }
    }

    private static func validate(_ context: CommandContext) throws -> ExitCode {
        let policiesPath = context.arguments.value("policies") ?? "."
        let given = context.arguments.value("schema")
        guard let schemaPath = try given ?? CedarFiles.directorySchema(policiesPath) else {
            throw CLIError.invalidUsage(
                "no schema to validate against: pass --schema FILE or put schema.cedarschema in the policy directory")
        }
        var loader = CedarLoader()
        let policies = try loader.policies(policiesPath)
        let schema = try loader.schema(schemaPath)
        let entitiesFile = CedarFiles.isDirectory(policiesPath) ? try CedarFiles.directory(policiesPath).entitiesFile : nil
        if let entitiesFile { _ = try loader.entities(entitiesFile, schema: schema) }
        let report = ValidationSummary(
            report: Validator.check(policies: policies, schema: schema), policyCount: policies.policies.count,
            schemaFile: schemaPath, entitiesFile: entitiesFile, sources: loader.sources)
        context.emit(report)
        return report.report.passed ? .success : .failure
    }
}

/// The result of `stepguard validate`, for people and machines.
struct ValidationSummary: Report {
    let report: ValidationReport
    let policyCount: Int
    let schemaFile: String
    /// The directory's entities, read through the schema; nil when there are none.
    let entitiesFile: String?
    let sources: CedarSources

    func text(style: Style, quiet: Bool) -> String {
        var out = ""
        for finding in report.errors { out += render(finding, severity: .error, style: style) }
        if !quiet {
            for finding in report.warnings { out += render(finding, severity: .warning, style: style) }
        }
        let policies = "\(policyCount) polic\(policyCount == 1 ? "y" : "ies")"
        if report.passed {
            out += "\(policies)\(entitiesFile.map { " and \($0)" } ?? "") validate against \(schemaFile)"
        } else {
            out += "\(policies): \(report.errors.count) error\(report.errors.count == 1 ? "" : "s")"
        }
        if !report.warnings.isEmpty { out += ", \(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s")" }
        return out + "\n"
    }

    private func render(_ finding: ValidationError, severity: Severity, style: Style) -> String {
        var message = "for policy `\(finding.policyID)`, \(finding.message)"
        if let help = finding.help { message += " (\(help))" }
        return LocatedMessageRenderer.render(
            file: finding.span.file, line: finding.span.start.line, column: finding.span.start.column,
            severity: severity, code: finding.kind.rawValue, message: message,
            sourceLine: sources.lineText(file: finding.span.file, line: finding.span.start.line), style: style)
    }

    /// `{"valid", "policies", "schema_file", "entities_file", "errors": [...], "warnings": [...]}`
    /// (`schema` is the document's version, as in every JSON document; `entities_file` is null
    /// when no entities were read); each finding has
    /// `policy`, `kind`, `message`, `file`, `line`, `column` and, when there is one, `help`.
    var json: JSONValue {
        func finding(_ f: ValidationError) -> JSONValue {
            var fields: [(String, JSONValue)] = [
                ("policy", .string(f.policyID)), ("kind", .string(f.kind.rawValue)), ("message", .string(f.message)),
                ("file", .string(f.span.file)), ("line", .int(Int64(f.span.start.line))),
                ("column", .int(Int64(f.span.start.column))),
            ]
            if let help = f.help { fields.append(("help", .string(help))) }
            return .object(JSONObject(fields))
        }
        return .object(JSONObject([
            ("valid", .bool(report.passed)), ("policies", .int(Int64(policyCount))), ("schema_file", .string(schemaFile)),
            ("entities_file", entitiesFile.map { .string($0) } ?? .null),
            ("errors", .array(report.errors.map(finding))), ("warnings", .array(report.warnings.map(finding))),
        ]))
    }
}

import Basics
import JSONValue
import Lint

/// `stepguard lint PATH...`
enum LintCommand {
    static let spec = CommandSpec(
        name: "lint",
        summary: "parse, validate and lint policy files",
        discussion: """
            Checks Cedar policies, schemas, entity files, action catalogs and plans, given as files \
            or as directories searched recursively. It reports parse errors, schema validation errors \
            (Cedar's strict-mode type checker) and governance findings. Every rule has a stable id: \
            SG1xx correctness, SG2xx governance, SG3xx style; --explain describes one.

            Configuration comes from the nearest .stepguard.json, found by walking up from the \
            working directory: enable and disable rules, change severities, ignore paths. A finding \
            is suppressed by a comment on the line before it, and the reason is required:

              // stepguard:ignore SG201 -- reviewed with the platform team

            Without PATH, the current directory is linted.
            """,
        options: [
            CommonOptions.format(.text, .json, .sarif, .github),
            .flag("strict", help: "fail on warnings too"),
            .choice("fail-level", ["error", "warning", "info", "none"], valueName: "SEVERITY",
                    help: "lowest severity that makes the command fail; none never fails (default: the configuration's failLevel, else error)"),
            .path("config", short: "c", help: "read the configuration from FILE instead of the nearest .stepguard.json"),
            .value("enable", valueName: "RULE", help: "enable a rule the configuration disables").repeatable(),
            .value("disable", valueName: "RULE", help: "disable a rule").repeatable(),
            .value("explain", valueName: "RULE", help: "describe a rule, with examples, and exit"),
            .flag("list-rules", help: "list every rule with its id, severity and summary, and exit"),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PATH", arity: .zeroOrMore, help: "policy files or directories (default: the current directory)"),
        ],
        examples: [
            Example("stepguard lint policies/", "lint every file under policies/"),
            Example("stepguard lint --format sarif policies/ > lint.sarif", "write findings for code scanning"),
            Example("stepguard lint --explain SG201", "explain a rule"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "no error-level finding"),
            ExitStatusNote(.failure, "error-level findings (warnings too with --strict)"),
            ExitStatusNote(.error, "an input does not load (SG100, SG101, SG103: reported, never disabled), bad usage"),
        ],
        exclusive: [["strict", "fail-level"], ["explain", "list-rules"]],
        optionDocuments: [OptionDocument(option: "list-rules", name: "rules"), OptionDocument(option: "explain", name: "rule")],
        run: run
    )

    /// The directory the configuration search starts from; nil is the process's working
    /// directory. Tests bind it so they need not change the working directory of the process.
    @TaskLocal static var workingDirectory: String?

    static func run(_ context: CommandContext) throws -> ExitCode {
        let paths = context.arguments.positionals("PATH")
        if let id = context.arguments.value("explain") {
            guard paths.isEmpty else { throw CLIError.invalidUsage("--explain takes no PATH; run 'stepguard lint --explain \(id)' alone") }
            try checkRuleFormat("explain", context)
            return explain(id, context)
        }
        if context.arguments.flag("list-rules") {
            guard paths.isEmpty else { throw CLIError.invalidUsage("--list-rules takes no PATH") }
            try checkRuleFormat("list-rules", context)
            if context.format == .json {
                context.printJSON(.object(JSONObject([("rules", .array(LintRules.all.map { ruleJSON($0, whole: false) }))])), named: "rules")
            } else {
                context.console.write(ruleList(style: context.style))
            }
            return .success
        }
        do {
            let configuration = try configuration(context)
            let result = try Linter.lint(paths: paths, configuration: configuration)
            for finding in result.findings where LintRules.rule(finding.ruleID)?.reportsUnloadableInput == true {
                context.failures.record(CommandFailure(
                    code: .invalidInput, message: "[\(finding.ruleID)] \(finding.message)", file: finding.file,
                    line: finding.range.startLine, column: finding.range.startColumn))
            }
            // An input that did not load is exit 2; under --format json its error document is
            // the whole of stdout, as for every command.
            if !(result.inputDidNotLoad && context.format == .json) { report(result, context) }
            return result.inputDidNotLoad ? .error : result.failed ? .failure : .success
        } catch {
            context.fail(error)
            return .error
        }
    }

    /// Rules are described in text or JSON; SARIF and GitHub annotations carry findings.
    static func checkRuleFormat(_ option: String, _ context: CommandContext) throws {
        guard context.format == .text || context.format == .json else {
            throw CLIError.invalidUsage("--\(option) prints text or json, not \(context.format.rawValue)")
        }
    }

    /// Prints a rule's documentation; an unknown id is a usage error with a suggestion.
    static func explain(_ id: String, _ context: CommandContext) -> ExitCode {
        do {
            if context.format == .json {
                context.printJSON(ruleJSON(try RulesDocumentation.rule(id), whole: true), named: "rule")
            } else {
                context.console.write(try RulesDocumentation.explain(id))
            }
            return .success
        } catch {
            context.fail(error)
            return .error
        }
    }

    /// A rule as `--list-rules` (`whole: false`) and `--explain` (`whole: true`, with the
    /// rationale and the examples) describe it under `--format json` (docs/lint.md).
    static func ruleJSON(_ rule: LintRule, whole: Bool) -> JSONValue {
        var object = JSONObject([
            ("id", .string(rule.id)),
            ("name", .string(rule.name)),
            ("category", .string(rule.category.rawValue)),
            ("defaultSeverity", .string(rule.defaultSeverity.rawValue)),
            ("enabledByDefault", .bool(rule.enabledByDefault)),
            ("canDisable", .bool(!rule.reportsUnloadableInput)),
            ("summary", .string(rule.summary)),
            ("helpUri", .string(LintReport.rulesDocumentationURI + "#" + rule.anchor)),
        ])
        if whole {
            object["rationale"] = .string(rule.rationale)
            object["examples"] = .array(rule.examples.map { example in
                .object(JSONObject([
                    ("title", .string(example.title)),
                    ("reported", .bool(example.triggers)),
                    ("files", .array(example.files.map { file in
                        .object(JSONObject([("name", .string(file.name)), ("text", .string(file.text))]))
                    })),
                ]))
            })
        }
        return .object(object)
    }

    /// One line per rule: id, default severity (or off), name and summary.
    static func ruleList(style: Style) -> String {
        var table = Table(columns: [Table.Column("RULE"), Table.Column("DEFAULT"), Table.Column("NAME"), Table.Column("SUMMARY", isFlexible: true)])
        for rule in LintRules.all {
            let severity = rule.enabledByDefault ? rule.defaultSeverity.rawValue : "off"
            table.append([Table.Cell(rule.id, [.bold]), Table.Cell(severity), Table.Cell(rule.name), Table.Cell(rule.summary)])
        }
        return table.render(style: style)
    }

    /// The configuration file (`--config`, else the nearest `.stepguard.json`) with the
    /// command-line options applied over it.
    static func configuration(_ context: CommandContext) throws(LintError) -> LintConfiguration {
        let arguments = context.arguments
        var configuration: LintConfiguration
        if let file = arguments.value("config") {
            let kind = PathKind(file)
            guard kind != .missing else {
                throw .invalidOption("configuration file \"\(file)\" does not exist; check the --config path")
            }
            guard kind != .directory else {
                throw .invalidOption("\"\(file)\" is a directory; pass the configuration file to --config")
            }
            configuration = try LintConfiguration.load(file)
        } else {
            configuration = try LintConfiguration.discover(from: workingDirectory ?? ".")
        }
        for (option, setting) in [("enable", LintConfiguration.RuleSetting.on), ("disable", .off)] {
            for id in arguments.values(option) {
                guard let rule = LintRules.rule(id) else {
                    throw .unknownRule(id, suggestion: Suggestion.nearest(to: id.uppercased(), among: LintRules.ids))
                }
                if option == "disable" && rule.reportsUnloadableInput {
                    throw .invalidOption("\(rule.id) reports input that does not load and cannot be disabled; fix the file, or leave it out of the PATHs")
                }
                configuration.rules[rule.id] = setting
            }
        }
        if arguments.flag("strict") { configuration.strict = true }
        if arguments.isGiven("fail-level"), let text = arguments.value("fail-level") {
            guard let level = LintConfiguration.parseFailLevel(text) else {
                throw .invalidOption("--fail-level must be error, warning, info or none")
            }
            // An explicit level is the whole answer: a configured `strict` does not lower it.
            configuration.failLevel = level
            configuration.strict = false
        }
        return configuration
    }

    /// Prints the report in the chosen format: the payload on stdout; for `github` the
    /// annotations on stdout and the human report on stderr.
    static func report(_ result: LintResult, _ context: CommandContext) {
        switch context.format {
        case .json:
            context.printJSON(LintReport.json(result))
        case .sarif:
            context.console.write(LintReport.sarif(result, toolVersion: CLI.version))
        case .github:
            context.console.write(LintReport.github(result))
            context.console.writeDiagnostics(LintReport.text(result, style: context.diagnosticStyle, quiet: context.isQuiet))
        default:
            context.console.write(LintReport.text(result, style: context.style, quiet: context.isQuiet))
        }
    }
}

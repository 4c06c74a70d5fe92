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
            .choice("fail-level", ["error", "warning", "info"], valueName: "SEVERITY",
                    help: "lowest severity that makes the command fail", default: "error"),
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
        ],
        exclusive: [["strict", "fail-level"], ["explain", "list-rules"]],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

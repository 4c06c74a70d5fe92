/// `stepguard validate --policies PATH --schema FILE`
enum ValidateCommand {
    static let spec = CommandSpec(
        name: "validate",
        summary: "type-check policies against a Cedar schema",
        discussion: """
            Runs Cedar's strict-mode validator over the policies: every entity type, action, \
            attribute and operator is checked against the schema. Errors are reported with their \
            file, line and column. lint reports the same errors among its findings.
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
        context.unavailable()
    }
}

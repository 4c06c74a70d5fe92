/// `stepguard audit show LOG`
enum AuditShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "show the action path of a plan from an audit log",
        discussion: """
            Reconstructs, step by step, what happened to a plan: decided, minted, then executed, \
            aborted or replayed.
            """,
        options: [
            .value("plan", valueName: "ID", help: "show only this plan (default: every plan)"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log"),
        ],
        examples: [
            Example("stepguard audit show audit.jsonl --plan release-42", "the path of one plan"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "shown"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

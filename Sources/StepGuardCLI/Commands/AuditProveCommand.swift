/// `stepguard audit prove LOG --seq N`
enum AuditProveCommand {
    static let spec = CommandSpec(
        name: "prove",
        summary: "print an inclusion proof for one record",
        discussion: """
            Prints an RFC 9162 inclusion proof that record N is in the tree of the latest \
            checkpoint, with that checkpoint, so that audit verify-proof can check it offline.
            """,
        options: [
            .integer("seq", help: "the record's sequence number").required(),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log"),
        ],
        examples: [
            Example("stepguard audit prove audit.jsonl --seq 17 > proof.txt", "prove record 17"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the proof was printed"),
            ExitStatusNote(.error, "no such record, or no checkpoint covers it"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

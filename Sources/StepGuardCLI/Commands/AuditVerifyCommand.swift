/// `stepguard audit verify LOG`
enum AuditVerifyCommand {
    static let spec = CommandSpec(
        name: "verify",
        summary: "check an audit log record by record",
        discussion: """
            Recomputes every hash, the chain and the Merkle tree, verifies every checkpoint \
            signature and the consistency of successive checkpoints, and reports each fault with \
            its record number and line: modified, missing, inserted, reordered, truncated after a \
            checkpoint, or a fork. It then joins the records: an execution without an allowing \
            decision, a credential used after expiry or twice (replay), a step decided but never \
            executed (aborted, reported but not a fault). It ends with N/M records valid.

            With --from-checkpoint, the log up to that trusted checkpoint is taken as verified and \
            only what came after it is checked.
            """,
        options: [
            .path("key", short: "k", help: "the public key checkpoints are signed with"),
            .integer("from-checkpoint", help: "trust checkpoint N and verify only the records after it"),
            .flag("verbose", short: "v", help: "list every record, not only the faulty ones"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log"),
        ],
        examples: [
            Example("stepguard audit verify audit.jsonl -k keys/audit.pub", "verify the whole log and its checkpoints"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "intact"),
            ExitStatusNote(.failure, "a record is modified, missing, inserted or reordered, the log is truncated or forked"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

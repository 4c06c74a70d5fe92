/// `stepguard audit verify-proof PROOF --key KEY`
enum AuditVerifyProofCommand {
    static let spec = CommandSpec(
        name: "verify-proof",
        summary: "check an inclusion proof offline",
        discussion: """
            Checks the checkpoint's signature with the public key and that the proof leads from the \
            record to the checkpoint's root hash. No log is needed.
            """,
        options: [
            .path("key", short: "k", help: "the public key checkpoints are signed with").required(),
            .path("record", help: "the record line the proof must be about (default: the one in the proof)"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PROOF", help: "the proof printed by audit prove; - reads stdin"),
        ],
        examples: [
            Example("stepguard audit verify-proof proof.txt -k keys/audit.pub", "check a proof"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the record is in the signed log"),
            ExitStatusNote(.failure, "the proof or the checkpoint signature does not verify"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

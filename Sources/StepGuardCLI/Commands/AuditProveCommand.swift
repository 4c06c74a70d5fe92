import AuditLog

/// `stepguard audit prove LOG --seq N`
enum AuditProveCommand {
    static let spec = CommandSpec(
        name: "prove",
        summary: "print an inclusion proof for one record",
        discussion: """
            Prints an RFC 9162 inclusion proof that record N is in the tree of the latest \
            checkpoint that matches the log, as a JSON document holding the record, the proof and \
            that checkpoint, so that audit verify-proof can check it offline. With --key, only \
            checkpoints signed by that key are used. The proof is \
            JSON whatever --format says: it is meant to be saved and handed on.
            """,
        options: [
            .integer("seq", help: "the record's sequence number").required(),
            .path("key", short: "k", valueName: "PUB", help: "use only checkpoints signed by this public key (repeatable)").repeatable(),
            // The proof is a file for verify-proof: it is the same JSON document in either format.
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log"),
        ],
        examples: [
            Example("stepguard audit prove audit.jsonl --seq 17 -k keys/audit.pub > proof.json", "prove record 17"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the proof was printed"),
            ExitStatusNote(.error, "no such record, or no checkpoint covers it"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let log = args.positional("LOG")!
        guard let seq = args.integer("seq"), seq >= 0 else {
            throw CLIError.invalidUsage("--seq takes a record number, an integer from 0")
        }
        let proof = try AuditLog.prove(logAt: log, seq: seq, trustedKeys: try AuditOptions.verifiers(context))
        context.printJSON(proof.json)
        context.note("proof of record \(seq) in the checkpoint of \(proof.treeSize) records (\(proof.proof.count) hashes)")
        return .success
    }
}

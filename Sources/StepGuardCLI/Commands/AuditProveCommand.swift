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

            --format tlog-proof writes the C2SP tlog-proof form instead: the record's index, the \
            inclusion path and the checkpoint with its cosignatures, the record line as the \
            extra data.

            With --tiles, the proof comes from the tree published in DIR by audit publish, reading \
            only the tiles the proof needs and the one entry bundle that holds the record; how \
            many is printed on stderr.
            """,
        options: [
            .integer("seq", help: "the record's sequence number").required(),
            .path("key", short: "k", valueName: "PUB", help: "use only checkpoints signed by this public key").repeatable(),
            .path("tiles", valueName: "DIR", help: "prove from the tree published in DIR instead of a log"),
            // The proof is a file for verify-proof: it is the same JSON document in either format.
            CommonOptions.format(.text, .json, .tlogProof),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", arity: .optional, help: "the audit log (or --tiles DIR)"),
        ],
        examples: [
            Example("stepguard audit prove audit.jsonl --seq 17 -k keys/audit.pub > proof.json", "prove record 17"),
            Example("stepguard audit prove --tiles site/log --seq 17 --format tlog-proof > 17.tlog-proof", "prove record 17 from a published tree"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the proof was printed"),
            ExitStatusNote(.error, "no such record, or no checkpoint covers it"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        guard let seq = args.integer("seq"), seq >= 0 else {
            throw CLIError.invalidUsage("--seq takes a record number, an integer from 0")
        }
        let keys = try AuditOptions.verifiers(context)
        let proof: InclusionProofFile
        switch (args.positional("LOG"), args.value("tiles")) {
        case (let log?, nil):
            proof = try AuditLog.prove(logAt: log, seq: seq, trustedKeys: keys)
        case (nil, let directory?):
            let (tiled, read) = try AuditLog.prove(published: directory, seq: seq, trustedKeys: keys)
            proof = tiled
            context.note("\(read.count) tile\(read.count == 1 ? "" : "s") read: " + read.joined(separator: " "))
        default:
            throw CLIError.invalidUsage("give either LOG or --tiles DIR")
        }
        if context.format == .tlogProof {
            context.console.write(try TlogProof(proof).text)
        } else {
            context.printJSON(proof.json)
        }
        context.note("proof of record \(seq) in the checkpoint of \(proof.treeSize) records (\(proof.proof.count) hashes)")
        return .success
    }
}

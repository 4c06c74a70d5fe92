import AuditLog
import JSONValue

/// `stepguard audit witness-request [LOG] [--tiles DIR] --old N`
enum AuditWitnessRequestCommand {
    static let spec = CommandSpec(
        name: "witness-request",
        summary: "write a witness add-checkpoint request body",
        discussion: """
            Writes the body of a C2SP tlog-witness add-checkpoint request for the latest \
            checkpoint: the line "old N", the consistency proof from the tree of N records to \
            the checkpoint's (one base64 hash per line), an empty line, and the signed \
            checkpoint. N is the size the witness cosigned last (0 the first time; a witness \
            answers a wrong N with 409 and the size it expects). POST the body to the witness's \
            <prefix>/add-checkpoint with any HTTP client; it answers with cosignature lines to \
            append to the checkpoint (for example, curl --data-binary @request.txt \
            https://witness.example/add-checkpoint). audit cosign takes the same body as --proof. \
            --format json prints old_size, proof, checkpoint and body instead.

            The checkpoint is the latest one beside LOG that matches it (with --key, signed by \
            that key), or with --tiles the checkpoint of a published tree, reading only the \
            tiles the proof needs.
            """,
        options: [
            .integer("old", help: "the tree size the witness cosigned last (0 for none)").required(),
            .path("tiles", valueName: "DIR", help: "use the tree published in DIR instead of a log"),
            .path("key", short: "k", valueName: "PUB", help: "use only checkpoints signed by this public key").repeatable(),
            .path("out", short: "o", help: "write the body to this file instead of stdout"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", arity: .optional, help: "the audit log (or --tiles DIR)"),
        ],
        examples: [
            Example("stepguard audit witness-request --tiles site/log --old 300 > request.txt", "ask for a cosignature from a witness at 300"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the body was written"),
            ExitStatusNote(.error, "no checkpoint, an old size beyond it, or unreadable tiles"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        guard let old = args.integer("old"), old >= 0 else {
            throw CLIError.invalidUsage("--old takes a tree size, an integer from 0")
        }
        let keys = try AuditOptions.verifiers(context)
        let request: WitnessRequest
        switch (args.positional("LOG"), args.value("tiles")) {
        case (let log?, nil):
            request = try AuditLog.witnessRequest(logAt: log, oldSize: old, trustedKeys: keys)
        case (nil, let directory?):
            let (tiled, read) = try AuditLog.witnessRequest(published: directory, oldSize: old)
            if !keys.isEmpty, let note = tiled.checkpoint, !note.isTrusted(by: keys) {
                throw AuditError.invalidCheckpoint(path: directory + "/checkpoint", reason: "not signed by a trusted key")
            }
            request = tiled
            context.note("\(read.count) tile\(read.count == 1 ? "" : "s") read")
        default:
            throw CLIError.invalidUsage("give either LOG or --tiles DIR")
        }
        if context.format == .json {
            let json = JSONValue.object(JSONObject([
                ("old_size", .int(Int64(request.oldSize))), ("proof", .array(request.proof.map { .string($0.base64) })),
                ("checkpoint", .string(request.checkpoint?.serialized ?? "")), ("body", .string(request.body)),
            ]))
            if let out = args.value("out") {
                try context.writeFile(JSONRenderer.document(context.versioned(json)), to: out)
            } else {
                context.printJSON(json)
            }
        } else if let out = args.value("out") {
            try context.writeFile(request.body, to: out)
        } else {
            context.console.write(request.body)
        }
        return .success
    }
}

import AuditLog
import JSONValue

/// `stepguard audit verify-proof PROOF --key KEY`
enum AuditVerifyProofCommand {
    static let spec = CommandSpec(
        name: "verify-proof",
        summary: "check an inclusion proof offline",
        discussion: """
            Checks the checkpoint's signature with the public key and that the proof leads from the \
            record to the checkpoint's root hash. No log is needed.

            PROOF is the JSON that audit prove prints, or a C2SP tlog-proof file (recognised by \
            its first line); a tlog-proof without the record as its extra data needs --record.

            With --witness, the checkpoint must also carry valid cosignature/v1 cosignatures from \
            --quorum of the witnesses (default: all of them).

            With --tiles DIR and --seq N instead of PROOF, the proof of record N is built from the \
            tree published in DIR, reading only the tiles it needs, and checked the same way.
            """,
        options: [
            .path("key", short: "k", valueName: "PUB", help: "a public key checkpoints are signed with").required().repeatable(),
            .path("record", help: "the record line the proof must be about (default: the one in the proof)"),
            AuditOptions.witness,
            AuditOptions.quorum,
            .path("tiles", valueName: "DIR", help: "check record --seq of the tree published in DIR"),
            .integer("seq", help: "the record to check with --tiles"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PROOF", arity: .optional, help: "the proof printed by audit prove; - reads stdin"),
        ],
        examples: [
            Example("stepguard audit verify-proof proof.json -k keys/audit.pub", "check a proof"),
            Example("stepguard audit verify-proof 17.tlog-proof -k keys/audit.pub --witness w1.vkey", "check a tlog-proof and its cosignature"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the record is in the signed log"),
            ExitStatusNote(.failure, "the proof or the checkpoint signature does not verify"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let keys = try AuditOptions.verifiers(context)
        let witnesses = try AuditOptions.witnessPolicy(context)
        // The record, read once: it may stand in for a tlog-proof's missing extra data, and the
        // proof must be about it.
        let recordPath = args.value("record")
        if recordPath == "-" && args.positional("PROOF") == "-" {
            throw CLIError.invalidUsage("the proof and --record cannot both be read from stdin")
        }
        let record = try recordPath.map { try recordLine(context, $0) }
        let proof: InclusionProofFile
        switch (args.positional("PROOF"), args.value("tiles"), args.integer("seq")) {
        case (let path?, nil, nil):
            proof = try readProof(context, path: path, record: record)
        case (nil, let directory?, let seq?):
            guard seq >= 0 else { throw CLIError.invalidUsage("--seq takes a record number, an integer from 0") }
            let (tiled, read) = try AuditLog.prove(published: directory, seq: seq)
            proof = tiled
            context.note("\(read.count) tile\(read.count == 1 ? "" : "s") read")
        default:
            throw CLIError.invalidUsage("give either PROOF, or --tiles DIR with --seq N")
        }
        var result = AuditLog.verifyProof(proof, trustedKeys: keys, witnesses: witnesses)
        if let record, let recordPath, record != Array(proof.record.utf8) {
            result.problems.insert("the proof is about a different record than \(recordPath == "-" ? "<stdin>" : recordPath)", at: 0)
            result.valid = false
        }
        if context.format == .json {
            context.printJSON(result.json)
        } else if result.valid {
            let origin = result.origin.map { " \"\($0)\"" } ?? ""
            context.console.print(context.style.green("valid:") + " record \(result.seq) is in the signed log\(origin) of \(result.treeSize) records")
        } else {
            context.console.print(context.style.apply("invalid:", .bold, .red) + " record \(result.seq): " + result.problems.joined(separator: "; "))
        }
        return result.valid ? .success : .failure
    }

    /// A proof file in either form; a tlog-proof without the record as its extra data takes
    /// `record` (from --record).
    static func readProof(_ context: CommandContext, path: String, record: [UInt8]?) throws -> InclusionProofFile {
        let name = path == "-" ? "<stdin>" : path
        let bytes = try context.readInput(path)
        guard TlogProof.looksLikeOne(bytes) else {
            return try InclusionProofFile(json: try JSONParser.parse(bytes, file: name), path: name)
        }
        let proof = try TlogProof.parse(bytes, path: name)
        return try proof.inclusionProofFile(record: proof.extra == nil ? record : nil, path: name)
    }

    /// The record as a file holds it: one line, its newline optional.
    static func recordLine(_ context: CommandContext, _ path: String) throws -> [UInt8] {
        var line = try context.readInput(path)
        if line.last == 0x0A { line.removeLast() }
        if line.last == 0x0D { line.removeLast() }
        return line
    }
}

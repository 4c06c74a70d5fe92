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
            """,
        options: [
            .path("key", short: "k", valueName: "PUB", help: "a public key checkpoints are signed with (repeatable)").required().repeatable(),
            .path("record", help: "the record line the proof must be about (default: the one in the proof)"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PROOF", help: "the proof printed by audit prove; - reads stdin"),
        ],
        examples: [
            Example("stepguard audit verify-proof proof.json -k keys/audit.pub", "check a proof"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the record is in the signed log"),
            ExitStatusNote(.failure, "the proof or the checkpoint signature does not verify"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let path = args.positional("PROOF")!
        let name = path == "-" ? "<stdin>" : path
        let keys = try AuditOptions.verifiers(context)
        let json = try JSONParser.parse(try context.readInput(path), file: name)
        let proof = try InclusionProofFile(json: json, path: name)
        var result = AuditLog.verifyProof(proof, trustedKeys: keys)
        if let recordPath = args.value("record") {
            guard !(recordPath == "-" && path == "-") else {
                throw CLIError.invalidUsage("the proof and --record cannot both be read from stdin")
            }
            var line = try context.readInput(recordPath)
            // The record as a file holds it: one line, its newline optional.
            if line.last == 0x0A { line.removeLast() }
            if line.last == 0x0D { line.removeLast() }
            if line != Array(proof.record.utf8) {
                result.problems.insert("the proof is about a different record than \(recordPath == "-" ? "<stdin>" : recordPath)", at: 0)
                result.valid = false
            }
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
}

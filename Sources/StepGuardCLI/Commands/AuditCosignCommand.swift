#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AuditLog
import Credentials
import JSONValue

/// `stepguard audit cosign CHECKPOINT --key WITNESS.key --name NAME --state DIR --log-key PUB --proof FILE`
enum AuditCosignCommand {
    static let spec = CommandSpec(
        name: "cosign",
        summary: "cosign a checkpoint as a witness",
        discussion: """
            Acts as a C2SP tlog-witness from plain files. DIR keeps, per log origin, the latest \
            checkpoint this witness cosigned. The checkpoint must be signed by a --log-key; \
            --proof holds the old size (the size cosigned last, 0 the first time) and the \
            consistency proof from it, as the first lines of an add-checkpoint body: the file \
            audit witness-request writes serves as it is.

            A checkpoint smaller than the one cosigned last is a rollback, one of the same size \
            with another root or one the proof does not show to extend it is a fork: both are \
            refused (exit 1), naming both trees. Otherwise the new size and root are stored, and \
            the cosignature/v1 line (Ed25519, signature type 0x04, timestamped) is printed and \
            appended to CHECKPOINT, replacing an earlier one of this witness.

            The witness's verifier key, which verifiers pass to --witness, is printed on stderr.
            """,
        options: [
            .path("key", short: "k", help: "the witness's Ed25519 private key").required(),
            .value("name", valueName: "NAME", help: "the witness's name, on its cosignature lines").required(),
            .path("state", valueName: "DIR", help: "the witness's state directory (created when absent)").required(),
            .path("log-key", valueName: "PUB", help: "a public key the log's checkpoints are signed with").required().repeatable(),
            .path("proof", help: "the old size and consistency proof (an add-checkpoint body)").required(),
            CommonOptions.now,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("CHECKPOINT", help: "the signed checkpoint; its file gains the cosignature"),
        ],
        examples: [
            Example("stepguard audit cosign site/log/checkpoint -k witness.key --name witness.example/w1 --state witness --log-key keys/audit.pub --proof request.txt",
                    "cosign a published checkpoint"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "cosigned"),
            ExitStatusNote(.failure, "refused: not signed by the log key, a rollback, a fork, or a proof from the wrong size"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let path = try args.requiredPositional("CHECKPOINT")
        let key = try SigningKey.load(path: args.required("key"))
        let signer = try CosignatureSigner(name: args.required("name"), seed: key.privateKey.seed)
        let logKeys = try args.values("log-key").map { try AuditOptions.verifier(path: $0) }
        let proofPath = try args.required("proof")
        let request = try WitnessRequest.parse(try context.readInput(proofPath), path: proofPath == "-" ? "<stdin>" : proofPath)
        let bytes = try FileReader.read(path)
        let note: SignedNote
        do {
            note = try SignedNote.parse(bytes)
        } catch {
            throw AuditError.invalidCheckpoint(path: path, reason: error.message)
        }
        if let carried = request.checkpoint, carried.text != note.text {
            throw CLIError.invalidUsage("\(proofPath) is a request for another checkpoint than \(path)")
        }
        let time = UInt64(max(0, Int64((try AuditOptions.now(context) ?? Date()).timeIntervalSince1970)))
        context.note("witness key: \(signer.verifier.verifierKey)")
        let outcome = try Witness.cosign(note: note, oldSize: request.oldSize, proof: request.proof, logKeys: logKeys,
                                         signer: signer, stateDirectory: args.required("state"), time: time)
        switch outcome {
        case .failure(let refusal):
            if context.format == .json {
                context.printJSON(refusal.json)
            } else {
                context.error(refusal.message)
            }
            return .failure
        case .success(let cosignature):
            // The witness's earlier cosignature on this checkpoint gives way to the new one.
            let kept = note.signatures.filter { !($0.name == cosignature.name && $0.keyID == cosignature.keyID) }
            let cosigned = SignedNote(text: note.text, signatures: kept + [cosignature])
            try context.writeFile(cosigned.serialized, to: path)
            if context.format == .json {
                context.printJSON(.object(JSONObject([
                    ("cosignature", .string(cosignature.line)), ("time", .int(Int64(time))),
                    ("witness_key", .string(signer.verifier.verifierKey)), ("checkpoint", .string(cosigned.serialized)),
                ])))
            } else {
                context.console.print(cosignature.line)
            }
            return .success
        }
    }
}

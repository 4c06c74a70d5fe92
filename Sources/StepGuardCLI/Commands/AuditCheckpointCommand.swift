import AuditLog
import JSONValue
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `stepguard audit checkpoint LOG --key KEY`
enum AuditCheckpointCommand {
    static let spec = CommandSpec(
        name: "checkpoint",
        summary: "sign a checkpoint of an audit log",
        discussion: """
            Computes the RFC 6962 Merkle tree over the log's records and stores, beside the log, a \
            checkpoint: a C2SP tlog-checkpoint body (origin, size, root hash) signed as a C2SP \
            signed note with Ed25519.
            """,
        options: [
            .path("key", short: "k", help: "the Ed25519 private key that signs the checkpoint").required(),
            .value("origin", valueName: "NAME", help: "the checkpoint origin line (default: the log's file name)"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log"),
        ],
        examples: [
            Example("stepguard audit checkpoint audit.jsonl -k keys/audit.key", "sign the log as it is now"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the checkpoint was written"),
            ExitStatusNote(.failure, "the log does not verify: nothing signed"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let log = try args.requiredPositional("LOG")
        let origin = args.value("origin") ?? URL(fileURLWithPath: log).lastPathComponent
        let signer = try AuditOptions.signer(keyPath: args.required("key"), name: origin)
        let result: CheckpointResult
        do throws(AuditError) {
            result = try AuditLog.checkpoint(logAt: log, origin: origin, signer: signer)
        } catch {
            guard case .logDoesNotVerify = error else { throw error }
            if context.format == .json {
                context.printJSON(.object(JSONObject([("signed", .bool(false)), ("reason", .string(error.description))])))
            }
            context.error(error.description)
            context.note("nothing signed")
            return .failure
        }
        if context.format == .json {
            context.printJSON(result.json)
        } else {
            let size = result.checkpoint.size
            let what = "checkpoint of \(size) record\(size == 1 ? "" : "s"), root \(result.checkpoint.root.base64)"
            context.console.print(result.created ? "signed \(what): \(result.path)" : "already signed \(what): \(result.path)")
        }
        return .success
    }
}

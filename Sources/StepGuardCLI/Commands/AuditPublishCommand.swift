import AuditLog
import JSONValue

/// `stepguard audit publish LOG --out DIR`
enum AuditPublishCommand {
    static let spec = CommandSpec(
        name: "publish",
        summary: "publish an audit log as C2SP tiles for static hosting",
        discussion: """
            Writes the log as a C2SP tlog-tiles tree in DIR: hash tiles (tile/<L>/<N>, 256 hashes \
            of 32 bytes, the rightmost of a level partial as <N>.p/<W>), entry bundles \
            (tile/entries/<N>, each record behind a big-endian uint16 length) and the signed \
            checkpoint (DIR/checkpoint). Any static web server or object store can serve DIR as \
            it is.

            What is published is the latest checkpoint that matches the log (with --key, one \
            signed by that key); records after it wait for the next checkpoint. The log is \
            verified first and nothing is published when it shows damage.

            Publishing again after new appends and a new checkpoint writes only new or grown \
            tiles: a full tile is never rewritten, and a file that is present with other contents \
            stops the publication. When the log still has the checkpoint published before (trusted, \
            with its resume data), only the records after it are read and verified; the older \
            hashes come from DIR's tiles, checked against DIR's checkpoint. The checkpoint is written last, atomically, once everything it \
            needs is on disk. A DIR that holds a larger tree, or one this log does not extend, is \
            refused. Cosignatures added to DIR/checkpoint stay while the checkpoint is the same.
            """,
        options: [
            .path("out", short: "o", valueName: "DIR", help: "the directory to publish to (created when absent)").required(),
            .path("key", short: "k", valueName: "PUB", help: "publish only a checkpoint signed by this public key").repeatable(),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log"),
        ],
        examples: [
            Example("stepguard audit publish audit.jsonl --out site/log -k keys/audit.pub", "publish the latest signed checkpoint"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "published (or already up to date)"),
            ExitStatusNote(.failure, "the log does not verify, or publishing would roll back or fork DIR: nothing published"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let log = try args.requiredPositional("LOG")
        let directory = try args.required("out")
        let keys = try AuditOptions.verifiers(context)
        let result: PublishResult
        do throws(AuditError) {
            result = try AuditLog.publish(logAt: log, to: directory, trustedKeys: keys)
        } catch {
            switch error {
            case .logDoesNotVerify, .publishRefused:
                if context.format == .json {
                    context.printJSON(.object(JSONObject([("published", .bool(false)), ("reason", .string(error.description))])))
                }
                context.error(error.description)
                context.note("nothing published")
                return .failure
            default:
                throw error
            }
        }
        if context.format == .json {
            context.printJSON(result.json)
        } else {
            let size = result.checkpoint.size
            let files = result.written.count
            let what = result.checkpointWritten ? "published" : "already published"
            context.console.print("\(what) checkpoint of \(size) record\(size == 1 ? "" : "s") to \(directory): "
                + "\(files) file\(files == 1 ? "" : "s") written, \(result.kept) already there")
        }
        return .success
    }
}

import Approvals
import AuditLog
import JSONValue
import Workflow

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
            decision, a credential used after expiry or twice (replay), an execution of a plan's \
            step that names no credential (missing-credential, whether or not one was minted) or \
            names one minted for another step, plan digest or decided form (misbound-credential), \
            an execution whose recorded digests differ from what was decided (form-mismatch), a \
            step decided but never executed (aborted, reported but not a fault). Only a gate call's \
            execution runs without a credential: it carries the gate's host member and is bound to \
            the gate's decision of that call (same session and tool_use_id, same host); one that \
            claims to be a gate call's without that decision is a fault (unjoined-execution). It \
            ends with N/M records valid.

            With --from-checkpoint, the log up to that trusted checkpoint is taken as verified and \
            only what came after it is checked.

            Only a key proves anything: the chain and the tree can be recomputed by anyone who can \
            edit the log. With --key, a log that no checkpoint signed by that key matches is a \
            fault (an emptied log whose checkpoints were removed is not intact), and records after \
            the last signed checkpoint are reported as unsigned, with their count and range; \
            --require-signed makes them a fault. Without --key the report says that only the hash \
            chain was checked. A record dated earlier than a record before it is a fault \
            (backdated): time in the log only moves forward.

            Each finding is printed as LOG:LINE: fault or notice, its kind, the record number and \
            what is wrong; notices (an aborted step, something not checked) do not fail \
            verification. -q leaves out the notices.

            With --tiles, the tree published in DIR by audit publish is verified instead of a log: \
            every tile is recomputed from the entry bundles up, and a missing, malformed or \
            differing tile or bundle is reported at its path; the entries then go through every \
            check above as the log they spell out, located as DIR/tile/entries:LINE (entry LINE-1).

            With --witness, the latest trusted checkpoint must also carry valid cosignature/v1 \
            cosignatures from --quorum of the witnesses (default: all of them); a cosignature by a \
            given witness that does not verify is a fault. --witness needs --key.

            With --policies DIR, approvals are checked too: every approval record must carry a \
            signed approval (stepguard approve) that verifies under the approver's approval_key \
            in DIR's entities.json, approves a step a decision record held, and was the \
            approver's to give under DIR's policies (invalid-approval otherwise), and every \
            execution of a held step needs enough approvals valid at its time before it \
            (unauthorized-execution otherwise). An approval the host's own prompt gave (gate) \
            carries no signature and releases nothing under this check.

            The log is read through a memory map. Lines are hashed and scanned on the spare cores \
            (up to seven) ahead of the pass that checks the chain, the tree and the joins in \
            order; the report never depends on how many cores there are.
            """,
        options: [
            .path("key", short: "k", valueName: "PUB", help: "a public key checkpoints are signed with").repeatable(),
            .integer("from-checkpoint", help: "trust the checkpoint of N records and verify only the records after it"),
            .flag("require-signed", help: "records after the last checkpoint signed by a --key are a fault, not a notice"),
            .flag("verbose", short: "v", help: "also list every checkpoint and how it fared"),
            CommonOptions.policies(help: "check approval records and executions of held steps against this policy directory"),
            .path("tiles", valueName: "DIR", help: "verify the tree published in DIR instead of a log"),
            AuditOptions.witness,
            AuditOptions.quorum,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", arity: .optional, help: "the audit log (or --tiles DIR)"),
        ],
        examples: [
            Example("stepguard audit verify audit.jsonl -k keys/audit.pub", "verify the whole log and its checkpoints"),
            Example("stepguard audit verify audit.jsonl -k keys/audit.pub --from-checkpoint 300", "verify what came after the checkpoint of 300 records"),
            Example("stepguard audit verify --tiles site/log -k keys/audit.pub --witness w1.vkey --witness w2.vkey --quorum 1",
                    "verify a published tree and its cosignatures"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "intact"),
            ExitStatusNote(.failure, "a record is modified, missing, inserted, reordered or backdated, the log is truncated or forked; with --key, no signed checkpoint matches the log (with --require-signed, some record is unsigned)"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        var options = VerifyOptions(trustedKeys: try AuditOptions.verifiers(context))
        options.witnesses = try AuditOptions.witnessPolicy(context)
        if let directory = args.value("tiles") {
            return try AuditVerifyTiles.run(context, directory: directory, options: options)
        }
        guard let log = args.positional("LOG") else { throw CLIError.invalidUsage("give the audit log LOG, or --tiles DIR") }
        if args.isGiven("from-checkpoint") {
            guard let size = args.integer("from-checkpoint"), size > 0 else {
                throw CLIError.invalidUsage("--from-checkpoint takes the record count of a checkpoint, a positive integer")
            }
            guard !options.trustedKeys.isEmpty else {
                throw CLIError.invalidUsage("--from-checkpoint needs --key PUB: a checkpoint is trusted only when its signature verifies")
            }
            options.fromCheckpoint = size
        }
        if args.flag("require-signed") {
            guard !options.trustedKeys.isEmpty else {
                throw CLIError.invalidUsage("--require-signed needs --key PUB: a record is signed only when a checkpoint verifies under a key you trust")
            }
            options.requireSigned = true
        }
        var report = try AuditLog.verify(logAt: log, options: options)
        if let directory = args.value("policies") {
            report.findings += try LogApprovals.verify(logAt: log, bundle: try PolicyBundle.load(try PolicyDirectory(path: directory)))
        }
        context.emit(VerifyReport(log: log, report: report, verbose: args.flag("verbose")))
        return report.isIntact ? .success : .failure
    }
}

/// `audit verify` output: one line per finding in log order, then `N/M records valid`.
struct VerifyReport: Report {
    var log: String
    var report: VerificationReport
    var verbose: Bool

    func text(style: Style, quiet: Bool) -> String {
        var out = ""
        // Faults first, then notices, each in log order; checkpoint findings (no line) last.
        let ordered = report.findings.enumerated().sorted { a, b in
            let x = (a.element.severity == .fault ? 0 : 1, a.element.line ?? Int.max, a.offset)
            let y = (b.element.severity == .fault ? 0 : 1, b.element.line ?? Int.max, b.offset)
            return x < y
        }.map(\.element)
        for finding in ordered where !(quiet && finding.severity == .notice) {
            out += Self.line(finding, log: log, style: style) + "\n"
        }
        if verbose {
            for checkpoint in report.checkpoints {
                let matches = checkpoint.matchesLog.map { $0 ? "matches the log" : "does not match the log" } ?? "not compared"
                out += "\(checkpoint.path): checkpoint of \(checkpoint.size) records (\(checkpoint.origin)): "
                    + "signature \(checkpoint.signature), \(matches)\n"
            }
        }
        let summary = report.summary
        out += (report.isIntact ? style.apply(summary, .green) : style.apply(summary, .bold, .red)) + "\n"
        return out
    }

    /// `audit.jsonl:4: fault: modified: record 3: line 4: record 3 was modified (...)`, the
    /// message's own `line N:` lead dropped since the location says it.
    static func line(_ finding: AuditFinding, log: String, style: Style) -> String {
        var text = finding.line.map { "\(log):\($0):" } ?? (finding.checkpointPath.map { "\($0):" } ?? "\(log):")
        text = style.bold(text) + " "
        text += finding.severity == .fault ? style.apply("fault:", .bold, .red) : style.apply("notice:", .bold, .cyan)
        text += " " + finding.kind.rawValue + ":"
        if let seq = finding.seq { text += " record \(seq):" }
        var message = finding.message
        if let line = finding.line, message.hasPrefix("line \(line): ") {
            message.removeFirst("line \(line): ".count)
        }
        return text + " " + message
    }

    var json: JSONValue { report.json }
}

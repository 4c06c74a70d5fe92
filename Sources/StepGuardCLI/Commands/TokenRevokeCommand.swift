import AuditLog
import Credentials
import JSONValue

/// `stepguard token revoke --jti ID --revoked FILE`, and `--plan ID --log LOG` at a task's end
enum TokenRevokeCommand {
    static let spec = CommandSpec(
        name: "revoke",
        summary: "revoke a credential by its jti, or all of a plan's",
        discussion: """
            Adds the jti to the revocation file (created when absent), atomically. token verify \
            refuses every token whose jti the file lists.

            At a task's end, --plan ID --log LOG revokes every credential the log's mint records \
            show minted for the plan (--session ID for a gate session, whose id its records carry \
            as the plan), and appends a revocation record for each to LOG, so that audit verify \
            reports any later use of one as revoked-credential.
            """,
        usage: ["--jti ID --revoked FILE [options]", "(--plan ID | --session ID) --log LOG --revoked FILE [options]"],
        options: [
            .value("jti", valueName: "ID", help: "the jti claim of the credential to revoke"),
            .value("plan", valueName: "ID", help: "revoke every credential the log shows minted for this plan"),
            .value("session", valueName: "ID", help: "revoke every credential the log shows minted in this gate session"),
            .path("log", valueName: "LOG", help: "the audit log whose mint records --plan or --session reads; a revocation record per credential is appended to it"),
            .path("revoked", help: "the revocation file").required(),
            CommonOptions.audit,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        examples: [
            Example("stepguard token revoke --jti 3f9c0a7e5b1d4e2f8a6c9b0d1e2f3a4b --revoked revoked.txt",
                    "revoke one credential"),
            Example("stepguard token revoke --plan storefront-release-7.3 --log audit.jsonl --revoked revoked.txt",
                    "the task is over: revoke everything minted for it"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "revoked"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let path = try args.required("revoked")
        let task = args.value("plan") ?? args.value("session")
        if args.isGiven("plan") && args.isGiven("session") {
            throw CLIError.invalidUsage("give --plan or --session, not both")
        }
        if let task {
            guard !args.isGiven("jti") else { throw CLIError.invalidUsage("give --jti, or --plan/--session with --log, not both") }
            guard let log = args.value("log") else {
                throw CLIError.invalidUsage("--\(args.isGiven("plan") ? "plan" : "session") needs --log LOG: the audit log whose mint records name the credentials")
            }
            return try revokeTask(context, task: task, log: log, revoked: path)
        }
        guard let jti = args.value("jti") else {
            throw CLIError.invalidUsage("give --jti ID, or --plan ID (or --session ID) with --log LOG")
        }
        let outcome = try RevocationList.append(jti: jti, to: path)
        if let audit = args.value("audit"), outcome == .appended {
            try AuditLog.append(event: AuditEvent.revocation(jti: jti), to: audit)
        }
        let already = outcome == .alreadyRevoked
        switch context.format {
        case .json:
            context.printJSON(.object(JSONObject([
                ("jti", .string(jti)), ("revoked", .string(path)), ("already_revoked", .bool(already)),
            ])))
        default:
            context.console.print(already ? "jti \(jti) was already revoked in \(path)" : "revoked jti \(jti) in \(path)")
        }
        return .success
    }

    /// Revokes every credential `log` shows minted for `task`, and records each revocation in it.
    static func revokeTask(_ context: CommandContext, task: String, log: String, revoked path: String) throws -> ExitCode {
        let minted = try AuditLog.mintedCredentials(logAt: log, plan: task)
        var revoked: [MintedCredential] = []
        for credential in minted where try RevocationList.append(jti: credential.jti, to: path) == .appended {
            revoked.append(credential)
        }
        if !revoked.isEmpty {
            try AuditLog.append(
                events: revoked.map { AuditEvent.revocation(jti: $0.jti, plan: task, step: $0.step, reason: "task end") }, to: log)
        }
        switch context.format {
        case .json:
            context.printJSON(.object(JSONObject([
                ("plan", .string(task)), ("revoked", .string(path)), ("log", .string(log)),
                ("minted", .array(minted.map { .string($0.jti) })), ("newly_revoked", .array(revoked.map { .string($0.jti) })),
            ])))
        default:
            let already = minted.count - revoked.count
            var line = "revoked \(revoked.count) credential\(revoked.count == 1 ? "" : "s") of plan \"\(task)\" in \(path)"
            if already > 0 { line += " (\(already) already revoked)" }
            if minted.isEmpty { line = "no credential was minted for plan \"\(task)\" in \(log); nothing to revoke" }
            context.console.print(line)
            if !revoked.isEmpty { context.note("appended \(revoked.count) revocation record\(revoked.count == 1 ? "" : "s") to \(log)") }
        }
        return .success
    }
}

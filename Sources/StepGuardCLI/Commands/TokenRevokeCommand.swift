import AuditLog
import Credentials
import JSONValue

/// `stepguard token revoke --jti ID --revoked FILE`
enum TokenRevokeCommand {
    static let spec = CommandSpec(
        name: "revoke",
        summary: "revoke a credential by its jti",
        discussion: """
            Adds the jti to the revocation file (created when absent), atomically. token verify \
            refuses every token whose jti the file lists.
            """,
        options: [
            .value("jti", valueName: "ID", help: "the jti claim of the credential to revoke").required(),
            .path("revoked", help: "the revocation file").required(),
            CommonOptions.audit,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        examples: [
            Example("stepguard token revoke --jti 3f9c0a7e5b1d4e2f8a6c9b0d1e2f3a4b --revoked revoked.txt",
                    "revoke one credential"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "revoked"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let jti = try context.arguments.required("jti")
        let path = try context.arguments.required("revoked")
        let outcome = try RevocationList.append(jti: jti, to: path)
        if let audit = context.arguments.value("audit"), outcome == .appended {
            try AuditLog.append(event: .object(JSONObject([("kind", "revocation"), ("jti", .string(jti))])), to: audit)
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
}

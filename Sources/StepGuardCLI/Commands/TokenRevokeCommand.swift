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
        context.unavailable()
    }
}

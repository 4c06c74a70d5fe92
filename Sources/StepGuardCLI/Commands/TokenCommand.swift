/// `stepguard token ...`
enum TokenCommand {
    static let spec = CommandSpec(
        name: "token",
        summary: "check, show and revoke credentials",
        discussion: """
            Credentials are compact JWS tokens minted by stepguard mint. verify checks one against a \
            public key; inspect shows its header and claims without checking them; revoke adds its \
            jti to a revocation file that verify reads.
            """,
        subcommands: [TokenVerifyCommand.spec, TokenInspectCommand.spec, TokenRevokeCommand.spec]
    )
}

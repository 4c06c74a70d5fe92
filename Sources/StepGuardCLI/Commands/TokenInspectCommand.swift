/// `stepguard token inspect TOKEN`
enum TokenInspectCommand {
    static let spec = CommandSpec(
        name: "inspect",
        summary: "show a credential's claims without verifying them",
        discussion: """
            Decodes the token and prints its header and claims, saying that nothing was verified. \
            Use token verify to check it.
            """,
        options: [
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("TOKEN", kind: .value, help: "the token, or - to read it from stdin"),
        ],
        examples: [
            Example("stepguard token inspect --format json - < token.jwt", "show the claims of a token in a file"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the token was decoded"),
            ExitStatusNote(.error, "the token is not a well-formed compact JWS"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

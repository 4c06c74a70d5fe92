/// `stepguard keygen --out PREFIX`
enum KeygenCommand {
    static let spec = CommandSpec(
        name: "keygen",
        summary: "make an Ed25519 key pair",
        discussion: """
            Writes PREFIX.key, the private key as PKCS#8 PEM with mode 0600, and PREFIX.pub, the \
            public key as SPKI PEM: the formats openssl genpkey -algorithm ed25519 writes. Existing \
            files are never overwritten.
            """,
        options: [
            .path("out", short: "o", valueName: "PREFIX", help: "write PREFIX.key and PREFIX.pub").required(),
            .flag("jwks", help: "also print the public key as a JWKS, kid = its RFC 7638 thumbprint"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        examples: [
            Example("stepguard keygen --out keys/issuer", "write keys/issuer.key and keys/issuer.pub"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the key pair was written"),
            ExitStatusNote(.error, "a file exists or cannot be written"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

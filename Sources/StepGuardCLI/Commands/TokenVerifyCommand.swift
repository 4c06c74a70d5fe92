/// `stepguard token verify TOKEN`
enum TokenVerifyCommand {
    static let spec = CommandSpec(
        name: "verify",
        summary: "verify a credential against a public key",
        discussion: """
            Checks the token's structure, its signature, that its alg matches the key (never none, \
            never an HMAC alg against an Ed25519 key), exp and nbf within the leeway, the audience, \
            and the revocation file. Each failure is named: expired 42s ago, audience mismatch, \
            revoked, bad signature, alg none refused.
            """,
        options: [
            .path("key", short: "k", help: "the issuer's public key (SPKI PEM or JWK)"),
            .path("jwks", help: "a JWKS holding the issuer's keys, chosen by kid"),
            .value("audience", valueName: "AUD", help: "require this aud claim"),
            .path("revoked", help: "a revocation file: one revoked jti per line"),
            .duration("leeway", help: "clock skew allowed on exp and nbf", default: "30s"),
            CommonOptions.now,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("TOKEN", kind: .value, help: "the token, or - to read it from stdin"),
        ],
        examples: [
            Example("stepguard token verify --key keys/issuer.pub --audience deployer \"$TOKEN\"", "verify a token"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "valid"),
            ExitStatusNote(.failure, "invalid, expired or revoked"),
        ],
        exclusive: [["key", "jwks"]],
        requireOneOf: [["key", "jwks"]],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

import Credentials
import JSONValue

/// `stepguard keygen --out PREFIX`
enum KeygenCommand {
    static let spec = CommandSpec(
        name: "keygen",
        summary: "make an Ed25519 key pair",
        discussion: """
            Writes PREFIX.key, the private key as PKCS#8 PEM with mode 0600, and PREFIX.pub, the \
            public key as SPKI PEM: the formats openssl genpkey -algorithm ed25519 writes. Existing \
            files are never overwritten: if either exists, nothing is written. With --jwks, stdout \
            carries only the public key set, ready to hand to verifiers.
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
            Example("stepguard keygen --out keys/issuer --jwks > keys/jwks.json", "also publish the public key as a JWKS"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the key pair was written"),
            ExitStatusNote(.error, "a file exists or cannot be written"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        guard let prefix = context.arguments.value("out"), !prefix.isEmpty else {
            throw CLIError.invalidUsage("--out needs a file name prefix, e.g. keys/issuer")
        }
        let key = try SigningKey.generate()
        // Both files are created without ever replacing one: an existing PREFIX.key or PREFIX.pub
        // stops keygen before anything is written (exit 2, naming the file).
        let files = try key.write(prefix: prefix)
        let kid = key.verificationKey.thumbprint
        let jwks = JWKS(keys: [key.verificationKey.jwk]).json
        if context.arguments.flag("jwks") {
            // The JWKS is the payload: it can be redirected straight into the verifier's file.
            context.printStandardJSON(jwks)
            context.note("wrote \(files.privateKeyPath) (private, mode 0600) and \(files.publicKeyPath); kid \(kid)")
            return .success
        }
        switch context.format {
        case .json:
            context.printJSON(.object(JSONObject([
                ("private_key", .string(files.privateKeyPath)),
                ("public_key", .string(files.publicKeyPath)),
                ("kid", .string(kid)),
            ])))
        default:
            context.console.write(
                "private key  \(files.privateKeyPath)  (PKCS#8 PEM, mode 0600)\n"
                    + "public key   \(files.publicKeyPath)  (SPKI PEM)\n"
                    + "kid          \(kid)\n")
        }
        return .success
    }
}

import Credentials
import Foundation
import JSONValue

/// `stepguard token verify TOKEN`
enum TokenVerifyCommand {
    static let spec = CommandSpec(
        name: "verify",
        summary: "verify a credential against a public key",
        discussion: """
            Checks the token's structure, its signature, that its alg matches the key (never none, \
            never an HMAC alg against an Ed25519 key), exp and nbf within the leeway, the audience \
            (--audience), the issuer (--issuer) and the revocation file. Each failure is named: \
            expired 42s ago, audience mismatch, issuer mismatch, revoked, bad signature, alg none \
            refused. An audience or issuer not asked for is not checked (a warning says so for the \
            audience; the key already stands for the issuer).
            """,
        options: [
            .path("key", short: "k", help: "the issuer's public key (SPKI PEM or JWK)"),
            .path("jwks", help: "a JWKS holding the issuer's keys, chosen by kid"),
            .value("audience", valueName: "AUD", help: "require this aud claim"),
            .value("issuer", valueName: "ISS", help: "require this iss claim"),
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
            Example("stepguard token verify --key keys/issuer.pub --audience deployer --issuer stepguard \"$TOKEN\"", "verify a token"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "valid"),
            ExitStatusNote(.failure, "invalid, expired or revoked: the failure is named"),
            ExitStatusNote(.error, "the key, key set or revocation file cannot be read"),
        ],
        exclusive: [["key", "jwks"]],
        requireOneOf: [["key", "jwks"]],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let now = try CredentialOptions.now(context)
        let leeway = try CredentialOptions.seconds(context, "leeway", allowZero: true) ?? 30
        let audience = args.value("audience")
        if let audience, audience.isEmpty { throw CLIError.invalidUsage("--audience must not be empty") }
        let issuer = args.value("issuer")
        if let issuer, issuer.isEmpty { throw CLIError.invalidUsage("--issuer must not be empty") }
        let revoked = try args.value("revoked").map { try RevocationList.load(path: $0).jtis } ?? []
        let verifier: TokenVerifier
        if let path = args.value("jwks") {
            verifier = try TokenVerifier(keySet: JWKS.load(path: path), audience: audience, issuer: issuer, leeway: leeway, revoked: revoked)
        } else if let path = args.value("key") {
            verifier = try TokenVerifier(key: VerificationKey.load(path: path), audience: audience, issuer: issuer, leeway: leeway, revoked: revoked)
        } else {
            throw CLIError.invalidUsage("give the issuer's public key with --key PUB or --jwks FILE")
        }
        let token = try CredentialOptions.token(context)

        let verified: VerifiedToken
        do {
            verified = try verifier.verify(token, now: now)
        } catch {
            switch context.format {
            case .json: context.printJSON(error.json)
            default: context.console.print(context.style.apply("invalid:", .bold, .red) + " " + error.description)
            }
            return .failure
        }
        if context.format == .json {
            context.printJSON(verified.json)
        } else {
            context.console.write(text(verified, now: now, style: context.style, quiet: context.isQuiet))
        }
        if audience == nil {
            context.warning("the audience was not checked; pass --audience AUD to require the service it is for")
        }
        return .success
    }

    /// The verdict and, unless quiet, what the credential allows, to whom, until when.
    static func text(_ token: VerifiedToken, now: Int64, style: Style, quiet: Bool) -> String {
        let step = token.authorization
        var out = style.apply("valid:", .bold, .green)
            + " credential for step \"\(step.stepID)\" of plan \"\(step.planID)\"\n"
        if quiet { return out }
        let remaining = token.expiresAt - now
        let expiry = remaining > 0
            ? "in \(CredentialOptions.format(seconds: remaining))"
            : "\(CredentialOptions.format(seconds: -remaining)) ago, within the leeway"
        let rows: [(String, String)] = [
            ("issuer", token.issuer),
            ("subject", token.subject),
            ("audience", token.audience.joined(separator: ", ")),
            ("action", step.action),
            ("resource", step.resource),
            ("plan digest", step.planDigest),
            ("jti", token.jti),
            ("issued", CredentialTime.format(token.issuedAt)),
            ("expires", CredentialTime.format(token.expiresAt) + " (\(expiry))"),
        ]
        for (name, value) in rows {
            out += "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + value + "\n"
        }
        return out
    }
}

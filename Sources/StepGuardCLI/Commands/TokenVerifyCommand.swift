import Basics
import Credentials
import JSONValue
import Workflow

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

            A tool about to act checks that the credential is for what it is about to do: \
            --action, --resource, --step and --plan (the plan id, or its sha256: digest) each \
            require the credential to name exactly that, and --call FILE checks a whole call at once: \
            a JSON object with "action", "resource", "args" (the SHA-256 of their canonical JSON \
            must be the credential's args_digest), and optionally "plan" and "step". Each mismatch \
            is named (action_mismatch, resource_mismatch, args_mismatch, plan_mismatch, \
            step_mismatch). See docs/credentials.md.
            """,
        options: [
            .path("key", short: "k", help: "the issuer's public key (SPKI PEM or JWK)"),
            .path("jwks", help: "a JWKS holding the issuer's keys, chosen by kid"),
            .value("audience", valueName: "AUD", help: "require this aud claim"),
            .value("issuer", valueName: "ISS", help: "require this iss claim"),
            .path("revoked", help: "a revocation file: one revoked jti per line"),
            .value("action", valueName: "ACTION", help: "require the credential to authorize this action"),
            .value("resource", valueName: "ENTITY", help: "require this resource (Cedar entity text, Type::\"id\")"),
            .value("step", valueName: "ID", help: "require this step id"),
            .value("plan", valueName: "ID|DIGEST", help: "require this plan id, or this decided-plan digest (sha256:...)"),
            .path("call", help: "a JSON call {action, resource, args[, plan, step]} the credential must authorize exactly"),
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
            Example("stepguard token verify --key keys/issuer.pub --audience deployer --call call.json \"$TOKEN\"",
                    "verify that a token authorizes exactly the call in call.json"),
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
        let requirements = try callRequirements(context)
        let token = try CredentialOptions.token(context)

        let verified: VerifiedToken
        do {
            verified = try verifier.verify(token, now: now)
            for requirement in requirements { try requirement.check(verified.authorization) }
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

    /// What the credential must authorize: the single options, and the call file's fields.
    static func callRequirements(_ context: CommandContext) throws -> [CallRequirements] {
        let args = context.arguments
        for option in ["action", "resource", "step", "plan"] where args.value(option)?.isEmpty == true {
            throw CLIError.invalidUsage("--\(option) must not be empty")
        }
        var requirements: [CallRequirements] = []
        let given = CallRequirements(
            action: args.value("action"), resource: args.value("resource").map(entityText), step: args.value("step"),
            plan: args.value("plan"))
        if !given.isEmpty { requirements.append(given) }
        if let path = args.value("call") { requirements.append(try readCall(path, context: context)) }
        return requirements
    }

    /// A resource as the credential spells it: Cedar entity text, normalised when it parses.
    static func entityText(_ text: String) -> String { EntityRef(cedarText: text)?.description ?? text }

    /// `{"action", "resource", "args", "plan"?, "step"?}`: the call a tool is about to make.
    static func readCall(_ path: String, context: CommandContext) throws -> CallRequirements {
        let value = try JSONParser.parse(try context.readInput(path), file: path)
        func fail(_ message: String) -> CredentialsError { .invalidRequest("\(path): \(message)") }
        guard let call = value.objectValue else { throw fail("a call must be a JSON object with \"action\", \"resource\" and \"args\"") }
        for key in call.keys where !["action", "resource", "args", "plan", "step"].contains(key) {
            throw fail("unknown call key \"\(key)\"; a call has \"action\", \"resource\", \"args\", \"plan\" and \"step\"")
        }
        guard let action = call["action"]?.stringValue, !action.isEmpty else { throw fail("\"action\" must be a non-empty string") }
        guard let resourceValue = call["resource"], let resource = EntityRef(json: resourceValue) else {
            throw fail("\"resource\" must be an entity: \"Type::\\\"id\\\"\" or {\"type\": ..., \"id\": ...}")
        }
        guard let argsValue = call["args"] else { throw fail("\"args\" is missing: give the arguments the tool will run with ({} for none)") }
        guard let callArgs = argsValue.objectValue else { throw fail("\"args\" must be an object") }
        func optional(_ key: String) throws -> String? {
            guard let value = call[key] else { return nil }
            guard let text = value.stringValue, !text.isEmpty else { throw fail("\"\(key)\" must be a non-empty string") }
            return text
        }
        return CallRequirements(
            action: EntityRef.action(action).actionName, resource: resource.description, step: try optional("step"),
            plan: try optional("plan"), argsDigest: DecidedForm.argsDigest(callArgs))
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
            ("args digest", step.argsDigest),
            ("outcome", step.outcome),
            ("step digest", step.stepDigest),
            ("plan digest", step.planDigest),
            ("jti", token.jti),
            ("issued", CredentialTime.format(token.issuedAt)),
            ("expires", CredentialTime.format(token.expiresAt) + " (\(expiry))"),
        ]
        for (name, value) in rows {
            out += "  " + name.padded(toLength: 12) + value + "\n"
        }
        return out
    }
}

/// `stepguard mint --key KEY --plan PLAN --step ID`
enum MintCommand {
    static let spec = CommandSpec(
        name: "mint",
        summary: "mint a credential for one allowed step of a plan",
        discussion: """
            Evaluates the step again against the policies and mints a credential only when it is \
            allowed, or rewritten (then for the rewritten step). The credential is a compact JWS \
            (alg EdDSA, typ JWT, kid the key's thumbprint) whose authorization_details (RFC 9396) \
            name exactly one step: its action, resource, plan id, step id and the plan digest. Its \
            lifetime is --ttl, capped by the allowing policy's @max_ttl and by --max-ttl; a capped \
            lifetime is reported on stderr. The token is printed on stdout.
            """,
        options: [
            .path("key", short: "k", help: "the issuer's Ed25519 private key (PKCS#8 PEM or JWK)").required(),
            .path("plan", help: "the workflow plan, as JSON").required(),
            .value("step", valueName: "ID", help: "the id of the step to mint for").required(),
            CommonOptions.policies(help: "the policy directory (default: the one next to the plan, then ./policies)"),
            .value("audience", valueName: "AUD", help: "the aud claim: the service that will accept the credential"),
            .duration("ttl", help: "lifetime of the credential", default: "5m"),
            .duration("max-ttl", help: "hard cap on the lifetime, whatever is asked", default: "1h"),
            .value("issuer", valueName: "ISS", help: "the iss claim", default: "stepguard"),
            CommonOptions.now,
            CommonOptions.audit,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        examples: [
            Example("stepguard mint -k keys/issuer.key --plan plans/release.json --step deploy --audience deployer",
                    "mint a five-minute credential for the step deploy"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "minted"),
            ExitStatusNote(.failure, "the step is not allowed: nothing minted"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

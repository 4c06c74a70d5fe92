import Basics
import Credentials
import JSONValue
import Workflow

/// `--identity TOKEN --trust FILE`: who is asking for a credential.
enum IdentityOptions {
    /// What the caller proved, or why the presented identity was refused.
    enum Outcome {
        case authenticated(MintAuthentication)
        case refused(TokenFailure)
    }

    /// The two option rows, for commands that take an identity.
    static let options: [OptionSpec] = [
        .value("identity", valueName: "TOKEN",
               help: "the caller's identity token (JWT-SVID or OIDC ID token); - reads it from stdin, @FILE from a file"),
        trust,
    ]

    /// `--trust FILE`, shared with the gate's own `--identity` row.
    static let trust = OptionSpec.path("trust", help: "the trust file the identity token is verified against")

    /// Verifies `--identity` against `--trust`. Without `--identity`, the policy directory's
    /// `.stepguard.json` must allow unauthenticated use (`{"mint": {"allowUnauthenticated": true}}`).
    static func authenticate(_ context: CommandContext, policyDirectory: String, now: Int64) throws -> Outcome {
        let args = context.arguments
        guard let given = args.value("identity") else {
            if args.value("trust") != nil { throw CLIError.invalidUsage("--trust needs --identity TOKEN") }
            let configuration = try MintConfiguration.load(policyDirectory: policyDirectory)
            guard configuration.allowUnauthenticated else {
                throw CredentialsError.identityRequired(
                    "mint needs the caller's identity: pass --identity TOKEN --trust FILE; for local testing, allow "
                        + "unauthenticated minting with {\"mint\": {\"allowUnauthenticated\": true}} in "
                        + "\"\(policyDirectory)/\(MintConfiguration.fileName)\"")
            }
            return .authenticated(.unauthenticated)
        }
        return try verify(given, context: context, now: now, stdin: true)
    }

    /// The gate's identity: `--identity TOKEN` or `@FILE`, else the token in the environment
    /// variable `STEPGUARD_IDENTITY` (a hook's command line is fixed in the host's settings);
    /// nil when neither is given. Not `-`: the gate's stdin carries the hook event.
    static func presented(_ context: CommandContext, now: Int64) throws -> Outcome? {
        let args = context.arguments
        let environment = context.console.environment["STEPGUARD_IDENTITY"].flatMap { $0.isEmpty ? nil : $0 }
        guard let given = args.value("identity") ?? environment else {
            if args.value("trust") != nil { throw CLIError.invalidUsage("--trust needs --identity TOKEN or STEPGUARD_IDENTITY") }
            return nil
        }
        if given == "-" {
            throw CLIError.invalidUsage("--identity -: the gate's stdin is the hook event; pass the token, @FILE or STEPGUARD_IDENTITY")
        }
        return try verify(given, context: context, now: now, stdin: false)
    }

    /// Reads the token (`-` from stdin where `stdin` allows it, `@FILE` from a file) and verifies
    /// it against `--trust`.
    static func verify(_ given: String, context: CommandContext, now: Int64, stdin: Bool) throws -> Outcome {
        guard let trustPath = context.arguments.value("trust") else {
            throw CLIError.invalidUsage("--identity needs --trust FILE, the trust file to verify it against")
        }
        let token: String
        if given == "-" && stdin {
            token = String(decoding: try context.readInput("-"), as: UTF8.self)
        } else if given.hasPrefix("@") {
            token = String(decoding: try context.readInput(String(given.dropFirst())), as: UTF8.self)
        } else {
            token = given
        }
        let trimmed = token.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw CLIError.invalidUsage("--identity: the token is empty") }
        let trust = try TrustFile.load(path: trustPath)
        do {
            return .authenticated(.identity(try IdentityVerifier(trust: trust).verify(trimmed, now: now)))
        } catch {
            return .refused(error)
        }
    }

    /// Puts the verified identity where policies read it, `context.identity`: a fact of
    /// stepguard's, never the plan's (a plan's context is the agent's claims, and may not even
    /// name the key).
    static func expose(_ authentication: MintAuthentication, in plan: inout Plan) {
        if case .identity(let identity) = authentication {
            plan.facts["identity"] = identity.attributes
        }
    }
}

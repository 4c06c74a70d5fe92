import Credentials
import JSONValue

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
        let token = try CredentialOptions.token(context)
        let decoded: DecodedToken
        do {
            decoded = try DecodedToken.decode(token)
        } catch {
            // Not a token at all: the input is unusable, which is the tool's exit 2.
            context.fail(error)
            return .error
        }
        if context.format == .json {
            context.printJSON(decoded.json)
            return .success
        }
        var out = "header:\n" + indent(JSONWriter.pretty(.object(decoded.header))) + "claims:\n"
            + indent(JSONWriter.pretty(.object(decoded.claims)))
        for name in ["iat", "nbf", "exp"] {
            if let seconds = decoded.claims[name]?.int64Value {
                out += "\(name) = \(CredentialTime.format(seconds))\n"
            }
        }
        out += context.style.apply("NOT VERIFIED:", .bold, .yellow)
            + " neither the signature nor the claims were checked; use stepguard token verify\n"
        context.console.write(out)
        return .success
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
}

/// `stepguard authorize`
enum AuthorizeCommand {
    static let spec = CommandSpec(
        name: "authorize",
        summary: "answer one Cedar authorization request, or a batch",
        discussion: """
            Decides a request against the policies the way any Cedar engine does: a satisfied \
            forbid denies, else a satisfied permit allows, else the request is denied. The answer \
            names the policies that decided it and every policy whose evaluation failed.

            The request is given either with --principal, --action and --resource (and an optional \
            --context file), or as a JSON file with --request, or as JSON Lines with --requests, one \
            request per line; the batch form loads everything once and answers every line. \
            Principal, action and resource are written as Cedar uids (User::"alice") or as objects \
            ({"type": "User", "id": "alice"}).

            With --format json each answer is one line:

              {"decision":"allow","errors":[],"reasons":["policy0"]}
            """,
        usage: [
            "--policies PATH [--entities FILE] --principal UID --action UID --resource UID [options]",
            "--policies PATH [--entities FILE] --request FILE [options]",
            "--policies PATH [--entities FILE] --requests FILE [options]",
        ],
        options: [
            CommonOptions.policies(valueName: "PATH", help: "a policy file or a directory of them").required(),
            .path("schema", help: "a Cedar schema: typed entities, context and request validation"),
            .path("entities", help: "Cedar entity JSON (default: no entities)"),
            .value("principal", valueName: "UID", help: "the principal of a single request"),
            .value("action", valueName: "UID", help: "the action of a single request"),
            .value("resource", valueName: "UID", help: "the resource of a single request"),
            .path("context", help: "the context record of a single request, as JSON"),
            .path("request", help: "a request as a JSON file"),
            .path("requests", help: "many requests as JSON Lines, one per line; - reads stdin"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        examples: [
            Example(
                #"stepguard authorize -p policies/ --entities entities.json --principal 'Agent::"ci"' --action 'Action::"deploy"' --resource 'Service::"api"'"#,
                "decide one request"),
            Example("stepguard authorize -p policies/ --entities entities.json --requests batch.jsonl --format json",
                    "decide a batch, one JSON answer per line"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "allowed (batch: every request was answered)"),
            ExitStatusNote(.failure, "denied"),
        ],
        exclusive: [
            ["principal", "request", "requests"], ["action", "request", "requests"],
            ["resource", "request", "requests"], ["context", "request", "requests"],
        ],
        requireOneOf: [["principal", "request", "requests"]],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

import Cedar
import JSONValue

/// `stepguard authorize`
enum AuthorizeCommand {
    static let spec = CommandSpec(
        name: "authorize",
        summary: "answer one Cedar authorization request, or a batch",
        discussion: """
            Decides a request against the policies the way any Cedar engine does: a satisfied \
            forbid denies, else a satisfied permit allows, else the request is denied. The answer \
            names the policies that decided it and every policy whose evaluation failed. A policy \
            is named by its @id annotation, else by its position: policy0, policy1, ... in file \
            order (the *.cedar files of a directory are read in name order).

            authorize keeps Cedar's exact semantics, since it answers Cedar requests for others: a \
            policy whose evaluation fails is skipped, a forbid included. The commands that let a \
            step run (eval, mutate, mint) fail closed instead: there a forbid that fails on a step \
            holds, and the step is denied.

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
        try context.runReportingInputErrors { try authorize(context) }
    }

    private static func authorize(_ context: CommandContext) throws -> ExitCode {
        let arguments = context.arguments
        let single = ["principal", "action", "resource", "context"].filter(arguments.isGiven)
        if !single.isEmpty, let missing = ["principal", "action", "resource"].first(where: { !arguments.isGiven($0) }) {
            throw CLIError.invalidUsage("a request given with --\(single[0]) also needs --\(missing)")
        }
        var loader = CedarLoader()
        let policies = try loader.policies(arguments.value("policies") ?? ".")
        let schema = try arguments.value("schema").map { try loader.schema($0) }
        let entities: Entities
        if let path = arguments.value("entities") {
            entities = try loader.entities(path, schema: schema)
        } else if let schema {
            // The schema's action entities give action groups their members.
            entities = try schema.entities(json: .array([]))
        } else {
            entities = Entities()
        }
        let authorizer = BatchAuthorizer(policies: policies, entities: entities, schema: schema)
        if let path = arguments.value("requests") {
            return try authorizer.run(batch: context.readInput(path, limit: FileReader.maxStreamBytes), file: path == "-" ? "<stdin>" : path, context: context)
        }
        let request = try singleRequest(context, schema: schema, loader: &loader)
        let response = Authorizer.isAuthorized(request, policies: policies, entities: entities)
        if context.format == .json {
            context.printJSONLine(response.json)
        } else {
            context.console.write(text(response, style: context.style, quiet: context.isQuiet))
        }
        return response.decision == .allow ? .success : .failure
    }

    /// The request of `--request FILE`, or of `--principal/--action/--resource [--context FILE]`.
    private static func singleRequest(_ context: CommandContext, schema: Schema?, loader: inout CedarLoader) throws -> Request {
        let arguments = context.arguments
        var reader = CedarRequestReader(schema: schema)
        if let path = arguments.value("request") {
            let bytes = try context.readInput(path)
            let file = path == "-" ? "<stdin>" : path
            loader.sources.add(file, bytes)
            let document = try parseJSONDocument(bytes, file: file, sources: loader.sources)
            do {
                return try reader.request(document.value)
            } catch {
                let place = document.nearestLocation(of: error.path)
                throw CedarInputError(
                    file: file, line: place.line, column: place.column, message: error.message,
                    sourceLine: loader.sources.lineText(file: file, line: place.line))
            }
        }
        var fields: [(String, JSONValue)] = []
        for role in ["principal", "action", "resource"] {
            fields.append((role, try CedarRequestReader.commandLineUID(arguments.value(role) ?? "", option: role).json))
        }
        var contextDocument: JSONDocument?
        let contextFile = arguments.value("context").map { $0 == "-" ? "<stdin>" : $0 }
        if let path = arguments.value("context"), let contextFile {
            let bytes = try context.readInput(path)
            loader.sources.add(contextFile, bytes)
            let document = try parseJSONDocument(bytes, file: contextFile, sources: loader.sources)
            fields.append(("context", document.value))
            contextDocument = document
        }
        do {
            return try reader.request(.object(JSONObject(fields)))
        } catch {
            if let contextDocument, let contextFile, error.path.first == .key("context") {
                let place = contextDocument.nearestLocation(of: Array(error.path.dropFirst()))
                throw CedarInputError(
                    file: contextFile, line: place.line, column: place.column, message: error.message,
                    sourceLine: loader.sources.lineText(file: contextFile, line: place.line))
            }
            throw CedarInputError(file: "request", message: error.message)
        }
    }

    private static func parseJSONDocument(_ bytes: [UInt8], file: String, sources: CedarSources) throws(CedarInputError) -> JSONDocument {
        do {
            return try JSONParser.parseDocument(bytes, file: file)
        } catch {
            throw CedarInputError(
                file: file, line: error.location.line, column: error.location.column, message: error.message,
                sourceLine: sources.lineText(file: file, line: error.location.line))
        }
    }

    /// The answer to one request, for people:
    ///
    ///     allow
    ///     reasons: policy0, no-prod-writes
    ///     errors:
    ///       policy3: error while evaluating policy `policy3`: ...
    static func text(_ response: Response, style: Style, quiet: Bool) -> String {
        var out = decisionWord(response.decision, style: style) + "\n"
        if quiet { return out }
        out += "reasons: " + (response.reasons.isEmpty ? "none" : response.reasons.joined(separator: ", ")) + "\n"
        if !response.errors.isEmpty {
            out += "errors:\n"
            for error in response.errors { out += "  \(error.policyID): \(error.message)\n" }
        }
        return out
    }

    static func decisionWord(_ decision: Decision, style: Style) -> String {
        decision == .allow ? style.apply("allow", .bold, .green) : style.apply("deny", .bold, .red)
    }
}

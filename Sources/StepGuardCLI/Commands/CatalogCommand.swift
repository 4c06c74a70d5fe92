import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Gate
import JSONValue
import Workflow

/// `stepguard catalog ...`
enum CatalogCommand {
    static let spec = CommandSpec(
        name: "catalog",
        summary: "fill the action catalog from the tools agents use",
        discussion: """
            The action catalog (tools.json) says what each action does (effect, flags, variants) \
            and, under "hosts", how each host's tool calls map to actions. import-mcp fills both \
            from the tools an MCP server lists.
            """,
        subcommands: [CatalogImportMCPCommand.spec]
    )
}

/// `stepguard catalog import-mcp TOOLS.json --server NAME`
enum CatalogImportMCPCommand {
    static let spec = CommandSpec(
        name: "import-mcp",
        summary: "catalog actions and mappings from MCP tools/list",
        discussion: """
            Reads an MCP server's tools/list result (the JSON-RPC response, its result, or the \
            array of tools) and merges into the policy directory's tools.json an action \
            NAME.TOOL per tool and, under hosts.HOST.tools, a mapping rule for the host's tool \
            name mcp__NAME__TOOL: the action, the resource McpServer::"NAME", and the tool input, \
            whole, as the step's args ("input_args": true). Whatever the file holds already \
            stays: an action of the same name is not touched, a tool that has a rule of its own \
            keeps it, new rules go after the rules there, and every other key is kept. A new rule \
            that an earlier rule maps first (a glob such as mcp__NAME__*) is reported, and so are \
            the server's actions whose tool it no longer lists. The file is written atomically, \
            after the merged catalog has been read back as the gate reads it; the change is \
            printed as a diff (--dry-run only prints it).

            Effect and flags follow each tool's annotations, and absent hints take the MCP \
            specification's defaults, the most cautious reading: readOnlyHint (default false) \
            makes the action read; otherwise destructiveHint (default true) makes it delete and \
            irreversible, and false makes it write; openWorldHint (default true) adds external. \
            idempotentHint changes nothing.

            The Cedar schema fragment (--schema, default NAME.cedarschema in the current \
            directory, so that it is not read as the policy directory's schema) declares in \
            namespace NAME a record type TOOLInput per tool that follows its inputSchema, as the \
            Cedar project's MCP schema generator does, and an action per tool whose context is \
            what stepguard gives a gate call: the input as args, with history, done, plan, tool, \
            resource, host, now, step and step_id. docs/catalog.md says where and why it differs \
            from that generator. With --format json a stepguard.catalog-import-mcp/v1 document \
            lists what was added, kept, shadowed and stale.
            """,
        usage: ["TOOLS.json --server NAME [--policies DIR] [--host HOST] [--schema FILE] [--dry-run]"],
        options: [
            .value("server", valueName: "NAME", help: "the MCP server's name, as the host names it (mcp__NAME__TOOL)").required(),
            CommonOptions.policies(help: "the policy directory whose tools.json is merged into", default: "policies"),
            .value("host", valueName: "HOST", help: "the host whose mapping gets the rules", default: ClaudeCode.name),
            .path("schema", valueName: "FILE", help: "where the Cedar schema fragment is written (default: NAME.cedarschema)"),
            .flag("dry-run", help: "print the change without writing anything"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("TOOLS", help: "the tools/list result, as JSON; - reads stdin"),
        ],
        examples: [
            Example("stepguard catalog import-mcp github-tools.json --server github -p .stepguard/policies",
                    "catalog and map the tools of the github MCP server"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "written (or, with --dry-run, printed)"),
        ],
        run: run
    )

    /// The `--format json` document's `schema`.
    static let schema = JSONSchema.name(commandPath: ["catalog", "import-mcp"])

    static func run(_ context: CommandContext) throws -> ExitCode {
        guard let server = context.arguments.value("server"), !server.isEmpty,
              server.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") })
        else {
            throw CLIError.invalidUsage("--server: give the MCP server's name as the host names it: letters, digits, _ and -")
        }
        let host = context.arguments.value("host") ?? ClaudeCode.name
        let directory = context.arguments.value("policies") ?? "policies"
        let catalogPath = PathText.appending("tools.json", to: directory)
        let schemaPath = context.arguments.value("schema") ?? "\(server).cedarschema"
        let toolsPath = context.arguments.positional("TOOLS") ?? "-"
        let dryRun = context.arguments.flag("dry-run")
        do {
            let tools = try MCPImport.tools(try context.readInput(toolsPath), file: toolsPath == "-" ? "<stdin>" : toolsPath)
            let exists = FileManager.default.fileExists(atPath: catalogPath)
            let old = exists ? String(decoding: try context.readInput(catalogPath), as: UTF8.self) : ""
            var existing: JSONValue?
            if exists {
                do {
                    existing = try JSONParser.parse(old, file: catalogPath)
                } catch {
                    throw GateError.malformedMapping(
                        FileLocation(file: catalogPath, line: error.location.line, column: error.location.column), message: error.message)
                }
            }
            let merge = try MCPImport.merge(existing, tools: tools, server: server, host: host, file: catalogPath)
            let new = MCPImport.text(of: merge, old: exists ? old : nil, host: host)
            // Read back as eval and the gate read it, so nothing unreadable is written.
            let catalog: ActionCatalog
            do {
                catalog = try ActionCatalog.parse(Array(new.utf8), file: catalogPath)
            } catch {
                throw GateError.policies(error)
            }
            _ = try GateCatalog.parse(Array(new.utf8), file: catalogPath, catalog: catalog)
            let principal = principalType(merge.catalog, host: host)
            let fragment = MCPImport.schemaFragment(tools: tools, server: server, principalType: principal, source: toolsPath)
            let changed = new != old
            if !dryRun {
                for path in [catalogPath, schemaPath] {
                    let parent = PathText.deletingLastComponent(path)
                    if !parent.isEmpty { try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
                }
                if changed { try context.writeFile(new, to: catalogPath) }
                try context.writeFile(fragment, to: schemaPath)
            }
            if context.format == .json {
                context.printJSON(.object(JSONObject([
                    ("schema", .string(schema)),
                    ("server", .string(server)), ("host", .string(host)), ("catalog", .string(catalogPath)),
                    ("schema_fragment", .string(schemaPath)), ("written", .bool(!dryRun)),
                    ("tools", .array(tools.map { tool in
                        .object(JSONObject([
                            ("name", .string(tool.name)), ("action", .string(MCPImport.action(server: server, tool: tool.name))),
                            ("host_tool", .string(MCPImport.hostToolName(server: server, tool: tool.name))),
                            ("effect", .string(tool.effect.rawValue)), ("flags", .array(tool.flags.map { .string($0.rawValue) })),
                        ]))
                    })),
                    ("added_actions", .array(merge.addedActions.map(JSONValue.string))),
                    ("kept_actions", .array(merge.keptActions.map(JSONValue.string))),
                    ("added_rules", .array(merge.addedRules.map(JSONValue.string))),
                    ("kept_rules", .array(merge.keptRules.map(JSONValue.string))),
                    ("shadowed", .array(merge.shadowed.map { .object(JSONObject([("tool", .string($0.tool)), ("by", .string($0.by))])) })),
                    ("stale_actions", .array(merge.stale.sorted().map(JSONValue.string))),
                ])))
            } else if changed {
                context.console.write(UnifiedDiff.diff(old: old, new: new, name: catalogPath))
            }
            for (tool, rule) in merge.shadowed {
                context.warning("the new rule for \"\(tool)\" comes after \(rule), which maps it first; move it up or remove that rule to use it")
            }
            for action in merge.stale.sorted() {
                context.warning("\"\(action)\" is in \(catalogPath) but server \"\(server)\" no longer lists its tool; it was kept")
            }
            context.note(
                "\(tools.count) tools: \(merge.addedActions.count) actions and \(merge.addedRules.count) rules added, "
                    + "\(merge.keptActions.count) actions and \(merge.keptRules.count) rules kept"
                    + (dryRun ? "; dry run: nothing was written" : "; wrote \(changed ? catalogPath + " and " : "")\(schemaPath)"))
            return .success
        } catch let error as GateError {
            if case .policies(let workflowError) = error {
                WorkflowInputs.report(workflowError, context)
            } else {
                context.fail(error)
            }
            return .error
        }
    }

    /// The entity type of the host's principal in the catalog (`Agent` when it names none).
    static func principalType(_ catalog: JSONValue, host: String) -> String {
        if let value = catalog["hosts"]?[host]?["principal"], let entity = EntityRef(json: value) { return entity.type }
        return "Agent"
    }
}

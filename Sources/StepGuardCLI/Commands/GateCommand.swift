import Basics
import Credentials
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Gate
import JSONValue
import Workflow

/// `stepguard gate --host HOST` and `stepguard gate install --host HOST`
enum GateCommand {
    static let spec = CommandSpec(
        name: "gate",
        summary: "decide one live tool call from an agent host's hook",
        discussion: """
            The pre-tool-use hook of an agent host: claude-code, codex (OpenAI Codex CLI), \
            gemini (Gemini CLI), cursor, or generic (stepguard's own JSON, for any other runtime). \
            It reads one hook event on stdin. A call about to run (PreToolUse, BeforeTool, \
            preToolUse, pre_tool_call) is decided: the tool call is mapped to a catalog action, a \
            resource and args by the "hosts" rules of tools.json, and decided by the same \
            evaluator, outcomes, precedence and rewrite boundary check as eval, with the \
            session's earlier calls from the audit log as context.history (the session id is the \
            plan id, the tool-call id the step id; a host without call ids gets one derived from \
            the tool and its input). An event for a finished call appends an execution record \
            joined to the decision by the call id. Reading the history, deciding and appending \
            happen under the log's lock, so parallel calls of one session cannot both slip past a \
            chain rule.

            With --identity TOKEN (or @FILE, or the token in STEPGUARD_IDENTITY) and --trust \
            FILE, each PreToolUse call verifies the agent's identity token as mint does, at the \
            gate's clock: it must be the principal the gate decides for (a JWT-SVID's sub is the \
            principal's spiffe_id, an OIDC subject maps to it in the trust file), its claims are \
            context.identity, and the decision record carries its method and token digest. A \
            refused identity is an error, which blocks the call. The identity is optional: the \
            host, not the agent, runs the hook, so without it the gate decides as before.

            The answer is the host's own (docs/gate.md lists each host's fields): deny with the \
            policy ids and reason; a rewrite as the host's input update (Claude Code and Codex \
            updatedInput, Gemini hookSpecificOutput.tool_input, Cursor updated_input), and where \
            the event has none the rewrite falls through to the next remedy; a held call as the \
            host's "ask" (Claude Code, Cursor), else a deny naming the approving groups and the \
            stepguard approve command that approves it; warn lets the call go on with the log-only policy in the host's \
            message. An allowed call gets no decision (the host's own permission rules still \
            apply) or, with --allow-answer allow, the host's allow where it has one. Any error (a \
            malformed event, unreadable or invalid policies, a torn log, the log's lock not \
            obtained within --lock-timeout) is exit status 2 with the reason on stderr, which \
            blocks the call. --mode log-only decides and records but answers nothing (generic: \
            "enforced": false), so the host decides as if no gate were there; its errors exit 1, \
            which the host shows without blocking (cursor: {} and exit 0, since its hook is \
            registered to fail closed).

            A held call is released by signed approvals as eval releases a held step (approve \
            --log LOG --session S --call ID signs one): those in --approvals DIR \
            (STEPGUARD_APPROVALS, or .stepguard/approvals/ beside policies found there) and those \
            the session's approval records in the log carry, never anything in the event. The \
            approval binds the SHA-256 of the call's session, tool, whole input and what they map \
            to, so the same call made again (a new call id) is released with outcome approved \
            and the host's allow, recorded under the held call's id with the new one as \
            host_call_id, and enters the session's history; a call with any other input is held \
            again. One approval releases one call. A valid rejection denies the call.

            Without --policies and --log, the nearest .stepguard/ directory at or above the \
            event's cwd is used: .stepguard/policies/ and .stepguard/audit.log, its parent being \
            the project root. The environment variables STEPGUARD_POLICIES and STEPGUARD_LOG \
            name them instead. A per-session index beside the log (LOG.sessions/) keeps a \
            decision's cost independent of the log's size; it is checked against the log on every \
            use and rebuilt from it when they disagree.

            gate install merges the gate's hook entries into the host's project file \
            (.claude/settings.json, .codex/hooks.json, .gemini/settings.json, .cursor/hooks.json; \
            or --settings FILE), keeping every other key and entry, and prints the change as a \
            diff; it changes nothing when the entries are there already, and only prints with \
            --dry-run. The generic host has no such file. With --format json it prints {"file", \
            "changed", "written", "settings"} instead of the diff. The hook's answer is the \
            host's JSON whatever --format says.
            """,
        usage: [
            "--host HOST [--policies DIR] [--log FILE] [--approvals DIR] [--mode MODE] [--allow-answer ANSWER] [--identity TOKEN --trust FILE] [--now TIME] < EVENT",
            "install --host HOST [--settings FILE] [--dry-run]",
        ],
        options: [
            OptionSpec.choice("host", GateHosts.all.map { $0.name }, valueName: "HOST", help: "the agent host whose hook runs the gate").required(),
            CommonOptions.policies(help: "the policy directory (default: STEPGUARD_POLICIES, then .stepguard/policies above the event's cwd)"),
            .path("log", valueName: "FILE", help: "the audit log (default: STEPGUARD_LOG, then .stepguard/audit.log above the event's cwd)"),
            .path("approvals", valueName: "DIR",
                  help: "signed approvals that may release held calls, besides the log's (default: STEPGUARD_APPROVALS, then .stepguard/approvals beside found policies)"),
            .choice("mode", GateMode.allCases.map(\.rawValue), valueName: "MODE",
                    help: "enforce the decisions, or only record them", default: GateMode.enforce.rawValue),
            .choice("allow-answer", AllowAnswer.allCases.map(\.rawValue), valueName: "ANSWER",
                    help: "what an allowed call is answered: no decision, or the host's allow (skips its prompt)",
                    default: AllowAnswer.none.rawValue),
            .integer("lock-timeout", valueName: "MS", help: "the longest wait for the log's lock, in milliseconds", default: "5000"),
            .value("identity", valueName: "TOKEN",
                   help: "the agent's identity token (JWT-SVID or OIDC ID token), @FILE from a file (default: STEPGUARD_IDENTITY)"),
            IdentityOptions.trust,
            CommonOptions.now,
            .path("settings", valueName: "FILE", help: "gate install: the host's hook configuration file (default: the host's project file)"),
            .flag("dry-run", help: "gate install: print the change without writing it"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("install", arity: .optional, kind: .choice(["install"]), help: "install the gate's hook entries in the host's settings"),
        ],
        examples: [
            Example("stepguard gate install --host claude-code", "put the gate in front of Claude Code in this project"),
            Example("stepguard gate install --host codex", "the same for OpenAI Codex CLI (.codex/hooks.json)"),
            Example("stepguard gate --host claude-code < event.json", "decide one PreToolUse event"),
            Example("stepguard gate --host claude-code --mode log-only --allow-answer allow < event.json",
                    "record decisions without enforcing them (rollout)"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the host's answer was written (or the change installed)"),
            ExitStatusNote(.failure, "log-only mode could not decide (the host goes on)"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let host = try adapter(context)
        if context.arguments.positional("install") != nil { return try install(context, host: host) }
        for option in ["settings", "dry-run"] where context.arguments.isGiven(option) {
            throw CLIError.invalidUsage("--\(option) belongs to 'gate install'")
        }
        let mode = GateMode(rawValue: context.arguments.value("mode") ?? "") ?? .enforce
        do {
            try decide(context, host: host, mode: mode)
            return .success
        } catch let error as GateError {
            return failed(context, host: host, mode: mode, error)
        } catch let error as CLIError where mode == .logOnly {
            return failed(context, host: host, mode: mode, error)
        }
    }

    /// The adapter of `--host`.
    static func adapter(_ context: CommandContext) throws -> any HostAdapter.Type {
        let name = context.arguments.value("host") ?? ""
        guard let host = GateHosts.named(name) else { throw CLIError.invalidUsage("unknown host \"\(name)\"") }
        return host
    }

    /// Every error blocks the call (exit 2, the reason on stderr); under log-only it is the
    /// host's non-blocking error instead.
    static func failed(_ context: CommandContext, host: any HostAdapter.Type, mode: GateMode, _ error: any Error) -> ExitCode {
        context.fail(error)
        guard mode == .logOnly else { return .error }
        guard let answer = host.logOnlyErrorAnswer else { return .failure }
        context.console.write(JSONWriter.compact(answer, sortKeys: false) + "\n")
        return .success
    }

    static func decide(_ context: CommandContext, host: any HostAdapter.Type, mode: GateMode) throws {
        // One event decided, then the process exits: what it loads need not be taken apart.
        ProcessLifetime.exitsAfterOneCall()
        let clock = try WorkflowInputs.clock(context)
        let timeout = Int(context.arguments.value("lock-timeout") ?? "") ?? 5000
        let event = try host.read(try context.readInput("-"))
        var options = GateOptions(mode: mode, clock: clock, lockTimeoutMilliseconds: timeout)
        let locations = try GateLocations.resolve(
            policies: context.arguments.value("policies"), log: context.arguments.value("log"),
            approvals: context.arguments.value("approvals"), cwd: event.call.cwd,
            environment: context.console.environment)
        if case .preToolUse = event.event {
            // Only a call to decide needs the identity: what ran after it was decided is recorded
            // whatever the token's state by then.
            options.identity = try identity(context, now: (clock ?? Clock.now()).epochSeconds)
        }
        let allow = AllowAnswer(rawValue: context.arguments.value("allow-answer") ?? "") ?? AllowAnswer.none
        let reply = try Gate.handle(event, host: host, locations: locations, options: options, allow: allow) { () throws(GateError) in
            let policies = try GatePolicies.load(
                locations.policies, cache: locations.policyCache, deciding: (event.call, host.name, locations.root)
            ).policies
            ProcessLifetime.keep(policies)
            return policies
        }
        if let answer = reply.answer { context.console.write(JSONWriter.compact(answer, sortKeys: false) + "\n") }
    }

    /// The identity presented with `--identity` or `STEPGUARD_IDENTITY`, verified against
    /// `--trust` at `now`; nil when none was presented. Any failure blocks the call.
    static func identity(_ context: CommandContext, now: Int64) throws -> GateIdentity? {
        let outcome: IdentityOptions.Outcome?
        do {
            outcome = try IdentityOptions.presented(context, now: now)
        } catch let error as CredentialsError {
            throw GateError.identity(error.description)
        }
        switch outcome {
        case nil, .authenticated(.unauthenticated)?:
            return nil
        case .refused(let failure)?:
            throw GateError.identity(failure.description)
        case .authenticated(.identity(let identity))?:
            return GateIdentity(attributes: identity.attributes, record: MintAuthentication.identity(identity).record) { principal, entities in
                do throws(TokenFailure) {
                    try identity.authenticates(
                        principal: principal.description,
                        principalSPIFFEID: try? MintCommand.spiffeID(of: principal, entities: entities))
                    return nil
                } catch {
                    return error.description
                }
            }
        }
    }

    // MARK: - install

    static func install(_ context: CommandContext, host: any HostAdapter.Type) throws -> ExitCode {
        for option in ["policies", "log", "approvals", "now", "lock-timeout", "identity", "trust"] where context.arguments.isGiven(option) {
            throw CLIError.invalidUsage("--\(option) belongs to 'gate', not 'gate install'")
        }
        // A host without a configuration file (generic) refuses in its install, before any write.
        let path = context.arguments.value("settings") ?? host.settingsPath ?? ""
        let exists = !path.isEmpty && FileManager.default.fileExists(atPath: path)
        let old = exists ? String(decoding: try context.readInput(path), as: UTF8.self) : ""
        do {
            var settings = JSONValue.object(JSONObject())
            if exists {
                do {
                    settings = try JSONParser.parse(old, file: path)
                } catch {
                    throw GateError.malformedSettings(file: path, message: "\(error.location): \(error.message)")
                }
            }
            let command = host.hookCommand(executable: "stepguard")
            let updated = try host.install(command: command, into: settings, file: path)
            let changed = !exists || updated != settings
            let write = changed && !context.arguments.flag("dry-run")
            let new = JSONWriter.pretty(updated, sortKeys: false) + "\n"
            if context.format == .json {
                context.printJSON(.object(JSONObject([
                    ("file", .string(path)), ("changed", .bool(changed)), ("written", .bool(write)), ("settings", updated),
                ])))
            } else if changed {
                context.console.write(UnifiedDiff.diff(old: old, new: new, name: path))
            }
            if !changed {
                context.note("\(path) already runs '\(command)' on \(host.events.joined(separator: ", ")); nothing to change")
                return .success
            }
            if !write {
                context.note("dry run: \(path) was not changed")
                return .success
            }
            let directory = PathText.deletingLastComponent(path)
            if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            try context.writeFile(new, to: path)
            context.note("\(exists ? "updated" : "created") \(path)")
            return .success
        } catch let error as GateError {
            context.fail(error)
            return .error
        }
    }
}

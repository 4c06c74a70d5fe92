import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Gate
import JSONValue
import Workflow

/// `stepguard replay RECORDING...`
enum ReplayCommand {
    static let spec = CommandSpec(
        name: "replay",
        summary: "re-decide recorded tool calls without enforcing",
        discussion: """
            What would these policies have done to the sessions agents already ran? replay reads \
            recorded tool calls and decides each one as stepguard gate would have: mapped by the \
            "hosts" rules of tools.json, decided by the same evaluator, outcomes and rewrite \
            boundary check, with the session's earlier calls as context.history, built from the \
            records the gate would have written, by the gate's own code. Nothing is enforced and \
            nothing is written.

            A recording is a JSON Lines file (- reads stdin), and its kind is told from its first \
            line (or named with --input): a Claude Code transcript (the file behind a hook \
            event's transcript_path: each tool_use block of an assistant message is a call, at the \
            line's sessionId, cwd and timestamp, and it ran when a tool_result answers it); a \
            stepguard audit log (each call the gate decided, from its decision record's host, \
            tool, cwd and input, at its recorded clock; it ran when an execution or approval \
            record of it follows); or hook events, one per line, in the shape the host's hook \
            receives them (--host; a PreToolUse event is a call, a later PostToolUse or \
            PostToolUseFailure says it ran). Calls of the same session id across files form one \
            session, in the order read.

            History follows --mode. enforce (the default): a call the policies deny never ran, so \
            later calls do not see it; a call held for approval counts as run when the recording \
            shows it ran (the person at the prompt let it through); allowed, warned and rewritten \
            calls ran (a rewrite in its rewritten form). log-only: every call the recording shows \
            ran is in the history, as the gate records it in log-only mode. Each call is decided at \
            its recorded time unless --now pins one, and in_project is measured against the \
            project root found from the call's cwd as the gate finds it (or --root).

            The text output is a table per session (call id, tool, action, resource, outcome, \
            deciding policies, reason) with a summary line each and one for the whole replay; -q \
            leaves out the calls allowed outright. With --against DIR2 every call is decided under \
            both policy sets, each with its own history, and the report lists every call whose \
            outcome changes. json is the stepguard.replay/v1 document; sarif and github report a \
            finding per call not allowed as recorded (with --against, per changed call), located \
            at its line in the recording.
            """,
        usage: ["[--policies DIR] [--against DIR2] [--input KIND] [--host HOST] [--mode MODE] [--now TIME] RECORDING..."],
        options: [
            CommonOptions.policies(help: "the policy directory (default: STEPGUARD_POLICIES, then .stepguard/policies at or above the current directory)"),
            .path("against", valueName: "DIR2", help: "a second policy directory: list every call whose outcome changes"),
            .choice("input", RecordingKind.allCases.map(\.rawValue), valueName: "KIND",
                    help: "what the recordings are (default: told from each file's first line)"),
            .value("host", valueName: "HOST", help: "the host whose hook events --input events holds", default: ClaudeCode.name),
            .choice("mode", GateMode.allCases.map(\.rawValue), valueName: "MODE",
                    help: "whether denied calls ran (log-only) or not (enforce), for the history", default: GateMode.enforce.rawValue),
            .path("root", valueName: "DIR", help: "the project root in_project is measured against (default: found from each call's cwd)"),
            CommonOptions.now,
            CommonOptions.format(.text, .json, .sarif, .github),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("RECORDING", arity: .oneOrMore, help: "transcripts, audit logs or hook-event files (JSON Lines); - reads stdin"),
        ],
        examples: [
            Example("stepguard replay -p .stepguard/policies ~/.claude/projects/app/SESSION.jsonl",
                    "what the policies would have done to one Claude Code session"),
            Example("stepguard replay -p policies/ --against policies-next/ .stepguard/audit.log",
                    "which logged calls a policy change would decide differently"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "replayed: every call allowed (with --against: no outcome changes)"),
            ExitStatusNote(.failure, "some call would be denied, rewritten or held (with --against: some outcome changes)"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let clock = try WorkflowInputs.clock(context)
        do {
            let policiesPath = try policyDirectory(context)
            var calls: [RecordedCall] = []
            var recordings: [(String, RecordingKind)] = []
            let kind = context.arguments.value("input").flatMap(RecordingKind.init(rawValue:))
            let host = context.arguments.value("host") ?? ClaudeCode.name
            for path in context.arguments.positionals("RECORDING") {
                let (found, recorded) = try Recording.read(path, kind: kind, host: host)
                recordings.append((path, found))
                calls += recorded
            }
            let options = ReplayOptions(
                clock: clock, mode: GateMode(rawValue: context.arguments.value("mode") ?? "") ?? .enforce,
                root: context.arguments.value("root"))
            let sessions = try Replay.run(calls, policies: try GatePolicies.load(policiesPath), options: options)
            var against: (path: String, sessions: [ReplayedSession], changes: [ReplayChange])?
            if let path = context.arguments.value("against") {
                let other = try Replay.run(calls, policies: try GatePolicies.load(path), options: options)
                against = (path, other, Replay.changes(sessions, other))
            }
            let report = ReplayReport(
                policies: policiesPath, recordings: recordings, mode: options.mode, sessions: sessions, against: against)
            switch context.format {
            case .json:
                context.printJSON(report.json)
            case .sarif:
                context.printStandardJSON(PlanFindingsRenderer.sarif(
                    rules: ReplayReport.rules, findings: report.findings, plan: { $0.location.path },
                    rulesURI: ReplayReport.rulesURI))
            case .github:
                context.console.write(PlanFindingsRenderer.github(report.findings))
                context.console.diagnostic(String(report.text(style: context.diagnosticStyle, quiet: context.isQuiet, width: nil).dropLast()))
            default:
                context.console.write(report.text(style: context.style, quiet: context.isQuiet, width: context.console.terminalWidth))
            }
            return report.passed ? .success : .failure
        } catch let error as GateError {
            if case .policies(let workflowError) = error {
                WorkflowInputs.report(workflowError, context)
            } else {
                context.fail(error)
            }
            return .error
        }
    }

    /// `--policies`, else `STEPGUARD_POLICIES`, else `.stepguard/policies` at or above the
    /// current directory.
    static func policyDirectory(_ context: CommandContext) throws -> String {
        if let path = context.arguments.value("policies") { return path }
        if let path = context.console.environment[GateLocations.policiesVariable], !path.isEmpty { return path }
        let locations = try? GateLocations.resolve(
            policies: nil, log: "-", cwd: FileManager.default.currentDirectoryPath, environment: [:])
        guard let found = locations?.policies else {
            throw CLIError.invalidUsage(
                "no policy directory: pass --policies DIR, set \(GateLocations.policiesVariable), or run in a project with \(GateLocations.directoryName)/policies/")
        }
        return found
    }
}

/// What `replay` found, for people and machines.
struct ReplayReport {
    let policies: String
    let recordings: [(String, RecordingKind)]
    let mode: GateMode
    let sessions: [ReplayedSession]
    let against: (path: String, sessions: [ReplayedSession], changes: [ReplayChange])?

    /// The `--format json` document's `schema`.
    static let schema = JSONSchema.name(commandPath: ["replay"])

    static let rulesURI = "https://github.com/stepguard/stepguard/blob/main/docs/replay.md#findings"

    /// The rules findings refer to.
    static let rules: [FindingRule] = [
        FindingRule(id: "call-denied", severity: .error, summary: "a recorded call would be denied"),
        FindingRule(id: "call-held", severity: .warning, summary: "a recorded call would be held for a human approval"),
        FindingRule(id: "call-mutated", severity: .warning, summary: "a recorded call would be rewritten into a safer form"),
        FindingRule(id: "call-log-only", severity: .info, summary: "a log-only policy would have stopped a recorded call"),
        FindingRule(id: "outcome-changed", severity: .warning, summary: "the second policy set decides a recorded call differently"),
    ]

    /// Without `--against`: whether every call is allowed (a warning lets it run); with it:
    /// whether no outcome changes.
    var passed: Bool {
        if let against { return against.changes.isEmpty }
        return sessions.allSatisfy { $0.calls.allSatisfy { $0.verdict.outcome == .allow || $0.verdict.outcome == .warn } }
    }

    var callCount: Int { sessions.reduce(0) { $0 + $1.calls.count } }

    // MARK: - Findings

    /// A finding per call not allowed as recorded (with `--against`, per changed call), located
    /// at the call in its recording; the session rides in the location's path.
    var findings: [Workflow.Finding] {
        var findings: [Workflow.Finding] = []
        func add(_ rule: String, _ severity: Severity, _ call: ReplayedCall, _ message: String, _ policies: [String]) {
            var location = call.recorded.location
            location.path = call.recorded.call.session
            findings.append(Workflow.Finding(
                ruleID: rule, severity: severity, message: message, location: location, stepID: call.recorded.call.toolUseID, policies: policies))
        }
        if let against {
            for change in against.changes {
                let call = change.after
                add("outcome-changed", .warning, call,
                    "call \"\(call.recorded.call.toolUseID)\" (\(call.recorded.call.tool)) in session \"\(call.recorded.call.session)\": \(change.before.label) under \(policies), \(call.label) under \(against.path)" + Self.policyList(call.verdict.policies),
                    call.verdict.policies)
            }
            return findings
        }
        for session in sessions {
            for call in session.calls {
                let what = "call \"\(call.recorded.call.toolUseID)\" (\(call.recorded.call.tool)) in session \"\(session.session)\""
                let tail = ": \(call.verdict.reason)" + Self.policyList(call.verdict.policies)
                switch call.verdict.outcome {
                case .allow, .approved: continue
                case .warn: add("call-log-only", .info, call, "\(what) would be stopped by a log-only policy\(tail)", call.verdict.policies)
                case .mutate: add("call-mutated", .warning, call, "\(what) would be rewritten (\(call.label))\(tail)", call.verdict.policies)
                case .approve:
                    add("call-held", .warning, call, "\(what) would be held for approval by \(call.verdict.groups.joined(separator: ", "))\(tail)", call.verdict.policies)
                case .deny, .blocked: add("call-denied", .error, call, "\(what) would be denied\(tail)", call.verdict.policies)
                }
            }
        }
        return findings
    }

    static func policyList(_ policies: [String]) -> String {
        policies.isEmpty ? "" : " [\(policies.joined(separator: ", "))]"
    }

    // MARK: - Text

    func text(style: Style, quiet: Bool, width: Int?) -> String {
        var out = ""
        func wrapped(_ line: String) -> String {
            (width.map { TextWrap.wrap(line, width: $0) } ?? [line]).joined(separator: "\n") + "\n"
        }
        if let against {
            var table = Table(columns: [
                Table.Column("SESSION"), Table.Column("CALL"), Table.Column("TOOL"), Table.Column("BEFORE"), Table.Column("AFTER"),
                Table.Column("POLICIES"), Table.Column("REASON", isFlexible: true),
            ])
            for change in against.changes {
                let call = change.after
                table.append([
                    Table.Cell(call.recorded.call.session), Table.Cell(call.recorded.call.toolUseID, [.bold]), Table.Cell(call.recorded.call.tool),
                    Table.Cell(change.before.label, WorkflowInputs.attributes(change.before.verdict.outcome)),
                    Table.Cell(call.label, WorkflowInputs.attributes(call.verdict.outcome)),
                    Table.Cell(call.verdict.policies.isEmpty ? "-" : call.verdict.policies.joined(separator: ", ")), Table.Cell(call.verdict.reason),
                ])
            }
            if !table.rows.isEmpty { out += table.render(style: style, maxWidth: width) + "\n" }
            out += wrapped("\(against.changes.count) of \(callCount) calls change outcome from \(policies) to \(against.path)")
            out += wrapped("\(policies): " + Self.counts(sessions))
            out += wrapped("\(against.path): " + Self.counts(against.sessions))
            return out
        }
        for session in sessions {
            var table = Table(columns: [
                Table.Column("CALL"), Table.Column("TOOL"), Table.Column("ACTION"), Table.Column("RESOURCE"), Table.Column("OUTCOME"),
                Table.Column("POLICIES"), Table.Column("REASON", isFlexible: true),
            ])
            for call in session.calls where !(quiet && call.verdict.outcome == .allow) {
                table.append([
                    Table.Cell(call.recorded.call.toolUseID, [.bold]), Table.Cell(call.recorded.call.tool),
                    Table.Cell(call.verdict.mapped?.action ?? "-"), Table.Cell(call.verdict.mapped?.resource.description ?? "-"),
                    Table.Cell(call.label, WorkflowInputs.attributes(call.verdict.outcome)),
                    Table.Cell(call.verdict.policies.isEmpty ? "-" : call.verdict.policies.joined(separator: ", ")), Table.Cell(call.verdict.reason),
                ])
            }
            if !table.rows.isEmpty {
                out += style.bold("session \(session.session)") + "\n" + table.render(style: style, maxWidth: width) + "\n"
            }
            out += wrapped("session \(session.session): " + Self.counts([session]))
        }
        out += wrapped("replayed under \(policies) (\(mode.rawValue)): " + Self.counts(sessions))
        return out
    }

    /// `3 sessions, 12 calls: 8 allow, 1 warn, 1 mutate, 1 approve, 1 deny`
    static func counts(_ sessions: [ReplayedSession]) -> String {
        let tally = tally(sessions)
        let calls = sessions.reduce(0) { $0 + $1.calls.count }
        let parts = outcomes.map { "\(tally[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        let head = sessions.count == 1 ? "" : "\(sessions.count) sessions, "
        return head + "\(calls) call\(calls == 1 ? "" : "s"): " + parts
    }

    static let outcomes: [StepOutcome] = [.allow, .warn, .mutate, .approve, .deny]

    static func tally(_ sessions: [ReplayedSession]) -> [StepOutcome: Int] {
        var tally: [StepOutcome: Int] = [:]
        for session in sessions {
            for call in session.calls { tally[call.verdict.outcome == .blocked ? .deny : call.verdict.outcome, default: 0] += 1 }
        }
        return tally
    }

    // MARK: - JSON

    var json: JSONValue {
        var againstCalls: [String: ReplayedCall] = [:]
        if let against {
            for session in against.sessions {
                for call in session.calls { againstCalls[session.session + "\u{0}" + call.recorded.call.toolUseID] = call }
            }
        }
        let sessionValues: [JSONValue] = sessions.map { session in
            .object(JSONObject([
                ("session", .string(session.session)),
                ("calls", .array(session.calls.map { call in
                    var object = JSONObject([("call", .string(call.recorded.call.toolUseID))])
                    for (key, value) in Self.decision(call) { object[key] = value }
                    object["host"] = .string(call.recorded.host)
                    object["tool"] = .string(call.recorded.call.tool)
                    object["file"] = .string(call.recorded.location.file)
                    object["line"] = .int(Int64(call.recorded.location.line))
                    object["ran"] = .bool(call.recorded.ran)
                    if let logged = call.recorded.logged {
                        object["logged"] = .object(JSONObject([
                            ("outcome", .string(logged.outcome)), ("label", .string(logged.label)),
                            ("policies", .array(logged.policies.map(JSONValue.string))),
                        ]))
                    }
                    if let other = againstCalls[session.session + "\u{0}" + call.recorded.call.toolUseID] {
                        object["against"] = .object(Self.decision(other))
                    }
                    return .object(object)
                })),
                ("summary", Self.summary([session])),
            ]))
        }
        var document = JSONObject([
            ("schema", .string(Self.schema)),
            ("policies", .string(policies)),
            ("mode", .string(mode.rawValue)),
            ("recordings", .array(recordings.map { .object(JSONObject([("file", .string($0.0)), ("kind", .string($0.1.rawValue))])) })),
            ("sessions", .array(sessionValues)),
            ("summary", Self.summary(sessions)),
        ])
        if let against {
            document["against"] = .object(JSONObject([
                ("policies", .string(against.path)),
                ("summary", Self.summary(against.sessions)),
                ("changes", .array(against.changes.map { change in
                    .object(JSONObject([
                        ("session", .string(change.after.recorded.call.session)), ("call", .string(change.after.recorded.call.toolUseID)),
                        ("tool", .string(change.after.recorded.call.tool)),
                        ("file", .string(change.after.recorded.location.file)), ("line", .int(Int64(change.after.recorded.location.line))),
                        ("before", .object(Self.decision(change.before))), ("after", .object(Self.decision(change.after))),
                    ]))
                })),
            ]))
        }
        document["passed"] = .bool(passed)
        return .object(document)
    }

    static func decision(_ call: ReplayedCall) -> JSONObject {
        var object = JSONObject([
            ("outcome", .string(call.verdict.outcome.rawValue)),
            ("label", .string(call.label)),
            ("policies", .array(call.verdict.policies.map(JSONValue.string))),
            ("reason", .string(call.verdict.reason)),
        ])
        if let mapped = call.verdict.mapped {
            object["action"] = .string(mapped.action)
            object["resource"] = .string(mapped.resource.description)
            object["rule"] = .string(mapped.rule)
        }
        if !call.verdict.groups.isEmpty { object["groups"] = .array(call.verdict.groups.map(JSONValue.string)) }
        if let input = call.verdict.updatedInput { object["updated_input"] = .object(input) }
        return object
    }

    static func summary(_ sessions: [ReplayedSession]) -> JSONValue {
        let tally = tally(sessions)
        return .object(JSONObject(
            [("sessions", .int(Int64(sessions.count))), ("calls", .int(Int64(sessions.reduce(0) { $0 + $1.calls.count })))]
                + outcomes.map { ($0.rawValue, .int(Int64(tally[$0] ?? 0))) }))
    }
}

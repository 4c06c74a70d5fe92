import AuditLog
import Basics
import JSONValue

/// `stepguard audit show LOG`
enum AuditShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "show the action path of a plan from an audit log",
        discussion: """
            Reconstructs, step by step, what happened to a plan: decided, minted, then executed, \
            aborted or replayed. Each step is listed with its status (executed, aborted, \
            replayed, unauthorized, denied, blocked, held, rejected or pending) and its records in log \
            order, each with its line in the log. The records are read as they are: run audit \
            verify to know whether they can be trusted.

            Each plan is shown with the governance tier its records were decided at (the \
            strictest; for a gate session, the tier it ratcheted to) and, for each demand of that \
            tier, whether it was met, as the records state it: eval, mutate and mint record \
            what the tier demanded of them and what they found (an audit log, a fresh signed \
            checkpoint, the credential lifetime, the steps held), and the latest record that \
            checked a demand is the one shown, with its line. A record whose demands were not \
            met (a refused mint) says which. When no record states the demands, the plan says \
            so; nothing is shown as met that no record says was.
            """,
        options: [
            .value("plan", valueName: "ID", help: "show only this plan (default: every plan)"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log"),
        ],
        examples: [
            Example("stepguard audit show audit.jsonl --plan release-42", "the path of one plan"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "shown"),
            ExitStatusNote(.failure, "the log has no records of that plan"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let log = try context.arguments.requiredPositional("LOG")
        let plan = context.arguments.value("plan")
        let paths = try AuditLog.show(logAt: log, plan: plan)
        context.emit(ShowReport(paths: paths))
        if let plan, paths.isEmpty {
            context.error("\(log) has no records of plan \"\(plan)\"")
            return .failure
        }
        return .success
    }
}

/// `audit show` output: per plan, per step, its status and path.
///
///     plan "release-42"
///       step "deploy-api": executed
///         decided    allow by baseline-permit                 line 1, 2026-05-28T20:26:40Z
///         minted     jti 8f14e45f…, expires 2026-05-28T20:31:41Z   line 2, …
///         executed   success                                  line 3, …
struct ShowReport: Report {
    var paths: [ActionPath]

    func text(style: Style, quiet: Bool) -> String {
        var out = ""
        for path in paths {
            if !out.isEmpty { out += "\n" }
            out += style.bold("plan \"\(path.plan)\"") + Self.tierHead(path) + "\n"
            if !quiet {
                for demand in path.demands ?? [] {
                    let state = demand.met.map { $0 ? style.green("met") : style.apply("not met", .bold, .red) } ?? "n/a"
                    out += "  " + TierOutput.line(id: demand.id, state: state, demand: demand.demand, detail: demand.detail)
                        + "  " + style.dim("line \(demand.line)") + "\n"
                }
            }
            for step in path.steps {
                out += "  step \"\(step.step)\": " + Self.styled(step.status, style) + "\n"
                let rows = step.events.map { (Self.verb($0), Self.detail($0), Self.place($0)) }
                let verbWidth = rows.map(\.0.count).max() ?? 0
                let detailWidth = rows.map(\.1.count).max() ?? 0
                for (verb, detail, place) in rows {
                    var line = "    " + verb.padded(toLength: verbWidth)
                    line += "  " + detail.padded(toLength: detailWidth)
                    line += "  " + style.dim(place)
                    out += line.trimmingTrailingSpaces() + "\n"
                }
            }
        }
        return out
    }

    var json: JSONValue { .object(JSONObject([("plans", .array(paths.map(\.json)))])) }

    /// `  tier strict: 4 demands, 3 met, 1 not met`, or that the records do not state them.
    static func tierHead(_ path: ActionPath) -> String {
        guard let tier = path.tier else { return "" }
        guard let demands = path.demands else { return "  tier \(tier) (its demands are not recorded)" }
        guard !demands.isEmpty else { return "  tier \(tier): no demands beyond the policies" }
        let met = demands.filter { $0.met == true }.count
        let unmet = demands.filter { $0.met == false }.count
        return "  tier \(tier): \(demands.count) demand\(demands.count == 1 ? "" : "s"), \(met) met" + (unmet > 0 ? ", \(unmet) not met" : "")
    }

    static func styled(_ status: StepStatus, _ style: Style) -> String {
        switch status {
        case .executed: return style.green(status.rawValue)
        case .aborted, .blocked, .held, .pending: return style.yellow(status.rawValue)
        case .replayed, .unauthorized, .denied, .rejected: return style.apply(status.rawValue, .bold, .red)
        }
    }

    /// What the record says happened, as a past participle.
    static func verb(_ event: PathEvent) -> String {
        switch event.kind {
        case "decision": return "decided"
        case "mutation": return "rewritten"
        case "approval": return event.outcome == "approved" ? "approved" : "rejected"
        case "mint": return "minted"
        case "execution": return event.replayOfLine == nil ? "executed" : "replayed"
        case "revocation": return "revoked"
        default: return event.kind
        }
    }

    static func detail(_ event: PathEvent) -> String {
        var parts: [String] = []
        switch event.kind {
        case "decision":
            var text = event.outcome ?? "?"
            if !event.policies.isEmpty { text += " by " + event.policies.joined(separator: ", ") }
            parts.append(text)
            let unmet = event.unmetDemands
            if !unmet.isEmpty { parts.append("tier demands not met: " + unmet.joined(separator: ", ")) }
        case "mutation":
            var text = event.outcome.map { "as \($0)" } ?? ""
            if let action = event.action { text += (text.isEmpty ? "" : ": ") + action }
            if let resource = event.resource { text += " on " + resource }
            parts.append(text)
        case "approval":
            if let principal = event.principal { parts.append("by " + principal) }
        case "mint":
            if let jti = event.jti { parts.append("jti " + jti) }
            if let exp = event.exp { parts.append("expires " + exp) }
        case "execution":
            if let outcome = event.outcome { parts.append(outcome) }
            if let jti = event.jti { parts.append("jti " + jti) }
            if let first = event.replayOfLine { parts.append("first used on line \(first)") }
        default:
            if let outcome = event.outcome { parts.append(outcome) }
        }
        return parts.filter { !$0.isEmpty }.joined(separator: ", ")
    }

    static func place(_ event: PathEvent) -> String {
        "line \(event.line)" + (event.time.map { ", " + $0 } ?? "")
    }
}

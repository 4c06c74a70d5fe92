import AuditLog
import Foundation
import JSONValue
import Workflow

/// What `eval` and `mutate` share: loading a plan and its policy directory from the command
/// line, reporting located loading errors, and recording decisions in an audit log.
enum WorkflowInputs {
    /// A plan evaluated against its policy directory.
    static func evaluate(_ context: CommandContext) throws -> PlanEvaluation {
        guard let planPath = context.arguments.positional("PLAN") else {
            throw CLIError.invalidUsage("missing PLAN: give the workflow plan to evaluate")
        }
        let clock = try self.clock(context)
        let plan: Plan
        if planPath == "-" {
            plan = try Plan.parse(try context.readInput("-"), file: "<stdin>")
        } else {
            plan = try Plan.load(planPath)
        }
        let directory = try PolicyDirectory.resolve(context.arguments.value("policies"), forPlan: planPath == "-" ? "./-" : planPath)
        let bundle = try PolicyBundle.load(directory)
        return try PlanEvaluator.evaluate(plan, bundle: bundle, options: EvaluationOptions(clock: clock))
    }

    /// The `--now` clock, when given.
    static func clock(_ context: CommandContext) throws(CLIError) -> Clock? {
        guard let text = context.arguments.value("now") else { return nil }
        guard let clock = Clock(iso8601: text) else {
            throw CLIError.invalidUsage("--now: \"\(text)\" is not a time; write YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC)")
        }
        return clock
    }

    /// Runs `body`, turning a workflow loading error into a located message on stderr and exit 2.
    /// Other errors pass through to the CLI's own handling.
    static func reportingErrors(_ context: CommandContext, _ body: () throws -> ExitCode) throws -> ExitCode {
        do {
            return try body()
        } catch let error as WorkflowError {
            report(error, context)
            return .error
        } catch let error as AuditError {
            context.error("audit log: \(error)")
            return .error
        }
    }

    /// `file:line:col: error: message` with a caret under the place, or the bare message when
    /// the error has no place in a file.
    static func report(_ error: WorkflowError, _ context: CommandContext) {
        guard let location = error.location else {
            context.error(error.message)
            return
        }
        var sourceLine: String?
        if let bytes = try? FileReader.read(location.file) {
            sourceLine = LineTable(bytes).lineText(location.line)
        }
        var message = error.message
        if !location.path.isEmpty { message += " (at \(location.path))" }
        let text = LocatedMessageRenderer.render(
            file: location.file, line: location.line, column: location.column, severity: .error, message: message,
            sourceLine: sourceLine, style: context.diagnosticStyle)
        context.console.diagnostic(String(text.dropLast()))
    }

    /// The colour of an outcome in tables.
    static func attributes(_ outcome: StepOutcome) -> [Style.Attribute] {
        switch outcome {
        case .allow: return [.green]
        case .warn: return [.yellow]
        case .mutate: return [.cyan]
        case .approve: return [.magenta]
        case .deny: return [.bold, .red]
        case .blocked: return [.red]
        }
    }

    // MARK: - Audit

    /// Appends a `decision` record per step (plus a `mutation` record per rewritten step) to the
    /// log named by `--audit`, under one lock and one fsync. Nothing happens without `--audit`.
    /// A pinned `--now` stamps the records too, so one log never mixes the two clocks.
    static func appendAudit(_ evaluation: PlanEvaluation, _ context: CommandContext) throws(AuditError) {
        guard let log = context.arguments.value("audit") else { return }
        let events = auditEvents(evaluation)
        let time = context.arguments.isGiven("now")
            ? Date(timeIntervalSince1970: TimeInterval(evaluation.clock.epochSeconds)) : nil
        try AuditLog.append(events: events, to: log, now: time)
        context.note("appended \(events.count) record\(events.count == 1 ? "" : "s") to \(log)")
    }

    /// The audit events of an evaluation, in plan order, spelled by `AuditEvent` with the
    /// evaluation's details added. A held step's approval request rides on its decision record
    /// (`approval`); `approval` records are for the answer (approved or rejected), which only a
    /// person can give.
    static func auditEvents(_ evaluation: PlanEvaluation) -> [JSONValue] {
        var events: [JSONValue] = []
        for step in evaluation.steps {
            var extra: [(String, JSONValue)] = [
                ("label", .string(step.outcomeLabel)),
                ("clock", .string(evaluation.clock.description)),
                ("risk", .string(evaluation.risk.riskClass.rawValue)),
                ("tier", .string(evaluation.risk.tier.rawValue)),
            ]
            if let approval = step.approval {
                extra.append(("approval", .object(JSONObject([
                    ("groups", .array(approval.groups.map(JSONValue.string))), ("sha256", .string(approval.sha256)),
                ]))))
            }
            if !step.blockedBy.isEmpty { extra.append(("blocked_by", .array(step.blockedBy.map(JSONValue.string)))) }
            events.append(adding(extra, to: AuditEvent.decision(
                plan: evaluation.plan.id, step: step.id, principal: step.principal.description, action: step.action,
                resource: step.resource.description, outcome: step.outcome.rawValue, policies: step.policies,
                reason: step.reason)))
            if let rewrite = step.rewrite {
                let original = evaluation.plan.steps[step.index]
                let from = JSONValue.object(JSONObject([
                    ("action", .string(step.action)), ("resource", .string(step.resource.description)),
                    ("args", .object(original.args)),
                ]))
                events.append(adding([("from", from), ("to", rewrite.final.json)], to: AuditEvent.mutation(
                    plan: evaluation.plan.id, step: step.id, principal: step.principal.description,
                    action: rewrite.final.action, resource: rewrite.final.resource.description,
                    variant: rewrite.variantPath, policies: rewrite.hops.map(\.policy))))
            }
        }
        return events
    }

    static func adding(_ members: [(String, JSONValue)], to event: JSONValue) -> JSONValue {
        guard case .object(var object) = event else { return event }
        for (key, value) in members { object[key] = value }
        return .object(object)
    }
}

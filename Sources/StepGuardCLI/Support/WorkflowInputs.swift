import Basics
import AuditLog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
        let evaluation = try PlanEvaluator.evaluate(
            plan, bundle: bundle, options: EvaluationOptions(clock: clock, approvals: try ApprovalOptions.judge(context)))
        ApprovalOptions.warn(evaluation, context)
        return evaluation
    }

    /// The `--now` clock, when given.
    static func clock(_ context: CommandContext) throws(CLIError) -> Clock? {
        try CommonOptions.nowSeconds(context).map(Clock.init(epochSeconds:))
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
            context.error("audit log: \(error)", code: .auditLog)
            return .error
        }
    }

    /// `file:line:col: error: message` with a caret under the place, or the bare message when
    /// the error has no place in a file.
    static func report(_ error: WorkflowError, _ context: CommandContext) {
        guard let location = error.location else {
            context.error(error.message, code: CommandFailure(error).code)
            return
        }
        context.failures.record(CommandFailure(error))
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
        case .allow, .approved: return [.green]
        case .warn: return [.yellow]
        case .mutate: return [.cyan]
        case .approve: return [.magenta]
        case .deny: return [.bold, .red]
        case .blocked: return [.red]
        }
    }

    /// What the tier in force demanded of a run that issues nothing (`eval`, `mutate`).
    static func tierReport(_ evaluation: PlanEvaluation, _ context: CommandContext) -> TierReport {
        evaluation.tierReport(auditLog: context.arguments.value("audit") != nil)
    }

    // MARK: - Audit

    /// Appends a `decision` record per step (plus a `mutation` record per rewritten step) to the
    /// log named by `--audit`, under one lock and one fsync; each decision carries the tier's
    /// demands and whether this run met them. Nothing happens without `--audit`.
    /// A pinned `--now` stamps the records too, so one log never mixes the two clocks.
    /// The signed approvals that released (or rejected) a held step go in first, so the log
    /// itself shows why the step may run.
    static func appendAudit(_ evaluation: PlanEvaluation, _ context: CommandContext) throws {
        guard let log = context.arguments.value("audit") else { return }
        let events = ApprovalOptions.records(evaluation, log: log) + DecisionRecords.records(evaluation, demands: tierReport(evaluation, context))
        let time = context.arguments.isGiven("now")
            ? Date(timeIntervalSince1970: TimeInterval(evaluation.clock.epochSeconds)) : nil
        try AuditLog.append(events: events, to: log, now: time, for: PlanContent(evaluation.plan, PlanDigests(evaluation)))
        context.note("appended \(events.count) record\(events.count == 1 ? "" : "s") to \(log)")
    }
}

extension PlanContent {
    /// What `plan`, whose digests are `digests`, stands for in an audit log: the commands that
    /// record its decisions (`eval`, `mutate`, `mint` with `--audit`) refuse a log in which its
    /// id already stands for another plan.
    init(_ plan: Plan, _ digests: PlanDigests) {
        self.init(plan: plan.id, decided: digests.decided, written: digests.written)
    }
}

import Approvals
import AuditLog
import JSONValue
import Workflow

/// `--approvals PATH`, which `eval`, `mutate`, `mint` and `test` share: the signed approvals
/// that may release held steps.
enum ApprovalOptions {
    /// The option row.
    static let option = OptionSpec.path(
        "approvals", valueName: "PATH",
        help: "signed approvals that may release held steps: a directory approve --out wrote, or an audit log"
    ).repeatable()

    /// The approvals the command line names; nil when it names none (held steps stay held).
    static func judge(_ context: CommandContext) throws -> ApprovalSet? {
        let paths = context.arguments.values("approvals")
        if paths.isEmpty { return nil }
        var set = ApprovalSet()
        for path in paths { try set.load(path) }
        return set
    }

    /// One warning on stderr per approval that does not count, naming the step and why.
    static func warn(_ evaluation: PlanEvaluation, _ context: CommandContext) {
        for step in evaluation.steps {
            for check in step.approvals?.checks ?? [] where !check.counts {
                context.warning("step \"\(step.id)\": \(check.summary)")
            }
        }
    }

    /// The approval records of the approvals that decided steps of `evaluation` (those that
    /// released a step, or the rejection that denied one), for the audit log at `log`: so that
    /// the log alone shows why a held step ran. Approvals read from `log` itself are there already.
    /// `step` limits them to one step's.
    static func records(_ evaluation: PlanEvaluation, log: String, step only: String? = nil) -> [JSONValue] {
        // The approvals the evaluation was judged with, as loaded then: never read twice.
        guard let set = evaluation.approvals as? ApprovalSet else { return [] }
        var events: [JSONValue] = []
        for step in evaluation.steps where only == nil || step.id == only {
            guard let outcome = step.approvals else { continue }
            let deciding = outcome.outcome == .approved
                ? outcome.approvalIDs : outcome.outcome == .deny ? outcome.checks.filter { $0.counts && $0.decision == .reject }.prefix(1).map(\.id) : []
            for id in deciding where set.logs[id] != log {
                guard let approval = set.approval(id) else { continue }
                events.append(AuditEvent.approval(
                    plan: approval.plan, step: approval.step, approver: approval.approver.description,
                    approved: approval.decision == .approve, document: approval.json))
            }
        }
        return events
    }
}

import Basics
import JSONValue

/// The decision for one step, most restrictive last in `severity`.
public enum StepOutcome: String, Sendable, CaseIterable, Comparable {
    /// The step runs as written.
    case allow
    /// The step runs; a policy in `log_only` mode would have stopped it.
    case warn
    /// The step runs in a rewritten, safer form.
    case mutate
    /// The step was held for approval, and enough valid approvals of its exact digest release it.
    case approved
    /// The step waits for a human approval.
    case approve
    /// The step does not run.
    case deny
    /// The step does not run now because a step it needs was denied or is held.
    case blocked

    var severity: Int {
        switch self {
        case .allow: return 0
        case .warn: return 1
        case .mutate: return 2
        case .approved: return 3
        case .approve: return 4
        case .blocked: return 5
        case .deny: return 6
        }
    }

    public static func < (a: StepOutcome, b: StepOutcome) -> Bool { a.severity < b.severity }

    /// Whether the step (or its rewrite) runs. A held step released by approvals runs too; in
    /// the audit log it is the approval records before it, not its decision, that let it run.
    public var runs: Bool { self == .approved || RunningOutcomes.decisionRuns(rawValue) }
}

/// A step's action, resource and arguments: what a rewrite changes.
public struct StepForm: Sendable, Equatable {
    /// The catalog action.
    public var action: String
    /// The resource.
    public var resource: EntityRef
    /// The arguments.
    public var args: JSONObject

    /// Creates a form.
    public init(action: String, resource: EntityRef, args: JSONObject) {
        self.action = action
        self.resource = resource
        self.args = args
    }

    /// The form as JSON: `{"action", "resource" (Cedar text), "args"}`.
    public var json: JSONValue {
        .object(JSONObject([("action", .string(action)), ("resource", .string(resource.description)), ("args", .object(args))]))
    }
}

/// The facts that keep a rewrite inside the original step's authorization, each checked.
public struct BoundaryFacts: Sendable, Equatable {
    /// The principal of both steps (a rewrite never changes it).
    public var principal: EntityRef
    /// Whether the rewritten principal is the original one.
    public var samePrincipal: Bool
    /// Effect before and after.
    public var effectFrom: ActionEffect
    public var effectTo: ActionEffect?
    /// Flags before and after.
    public var flagsFrom: [ActionFlag]
    public var flagsTo: [ActionFlag]?
    /// How the new resource relates to the old: `unchanged`, or `counterpart:<attribute>`.
    public var resourceRelation: String?
    /// The permits that allow the rewritten step on re-evaluation.
    public var allowedBy: [String]
    /// What failed; empty when the rewrite is inside the boundary.
    public var problems: [String]

    /// Whether every check passed.
    public var holds: Bool { problems.isEmpty }
}

/// One rewrite tried: which policy asked, which variant, the result, and why it was taken or refused.
public struct RewriteAttempt: Sendable, Equatable {
    /// The forbid carrying `@mutate`.
    public var policy: String
    /// The variant it names.
    public var variant: String
    /// The step before this rewrite.
    public var from: StepForm
    /// The rewritten step, when the variant could be applied.
    public var to: StepForm?
    /// The boundary facts, when checked.
    public var boundary: BoundaryFacts?
    /// Whether the rewrite was taken.
    public var accepted: Bool
    /// Rewrites chained after this one (the rewritten step was itself rewritten).
    public var next: [RewriteAttempt]
}

/// The accepted rewrite of a step: every hop from the original to the final form.
public struct Rewrite: Sendable, Equatable {
    /// The hops, first to last; each passed its boundary check.
    public var hops: [RewriteAttempt]
    /// The first policy that asked.
    public var policy: String { hops[0].policy }
    /// The first variant applied.
    public var variant: String { hops[0].variant }
    /// The variants applied, in order (`read-only` or `staging>dry-run`).
    public var variantPath: String { hops.map(\.variant).joined(separator: ">") }
    /// The final form of the step.
    public var final: StepForm { hops[hops.count - 1].to! }
    /// Satisfied `log_only` forbids on the final form: the rewrite runs, and is logged for review.
    public var warnings: [String] = []
}

/// A held step's approval request.
public struct ApprovalRequest: Sendable, Equatable {
    /// Who must approve (`@approve` values, in policy order).
    public var groups: [String]
    /// SHA-256 (hex) of the canonical JSON of the exact step held.
    public var sha256: String
    /// The distinct approvers each group needs (`@quorum`), in the order of `groups`; nil where
    /// the quorum is not a positive integer.
    public var quorums: [Int?] = []
}

/// The decision for one step and everything that explains it.
public struct StepEvaluation: Sendable, Equatable {
    /// The step id.
    public var id: String
    /// Position in the plan.
    public var index: Int
    /// The action as planned.
    public var action: String
    /// The resource as planned.
    public var resource: EntityRef
    /// The principal.
    public var principal: EntityRef
    /// The outcome.
    public var outcome: StepOutcome
    /// The policies that decided it (forbids for deny/mutate/approve/warn, permits for allow).
    public var policies: [String]
    /// One line on why.
    public var reason: String
    /// Satisfied `log_only` forbids that did not decide the outcome.
    public var warnings: [String]
    /// The accepted rewrite (outcome `mutate`).
    public var rewrite: Rewrite?
    /// Every rewrite tried, accepted or not.
    public var attempts: [RewriteAttempt]
    /// The approval request (outcome `approve`).
    public var approval: ApprovalRequest?
    /// The needs that blocked the step (outcome `blocked`).
    public var blockedBy: [String]
    /// Policies skipped for this step because they raised an error.
    public var errors: [PolicyEvaluationError]
    /// Where the step is in the plan file.
    public var location: FileLocation
    /// The permits that allow the form of the step that runs (the rewritten form for `mutate`);
    /// empty when the step does not run. Credentials minted for the step honour their `@max_ttl`.
    public var allowedBy: [String] = []
    /// The approvals given for a held step (outcome `approve`, `approved`, or `deny` when one
    /// rejected it); nil when no approvals were consulted.
    public var approvals: ApprovalOutcome?
    /// The flags for which the tier in force held the step for approval (outcome `approve`
    /// although the policies let it run); empty otherwise.
    public var tierHold: [ActionFlag] = []
    /// Whether the step's own decision refuses its whole plan (a delegation the policies do not
    /// allow): then no step of the plan runs.
    public var refusesPlan = false

    /// The outcome as test suites write it: `mutate:VARIANT` for a rewrite.
    public var outcomeLabel: String {
        if outcome == .mutate, let rewrite { return "mutate:\(rewrite.variantPath)" }
        return outcome.rawValue
    }
}

/// Counts per outcome.
public struct EvaluationSummary: Sendable, Equatable {
    /// Number of steps.
    public var steps: Int
    /// Count per outcome (every outcome present, zero included).
    public var counts: [StepOutcome: Int]

    /// Whether every step is allowed as written (`warn` included), or held and released by
    /// approvals: `eval` exits 0.
    public var allAllowed: Bool {
        counts.filter { $0.key != .allow && $0.key != .warn && $0.key != .approved }.values.allSatisfy { $0 == 0 }
    }
    /// Whether nothing was rewritten, held or denied: `mutate` exits 0.
    public var nothingToRewrite: Bool { allAllowed }
}

/// The result of a dry run of a whole plan.
public struct PlanEvaluation: Sendable {
    /// The plan evaluated.
    public var plan: Plan
    /// The policy directory used.
    public var directory: String
    /// The policies, in order.
    public var policies: [PolicySummary]
    /// The plan's risk.
    public var risk: RiskAssessment
    /// The clock the policies saw.
    public var clock: Clock
    /// One entry per step, in plan order.
    public var steps: [StepEvaluation]
    /// What each governance tier demands in the policy directory used.
    public var tiers: TierConfiguration = .shipped
    /// The approvals the steps were judged with (nil when none were given).
    public var approvals: (any ApprovalJudge)?
    /// Why the whole plan was refused, when it was: every step is then denied.
    public var refusal: PlanRefusal?

    /// Counts per outcome.
    public var summary: EvaluationSummary {
        var counts = Dictionary(uniqueKeysWithValues: StepOutcome.allCases.map { ($0, 0) })
        for step in steps { counts[step.outcome, default: 0] += 1 }
        return EvaluationSummary(steps: steps.count, counts: counts)
    }

    /// Step evaluation by id.
    public func step(_ id: String) -> StepEvaluation? { steps.first { $0.id.isExactly(id) } }
}

extension StepEvaluation {
    /// `step` denied for `reason` by `policies` without being decided (its plan was refused).
    static func denied(_ step: PlanStep, reason: String, policies: [String] = []) -> StepEvaluation {
        StepEvaluation(
            id: step.id, index: step.index, action: step.action, resource: step.resource, principal: step.principal,
            outcome: .deny, policies: policies, reason: reason, warnings: [], rewrite: nil, attempts: [], approval: nil,
            blockedBy: [], errors: [], location: step.location)
    }
}

/// Why a whole plan was refused: no step of it runs, whatever its own decision would be.
public struct PlanRefusal: Sendable, Equatable {
    /// The named reason: `delegation-refused` (a step runs as another principal than the
    /// plan's, and the policies do not allow that delegation).
    public var code: String
    /// The steps that caused it, in plan order.
    public var steps: [String]
    /// One sentence for people, naming the steps.
    public var message: String

    /// The refusal of a plan whose `refused` steps delegate without the policies' leave.
    public static func delegation(_ refused: [StepEvaluation]) -> PlanRefusal {
        PlanRefusal(
            code: "delegation-refused", steps: refused.map(\.id),
            message: "the plan is refused: " + refused.map(\.reason).joined(separator: "; "))
    }

    /// `{"code", "steps", "message"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("code", .string(code)), ("steps", .array(steps.map(JSONValue.string))), ("message", .string(message)),
        ]))
    }
}

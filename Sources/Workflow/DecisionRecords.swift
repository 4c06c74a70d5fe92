import JSONValue

/// The audit records of decided steps, spelled once for every command that decides a step
/// (`eval`, `mutate`, `mint`, the live gate), so that a log holds the same fields whichever of
/// them wrote it. Each record is an event for the audit log to append (it adds `seq`, `time`
/// and `prev`); fields without a value are left out.
public enum DecisionRecords {
    /// The `decision` record of `step`, then a `mutation` record when the step was rewritten.
    /// `original` is the step as planned (its args go in the mutation's `from`).
    public static func records(
        _ step: StepEvaluation, original: StepForm, plan: String, clock: Clock, risk: RiskClass, order: StepOrder = .free,
        demands: TierReport? = nil, decided: DecidedDigests? = nil
    ) -> [JSONValue] {
        [decision(step, plan: plan, clock: clock, risk: risk, order: order, demands: demands, decided: decided)]
            + (mutation(step, original: original, plan: plan).map { [$0] } ?? [])
    }

    /// The `decision` record of `step`: a held step's approval request rides on it (`approval`),
    /// a blocked step's needs too (`blocked_by`), and the order its plan allows (`after`, and in
    /// a sequential plan `sequential` and `index`), so that `audit verify` can hold the
    /// executions to it. `demands`, when the writing command checked the tier's demands, goes in
    /// as `demands`: what it found, so that `audit show` states it without judging again.
    /// `decided` adds the digests of what was decided (`plan_digest`, and for a step that runs
    /// `step_digest` and `args_digest`), which the credentials minted for the step and its
    /// executions must match.
    public static func decision(
        _ step: StepEvaluation, plan: String, clock: Clock, risk: RiskClass, order: StepOrder = .free, demands: TierReport? = nil,
        decided: DecidedDigests? = nil
    ) -> JSONValue {
        var decision = base("decision", step, plan: plan, action: step.action, resource: step.resource)
        if let decided {
            decision["plan_digest"] = .string(decided.plan)
            decision["plan_source_digest"] = .string(decided.written)
            if let form = decided.form {
                decision["step_digest"] = .string(form.stepDigest)
                decision["args_digest"] = .string(form.argsDigest)
            }
        }
        if !order.after.isEmpty { decision["after"] = .array(order.after.map(JSONValue.string)) }
        if let index = order.sequentialIndex {
            decision["sequential"] = .bool(true)
            decision["index"] = .int(Int64(index))
        }
        decision["outcome"] = .string(step.outcome.rawValue)
        decision["reason"] = .string(step.reason)
        setPolicies(&decision, step.policies)
        decision["label"] = .string(step.outcomeLabel)
        stamp(&decision, clock: clock, risk: risk, demands: demands)
        if let approval = step.approval {
            decision["approval"] = .object(JSONObject([
                ("groups", .array(approval.groups.map(JSONValue.string))), ("sha256", .string(approval.sha256)),
            ]))
        }
        if let ids = step.approvals?.approvalIDs, !ids.isEmpty { decision["approvals"] = .array(ids.map(JSONValue.string)) }
        if !step.blockedBy.isEmpty { decision["blocked_by"] = .array(step.blockedBy.map(JSONValue.string)) }
        return .object(decision)
    }

    /// The `mutation` record of a rewritten step (nil for any other): the rewritten action and
    /// resource, the variants applied as `outcome`, the policies that asked, `from` and `to`.
    public static func mutation(_ step: StepEvaluation, original: StepForm, plan: String) -> JSONValue? {
        guard let rewrite = step.rewrite else { return nil }
        var mutation = base("mutation", step, plan: plan, action: rewrite.final.action, resource: rewrite.final.resource)
        mutation["outcome"] = .string(rewrite.variantPath)
        setPolicies(&mutation, rewrite.hops.map(\.policy))
        mutation["from"] = original.json
        mutation["to"] = rewrite.final.json
        return .object(mutation)
    }

    /// The records of every step of `evaluation`, in plan order, each decision carrying
    /// `demands` when given.
    public static func records(_ evaluation: PlanEvaluation, demands: TierReport? = nil) -> [JSONValue] {
        let plan = evaluation.plan
        let prerequisites = plan.prerequisites
        let digests = PlanDigests(evaluation)
        return evaluation.steps.flatMap { step in
            records(
                step, original: plan.steps[step.index].form,
                plan: plan.id, clock: evaluation.clock, risk: evaluation.risk.riskClass,
                order: StepOrder(plan: plan, index: step.index, prerequisites: prerequisites[step.index]), demands: demands,
                decided: DecidedDigests(step, in: evaluation, plan: digests))
        }
    }

    /// The `mint` record of a credential (`jti`, expiring at `exp`, seconds since the epoch)
    /// minted for `step` in its decided form: the action and resource it authorizes are those that
    /// run (the rewritten ones for a rewrite), so it stands for the step's mutation record as well,
    /// and it carries the digests the credential carries (`plan_digest`, `step_digest`,
    /// `args_digest`), which the audit joins bind executions to.
    /// `identity` is how the caller authenticated (method and token digest), when known;
    /// `demands` what the tier demanded of the mint and whether each was met.
    public static func mint(
        _ decided: DecidedForm, _ step: StepEvaluation, clock: Clock, risk: RiskClass, jti: String, exp: Int64, identity: JSONValue? = nil,
        demands: TierReport? = nil
    ) -> JSONValue {
        var record = base("mint", step, plan: decided.plan, action: decided.form.action, resource: decided.form.resource)
        record["outcome"] = .string(step.outcome.rawValue)
        setPolicies(&record, step.policies)
        record["label"] = .string(step.outcomeLabel)
        stamp(&record, clock: clock, risk: risk, demands: demands)
        record["allowed_by"] = .array(step.allowedBy.map(JSONValue.string))
        record["jti"] = .string(jti)
        record["exp"] = .int(exp)
        record["plan_digest"] = .string(decided.planDigest)
        record["step_digest"] = .string(decided.stepDigest)
        record["args_digest"] = .string(decided.argsDigest)
        if let identity { record["identity"] = identity }
        return .object(record)
    }

    static func base(_ kind: String, _ step: StepEvaluation, plan: String, action: String, resource: EntityRef) -> JSONObject {
        JSONObject([
            ("kind", .string(kind)), ("plan", .string(plan)), ("step", .string(step.id)),
            ("principal", .string(step.principal.description)), ("action", .string(action)),
            ("resource", .string(resource.description)),
        ])
    }

    /// An empty list is left out, as the log's own builders do.
    static func setPolicies(_ record: inout JSONObject, _ policies: [String]) {
        if !policies.isEmpty { record["policies"] = .array(policies.map(JSONValue.string)) }
    }

    static func stamp(_ record: inout JSONObject, clock: Clock, risk: RiskClass, demands: TierReport?) {
        record["clock"] = .string(clock.description)
        record["risk"] = .string(risk.rawValue)
        record["tier"] = .string(risk.tier.rawValue)
        // An empty list says the tier demanded nothing, which a missing member would not.
        if let demands { record["demands"] = .array(demands.requirements.map(\.json)) }
    }
}

/// Where a step stands in the order its plan allows, as its decision record states it.
public struct StepOrder: Sendable, Equatable {
    /// The ids of the steps it runs after: the steps it needs, and in a sequential plan the
    /// step before it.
    public var after: [String]
    /// Its place in a sequential plan, from 0; nil in any other plan.
    public var sequentialIndex: Int?

    /// A step its plan orders after nothing (the gate's live calls, whose order is the log's).
    public static let free = StepOrder(after: [], sequentialIndex: nil)

    public init(after: [String], sequentialIndex: Int?) {
        self.after = after
        self.sequentialIndex = sequentialIndex
    }

    /// The order of step `index` of `plan`.
    public init(plan: Plan, index: Int) {
        self.init(plan: plan, index: index, prerequisites: plan.prerequisites[index])
    }

    init(plan: Plan, index: Int, prerequisites: [Int]) {
        self.init(after: prerequisites.map { plan.steps[$0].id }, sequentialIndex: plan.sequential ? index : nil)
    }
}

/// The digests a decision record states: the plan as decided and as written, and for a step
/// that runs, its decided form.
public struct DecidedDigests: Sendable, Equatable {
    /// The digest of the plan as decided (`DecidedForm.planDigest`).
    public var plan: String
    /// The digest of the plan as written (`plan_source_digest`).
    public var written: String
    /// The step's decided form; nil when the step does not run.
    public var form: DecidedForm?

    /// The digests of `step` in `evaluation`, whose plan has the digests `digests`.
    public init(_ step: StepEvaluation, in evaluation: PlanEvaluation, plan digests: PlanDigests) {
        plan = digests.decided
        written = digests.written
        form = step.outcome.runs ? DecidedForm(step, in: evaluation, planDigest: digests.decided) : nil
    }
}

/// The two digests of a plan its decision records state: as decided (`plan_digest`, which
/// changes when the plan decides differently) and as written (`plan_source_digest`, which
/// changes only with the plan file's content). Two plans under one id differ in both; the same
/// plan decided again differs at most in the first.
public struct PlanDigests: Sendable, Equatable {
    /// `DecidedForm.planDigest` of the evaluation.
    public var decided: String
    /// `sha256:` and the SHA-256 of the canonical JSON of the plan as written.
    public var written: String

    /// The digests of `evaluation`'s plan.
    public init(_ evaluation: PlanEvaluation) {
        decided = DecidedForm.planDigest(evaluation)
        written = DecidedForm.digest(evaluation.plan.raw)
    }
}

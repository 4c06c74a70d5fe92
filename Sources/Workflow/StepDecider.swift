import JSONValue

/// Decides one step: builds its request, asks the policies, applies the outcome precedence and
/// tries the rewrites it asks for inside the boundary. `eval`, `mutate`, `mint` and `test`
/// decide every step through it (by way of `PlanEvaluator`); a live tool call, whose step and
/// history come from a host and an audit log rather than a plan file, goes through it directly.
public struct StepDecider: Sendable {
    /// The policies, catalog and entities.
    public let bundle: PolicyBundle
    /// The request builder (plan facts and clock).
    public let requests: StepRequestBuilder
    /// What resources are: `bundle.entities` unless the caller knows more.
    public let resources: any ResourceFacts
    /// The most rewrites chained on one step.
    public let maxRewriteDepth: Int
    /// The approvals a held step is released by; nil when none were given (a held step stays held).
    public let approvals: (any ApprovalJudge)?

    /// Each rewrite tried costs a re-evaluation, and chains multiply them: a step gets at most
    /// this many, whatever the policies ask.
    public static let rewriteBudgetPerStep = 64

    /// A decider for the steps of `plan` at `clock`. `resources` answers for resources that
    /// `entities.json` does not list; nil reads `bundle.entities` alone.
    public init(
        bundle: PolicyBundle, plan: PlanFacts, clock: Clock, resources: (any ResourceFacts)? = nil, maxRewriteDepth: Int = 4,
        approvals: (any ApprovalJudge)? = nil
    ) throws(WorkflowError) {
        self.bundle = bundle
        self.approvals = approvals
        self.requests = try StepRequestBuilder(plan: plan, clock: clock, bundle: bundle)
        self.resources = resources ?? bundle.entities
        self.maxRewriteDepth = max(0, maxRewriteDepth)
    }

    /// Decides `step` when the steps `history` describes may have run before it and those
    /// `done` describes have completed (none by default: a permit that requires prior work
    /// then does not hold). Throws only when its request cannot be built (a context value
    /// Cedar cannot hold).
    public func decide(_ step: PlanStep, history: ChainFacts, done: ChainFacts = ChainFacts()) throws(WorkflowError) -> StepEvaluation {
        try decide(step, history: try requests.prepare(history), done: try requests.prepare(done))
    }

    /// `decide(_:history:done:)` with the chain facts already in the engine's form.
    func decide(_ step: PlanStep, history: PreparedValue, done: PreparedValue) throws(WorkflowError) -> StepEvaluation {
        var result = StepEvaluation(
            id: step.id, index: step.index, action: step.action, resource: step.resource, principal: step.principal,
            outcome: .allow, policies: [], reason: "", warnings: [], rewrite: nil, attempts: [], approval: nil,
            blockedBy: [], errors: [], location: step.location)
        if let checkpoint = step.checkpoint {
            result.outcome = .approve
            result.policies = checkpoint.policies
            result.reason = checkpoint.reason.isEmpty
                ? "awaiting approval by \(checkpoint.groups.joined(separator: ", "))" : checkpoint.reason
            result.approval = ApprovalRequest(
                groups: checkpoint.groups, sha256: checkpoint.sha256, quorums: bundle.quorums(checkpoint.groups, policies: checkpoint.policies))
            release(&result, step: step)
            return result
        }
        let form = step.form
        let ruling: StepRuling
        do {
            let prepared = try requests.prepare(step, history: history, done: done)
            if let refusal = try delegationRefusal(prepared) {
                result.outcome = .deny
                result.policies = refusal.policies
                result.reason = refusal.reason
                result.refusesPlan = true
                return result
            }
            let search = Search(decider: self, step: prepared)
            ruling = try search.decide(form, depth: 0, visited: [Search.signature(form)])
        } catch {
            throw .invalidRequest(step.location, message: "step \"\(step.id)\": \(error.message)")
        }
        result.outcome = ruling.outcome
        result.policies = ruling.policies
        result.reason = ruling.reason
        result.warnings = ruling.warnings
        result.rewrite = ruling.rewrite
        result.attempts = ruling.attempts
        result.errors = ruling.errors
        if ruling.outcome.runs {
            let allowedBy = ruling.rewrite?.hops.last?.boundary?.allowedBy ?? ruling.permits
            result.allowedBy = allowedBy
            holdForTier(&result, running: ruling.rewrite?.final ?? form)
            if !result.tierHold.isEmpty {
                // A tier's hold is released as a policy's is: by enough valid approvals of the exact step.
                hold(&result, step: step, groups: [tierDemands.holdGroup], quorums: [1], allowedBy: allowedBy)
            }
        }
        if ruling.outcome == .approve {
            var groups = ruling.groups
            var quorums = bundle.quorums(ruling.groups, policies: ruling.policies)
            // A policy's hold does not stand in for the tier's: a step the tier would hold, were
            // it allowed, waits for the tier's group as well, unless that is a group it waits
            // for already (fail closed: the tier's approvers are not passed over because a
            // policy asked someone else).
            let tierHeld = tierHeld(form, allowedBy: ruling.permits)
            if !tierHeld.isEmpty {
                result.tierHold = tierHeld
                let group = tierDemands.holdGroup
                if !groups.contains(where: { $0.isExactly(group) }) {
                    groups.append(group)
                    quorums.append(1)
                    result.reason += "; " + tierHoldReason(tierHeld)
                }
            }
            hold(&result, step: step, groups: groups, quorums: quorums, allowedBy: ruling.permits)
        }
        return result
    }

    /// Holds `step` for the approval of `groups` (each with its quorum), bound to the digest of
    /// the exact step, and releases it when the approvals given are enough; a released step is
    /// allowed by `allowedBy`.
    func hold(_ result: inout StepEvaluation, step: PlanStep, groups: [String], quorums: [Int?], allowedBy: [String]) {
        result.approval = ApprovalRequest(groups: groups, sha256: stepDigest(.object(step.raw)), quorums: quorums)
        release(&result, step: step)
        if result.outcome == .approved { result.allowedBy = allowedBy }
    }

    /// Judges the approvals given for a held step: enough valid ones release it (`approved`),
    /// a valid rejection denies it, anything else leaves it held with the count in the reason.
    func release(_ result: inout StepEvaluation, step: PlanStep) {
        guard let judge = approvals, let request = result.approval else { return }
        let held = HeldStep(step: step, request: request, plan: requests.plan, clock: requests.clock)
        let outcome = ApprovalOutcome.tally(judge.checks(for: held, bundle: bundle), held: held)
        result.approvals = outcome
        result.outcome = outcome.outcome
        result.reason = outcome.outcome == .approve ? result.reason + "; " + outcome.reason : outcome.reason
    }

    /// The action a plan's principal needs to have a step run as another principal.
    public static let delegateAction = "stepguard.delegate"

    /// Why a step that runs as another principal than the plan's may not (nil when it runs as
    /// the plan's, or the policies allow the delegation): the request is principal = the plan's
    /// principal, `Action::"stepguard.delegate"`, resource = the step's principal, with the
    /// step's context. No permit, a forbid, or a forbid that errors refuses it.
    func delegationRefusal(_ prepared: StepRequestBuilder.PreparedStep) throws(WorkflowError) -> (policies: [String], reason: String)? {
        let step = prepared.step
        guard let owner = requests.plan.principal, owner != step.principal else { return nil }
        var request = try requests.engineRequest(prepared, form: step.form)
        request.principal = owner
        request.action = EntityRef.action(Self.delegateAction)
        request.resource = step.principal
        // The step's own action is not what is asked: its tool facts would make every rule that
        // judges tools judge the delegation too.
        request.context["tool"] = nil
        let verdict = bundle.verdict(request)
        let forbids = (verdict.forbids + verdict.erroringForbids).map(\.id)
        if forbids.isEmpty && !verdict.permits.isEmpty { return nil }
        let why = forbids.isEmpty
            ? "no policy permits Action::\"\(Self.delegateAction)\" for it"
            : "forbidden by " + forbids.map { "\"\($0)\"" }.joined(separator: ", ")
        return (forbids, "the plan's principal \(owner) may not have step \"\(step.id)\" run as \(step.principal): \(why)")
    }

    /// The steps of `plan` that run as another principal than the plan's without the policies
    /// allowing that delegation, each denied with why. Asked of every step before the plan is
    /// decided, on the plan's facts alone (no history): a held, blocked or checkpoint step
    /// delegates as much as one that is decided, and a refused delegation refuses the plan.
    func delegationRefusals(_ plan: Plan) throws(WorkflowError) -> [StepEvaluation] {
        guard let owner = requests.plan.principal, plan.steps.contains(where: { $0.principal != owner }) else { return [] }
        let nothing = try requests.prepare(ChainFacts())
        var refused: [StepEvaluation] = []
        for step in plan.steps where step.principal != owner {
            let refusal: (policies: [String], reason: String)?
            do {
                refusal = try delegationRefusal(try requests.prepare(step, history: nothing, done: nothing))
            } catch {
                throw .invalidRequest(step.location, message: "step \"\(step.id)\": \(error.message)")
            }
            guard let refusal else { continue }
            var result = StepEvaluation.denied(step, reason: refusal.reason, policies: refusal.policies)
            result.refusesPlan = true
            refused.append(result)
        }
        return refused
    }

    /// What the tier in force demands.
    var tierDemands: TierRequirements { bundle.tiers.requirements(requests.plan.risk.tier) }

    /// Holds a step that would run for approval when the tier in force holds a flag of the action
    /// that runs and no permit allowing it names that flag in `@release` (fail closed: the
    /// policies must say so explicitly).
    func holdForTier(_ result: inout StepEvaluation, running form: StepForm) {
        let held = tierHeld(form, allowedBy: result.allowedBy)
        guard !held.isEmpty else { return }
        result.outcome = .approve
        result.tierHold = held
        result.reason = tierHoldReason(held)
        result.policies = []
        result.rewrite = nil
        result.allowedBy = []
    }

    /// The flags of `form`'s action that the tier in force holds for approval, less those that a
    /// permit among `allowedBy` releases (`@release`); empty when the tier holds none of them.
    func tierHeld(_ form: StepForm, allowedBy: [String]) -> [ActionFlag] {
        let demands = tierDemands
        guard !demands.hold.isEmpty, let action = bundle.catalog.action(named: form.action) else { return [] }
        var released = Set<ActionFlag>()
        for id in allowedBy {
            guard let policy = bundle.policyByID[id], !policy.isForbid else { continue }
            released.formUnion(Self.releasedFlags(policy))
        }
        return demands.held(flags: action.flags, released: released)
    }

    /// Why the tier holds a step whose action carries the flags `held`.
    func tierHoldReason(_ held: [ActionFlag]) -> String {
        let names = held.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let source = bundle.tiers.file == nil ? "shipped defaults" : TierConfiguration.fileName
        return "the \(requests.plan.risk.tier.rawValue) tier holds \(names) actions for approval by \"\(tierDemands.holdGroup)\" (\(source)); "
            + "a permit with @release(\"\(held.map { $0.rawValue }.joined(separator: ", "))\") releases them"
    }

    /// The flags a permit's `@release("irreversible, privileged")` names.
    public static func releasedFlags(_ policy: PolicySummary) -> Set<ActionFlag> {
        policy.annotation("release").map(releasedFlags) ?? []
    }

    /// The flags an `@release` value names (comma- or space-separated).
    public static func releasedFlags(_ text: String) -> Set<ActionFlag> {
        Set(text.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { ActionFlag(rawValue: String($0)) })
    }

    /// The form of a decided step that runs and enters the chain: as written when allowed,
    /// rewritten when mutated; nil when it does not run.
    public static func runningForm(of evaluation: StepEvaluation, step: PlanStep) -> StepForm? {
        guard evaluation.outcome.runs else { return nil }
        if evaluation.outcome == .approved { return ChainSolver.heldForm(step) }
        return evaluation.rewrite?.final ?? step.form
    }

    /// The rewrite search of one step: every form it takes is judged on the same chain.
    final class Search {
        let decider: StepDecider
        let step: StepRequestBuilder.PreparedStep
        var budget = StepDecider.rewriteBudgetPerStep

        init(decider: StepDecider, step: StepRequestBuilder.PreparedStep) {
            self.decider = decider
            self.step = step
        }

        static func signature(_ form: StepForm) -> String {
            form.action + "\u{0}" + form.resource.description + "\u{0}" + CanonicalJSON.string(.object(form.args))
        }

        func decide(_ form: StepForm, depth: Int, visited: Set<String>) throws(WorkflowError) -> StepRuling {
            let verdict = decider.bundle.verdict(try decider.requests.engineRequest(step, form: form))
            let policies = decider.bundle.policyByID
            return try OutcomePrecedence.decide(verdict, what: "\(form.action) on \(form.resource)", reason: { policies[$0]?.reason }) {
                (policy, variant) throws(WorkflowError) in
                try self.attempt(form, policy: policy, variant: variant, depth: depth, visited: visited)
            }
        }

        func attempt(_ form: StepForm, policy: String, variant: String, depth: Int, visited: Set<String>) throws(WorkflowError) -> (RewriteAttempt, Rewrite?) {
            var (to, facts) = RewriteBoundary.apply(
                variant: variant, to: form, principal: step.step.principal, catalog: decider.bundle.catalog, resources: decider.resources)
            var attempt = RewriteAttempt(policy: policy, variant: variant, from: form, to: to, boundary: nil, accepted: false, next: [])
            guard let to else {
                attempt.boundary = facts
                return (attempt, nil)
            }
            let key = Self.signature(to)
            if facts.problems.isEmpty && visited.contains(key) {
                facts.problems.append("rewrite cycle: the step returns to a form it already had")
            }
            if facts.problems.isEmpty && depth + 1 > decider.maxRewriteDepth {
                facts.problems.append("rewrite chain longer than \(decider.maxRewriteDepth)")
            }
            if facts.problems.isEmpty {
                if budget <= 0 {
                    facts.problems.append("more than \(StepDecider.rewriteBudgetPerStep) rewrites tried for one step; simplify the @mutate policies")
                } else {
                    budget -= 1
                }
            }
            guard facts.problems.isEmpty else {
                attempt.boundary = facts
                return (attempt, nil)
            }
            // The rewritten step must be allowed by the whole policy set, judged on the same chain.
            let next = try decide(to, depth: depth + 1, visited: visited.union([key]))
            switch next.outcome {
            case .allow, .warn:
                facts.allowedBy = next.permits
                attempt.boundary = facts
                attempt.accepted = true
                return (attempt, Rewrite(hops: [attempt], warnings: next.outcome == .warn ? next.policies : []))
            case .mutate:
                attempt.boundary = facts
                attempt.accepted = true
                var hops = [attempt]
                attempt.next = next.attempts
                hops.append(contentsOf: next.rewrite!.hops)
                return (attempt, Rewrite(hops: hops, warnings: next.rewrite!.warnings))
            case .approve, .approved:
                // A rewrite is never released by approvals: they name the step as planned.
                facts.problems.append("the rewritten step would itself be held for approval by \(OutcomePrecedence.quoted(next.groups))")
            case .deny, .blocked:
                facts.problems.append(
                    next.policies.isEmpty
                        ? "the rewritten step is not allowed: \(next.reason)"
                        : "the rewritten step is denied by \(OutcomePrecedence.quoted(next.policies))")
            }
            attempt.boundary = facts
            attempt.next = next.attempts
            return (attempt, nil)
        }
    }
}

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

    /// Each rewrite tried costs a re-evaluation, and chains multiply them: a step gets at most
    /// this many, whatever the policies ask.
    public static let rewriteBudgetPerStep = 64

    /// A decider for the steps of `plan` at `clock`. `resources` answers for resources that
    /// `entities.json` does not list; nil reads `bundle.entities` alone.
    public init(
        bundle: PolicyBundle, plan: PlanFacts, clock: Clock, resources: (any ResourceFacts)? = nil, maxRewriteDepth: Int = 4
    ) throws(WorkflowError) {
        self.bundle = bundle
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
            result.approval = ApprovalRequest(groups: checkpoint.groups, sha256: checkpoint.sha256)
            return result
        }
        let form = step.form
        let ruling: StepRuling
        do {
            let search = Search(decider: self, step: try requests.prepare(step, history: history, done: done))
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
            result.allowedBy = ruling.rewrite?.hops.last?.boundary?.allowedBy ?? ruling.permits
            holdForTier(&result, running: ruling.rewrite?.final ?? form)
        }
        if ruling.outcome == .approve {
            result.approval = ApprovalRequest(groups: ruling.groups, sha256: stepDigest(.object(step.raw)))
        }
        if !result.tierHold.isEmpty {
            result.approval = ApprovalRequest(groups: [tierDemands.holdGroup], sha256: stepDigest(.object(step.raw)))
        }
        return result
    }

    /// What the tier in force demands.
    var tierDemands: TierRequirements { bundle.tiers.requirements(requests.plan.risk.tier) }

    /// Holds a step that would run for approval when the tier in force holds a flag of the action
    /// that runs and no permit allowing it names that flag in `@release` (fail closed: the
    /// policies must say so explicitly).
    func holdForTier(_ result: inout StepEvaluation, running form: StepForm) {
        let demands = tierDemands
        guard !demands.hold.isEmpty, let action = bundle.catalog.action(named: form.action) else { return }
        var released = Set<ActionFlag>()
        for id in result.allowedBy {
            guard let policy = bundle.policyByID[id], !policy.isForbid else { continue }
            released.formUnion(Self.releasedFlags(policy))
        }
        let held = demands.held(flags: action.flags, released: released)
        guard !held.isEmpty else { return }
        let names = held.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let source = bundle.tiers.file == nil ? "shipped defaults" : TierConfiguration.fileName
        result.outcome = .approve
        result.tierHold = held
        result.reason = "the \(requests.plan.risk.tier.rawValue) tier holds \(names) actions for approval by \"\(demands.holdGroup)\" (\(source)); "
            + "a permit with @release(\"\(held.map { $0.rawValue }.joined(separator: ", "))\") releases them"
        result.policies = []
        result.rewrite = nil
        result.allowedBy = []
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
        return evaluation.rewrite?.final ?? step.form
    }

    /// The policies' answer for one request, forbids that raised an error kept apart.
    func verdict(_ request: EngineRequest) -> PolicyVerdict {
        let answer = bundle.engine.decide(request)
        let policy = { (id: String) in bundle.policyByID[id] }
        return PolicyVerdict(
            permits: answer.permits,
            forbids: answer.forbids.compactMap(policy),
            erroringForbids: answer.errors.filter(\.isForbid).compactMap { policy($0.policy) },
            errors: answer.errors)
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
            let verdict = decider.verdict(try decider.requests.engineRequest(step, form: form))
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
            case .approve:
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

import JSONValue

/// A loaded policy directory: catalog, entity facts and the compiled policy set.
public struct PolicyBundle: Sendable {
    /// The files it came from.
    public var directory: PolicyDirectory
    /// The action catalog.
    public var catalog: ActionCatalog
    /// Entity attributes used for chain facts, risk and counterparts.
    public var entities: EntityFacts
    /// The policies, in order.
    public var policies: [PolicySummary] { engine.policies }
    /// What each governance tier demands (`tiers.json`, or the shipped defaults).
    public var tiers: TierConfiguration

    let engine: any DecisionEngine
    let policyByID: [String: PolicySummary]

    init(
        directory: PolicyDirectory, catalog: ActionCatalog, entities: EntityFacts, engine: any DecisionEngine,
        tiers: TierConfiguration = .shipped
    ) {
        self.directory = directory
        self.tiers = tiers
        self.catalog = catalog
        self.entities = entities
        self.engine = engine
        self.policyByID = Dictionary(engine.policies.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The policies' answer for one request, forbids that raised an error kept apart.
    func verdict(_ request: EngineRequest) -> PolicyVerdict {
        let answer = engine.decide(request)
        let policy = { (id: String) in policyByID[id] }
        return PolicyVerdict(
            permits: answer.permits,
            forbids: answer.forbids.compactMap(policy),
            erroringForbids: answer.errors.filter(\.isForbid).compactMap { policy($0.policy) },
            errors: answer.errors)
    }
}

/// Knobs of an evaluation.
public struct EvaluationOptions: Sendable {
    /// The time policies see as `context.now`; the current time when nil.
    public var clock: Clock?
    /// The most rewrites chained on one step.
    public var maxRewriteDepth: Int
    /// The approvals held steps are released by; none when nil.
    public var approvals: (any ApprovalJudge)?

    /// Defaults: the current time, at most 4 chained rewrites, no approvals.
    public init(clock: Clock? = nil, maxRewriteDepth: Int = 4, approvals: (any ApprovalJudge)? = nil) {
        self.clock = clock
        self.maxRewriteDepth = maxRewriteDepth
        self.approvals = approvals
    }
}

/// Decides every step of a plan before any of them runs.
///
/// `needs` say only what must finish first: independent steps may run in any order or at the
/// same time. So the history of a step (`context.history`) is every step that may run before
/// it in some order the plan allows — every step that is neither the step itself nor one that
/// needs it, directly or not — in the form it will run; only steps that can never run (denied,
/// or needing a denied step) are left out. Held steps count: they may run once approved.
/// `context.done` is the steps that must have completed first: the step's prerequisites, all
/// of them. In a sequential plan both are exactly the earlier steps.
///
/// A step's history depends on steps decided after it in any linear order, so the plan is
/// decided to a fixed point: every step starts out counted in its written form, and passes
/// re-decide the steps whose readable facts changed until none does. Steps still changing
/// after `maxPasses` are denied (fail closed) and the passes go on without them.
public enum PlanEvaluator {
    /// Passes over the plan before steps still changing are denied.
    public static let maxPasses = 8

    /// Evaluates `plan` against `bundle`. Throws only when a step's request cannot be built.
    public static func evaluate(_ plan: Plan, bundle: PolicyBundle, options: EvaluationOptions = EvaluationOptions()) throws(WorkflowError) -> PlanEvaluation {
        try plan.checkActions(bundle.catalog)
        let risk = RiskAssessment.assess(plan: plan, catalog: bundle.catalog, entities: bundle.entities)
        let clock = options.clock ?? Clock.now()
        let decider = try StepDecider(
            bundle: bundle, plan: PlanFacts(plan, risk: risk), clock: clock, maxRewriteDepth: options.maxRewriteDepth,
            approvals: options.approvals)
        // A delegation the policies do not allow refuses the plan (#23): it is asked of every
        // step first, and again, with the step's history, wherever a step is decided.
        var refused = try decider.delegationRefusals(plan)
        var results: [StepEvaluation] = []
        if refused.isEmpty {
            var solver = ChainSolver(plan: plan, decider: decider)
            results = try solver.solve()
            refused = results.filter(\.refusesPlan)
        }
        var refusal: PlanRefusal?
        if !refused.isEmpty {
            let found = PlanRefusal.delegation(refused)
            results = plan.steps.map { step in
                refused.first { $0.index == step.index } ?? StepEvaluation.denied(step, reason: found.message)
            }
            refusal = found
        }
        var evaluation = PlanEvaluation(
            plan: plan, directory: bundle.directory.path, policies: bundle.policies, risk: risk, clock: clock,
            steps: results, tiers: bundle.tiers, approvals: options.approvals)
        evaluation.refusal = refusal
        return evaluation
    }
}

/// The fixed point behind `PlanEvaluator`: what each step contributes to the chain facts of the
/// others, kept as one counted tally of every step that may run, from which a step's history is
/// its own and its dependents' contributions taken out.
struct ChainSolver {
    let plan: Plan
    let decider: StepDecider
    let before: [[Int]]
    let after: [[Int]]
    let order: [Int]

    /// The forms each step runs in (empty for a step that can never run), and what they add
    /// to the others' facts.
    var runningForms: [[StepForm]]
    var contributions: [[ChainContribution]]
    var total = ChainTally()
    /// The names of `total`, nil when a name came in or went out since they were listed.
    var totalNames: ChainNames?
    /// The name sets last given to the engine, for history and for prerequisites.
    var historyValues = NameValues(), doneValues = NameValues()
    /// The last decision of each step.
    var decided: [Decision?]
    /// Where each step stands in `order`.
    let position: [Int]
    /// The steps whose contribution changed, in the order they changed. The facts of a step can
    /// differ from those its last decision saw only through the entries after `seen[step]`.
    var changes: [Int] = []
    var seen: [Int]
    /// In a sequential plan, the contributions of the steps before the one the pass is at: its
    /// history and its prerequisites both.
    var earlier = ChainTally()
    var results: [StepEvaluation?]
    /// Steps denied because their outcome did not settle.
    var pinned: [String?]
    var stamp: [Int]
    var generation = 0
    /// Whether a step whose readable facts did not change keeps its decision (always, but for
    /// the tests that hold the result to deciding every step afresh on every pass).
    let reuseDecisions: Bool

    init(plan: Plan, decider: StepDecider, reuseDecisions: Bool = true) {
        self.plan = plan
        self.decider = decider
        self.reuseDecisions = reuseDecisions
        before = plan.prerequisites
        var after = Array(repeating: [Int](), count: plan.steps.count)
        for (index, needs) in before.enumerated() { for need in needs { after[need].append(index) } }
        self.after = after
        order = plan.sequential ? Array(plan.steps.indices) : plan.evaluationOrder
        runningForms = plan.steps.map { [Self.heldForm($0)] }
        contributions = runningForms.map { $0.map { ChainContribution($0, catalog: decider.bundle.catalog, resources: decider.resources) } }
        decided = Array(repeating: nil, count: plan.steps.count)
        var position = Array(repeating: 0, count: plan.steps.count)
        for (at, index) in order.enumerated() { position[index] = at }
        self.position = position
        seen = Array(repeating: 0, count: plan.steps.count)
        results = Array(repeating: nil, count: plan.steps.count)
        pinned = Array(repeating: nil, count: plan.steps.count)
        stamp = Array(repeating: 0, count: plan.steps.count)
        for contribution in contributions.joined() { total.add(contribution) }
    }

    /// The form a step waiting for approval will run in: as written, or for an approval
    /// checkpoint, the step it holds (the checkpoint itself when that cannot be read).
    static func heldForm(_ step: PlanStep) -> StepForm {
        guard let checkpoint = step.checkpoint else { return step.form }
        guard let action = checkpoint.step["action"]?.stringValue,
              let resourceValue = checkpoint.step["resource"], let resource = EntityRef(json: resourceValue) else { return step.form }
        return StepForm(action: EntityRef.action(action).actionName, resource: resource, args: checkpoint.step["args"]?.objectValue ?? JSONObject())
    }

    mutating func solve() throws(WorkflowError) -> [StepEvaluation] {
        var passes = 0
        while true {
            let changed = try pass()
            if changed.isEmpty { break }
            passes += 1
            if passes >= PlanEvaluator.maxPasses {
                // Fail closed: a step whose outcome depends on itself through the others' facts
                // has no answer that holds in every order.
                for index in changed where pinned[index] == nil {
                    pinned[index] = "its outcome does not settle: it changes the facts that decide it through other steps' history (\(PlanEvaluator.maxPasses) passes)"
                }
                passes = 0
            }
        }
        return results.map { $0! }
    }

    /// One pass in decision order; returns the steps whose outcome or contribution changed.
    mutating func pass() throws(WorkflowError) -> [Int] {
        var changed: [Int] = []
        earlier = ChainTally()
        for index in order {
            let step = plan.steps[index]
            let previous = results[index]
            let result: StepEvaluation
            var forms: [StepForm] = []
            let stoppers = before[index].filter { !(results[$0]?.outcome.runs ?? false) }
            let never = stoppers.contains { contributions[$0].isEmpty }
            if let reason = pinned[index] {
                result = blank(step, outcome: .deny, reason: reason)
            } else if never {
                result = blocked(step, stoppers: stoppers)
            } else if stoppers.isEmpty {
                result = try decide(index)
                if let form = StepDecider.runningForm(of: result, step: step) {
                    forms = [form]
                } else if result.outcome == .approve {
                    forms = [Self.heldForm(step)]
                }
            } else {
                // Blocked only by held steps: it may run once they are approved, so it counts as
                // written, and also as rewritten when it would be decided so now.
                // A delegation refused on its history refuses the plan as a decided step's does.
                let decision = try decide(index)
                if decision.refusesPlan {
                    result = decision
                } else {
                    forms = [step.form]
                    if let rewritten = decision.rewrite?.final, rewritten != step.form { forms.append(rewritten) }
                    result = blocked(step, stoppers: stoppers)
                }
            }
            results[index] = result
            let contribution = forms == runningForms[index]
                ? contributions[index] : forms.map { ChainContribution($0, catalog: decider.bundle.catalog, resources: decider.resources) }
            runningForms[index] = forms
            if contribution != contributions[index] {
                var moved = false
                for old in contributions[index] where total.add(old, -1) { moved = true }
                for new in contribution where total.add(new) { moved = true }
                if moved { totalNames = nil }
                contributions[index] = contribution
                changed.append(index)
                changes.append(index)
            } else if let previous, previous.outcome != result.outcome || previous.policies != result.policies {
                changed.append(index)
            }
            if plan.sequential { for c in contributions[index] { earlier.add(c) } }
        }
        return changed
    }

    /// A decision and what it was made on.
    struct Decision {
        var result: StepEvaluation
        var history: ChainFacts
        var done: ChainFacts
        /// The members of both that the policies which may apply to any form it judged read.
        var reads: ChainReads
    }

    /// Decides a step on its current facts, reusing the last decision when the facts its
    /// policies can read are the same.
    mutating func decide(_ index: Int) throws(WorkflowError) -> StepEvaluation {
        if reuseDecisions, let last = decided[index], holds(last, index) {
            seen[index] = changes.count
            return last.result
        }
        let history = plan.sequential ? earlier.facts() : historyFacts(index)
        let done = plan.sequential ? history : prerequisiteFacts(index)
        let engine = decider.bundle.engine
        let result = try decider.decide(
            plan.steps[index], history: historyValues.prepare(history, engine: engine), done: doneValues.prepare(done, engine: engine))
        // The same verdicts on every form the step took give the same decision, since the forms
        // tried follow from the verdicts.
        var reads = ChainReads()
        for form in Self.forms(of: result, step: plan.steps[index]) {
            reads.formUnion(decider.bundle.engine.chainReads(action: form.action, resource: form.resource))
        }
        // A delegation is judged on the same history: what its policies read counts as well.
        let step = plan.steps[index]
        if let owner = decider.requests.plan.principal, owner != step.principal {
            reads.formUnion(decider.bundle.engine.chainReads(action: StepDecider.delegateAction, resource: step.principal))
        }
        decided[index] = Decision(result: result, history: history, done: done, reads: reads)
        seen[index] = changes.count
        return result
    }

    /// Whether a step's last decision holds on its current facts: when no contribution it can
    /// see has changed since, or the members its policies read agree. Only those members are
    /// worked out; the facts themselves are built only for a step decided again.
    mutating func holds(_ last: Decision, _ index: Int) -> Bool {
        let fresh = changes[seen[index]...]
        if fresh.isEmpty || last.reads.isEmpty { return true }
        let reads = last.reads
        // Only a few changes are looked through one by one, so that a pass stays linear in the
        // plan's size; past that, the members read are compared.
        let few = fresh.count <= Self.changesLookedThrough
        if plan.sequential {
            // Every later step needs this one: only an earlier step's change shows.
            if few && fresh.allSatisfy({ $0 >= index }) { return true }
            return earlier.agrees(removing: nil, with: last.history, on: reads.history, bounds: reads.historyBounds)
                && earlier.agrees(removing: nil, with: last.done, on: reads.done, bounds: reads.doneBounds)
        }
        var dependents: [Int]?
        // A step before this one in decision order is not among its dependents.
        if few && fresh.allSatisfy({ position[$0] >= position[index] }) {
            dependents = reachable(from: index, through: after)
            let marked = generation
            if fresh.allSatisfy({ $0 == index || stamp[$0] == marked }) { return true }
        }
        if !reads.history.isEmpty || !reads.historyBounds.isEmpty {
            let removed = outside(
                index, dependents: dependents ?? reachable(from: index, through: after),
                only: ChainFields(counting: reads.history, bounds: reads.historyBounds))
            guard total.agrees(removing: removed, with: last.history, on: reads.history, bounds: reads.historyBounds) else { return false }
        }
        if !reads.done.isEmpty || !reads.doneBounds.isEmpty {
            let done = prerequisiteTally(index, only: ChainFields(counting: reads.done, bounds: reads.doneBounds))
            guard done.agrees(removing: nil, with: last.done, on: reads.done, bounds: reads.doneBounds) else { return false }
        }
        return true
    }

    /// How many changes since its last decision are checked one by one for whether the step
    /// can see them, before the members its policies read are compared instead.
    static let changesLookedThrough = 32

    /// Every form a decision judged: the step as written and every rewrite it tried.
    static func forms(of result: StepEvaluation, step: PlanStep) -> [StepForm] {
        var out = [step.form]
        var attempts = result.attempts
        while let attempt = attempts.popLast() {
            if let to = attempt.to { out.append(to) }
            attempts += attempt.next
        }
        return out
    }

    /// Every step that may run, less the step and the steps that need it.
    mutating func historyFacts(_ index: Int) -> ChainFacts {
        let removed = outside(index, dependents: reachable(from: index, through: after))
        let names = totalNames ?? total.names()
        totalNames = names
        return total.facts(removing: removed, names: names)
    }

    /// What a step's history leaves out of the total: the step and its dependents.
    func outside(_ index: Int, dependents: [Int], only members: ChainFields = .all) -> ChainTally {
        var removed = ChainTally()
        for next in dependents { for c in contributions[next] { removed.add(c, only: members) } }
        for own in contributions[index] { removed.add(own, only: members) }
        return removed
    }

    /// The steps it waits for, directly or not: those that must have completed.
    mutating func prerequisiteFacts(_ index: Int) -> ChainFacts {
        prerequisiteTally(index).facts()
    }

    mutating func prerequisiteTally(_ index: Int, only members: ChainFields = .all) -> ChainTally {
        var tally = ChainTally()
        for next in reachable(from: index, through: before) { for c in contributions[next] { tally.add(c, only: members) } }
        return tally
    }

    /// Every step reachable from `index` (not `index` itself) along `edges`, once each.
    mutating func reachable(from index: Int, through edges: [[Int]]) -> [Int] {
        generation += 1
        var found: [Int] = []
        var stack = edges[index]
        for next in stack { stamp[next] = generation }
        while let next = stack.popLast() {
            found.append(next)
            for further in edges[next] where stamp[further] != generation {
                stamp[further] = generation
                stack.append(further)
            }
        }
        return found
    }

    /// Chain facts in the engine's form, the sets of names converted again only when they differ
    /// from the last ones (most steps' histories share them).
    struct NameValues {
        var last: [(names: [String], value: PreparedValue)?] = [nil, nil, nil]

        mutating func prepare(_ facts: ChainFacts, engine: any DecisionEngine) -> PreparedValue {
            func set(_ slot: Int, _ names: [String]) -> PreparedValue {
                if let kept = last[slot], Self.same(kept.names, names) { return kept.value }
                let value = engine.prepare(names: names)
                last[slot] = (names, value)
                return value
            }
            return engine.prepare(chain: facts, actions: set(0, facts.actions), tools: set(1, facts.tools), labels: set(2, facts.labels))
        }

        /// The same names by code points (`==` on strings would take canonically equivalent
        /// ones for the same); a list shared with the last one is the same at once.
        static func same(_ a: [String], _ b: [String]) -> Bool {
            guard a.count == b.count else { return false }
            let shared = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
            return shared || zip(a, b).allSatisfy { $0.isExactly($1) }
        }
    }

    func blank(_ step: PlanStep, outcome: StepOutcome, reason: String) -> StepEvaluation {
        StepEvaluation(
            id: step.id, index: step.index, action: step.action, resource: step.resource, principal: step.principal,
            outcome: outcome, policies: [], reason: reason, warnings: [], rewrite: nil, attempts: [], approval: nil,
            blockedBy: [], errors: [], location: step.location)
    }

    func blocked(_ step: PlanStep, stoppers: [Int]) -> StepEvaluation {
        let words = stoppers.map { need -> String in
            let outcome = results[need]!.outcome
            let what = outcome == .deny ? "was denied" : outcome == .approve ? "is held for approval" : "is blocked"
            return "\"\(plan.steps[need].id)\" \(what)"
        }
        var result = blank(step, outcome: .blocked, reason: "needs " + words.joined(separator: ", "))
        result.blockedBy = stoppers.map { plan.steps[$0].id }
        return result
    }
}

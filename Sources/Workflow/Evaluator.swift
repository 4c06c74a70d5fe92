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

    let engine: any DecisionEngine
    let policyByID: [String: PolicySummary]

    init(directory: PolicyDirectory, catalog: ActionCatalog, entities: EntityFacts, engine: any DecisionEngine) {
        self.directory = directory
        self.catalog = catalog
        self.entities = entities
        self.engine = engine
        self.policyByID = Dictionary(engine.policies.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Knobs of an evaluation.
public struct EvaluationOptions: Sendable {
    /// The time policies see as `context.now`; the current time when nil.
    public var clock: Clock?
    /// The most rewrites chained on one step.
    public var maxRewriteDepth: Int

    /// Defaults: the current time, at most 4 chained rewrites.
    public init(clock: Clock? = nil, maxRewriteDepth: Int = 4) {
        self.clock = clock
        self.maxRewriteDepth = maxRewriteDepth
    }
}

/// Decides every step of a plan before any of them runs.
public enum PlanEvaluator {
    /// Evaluates `plan` against `bundle`. Throws only when a step's request cannot be built.
    public static func evaluate(_ plan: Plan, bundle: PolicyBundle, options: EvaluationOptions = EvaluationOptions()) throws(WorkflowError) -> PlanEvaluation {
        try plan.checkActions(bundle.catalog)
        let risk = RiskAssessment.assess(plan: plan, catalog: bundle.catalog, entities: bundle.entities)
        let clock = options.clock ?? Clock.now()
        let decider = try StepDecider(
            bundle: bundle, plan: PlanFacts(plan, risk: risk), clock: clock, maxRewriteDepth: options.maxRewriteDepth)
        var history = ChainFacts()
        var results: [StepEvaluation?] = Array(repeating: nil, count: plan.steps.count)
        let indexByID = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.id, $0.index) })
        for index in plan.evaluationOrder {
            let step = plan.steps[index]
            let stoppers = step.needs.filter { need in
                guard let i = indexByID[need], let result = results[i] else { return false }
                return !result.outcome.runs
            }
            if !stoppers.isEmpty {
                let words = stoppers.map { need -> String in
                    let outcome = results[indexByID[need]!]!.outcome
                    let what = outcome == .deny ? "was denied" : outcome == .approve ? "is held for approval" : "is blocked"
                    return "\"\(need)\" \(what)"
                }
                results[index] = StepEvaluation(
                    id: step.id, index: index, action: step.action, resource: step.resource, principal: step.principal,
                    outcome: .blocked, policies: [], reason: "needs " + words.joined(separator: ", "), warnings: [],
                    rewrite: nil, attempts: [], approval: nil, blockedBy: stoppers, errors: [], location: step.location)
                continue
            }
            let result = try decider.decide(step, history: history)
            // The chain reflects what will run: allowed steps as written, rewritten steps in their new form.
            if let form = StepDecider.runningForm(of: result, step: step) {
                history.record(form, catalog: bundle.catalog, resources: decider.resources)
            }
            results[index] = result
        }
        return PlanEvaluation(
            plan: plan, directory: bundle.directory.path, policies: bundle.policies, risk: risk, clock: clock,
            steps: results.map { $0! })
    }
}

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

/// What the steps that run before a step have done: the chain facts of `context.history`.
struct History {
    var actions: [String] = []
    var tools: [String] = []
    var labels: [String] = []
    var maxSensitivity: Int64 = 0
    var external = false
    var writes: Int64 = 0
    var count: Int64 = 0
    /// Rebuilt on every record; every step of the plan reads it, often several times.
    private(set) var json: JSONValue = History.render(actions: [], tools: [], labels: [], maxSensitivity: 0, external: false, writes: 0, count: 0)

    mutating func record(_ form: StepForm, catalog: ActionCatalog, entities: EntityFacts) {
        count += 1
        if !actions.contains(form.action) { actions.append(form.action) }
        if let action = catalog.actions[form.action] {
            if !tools.contains(action.tool) { tools.append(action.tool) }
            if action.flags.contains(.external) { external = true }
            if action.effect >= .write { writes += 1 }
        }
        for label in entities.labels(of: form.resource) where !labels.contains(label) { labels.append(label) }
        maxSensitivity = max(maxSensitivity, entities.sensitivity(of: form.resource))
        json = History.render(
            actions: actions, tools: tools, labels: labels, maxSensitivity: maxSensitivity, external: external, writes: writes, count: count)
    }

    static func render(actions: [String], tools: [String], labels: [String], maxSensitivity: Int64, external: Bool, writes: Int64, count: Int64) -> JSONValue {
        .object(JSONObject([
            ("actions", .array(actions.sorted().map(JSONValue.string))),
            ("tools", .array(tools.sorted().map(JSONValue.string))),
            ("labels", .array(labels.sorted().map(JSONValue.string))),
            ("max_sensitivity", .int(maxSensitivity)),
            ("external", .bool(external)),
            ("writes", .int(writes)),
            ("count", .int(count)),
        ]))
    }
}

/// Decides every step of a plan before any of them runs.
public enum PlanEvaluator {
    /// Evaluates `plan` against `bundle`. Throws only when a step's request cannot be built.
    public static func evaluate(_ plan: Plan, bundle: PolicyBundle, options: EvaluationOptions = EvaluationOptions()) throws(WorkflowError) -> PlanEvaluation {
        try plan.checkActions(bundle.catalog)
        let risk = RiskAssessment.assess(plan: plan, catalog: bundle.catalog, entities: bundle.entities)
        let clock = options.clock ?? Clock.now()
        var run = try Run(plan: plan, bundle: bundle, risk: risk, clock: clock, maxDepth: max(0, options.maxRewriteDepth))
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
            results[index] = try run.evaluate(step)
        }
        return PlanEvaluation(
            plan: plan, directory: bundle.directory.path, policies: bundle.policies, risk: risk, clock: clock,
            steps: results.map { $0! })
    }
}

/// The outcome of deciding one form of a step.
private struct Decision {
    var outcome: StepOutcome
    var policies: [String]
    var reason: String
    var warnings: [String]
    var permits: [String]
    var rewrite: Rewrite?
    var attempts: [RewriteAttempt]
    var groups: [String]
    var errors: [PolicyEvaluationError]
}

private struct Run {
    let plan: Plan
    let bundle: PolicyBundle
    let risk: RiskAssessment
    let clock: Clock
    let maxDepth: Int
    var history = History()
    /// Each rewrite tried costs a re-evaluation, and chains multiply them: a step gets at most
    /// this many, whatever the policies ask.
    static let rewriteBudgetPerStep = 64
    final class Budget { var remaining = Run.rewriteBudgetPerStep }
    let rewriteBudget = Budget()
    let planFacts: PreparedValue
    let now: PreparedValue
    var toolFacts: [String: PreparedValue] = [:]
    var historyFacts: PreparedValue
    /// The context members of the step being decided that do not change with a rewrite.
    var stepContext: [String: PreparedValue] = [:]

    init(plan: Plan, bundle: PolicyBundle, risk: RiskAssessment, clock: Clock, maxDepth: Int) throws(WorkflowError) {
        self.plan = plan
        self.bundle = bundle
        self.risk = risk
        self.clock = clock
        self.maxDepth = maxDepth
        let engine = bundle.engine
        planFacts = try engine.prepare(.object(JSONObject([
            ("id", .string(plan.id)),
            ("owner", .string(plan.owner ?? "")),
            ("intent", .string(plan.intent ?? "")),
            ("risk", .string(risk.riskClass.rawValue)),
            ("tier", .string(risk.tier.rawValue)),
        ])))
        now = try engine.prepare(.object(JSONObject([
            ("__extn", .object(JSONObject([("fn", .string("datetime")), ("arg", .string(clock.description))]))),
        ])))
        for (name, action) in bundle.catalog.actions {
            toolFacts[name] = try engine.prepare(.object(JSONObject([
                ("name", .string(action.tool)),
                ("effect", .string(action.effect.rawValue)),
                ("flags", .array(action.flags.map { .string($0.rawValue) })),
            ])))
        }
        historyFacts = try engine.prepare(history.json)
    }

    mutating func evaluate(_ step: PlanStep) throws(WorkflowError) -> StepEvaluation {
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
        let form = StepForm(action: step.action, resource: step.resource, args: step.args)
        rewriteBudget.remaining = Run.rewriteBudgetPerStep
        let decision: Decision
        do {
            var merged = plan.context
            for (key, value) in step.context { merged[key] = value }
            stepContext = [:]
            for (key, value) in merged { stepContext[key] = try bundle.engine.prepare(value) }
            stepContext["step"] = try bundle.engine.prepare(.int(step.index))
            stepContext["step_id"] = try bundle.engine.prepare(.string(step.id))
            decision = try decide(step, form, depth: 0, visited: [signature(form)])
        } catch {
            throw .invalidRequest(step.location, message: "step \"\(step.id)\": \(error.message)")
        }
        result.outcome = decision.outcome
        result.policies = decision.policies
        result.reason = decision.reason
        result.warnings = decision.warnings
        result.rewrite = decision.rewrite
        result.attempts = decision.attempts
        result.errors = decision.errors
        if decision.outcome.runs {
            result.allowedBy = decision.rewrite?.hops.last?.boundary?.allowedBy ?? decision.permits
        }
        if decision.outcome == .approve {
            result.approval = ApprovalRequest(groups: decision.groups, sha256: stepDigest(.object(step.raw)))
        }
        // The chain reflects what will run: allowed steps as written, rewritten steps in their new form.
        if decision.outcome.runs {
            history.record(decision.rewrite?.final ?? form, catalog: bundle.catalog, entities: bundle.entities)
            historyFacts = try bundle.engine.prepare(history.json)
        }
        return result
    }

    func signature(_ form: StepForm) -> String {
        form.action + "\u{0}" + form.resource.description + "\u{0}" + CanonicalJSON.string(.object(form.args))
    }

    func context(_ step: PlanStep, _ form: StepForm) throws(WorkflowError) -> [String: PreparedValue] {
        var context = stepContext
        do {
            context["args"] = try bundle.engine.prepare(.object(form.args))
        } catch {
            throw .invalidRequest(error.location ?? step.location, message: "context.args: \(error.message)")
        }
        context["history"] = historyFacts
        context["plan"] = planFacts
        if let tool = toolFacts[form.action] { context["tool"] = tool }
        context["now"] = now
        return context
    }

    func policy(_ id: String) -> PolicySummary? { bundle.policyByID[id] }

    func reason(of ids: [String], fallback: String) -> String {
        for id in ids { if let reason = policy(id)?.reason, !reason.isEmpty { return reason } }
        return fallback
    }

    func quoted(_ ids: [String]) -> String { ids.map { "\"\($0)\"" }.joined(separator: ", ") }

    func decide(_ step: PlanStep, _ form: StepForm, depth: Int, visited: Set<String>) throws(WorkflowError) -> Decision {
        let request = EngineRequest(
            principal: step.principal, action: EntityRef.action(form.action), resource: form.resource,
            context: try context(step, form))
        let verdict = bundle.engine.decide(request)
        let forbids = verdict.forbids.compactMap(policy)
        let enforcing = forbids.filter { !$0.isLogOnly }
        let logOnly = forbids.filter(\.isLogOnly).map(\.id)
        var decision = Decision(
            outcome: .allow, policies: [], reason: "", warnings: logOnly, permits: verdict.permits, rewrite: nil,
            attempts: [], groups: [], errors: verdict.errors)
        let what = "\(form.action) on \(form.resource)"

        // Rule 1 of the precedence: without a satisfied permit nothing is authorized, so there
        // is no boundary a rewrite or an approval could stay inside.
        if verdict.permits.isEmpty {
            decision.outcome = .deny
            decision.policies = enforcing.map(\.id)
            decision.reason = "no policy permits \(what)"
            return decision
        }
        if enforcing.isEmpty {
            if !logOnly.isEmpty {
                decision.outcome = .warn
                decision.policies = logOnly
                decision.warnings = []
                decision.reason = reason(of: logOnly, fallback: "forbidden by \(quoted(logOnly))") + " (log only)"
            } else {
                decision.outcome = .allow
                decision.policies = verdict.permits
                decision.reason = reason(of: verdict.permits, fallback: "permitted by \(quoted(verdict.permits))")
            }
            return decision
        }

        let ids = enforcing.map(\.id)
        let base = reason(of: ids, fallback: "forbidden by \(quoted(ids))")
        decision.policies = ids
        let unremedied = enforcing.filter { $0.mutateVariant == nil && $0.approveGroup == nil }
        if !unremedied.isEmpty {
            decision.outcome = .deny
            decision.policies = unremedied.map(\.id)
            decision.reason = reason(of: unremedied.map(\.id), fallback: "forbidden by \(quoted(unremedied.map(\.id)))")
            return decision
        }
        var notes: [String] = []
        if enforcing.allSatisfy({ $0.mutateVariant != nil }) {
            var tried = Set<String>()
            for forbid in enforcing {
                let variant = forbid.mutateVariant!
                if !tried.insert(variant).inserted { continue }
                let (attempt, rewrite) = try attemptRewrite(step, form, policy: forbid.id, variant: variant, depth: depth, visited: visited)
                decision.attempts.append(attempt)
                if let rewrite {
                    decision.outcome = .mutate
                    decision.rewrite = rewrite
                    decision.reason = base
                    for id in rewrite.warnings where !decision.warnings.contains(id) { decision.warnings.append(id) }
                    return decision
                }
                notes.append("rewrite \"\(variant)\" refused: " + (attempt.boundary?.problems ?? []).joined(separator: "; "))
            }
        }
        if enforcing.allSatisfy({ $0.approveGroup != nil }) {
            var groups: [String] = []
            for forbid in enforcing where !groups.contains(forbid.approveGroup!) { groups.append(forbid.approveGroup!) }
            decision.outcome = .approve
            decision.groups = groups
            decision.reason = base
            return decision
        } else if !enforcing.allSatisfy({ $0.mutateVariant != nil }) {
            notes.append("the forbids ask for different remedies (\(quoted(ids))), so none applies")
        }
        decision.outcome = .deny
        decision.reason = ([base] + notes).joined(separator: "; ")
        return decision
    }

    func attemptRewrite(
        _ step: PlanStep, _ form: StepForm, policy: String, variant: String, depth: Int, visited: Set<String>
    ) throws(WorkflowError) -> (RewriteAttempt, Rewrite?) {
        let catalog = bundle.catalog
        let original = catalog.actions[form.action]!
        var facts = BoundaryFacts(
            principal: step.principal, samePrincipal: true, effectFrom: original.effect, effectTo: nil,
            flagsFrom: original.flags, flagsTo: nil, resourceRelation: nil, allowedBy: [], problems: [])
        var attempt = RewriteAttempt(policy: policy, variant: variant, from: form, to: nil, boundary: nil, accepted: false, next: [])
        func refuse(_ problem: String) -> (RewriteAttempt, Rewrite?) {
            facts.problems.append(problem)
            attempt.boundary = facts
            return (attempt, nil)
        }
        guard let definition = original.variant(variant) else {
            return refuse("action \"\(form.action)\" has no variant \"\(variant)\" in tools.json")
        }
        let targetName = definition.action ?? form.action
        guard let target = catalog.actions[targetName] else { return refuse("variant action \"\(targetName)\" is not in tools.json") }
        // Resource: unchanged, or a counterpart the current resource names.
        var resource = form.resource
        switch definition.resource {
        case nil:
            facts.resourceRelation = "unchanged"
        case .counterpart(let attribute):
            guard let counterpart = bundle.entities.counterpart(of: form.resource, attribute: attribute) else {
                return refuse("resource \(form.resource) names no counterpart in attribute \"\(attribute)\"")
            }
            resource = counterpart
            facts.resourceRelation = counterpart == form.resource ? "unchanged" : "counterpart:\(attribute)"
        case .literal(let entity):
            resource = entity
            if entity == form.resource {
                facts.resourceRelation = "unchanged"
            } else if let attribute = bundle.entities.attributeNaming(entity, in: form.resource) {
                facts.resourceRelation = "counterpart:\(attribute)"
            } else {
                facts.resourceRelation = nil
                facts.problems.append("resource \(entity) is not named by \(form.resource); a rewrite may only move to a counterpart the original resource names")
            }
        }
        var args = form.args
        for (key, value) in definition.args {
            if value.isNull { args[key] = nil } else { args[key] = value }
        }
        let to = StepForm(action: targetName, resource: resource, args: args)
        attempt.to = to
        facts.effectTo = target.effect
        facts.flagsTo = target.flags
        // A rewrite never changes the principal: the request is built from the step's principal.
        facts.samePrincipal = true
        if target.effect > original.effect {
            facts.problems.append("effect \"\(target.effect.rawValue)\" is higher than \"\(original.effect.rawValue)\"")
        }
        let added = Set(target.flags).subtracting(original.flags).sorted()
        if !added.isEmpty {
            facts.problems.append("adds flag\(added.count > 1 ? "s" : "") \(added.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) the original action lacks")
        }
        let key = signature(to)
        if facts.problems.isEmpty && visited.contains(key) {
            facts.problems.append("rewrite cycle: the step returns to a form it already had")
        }
        if facts.problems.isEmpty && depth + 1 > maxDepth {
            facts.problems.append("rewrite chain longer than \(maxDepth)")
        }
        if facts.problems.isEmpty {
            if rewriteBudget.remaining <= 0 {
                facts.problems.append("more than \(Run.rewriteBudgetPerStep) rewrites tried for one step; simplify the @mutate policies")
            } else {
                rewriteBudget.remaining -= 1
            }
        }
        guard facts.problems.isEmpty else {
            attempt.boundary = facts
            return (attempt, nil)
        }
        // The rewritten step must be allowed by the whole policy set, judged on the same chain.
        let next = try decide(step, to, depth: depth + 1, visited: visited.union([key]))
        switch next.outcome {
        case .allow, .warn:
            facts.allowedBy = next.permits
            attempt.boundary = facts
            attempt.accepted = true
            return (attempt, Rewrite(hops: [attempt], warnings: next.outcome == .warn ? next.policies : []))
        case .mutate:
            facts.allowedBy = []
            attempt.boundary = facts
            attempt.accepted = true
            attempt.next = next.attempts
            var hops = [attempt]
            hops[0].next = []
            hops.append(contentsOf: next.rewrite!.hops)
            return (attempt, Rewrite(hops: hops, warnings: next.rewrite!.warnings))
        case .approve:
            facts.problems.append("the rewritten step would itself be held for approval by \(quoted(next.groups))")
        case .deny, .blocked:
            facts.problems.append(
                next.policies.isEmpty
                    ? "the rewritten step is not allowed: \(next.reason)"
                    : "the rewritten step is denied by \(quoted(next.policies))")
        }
        attempt.boundary = facts
        attempt.next = next.attempts
        return (attempt, nil)
    }
}

import JSONValue

/// What every step of one plan (or one live session) shares: `context.plan`, and the context
/// under every step's own.
public struct PlanFacts: Sendable, Equatable {
    /// The plan id (a live session's id).
    public var id: String
    /// Who answers for the plan.
    public var owner: String?
    /// What the plan is for.
    public var intent: String?
    /// The plan's principal: a step that runs as another principal is a delegation, which the
    /// policies must allow.
    public var principal: EntityRef?
    /// Context shared by every step, as the agent wrote it; a step's own context is merged over
    /// it, and policies read it as `context.claims`.
    public var context: JSONObject
    /// Facts stepguard established for every step (a verified `identity`), read at the top level.
    public var facts: JSONObject
    /// The risk class; its tier follows.
    public var risk: RiskClass

    /// Facts given one by one (a live session has no plan file).
    public init(
        id: String, owner: String? = nil, intent: String? = nil, principal: EntityRef? = nil, context: JSONObject = JSONObject(),
        facts: JSONObject = JSONObject(), risk: RiskClass
    ) {
        self.id = id
        self.owner = owner
        self.intent = intent
        self.principal = principal
        self.context = context
        self.facts = facts
        self.risk = risk
    }

    /// The facts of `plan`, assessed as `risk`.
    public init(_ plan: Plan, risk: RiskAssessment) {
        self.init(id: plan.id, owner: plan.owner, intent: plan.intent, principal: plan.principal, context: plan.context, facts: plan.facts,
            risk: risk.riskClass)
    }

    /// `context.plan`: `{"id", "owner", "intent", "risk", "tier"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)),
            ("owner", .string(owner ?? "")),
            ("intent", .string(intent ?? "")),
            ("risk", .string(risk.rawValue)),
            ("tier", .string(risk.tier.rawValue)),
        ]))
    }

    /// `context.session`: `{"id", "risk", "tier"}`. For a live session `risk` is the highest
    /// class any of its calls reached (it never goes down); a plan is its own session.
    public var sessionJSON: JSONValue {
        .object(JSONObject([("id", .string(id)), ("risk", .string(risk.rawValue)), ("tier", .string(risk.tier.rawValue))]))
    }
}

/// One Cedar request for one form of a step, its context spelled out as JSON.
public struct StepRequest: Sendable, Equatable {
    /// The step's principal.
    public var principal: EntityRef
    /// `Action::"<action>"`.
    public var action: EntityRef
    /// The resource.
    public var resource: EntityRef
    /// The context, by member.
    public var context: [String: JSONValue]
}

/// Builds the request of a step (DESIGN §3): its principal, action and resource, and a context
/// of `claims` (the plan context with the step context merged over it: what the agent wrote,
/// never beside stepguard's own facts), the facts stepguard established (`identity`, the gate's
/// `resource` and `host`), `args`, `step` and `step_id`, `plan`, `tool`
/// (the catalog entry of the action), `now` (the clock), `history` (chain facts of every step
/// that may run before it) and `done` (chain facts of the steps that must have completed first).
///
/// The facts shared by every step are converted to the engine's form once, here.
public struct StepRequestBuilder: Sendable {
    /// The plan facts.
    public let plan: PlanFacts
    /// The time policies see as `context.now`.
    public let clock: Clock
    let catalog: ActionCatalog
    let engine: any DecisionEngine
    let planValue: PreparedValue
    let sessionValue: PreparedValue
    let nowValue: PreparedValue
    let toolValues: [String: PreparedValue]

    /// A builder for the steps of `plan`, under `bundle`'s catalog and policy engine.
    public init(plan: PlanFacts, clock: Clock, bundle: PolicyBundle) throws(WorkflowError) {
        self.plan = plan
        self.clock = clock
        catalog = bundle.catalog
        engine = bundle.engine
        planValue = try engine.prepare(plan.json)
        sessionValue = try engine.prepare(plan.sessionJSON)
        nowValue = try engine.prepare(Self.nowJSON(clock))
        var tools: [String: PreparedValue] = [:]
        for name in catalog.actions.keys { tools[name] = try engine.prepare(Self.toolJSON(catalog.actions[name]!)) }
        toolValues = tools
    }

    /// The request for `form` of `step`, after the steps that `history` describes may have run
    /// and those that `done` describes have completed.
    public func request(_ step: PlanStep, form: StepForm, history: ChainFacts, done: ChainFacts = ChainFacts()) -> StepRequest {
        var context = Self.stepMembers(step, plan: plan)
        context["args"] = .object(form.args)
        context["history"] = history.json
        context["done"] = done.json
        context["plan"] = plan.json
        context["session"] = plan.sessionJSON
        if let action = catalog.action(named: form.action) { context["tool"] = Self.toolJSON(action) }
        context["now"] = Self.nowJSON(clock)
        return StepRequest(principal: step.principal, action: EntityRef.action(form.action), resource: form.resource, context: context)
    }

    /// The members of a step's context that no rewrite changes, in the engine's form.
    struct PreparedStep {
        var step: PlanStep
        var members: [String: PreparedValue]
    }

    /// `history` in the engine's form: a plan's steps share it until one more step runs.
    func prepare(_ history: ChainFacts) throws(WorkflowError) -> PreparedValue {
        try engine.prepare(history.json)
    }

    func prepare(_ step: PlanStep, history: PreparedValue, done: PreparedValue) throws(WorkflowError) -> PreparedStep {
        var members: [String: PreparedValue] = [:]
        for (key, value) in Self.stepMembers(step, plan: plan) { members[key] = try engine.prepare(value) }
        members["history"] = history
        members["done"] = done
        members["plan"] = planValue
        members["session"] = sessionValue
        members["now"] = nowValue
        return PreparedStep(step: step, members: members)
    }

    /// The engine's request for `form` of a prepared step; the same members as `request`.
    func engineRequest(_ prepared: PreparedStep, form: StepForm) throws(WorkflowError) -> EngineRequest {
        var context = prepared.members
        do {
            context["args"] = try engine.prepare(.object(form.args))
        } catch {
            throw .invalidRequest(error.location ?? prepared.step.location, message: "context.args: \(error.message)")
        }
        if let tool = toolValues[form.action] { context["tool"] = tool }
        return EngineRequest(principal: prepared.step.principal, action: EntityRef.action(form.action), resource: form.resource, context: context)
    }

    /// `claims` (the plan context with the step's own merged over it), the facts stepguard
    /// established, then `step` (index) and `step_id`.
    static func stepMembers(_ step: PlanStep, plan: PlanFacts) -> [String: JSONValue] {
        var claims = plan.context
        for (key, value) in step.context { claims[key] = value }
        var members: [String: JSONValue] = ["claims": .object(claims)]
        for (key, value) in plan.facts { members[key] = value }
        for (key, value) in step.facts { members[key] = value }
        members["step"] = .int(step.index)
        members["step_id"] = .string(step.id)
        return members
    }

    /// `context.tool`: `{"name", "effect", "flags"}`.
    static func toolJSON(_ action: CatalogAction) -> JSONValue {
        .object(JSONObject([
            ("name", .string(action.tool)),
            ("effect", .string(action.effect.rawValue)),
            ("flags", .array(action.flags.map { .string($0.rawValue) })),
        ]))
    }

    /// `context.now`: the clock as a Cedar `datetime`.
    static func nowJSON(_ clock: Clock) -> JSONValue {
        .object(JSONObject([
            ("__extn", .object(JSONObject([("fn", .string("datetime")), ("arg", .string(clock.description))]))),
        ]))
    }
}

import Basics
import JSONValue
import Workflow

/// What the gate knows of resources: `entities.json` for the entities it lists, the attribute
/// rules of `tools.json` for files, URLs and commands it does not. Chain facts, risk and the
/// rewrite boundary read resources through it, so they see that `.env` is a secret.
struct GateResources: ResourceFacts {
    let catalog: GateCatalog
    let entities: EntityFacts
    let root: String
    /// Chain facts ask three questions of every earlier call's resource, and a session touches
    /// the same resources again and again: each is worked out once per run.
    private let memo = Memo()

    private final class Memo: @unchecked Sendable {
        // One gate run decides one call on one thread.
        var attributes: [EntityRef: ResourceAttributes] = [:]
    }

    init(catalog: GateCatalog, entities: EntityFacts, root: String) {
        self.catalog = catalog
        self.entities = entities
        self.root = PathText.absolute(root, cwd: "/")
    }

    func attributes(_ resource: EntityRef) -> ResourceAttributes {
        if let known = memo.attributes[resource] { return known }
        let computed = catalog.facts(of: resource, entities: entities, root: root)
        memo.attributes[resource] = computed
        return computed
    }

    func labels(of resource: EntityRef) -> [String] { attributes(resource).labels }
    func sensitivity(of resource: EntityRef) -> Int64 { attributes(resource).sensitivity }
    func environment(of resource: EntityRef) -> String? { attributes(resource).environment }
    func isExternal(_ resource: EntityRef) -> Bool { attributes(resource).external }
    func counterpart(of resource: EntityRef, attribute: String) -> EntityRef? { entities.counterpart(of: resource, attribute: attribute) }
    func attributeNaming(_ target: EntityRef, in resource: EntityRef) -> String? { entities.attributeNaming(target, in: resource) }
}

/// The one place the gate asks the decision core for a decision, so that a tool call is decided
/// exactly as `eval` decides a plan step: the same request, outcomes, precedence, boundary check
/// and failing closed, with the session's earlier calls as the chain.
enum StepJudge {
    /// A call about to be decided, as the decision core sees it.
    struct Prepared {
        var step: PlanStep
        var history: ChainFacts
        var risk: RiskAssessment
        var resources: GateResources
    }

    /// The step of `call` (its index the number of calls that ran before it) and the chain facts
    /// of `history`. Its digest, which an approval is bound to, is the SHA-256 of the canonical
    /// JSON of `{"action", "args", "input", "principal", "resource", "session", "tool"}`: the
    /// session, the tool and its whole input as decided, and what they map to, but not the
    /// host's call id, so the same call made again has the same digest.
    static func prepare(
        call: ToolCall, mapped: MappedCall, context: JSONObject, history: SessionHistory, bundle: PolicyBundle, resources: GateResources
    ) -> Prepared {
        // A session repeats its calls: each distinct action and resource is described once, and
        // counted as often as it ran.
        var chain = ChainFacts()
        for ran in history.ran {
            guard let resource = EntityRef(cedarText: ran.resource) else { continue }
            chain.record(StepForm(action: ran.action, resource: resource, args: JSONObject()), times: ran.times, catalog: bundle.catalog, resources: resources)
        }
        let raw = JSONObject([
            ("session", .string(call.session)), ("action", .string(mapped.action)), ("resource", .string(mapped.resource.description)),
            ("principal", .string(mapped.principal.description)), ("args", .object(mapped.args)),
            ("tool", .string(call.tool)), ("input", .object(call.input)),
        ])
        let step = PlanStep(
            id: call.toolUseID, index: Int(chain.count), action: mapped.action, resource: mapped.resource, principal: mapped.principal,
            args: mapped.args, facts: context, raw: raw,
            location: FileLocation(file: "<\(call.tool) call \(call.toolUseID)>", line: 1, column: 1))
        let risk = RiskAssessment.assess(steps: [step], catalog: bundle.catalog, resources: resources)
        return Prepared(step: step, history: chain, risk: risk, resources: resources)
    }

    /// Decides a prepared call under `bundle` (whose catalog may have lost variants the tool
    /// input could not carry out).
    /// `risk` is the session's class in force (context.plan and context.session), which decides
    /// the tier whose demands apply.
    /// `approvals` may release it when it is held.
    static func judge(
        _ prepared: Prepared, session: String, risk: RiskClass, bundle: PolicyBundle, clock: Clock, approvals: (any ApprovalJudge)? = nil
    ) throws(GateError) -> StepEvaluation {
        do {
            let decider = try StepDecider(
                bundle: bundle, plan: PlanFacts(id: session, risk: risk), clock: clock, resources: prepared.resources, approvals: approvals)
            return try decider.decide(prepared.step, history: prepared.history)
        } catch {
            throw .policies(error)
        }
    }
}

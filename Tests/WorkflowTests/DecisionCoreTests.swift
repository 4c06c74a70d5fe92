import Testing
import JSONValue
@testable import Workflow

/// Resources that no entities file lists, described by rules (as a live gate describes files,
/// URLs and shell commands).
struct SynthesizedResources: ResourceFacts {
    func labels(of resource: EntityRef) -> [String] { resource.type == "File" && resource.id.hasPrefix("/secrets/") ? ["secret"] : [] }
    func sensitivity(of resource: EntityRef) -> Int64 { resource.type == "File" && resource.id.hasPrefix("/secrets/") ? 4 : 0 }
    func environment(of resource: EntityRef) -> String? { nil }
    func isExternal(_ resource: EntityRef) -> Bool { resource.type == "URL" && !resource.id.hasPrefix("https://corp.example/") }
}

func synthesizedStep(
    _ id: String, index: Int, action: String, resource: EntityRef, principal: EntityRef = EntityRef(type: "Agent", id: "bot"),
    args: JSONObject = JSONObject()
) -> PlanStep {
    let raw = JSONObject([("id", .string(id)), ("action", .string(action)), ("resource", .string(resource.description)), ("args", .object(args))])
    return PlanStep(
        id: id, index: index, action: action, resource: resource, principal: principal, args: args, raw: raw,
        location: FileLocation(file: "<call>", line: 1, column: 1))
}

@Suite struct ChainFactsTests {
    static let catalog = try! ActionCatalog.parse(Array(#"""
        {"actions": {"fs.read": {"effect": "read", "tool": "fs"}, "http.post": {"effect": "write", "tool": "http"},
                     "net.fetch": {"effect": "read", "tool": "net"}}}
        """#.utf8), file: "tools.json")

    @Test func synthesizedResourcesSupplyTheFacts() {
        var facts = ChainFacts()
        facts.record(StepForm(action: "fs.read", resource: EntityRef(type: "File", id: "/secrets/key"), args: JSONObject()),
                     catalog: Self.catalog, resources: SynthesizedResources())
        #expect(facts.labels == ["secret"])
        #expect(facts.maxSensitivity == 4)
        #expect(!facts.external)
        // The action is a read without the external flag: the resource alone says data left.
        facts.record(StepForm(action: "net.fetch", resource: EntityRef(type: "URL", id: "https://elsewhere.example/x"), args: JSONObject()),
                     catalog: Self.catalog, resources: SynthesizedResources())
        #expect(facts.external)
        #expect(facts.count == 2 && facts.writes == 0)
        #expect(facts.tools == ["fs", "net"])
    }

    @Test func auditRecordsGiveTheSameFactsAsTheSteps() {
        let records: [JSONValue] = [
            .object(JSONObject([("kind", "decision"), ("plan", "p"), ("step", "a"), ("action", "fs.read"),
                                ("resource", #"File::"/secrets/key""#), ("outcome", "allow")])),
            // Denied and blocked steps did not run.
            .object(JSONObject([("kind", "decision"), ("plan", "p"), ("step", "b"), ("action", "http.post"),
                                ("resource", #"URL::"https://x.example/""#), ("outcome", "deny")])),
            // A rewritten step runs in its mutation record's form, not the decision's.
            .object(JSONObject([("kind", "decision"), ("plan", "p"), ("step", "c"), ("action", "http.post"),
                                ("resource", #"URL::"https://x.example/""#), ("outcome", "mutate")])),
            .object(JSONObject([("kind", "mutation"), ("plan", "p"), ("step", "c"), ("action", "net.fetch"),
                                ("resource", #"URL::"https://corp.example/y""#), ("outcome", "dry-run")])),
            // Another plan's records do not count.
            .object(JSONObject([("kind", "decision"), ("plan", "q"), ("step", "a"), ("action", "http.post"),
                                ("resource", #"URL::"https://x.example/""#), ("outcome", "allow")])),
            .object(JSONObject([("kind", "mint"), ("plan", "p"), ("step", "a"), ("action", "fs.read"),
                                ("resource", #"File::"/secrets/key""#), ("outcome", "allow")])),
        ]
        let fromRecords = ChainFacts(records: records, plan: "p", catalog: Self.catalog, resources: SynthesizedResources())
        let fromSteps = ChainFacts(running: [
            StepForm(action: "fs.read", resource: EntityRef(type: "File", id: "/secrets/key"), args: JSONObject()),
            StepForm(action: "net.fetch", resource: EntityRef(type: "URL", id: "https://corp.example/y"), args: JSONObject()),
        ], catalog: Self.catalog, resources: SynthesizedResources())
        #expect(fromRecords == fromSteps)
        #expect(CanonicalJSON.string(fromRecords.json) == #"{"actions":["fs.read","net.fetch"],"count":2,"external":false,"labels":["secret"],"max_sensitivity":4,"tools":["fs","net"],"writes":0}"#)
    }
}

@Suite struct StepRequestTests {
    @Test func contextCarriesEveryFact() throws {
        let bundle = SemanticsTests.bundle
        let plan = PlanFacts(
            id: "p", owner: "ops", context: JSONObject([("ticket", "T-1"), ("step", "shadowed"), ("plan_only", "yes")]),
            facts: JSONObject([("identity", .object(JSONObject([("subject", "bot")])))]), risk: .high)
        let builder = try StepRequestBuilder(plan: plan, clock: Clock(epochSeconds: 0), bundle: bundle)
        var step = synthesizedStep("s", index: 3, action: "probe", resource: EntityRef(type: "Thing", id: "x"), args: JSONObject([("n", .int(1))]))
        step.context = JSONObject([("ticket", "T-2")])
        let history = ChainFacts(running: [StepForm(action: "a.write", resource: EntityRef(type: "Thing", id: "plain"), args: JSONObject())],
                                 catalog: bundle.catalog, resources: bundle.entities)
        let request = builder.request(step, form: StepForm(action: "probe", resource: step.resource, args: step.args), history: history)
        #expect(request.principal == EntityRef(type: "Agent", id: "bot"))
        #expect(request.action == EntityRef.action("probe"))
        #expect(request.context.keys.sorted() == ["args", "claims", "done", "history", "identity", "now", "plan", "session", "step", "step_id", "tool"])
        // What the agent wrote stays under claims: the step's over the plan's, never beside the facts.
        #expect(CanonicalJSON.string(request.context["claims"]!) == #"{"plan_only":"yes","step":"shadowed","ticket":"T-2"}"#)
        #expect(CanonicalJSON.string(request.context["identity"]!) == #"{"subject":"bot"}"#)
        #expect(request.context["step"] == .int(3))
        #expect(request.context["step_id"] == "s")
        #expect(request.context["args"] == .object(JSONObject([("n", .int(1))])))
        #expect(request.context["history"] == history.json)
        #expect(CanonicalJSON.string(request.context["plan"]!) == #"{"id":"p","intent":"","owner":"ops","risk":"high","tier":"strict"}"#)
        #expect(CanonicalJSON.string(request.context["tool"]!) == #"{"effect":"read","flags":["external"],"name":"probe"}"#)
        #expect(CanonicalJSON.string(request.context["now"]!) == #"{"__extn":{"arg":"1970-01-01T00:00:00Z","fn":"datetime"}}"#)
    }
}

@Suite struct OutcomePrecedenceTests {
    static func policy(_ id: String, forbid: Bool = true, _ annotations: [(String, String)] = [], order: Int) -> PolicySummary {
        PolicySummary(id: id, isForbid: forbid, annotations: annotations.map { PolicySummary.Annotation(key: $0.0, value: $0.1) }, location: nil, order: order)
    }
    static let permit = policy("p", forbid: false, [("reason", "allowed")], order: 0)
    static let plain = policy("plain", [("reason", "no")], order: 1)
    static let mutateA = policy("ma", [("mutate", "a")], order: 2)
    static let mutateB = policy("mb", [("mutate", "b")], order: 3)
    static let approve = policy("ap", [("approve", "owners"), ("mutate", "a")], order: 4)
    static let logged = policy("log", [("mode", "log_only")], order: 5)

    static let form = StepForm(action: "x", resource: EntityRef(type: "R", id: "r"), args: JSONObject())

    func decide(permits: [PolicySummary] = [permit], forbids: [PolicySummary] = [], erroring: [PolicySummary] = [],
                accept: Set<String> = []) throws -> StepRuling {
        let errors = erroring.map { PolicyEvaluationError(policy: $0.id, message: "boom", isForbid: true) }
        let verdict = PolicyVerdict(permits: permits.map(\.id), forbids: forbids, erroringForbids: erroring, errors: errors)
        let reasons = Dictionary(uniqueKeysWithValues: permits.map { ($0.id, $0.reason) })
        return try OutcomePrecedence.decide(verdict, what: "x on R::\"r\"", reason: { reasons[$0] ?? nil }) { (policy, variant) throws(WorkflowError) in
            var attempt = RewriteAttempt(policy: policy, variant: variant, from: Self.form, to: Self.form, boundary: nil, accepted: false, next: [])
            guard accept.contains(variant) else {
                attempt.boundary = BoundaryFacts(principal: EntityRef(type: "A", id: "a"), samePrincipal: true, effectFrom: .write, effectTo: .write,
                                                 flagsFrom: [], flagsTo: [], resourceRelation: "unchanged", allowedBy: [], problems: ["no"])
                return (attempt, nil)
            }
            attempt.accepted = true
            return (attempt, Rewrite(hops: [attempt]))
        }
    }

    @Test func rule1NoPermitDenies() throws {
        let ruling = try decide(permits: [], forbids: [Self.mutateA])
        #expect(ruling.outcome == .deny && ruling.policies == ["ma"] && ruling.attempts.isEmpty)
        #expect(ruling.reason == "no policy permits x on R::\"r\"")
    }

    @Test func rule1UnremediedForbidDenies() throws {
        let ruling = try decide(forbids: [Self.plain, Self.mutateA], accept: ["a"])
        #expect(ruling.outcome == .deny && ruling.policies == ["plain"] && ruling.reason == "no")
    }

    @Test func rule2FirstAcceptedRewriteWins() throws {
        let ruling = try decide(forbids: [Self.mutateA, Self.mutateB], accept: ["b"])
        #expect(ruling.outcome == .mutate)
        #expect(ruling.rewrite?.variant == "b")
        #expect(ruling.attempts.map(\.variant) == ["a", "b"])
    }

    @Test func rule2AllRefusedDenies() throws {
        let ruling = try decide(forbids: [Self.mutateA])
        #expect(ruling.outcome == .deny)
        #expect(ruling.reason == "forbidden by \"ma\"; rewrite \"a\" refused: no")
    }

    @Test func rule3ApprovalAfterRefusedRewrite() throws {
        let ruling = try decide(forbids: [Self.approve])
        #expect(ruling.outcome == .approve && ruling.groups == ["owners"] && ruling.attempts.count == 1)
    }

    @Test func rule4LogOnlyWarns() throws {
        let ruling = try decide(forbids: [Self.logged])
        #expect(ruling.outcome == .warn && ruling.policies == ["log"] && ruling.reason == "forbidden by \"log\" (log only)")
        #expect(try decide(forbids: [Self.logged, Self.mutateA], accept: ["a"]).warnings == ["log"])
    }

    @Test func rule5Allow() throws {
        let ruling = try decide()
        #expect(ruling.outcome == .allow && ruling.policies == ["p"] && ruling.reason == "allowed")
    }

    @Test func erroringForbidHoldsWithoutItsRemedy() throws {
        let ruling = try decide(erroring: [Self.mutateA], accept: ["a"])
        #expect(ruling.outcome == .deny)
        #expect(ruling.policies == ["ma"])
        #expect(ruling.attempts.isEmpty)
        #expect(ruling.reason == "forbid \"ma\" raised an error, so it holds: boom")
        let mixed = try decide(forbids: [Self.plain], erroring: [Self.approve])
        #expect(mixed.outcome == .deny && mixed.policies == ["plain", "ap"])
        #expect(mixed.reason == "no; forbid \"ap\" raised an error, so it holds: boom")
    }
}

@Suite struct RewriteBoundaryTests {
    static let catalog = try! ActionCatalog.parse(Array(#"""
        {"actions": {"w": {"effect": "write", "flags": ["external"], "variants": {"up": {"action": "d"}, "flag": {"action": "p"}, "ok": {"action": "r", "args": {"dry": true}}}},
                     "d": {"effect": "delete", "flags": ["external"]}, "p": {"effect": "write", "flags": ["external", "privileged"]}, "r": {"effect": "read"}}}
        """#.utf8), file: "tools.json")

    @Test func effectAndFlags() {
        let w = Self.catalog.actions["w"]!
        #expect(RewriteBoundary.violations(from: w, to: Self.catalog.actions["d"]!) == [.higherEffect(from: .write, to: .delete)])
        #expect(RewriteBoundary.violations(from: w, to: Self.catalog.actions["p"]!) == [.addedFlags([.privileged])])
        #expect(RewriteBoundary.violations(from: w, to: Self.catalog.actions["r"]!).isEmpty)
        #expect(RewriteBoundary.Violation.addedFlags([.privileged]).description == "adds flag \"privileged\" the original action lacks")
    }

    @Test func applyGivesTheFormAndTheFacts() {
        let form = StepForm(action: "w", resource: EntityRef(type: "R", id: "r"), args: JSONObject())
        let principal = EntityRef(type: "A", id: "a")
        let ok = RewriteBoundary.apply(variant: "ok", to: form, principal: principal, catalog: Self.catalog, resources: EntityFacts())
        #expect(ok.to == StepForm(action: "r", resource: form.resource, args: JSONObject([("dry", .bool(true))])))
        #expect(ok.facts.holds && ok.facts.resourceRelation == "unchanged" && ok.facts.effectTo == .read)
        let missing = RewriteBoundary.apply(variant: "nope", to: form, principal: principal, catalog: Self.catalog, resources: EntityFacts())
        #expect(missing.to == nil && missing.facts.problems == ["action \"w\" has no variant \"nope\" in tools.json"])
        let up = RewriteBoundary.apply(variant: "up", to: form, principal: principal, catalog: Self.catalog, resources: EntityFacts())
        #expect(up.to?.action == "d" && up.facts.problems == ["effect \"delete\" is higher than \"write\""])
    }
}

@Suite struct StepDeciderTests {
    /// A live call: no plan file, history from audit records, a resource no entities file lists.
    @Test func decidesOneSynthesizedStepOnAChainFromTheLog() throws {
        let bundle = try PolicyBundle.load(path: examples + "/exfiltration-chain")
        let decider = try StepDecider(bundle: bundle, plan: PlanFacts(id: "session-1", risk: .high), clock: Clock(epochSeconds: 1_795_000_000))
        let agent = EntityRef(type: "Agent", id: "concierge")
        let post = synthesizedStep("call-2", index: 1, action: "http.post", resource: EntityRef(type: "Webhook", id: "partner-crm"), principal: agent)
        #expect(try decider.decide(post, history: ChainFacts()).outcome == .allow)
        let read = synthesizedStep("call-1", index: 0, action: "crm.read", resource: EntityRef(type: "Customer", id: "c-20931"), principal: agent)
        let first = try decider.decide(read, history: ChainFacts())
        #expect(first.outcome == .allow)
        let log = DecisionRecords.records(first, original: read.form,
                                          plan: "session-1", clock: decider.requests.clock, risk: .high)
        let history = ChainFacts(records: log, plan: "session-1", catalog: bundle.catalog, resources: decider.resources)
        let second = try decider.decide(post, history: history)
        #expect(second.outcome == .deny)
        #expect(second.policies == ["no-external-send-after-pii"])
    }

    /// Each shipped example decided as a whole plan and step by step, the chain of each step
    /// rebuilt from the audit records of the steps before it, gives the same evaluations and
    /// the same records.
    @Test(arguments: ScenarioTests.exampleNames)
    func planAndStepByStepAgree(_ name: String) throws {
        let bundle = try PolicyBundle.load(path: examples + "/" + name)
        let plan = try Plan.load(examples + "/" + name + "/plan.json")
        let whole = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)

        let risk = RiskAssessment.assess(plan: plan, catalog: bundle.catalog, entities: bundle.entities)
        let decider = try StepDecider(bundle: bundle, plan: PlanFacts(plan, risk: risk), clock: pinned.clock!)
        var log: [JSONValue] = []
        var byIndex: [Int: StepEvaluation] = [:]
        for index in plan.evaluationOrder {
            let step = plan.steps[index]
            let original = step.form
            let planned = whole.steps[index]
            if planned.outcome == .blocked {
                // Blocking is the plan loop's business; the decider is not asked.
                #expect(step.needs.contains { need in !(byIndex[plan.step(need)!.index]?.outcome.runs ?? true) })
                byIndex[index] = planned
                log += DecisionRecords.records(planned, original: original, plan: plan.id, clock: pinned.clock!, risk: risk.riskClass)
                continue
            }
            let history = ChainFacts(records: log, plan: plan.id, catalog: bundle.catalog, resources: bundle.entities)
            let single = try decider.decide(step, history: history)
            #expect(single == whole.steps[index], "step \(step.id)")
            byIndex[index] = single
            log += DecisionRecords.records(single, original: original, plan: plan.id, clock: pinned.clock!, risk: risk.riskClass)
        }
        let planDigests = PlanDigests(whole)
        let inPlanOrder = plan.steps.indices.flatMap { index -> [JSONValue] in
            let step = plan.steps[index]
            return DecisionRecords.records(byIndex[index]!, original: step.form,
                                           plan: plan.id, clock: pinned.clock!, risk: risk.riskClass,
                                           order: StepOrder(plan: plan, index: index),
                                           decided: DecidedDigests(byIndex[index]!, in: whole, plan: planDigests))
        }
        #expect(inPlanOrder.map(CanonicalJSON.string) == DecisionRecords.records(whole).map(CanonicalJSON.string))
    }
}

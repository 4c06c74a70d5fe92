import ProcessSupport
import Testing
import Cedar
import JSONValue
@testable import Workflow

/// Chain facts that hold in every order a plan allows: `context.history` is every step that may
/// run before a step, `context.done` the steps that must have completed.
@Suite struct ChainOrderTests {
    static let catalog = #"""
        {"actions": {"read": {"effect": "read"}, "post": {"effect": "write", "flags": ["external"]},
                     "write": {"effect": "write"}, "test": {"effect": "read"}, "deploy": {"effect": "write"}}}
        """#
    static let entities = #"""
        [{"uid": {"type": "R", "id": "pii"}, "attrs": {"labels": ["pii"], "sensitivity": 3}, "parents": []},
         {"uid": {"type": "R", "id": "secret"}, "attrs": {"labels": ["secret"], "sensitivity": 4}, "parents": []},
         {"uid": {"type": "R", "id": "plain"}, "attrs": {"labels": []}, "parents": []}]
        """#

    static func bundle(_ policies: String) throws -> PolicyBundle {
        try PolicyBundle.make(
            policies: [(text: policies, file: "p.cedar")], entities: (text: entities, file: "entities.json"),
            catalog: (text: catalog, file: "tools.json"))
    }

    static func plan(_ steps: [(id: String, action: String, resource: String, needs: [String])], sequential: Bool = false) throws -> Plan {
        let list = steps.map { step in
            JSONValue.object(JSONObject([
                ("id", .string(step.id)), ("action", .string(step.action)), ("resource", .string("R::\"\(step.resource)\"")),
                ("needs", .array(step.needs.map(JSONValue.string))),
            ]))
        }
        var members: [(String, JSONValue)] = [("plan", "p"), ("principal", "Agent::\"bot\""), ("steps", .array(list))]
        if sequential { members.append(("sequential", .bool(true))) }
        return try Plan.parse(CanonicalJSON.string(.object(JSONObject(members))), file: "plan.json")
    }

    static let chainRule = """
        permit (principal, action, resource);
        @id("no-send-after-pii")
        forbid (principal, action, resource) when { context.tool.flags.contains("external") && context.history.labels.contains("pii") };
        """

    /// A random DAG of `count` steps over three actions and three resources, each step needing
    /// each earlier one with probability 1/`needsOneIn`.
    static func randomSteps(_ random: inout SplitMix, count: Int, needsOneIn: UInt64) -> [(id: String, action: String, resource: String, needs: [String])] {
        let actions = ["read", "post", "write"], resources = ["pii", "secret", "plain"]
        var steps: [(id: String, action: String, resource: String, needs: [String])] = []
        for i in 0..<count {
            let needs = (0..<i).filter { _ in random.next() % needsOneIn == 0 }.map { "s\($0)" }
            steps.append(("s\(i)", actions[Int(random.next() % 3)], resources[Int(random.next() % 3)], needs))
        }
        return steps
    }

    @Test func theReorderedExfiltrationPlanIsDenied() throws {
        let bundle = try PolicyBundle.load(path: examples + "/exfiltration-chain")
        let plan = try Plan.load(examples + "/exfiltration-chain/plan-independent.json")
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        let send = result.steps[plan.step("post-to-partner")!.index]
        #expect(send.outcome == .deny)
        #expect(send.policies == ["no-external-send-after-pii"])
    }

    @Test func aSendIndependentOfAHeldReadIsDenied() throws {
        let bundle = try Self.bundle(Self.chainRule + """

            @id("hold-pii") @approve("privacy")
            forbid (principal, action == Action::"read", resource == R::"pii");
            """)
        let plan = try Self.plan([("read", "read", "pii", []), ("send", "post", "plain", [])])
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.steps[0].outcome == .approve)
        #expect(result.steps[1].outcome == .deny)
        #expect(result.steps[1].policies == ["no-send-after-pii"])
    }

    @Test func aSendBlockedOnlyByAHeldStepCountsForOthers() throws {
        let bundle = try Self.bundle(Self.chainRule + """

            @id("hold-plain") @approve("owners")
            forbid (principal, action == Action::"write", resource == R::"plain");
            """)
        // "late" reads personal data once "gate" is approved; "send" is independent of both.
        let plan = try Self.plan([("gate", "write", "plain", []), ("late", "read", "pii", ["gate"]), ("send", "post", "plain", [])])
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.steps.map(\.outcome) == [.approve, .blocked, .deny])
    }

    @Test func aSendThatTheReadNeedsIsAllowed() throws {
        let bundle = try Self.bundle(Self.chainRule)
        let plan = try Self.plan([("read", "read", "pii", ["send"]), ("send", "post", "plain", [])])
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.steps.map(\.outcome) == [.allow, .allow])
    }

    @Test(arguments: [(true, StepOutcome.allow), (false, StepOutcome.deny)])
    func aPermitRequiringPriorWorkHoldsOnlyForAnAncestor(_ needsTests: Bool, _ expected: StepOutcome) throws {
        let bundle = try Self.bundle("""
            permit (principal, action == Action::"test", resource);
            @id("deploy-after-tests")
            permit (principal, action == Action::"deploy", resource) when { context.done.actions.contains("test") };
            """)
        let plan = try Self.plan([("test", "test", "plain", []), ("deploy", "deploy", "plain", needsTests ? ["test"] : [])])
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.steps[1].outcome == expected)
    }

    @Test(arguments: [false, true])
    func aSequentialPlanSeesExactlyTheEarlierSteps(_ readFirst: Bool) throws {
        let bundle = try Self.bundle(Self.chainRule + """

            @id("count") forbid (principal, action == Action::"write", resource) when { context.history.count != context.step };
            @id("done-is-history") forbid (principal, action == Action::"write", resource) when { context.done != context.history };
            """)
        let read = (id: "read", action: "read", resource: "pii", needs: [String]())
        let send = (id: "send", action: "post", resource: "plain", needs: [String]())
        let write = (id: "write", action: "write", resource: "plain", needs: [String]())
        let plan = try Self.plan(readFirst ? [read, send, write] : [send, read, write], sequential: true)
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.steps[plan.step("send")!.index].outcome == (readFirst ? .deny : .allow))
        #expect(result.steps[2].outcome == (readFirst ? .blocked : .allow))
    }

    @Test func aSequentialPlanMayNotNeedALaterStep() {
        #expect(throws: WorkflowError.self) {
            try Self.plan([("a", "read", "plain", ["b"]), ("b", "read", "plain", [])], sequential: true)
        }
    }

    @Test func stepsWhoseOutcomeDoesNotSettleAreDenied() throws {
        // "plain" may run only when "pii" may run before it; "pii" may not run when anything
        // may run before it. Every answer contradicts itself: both are denied, named.
        let bundle = try Self.bundle("""
            permit (principal, action, resource);
            @id("plain-after-pii")
            forbid (principal, action == Action::"read", resource == R::"plain") unless { context.history.labels.contains("pii") };
            @id("pii-first")
            forbid (principal, action == Action::"read", resource == R::"pii") when { context.history.count >= 1 };
            """)
        let plan = try Self.plan([("plain", "read", "plain", []), ("pii", "read", "pii", [])])
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.steps.map(\.outcome) == [.deny, .deny])
        #expect(result.steps.allSatisfy { $0.reason.contains("does not settle") })
    }

    @Test func aConsistentAnswerIsKept() throws {
        // The read is denied when the send may run before it, and then the send is allowed:
        // that answer holds in every order.
        let bundle = try Self.bundle(Self.chainRule + """

            @id("no-read-after-send")
            forbid (principal, action == Action::"read", resource) when { context.history.external };
            """)
        let plan = try Self.plan([("read", "read", "pii", []), ("send", "post", "plain", [])])
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.steps.map(\.outcome) == [.deny, .allow])
    }

    /// Random small DAGs: whenever eval allows a step, every topological order of the plan
    /// keeps it allowed under the plan's chain rules, the steps before it in that order counted
    /// in the form they may run in.
    @Test(arguments: 1...40)
    func allowedStepsStayAllowedInEveryOrder(_ seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let bundle = try Self.bundle(Self.chainRule + """

            @id("hold-secret") @approve("owners")
            forbid (principal, action == Action::"read", resource == R::"secret");
            @id("few-writes")
            forbid (principal, action == Action::"write", resource) when { context.history.writes >= 2 };
            @id("no-write-after-secret")
            forbid (principal, action == Action::"write", resource) when { context.history.max_sensitivity >= 4 };
            @id("pii-then-plain")
            forbid (principal, action == Action::"post", resource == R::"pii") when { context.history.count >= 3 };
            """)
        let count = 2 + Int(random.next() % 4)
        let plan = try Self.plan(Self.randomSteps(&random, count: count, needsOneIn: 3))
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        let decider = try StepDecider(
            bundle: bundle, plan: PlanFacts(plan, risk: result.risk), clock: pinned.clock!)
        let prerequisites = plan.prerequisites
        // Denied steps, and those that need one, never run; every other step may.
        var never = Set<Int>()
        for index in plan.evaluationOrder where result.steps[index].outcome == .deny || prerequisites[index].contains(where: never.contains) {
            never.insert(index)
        }
        func form(_ index: Int) -> StepForm {
            StepDecider.runningForm(of: result.steps[index], step: plan.steps[index]) ?? plan.steps[index].form
        }
        func ancestors(_ index: Int) -> Set<Int> {
            var out = Set<Int>(), stack = prerequisites[index]
            while let next = stack.popLast() { if out.insert(next).inserted { stack += prerequisites[next] } }
            return out
        }
        for order in topologicalOrders(prerequisites) {
            for (position, index) in order.enumerated() where result.steps[index].outcome.runs {
                let earlier = order[..<position].filter { !never.contains($0) }
                let history = ChainFacts(running: earlier.map(form), catalog: bundle.catalog, resources: bundle.entities)
                let done = ChainFacts(running: ancestors(index).sorted().map(form), catalog: bundle.catalog, resources: bundle.entities)
                let again = try decider.decide(plan.steps[index], history: history, done: done)
                #expect(again.outcome.runs, "seed \(seed) step \(plan.steps[index].id) order \(order)")
            }
        }
    }

    /// A decision is kept across passes when the facts its policies read did not change, a
    /// number compared only with constants counting as unchanged while every comparison answers
    /// alike. Random DAGs under rules that compare counts every way round: the plan's results
    /// are the same as when every step is decided afresh on every pass. The larger plans (seeds
    /// above 40) change more steps in a pass than are looked through one by one.
    @Test(arguments: 1...48)
    func keptDecisionsAreThoseDecidedAfresh(_ seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let bundle = try Self.bundle(Self.chainRule + """

            @id("hold-secret") @approve("owners")
            forbid (principal, action == Action::"read", resource == R::"secret");
            @id("writes-bound")
            forbid (principal, action == Action::"write", resource) when { 2 <= context.history.writes };
            @id("count-exact")
            forbid (principal, action == Action::"post", resource == R::"plain") when { context.history.count == 2 || context.done.count != 1 };
            @id("count-whole")
            forbid (principal, action == Action::"read", resource == R::"plain") when { context.history.count + 1 > 4 };
            @id("sensitivity")
            forbid (principal, action == Action::"write", resource == R::"pii") when { (context.history.max_sensitivity) > 3 };
            """)
        let large = seed > 40
        let count = large ? 40 + Int(random.next() % 40) : 2 + Int(random.next() % 6)
        let steps = Self.randomSteps(&random, count: count, needsOneIn: large ? 20 : 3)
        let plan = try Self.plan(steps, sequential: seed % 5 == 0)
        let decider = try StepDecider(bundle: bundle, plan: PlanFacts(plan, risk: RiskAssessment.assess(plan: plan, catalog: bundle.catalog, entities: bundle.entities)), clock: pinned.clock!)
        var kept = ChainSolver(plan: plan, decider: decider)
        var afresh = ChainSolver(plan: plan, decider: decider, reuseDecisions: false)
        let (a, b) = (try kept.solve(), try afresh.solve())
        #expect(a.map(\.outcome) == b.map(\.outcome), "seed \(seed)")
        #expect(a.map(\.policies) == b.map(\.policies), "seed \(seed)")
        #expect(a.map(\.reason) == b.map(\.reason), "seed \(seed)")
    }

    /// A tally answers whether the facts it leaves agree with a decision's without building
    /// them: the same answer as building both records and comparing the members read, over
    /// random tallies, removals, members and comparison points.
    @Test(arguments: 1...60)
    func aTallyAgreesAsTheFactsItBuilds(_ seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let catalog = try ActionCatalog.parse(Array(Self.catalog.utf8), file: "tools.json")
        let (resources, _) = try EntityFacts.read(Array(Self.entities.utf8), file: "entities.json")
        let actions = ["read", "post", "write", "test"], names = ["pii", "secret", "plain"]
        func contribution() -> ChainContribution {
            ChainContribution(
                StepForm(action: actions[Int(random.next() % 4)], resource: EntityRef(type: "R", id: names[Int(random.next() % 3)]), args: JSONObject()),
                catalog: catalog, resources: resources)
        }
        let steps = (0..<Int(random.next() % 8)).map { _ in contribution() }
        let fields = ChainFields(rawValue: Int(random.next() % 128))
        var bounds = ChainBounds()
        for member in [ChainFields.writes, .count, .maxSensitivity] where random.next() % 2 == 0 {
            _ = bounds.add(member, points: [Int64(random.next() % 6)])
        }
        // A removal counted only for the members read answers as well.
        var tally = ChainTally(), removed = ChainTally(), partial = ChainTally(), other = ChainTally()
        for step in steps {
            tally.add(step)
            if random.next() % 2 == 0 {
                removed.add(step)
                partial.add(step, only: ChainFields(counting: fields, bounds: bounds))
            }
            if random.next() % 2 == 0 { other.add(step) }
        }
        if random.next() % 3 == 0 { other.add(contribution()) }
        let decided = other.facts()
        let built = tally.facts(removing: removed)
        let expected = built.agrees(with: decided, on: fields) && bounds.agree(built, decided)
        #expect(tally.agrees(removing: removed, with: decided, on: fields, bounds: bounds) == expected, "seed \(seed)")
        #expect(tally.agrees(removing: partial, with: decided, on: fields, bounds: bounds) == expected, "seed \(seed)")
        let whole = tally.facts()
        #expect(tally.agrees(removing: nil, with: decided, on: fields, bounds: bounds) == (whole.agrees(with: decided, on: fields) && bounds.agree(whole, decided)))
        // The facts built from the tally's shared name lists are those built afresh, and reach
        // the engine as their JSON would.
        #expect(tally.facts(removing: removed, names: tally.names()) == built)
        let engine = try Self.bundle("permit (principal, action, resource);").engine
        var values = ChainSolver.NameValues()
        for facts in [built, decided, built] {
            #expect(values.prepare(facts, engine: engine).value == (try engine.prepare(facts.json)).value)
        }
    }

    /// Which reads become bounds: a numeric member compared with an integer literal, either
    /// way round; anything else reads the member whole.
    @Test(arguments: [
        ("context.history.writes > 5", [6] as [Int64], false),
        ("5 < context.history.writes", [6], false),
        ("context.history.writes >= 5", [5], false),
        ("context.history.writes <= 5", [6], false),
        ("context.history.writes == 5", [5, 6], false),
        ("context.history.writes != 9223372036854775807", [9223372036854775807], false),
        ("context.history.writes > 9223372036854775807", [], false),
        ("context.history.writes + 1 > 5", [], true),
        ("context.history.writes > context.history.count", [], true),
    ])
    func numericComparisonsBecomeBounds(_ condition: String, _ points: [Int64], _ whole: Bool) throws {
        let bundle = try Self.bundle("forbid (principal, action, resource) when { \(condition) };")
        let reads = bundle.engine.chainReads(action: "write", resource: EntityRef(type: "R", id: "plain"))
        #expect(reads.historyBounds.writes == points)
        #expect(reads.history.contains(.writes) == whole)
    }

    /// A delegation's policies read the step's history too: a delegated step whose own action's
    /// policies read none is decided again when its history changes, and a delegation that its
    /// settled history forbids refuses the plan (it must not keep the allow of the first pass).
    @Test func aDelegationIsJudgedOnTheSettledHistory() throws {
        let bundle = try Self.bundle("""
            permit (principal, action, resource);
            @id("no-pii-read")
            forbid (principal, action == Action::"read", resource == R::"pii");
            @id("delegate-not-after-one")
            forbid (principal, action == Action::"stepguard.delegate", resource) when { context.history.count == 1 };
            """)
        let steps: [JSONValue] = [
            .object(JSONObject([("id", "b"), ("action", "read"), ("resource", "R::\"plain\""), ("principal", "Agent::\"helper\"")])),
            .object(JSONObject([("id", "a"), ("action", "read"), ("resource", "R::\"pii\"")])),
            .object(JSONObject([("id", "c"), ("action", "read"), ("resource", "R::\"plain\"")])),
        ]
        let plan = try Plan.parse(
            CanonicalJSON.string(.object(JSONObject([("plan", "p"), ("principal", "Agent::\"bot\""), ("steps", .array(steps))]))), file: "plan.json")
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.refusal != nil)
        #expect(result.steps[0].outcome == .deny)
        #expect(result.steps[0].policies == ["delegate-not-after-one"])
        let decider = try StepDecider(bundle: bundle, plan: PlanFacts(plan, risk: result.risk), clock: pinned.clock!)
        var kept = ChainSolver(plan: plan, decider: decider)
        var afresh = ChainSolver(plan: plan, decider: decider, reuseDecisions: false)
        let (a, b) = (try kept.solve(), try afresh.solve())
        #expect(a.map(\.outcome) == b.map(\.outcome))
        #expect(a.map(\.refusesPlan) == b.map(\.refusesPlan))
    }

    /// A delegated step waiting only for a held step may run once that is approved: a delegation
    /// its history forbids refuses the plan then too, so no other step of it is allowed.
    @Test func aBlockedDelegationRefusedOnItsHistoryRefusesThePlan() throws {
        let bundle = try Self.bundle("""
            permit (principal, action, resource);
            @id("hold-secret") @approve("owners")
            forbid (principal, action == Action::"read", resource == R::"secret");
            @id("delegate-not-after-one")
            forbid (principal, action == Action::"stepguard.delegate", resource) when { context.history.count == 1 };
            """)
        let steps: [JSONValue] = [
            .object(JSONObject([("id", "h"), ("action", "read"), ("resource", "R::\"secret\"")])),
            .object(JSONObject([
                ("id", "b"), ("action", "read"), ("resource", "R::\"plain\""), ("principal", "Agent::\"helper\""), ("needs", .array(["h"])),
            ])),
        ]
        let plan = try Plan.parse(
            CanonicalJSON.string(.object(JSONObject([("plan", "p"), ("principal", "Agent::\"bot\""), ("steps", .array(steps))]))), file: "plan.json")
        let result = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
        #expect(result.refusal != nil)
        #expect(result.steps.map(\.outcome) == [.deny, .deny])
        #expect(result.steps[1].policies == ["delegate-not-after-one"])
    }

    func topologicalOrders(_ prerequisites: [[Int]]) -> [[Int]] {
        var orders: [[Int]] = []
        func extend(_ prefix: [Int], _ placed: Set<Int>) {
            if prefix.count == prerequisites.count { orders.append(prefix); return }
            for index in prerequisites.indices where !placed.contains(index) && prerequisites[index].allSatisfy(placed.contains) {
                extend(prefix + [index], placed.union([index]))
            }
        }
        extend([], [])
        return orders
    }
}

import Testing
import JSONValue
@testable import Workflow

/// Outcome precedence, the boundary check, rewrite chains and chain facts, on a policy set made
/// to exercise each rule on its own resource.
@Suite struct SemanticsTests {
    static let bundle: PolicyBundle = try! PolicyBundle.load(path: fixture("semantics"))

    func evaluate(_ steps: String, options: EvaluationOptions = pinned) throws -> PlanEvaluation {
        let plan = try Plan.parse(#"{"plan": "t", "principal": "Agent::\"bot\"", "steps": ["# + steps + "]}", file: "t.json")
        return try PlanEvaluator.evaluate(plan, bundle: Self.bundle, options: options)
    }

    func single(_ action: String, _ resource: String, args: String = "{}") throws -> StepEvaluation {
        try evaluate(#"{"id": "s", "action": "\#(action)", "resource": "Thing::\"\#(resource)\"", "args": \#(args)}"#).steps[0]
    }

    @Test func rewriteCycleIsDetectedAndDenied() throws {
        let step = try single("a.write", "cycle")
        #expect(step.outcome == .deny)
        let first = try #require(step.attempts.first)
        #expect(first.to?.action == "b.write")
        #expect(first.next.first?.boundary?.problems == ["rewrite cycle: the step returns to a form it already had"])
    }

    @Test func rewritesChainWithinTheBound() throws {
        let step = try single("c.write", "chain", args: #"{"drop": "x", "keep": 1}"#)
        #expect(step.outcomeLabel == "mutate:step1>step2")
        #expect(step.rewrite?.hops.map(\.policy) == ["chain-1", "chain-2"])
        #expect(step.rewrite?.final.action == "c3.write")
        #expect(step.rewrite?.final.args == JSONObject([("keep", .int(1)), ("safe", .bool(true))]))
        let bounded = try evaluate(#"{"id": "s", "action": "c.write", "resource": "Thing::\"chain\""}"#,
                                   options: EvaluationOptions(clock: pinned.clock, maxRewriteDepth: 1)).steps[0]
        #expect(bounded.outcome == .deny)
        #expect(bounded.attempts.first?.next.first?.boundary?.problems == ["rewrite chain longer than 1"])
    }

    @Test func higherEffectIsRefused() throws {
        let step = try single("a.write", "wider")
        #expect(step.outcome == .deny)
        #expect(step.policies == ["wider"])
        #expect(step.attempts.first?.boundary?.problems == ["effect \"delete\" is higher than \"write\""])
    }

    @Test func resourceMustBeNamedByTheOriginal() throws {
        let far = try single("a.write", "far")
        #expect(far.outcome == .deny)
        #expect(far.attempts.first?.boundary?.problems.first?.hasPrefix("resource Thing::\"elsewhere\" is not named by Thing::\"far\"") == true)
        let near = try single("a.write", "near")
        #expect(near.outcomeLabel == "mutate:near")
        #expect(near.rewrite?.hops.first?.boundary?.resourceRelation == "counterpart:twin")
    }

    @Test func missingVariantFallsThroughToDeny() throws {
        let step = try single("a.write", "missing")
        #expect(step.outcome == .deny)
        #expect(step.attempts.first?.boundary?.problems == ["action \"a.write\" has no variant \"no-such-variant\" in tools.json"])
    }

    @Test func refusedRewriteFallsThroughToApproval() throws {
        let step = try single("a.write", "fallback")
        #expect(step.outcome == .approve)
        #expect(step.approval?.groups == ["owners"])
        #expect(step.attempts.count == 1 && step.attempts[0].accepted == false)
    }

    @Test func mixedRemediesDeny() throws {
        let step = try single("a.write", "mixed")
        #expect(step.outcome == .deny)
        #expect(step.policies == ["mix-mutate", "mix-approve"])
        #expect(step.reason.contains("ask for different remedies"))
    }

    @Test func approvalNeedsAPermit() throws {
        let step = try single("a.write", "unpermitted")
        #expect(step.outcome == .deny)
        #expect(step.policies == ["held"])
        #expect(step.approval == nil)
        #expect(step.reason == "no policy permits a.write on Thing::\"unpermitted\"")
    }

    @Test func noRewriteWithoutAPermit() throws {
        let step = try single("a.write", "unpermitted-mutate")
        #expect(step.outcome == .deny)
        #expect(step.policies == ["mutate-unpermitted"])
        #expect(step.attempts.isEmpty)
    }

    @Test func logOnlyDoesNotReplaceAPermit() throws {
        let step = try single("a.write", "unpermitted-log")
        #expect(step.outcome == .deny)
        #expect(step.policies == [])
        #expect(step.warnings == ["logged"])
        #expect(step.reason == "no policy permits a.write on Thing::\"unpermitted-log\"")
    }

    /// DESIGN §6: a forbid that raises an error on a step holds (Cedar would skip it, and the
    /// step it guards would run).
    @Test func erroringForbidHoldsAndIsNamed() throws {
        let step = try single("a.write", "erroring")
        #expect(step.outcome == .deny)
        #expect(step.policies == ["broken"])
        #expect(step.errors.map(\.policy) == ["broken"])
        #expect(step.reason.hasPrefix("forbid \"broken\" raised an error, so it holds: "))
        #expect(step.reason.contains("nonexistent"))
        let evaluation = try evaluate(#"{"id": "s", "action": "a.write", "resource": "Thing::\"erroring\""}"#)
        #expect(evaluation.findings.map(\.ruleID) == ["step-denied", "policy-error"])
        #expect(evaluation.findings[1].message.hasPrefix("forbid \"broken\" raised an error on step \"s\" and holds: "))
    }

    @Test func erroringForbidsRemedyDoesNotApply() throws {
        let step = try single("a.write", "erroring-mutate")
        #expect(step.outcome == .deny)
        #expect(step.policies == ["broken-mutate"])
        #expect(step.attempts.isEmpty)
        #expect(step.rewrite == nil)
    }

    @Test func erroringLogOnlyForbidWarns() throws {
        let step = try single("a.write", "erroring-log")
        #expect(step.outcome == .warn)
        #expect(step.policies == ["broken-logged"])
        #expect(step.reason.hasPrefix("forbid \"broken-logged\" raised an error, so it holds: "))
        #expect(step.reason.hasSuffix(" (log only)"))
    }

    @Test func erroringPermitIsSkipped() throws {
        let step = try single("a.write", "erroring-permit")
        #expect(step.outcome == .allow)
        #expect(step.policies == ["everything"])
        #expect(step.errors == [PolicyEvaluationError(policy: "broken-permit", message: step.errors.first?.message ?? "", isForbid: false)])
        #expect(step.errors.first?.summary(step: "s").hasPrefix("policy \"broken-permit\" was skipped for step \"s\": ") == true)
    }

    @Test func historyHoldsOnlyWhatRuns() throws {
        // A denied write does not count as history; an allowed one does.
        let afterDenied = try evaluate("""
            {"id": "w", "action": "a.write", "resource": "Thing::\\"wider\\""},
            {"id": "p", "action": "probe", "resource": "Thing::\\"x\\""}
            """)
        #expect(afterDenied.steps.map(\.outcome) == [.deny, .allow])
        let afterAllowed = try evaluate("""
            {"id": "w", "action": "a.write", "resource": "Thing::\\"plain\\""},
            {"id": "p", "action": "probe", "resource": "Thing::\\"x\\""}
            """)
        #expect(afterAllowed.steps.map(\.outcome) == [.allow, .deny])
        #expect(afterAllowed.steps[1].policies == ["history-probe"])
    }

    @Test func chainFactsInTheContext() throws {
        var history = ChainFacts()
        let catalog = Self.bundle.catalog
        history.record(StepForm(action: "a.write", resource: EntityRef(type: "Thing", id: "plain"), args: JSONObject()), catalog: catalog, resources: Self.bundle.entities)
        history.record(StepForm(action: "probe", resource: EntityRef(type: "Thing", id: "near"), args: JSONObject()), catalog: catalog, resources: Self.bundle.entities)
        #expect(CanonicalJSON.string(history.json) == #"{"actions":["a.write","probe"],"count":2,"external":true,"labels":["a","pii"],"max_sensitivity":3,"tools":["a.write","probe"],"writes":1}"#)
    }

    @Test func needsDecideTheOrderAndBlockTransitively() throws {
        let evaluation = try evaluate("""
            {"id": "late", "action": "probe", "resource": "Thing::\\"x\\"", "needs": ["early"]},
            {"id": "early", "action": "a.write", "resource": "Thing::\\"plain\\""},
            {"id": "denied", "action": "a.write", "resource": "Thing::\\"wider\\""},
            {"id": "child", "action": "probe", "resource": "Thing::\\"x\\"", "needs": ["denied"]},
            {"id": "grandchild", "action": "probe", "resource": "Thing::\\"x\\"", "needs": ["child"]},
            {"id": "independent", "action": "c3.write", "resource": "Thing::\\"x\\""}
            """)
        #expect(evaluation.plan.evaluationOrder == [1, 0, 2, 3, 4, 5])
        // "late" runs after "early" (a write), so the history probe fires.
        #expect(evaluation.steps.map(\.outcome) == [.deny, .allow, .deny, .blocked, .blocked, .allow])
        #expect(evaluation.step("grandchild")?.blockedBy == ["child"])
        #expect(evaluation.step("grandchild")?.reason == "needs \"child\" is blocked")
    }

    @Test func riskFollowsTheRules() throws {
        #expect(try evaluate(#"{"id": "r", "action": "c3.write", "resource": "Thing::\"x\""}"#).risk.riskClass == .low)
        #expect(try evaluate(#"{"id": "r", "action": "a.write", "resource": "Thing::\"x\""}"#).risk.riskClass == .medium)
        #expect(try evaluate(#"{"id": "r", "action": "a.write", "resource": "Thing::\"plain\""}"#).risk.riskClass == .high)
        #expect(try evaluate(#"{"id": "r", "action": "probe", "resource": "Thing::\"x\""}"#).risk.riskClass == .medium)
    }

    @Test func suiteRunnerReportsMismatchesAndFilters() throws {
        let suite = try PolicyTestSuite.load(fixture("semantics-suite.json"))
        let report = try PolicyTestRunner.run([suite], bundle: Self.bundle, options: pinned)
        #expect(report.total == 2)
        #expect(report.failed == 1)
        let failing = try #require(report.results.first { !$0.passed })
        #expect(failing.mismatches.map(\.message) == ["step \"s\": expected allow, got deny; expected policies [everything], got [wider]"])
        #expect(failing.mismatches[0].expected.location.line == 14)
        let filtered = try PolicyTestRunner.run([suite], bundle: Self.bundle, run: "near", options: pinned)
        #expect(filtered.results.map(\.name) == ["near is rewritten"])
        #expect(PolicyTestRunner.matches("sem*/near*", "semantics/near is rewritten"))
        #expect(!PolicyTestRunner.matches("x*", "semantics/near is rewritten"))
    }
}

@Suite struct SuiteLocationTests {
    @Test func inlinePlansAreLocatedInTheSuiteFile() throws {
        let suite = try PolicyTestSuite.load(fixture("semantics-suite.json"))
        let step = try #require(suite.cases[1].plan.steps.first)
        #expect(step.location.file == fixture("semantics-suite.json"))
        #expect(step.location.line == 12)
        #expect(step.location.path == "tests[1].plan.steps[0]")
    }
}

@Suite struct RewriteBudgetTests {
    /// Ten variants that are all forbidden again would try 10·9·8·7 chains; the budget stops it.
    @Test func rewriteSearchIsBounded() throws {
        let variants = (0..<10).map { "\"v\($0)\": {\"args\": {\"k\": \($0)}}" }.joined(separator: ", ")
        let catalog = #"{"actions": {"x": {"effect": "write", "variants": {"# + variants + "}}}}"
        var policies = "@id(\"all\") permit (principal, action, resource);\n"
        for i in 0..<10 { policies += "@id(\"f\(i)\") @mutate(\"v\(i)\") forbid (principal, action == Action::\"x\", resource);\n" }
        let bundle = try PolicyBundle.make(policies: [(text: policies, file: "p.cedar")], entities: nil, catalog: (text: catalog, file: "tools.json"))
        let plan = try Plan.parse(#"{"plan": "p", "principal": "A::\"a\"", "steps": [{"id": "s", "action": "x", "resource": "R::\"r\""}]}"#, file: "p.json")
        let step = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned).steps[0]
        #expect(step.outcome == .deny)
        func count(_ attempts: [RewriteAttempt]) -> Int { attempts.reduce(0) { $0 + 1 + count($1.next) } }
        // At most 64 re-evaluations, each listing its (cheaply refused) variants.
        #expect(count(step.attempts) <= 65 * 10)
        func problems(_ attempts: [RewriteAttempt]) -> [String] { attempts.flatMap { ($0.boundary?.problems ?? []) + problems($0.next) } }
        #expect(problems(step.attempts).contains { $0.hasPrefix("more than 64 rewrites tried for one step") })
    }
}

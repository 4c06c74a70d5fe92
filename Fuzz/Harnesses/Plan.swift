// Workflow plans and the action catalog. Every input is read both as a plan (then checked
// against the release-pipeline example's catalog and evaluated against its policies) and as an
// action catalog (then used to evaluate the example plan). Invariants: evaluation is
// deterministic; the rewritten plan `mutate` writes is itself a plan that loads.
import Cedar
import JSONValue
import Workflow

let planFixtures: (bundle: PolicyBundle, policies: [(text: String, file: String)], entities: String, plan: Plan) = {
    let dir = "policies/examples/release-pipeline"
    do {
        let bundle = try PolicyBundle.load(path: repositoryRoot() + "/" + dir)
        var policies: [(text: String, file: String)] = []
        for name in ["00-permits.cedar", "10-deploy.cedar", "20-secrets.cedar", "30-edge.cedar"] {
            policies.append((String(decoding: readFixture("\(dir)/\(name)"), as: UTF8.self), name))
        }
        let entities = String(decoding: readFixture("\(dir)/entities.json"), as: UTF8.self)
        let plan = try Plan.parse(readFixture("\(dir)/plan.json"), file: "plan.json")
        return (bundle, policies, entities, plan)
    } catch {
        fatalError("fixtures do not load: \(error)")
    }
}()

let fixedClock = EvaluationOptions(clock: Clock(epochSeconds: 1_750_000_000))

func evaluateAndRewrite(_ plan: Plan, _ bundle: PolicyBundle) {
    let first: PlanEvaluation
    do {
        first = try PlanEvaluator.evaluate(plan, bundle: bundle, options: fixedClock)
    } catch {
        _ = error.description
        return
    }
    let second = try? PlanEvaluator.evaluate(plan, bundle: bundle, options: fixedClock)
    require(second?.steps == first.steps, "evaluating the same plan twice gave different results")
    let result = PlanRewriter.rewrite(first, diffName: "plan.json")
    let again = PlanRewriter.rewrite(first, diffName: "plan.json")
    require(result.rewrittenText == again.rewrittenText && result.diff == again.diff, "rewriting is not deterministic")
    do {
        _ = try Plan.parse(result.rewrittenText, file: "rewritten.json")
    } catch {
        require(false, "the rewritten plan does not load: \(error)\n\(result.rewrittenText)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlan(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let fixtures = planFixtures
    if let plan = try? Plan.parse(bytes, file: "plan.json") {
        if (try? plan.checkActions(fixtures.bundle.catalog)) != nil {
            evaluateAndRewrite(plan, fixtures.bundle)
        }
    }
    if (try? ActionCatalog.parse(bytes, file: "tools.json")) != nil {
        let catalog = (text: String(decoding: bytes, as: UTF8.self), file: "tools.json")
        if let bundle = try? PolicyBundle.make(
            policies: fixtures.policies, entities: (fixtures.entities, "entities.json"), catalog: catalog),
           (try? fixtures.plan.checkActions(bundle.catalog)) != nil {
            evaluateAndRewrite(fixtures.plan, bundle)
        }
    }
    return 0
}

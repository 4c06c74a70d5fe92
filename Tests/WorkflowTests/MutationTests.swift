import Testing
import JSONValue
@testable import Workflow

@Suite struct MutationTests {
    @Test func rewritingIsDeterministic() throws {
        let first = PlanRewriter.rewrite(try evaluateExample("release-pipeline"))
        let second = PlanRewriter.rewrite(try evaluateExample("release-pipeline"))
        #expect(first.rewrittenText == second.rewrittenText)
        #expect(first.diff == second.diff)
        #expect(first.removed == ["purge-cdn"])
        #expect(first.changed)
    }

    /// The rewritten plan is itself a valid plan; evaluating it again changes nothing more.
    @Test func rewrittenPlanIsStable() throws {
        let bundle = try PolicyBundle.load(path: examples + "/release-pipeline")
        let first = PlanRewriter.rewrite(try evaluateExample("release-pipeline"))
        let again = try Plan.parse(first.rewrittenText, file: "rewritten.json")
        let evaluation = try PlanEvaluator.evaluate(again, bundle: bundle, options: pinned)
        #expect(outcomes(evaluation) == [
            "build": "allow", "test": "allow", "deploy-prod": "allow", "rotate-signing-key": "approve",
            "sign-artifacts": "blocked", "release-notes": "warn", "announce": "allow",
        ])
        let second = PlanRewriter.rewrite(evaluation)
        #expect(second.rewrittenText == first.rewrittenText)
        #expect(second.diff == "")
    }

    @Test func checkpointIsBoundToTheHeldStep() throws {
        let result = PlanRewriter.rewrite(try evaluateExample("release-pipeline"))
        let steps = try #require(result.rewrittenPlan["steps"]?.arrayValue)
        let checkpoint = try #require(steps.first { $0["id"] == .string("rotate-signing-key") })
        #expect(checkpoint["action"] == .string(ApprovalCheckpoint.action))
        let held = try #require(checkpoint["approval"]?["step"])
        #expect(checkpoint["approval"]?["sha256"] == .string(stepDigest(held)))
        #expect(held == result.evaluation.plan.step("rotate-signing-key").map { .object($0.raw) })
        // Any change to the held step breaks the binding, and loading says so.
        let tampered = result.rewrittenText.replacingOccurrences(
            of: "\"action\": \"secret.rotate\"", with: "\"action\": \"secret.rotate\", \"args\": {\"length\": 8}")
        #expect(throws: WorkflowError.self) { try Plan.parse(tampered, file: "tampered.json") }
    }

    @Test func digestIsSHA256OfCanonicalJSON() throws {
        let step = try JSONParser.parse(#"{"id": "a", "action": "x", "resource": "T::\"r\""}"#)
        // sha256 of {"action":"x","id":"a","resource":"T::\"r\""} (keys sorted, no spaces)
        #expect(CanonicalJSON.string(step) == #"{"action":"x","id":"a","resource":"T::\"r\""}"#)
        #expect(stepDigest(step).count == 64)
        #expect(stepDigest(step) == stepDigest(try JSONParser.parse(#"{"resource": "T::\"r\"", "id": "a", "action": "x"}"#)))
    }

    @Test func deniedStepsAndTheirDependentsAreRemoved() throws {
        let result = PlanRewriter.rewrite(try evaluateExample("widening-rewrite-refused"))
        #expect(result.removed == ["adjust-billing", "close-escalated"])
        let ids = result.rewrittenPlan["steps"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(ids == ["read-ticket", "close-duplicate"])
    }
}

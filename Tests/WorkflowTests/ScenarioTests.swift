import Approvals
import Testing
import JSONValue
@testable import Workflow

let examples = repositoryRoot + "/policies/examples"
let pinned = EvaluationOptions(clock: Clock(iso8601: "2026-11-20T09:00:00Z"))

func evaluateExample(_ name: String, options: EvaluationOptions = pinned) throws -> PlanEvaluation {
    let bundle = try PolicyBundle.load(path: examples + "/" + name)
    let plan = try Plan.load(examples + "/" + name + "/plan.json")
    return try PlanEvaluator.evaluate(plan, bundle: bundle, options: options)
}

func outcomes(_ evaluation: PlanEvaluation) -> [String: String] {
    Dictionary(uniqueKeysWithValues: evaluation.steps.map { ($0.id, $0.outcomeLabel) })
}

@Suite struct ScenarioTests {
    static let exampleNames = [
        "release-pipeline", "prod-write-verify", "destructive-dry-run", "privileged-deploy-staging",
        "freeze-window-rotation", "redacted-export", "untrusted-input-approval", "widening-rewrite-refused",
        "exfiltration-chain",
    ]

    @Test(arguments: exampleNames)
    func exampleSuitesPass(_ name: String) throws {
        let bundle = try PolicyBundle.load(path: examples + "/" + name)
        #expect(!bundle.directory.testFiles.isEmpty)
        let report = try PolicyTestRunner.run(bundle, approvals: { try ApprovalSet(path: $0) })
        #expect(report.total >= 2)
        for result in report.results {
            #expect(result.passed, "\(result.fullName): \(result.mismatches.map(\.message))")
        }
    }

    @Test func productionWriteBecomesReadOnlyVerification() throws {
        let evaluation = try evaluateExample("prod-write-verify")
        #expect(outcomes(evaluation) == ["snapshot": "allow", "backfill": "mutate:verify", "reconcile": "allow", "report": "allow"])
        let backfill = try #require(evaluation.step("backfill"))
        let rewrite = try #require(backfill.rewrite)
        #expect(rewrite.final.action == "db.verify")
        #expect(rewrite.final.resource == EntityRef(type: "Database", id: "orders-prod"))
        #expect(rewrite.final.args["rollback"] == .bool(true))
        let boundary = try #require(rewrite.hops[0].boundary)
        #expect(boundary.holds)
        #expect(boundary.effectFrom == .write && boundary.effectTo == .read)
        #expect(boundary.flagsFrom == [.irreversible] && boundary.flagsTo == [])
        #expect(boundary.resourceRelation == "unchanged")
        #expect(boundary.allowedBy == ["etl-agents-can-run-data-jobs"])
        #expect(backfill.policies == ["no-direct-prod-writes"])
        #expect(evaluation.risk.riskClass == .high)
    }

    @Test func destructiveCallBecomesDryRun() throws {
        let evaluation = try evaluateExample("destructive-dry-run")
        #expect(outcomes(evaluation) == ["list-stale": "allow", "delete-stale": "mutate:dry-run", "report": "allow"])
        let rewrite = try #require(evaluation.step("delete-stale")?.rewrite)
        #expect(rewrite.final.action == "storage.delete")
        #expect(rewrite.final.args["dry_run"] == .bool(true))
        #expect(rewrite.final.args["buckets"] != nil)
    }

    @Test func privilegedDeployBecomesStagingValidation() throws {
        let evaluation = try evaluateExample("privileged-deploy-staging")
        #expect(outcomes(evaluation) == ["build": "allow", "test": "allow", "deploy": "mutate:staging-validation", "changelog": "allow"])
        let rewrite = try #require(evaluation.step("deploy")?.rewrite)
        #expect(rewrite.final.action == "deploy.validate")
        #expect(rewrite.final.resource == EntityRef(type: "Service", id: "payments-staging"))
        #expect(rewrite.hops[0].boundary?.resourceRelation == "counterpart:staging")
        #expect(rewrite.hops[0].boundary?.flagsFrom == [.privileged])
        #expect(rewrite.hops[0].boundary?.flagsTo == [])
    }

    @Test func freezeWindowRotationIsHeldWhileChecksContinue() throws {
        let inFreeze = try evaluateExample("freeze-window-rotation", options: EvaluationOptions(clock: Clock(iso8601: "2026-12-24T10:00:00Z")))
        #expect(outcomes(inFreeze) == ["rotate": "approve", "verify-rotation": "blocked", "check-payments-api": "allow", "check-checkout": "allow"])
        let rotate = try #require(inFreeze.step("rotate"))
        #expect(rotate.approval?.groups == ["security-oncall"])
        #expect(rotate.approval?.sha256 == stepDigest(.object(inFreeze.plan.steps[0].raw)))
        #expect(inFreeze.step("verify-rotation")?.blockedBy == ["rotate"])
        let after = try evaluateExample("freeze-window-rotation", options: EvaluationOptions(clock: Clock(iso8601: "2027-01-05T00:00:00Z")))
        #expect(after.step("rotate")?.outcome == .allow)
    }

    @Test func rawExportBecomesRedactedAndLoggedForReview() throws {
        let evaluation = try evaluateExample("redacted-export")
        #expect(outcomes(evaluation) == ["sales-summary": "allow", "export-customers": "mutate:redacted", "export-sales": "allow"])
        let step = try #require(evaluation.step("export-customers"))
        #expect(step.rewrite?.final.action == "data.export-redacted")
        #expect(step.warnings == ["review-pii-derived-exports"])
        #expect(step.rewrite?.warnings == ["review-pii-derived-exports"])
    }

    @Test func toolCallAfterUntrustedInputNeedsApproval() throws {
        let evaluation = try evaluateExample("untrusted-input-approval")
        #expect(outcomes(evaluation) == ["read-issue": "allow", "summarize": "allow", "run-repro": "approve", "push-fix": "blocked", "reply": "allow"])
        #expect(evaluation.step("run-repro")?.approval?.groups == ["repo-maintainers"])
    }

    @Test func wideningRewritesAreRefusedAndDenied() throws {
        let evaluation = try evaluateExample("widening-rewrite-refused")
        #expect(outcomes(evaluation) == ["read-ticket": "allow", "adjust-billing": "deny", "close-escalated": "blocked", "close-duplicate": "allow"])
        let billing = try #require(evaluation.step("adjust-billing"))
        let attempt = try #require(billing.attempts.first)
        #expect(!attempt.accepted)
        #expect(attempt.to?.resource == EntityRef(type: "Database", id: "billing-replica"))
        #expect(attempt.boundary?.problems == ["the rewritten step is denied by \"no-agent-writes-to-card-data\""])

        // The other refusal: a variant carrying a flag the original lacks.
        let bundle = try PolicyBundle.load(path: examples + "/widening-rewrite-refused")
        let single = try Plan.parse("""
            {"plan": "p", "principal": "Agent::\\"helpdesk\\"",
             "steps": [{"id": "close", "action": "ticket.close", "resource": "Ticket::\\"SUP-9001\\""}]}
            """, file: "inline.json")
        let close = try PlanEvaluator.evaluate(single, bundle: bundle, options: pinned).steps[0]
        #expect(close.outcome == .deny)
        #expect(close.attempts.first?.boundary?.problems == ["adds flag \"external\" the original action lacks"])
        #expect(close.reason.contains("rewrite \"notify-vendor\" refused"))
    }

    @Test func externalSendAfterSensitiveReadIsStopped() throws {
        let evaluation = try evaluateExample("exfiltration-chain")
        #expect(outcomes(evaluation) == ["read-customer": "allow", "summarize": "allow", "post-to-partner": "deny"])
        #expect(evaluation.step("post-to-partner")?.policies == ["no-external-send-after-pii"])
    }

    @Test func showcaseHasEveryOutcome() throws {
        let evaluation = try evaluateExample("release-pipeline")
        #expect(outcomes(evaluation) == [
            "build": "allow", "test": "allow", "deploy-prod": "mutate:staging-validation", "rotate-signing-key": "approve",
            "sign-artifacts": "blocked", "purge-cdn": "deny", "release-notes": "warn", "announce": "allow",
        ])
        #expect(evaluation.risk.riskClass == .high)
        #expect(evaluation.risk.tier == .strict)
        #expect(!evaluation.summary.allAllowed)
    }
}

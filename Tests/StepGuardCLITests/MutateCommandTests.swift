import AuditLog
import Foundation
import Testing
@testable import StepGuardCLI

struct MutateCommandTests {
    typealias F = WorkflowFixtures

    @Test("mutate of the release example, pinned per format", arguments: [
        ("text", "mutate-release-pipeline.txt"),
        ("diff", "mutate-release-pipeline.diff"),
        ("json", "mutate-release-pipeline.json"),
    ])
    func goldenOutput(format: String, golden: String) throws {
        let result = runCLI(["mutate", F.releasePlan, "--now", F.clock, "--format", format])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        try F.expectGolden(F.normalize(result.stdout), golden)
    }

    @Test func rewrittenPlanIsWrittenByteIdentically() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var written: [Data] = []
        for index in 0..<2 {
            let out = directory.appendingPathComponent("rewritten-\(index).json").path
            let result = runCLI(["mutate", F.releasePlan, "--now", F.clock, "-o", out, "--format", "diff"])
            #expect(result.status == 1)
            #expect(result.stderr == "wrote the rewritten plan to \(out)\n")
            written.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(written[0] == written[1])
        try F.expectGolden(String(decoding: written[0], as: UTF8.self), "mutate-release-pipeline.rewritten.json")
        // Leftover temporary files would mean the write was not atomic.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["rewritten-0.json", "rewritten-1.json"])
    }

    @Test func rewrittenPlanEvaluatesWithNothingMoreToRewrite() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("rewritten.json").path
        _ = runCLI(["mutate", F.releasePlan, "--now", F.clock, "-o", out])
        let again = runCLI(["mutate", out, "-p", F.releaseDirectory, "--now", F.clock, "--format", "json"])
        // The approval checkpoint is still held, so the plan is not yet clean; nothing new is rewritten.
        #expect(again.status == 1)
        #expect(again.stdout.contains("\"rewrites\": []"))
        #expect(again.stdout.contains("\"changed\": false"))
    }

    @Test func nothingToRewriteExitsZero() {
        let result = runCLI(["mutate", F.fixtures + "/allowed/plan.json", "-p", F.releaseDirectory, "--now", F.clock])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("2 steps: nothing to rewrite\ntier elevated (shipped defaults): 1 demand, 0 met\n  audit_log: n/a - "))
        let diff = runCLI(["mutate", F.fixtures + "/allowed/plan.json", "-p", F.releaseDirectory, "--format", "diff"])
        #expect(diff.status == 0)
        #expect(diff.stdout.isEmpty)
    }

    @Test func quietPrintsHeadingsAndTheSummary() {
        let result = runCLI(["mutate", "-q", F.releasePlan, "--now", F.clock])
        #expect(result.status == 1)
        #expect(result.stdout == """
            deploy-prod: rewritten to staging-validation by prod-deploys-need-release-manager
            rotate-signing-key: held for approval by security-oncall (signing-keys-need-approval)
            purge-cdn: removed (denied by no-agent-cdn-purges)

            8 steps: 1 rewritten, 1 held for approval, 1 removed
            tier strict (shipped defaults): 4 demands, 1 met

            """)
    }

    @Test func malformedPlanExitsTwoAndWritesNothing() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("rewritten.json").path
        let result = runCLI(["mutate", F.fixtures + "/malformed-plan.json", "-p", F.releaseDirectory, "-o", out])
        #expect(result.status == 2)
        #expect(result.stderr.contains("malformed-plan.json:5:43: error:"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func auditRecordsVerify() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        let result = runCLI(["mutate", F.releasePlan, "--now", F.clock, "--audit", log, "--format", "diff"])
        #expect(result.status == 1)
        let report = try AuditVerifier.verify(logAt: log)
        #expect(report.isIntact)
        #expect(report.totalRecords == 9)
    }
}

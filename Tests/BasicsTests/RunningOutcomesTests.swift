import Testing
@testable import Basics

@Suite struct RunningOutcomesTests {
    static let spellings = ["allow", "warn", "mutate", "approve", "deny", "blocked", "approved", "rejected", "", "Allow", "allowx"]

    /// The byte reading agrees with the string reading on every spelling, including near misses.
    @Test(arguments: spellings)
    func bytesAndStringsAgree(_ outcome: String) {
        let bytes = Array(outcome.utf8)
        bytes.withUnsafeBytes { raw in
            #expect(RunningOutcomes.decisionRuns(utf8: raw) == RunningOutcomes.decisionRuns(outcome))
            #expect(RunningOutcomes.approvalRuns(utf8: raw) == RunningOutcomes.approvalRuns(outcome))
        }
    }

    @Test func theDefinition() {
        #expect(RunningOutcomes.decisions.filter(RunningOutcomes.decisionRuns) == ["allow", "warn", "mutate"])
        #expect(!RunningOutcomes.decisionRuns("approved") && !RunningOutcomes.decisionRuns("approve"))
        #expect(RunningOutcomes.approvalRuns("approved") && !RunningOutcomes.approvalRuns("rejected"))
    }
}

/// Which recorded outcomes let a step run: the one definition that deciding a step
/// (`StepOutcome.runs`), the audit log's joins and `audit show` all read.
public enum RunningOutcomes {
    /// Decision outcomes under which the step runs: as written (`allow`), with a log-only
    /// policy's warning (`warn`), or in its rewritten form (`mutate`).
    public static let decisions: [String] = ["allow", "warn", "mutate"]
    /// The outcome of an approval record that releases a held step.
    public static let approval = "approved"

    /// Whether a decision with `outcome` lets its step run.
    public static func decisionRuns(_ outcome: String) -> Bool { decisions.contains(outcome) }

    /// Whether an approval with `outcome` lets its step run.
    public static func approvalRuns(_ outcome: String) -> Bool { outcome == approval }

    /// `decisionRuns` over the UTF-8 bytes of an outcome, for readers that scan records without
    /// building strings.
    @inlinable
    public static func decisionRuns(utf8 outcome: UnsafeRawBufferPointer) -> Bool {
        switch outcome.count {
        case 4: return equal(outcome, "warn")
        case 5: return equal(outcome, "allow")
        case 6: return equal(outcome, "mutate")
        default: return false
        }
    }

    /// `approvalRuns` over UTF-8 bytes.
    @inlinable
    public static func approvalRuns(utf8 outcome: UnsafeRawBufferPointer) -> Bool {
        outcome.count == 8 && equal(outcome, "approved")
    }

    @inlinable
    static func equal(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
        return true
    }
}

import Testing
@testable import Cedar

/// Deeply nested input is read on a thread with a large stack; when that thread cannot be
/// started, the caller gets nothing back to turn into its own error, and the body never runs.
struct LargeStackTests {
    @Test func aBodyRunsOnTheLargeStack() {
        #expect(runOnLargeStack { 6 * 7 } == 42)
    }

    @Test func aThreadThatCannotStartRunsNothing() {
        var ran = false
        let result: Int? = runOnLargeStack(stackSize: Int.max) {
            ran = true
            return 1
        }
        #expect(result == nil)
        #expect(!ran)
    }
}

import Foundation
import JSONValue
import Testing
@testable import Workflow

/// The bounds of docs/limits.md: past each one the reader stops with a located error.
@Suite struct RegressionLimitsTests {
    @Test func planWithTooManyStepsIsALocatedError() throws {
        // Empty step objects: the count is checked before any step is read.
        let steps = Array(repeating: "{}", count: WorkflowLimits.maxSteps + 1).joined(separator: ",")
        let text = "{\"plan\": \"p\", \"principal\": \"Agent::\\\"a\\\"\",\n\"steps\": [" + steps + "]}"
        #expect {
            _ = try Plan.parse(text, file: "big.json")
        } throws: { error in
            guard case .malformedPlan(let location, let message) = error as? WorkflowError else { return false }
            // Step 100,000 starts after `"steps": [` and 100,000 `{},` on line 2.
            return location.file == "big.json" && location.line == 2 && location.column == 11 + 3 * WorkflowLimits.maxSteps
                && location.path == "steps[\(WorkflowLimits.maxSteps)]" && message.contains("more than the limit of 100000")
        }
    }

    @Test func planAtTheStepLimitLoads() throws {
        let steps = (0..<2).map { "{\"id\": \"s\($0)\", \"action\": \"a\", \"resource\": \"R::\\\"r\\\"\"}" }
        let plan = try Plan.parse("{\"plan\": \"p\", \"principal\": \"Agent::\\\"a\\\"\", \"steps\": [\(steps.joined(separator: ","))]}", file: "p.json")
        #expect(plan.steps.count == 2)
    }

    @Test func fileLargerThanTheLimitIsRefusedUnread() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("plan.json").path
        // A sparse file: one byte over the limit costs no disk.
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(WorkflowLimits.maxFileBytes + 1))
        try handle.close()
        #expect(throws: WorkflowError.unreadable(file: path, message: "the file is larger than the 32 MiB limit; split it")) {
            _ = try Plan.load(path)
        }
    }
}

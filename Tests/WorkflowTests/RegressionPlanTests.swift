import Foundation
import Testing
@testable import Workflow

/// Plans that once cost far more than their size.
@Suite struct RegressionPlanTests {
    /// A minified plan (one line) of 5,000 steps: every step's location walked the line from its
    /// start, so loading took time quadratic in the plan's size.
    @Test func minifiedPlanOfThousandsOfStepsLoadsQuickly() throws {
        let steps = (0..<5_000).map { i in
            "{\"id\":\"s\(i)\",\"action\":\"ci.build\",\"resource\":\"Repo::\\\"r\\\"\",\"needs\":[\(i == 0 ? "" : "\"s\(i - 1)\"")]}"
        }
        let text = "{\"plan\":\"p\",\"principal\":\"Agent::\\\"a\\\"\",\"steps\":[" + steps.joined(separator: ",") + "]}"
        let clock = ContinuousClock()
        var plan: Plan?
        let elapsed = try clock.measure { plan = try Plan.parse(text, file: "minified.json") }
        #expect(plan?.steps.count == 5_000)
        #expect(elapsed < .seconds(15), "loading took \(elapsed)")
        // Locations still point into the one line.
        let location = try #require(plan?.location([.key("steps"), .index(4_999), .key("id")]))
        let marker = try #require(text.range(of: "\"id\":\"s4999\""))
        let valueColumn = text.utf8.distance(from: text.startIndex, to: marker.lowerBound) + 5 + 1
        #expect(location.line == 1 && location.column == valueColumn)
    }
}

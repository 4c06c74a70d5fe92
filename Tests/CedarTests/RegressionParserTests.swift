import Foundation
import Testing
@testable import Cedar

/// Inputs that once cost the parser far more than their size.
@Suite struct RegressionParserTests {
    /// 20,000 annotations on one policy (250 KB): the duplicate check searched every earlier
    /// annotation, so parsing time grew with the square of their number.
    @Test func thousandsOfAnnotationsParseInLinearTime() throws {
        let count = 20_000
        let text = (0..<count).map { "@a\($0)(\"x\")\n" }.joined() + "permit (principal, action, resource);\n"
        let start = Date()
        let file = try Parser.parse(text, file: "annotations.cedar")
        let elapsed = Date().timeIntervalSince(start)
        #expect(file.policies.count == 1)
        #expect(file.policies[0].annotations.count == count)
        #expect(elapsed < 15, "parsing \(count) annotations took \(elapsed)s")
    }

    @Test func duplicateAnnotationIsStillAnError() throws {
        let text = "@a(\"1\")\n@b(\"2\")\n@a(\"3\")\npermit (principal, action, resource);\n"
        #expect {
            _ = try Parser.parse(text, file: "dup.cedar")
        } throws: { error in
            guard case .parse(let message, let span, _) = error as? CedarError else { return false }
            return message.contains("duplicate annotation: @a") && span.start.line == 3 && span.start.column == 2
        }
    }
}

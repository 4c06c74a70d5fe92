import Foundation
import Testing
import JSONValue
@testable import Cedar

/// Runs every request of the reference-generated corpus and compares decision, reasons (as a
/// set) and erroring policies (as a set) with the reference engine's answers.
@Suite struct ConformanceTests {
    struct Outcome {
        var requests = 0
        var agree = 0
        var failures: [String] = []
    }

    static func runCase(_ url: URL) throws -> Outcome {
        var out = Outcome()
        let doc = try Fixtures.json(url)
        let name = url.lastPathComponent
        let text = doc["policies"]?.stringValue ?? ""
        let policies = try PolicySet(text: text, file: name, idScheme: .positional)
        let entities = try Entities(json: doc["entities"] ?? .array([]))
        for (i, r) in (doc["requests"]?.arrayValue ?? []).enumerated() {
            out.requests += 1
            let context: [String: Value]
            if let c = r["context"], case .record(let rec) = try Value(json: c) { context = rec } else { context = [:] }
            let request = Request(
                principal: try EntityUID(json: r["principal"]!), action: try EntityUID(json: r["action"]!),
                resource: try EntityUID(json: r["resource"]!), context: context)
            let response = Authorizer.isAuthorized(request, policies: policies, entities: entities)
            let wantDecision = r["decision"]?.stringValue ?? ""
            let wantReasons = Set((r["reasons"]?.arrayValue ?? []).compactMap(\.stringValue))
            let wantErrors = Set((r["errors"]?.arrayValue ?? []).compactMap(\.stringValue))
            let gotErrors = Set(response.errors.map(\.policyID))
            if response.decision.rawValue == wantDecision && Set(response.reasons) == wantReasons && gotErrors == wantErrors {
                out.agree += 1
            } else {
                out.failures.append("\(name) request \(i): want \(wantDecision) \(wantReasons.sorted()) errors \(wantErrors.sorted()); got \(response.decision.rawValue) \(response.reasons) errors \(response.errors.map { "\($0.policyID): \($0.message)" })")
            }
        }
        return out
    }

    @Test func cedarGenerated() throws {
        var total = Outcome()
        for url in Fixtures.files("cedar-generated", prefix: "case-") {
            do {
                let o = try Self.runCase(url)
                total.requests += o.requests
                total.agree += o.agree
                total.failures += o.failures
            } catch {
                total.failures.append("\(url.lastPathComponent): \(error)")
            }
        }
        print("cedar-generated: \(total.agree)/\(total.requests) requests agree")
        for f in total.failures.prefix(30) { Issue.record("\(f)") }
        #expect(total.failures.isEmpty)
        #expect(total.requests > 0)
    }
}

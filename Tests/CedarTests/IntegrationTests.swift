import Foundation
import Testing
import JSONValue
@testable import Cedar

/// The public cedar-integration-tests. They are written for schema-based parsing; until a
/// `SchemaValueReader` is plugged in through `IntegrationTests.schemaReader`, values are read
/// schema-less and only the requests that do not depend on the schema can agree.
@Suite struct IntegrationTests {
    /// Hook for the schema module: returns a reader for the schema file at the given URL.
    static let schemaReader: (@Sendable (URL) throws -> (any SchemaValueReader)?) = { url in
        try Schema.load(source: [UInt8](try Data(contentsOf: url)), file: url.lastPathComponent).valueReader
    }

    /// Requests that agree when read without a schema (measured; raised as the engine improves).
    static let schemaLessBaseline = 61

    @Test func integrationSuite() throws {
        let root = Fixtures.root.appendingPathComponent("cedar-integration")
        var total = 0, agree = 0, usedSchema = false
        var failures: [String] = []
        for dir in ["example_use_cases", "multi", "ip", "decimal"] {
            for url in Fixtures.files("cedar-integration/tests/\(dir)", prefix: "") {
                let doc = try Fixtures.json(url)
                let name = "\(dir)/\(url.lastPathComponent)"
                let policyText = try String(contentsOf: root.appendingPathComponent(doc["policies"]!.stringValue!), encoding: .utf8)
                let reader = try doc["schema"]?.stringValue.flatMap { try Self.schemaReader(root.appendingPathComponent($0)) }
                if reader != nil { usedSchema = true }
                let policies = try PolicySet(text: policyText, file: doc["policies"]!.stringValue!, idScheme: .positional)
                let entityBytes = [UInt8](try Data(contentsOf: root.appendingPathComponent(doc["entities"]!.stringValue!)))
                let entities = try Entities(jsonBytes: entityBytes, file: doc["entities"]!.stringValue!, decode: reader?.entityValueDecoder)
                for (i, r) in (doc["requests"]?.arrayValue ?? []).enumerated() {
                    total += 1
                    let action = try EntityUID(json: r["action"]!)
                    var context: [ExactString: Value] = [:]
                    if let c = r["context"] {
                        if let reader {
                            context = try reader.context(for: action, json: c)
                        } else if case .record(let rec) = try Value(json: c) {
                            context = rec
                        }
                    }
                    let request = Request(principal: try EntityUID(json: r["principal"]!), action: action,
                                          resource: try EntityUID(json: r["resource"]!), context: context)
                    let response = Authorizer.isAuthorized(request, policies: policies, entities: entities)
                    let want = (r["decision"]?.stringValue ?? "", Set((r["reason"]?.arrayValue ?? []).compactMap(\.stringValue)),
                                Set((r["errors"]?.arrayValue ?? []).compactMap(\.stringValue)))
                    if response.decision.rawValue == want.0 && Set(response.reasons) == want.1 && Set(response.errors.map(\.policyID)) == want.2 {
                        agree += 1
                    } else {
                        failures.append("\(name) request \(i): want \(want.0) \(want.1.sorted()) \(want.2.sorted()); got \(response.decision.rawValue) \(response.reasons) \(response.errors.map(\.policyID))")
                    }
                }
            }
        }
        print("cedar-integration\(usedSchema ? "" : " (schema-less)"): \(agree)/\(total) requests agree")
        if usedSchema {
            for f in failures { Issue.record("\(f)") }
            #expect(agree == total)
        } else {
            if ProcessInfo.processInfo.environment["CEDAR_SHOW_FAILURES"] != nil { for f in failures { print(f) } }
            #expect(agree >= Self.schemaLessBaseline)
        }
        #expect(total > 0)
    }
}

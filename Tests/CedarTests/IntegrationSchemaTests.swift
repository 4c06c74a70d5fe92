import Foundation
import JSONValue
import Testing
@testable import Cedar

/// The public cedar-integration-tests, run the way the reference harness runs them: the schema
/// is parsed, the policies are validated against it (`shouldValidate`), entities and contexts are
/// read by the schema, every request is validated against the schema and then authorized.
@Suite("cedar-integration with schema")
struct IntegrationSchemaTests {
    static let root = SchemaFixtures.root.appendingPathComponent("cedar-integration")

    static var testFiles: [String] {
        var out: [String] = []
        for dir in ["example_use_cases", "multi", "ip", "decimal"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tests/\(dir)").path)) ?? []
            out += names.filter { $0.hasSuffix(".json") }.sorted().map { "tests/\(dir)/\($0)" }
        }
        return out
    }

    @Test func everyRequestAndVerdictAgrees() throws {
        var requests = 0, requestsAgree = 0, verdicts = 0, verdictsAgree = 0
        for file in Self.testFiles {
            let doc = try JSONParser.parse([UInt8](try Data(contentsOf: Self.root.appendingPathComponent(file))), file: file)
            let schemaPath = doc["schema"]!.stringValue!
            let schema = try Schema.load(source: [UInt8](try Data(contentsOf: Self.root.appendingPathComponent(schemaPath))), file: schemaPath)
            let policyPath = doc["policies"]!.stringValue!
            let policyText = try String(contentsOf: Self.root.appendingPathComponent(policyPath), encoding: .utf8)
            let policies = try PolicySet(text: policyText, file: policyPath, idScheme: .positional)

            verdicts += 1
            let errors = Validator.validate(policies: policies, schema: schema)
            if errors.isEmpty == doc["shouldValidate"]!.boolValue! {
                verdictsAgree += 1
            } else {
                Issue.record("\(file): shouldValidate \(doc["shouldValidate"]!.boolValue!), got \(errors.map(\.description))")
            }

            let entitiesPath = doc["entities"]!.stringValue!
            let entities = try schema.entities(
                jsonBytes: [UInt8](try Data(contentsOf: Self.root.appendingPathComponent(entitiesPath))), file: entitiesPath)
            for (i, r) in doc["requests"]!.arrayValue!.enumerated() {
                requests += 1
                let action = try EntityUID(json: r["action"]!)
                let context = try schema.context(for: action, json: r["context"] ?? .object(JSONObject()))
                let request = Request(
                    principal: try EntityUID(json: r["principal"]!), action: action,
                    resource: try EntityUID(json: r["resource"]!), context: context)
                try schema.validate(request: request)
                let response = Authorizer.isAuthorized(request, policies: policies, entities: entities)
                let wantDecision = r["decision"]!.stringValue!
                let wantReasons = Set(r["reason"]!.arrayValue!.map { $0.stringValue! })
                let wantErrors = Set(r["errors"]!.arrayValue!.map { $0.stringValue! })
                if response.decision.rawValue == wantDecision && Set(response.reasons) == wantReasons
                    && Set(response.errors.map(\.policyID)) == wantErrors {
                    requestsAgree += 1
                } else {
                    Issue.record("\(file) request \(i) (\(r["description"]?.stringValue ?? "")): want \(wantDecision) \(wantReasons.sorted()) \(wantErrors.sorted()); got \(response.decision.rawValue) \(response.reasons) \(response.errors.map { "\($0.policyID): \($0.message)" })")
                }
            }
        }
        print("cedar-integration: \(requestsAgree)/\(requests) requests agree, \(verdictsAgree)/\(verdicts) validation verdicts agree")
        #expect(requests > 0 && verdicts > 0)
        #expect(requestsAgree == requests)
        #expect(verdictsAgree == verdicts)
    }
}

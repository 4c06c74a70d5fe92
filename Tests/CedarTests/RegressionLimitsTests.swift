import Testing
@testable import Cedar
import JSONValue

/// The bounds of docs/limits.md: past each one the reader stops with a located error.
@Suite struct RegressionLimitsTests {
    @Test func entityFileWithTooManyEntitiesIsAnError() throws {
        // The count is checked before any entity is read, so the elements need not be entities.
        let json = JSONValue.array(Array(repeating: .null, count: CedarLimits.maxEntities + 1))
        #expect(throws: CedarError.entities(message: "more than 1000000 entities in one file; split the entity data",
                                            path: "[1000000]", span: nil)) {
            _ = try Entities(json: json)
        }
        let schema = try Schema.parse("entity User;", file: "s.cedarschema")
        #expect {
            _ = try schema.entities(json: json)
        } throws: { error in
            guard case .entities(let message, let path, _) = error as? CedarError else { return false }
            return message.contains("more than 1000000 entities") && path == "[1000000]"
        }
    }

    @Test func policySetWithTooManyPoliciesIsAnError() throws {
        let one = try Parser.parse("permit (principal, action, resource);", file: "p.cedar").policies[0]
        let policies = (0...CedarLimits.maxPolicies).map { i -> Policy in
            var p = one
            p.id = "p\(i)"
            return p
        }
        #expect {
            _ = try PolicySet(policies: policies)
        } throws: { error in
            guard case .policySet(let message, _) = error as? CedarError else { return false }
            return message.contains("more than 100000 policies")
        }
        #expect(try PolicySet(policies: Array(policies.dropLast())).evaluable.count == CedarLimits.maxPolicies)
    }
}

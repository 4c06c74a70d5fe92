import Foundation
import Testing
@testable import StepGuardCLI

struct ValidateCommandTests {
    static let invalid = """
        @id("typo")
        permit (principal, action == Action::"write", resource)
        when { resource.evn == "prod" };

        permit (principal is Agent, action == Action::"read", resource)
        when { principal.level == "high" };

        """

    @Test func validPoliciesExitZero() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run(["validate", "-p", w.path("policies"), "--schema", w.path("policies/schema.cedarschema")])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == "5 policies validate against policies/schema.cedarschema\n")
    }

    @Test func schemaDefaultsToTheOneInThePolicyDirectory() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run(["validate", "-p", w.path("policies")])
        #expect(result.status == 0)
        #expect(result.stdout == "5 policies validate against policies/schema.cedarschema\n")
    }

    @Test func invalidPoliciesExitOneWithLocatedErrors() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("invalid.cedar", Self.invalid)
        let text = w.run(["validate", "-p", w.path("invalid.cedar"), "--schema", w.path("policies/schema.cedarschema")])
        #expect(text.status == 1)
        try expectGolden("validate-invalid.txt", text.stdout)
        let json = w.run([
            "validate", "-p", w.path("invalid.cedar"), "--schema", w.path("policies/schema.cedarschema"), "--format", "json",
        ])
        #expect(json.status == 1)
        try expectGolden("validate-invalid.json", json.stdout)
    }

    @Test func quietLeavesOutWarnings() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("impossible.cedar", "permit (principal is Repo, action == Action::\"read\", resource);\n")
        let loud = w.run(["validate", "-p", w.path("impossible.cedar"), "--schema", w.path("policies/schema.cedarschema")])
        let quiet = w.run(["validate", "-q", "-p", w.path("impossible.cedar"), "--schema", w.path("policies/schema.cedarschema")])
        #expect(loud.status == quiet.status)
        #expect(loud.stdout.contains("warning: [impossible-policy]") || loud.stdout.contains("error:"))
        #expect(!quiet.stdout.contains("warning:"))
    }

    @Test func unparsablePolicyExitsTwo() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("broken.cedar", "permit (principal, action, resource) when { principal.level >= };\n")
        let result = w.run(["validate", "-p", w.path("broken.cedar"), "--schema", w.path("policies/schema.cedarschema")])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        try expectGolden("validate-unparsable.stderr.txt", result.stderr)
    }

    @Test func unparsableSchemaExitsTwo() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("bad.cedarschema", "entity Agent { level: Lng };\n")
        let result = w.run(["validate", "-p", w.path("policies"), "--schema", w.path("bad.cedarschema")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("bad.cedarschema:1:"))
    }

    @Test func missingSchemaIsAUsageError() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run(["validate", "-p", w.path("policies/policies.cedar")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no schema to validate against"))
    }

    @Test func unreadableSchemaExitsTwo() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run(["validate", "-p", w.path("policies"), "--schema", w.path("missing.cedarschema")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("stepguard: error: cannot read 'missing.cedarschema'"))
    }
}

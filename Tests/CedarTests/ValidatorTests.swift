import Foundation
import JSONValue
import Testing
@testable import Cedar

/// The kind of finding a reference validator message describes.
func referenceKind(_ message: String) -> ValidationErrorKind? {
    let prefixes: [(String, ValidationErrorKind)] = [
        ("unrecognized entity type", .unrecognizedEntityType),
        ("unrecognized action", .unrecognizedActionID),
        ("unable to find an applicable action", .invalidActionApplication),
        ("unexpected type", .unexpectedType),
        ("the types", .incompatibleTypes),
        ("unable to guarantee safety of access to optional attribute", .unsafeOptionalAttributeAccess),
        ("unable to guarantee safety of access to tag", .unsafeTagAccess),
        ("attribute ", .unsafeAttributeAccess),
        ("`.getTag()` is not allowed", .noTagsAllowed),
        ("wrong number of arguments", .wrongNumberOfArguments),
        ("error during extension function argument validation", .extensionArgument),
        ("extension constructors may not be called", .nonLiteralExtensionConstructor),
        ("empty set literals are forbidden", .emptySetForbidden),
        ("entity `", .invalidEnumEntity),
    ]
    return prefixes.first { message.hasPrefix($0.0) }?.1
}

private func validate(_ text: String, _ schema: Schema) throws -> [ValidationError] {
    let set = try PolicySet(text: text, file: "p.cedar", idScheme: .positional)
    return Validator.validate(policies: set, schema: schema)
}

@Suite("Validator")
struct ValidatorTests {
    static let agents = try! SchemaFixtures.schema("schema/agents.cedarschema")

    /// Every case recorded from the reference validator: same verdict, same kinds of error, and
    /// messages worded alike where the wording does not depend on how types are printed.
    static var caseFiles: [String] {
        let dir = SchemaFixtures.root.appendingPathComponent("validator")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix("-cases.json") }.sorted()
    }

    @Test(arguments: caseFiles)
    func agreesWithTheReferenceValidator(file: String) throws {
        let doc = try JSONParser.parse(try SchemaFixtures.bytes("validator/" + file))
        let schema = try SchemaFixtures.schema(doc["schema"]!.stringValue!)
        var agree = 0
        let cases = doc["cases"]!.arrayValue!
        for c in cases {
            let policy = c["policy"]!.stringValue!
            let wantPassed = c["passed"]!.boolValue!
            let wantMessages = c["errors"]!.arrayValue!.map { $0.stringValue! }
            if wantMessages.first?.hasPrefix("Policy parse error") == true {
                // Text the reference parser rejects must not parse here either.
                if (try? validate(policy, schema)) == nil {
                    agree += 1
                } else {
                    Issue.record("\(policy)\n  the reference parser rejects it: \(wantMessages)")
                }
                continue
            }
            let got = try validate(policy, schema)
            let wantKinds = Set(wantMessages.compactMap(referenceKind))
            let gotKinds = Set(got.map(\.kind))
            var same = got.isEmpty == wantPassed && wantKinds == gotKinds
            // Messages that do not print types must read the same.
            for m in wantMessages where !m.contains("type") || m.hasPrefix("unrecognized entity type") || m.contains("on entity type") {
                if referenceKind(m) != nil && !got.contains(where: { $0.message == m }) { same = false }
            }
            if same {
                agree += 1
            } else {
                Issue.record("\(policy)\n  want \(wantPassed ? "valid" : "invalid"): \(wantMessages)\n  got: \(got.map(\.message))")
            }
        }
        print("validator \(file): \(agree)/\(cases.count) reference verdicts agree")
        #expect(agree == cases.count)
    }

    @Test func errorsAreLocatedAtTheSubExpression() throws {
        let text = """
            permit(principal, action == Gov::Action::"deploy", resource)
            when { principal.spiffe == "x" && principal.ownr == principal.owner };
            """
        let errors = try validate(text, Self.agents)
        #expect(errors.count == 1)
        let e = try #require(errors.first)
        #expect(e.kind == .unsafeAttributeAccess)
        #expect(e.policyID == "policy0")
        #expect(e.span.start.line == 2)
        #expect(e.span.start.column == 35)
        #expect(e.span.end.column == 49)
        #expect(e.message == "attribute `ownr` on entity type `Gov::Agent` not found")
        #expect(e.help == "did you mean `owner`?")
        #expect(e.description == "p.cedar:2:35: for policy `policy0`, attribute `ownr` on entity type `Gov::Agent` not found (did you mean `owner`?)")
    }

    @Test(arguments: [
        ("permit(principal, action, resource) when { User::\"a\" == principal };", ValidationErrorKind.unrecognizedEntityType, "unrecognized entity type `User`"),
        ("permit(principal == Gov::Team::\"t\", action == Gov::Action::\"deploy\", resource);", .invalidActionApplication,
         "unable to find an applicable action given the policy scope constraints"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { principal.spiffe + 1 > 2 };", .unexpectedType,
         "unexpected type: expected Long but saw String"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { context.step == \"x\" };", .incompatibleTypes,
         "the types Long and String are not compatible"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { principal.nope };", .unsafeAttributeAccess,
         "attribute `nope` on entity type `Gov::Agent` not found"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { principal.net.ip.isLoopback() };", .unsafeOptionalAttributeAccess,
         "unable to guarantee safety of access to optional attribute `net` on entity type `Gov::Agent`"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { principal.getTag(\"k\") == \"v\" };", .unsafeTagAccess,
         "unable to guarantee safety of access to tag `\"k\"` on entity type `Gov::Agent`"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { resource.created.toDate(1) == resource.created };", .wrongNumberOfArguments,
         "wrong number of arguments in extension function application. Expected 1, got 2"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { ip(\"bogus\").isLoopback() };", .extensionArgument,
         "error during extension function argument validation: failed to parse as IP address: `\"bogus\"`"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { ip(principal.spiffe).isLoopback() };", .nonLiteralExtensionConstructor,
         "extension constructors may not be called with non-literal expressions"),
        ("permit(principal, action == Gov::Action::\"deploy\", resource) when { [] == principal.labels };", .emptySetForbidden,
         "empty set literals are forbidden in policies"),
        ("permit(principal, action, resource) when { resource has environment && resource.environment == Gov::Environment::\"qa\" };", .invalidEnumEntity,
         "entity `Gov::Environment::\"qa\"` is of an enumerated entity type, but `\"qa\"` is not declared as a valid eid"),
    ])
    func eachErrorKind(policy: String, kind: ValidationErrorKind, message: String) throws {
        let errors = try validate(policy, Self.agents)
        #expect(errors.map(\.kind) == [kind])
        #expect(errors.first?.message == message)
    }

    @Test func unknownActionAlsoLeavesNoApplicableAction() throws {
        let errors = try validate("permit(principal, action == Gov::Action::\"deplyo\", resource);", Self.agents)
        #expect(errors.map(\.kind) == [.invalidActionApplication, .unrecognizedActionID])
        #expect(errors.last?.message == "unrecognized action `Gov::Action::\"deplyo\"`")
        #expect(errors.last?.help == "did you mean `Gov::Action::\"deploy\"`?")
    }

    /// `hasTag` on a type without tags is `false`, so the `getTag` behind it is never checked.
    @Test func tagsOnATypeWithoutTags() throws {
        let set = try PolicySet(text: "permit(principal, action == Gov::Action::\"deploy\", resource is Gov::Repo) when { resource.hasTag(\"k\") && resource.getTag(\"k\") == \"v\" };", file: "p.cedar", idScheme: .positional)
        let report = Validator.check(policies: set, schema: Self.agents)
        #expect(report.passed)
        #expect(report.warnings.map(\.kind) == [.impossiblePolicy])
    }

    @Test func impossiblePolicyIsAWarning() throws {
        let set = try PolicySet(text: """
            permit(principal, action == Gov::Action::"deploy", resource) when { principal is Gov::Team };
            permit(principal, action == Gov::Action::"deploy", resource) when { principal is Gov::Agent };
            """, file: "p.cedar", idScheme: .positional)
        let report = Validator.check(policies: set, schema: Self.agents)
        #expect(report.passed)
        #expect(report.warnings.map(\.kind) == [.impossiblePolicy])
        #expect(report.warnings.first?.policyID == "policy0")
    }

    @Test func templatesAreCheckedForEveryPossibleLink() throws {
        let ok = try validate("permit(principal in ?principal, action == Gov::Action::\"deploy\", resource == ?resource) when { principal.spiffe like \"spiffe://*\" };", Self.agents)
        #expect(ok.isEmpty)
        let bad = try validate("permit(principal in ?principal, action == Gov::Action::\"deploy\", resource) when { principal.nope };", Self.agents)
        #expect(bad.map(\.kind) == [.unsafeAttributeAccess])
    }

    @Test func deepExpressionsDoNotCrash() throws {
        let depth = 700
        let text = "permit(principal, action == Gov::Action::\"deploy\", resource) when { "
            + String(repeating: "(", count: 150) + "context.step" + String(repeating: " + 1", count: depth)
            + String(repeating: ")", count: 150) + " > 0 };"
        let errors = try validate(text, Self.agents)
        #expect(errors.isEmpty)
        let text2 = "permit(principal, action == Gov::Action::\"deploy\", resource) when { "
            + String(repeating: "!(", count: 190) + "true" + String(repeating: ")", count: 190) + " };"
        #expect(try validate(text2, Self.agents).isEmpty)
    }

    @Test func programmaticTreesDeeperThanTheLimitAreReported() {
        var e = Expr(.variable(.context))
        for _ in 0..<3_000 { e = Expr(.attribute(e, "a")) }
        let policy = Policy(id: "deep", effect: .permit, conditions: [Condition(kind: .when, body: e)])
        let report = Validator.check(policies: [policy], schema: Self.agents)
        #expect(report.errors.contains { $0.kind == .tooDeep })
    }
}

@Suite("Validator: template links")
struct ValidatorLinkTests {
    @Test func linksAreCheckedForWhatTheirSlotsBringIn() throws {
        let schema = ValidatorTests.agents
        let set = try PolicySet(text: """
            @id("t") permit(principal == ?principal, action == Gov::Action::"deploy", resource) when { principal.spiffe like "*" };
            """, file: "p.cedar")
        let good = try set.linking(template: "t", as: "good", values: [.principal: EntityUID(type: "Gov::Agent", id: "a")])
        #expect(Validator.validate(policies: good, schema: schema).isEmpty)
        let unknown = try set.linking(template: "t", as: "unknown", values: [.principal: EntityUID(type: "Gov::Agnt", id: "a")])
        let errors = Validator.validate(policies: unknown, schema: schema)
        #expect(errors.map(\.kind) == [.invalidActionApplication, .unrecognizedEntityType])
        #expect(errors.allSatisfy { $0.policyID == "unknown" })
        #expect(errors.last?.help == "did you mean `Gov::Agent`?")
        let wrong = try set.linking(template: "t", as: "wrong", values: [.principal: EntityUID(type: "Gov::Team", id: "t")])
        #expect(Validator.validate(policies: wrong, schema: schema).map(\.kind) == [.invalidActionApplication])
    }
}

import Basics
import Cedar
import Testing
import JSONValue
@testable import Lint

private func fold(_ text: String) throws -> Folded { ConstantFolder.fold(try Parser.parseExpression(text)) }

@Test("constant folding follows Cedar's evaluation and error rules",
      arguments: [
        ("1 + 2 == 3", Folded.constant(.bool(true))),
        ("\"a\" like \"*\"", .constant(.bool(true))),
        ("[1, 2].contains(2)", .constant(.bool(true))),
        ("{a: 1} has a", .constant(.bool(true))),
        ("if 1 > 2 then false else true", .constant(.bool(true))),
        ("9223372036854775807 + 1 == 0", .error),
        ("\"a\" < 1", .error),
        ("!5", .error),
        ("context.x || true", .boolOrError(true)),
        ("context.x && false", .boolOrError(false)),
        ("false && context.x", .constant(.bool(false))),
        ("true || context.x", .constant(.bool(true))),
        ("context.x == 1", .unknown),
        ("User::\"a\" == User::\"a\"", .constant(.bool(true))),
        ("User::\"a\" in User::\"b\"", .unknown),
        ("[1, 2] == [2, 1, 1]", .constant(.bool(true))),
      ])
func folding(expression: String, expected: Folded) throws {
    #expect(try fold(expression) == expected)
}

@Test("durations", arguments: [("5m", Int64(300_000)), ("90s", 90_000), ("1h30m", 5_400_000), ("250ms", 250), ("1d", 86_400_000)])
func durations(text: String, ms: Int64) {
    #expect(DurationText.milliseconds(text) == ms)
}

@Test("not durations", arguments: ["", "5", "m", "5 m", "-5m", "5x", "99999999999999999999s", "30s1m", "1m1m"])
func notDurations(text: String) {
    #expect(DurationText.milliseconds(text) == nil)
}

@Test("did-you-mean suggestions by edit distance")
func suggestions() {
    #expect(EditDistance.suggestion(for: "ownr", among: ["owner", "reason"]) == "owner")
    #expect(EditDistance.suggestion(for: "OWNER", among: ["owner"]) == "owner")
    #expect(EditDistance.suggestion(for: "banana", among: ["owner"]) == nil)
    #expect(EditDistance.suggestion(for: "Ownr", among: ["reason", "owner"]) == "owner")
}

@Test("control ids", arguments: [("ASI01", true), ("ASI1", false), ("NHI10", true), ("NHI01", false), ("LLM06", true), ("PR.AA-05", true), ("PR.AA", true), ("PR.AA-5", false), ("XX.YY-01", false)])
func controlIDs(id: String, valid: Bool) {
    #expect((ControlCatalog.lookup(id) != nil) == valid)
}

@Test("control suggestions")
func controlSuggestions() {
    #expect(ControlCatalog.suggestion(for: "asi1") == "ASI01")
    #expect(ControlCatalog.suggestion(for: "NHI01") == "NHI1")
    #expect(ControlCatalog.suggestion(for: "PR.AA-5") == "PR.AA-05")
    #expect(!ControlCatalog.claimsKnownFramework("PCI DSS 7.2"))
}

private func lintOne(_ policy: String, _ extra: [String: String] = [:]) -> [String] {
    var files = ["d/p.cedar": policy]
    for (name, text) in extra { files["d/\(name)"] = text }
    return Linter.lint(files: files).findings.map(\.ruleID)
}

@Test("shadowing is sound: conditions, remedies, templates and different scopes do not shadow")
func shadowing() {
    let base = "@id(\"a\")\n@owner(\"o\")\n@reason(\"r\")\n"
    func two(_ first: String, _ second: String) -> [String] {
        lintOne(base + first + "\n" + base.replacingOccurrences(of: "\"a\"", with: "\"b\"") + second)
    }
    #expect(two("forbid(principal, action, resource);", "forbid(principal == U::\"x\", action == Action::\"d\", resource);").contains("SG111"))
    #expect(!two("forbid(principal, action, resource) when { context.x };", "forbid(principal == U::\"x\", action, resource);").contains("SG111"))
    #expect(!two("@approve(\"g\")\nforbid(principal, action, resource);", "forbid(principal == U::\"x\", action, resource);").contains("SG111"))
    // A plain forbid over everything makes a remedy forbid moot.
    #expect(two("@approve(\"g\")\nforbid(principal == U::\"x\", action, resource);", "forbid(principal, action, resource);").contains("SG111"))
    #expect(!two("forbid(principal == U::\"y\", action, resource);", "forbid(principal == U::\"x\", action, resource);").contains("SG111"))
    #expect(!two("permit(principal in G::\"g\", action, resource);", "forbid(principal in G::\"g\", action, resource);").contains("SG111"))
    #expect(two("permit(principal is U, action, resource);", "permit(principal == U::\"x\", action, resource);").contains("SG111"))
    #expect(!two("permit(principal is U, action, resource);", "permit(principal == V::\"x\", action, resource);").contains("SG111"))
    // `in` over a group is decided only literally: entity data may change.
    #expect(!two("permit(principal in G::\"g\", action, resource);", "permit(principal == U::\"x\", action, resource);").contains("SG111"))
}

@Test("fail-open analysis: guards by has, in earlier clauses, through || and if; stepguard facts; schema required attributes")
func failOpen() {
    let head = "@id(\"a\")\n@owner(\"o\")\n@reason(\"r\")\nforbid(principal, action, resource)\n"
    func hazards(_ conditions: String, _ extra: [String: String] = [:]) -> Int {
        lintOne(head + conditions + ";", extra).filter { $0 == "SG112" }.count
    }
    #expect(hazards("when { resource.env == \"p\" }") == 1)
    #expect(hazards("when { resource has env && resource.env == \"p\" }") == 0)
    #expect(hazards("when { resource has env } when { resource.env == \"p\" }") == 0)
    #expect(hazards("unless { !(resource has env) } when { resource.env == \"p\" }") == 0)
    #expect(hazards("when { !(resource has env) || resource.env == \"p\" }") == 0)
    #expect(hazards("when { if resource has env then resource.env == \"p\" else false }") == 0)
    #expect(hazards("when { context has a.b && context.a.b }") == 0)
    #expect(hazards("when { context.a.b }") == 2)
    #expect(hazards("when { context.history.external && context.tool.flags.contains(\"x\") && context.plan.risk == \"high\" }") == 0)
    #expect(hazards("when { context.args.url like \"*\" }") == 1)
    #expect(hazards("when { context.plan.risk > 2 }") == 1)
    #expect(hazards("when { context.history.labels.isEmpty() && context.step > 1 }") == 0)
    #expect(hazards("when { context.step.contains(1) }") == 1)
    #expect(hazards("when { E::\"x\".a }") == 1)
    #expect(hazards("when { principal.getTag(\"t\") == 1 }") == 1)
    #expect(hazards("when { principal.hasTag(\"t\") && principal.getTag(\"t\") == 1 }") == 0)
    let schema = """
        entity Agent { team: String, nick?: String };
        entity Repo;
        action "read" appliesTo { principal: Agent, resource: Repo, context: { ticket: String, level?: Long } };
        """
    let scoped = "@id(\"a\")\n@owner(\"o\")\n@reason(\"r\")\nforbid(principal, action == Action::\"read\", resource)\n"
    func schemaHazards(_ conditions: String) -> Int {
        lintOne(scoped + conditions + ";", ["schema.cedarschema": schema]).filter { $0 == "SG112" }.count
    }
    #expect(schemaHazards("when { principal.team == \"x\" && context.ticket == \"y\" }") == 0)
    #expect(schemaHazards("when { principal.nick == \"x\" }") == 1)
    #expect(schemaHazards("when { context has level && context.level > 3 }") == 0)
    #expect(schemaHazards("when { context.ticket > 3 }") == 1)
}

@Test("production writes: evidence from scope, entities or condition; remedy forbids matched by action, tool flags and environment")
func productionWrites() {
    let tools = #"{"actions": {"deploy": {"effect": "write"}, "read": {"effect": "read"}, "purge": {"effect": "delete", "flags": ["irreversible"]}}}"#
    let entities = #"[{"uid": {"type": "Service", "id": "api"}, "attrs": {"environment": "production"}, "parents": []}, {"uid": {"type": "Service", "id": "api-dev"}, "attrs": {"environment": "dev"}, "parents": []}]"#
    let head = "@id(\"p\")\n@owner(\"o\")\n@reason(\"r\")\n"
    func check(_ policies: String) -> Bool {
        lintOne(head + policies, ["tools.json": tools, "entities.json": entities]).contains("SG205")
    }
    #expect(check("permit(principal, action == Action::\"deploy\", resource == Service::\"api\");"))
    #expect(!check("permit(principal, action == Action::\"deploy\", resource == Service::\"api-dev\");"))
    #expect(check("permit(principal, action == Action::\"deploy\", resource is Service);"))
    #expect(!check("permit(principal, action == Action::\"deploy\", resource is Repo);"))
    #expect(!check("permit(principal, action == Action::\"deploy\", resource) when { resource has environment && resource.environment == \"dev\" };"))
    #expect(!check("permit(principal, action == Action::\"read\", resource == Service::\"api\");"))
    let approval = "\n@id(\"f\")\n@owner(\"o\")\n@reason(\"r\")\n@approve(\"g\")\nforbid(principal, action, resource) when { context.tool.flags.contains(\"irreversible\") };"
    #expect(!check("permit(principal, action == Action::\"purge\", resource is Service);" + approval))
    #expect(check("permit(principal, action == Action::\"deploy\", resource is Service);" + approval))
    // With a schema, only the resource types an action applies to can be reached.
    let schema = "entity Agent; entity Service { environment?: String }; entity Repo;\naction \"deploy\" appliesTo { principal: Agent, resource: Repo };"
    let files = ["tools.json": tools, "entities.json": entities, "schema.cedarschema": schema]
    #expect(!lintOne(head + "permit(principal, action == Action::\"deploy\", resource);", files).contains("SG205"))
    #expect(lintOne(head + "permit(principal, action == Action::\"deploy\", resource);", ["tools.json": tools, "entities.json": entities]).contains("SG205"))
}

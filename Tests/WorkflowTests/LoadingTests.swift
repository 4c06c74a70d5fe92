import Testing
import JSONValue
@testable import Workflow

@Suite struct LoadingTests {
    @Test func readsAGoodPlan() throws {
        let plan = try Plan.load(fixture("loading/good-plan.json"))
        #expect(plan.id == "nightly")
        #expect(plan.owner == "data-platform")
        #expect(plan.steps.map(\.id) == ["read", "write", "check"])
        #expect(plan.steps[1].action == "db.write")
        #expect(plan.steps[1].resource == EntityRef(type: "Table", id: "orders"))
        #expect(plan.steps[1].principal == EntityRef(type: "Agent", id: "etl-bot"))
        #expect(plan.steps[2].principal == EntityRef(type: "Agent", id: "checker"))
        #expect(plan.steps[2].needs == ["write", "read"])
        #expect(plan.steps[1].args["rows"] == .int(10))
        #expect(plan.steps[1].location.line == 9)
        #expect(plan.evaluationOrder == [0, 1, 2])
        let catalog = try ActionCatalog.load(fixture("loading/tools.json"))
        try plan.checkActions(catalog)
    }

    static let planErrors: [(String, String)] = [
        ("bad-duplicate.json", "bad-duplicate.json:6:13: duplicate step id \"one\" (first used at 5:13)"),
        ("bad-missing-need.json", "bad-missing-need.json:6:81: step \"store\" needs \"fetc\", which is not a step of this plan; did you mean \"fetch\"?"),
        ("bad-cycle.json", "bad-cycle.json:5:76: steps need each other in a cycle: \"a\" -> \"c\" -> \"b\" -> \"a\""),
        ("bad-syntax.json", "bad-syntax.json:4:38: unexpected character '\"': expected ',' or '}' in object"),
        ("bad-resource.json", "bad-resource.json:5:51: resource \"orders\" is not an entity; write it as Type::\"id\""),
        ("bad-float.json", "bad-float.json:5:86: number 0.5 is not a 64-bit integer"),
        ("bad-step-key.json", "bad-step-key.json:5:76: unknown step key \"nedds\"; did you mean \"needs\"?"),
        ("bad-reserved-context.json", "bad-reserved-context.json:5:91: context key \"history\" is set by stepguard; rename it"),
        ("bad-reserved-plan-context.json", "bad-reserved-plan-context.json:4:45: context key \"identity\" is set by stepguard; rename it"),
        ("bad-no-principal.json", "bad-no-principal.json:4:5: step \"a\" has no principal and the plan sets none"),
    ]

    @Test(arguments: planErrors)
    func malformedPlansGiveLocatedErrors(_ file: String, _ expected: String) {
        let path = fixture("loading/" + file)
        do {
            _ = try Plan.load(path)
            Issue.record("\(file) loaded without error")
        } catch {
            let text = error.description
            #expect(text.hasPrefix(fixtures + "/loading/" + expected), "\(text)")
        }
    }

    @Test func unknownActionIsLocatedWithASuggestion() throws {
        let plan = try Plan.load(fixture("loading/bad-unknown-action.json"))
        let catalog = try ActionCatalog.load(fixture("loading/tools.json"))
        #expect(throws: WorkflowError.self) { try plan.checkActions(catalog) }
        do {
            try plan.checkActions(catalog)
        } catch {
            #expect(error.location?.line == 5)
            #expect(error.location?.column == 28)
            #expect(error.message == "unknown action \"db.raed\"; did you mean \"db.read\"? add it to tools.json or fix the name")
        }
    }

    static let catalogErrors: [(String, String)] = [
        ("bad-catalog-flag.json", ":3:56: unknown flag \"loud\"; flags are external, irreversible, privileged, secret"),
        ("bad-catalog-effect.json", ":3:25: unknown effect \"erase\"; use \"read\", \"write\" or \"delete\""),
        ("bad-catalog-variant.json", ":3:69: unknown action \"sned.dry\"; did you mean \"send.dry\"?"),
        ("bad-catalog-counterpart.json", ":3:71: \"$resource.\" must name one attribute of the resource"),
    ]

    @Test(arguments: catalogErrors)
    func malformedCatalogsGiveLocatedErrors(_ file: String, _ expected: String) {
        let path = fixture("loading/" + file)
        do {
            _ = try ActionCatalog.load(path)
            Issue.record("\(file) loaded without error")
        } catch {
            #expect(error.description.hasPrefix(path + expected), "\(error.description)")
        }
    }

    @Test func readsTheCatalog() throws {
        let catalog = try ActionCatalog.load(fixture("loading/tools.json"))
        let write = try #require(catalog.actions["db.write"])
        #expect(write.effect == .write)
        #expect(write.flags == [.irreversible])
        #expect(write.tool == "postgres")
        #expect(write.variants.map(\.name) == ["read-only", "staging"])
        #expect(write.variant("read-only")?.action == "db.read")
        #expect(write.variant("staging")?.resource == .counterpart(attribute: "staging"))
    }

    @Test func unreadableFileSaysWhatToDo() {
        #expect(throws: WorkflowError.unreadable(file: "/nonexistent/plan.json", message: "No such file or directory")) {
            try Plan.load("/nonexistent/plan.json")
        }
    }

    @Test func entityReferences() {
        #expect(EntityRef(cedarText: "Ops::Service::\"api \\\"v2\\\"\"") == EntityRef(type: "Ops::Service", id: "api \"v2\""))
        #expect(EntityRef(cedarText: "Service::\"a\\u{1F600}\"")?.id == "a\u{1F600}")
        #expect(EntityRef(cedarText: "orders") == nil)
        #expect(EntityRef(cedarText: "1Bad::\"x\"") == nil)
        #expect(EntityRef(cedarText: "Service::\"x\" trailing") == nil)
        #expect(EntityRef.action("deploy") == EntityRef(type: "Action", id: "deploy"))
        #expect(EntityRef.action("Ops::Action::\"deploy\"").actionName == "Ops::Action::\"deploy\"")
        let tricky = EntityRef(type: "T", id: "a\"b\\c\n")
        #expect(EntityRef(cedarText: tricky.description) == tricky)
    }

    @Test func clockRoundTrips() {
        #expect(Clock(iso8601: "1970-01-01T00:00:00Z")?.epochSeconds == 0)
        #expect(Clock(iso8601: "2026-12-24T10:30:05Z")?.description == "2026-12-24T10:30:05Z")
        #expect(Clock(iso8601: "2024-02-29")?.description == "2024-02-29T00:00:00Z")
        #expect(Clock(iso8601: "2023-02-29") == nil)
        #expect(Clock(epochSeconds: -1).description == "1969-12-31T23:59:59Z")
    }

    @Test func defaultPolicyDirectoryPrefersThePlansOwnDirectory() {
        let own = fixture("loading/good-plan.json")
        #expect(PolicyDirectory.defaultPath(forPlan: own) == fixtures + "/loading")
    }
}

@Suite struct PolicyDirectoryTests {
    @Test func policySyntaxErrorsAreLocated() {
        do {
            _ = try PolicyBundle.load(path: fixture("bad-policy"))
            Issue.record("bad policy loaded")
        } catch {
            #expect(error.location?.file == fixture("bad-policy") + "/policies.cedar")
            #expect(error.location?.line == 5)
        }
    }

    @Test func entityErrorsAreLocated() {
        do {
            _ = try PolicyBundle.load(path: fixture("bad-entities"))
            Issue.record("bad entities loaded")
        } catch {
            #expect(error.description.hasPrefix(fixture("bad-entities") + "/entities.json:3:"), "\(error)")
        }
    }

    @Test func missingCatalogSaysWhatToDo() {
        #expect(throws: WorkflowError.policyDirectory(message: "\"\(fixtures)\" has no tools.json; add the action catalog (see docs/workflow.md)")) {
            try PolicyBundle.load(path: fixtures)
        }
    }

    @Test func noPolicyDirectoryNamesWhereItLooked() {
        #expect(throws: WorkflowError.policyDirectory(message: "policy directory \"/nonexistent\" does not exist; pass --policies DIR")) {
            try PolicyDirectory.resolve("/nonexistent", forPlan: "plan.json")
        }
    }

    @Test func listsFilesInNameOrder() throws {
        let directory = try PolicyDirectory(path: examples + "/release-pipeline")
        #expect(directory.policyFiles.map { PlanRewriter.baseName($0) } == ["00-permits.cedar", "10-deploy.cedar", "20-secrets.cedar", "30-edge.cedar", "40-approvals.cedar"])
        #expect(directory.schemaFile.map { PlanRewriter.baseName($0) } == "schema.cedarschema")
        #expect(directory.testFiles.map { PlanRewriter.baseName($0) } == ["release.json"])
        let bundle = try PolicyBundle.load(directory)
        #expect(bundle.policies.map(\.id) == [
            "release-agents-ship", "prod-deploys-need-release-manager", "signing-keys-need-approval", "no-agent-cdn-purges", "review-public-docs",
            "release-agents-change-production-only-by-deploy", "people-approve-held-steps", "no-agent-approves", "no-self-approval",
            "owner-not-sole-approver-of-irreversible",
        ])
        #expect(bundle.policies[4].isLogOnly)
        #expect(bundle.policies[2].approveGroup == "security-oncall")
        #expect(bundle.policies[2].quorum == 2)
        #expect(bundle.policies[1].quorum == 1)
    }

    @Test func badExtensionValueInArgsIsLocatedAtTheStep() throws {
        let bundle = try PolicyBundle.load(path: fixture("semantics"))
        let plan = try Plan.parse("""
            {"plan": "p", "principal": "Agent::\\"a\\"", "steps": [
              {"id": "s", "action": "probe", "resource": "Thing::\\"t\\"", "args": {"limit": {"__extn": {"fn": "decimal", "arg": "x"}}}}
            ]}
            """, file: "p.json")
        do {
            _ = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned)
            Issue.record("evaluated")
        } catch {
            #expect(error.location?.line == 2)
            #expect(error.message.hasPrefix("step \"s\": context.args"))
        }
    }
}

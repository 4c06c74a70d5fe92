import Cedar
import Foundation
import JSONValue
import Testing
@testable import Workflow

/// Step ids, action names, entity references and chain-fact names are told apart by code
/// points, as Cedar and the audit log tell them apart: two names that are canonically
/// equivalent (`é` precomposed and decomposed) but differ in bytes are two names.
struct ExactIdsTests {
    static let nfc = "caf\u{e9}", nfd = "cafe\u{301}"

    func json(_ text: String) -> String {
        text.replacingOccurrences(of: "NFC", with: Self.nfc).replacingOccurrences(of: "NFD", with: Self.nfd)
    }

    @Test func stepsWithEquivalentIdsAreTwoSteps() throws {
        #expect(Self.nfc == Self.nfd)  // what String's own equality would merge
        let plan = try Plan.parse(json("""
            {"plan": "p", "principal": "Agent::\\"a\\"", "steps": [
              {"id": "later", "action": "read", "resource": "Doc::\\"x\\"", "needs": ["NFD"]},
              {"id": "NFC", "action": "read", "resource": "Doc::\\"x\\""},
              {"id": "NFD", "action": "read", "resource": "Doc::\\"x\\"", "needs": ["NFC"]}
            ]}
            """), file: "plan.json")
        #expect(plan.steps.count == 3)
        #expect(plan.prerequisites == [[2], [], [1]])
        #expect(plan.evaluationOrder == [1, 2, 0])
    }

    @Test func aNeedMustNameAStepExactly() {
        #expect(throws: WorkflowError.self) {
            try Plan.parse(json("""
                {"plan": "p", "principal": "Agent::\\"a\\"", "steps": [
                  {"id": "NFC", "action": "read", "resource": "Doc::\\"x\\""},
                  {"id": "b", "action": "read", "resource": "Doc::\\"x\\"", "needs": ["NFD"]}
                ]}
                """), file: "plan.json")
        }
    }

    @Test func catalogActionsThatDifferOnlyInNormalizationAreRefused() throws {
        do {
            _ = try ActionCatalog.parse(Array(json(#"{"actions": {"NFC": {"effect": "read"}, "NFD": {"effect": "delete"}}}"#).utf8), file: "tools.json")
            Issue.record("two canonically equivalent action names were accepted")
        } catch {
            #expect(error.description.contains("differ only in Unicode normalization"), "\(error)")
        }
        // A step must name the catalog's action exactly.
        let catalog = try ActionCatalog.parse(Array(json(#"{"actions": {"NFC": {"effect": "read"}}}"#).utf8), file: "tools.json")
        #expect(catalog.action(named: Self.nfc) != nil)
        #expect(catalog.action(named: Self.nfd) == nil)
        let plan = try Plan.parse(json(#"{"plan": "p", "principal": "Agent::\"a\"", "steps": [{"id": "s", "action": "NFD", "resource": "Doc::\"x\""}]}"#), file: "plan.json")
        #expect(throws: WorkflowError.self) { try plan.checkActions(catalog) }
    }

    struct Labels: ResourceFacts {
        func labels(of resource: EntityRef) -> [String] { [resource.id] }
        func sensitivity(of resource: EntityRef) -> Int64 { 0 }
        func environment(of resource: EntityRef) -> String? { nil }
    }

    @Test func chainFactsKeepEquivalentLabelsAndActionsApart() throws {
        let catalog = try ActionCatalog.parse(Array(#"{"actions": {"read": {"effect": "read"}}}"#.utf8), file: "tools.json")
        let forms = [Self.nfc, Self.nfd].map { StepForm(action: "read", resource: EntityRef(type: "Doc", id: $0), args: JSONObject()) }
        let facts = ChainFacts(running: forms, catalog: catalog, resources: Labels())
        #expect(facts.labels.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) } == [Array(Self.nfd.utf8), Array(Self.nfc.utf8)])
        // The tallies a plan is decided with count them apart as well.
        var tally = ChainTally()
        for form in forms { tally.add(ChainContribution(form, catalog: catalog, resources: Labels())) }
        #expect(tally.facts().labels.count == 2)
        var less = ChainTally()
        less.add(ChainContribution(forms[0], catalog: catalog, resources: Labels()))
        #expect(tally.facts(removing: less).labels.map { Array($0.utf8) } == [Array(Self.nfd.utf8)])
        #expect(!tally.facts().agrees(with: tally.facts(removing: less), on: .labels))
        #expect(!tally.agrees(removing: less, with: tally.facts(), on: .labels, bounds: ChainBounds()))
        // The engine's sets of names, reused from one step to the next, are not reused for a
        // list of equivalent names.
        let engine = try PolicyBundle.make(
            policies: [(text: "permit (principal, action, resource);", file: "p.cedar")], entities: nil,
            catalog: (text: #"{"actions": {"read": {"effect": "read"}}}"#, file: "tools.json")).engine
        var values = ChainSolver.NameValues()
        var other = ChainTally()
        other.add(ChainContribution(forms[1], catalog: catalog, resources: Labels()))
        for removed in [less, other] {
            let facts = tally.facts(removing: removed)
            #expect(values.prepare(facts, engine: engine).value == (try engine.prepare(facts.json)).value)
        }
        // History read back from the log: only the session's own records, by exact id.
        let records: [JSONValue] = [Self.nfc, Self.nfd].map { plan in
            .object(JSONObject([("kind", "decision"), ("plan", .string(plan)), ("action", "read"),
                                ("resource", .string("Doc::\"\(plan)\"")), ("outcome", "allow")]))
        }
        let history = ChainFacts(records: records, plan: Self.nfd, catalog: catalog, resources: Labels())
        #expect(history.count == 1)
        #expect(history.labels.map { Array($0.utf8) } == [Array(Self.nfd.utf8)])
    }

    @Test func entityFactsKeepEquivalentIdsApart() throws {
        let (facts, _) = try EntityFacts.read(Array(json("""
            [{"uid": {"type": "File", "id": "NFC"}, "attrs": {"labels": ["secret"], "sensitivity": 4}},
             {"uid": {"type": "File", "id": "NFD"}, "attrs": {}}]
            """).utf8), file: "entities.json")
        #expect(facts.sensitivity(of: EntityRef(type: "File", id: Self.nfc)) == 4)
        #expect(facts.sensitivity(of: EntityRef(type: "File", id: Self.nfd)) == 0)
        #expect(facts.labels(of: EntityRef(type: "File", id: Self.nfd)).isEmpty)
        #expect(EntityRef(type: "File", id: Self.nfc) != EntityRef(type: "File", id: Self.nfd))
    }
}

extension ExactIdsTests {
    /// Remedies are found by policy id: two ids that differ only in normalization are refused,
    /// so one policy can never take the other's `@mutate` or `@approve`.
    @Test func policyIdsThatDifferOnlyInNormalizationAreRefused() {
        let policies = json("""
            @id("NFC") @mutate("safe") forbid (principal, action, resource);
            @id("NFD") forbid (principal, action, resource);
            """)
        do {
            _ = try PolicyBundle.make(
                policies: [(text: policies, file: "p.cedar")], entities: nil,
                catalog: (text: #"{"actions": {"read": {"effect": "read"}}}"#, file: "tools.json"))
            Issue.record("two canonically equivalent policy ids were accepted")
        } catch {
            #expect(error.description.contains("differ only in Unicode normalization"), "\(error)")
        }
    }
}

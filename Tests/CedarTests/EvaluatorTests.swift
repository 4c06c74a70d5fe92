import Foundation
import Testing
import JSONValue
@testable import Cedar

@Suite struct EvaluatorTests {
    static let entitiesJSON = """
        [
          {"uid": {"type": "User", "id": "alice"}, "attrs": {"age": 30, "boss": {"__entity": {"type": "User", "id": "bob"}},
           "home": {"__extn": {"fn": "ip", "arg": "10.1.2.3"}}, "limit": {"__extn": {"fn": "decimal", "args": ["1.5"]}}},
           "parents": [{"type": "Group", "id": "staff"}], "tags": {"team": "sec"}},
          {"uid": {"__entity": {"type": "User", "id": "bob"}}, "attrs": {}, "parents": []},
          {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": [{"type": "Group", "id": "all"}]},
          {"uid": {"type": "Group", "id": "all"}, "attrs": {}, "parents": []}
        ]
        """

    func eval(_ text: String, context: [ExactString: Value] = [:]) throws -> Result<Value, EvaluationError> {
        let entities = try Entities(json: try JSONParser.parse(Self.entitiesJSON))
        let request = Request(principal: EntityUID(type: "User", id: "alice"), action: EntityUID(type: "Action", id: "view"),
                              resource: EntityUID(type: "Doc", id: "d"), context: context)
        let ev = Evaluator(request: request, entities: entities)
        let e = try Parser.parseExpression(text)
        do throws(EvaluationError) { return .success(try ev.evaluate(e)) } catch { return .failure(error) }
    }

    @Test(arguments: [
        ("principal in Group::\"all\"", true), ("principal in [Group::\"x\", Group::\"staff\"]", true),
        ("User::\"nobody\" in Group::\"all\"", false), ("principal.boss == User::\"bob\"", true),
        ("principal.home.isInRange(ip(\"10.0.0.0/8\"))", true), ("principal.limit.lessThan(decimal(\"2.0\"))", true),
        ("principal has age && principal.age >= 30", true), ("User::\"nobody\" has age", false),
        ("principal has boss.x", false), ("{a: {b: 1}} has a.b", true), ("principal.hasTag(\"team\")", true),
        ("principal.getTag(\"team\") == \"sec\"", true), ("User::\"zz\".hasTag(\"team\")", false),
        ("\"a*b\" like \"a\\*b\"", true), ("\"axb\" like \"a\\*b\"", false), ("\"axxb\" like \"a*b\"", true), ("\"\" like \"*\"", true), ("\"ab\" like \"a\"", false),
        ("[1, 2] == [2, 1, 1]", true), ("{a: 1, b: [true]} == {b: [true], a: 1}", true), ("User::\"a\" == 1", false),
        ("decimal(\"1.0\") == decimal(\"1.0000\")", true), ("ip(\"10.0.0.1\") == ip(\"10.0.0.1/32\")", true),
        ("ip(\"10.0.0.1/24\") == ip(\"10.0.0.0/24\")", false), ("ip(\"127.0.0.2\").isLoopback()", true),
        ("ip(\"127.0.0.1/4\").isLoopback()", false), ("ip(\"::1\").isLoopback()", true), ("ip(\"ff02::1\").isMulticast()", true),
        ("ip(\"2001:db8::1\").isInRange(ip(\"2001:db8::/32\"))", true), ("ip(\"10.0.0.1\").isInRange(ip(\"::/0\"))", false),
        ("datetime(\"2024-10-15T11:38:02.101+1134\") == datetime(\"2024-10-15T00:04:02.101Z\")", true),
        ("datetime(\"1969-12-31T23:00:00Z\").toDate() == datetime(\"1969-12-31\")", true),
        ("datetime(\"1969-12-31T23:00:00Z\").toTime() == duration(\"23h\")", true),
        ("datetime(\"2024-01-02\").durationSince(datetime(\"2024-01-01\")) == duration(\"1d\")", true),
        ("datetime(\"2024-01-01\").offset(duration(\"-1ms\")) < datetime(\"2024-01-01\")", true),
        ("duration(\"-1d2h\").toHours() == -26", true), ("duration(\"90s\").toMinutes() == 1", true),
        ("-9223372036854775808 < 0", true), ("if principal is User then true else 1", true),
        ("false && (1 + \"a\")", false), ("true || context.missing", true),
        ("principal is User in Group::\"all\"", true), ("principal is Doc in 1", false),
    ])
    func holds(_ text: String, _ expected: Bool) throws {
        #expect(try eval(text).get() == .bool(expected), "\(text)")
    }

    @Test(arguments: [
        "9223372036854775807 + 1", "-(-9223372036854775807 - 1)", "4611686018427387904 * 2", "1 < \"a\"",
        "decimal(\"1.0\") < decimal(\"2.0\")", "context.missing", "principal.nothing", "User::\"zz\".age",
        "principal in [Group::\"staff\", 1]", "1 in Group::\"all\"", "principal.getTag(\"nope\")", "User::\"zz\".getTag(\"a\")",
        "decimal(\"1.12345\")", "decimal(\"922337203685477.5808\")", "ip(\"01.2.3.4\")", "ip(\"::ffff:1.2.3.4\")", "ip(\"10.0.0.1/33\")",
        "datetime(\"2023-02-29\")", "datetime(\"2024-01-01T24:00:00Z\")", "datetime(\"2024-01-01T10:00:00\")",
        "duration(\"1m1h\")", "duration(\"\")", "duration(\"9223372036854775807d\")", "ip(\"1.2.3.4\").isIpv4(1)",
        "[1].containsAll(1)", "\"a\".contains(\"a\")", "!1", "if 1 then true else false", "principal is User in 1",
        "datetime(\"2024-01-01\") < duration(\"1h\")",
    ])
    func errors(_ text: String) throws {
        if case .success(let v) = try eval(text) { Issue.record("\(text) evaluated to \(v), expected an error") }
    }

    @Test func decimalAndDurationForms() throws {
        #expect(try CedarDecimal.parse("-922337203685477.5808").get().scaled == Int64.min)
        #expect(try CedarDecimal.parse("-0.5").get().scaled == -5000)
        #expect((try? CedarDecimal.parse("1").get()) == nil)
        #expect(try CedarDuration.parse("1d2h3m4s5ms").get().milliseconds == 93_784_005)
        #expect(try CedarDuration.parse("-1ms").get().milliseconds == -1)
        #expect(try CedarDatetime.parse("1970-01-01T00:00:01.500Z").get().epochMilliseconds == 1500)
        #expect(try CedarDatetime.parse("0000-01-01").get().epochMilliseconds == -62_167_219_200_000)
        #expect(try IPAddress.parse("1:2:3:4:5:6:7:8/64").get().prefix == 64)
        #expect((try? IPAddress.parse("1:2:3:4:5:6:7:8:9").get()) == nil)
    }
}

@Suite struct EntitiesTests {
    @Test func cycleIsRejectedNamingTheEntity() throws {
        let json = try JSONParser.parse("""
            [{"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "b"}]},
             {"uid": {"type": "G", "id": "b"}, "attrs": {}, "parents": [{"type": "G", "id": "a"}]}]
            """)
        do {
            _ = try Entities(json: json)
            Issue.record("cycle accepted")
        } catch {
            #expect(error.message.contains("cycle"))
            #expect(error.message.contains("G::\""))
        }
        let selfLoop = try JSONParser.parse("[{\"uid\": {\"type\": \"G\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": [{\"type\": \"G\", \"id\": \"a\"}]}]")
        #expect(throws: CedarError.self) { _ = try Entities(json: selfLoop) }
    }

    @Test func longChainHasTransitiveAncestors() throws {
        var list: [Entity] = []
        for i in 0..<5_000 {
            list.append(Entity(uid: EntityUID(type: "N", id: "\(i)"), parents: i + 1 < 5_000 ? [EntityUID(type: "N", id: "\(i + 1)")] : []))
        }
        let store = try Entities(list)
        #expect(store.isDescendant(EntityUID(type: "N", id: "4990"), of: EntityUID(type: "N", id: "4999")))
        #expect(!store.isDescendant(EntityUID(type: "N", id: "4999"), of: EntityUID(type: "N", id: "0")))
        #expect(store.isDescendant(EntityUID(type: "N", id: "0"), of: EntityUID(type: "N", id: "4999")))
        #expect(store.ancestors(of: EntityUID(type: "N", id: "0"))?.count == 4_999)
    }

    @Test func locatedErrorsInEntityFiles() {
        let text = "[\n  {\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"attrs\": {\"x\": null}, \"parents\": []}\n]"
        do {
            _ = try Entities(jsonBytes: Array(text.utf8), file: "e.json")
            Issue.record("null accepted")
        } catch {
            #expect(error.description.hasPrefix("e.json:2:"))
            #expect(error.message.contains("null"))
        }
        #expect(throws: CedarError.self) { _ = try Entities(jsonBytes: Array("[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"attrs\": {\"x\": 1.5}}]".utf8), file: "e.json") }
        #expect(throws: CedarError.self) { _ = try Entities(jsonBytes: Array("[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}}]".utf8), file: "e.json") }
    }

    @Test func valueJSONRoundTrip() throws {
        let json = try JSONParser.parse("""
            {"e": {"__entity": {"type": "A::B", "id": "x"}}, "d": {"__extn": {"fn": "decimal", "arg": "1.5"}},
             "s": [1, 1, 2], "r": {"__entity": {"type": "U", "id": "u"}, "other": 1}, "fnarg": {"fn": "ip", "arg": "1.2.3.4"}}
            """)
        let v = try Value(json: json)
        guard case .record(let r) = v else { Issue.record("not a record"); return }
        #expect(r["e"] == .entity(EntityUID(type: "A::B", id: "x")))
        #expect(r["d"] == .decimal(CedarDecimal(scaled: 15000)))
        #expect(r["s"] == .set([.long(1), .long(2)]))
        if case .record(let inner) = r["r"]! { #expect(inner.count == 2) } else { Issue.record("escape with extra keys is a record") }
        if case .record = r["fnarg"]! {} else { Issue.record("a bare fn/arg object is a record") }
        #expect(try Value(json: v.json) == v)
    }
}

@Suite struct AuthorizerTests {
    let alice = EntityUID(type: "User", id: "alice")
    let view = EntityUID(type: "Action", id: "view")
    let doc = EntityUID(type: "Doc", id: "d")

    @Test func forbidOverridesAndErrorsAreReported() throws {
        let set = try PolicySet(text: """
            @id("p") permit(principal, action, resource);
            @id("f") forbid(principal == User::"alice", action, resource) when { context.block };
            @id("e") permit(principal, action, resource) when { context.nope };
            """, file: "a.cedar")
        let entities = Entities()
        let deny = Authorizer.isAuthorized(Request(principal: alice, action: view, resource: doc, context: ["block": .bool(true)]), policies: set, entities: entities)
        #expect(deny.decision == .deny)
        #expect(deny.reasons == ["f"])
        #expect(deny.errors.map(\.policyID) == ["e"])
        let allow = Authorizer.isAuthorized(Request(principal: alice, action: view, resource: doc, context: ["block": .bool(false)]), policies: set, entities: entities)
        #expect(allow.decision == .allow)
        #expect(allow.reasons == ["p"])
        let positional = try PolicySet(text: "@id(\"p\") permit(principal, action, resource);", file: "a.cedar", idScheme: .positional)
        #expect(positional.policies[0].id == "policy0")
        #expect(Authorizer.isAuthorized(Request(principal: alice, action: view, resource: doc), policies: Self.noPolicies, entities: entities).decision == .deny)
    }

    static let noPolicies = try! PolicySet(text: "", file: "empty.cedar")

    @Test func idsAcrossFilesAndDuplicates() throws {
        let set = try PolicySet(sources: [("permit(principal, action, resource);", "a.cedar"), ("forbid(principal, action, resource);", "b.cedar")])
        #expect(set.policies.map(\.id) == ["policy0", "policy1"])
        #expect(set.policies[1].file == "b.cedar")
        #expect(throws: CedarError.self) {
            _ = try PolicySet(text: "@id(\"x\") permit(principal, action, resource); @id(\"x\") forbid(principal, action, resource);", file: "d.cedar")
        }
    }

    @Test func templatesOnlyThroughLinks() throws {
        var set = try PolicySet(text: "@id(\"t\") permit(principal == ?principal, action, resource in ?resource);", file: "t.cedar")
        let entities = try Entities([Entity(uid: doc, parents: [EntityUID(type: "Folder", id: "f")])])
        let req = Request(principal: alice, action: view, resource: doc)
        #expect(Authorizer.isAuthorized(req, policies: set, entities: entities).decision == .deny)
        set = try set.linking(template: "t", as: "link1", values: [.principal: alice, .resource: EntityUID(type: "Folder", id: "f")])
        let r = Authorizer.isAuthorized(req, policies: set, entities: entities)
        #expect(r.decision == .allow)
        #expect(r.reasons == ["link1"])
        #expect(throws: CedarError.self) { _ = try set.linking(template: "t", as: "link2", values: [.principal: alice]) }
    }

    @Test func scopeIndexAgreesWithFullScan() throws {
        var text = ""
        for i in 0..<60 {
            let p = ["principal", "principal == User::\"u\(i % 5)\"", "principal in Group::\"g\(i % 3)\"", "principal is User", "principal is User in Group::\"g0\""][i % 5]
            let a = ["action", "action == Action::\"a\(i % 4)\"", "action in [Action::\"a1\", Action::\"all\"]", "action in Action::\"all\""][i % 4]
            let r = ["resource", "resource == Doc::\"d\(i % 7)\"", "resource in Folder::\"f\(i % 2)\"", "resource is Doc"][i % 4]
            text += "permit(\(p), \(a), \(r));\n"
        }
        let set = try PolicySet(text: text, file: "i.cedar", idScheme: .positional)
        var ents: [Entity] = []
        for u in 0..<5 { ents.append(Entity(uid: EntityUID(type: "User", id: "u\(u)"), parents: [EntityUID(type: "Group", id: "g\(u % 3)")])) }
        for g in 1..<3 { ents.append(Entity(uid: EntityUID(type: "Group", id: "g\(g)"), parents: [EntityUID(type: "Group", id: "g0")])) }
        for a in 0..<4 { ents.append(Entity(uid: EntityUID(type: "Action", id: "a\(a)"), parents: a % 2 == 0 ? [EntityUID(type: "Action", id: "all")] : [])) }
        for d in 0..<7 { ents.append(Entity(uid: EntityUID(type: "Doc", id: "d\(d)"), parents: [EntityUID(type: "Folder", id: "f\(d % 3)")])) }
        let entities = try Entities(ents)
        for u in 0..<6 { for a in 0..<5 { for d in 0..<8 {
            let req = Request(principal: EntityUID(type: u == 5 ? "Bot" : "User", id: "u\(u)"), action: EntityUID(type: "Action", id: "a\(a)"),
                              resource: EntityUID(type: "Doc", id: "d\(d)"))
            let ev = Evaluator(request: req, entities: entities)
            let expected = set.evaluable.filter { ev.scopeMatches($0) }.map(\.id)
            #expect(Authorizer.isAuthorized(req, policies: set, entities: entities).reasons == expected)
        } } }
    }

    @Test func deepPolicyEvaluatesWithoutExhaustingTheStack() throws {
        let chain = Array(repeating: "1", count: 900).joined(separator: " + ")
        let set = try PolicySet(text: "permit(principal, action, resource) when { \(chain) == 900 };", file: "deep.cedar")
        let r = Authorizer.isAuthorized(Request(principal: alice, action: view, resource: doc), policies: set, entities: Entities())
        #expect(r.decision == .allow)
    }
}

@Suite struct RequestTests {
    @Test func requestFromJSONInBothUidForms() throws {
        let r = try Request(json: try JSONParser.parse("""
            {"principal": "Ns::User::\\"al\\\\\\"ice\\"", "action": {"type": "Action", "id": "view"},
             "resource": {"__entity": {"type": "Doc", "id": "d"}}, "context": {"ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}}}
            """))
        #expect(r.principal == EntityUID(type: "Ns::User", id: "al\"ice"))
        #expect(r.action == EntityUID(type: "Action", id: "view"))
        #expect(r.resource == EntityUID(type: "Doc", id: "d"))
        #expect(r.context["ip"] == .ipaddr(try IPAddress.parse("10.0.0.1").get()))
        #expect(throws: CedarError.self) { _ = try Request(json: try JSONParser.parse("{\"principal\": \"User\", \"action\": \"Action::\\\"a\\\"\", \"resource\": \"R::\\\"r\\\"\"}")) }
        #expect(throws: CedarError.self) { _ = try Request(json: try JSONParser.parse("{\"principal\": \"U::\\\"a\\\"\", \"action\": \"Action::\\\"a\\\"\", \"resource\": \"R::\\\"r\\\"\", \"context\": [1]}")) }
    }
}

@Suite struct EscapeTests {
    /// Objects that do not have an escape's exact shape are records, as in the reference engine.
    @Test(arguments: [
        "{\"__entity\": {\"type\": \"User\", \"id\": \"b\"}, \"y\": 1}", "{\"__entity\": \"User::\\\"b\\\"\"}",
        "{\"__entity\": {\"type\": 1, \"id\": \"b\"}}", "{\"__extn\": {\"fn\": \"ip\"}}",
        "{\"__extn\": {\"fn\": \"ip\", \"arg\": \"1.2.3.4\"}, \"y\": 1}",
    ])
    func nonEscapesAreRecords(_ text: String) throws {
        let v = try Value(json: try JSONParser.parse(text))
        if case .record = v {} else { Issue.record("\(text) read as \(v)") }
    }

    @Test func escapeErrors() throws {
        #expect(throws: CedarError.self) { _ = try Value(json: try JSONParser.parse("{\"__extn\": {\"fn\": \"ip\", \"arg\": 1}}")) }
        #expect(throws: CedarError.self) { _ = try Value(json: try JSONParser.parse("{\"__extn\": {\"fn\": \"nope\", \"arg\": \"1\"}}")) }
        #expect(throws: CedarError.self) { _ = try Value(json: try JSONParser.parse("{\"__entity\": {\"type\": \"1bad\", \"id\": \"b\"}}")) }
        let extraInside = try Value(json: try JSONParser.parse("{\"__extn\": {\"fn\": \"ip\", \"arg\": \"1.2.3.4\", \"z\": 1}}"))
        if case .ipaddr = extraInside {} else { Issue.record("extra keys inside an escape are ignored") }
    }
}

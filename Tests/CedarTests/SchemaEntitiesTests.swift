import Foundation
import JSONValue
import Testing
@testable import Cedar

@Suite("Schema-based entities, contexts and requests")
struct SchemaEntitiesTests {
    static let agents = try! SchemaFixtures.schema("schema/agents.cedarschema")

    static let repoAttrs = """
        "environment": {"type": "Gov::Environment", "id": "prod"}, "sensitivity": 3,
        "created": "2024-01-01", "ttl": "1h", "budget": "1.5"
        """

    func entities(_ text: String) throws(CedarError) -> Entities {
        try Self.agents.entities(jsonBytes: Array(text.utf8), file: "e.json")
    }

    func entityError(_ text: String) -> String? {
        do {
            _ = try entities(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func valuesAreReadByTheirDeclaredTypes() throws {
        let e = try entities("""
            [
              {"uid": {"type": "Gov::Agent", "id": "a"},
               "attrs": {"owner": {"type": "Gov::Team", "id": "t"}, "spiffe": "spiffe://x", "labels": ["x", "y"],
                         "net": {"ip": "10.0.0.1", "trust level": 2}},
               "parents": [{"type": "Gov::Team", "id": "t"}], "tags": {"tier": "gold"}},
              {"uid": {"type": "Gov::Repo", "id": "r"}, "attrs": {\(Self.repoAttrs)}, "parents": []}
            ]
            """)
        let agent = try #require(e[EntityUID(type: "Gov::Agent", id: "a")])
        #expect(agent.attributes["owner"] == .entity(EntityUID(type: "Gov::Team", id: "t")))
        #expect(agent.attributes["labels"] == .set([.string("x"), .string("y")]))
        guard case .record(let net)? = agent.attributes["net"], case .ipaddr? = net["ip"] else {
            Issue.record("net.ip should be an ipaddr: \(String(describing: agent.attributes["net"]))")
            return
        }
        #expect(net["trust level"] == .long(2))
        #expect(agent.tags["tier"] == .string("gold"))
        let repo = try #require(e[EntityUID(type: "Gov::Repo", id: "r")])
        #expect(repo.attributes["budget"] == .decimal(try CedarDecimal.parse("1.5").get()))
        #expect(repo.attributes["ttl"] == .duration(try CedarDuration.parse("1h").get()))
        #expect(repo.attributes["created"] == .datetime(try CedarDatetime.parse("2024-01-01").get()))
        #expect(repo.attributes["environment"] == .entity(EntityUID(type: "Gov::Environment", id: "prod")))
        // The schema's actions are entities too, with their groups as parents.
        #expect(e.isDescendant(EntityUID(type: "Gov::Action", id: "deploy"), of: EntityUID(type: "Gov::Action", id: "access")))
        #expect(e.count == 2 + 5)
    }

    @Test(arguments: [
        (#"[{"uid": {"type": "Gov::Repo", "id": "r"}, "attrs": {"sensitivity": 3}, "parents": []}]"#,
         "e.json:1:53: missing required attribute `budget` of the entity type `Gov::Repo`"),
        (#"[{"uid": {"type": "Gov::Team", "id": "t"}, "attrs": {"extra": 1}, "parents": []}]"#,
         "e.json:1:63: attribute `extra` is not declared in the schema for the entity type `Gov::Team`; no attributes are declared"),
        (#"[{"uid": {"type": "Gov::Agent", "id": "a"}, "attrs": {"owner": {"type": "Gov::Team", "id": "t"}, "spiffe": 1, "labels": []}, "parents": []}]"#,
         "e.json:1:108: type mismatch: value was expected to have type String, but it actually has type long: `1`"),
        (#"[{"uid": {"type": "Gov::Team", "id": "t"}, "attrs": {}, "parents": [{"type": "Gov::Agent", "id": "a"}]}]"#,
         "e.json:1:69: Gov::Team::\"t\" is not allowed to have a parent of type `Gov::Agent` according to the schema; entities of this type cannot have parents"),
        (#"[{"uid": {"type": "Gov::Tem", "id": "t"}, "attrs": {}, "parents": []}]"#,
         "e.json:1:10: entity Gov::Tem::\"t\" has type `Gov::Tem`, which is not declared in the schema; did you mean `Gov::Team`?"),
        (#"[{"uid": {"type": "Gov::Environment", "id": "qa"}, "attrs": {}, "parents": []}]"#,
         "e.json:1:10: entity Gov::Environment::\"qa\" is of an enumerated entity type, but `\"qa\"` is not one of its ids (\"dev\", \"staging\", \"prod\")"),
        (#"[{"uid": {"type": "Gov::Team", "id": "t"}, "attrs": {}, "parents": [], "tags": {"a": "b"}}]"#,
         "e.json:1:80: entities of type `Gov::Team` cannot have tags; the schema declares none"),
        (#"[{"uid": {"type": "Gov::Action", "id": "read"}, "attrs": {}, "parents": []}]"#,
         "e.json:1:73: definition of action Gov::Action::\"read\" does not match its schema declaration: its ancestors in the entity data are none, the schema's are Gov::Action::\"access\"; list the action's groups as the schema declares them, or leave the action out of the entity data"),
        (#"[{"uid": {"type": "Gov::Action", "id": "zzz"}, "attrs": {}, "parents": []}]"#,
         "e.json:1:10: found action entity Gov::Action::\"zzz\", but it was not declared as an action in the schema"),
        (#"[{"uid": {"type": "Gov::Team", "id": "t"}, "parents": []}]"#,
         "e.json:1:2: missing field `attrs` on Gov::Team::\"t\"; write `\"attrs\": {}` for an entity without attributes"),
        (#"[{"uid": {"type": "Gov::Agent", "id": "a"}, "attrs": {"owner": {"type": "Gov::Agent", "id": "t"}, "spiffe": "s", "labels": []}, "parents": []}]"#,
         "e.json:1:64: type mismatch: value was expected to have type Gov::Team, but it actually has type (entity of type `Gov::Agent`): `Gov::Agent::\"t\"`"),
        (#"[{"uid": {"type": "Gov::Agent", "id": "a"}, "attrs": {"owner": {"type": "Gov::Team", "id": "t"}, "spiffe": "s", "labels": [], "net": {"ip": "bogus"}}, "parents": []}]"#,
         "e.json:1:141: `\"bogus\"` is not a valid ipaddr: invalid IP address: bogus"),
    ])
    func entityErrorsAreLocated(text: String, expected: String) {
        #expect(entityError(text) == expected)
    }

    @Test func identicalDuplicatesAndMatchingActionsAreAccepted() throws {
        let e = try entities("""
            [{"uid": {"type": "Gov::Team", "id": "t"}, "attrs": {}, "parents": []},
             {"uid": {"type": "Gov::Team", "id": "t"}, "attrs": {}, "parents": []},
             {"uid": {"type": "Gov::Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Gov::Action", "id": "access"}]}]
            """)
        #expect(e.count == 1 + 5)
    }

    @Test func actionGroupsWorkWithoutActionEntitiesInTheData() throws {
        let schema = Self.agents
        let policies = try PolicySet(text: """
            permit(principal, action in Gov::Action::"access", resource) when { context.step > 1 };
            """, file: "p.cedar", idScheme: .positional)
        #expect(Validator.validate(policies: policies, schema: schema).isEmpty)
        let entities = try schema.entities(json: .array([]))
        let context = try schema.context(for: EntityUID(type: "Gov::Action", id: "deploy"), json: try JSONParser.parse(
            #"{"step": 2, "history": {"actions": ["clone"], "external": false}}"#))
        let request = Request(
            principal: EntityUID(type: "Gov::Agent", id: "a"), action: EntityUID(type: "Gov::Action", id: "deploy"),
            resource: EntityUID(type: "Gov::Repo", id: "r"), context: context)
        try schema.validate(request: request)
        let response = Authorizer.isAuthorized(request, policies: policies, entities: entities)
        #expect(response.decision == .allow)
        #expect(response.reasons == ["policy0"])
    }

    @Test func contextsAreReadByTheActionsContextType() throws {
        let clone = EntityUID(type: "Gov::Action", id: "clone")
        let c = try Self.agents.context(for: clone, json: try JSONParser.parse(#"{"ip": "192.168.0.1/24"}"#))
        guard case .ipaddr? = c["ip"] else {
            Issue.record("ip should be an ipaddr")
            return
        }
        func contextError(_ action: EntityUID, _ json: String) -> String? {
            do {
                _ = try Self.agents.context(for: action, json: try JSONParser.parse(json))
                return nil
            } catch let error as CedarError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        #expect(contextError(clone, "{}") == "invalid context: missing required attribute `ip` of the context for Gov::Action::\"clone\"")
        #expect(contextError(clone, #"{"ip": "1.1.1.1", "port": 1}"#)
                == "invalid context at `port`: attribute `port` is not declared in the schema for the context for Gov::Action::\"clone\"; declared: `ip`, `trust level`")
        #expect(contextError(EntityUID(type: "Gov::Action", id: "nope"), "{}")
                == "action Gov::Action::\"nope\" is not declared in the schema; declare it or fix the request")
    }

    @Test func requestsAreValidatedAgainstAppliesTo() throws {
        let schema = Self.agents
        func requestError(_ p: EntityUID, _ a: String, _ r: EntityUID, _ context: [ExactString: Value] = [:]) -> String? {
            do {
                try schema.validate(request: Request(principal: p, action: EntityUID(type: "Gov::Action", id: a), resource: r, context: context))
                return nil
            } catch {
                return error.description
            }
        }
        let agent = EntityUID(type: "Gov::Agent", id: "a")
        let repo = EntityUID(type: "Gov::Repo", id: "r")
        let ip = Value.ipaddr(try IPAddress.parse("1.1.1.1").get())
        #expect(requestError(agent, "clone", repo, ["ip": ip]) == nil)
        #expect(requestError(repo, "clone", repo, ["ip": ip])
                == "principal type `Gov::Repo` is not valid for Gov::Action::\"clone\"; valid principal types: `Gov::Agent`")
        #expect(requestError(agent, "clone", EntityUID(type: "Gov::Secret", id: "s"), ["ip": ip])
                == "resource type `Gov::Secret` is not valid for Gov::Action::\"clone\"; valid resource types: `Gov::Repo`")
        #expect(requestError(agent, "clon", repo) == "request's action Gov::Action::\"clon\" is not declared in the schema; did you mean Gov::Action::\"clone\"?")
        #expect(requestError(agent, "clone", repo, ["ip": .string("1.1.1.1")])
                == "context is not valid for Gov::Action::\"clone\": expected ipaddr at `ip`, found string `\"1.1.1.1\"`")
        #expect(requestError(agent, "clone", repo) == "context is not valid for Gov::Action::\"clone\": missing required attribute `ip`")
        #expect(requestError(EntityUID(type: "Gov::Nope", id: "x"), "clone", repo, ["ip": ip]) == "principal type `Gov::Nope` is not declared in the schema")
    }
}

@Suite("Schema-based parsing of hostile input")
struct SchemaEntitiesHostileTests {
    @Test func deeplyNestedValuesAreReadOrRejectedWithoutCrashing() throws {
        let depth = 120
        let schema = try Schema.parse("entity E { v: " + String(repeating: "Set<", count: depth) + "Long" + String(repeating: ">", count: depth) + " };")
        let value = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        let e = try schema.entities(jsonBytes: Array(#"[{"uid": {"type": "E", "id": "e"}, "attrs": {"v": \#(value)}, "parents": []}]"#.utf8), file: "e.json")
        #expect(e.count == 1)
        let shallow = try Schema.parse("entity E { v: Set<Long> };")
        let deep = String(repeating: "[", count: 400) + "1" + String(repeating: "]", count: 400)
        do {
            _ = try shallow.entities(jsonBytes: Array(#"[{"uid": {"type": "E", "id": "e"}, "attrs": {"v": \#(deep)}, "parents": []}]"#.utf8), file: "e.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "e.json:1:52: type mismatch: value was expected to have type Long, but it actually has type set: `" + String(repeating: "[", count: 77) + "...`")
            #expect(error.description.hasPrefix("e.json:1:52: type mismatch: value was expected to have type Long, but it actually has type set"))
        }
    }

    @Test func parentCyclesAreRejected() throws {
        let schema = try Schema.parse("entity G in [G];")
        do {
            _ = try schema.entities(jsonBytes: Array(#"[{"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "b"}]}, {"uid": {"type": "G", "id": "b"}, "attrs": {}, "parents": [{"type": "G", "id": "a"}]}]"#.utf8), file: "e.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("cycle"))
        }
    }
}

@Suite("Schema-based entities against the reference")
struct SchemaEntitiesReferenceTests {
    /// Random entity data (valid data with a few mutations): accepted or rejected as the
    /// reference engine does.
    @Test func acceptsExactlyWhatTheReferenceAccepts() throws {
        let doc = try JSONParser.parse(try SchemaFixtures.bytes("entities/agents-cases.json"))
        let schema = try SchemaFixtures.schema(doc["schema"]!.stringValue!)
        var agree = 0
        let cases = doc["cases"]!.arrayValue!
        for c in cases {
            let text = c["entities"]!.stringValue!
            let want = c["accepted"]!.boolValue!
            var got = true
            var message = ""
            do {
                _ = try schema.entities(jsonBytes: Array(text.utf8), file: "e.json")
            } catch {
                got = false
                message = error.description
            }
            if got == want {
                agree += 1
            } else {
                Issue.record("\(text)\n  reference \(want ? "accepts" : "rejects: " + c["reference"]!.stringValue!); got \(got ? "accepted" : message)")
            }
        }
        print("schema entities: \(agree)/\(cases.count) reference verdicts agree")
        #expect(agree == cases.count)
    }
}

@Suite("Schema-based requests against the reference")
struct SchemaRequestReferenceTests {
    /// Random requests (types, actions and contexts, valid and not): accepted or rejected as the
    /// reference engine does when it builds a request with a schema.
    @Test func acceptsExactlyWhatTheReferenceAccepts() throws {
        let doc = try JSONParser.parse(try SchemaFixtures.bytes("requests/agents-cases.json"))
        let schema = try SchemaFixtures.schema(doc["schema"]!.stringValue!)
        var agree = 0
        let cases = doc["cases"]!.arrayValue!
        for c in cases {
            let r = c["request"]!
            let want = c["accepted"]!.boolValue!
            var got = true
            var message = ""
            do {
                let action = try EntityUID(json: r["action"]!)
                let context = try schema.context(for: action, json: r["context"]!)
                try schema.validate(request: Request(
                    principal: try EntityUID(json: r["principal"]!), action: action,
                    resource: try EntityUID(json: r["resource"]!), context: context))
            } catch {
                got = false
                message = error.description
            }
            if got == want {
                agree += 1
            } else {
                Issue.record("\(JSONWriter.compact(r))\n  reference \(want ? "accepts" : "rejects: " + c["reference"]!.stringValue!); got \(got ? "accepted" : message)")
            }
        }
        print("schema requests: \(agree)/\(cases.count) reference verdicts agree")
        #expect(agree == cases.count)
    }
}

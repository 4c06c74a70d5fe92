import Foundation
import JSONValue
import Testing
@testable import Cedar

enum SchemaFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    static func schema(_ relative: String) throws -> Schema {
        try Schema.load(source: try bytes(relative), file: relative)
    }
}

/// The error a schema text produces, as `line:col: message`.
private func schemaError(_ text: String, json: Bool = false) -> String? {
    do {
        _ = json ? try Schema.parseJSON(text, file: "s") : try Schema.parse(text, file: "s")
        return nil
    } catch {
        return "\(error.span?.start.line ?? 0):\(error.span?.start.column ?? 0): \(error.message)"
    }
}

@Suite("Schema parsers")
struct SchemaParserTests {
    @Test(arguments: [
        ("cedar-integration/sample-data/sandbox_a/schema.cedarschema", "schema/sandbox_a.cedarschema.json"),
        ("cedar-integration/sample-data/sandbox_b/schema.cedarschema", "schema/sandbox_b.cedarschema.json"),
        ("cedar-integration/sample-data/sandbox_b/schema_exts.cedarschema", "schema/sandbox_b_exts.cedarschema.json"),
        ("schema/agents.cedarschema", "schema/agents.cedarschema.json"),
    ])
    func bothFormatsGiveTheSameModel(cedar: String, json: String) throws {
        let a = try SchemaFixtures.schema(cedar)
        let b = try SchemaFixtures.schema(json)
        #expect(a == b)
        #expect(a.entityTypeNames == b.entityTypeNames)
        #expect(a.actionUIDs == b.actionUIDs)
        #expect(!a.entityTypes.isEmpty)
    }

    @Test func sandboxA() throws {
        let s = try SchemaFixtures.schema("cedar-integration/sample-data/sandbox_a/schema.cedarschema")
        #expect(s.entityTypeNames == ["Account", "AccountGroup", "Administrator", "Album", "Photo", "User", "UserGroup", "Video"])
        #expect(s.entityType("Photo")?.memberOfTypes == ["Account", "Album"])
        let view = try #require(s.action(EntityUID(type: "Action", id: "view")))
        #expect(view.principalTypes == ["User", "Administrator"])
        #expect(view.resourceTypes == ["Photo", "Video"])
        #expect(view.context.attributes["source_ip"]?.type == .extension("ipaddr"))
        #expect(view.context.attributes["confidence_score"]?.type == .extension("decimal"))
        #expect(s.entityTypes(in: "Account") == ["Account", "Album", "Photo", "Video"])
        #expect(s.entityTypes(in: "UserGroup") == ["UserGroup", "User"])
        #expect(s.requestEnvironments.count == 2 + 3 + 1 + 4)
    }

    @Test func agentsSchemaResolvesEveryKindOfName() throws {
        let s = try SchemaFixtures.schema("schema/agents.cedarschema")
        let agent = try #require(s.entityType("Gov::Agent"))
        #expect(agent.memberOfTypes == ["Gov::Team"])
        #expect(agent.tags == .string)
        #expect(agent.shape.attributes["owner"]?.type == .entity("Gov::Team"))
        #expect(agent.shape.attributes["labels"]?.type == .set(.string))
        let net = try #require(agent.shape.attributes["net"])
        #expect(!net.required)
        guard case .record(let netRecord) = net.type else {
            Issue.record("net should be a record")
            return
        }
        #expect(netRecord.attributes["ip"]?.type == .extension("ipaddr"))
        #expect(netRecord.attributes["trust level"]?.required == false)
        #expect(s.entityType("Gov::Environment")?.enumValues == ["dev", "staging", "prod"])
        let repo = try #require(s.entityType("Gov::Repo"))
        #expect(repo.shape.attributes["environment"]?.type == .entity("Gov::Environment"))
        #expect(repo.shape.attributes["ttl"]?.type == .extension("duration"))
        #expect(repo.shape.attributes["staging"]?.type == .entity("Gov::Repo"))
        #expect(s.entityType("Gov::Secret")?.shape == repo.shape)
        let deploy = try #require(s.action(EntityUID(type: "Gov::Action", id: "deploy")))
        #expect(deploy.memberOf == [EntityUID(type: "Gov::Action", id: "access"), EntityUID(type: "Gov::Action", id: "write")])
        #expect(deploy.annotations == ["doc": "deploys"])
        #expect(deploy.context.attributes["approvedBy"] == AttributeDecl(type: .entity("Gov::Team"), required: false, annotations: ["doc": "optional"]))
        #expect(s.actionAncestors(EntityUID(type: "Gov::Action", id: "deploy")) == [
            EntityUID(type: "Gov::Action", id: "access"), EntityUID(type: "Gov::Action", id: "write"),
        ])
        #expect(s.actions(inAnyOf: [EntityUID(type: "Gov::Action", id: "access")])?.count == 4)
        #expect(s.isKnownEntityType("Gov::Action"))
        #expect(s.namespaces["Gov"] == ["doc": "shared definitions"])
        let clone = try #require(s.action(EntityUID(type: "Gov::Action", id: "clone")))
        #expect(clone.context == netRecord)
    }

    @Test func commonTypeWinsOverEntityAndBuiltin() throws {
        let s = try Schema.parse(
            """
            namespace Demo {
              entity Host { ip: ipaddr, bandwidth: decimal };
              entity String { groups: Set<__cedar::String> };
              type ipaddr = { repr: String, isV4: Bool };
            }
            """, file: "demo.cedarschema")
        let host = try #require(s.entityType("Demo::Host"))
        #expect(host.shape.attributes["bandwidth"]?.type == .extension("decimal"))
        guard case .record(let ip) = host.shape.attributes["ip"]?.type else {
            Issue.record("ip should resolve to the common type")
            return
        }
        #expect(ip.attributes["repr"]?.type == .entity("Demo::String"))
        #expect(ip.attributes["isV4"]?.type == .bool)
        #expect(s.entityType("Demo::String")?.shape.attributes["groups"]?.type == .set(.string))
    }

    @Test func emptyNamespaceNamesAreVisibleInsideNamespaces() throws {
        let s = try Schema.parse("entity Org; type Id = String; namespace A { entity U in [Org] { id: Id }; }")
        #expect(s.entityType("A::U")?.memberOfTypes == ["Org"])
        #expect(s.entityType("A::U")?.shape.attributes["id"]?.type == .string)
    }

    @Test(arguments: [
        ("entity User", "1:12: expected `;`, `in`, `{`, `enum` or `tags` in the declaration of entity type `User`, found the end of the file"),
        ("entity User { name: Strin };", "1:21: `Strin` has not been declared as a common type or entity type; declare it or fix the name"),
        ("entity User in [Group];", "1:17: `Group` has not been declared as an entity type; declare it or fix the name"),
        ("entity User { a: Long } $", "1:25: unexpected character \"$\" in the schema"),
        ("@doc(\"x\nentity A;", "1:6: unterminated string: add the closing `\"`"),
        ("type A = B; type B = Set<A>;", "1:1: common type `A` refers to itself (A -> B -> A); common types cannot be recursive"),
        ("action a in b; action b in a;", "1:1: action Action::\"a\" is (transitively) a member of itself; remove the cycle from the action hierarchy"),
        ("action a in c;", "1:13: action Action::\"c\" is used as an action group but has not been declared; declare it"),
        ("entity User; namespace A { entity User; }", "1:28: entity type `A::User` shadows `User` declared in the empty namespace; rename one of them"),
        ("entity X; action v appliesTo { principal: [], resource: [X] };", "1:43: for action `v`, `principal` is `[]`, which is invalid: list at least one entity type"),
        ("entity X; action v appliesTo { resource: [X] };", "1:20: missing `principal` declaration for action `v`: add `principal: [EntityType]` to `appliesTo`"),
        ("entity X; action v appliesTo { };", "1:32: expected `principal`, `resource` or `context` in `appliesTo`, found `}`"),
        ("entity X; entity X;", "1:11: entity type `X` is declared twice (first at s:1:1)"),
        ("entity in;", "1:8: `in` is a reserved word and cannot be used as a name here"),
        ("type Long = String;", "1:1: `Long` is a reserved name and cannot name a common type; choose another name"),
        ("entity X; action v appliesTo { principal: X, resource: X, context: Long };", "1:68: the context of action `v` must be a record type, not `Long`"),
        ("namespace A { entity X; } namespace A { entity Y; }", "1:27: namespace `A` is declared twice (first at s:1:1); merge the two declarations"),
        ("@a @a entity X;", "1:4: duplicate annotation `@a`; keep only one"),
        ("entity X { a: \"b\" };", "1:15: expected a type, found \"b\""),
        ("entity X { a: Set<Long };", "1:24: expected `>` to close `Set<`, found `}`"),
        ("entity X { \"a\\q\": Long };", "1:14: invalid escape `\\q` in string"),
    ])
    func cedarFormatErrorsAreLocated(text: String, expected: String) {
        #expect(schemaError(text) == expected)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = "entity X { a: " + String(repeating: "Set<", count: 20_000) + "Long" + String(repeating: ">", count: 20_000) + " };"
        let message = schemaError(deep)
        #expect(message?.contains("nested too deeply") == true)
        let deepRecord = "entity X " + String(repeating: "{ a: ", count: 20_000) + "Long" + String(repeating: " }", count: 20_000) + ";"
        #expect(schemaError(deepRecord)?.contains("nested too deeply") == true)
        let deepJSON = "{\"\": {\"entityTypes\": {\"X\": {\"shape\": " + String(repeating: "{\"type\": \"Set\", \"element\": ", count: 300) + "{\"type\": \"Long\"}" + String(repeating: "}", count: 300) + "}}, \"actions\": {}}}"
        #expect(schemaError(deepJSON, json: true)?.contains("nested too deeply") == true)
    }

    @Test func invalidUTF8IsLocated() {
        var bytes = Array("entity X { a: Long };\nentity Y".utf8)
        bytes.append(0xFF)
        bytes += Array(";".utf8)
        do {
            _ = try Schema.parse(bytes, file: "bad.cedarschema")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "bad.cedarschema:2:9: the schema is not valid UTF-8 text")
        }
    }

    @Test(arguments: [
        (#"{"": {"entityTypes": {}}}"#, "1:6: at `[\"\"]`: missing field `actions` in namespace ``"),
        (#"{"": {"entityTypes": {"U": {"shape": {"type": "Record", "attributes": {"x": {"type": "String", "bogus": 1}}}}}, "actions": {}}}"#,
         "1:105: at `[\"\"].entityTypes.U.shape.attributes.x.bogus`: unknown field `bogus` in a `String` type; expected one of `type`, `required`, `annotations`"),
        (#"{"": {"entityTypes": {"U": {"shape": {"type": "Long"}}}, "actions": {}}}"#, "1:38: the shape of entity type `U` must be a record type, not `Long`"),
        (#"{"": {"entityTypes": {"U": {"shape": {"type": "Record", "attributes": {"x": {"type": "U"}}}}}, "actions": {}}}"#,
         "1:77: `U` has not been declared as a common type; declare it or fix the name"),
        (#"{"": {"entityTypes": {"U": {}}, "actions": {"a": {"appliesTo": {"principalTypes": ["U"]}}}}}"#,
         "1:64: at `[\"\"].actions.a.appliesTo`: missing field `resourceTypes` in `appliesTo`"),
        (#"{"": {"entityTypes": {"U": {"enum": ["a"], "memberOfTypes": []}}, "actions": {}}}"#,
         "1:61: at `[\"\"].entityTypes.U.memberOfTypes`: unknown field `memberOfTypes` in an enumerated entity type; expected one of `enum`, `annotations`"),
        (#"{"": {"entityTypes": {}, "actions": {"a": {"memberOf": [{"id": "b"}]}}}}"#,
         "1:57: action Action::\"b\" is used as an action group but has not been declared; declare it"),
        (#"{"": {"entityTypes": {"U": {"shape": {"type": "Record", "attributes": {}, "additionalAttributes": true}}}, "actions": {}}}"#,
         "1:99: at `[\"\"].entityTypes.U.shape.additionalAttributes`: `additionalAttributes: true` is not supported: declare every attribute (optional ones with `\"required\": false`)"),
        (#"{"": {"entityTypes": {}, "actions": {}"#, "1:39: unterminated object (opened at 1:6): expected '}'"),
    ])
    func jsonFormatErrorsAreLocated(text: String, expected: String) {
        #expect(schemaError(text, json: true) == expected)
    }
}

@Suite("Schema parser against the reference")
struct SchemaReferenceTests {
    /// Schema texts with the reference parser's verdict (accepted or rejected).
    @Test(arguments: ["cases-schemas.json", "mutated-schemas.json", "mutated-json-schemas.json"])
    func acceptsExactlyWhatTheReferenceAccepts(file: String) throws {
        let doc = try JSONParser.parse(try SchemaFixtures.bytes("schema/" + file))
        var agree = 0
        let cases = doc["cases"]!.arrayValue!
        for c in cases {
            let text = c["schema"]!.stringValue!
            let want = c["accepted"]!.boolValue!
            var got = true
            var message = ""
            do {
                _ = file.hasPrefix("mutated-json") ? try Schema.parseJSON(text, file: "s.cedarschema.json") : try Schema.parse(text, file: "s.cedarschema")
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
        print("schema parser \(file): \(agree)/\(cases.count) reference verdicts agree")
        #expect(agree == cases.count)
    }
}

@Suite("Schema error excerpts")
struct SchemaErrorExcerptTests {
    @Test func errorsCarryASpanForACaretExcerpt() throws {
        let text = "entity User {\n  name: Strng,\n};\n"
        do {
            _ = try Schema.parse(text, file: "schema.cedarschema")
            Issue.record("expected an error")
        } catch {
            let span = try #require(error.span)
            #expect(error.description == "schema.cedarschema:2:9: `Strng` has not been declared as a common type or entity type; declare it or fix the name")
            let excerpt = SourceExcerpt.make(source: Array(text.utf8), span: span)
            #expect(excerpt.rendered() == "2 |   name: Strng,\n  |         ^^^^^")
        }
    }
}

@Suite("Schema scale")
struct SchemaScaleTests {
    /// Long hierarchies are walked on demand: no quadratic closure when the schema is read.
    @Test func longHierarchiesStayCheap() throws {
        let n = 3_000
        var text = ""
        for i in 0..<n { text += "entity T\(i) in [T\(i + 1)];\n" }
        text += "entity T\(n);\n"
        for i in 0..<n { text += "action a\(i) in [a\(i + 1)];\n" }
        text += "action a\(n) appliesTo { principal: T0, resource: T0 };\n"
        let schema = try Schema.parse(text, file: "chain.cedarschema")
        #expect(schema.mayBeDescendant("T0", of: "T\(n)"))
        #expect(!schema.mayBeDescendant("T\(n)", of: "T0"))
        #expect(schema.entityTypes(in: "T\(n)").count == n + 1)
        #expect(schema.actionAncestors(EntityUID(type: "Action", id: "a0")).count == n)
        let policies = try PolicySet(text: "permit(principal in T\(n)::\"top\", action in Action::\"a\(n)\", resource);", file: "p.cedar")
        #expect(Validator.check(policies: policies, schema: schema).passed)
        let cycle = (0..<n).map { "action c\($0) in [c\(($0 + 1) % n)];" }.joined(separator: "\n")
        #expect(throws: CedarError.self) { try Schema.parse(cycle) }
    }
}

@Suite("Schema JSON export")
struct SchemaExportTests {
    /// Every schema the reference accepts, read from the Cedar format, written as JSON and read
    /// back, is the same schema: the two readers agree on far more than the fixtures.
    @Test(arguments: ["cases-schemas.json", "mutated-schemas.json"])
    func cedarFormatRoundTripsThroughJSON(file: String) throws {
        let doc = try JSONParser.parse(try SchemaFixtures.bytes("schema/" + file))
        var checked = 0
        for c in doc["cases"]!.arrayValue! where c["accepted"]!.boolValue! {
            let text = c["schema"]!.stringValue!
            let schema = try Schema.parse(text, file: "s.cedarschema")
            let json = JSONWriter.pretty(schema.json)
            let back = try Schema.parseJSON(json, file: "s.cedarschema.json")
            #expect(back == schema, "\(text)\n\(json)")
            checked += 1
        }
        #expect(checked > 10)
    }

    @Test func fixturesRoundTrip() throws {
        for name in ["schema/agents.cedarschema", "schema/multi.cedarschema", "cedar-integration/sample-data/sandbox_b/schema.cedarschema"] {
            let schema = try SchemaFixtures.schema(name)
            #expect(try Schema.parseJSON(JSONWriter.pretty(schema.json)) == schema)
        }
        let s = try Schema.parse("@doc(\"n\") namespace N { entity A { x?: Long }; action a appliesTo { principal: A, resource: A }; }")
        #expect(JSONWriter.compact(s.json) == #"{"N":{"actions":{"a":{"appliesTo":{"context":{"attributes":{},"type":"Record"},"principalTypes":["N::A"],"resourceTypes":["N::A"]}}},"annotations":{"doc":"n"},"entityTypes":{"A":{"shape":{"attributes":{"x":{"required":false,"type":"Long"}},"type":"Record"}}}}}"#)
    }
}

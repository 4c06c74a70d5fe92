import Foundation
import Testing
import JSONValue
@testable import Cedar

/// `__extn` escapes with several arguments (`{"fn": "offset", "args": [...]}`) in entity
/// attributes, tags and request context, with and without a schema. Expectations are the
/// reference engine's answers (cedar-policy 4.12).
@Suite struct ExtensionJSONTests {
    static let datetime = #"{"__extn": {"fn": "datetime", "arg": "2024-01-01"}}"#
    static let hour = #"{"__extn": {"fn": "duration", "arg": "1h"}}"#
    static let offset = #"{"__extn": {"fn": "offset", "args": [\#(datetime), \#(hour)]}}"#

    static let schema = """
        entity U { t?: datetime, b?: Bool, l?: Long, s?: Set<datetime>, r?: { d: datetime }, dec?: decimal, str?: String } tags datetime;
        entity R;
        action a appliesTo { principal: U, resource: R, context: { t?: datetime, b?: Bool } };
        """

    func value(_ text: String) throws -> Value { try Value(json: try JSONParser.parse(Array(text.utf8))) }

    func error(_ text: String) -> String? {
        do {
            _ = try value(text)
            return nil
        } catch let e as CedarError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        (offset, "2024-01-01T01:00:00.000Z"),
        (#"{"__extn": {"fn": "offset", "args": [\#(offset), \#(hour)]}}"#, "2024-01-01T02:00:00.000Z"),
        (#"{"__extn": {"fn": "datetime", "args": ["2024-01-01"]}}"#, "2024-01-01T00:00:00.000Z"),
        (#"{"__extn": {"fn": "toDate", "arg": {"__extn": {"fn": "datetime", "arg": "2024-01-02T05:00:00Z"}}}}"#, "2024-01-02T00:00:00.000Z"),
    ])
    func multiArgumentCallsGiveDatetimes(_ json: String, _ expected: String) throws {
        guard case .datetime(let d) = try value(json) else {
            Issue.record("not a datetime")
            return
        }
        #expect(d.description == expected)
    }

    @Test func anyExtensionFunctionMayBeCalled() throws {
        #expect(try value(#"{"__extn": {"fn": "durationSince", "args": [{"__extn": {"fn": "datetime", "arg": "2024-01-02"}}, \#(Self.datetime)]}}"#)
                == .duration(CedarDuration(milliseconds: 86_400_000)))
        #expect(try value(#"{"__extn": {"fn": "lessThan", "args": [{"__extn": {"fn": "decimal", "arg": "1.0"}}, {"__extn": {"fn": "decimal", "arg": "2.0"}}]}}"#) == .bool(true))
        #expect(try value(#"{"__extn": {"fn": "isInRange", "args": [{"__extn": {"fn": "ip", "arg": "10.0.0.1"}}, {"__extn": {"fn": "ip", "arg": "10.0.0.0/8"}}]}}"#) == .bool(true))
        #expect(try value(#"{"__extn": {"fn": "toDays", "args": [\#(Self.hour)]}}"#) == .long(0))
        #expect(try value(#"{"__extn": {"fn": "decimal", "args": ["1.5"]}}"#) == value(#"{"__extn": {"fn": "decimal", "arg": "1.5"}}"#))
        #expect(try value("[\(Self.offset)]") == .set([.datetime(CedarDatetime(epochMilliseconds: 1_704_070_800_000))]))
    }

    @Test(arguments: [
        (#"{"__extn": {"fn": "offset", "args": ["2024-01-01", "1h"]}}"#, "type error: expected datetime, got string"),
        (#"{"__extn": {"fn": "offset", "args": [\#(datetime)]}}"#, "wrong number of arguments provided to extension function `offset`: expected 2, got 1"),
        (#"{"__extn": {"fn": "offset", "args": [\#(datetime), \#(hour), \#(hour)]}}"#, "wrong number of arguments provided to extension function `offset`: expected 2, got 3"),
        (#"{"__extn": {"fn": "offset", "args": []}}"#, "wrong number of arguments provided to extension function `offset`: expected 2, got 0"),
        // `arg` wins when both are given, as in the reference
        (#"{"__extn": {"fn": "offset", "arg": \#(datetime), "args": [\#(datetime), \#(hour)]}}"#, "wrong number of arguments provided to extension function `offset`: expected 2, got 1"),
        (#"{"__extn": {"fn": "offset", "arg": [\#(datetime), \#(hour)]}}"#, "wrong number of arguments provided to extension function `offset`: expected 2, got 1"),
        (#"{"__extn": {"fn": "nope", "args": ["x"]}}"#, "extension function `nope` does not exist"),
        (#"{"__extn": {"fn": "contains", "args": [["x"], "x"]}}"#, "extension function `contains` does not exist"),
    ])
    func badCallsAreRejected(_ json: String, _ message: String) {
        #expect(error(json) == message)
    }

    @Test func attributesTagsAndContextWithoutASchema() throws {
        let entities = try Entities(json: try JSONParser.parse(Array("""
            [{"uid": {"type": "U", "id": "u"}, "attrs": {"t": \(Self.offset), "r": {"d": \(Self.offset)}}, "parents": [], "tags": {"x": \(Self.offset)}}]
            """.utf8)))
        guard case .record(let context) = try value(#"{"t": \#(Self.offset)}"#) else { throw CedarError.request(message: "context") }
        let policies = try PolicySet(text: """
            permit(principal, action, resource) when {
              principal.t == datetime("2024-01-01T01:00:00Z") && principal.r.d == principal.t &&
              principal.getTag("x") == context.t
            };
            """, file: "p")
        let request = Request(principal: EntityUID(type: "U", id: "u"), action: EntityUID(type: "Action", id: "a"),
                              resource: EntityUID(type: "R", id: "r"), context: context)
        #expect(Authorizer.isAuthorized(request, policies: policies, entities: entities).decision == .allow)
    }

    func schemaEntities(_ attrs: String) throws -> Entities {
        let schema = try Schema.parse(Self.schema, file: "s.cedarschema")
        return try schema.entities(json: try JSONParser.parse(Array(#"[{"uid": {"type": "U", "id": "u"}, "attrs": \#(attrs), "parents": []}]"#.utf8)))
    }

    func schemaError(_ attrs: String) -> String? {
        do {
            _ = try schemaEntities(attrs)
            return nil
        } catch let e as CedarError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        (#"{"t": \#(offset)}"#, "t", Value.datetime(CedarDatetime(epochMilliseconds: 1_704_070_800_000))),
        // where the schema expects an extension value, arguments are read by the parameter types
        (#"{"t": {"__extn": {"fn": "offset", "args": ["2024-01-01", "1h"]}}}"#, "t", .datetime(CedarDatetime(epochMilliseconds: 1_704_070_800_000))),
        (#"{"t": {"fn": "offset", "args": [\#(datetime), \#(hour)]}}"#, "t", .datetime(CedarDatetime(epochMilliseconds: 1_704_070_800_000))),
        (#"{"t": {"__extn": {"fn": "datetime", "args": ["2024-01-01"]}}}"#, "t", .datetime(CedarDatetime(epochMilliseconds: 1_704_067_200_000))),
        (#"{"b": {"__extn": {"fn": "isIpv4", "args": [{"__extn": {"fn": "ip", "arg": "1.2.3.4"}}]}}}"#, "b", .bool(true)),
        (#"{"l": {"__extn": {"fn": "toDays", "args": [{"__extn": {"fn": "duration", "arg": "2d"}}]}}}"#, "l", .long(2)),
        (#"{"s": [\#(offset), \#(datetime)]}"#, "s", .set([.datetime(CedarDatetime(epochMilliseconds: 1_704_070_800_000)), .datetime(CedarDatetime(epochMilliseconds: 1_704_067_200_000))])),
    ])
    func schemaBasedReading(_ attrs: String, _ name: String, _ expected: Value) throws {
        let e = try schemaEntities(attrs)
        #expect(e[EntityUID(type: "U", id: "u")]?.attributes[ExactString(name)] == expected)
    }

    @Test(arguments: [
        (#"{"t": {"__extn": {"fn": "lessThan", "args": [{"__extn": {"fn": "decimal", "arg": "1.0"}}, {"__extn": {"fn": "decimal", "arg": "2.0"}}]}}}"#, "type mismatch: value was expected to have type datetime, but it actually has type bool"),
        (#"{"dec": \#(offset)}"#, "type mismatch: value was expected to have type decimal, but it actually has type datetime"),
        (#"{"str": \#(offset)}"#, "type mismatch: value was expected to have type String, but it actually has type datetime"),
        (#"{"t": {"__extn": {"fn": "durationSince", "args": [\#(datetime), \#(datetime)]}}}"#, "type mismatch: value was expected to have type datetime, but it actually has type duration"),
        (#"{"b": {"__extn": {"fn": "isIpv4", "args": ["1.2.3.4"]}}}"#, "type error: expected ipaddr, got string"),
        (#"{"t": {"__extn": {"fn": "offset", "arg": \#(datetime)}}}"#, "expected 2 arguments for function offset but 1 arguments are provided"),
        (#"{"t": {"__extn": {"fn": "nope", "args": ["1"]}}}"#, "extension function `nope` does not exist"),
    ])
    func schemaBasedReadingRejects(_ attrs: String, _ message: String) {
        let got = schemaError(attrs)
        #expect(got?.hasPrefix(message) == true, "\(got ?? "accepted")")
    }

    @Test func contextAndTagsWithASchema() throws {
        let schema = try Schema.parse(Self.schema, file: "s.cedarschema")
        let context = try schema.context(for: EntityUID(type: "Action", id: "a"), json: try JSONParser.parse(Array("""
            {"t": \(Self.offset), "b": {"__extn": {"fn": "isIpv6", "args": [{"__extn": {"fn": "ip", "arg": "::1"}}]}}}
            """.utf8)))
        #expect(context["t"] == .datetime(CedarDatetime(epochMilliseconds: 1_704_070_800_000)) && context["b"] == .bool(true))
        let entities = try schema.entities(json: try JSONParser.parse(Array(#"[{"uid": {"type": "U", "id": "u"}, "attrs": {}, "parents": [], "tags": {"x": \#(Self.offset)}}]"#.utf8)))
        #expect(entities[EntityUID(type: "U", id: "u")]?.tags["x"] == context["t"])
        #expect(throws: CedarError.self) {
            try schema.context(for: EntityUID(type: "Action", id: "a"), json: try JSONParser.parse(Array(#"{"t": {"__extn": {"fn": "toDays", "args": [\#(Self.hour)]}}}"#.utf8)))
        }
    }

    @Test func datetimesAreWrittenAsTheReferenceWritesThem() throws {
        let d = Value.datetime(CedarDatetime(epochMilliseconds: 1_704_070_800_000))
        #expect(JSONWriter.compact(d.json, sortKeys: false) == #"{"__extn":{"fn":"offset","args":[{"__extn":{"fn":"datetime","arg":"1970-01-01"}},{"__extn":{"fn":"duration","arg":"1704070800000ms"}}]}}"#)
        #expect(try Value(json: d.json) == d)
        let negative = Value.datetime(CedarDatetime(epochMilliseconds: -1))
        #expect(try Value(json: negative.json) == negative)
    }
}

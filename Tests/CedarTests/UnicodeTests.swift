import Foundation
import Testing
import JSONValue
@testable import Cedar

/// Cedar strings are sequences of Unicode scalar values compared exactly; Swift's `String`
/// compares by canonical equivalence. Every expectation here is the reference engine's answer
/// (cedar-policy 4.12).
@Suite struct UnicodeTests {
    static let nfc = "\u{E9}"  // é, precomposed
    static let nfd = "e\u{301}"  // e + combining acute accent
    static let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"  // one grapheme, five scalars

    /// The decision and reasons for one request, the policies and entities given as text.
    func decide(_ policies: String, entities: String = "[]", principal: EntityUID = EntityUID(type: "User", id: "u"),
                context: String = "{}") throws -> (Decision, [String]) {
        let set = try PolicySet(text: policies, file: "p.cedar", idScheme: .positional)
        let store = try Entities(json: try JSONParser.parse(Array(entities.utf8)))
        guard case .record(let ctx) = try Value(json: try JSONParser.parse(Array(context.utf8))) else {
            throw CedarError.request(message: "context is not a record")
        }
        let request = Request(principal: principal, action: EntityUID(type: "Action", id: "a"),
                              resource: EntityUID(type: "R", id: "r"), context: ctx)
        let response = Authorizer.isAuthorized(request, policies: set, entities: store)
        #expect(response.errors.isEmpty, "\(response.errors)")
        return (response.decision, response.reasons)
    }

    func permits(when condition: String, entities: String = "[]", principal: EntityUID = EntityUID(type: "User", id: "u"),
                 context: String = "{}") throws -> Bool {
        try decide("permit(principal, action, resource) when { \(condition) };", entities: entities,
                   principal: principal, context: context).0 == .allow
    }

    @Test(arguments: [
        ("\"\(nfd)\" == \"\(nfc)\"", false),
        ("\"\(nfd)\" == \"\(nfd)\"", true),
        ("\"\(nfd)\" != \"\(nfc)\"", true),
        ("[\"\(nfc)\"].contains(\"\(nfd)\")", false),
        ("[\"\(nfc)\", \"\(nfd)\"].containsAll([\"\(nfd)\"]) && [\"\(nfc)\"].containsAny([\"\(nfd)\"]) == false", true),
        ("[\"\(nfc)\", \"\(nfd)\"] == [\"\(nfc)\"]", false),
        ("{\"\(nfc)\": 1, \"\(nfd)\": 2}[\"\(nfd)\"] == 2", true),
        ("{\"\(nfc)\": 1} has \"\(nfd)\"", false),
        ("{\"\(nfc)\": 1} == {\"\(nfd)\": 1}", false),
        ("\"\(nfd)\" like \"\(nfc)\"", false),
        ("\"\(nfd)\" like \"e*\"", true),
        ("\"\(nfc)\" like \"e*\"", false),
        ("\"\u{301}\" like \"*\"", true),
        ("\"a\" like \"\u{301}*\"", false),
        ("\"\(family)\" like \"\u{1F468}*\"", true),
        ("\"\(family)\" like \"*\u{200D}\u{1F467}\"", true),
        ("\"x\" == \"\u{301}x\"", false),
        ("User::\"\(nfc)\" == User::\"\(nfd)\"", false),
        ("[User::\"\(nfc)\"].contains(User::\"\(nfd)\")", false),
    ])
    func stringsCompareByScalars(_ condition: String, _ expected: Bool) throws {
        #expect(try permits(when: condition) == expected, "\(condition)")
    }

    @Test func canonicallyEquivalentIdsAreTwoEntities() throws {
        let entities = """
            [{"uid": {"type": "User", "id": "\(Self.nfc)"}, "attrs": {"n": 1}, "parents": []},
             {"uid": {"type": "User", "id": "\(Self.nfd)"}, "attrs": {"n": 2}, "parents": [{"type": "Group", "id": "\(Self.nfd)"}]},
             {"uid": {"type": "Group", "id": "\(Self.nfd)"}, "attrs": {}, "parents": []}]
            """
        let store = try Entities(json: try JSONParser.parse(Array(entities.utf8)))
        #expect(store.count == 3)
        let nfd = EntityUID(type: "User", id: Self.nfd), nfc = EntityUID(type: "User", id: Self.nfc)
        #expect(try permits(when: "principal.n == 2", entities: entities, principal: nfd))
        #expect(try permits(when: "principal.n == 1", entities: entities, principal: nfc))
        #expect(try permits(when: "principal in Group::\"\(Self.nfd)\"", entities: entities, principal: nfd))
        #expect(try !permits(when: "principal in Group::\"\(Self.nfc)\"", entities: entities, principal: nfd))
        #expect(try !permits(when: "principal in Group::\"\(Self.nfd)\"", entities: entities, principal: nfc))
        #expect(try decide("permit(principal == User::\"\(Self.nfc)\", action, resource);", entities: entities, principal: nfd).0 == .deny)
        #expect(nfd != nfc && Set([nfd, nfc]).count == 2)
    }

    @Test func aCombiningMarkRightAfterTheQuoteStaysInTheId() throws {
        // U+094A (a combining vowel sign) forms one grapheme with the opening quote.
        let policies = """
            forbid(principal == a::"\u{94A}", action, resource);
            permit(principal, action, resource);
            """
        let (decision, reasons) = try decide(policies, principal: EntityUID(type: "a", id: "\u{94A}"))
        #expect(decision == .deny && reasons == ["policy0"])
        let file = try Parser.parse(#"permit(principal, action, resource) when { "\#u{301}" == "\#u{301}" && context has "\#u{301}x" };"#, file: "p")
        guard case .and(let l, let r) = file.policies[0].conditions[0].body.kind,
              case .binary(_, let a, _) = l.kind, case .literal(.string(let s)) = a.kind,
              case .has(_, let path, _) = r.kind else {
            Issue.record("unexpected tree")
            return
        }
        #expect(s.unicodeScalars.map(\.value) == [0x301])
        #expect(path.count == 1 && path[0].unicodeScalars.map(\.value) == [0x301, 0x78])
    }

    @Test func aBackslashBeforeACombiningMarkIsAnInvalidEscape() {
        #expect(throws: CedarError.self) { try Parser.parse("permit(principal, action, resource) when { \"\\\u{301}\" == \"\" };", file: "p") }
        #expect(throws: CedarError.self) { try Parser.parse("permit(principal, action, resource) when { \"\" like \"\\\u{301}\" };", file: "p") }
    }

    @Test func canonicallyEquivalentPolicyIdsAreTwoIds() throws {
        let set = try PolicySet(text: "@id(\"\(Self.nfc)\") permit(principal, action, resource); @id(\"\(Self.nfd)\") permit(principal, action, resource);", file: "p")
        #expect(set.policies.count == 2)
        #expect(throws: CedarError.self) {
            try PolicySet(text: "@id(\"\(Self.nfd)\") permit(principal, action, resource); @id(\"\(Self.nfd)\") permit(principal, action, resource);", file: "p")
        }
    }

    @Test func entityAndContextJSONKeepEquivalentKeysApart() throws {
        let entities = """
            [{"uid": {"type": "User", "id": "u"}, "attrs": {"\(Self.nfc)": 1, "\(Self.nfd)": 2},
              "parents": [], "tags": {"\(Self.nfd)": 3}}]
            """
        #expect(try permits(when: "principal[\"\(Self.nfd)\"] == 2 && principal[\"\(Self.nfc)\"] == 1", entities: entities))
        #expect(try permits(when: "principal.hasTag(\"\(Self.nfd)\") && !principal.hasTag(\"\(Self.nfc)\")", entities: entities))
        let context = "{\"\(Self.nfd)\": 1, \"\(Self.nfc)\": 2}"
        #expect(try permits(when: "context[\"\(Self.nfd)\"] == 1 && context[\"\(Self.nfc)\"] == 2", context: context))
        #expect(try permits(when: "context has \"\(Self.nfd)\" && !(context has \"\(Self.nfc)\")", context: "{\"\(Self.nfd)\": 1}"))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array("{\"\(Self.nfd)\": 1, \"\(Self.nfd)\": 2}".utf8)) }
    }

    @Test func keysAndIdsSortByCodePoints() {
        // Swift's `<` finds the two spellings of é neither before nor after each other; Cedar
        // (Rust) orders by bytes, so "e\u{301}" < "f" < "\u{E9}".
        let uids = [EntityUID(type: "U", id: Self.nfc), EntityUID(type: "U", id: Self.nfd), EntityUID(type: "U", id: "f")]
        #expect(uids.sorted().map(\.id) == [Self.nfd, "f", Self.nfc])
        let record = Value.record([ExactString(Self.nfc): .long(1), ExactString(Self.nfd): .long(2)])
        #expect(record.description == "{\"\(Self.nfd)\": 2, \"\(Self.nfc)\": 1}")
    }
}

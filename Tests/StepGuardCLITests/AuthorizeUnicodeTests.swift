import Foundation
import Testing
@testable import StepGuardCLI

/// `authorize` compares ids, keys and strings by their code points, as Cedar does: two ids that
/// are only canonically equivalent name two entities. Expectations are the reference engine's.
struct AuthorizeUnicodeTests {
    static let nfc = "\u{E9}"
    static let nfd = "e\u{301}"

    static let policies = """
        @id("no-vowel-sign")
        forbid (principal == Agent::"\u{94A}", action, resource);

        @id("owner")
        permit (principal, action, resource) when { principal.owner == "\(nfd)" };

        @id("tagged")
        permit (principal, action, resource) when { context has "\(nfd)" && !(context has "\(nfc)") };

        """

    static let entities = """
        [
          {"uid": {"type": "Agent", "id": "\u{94A}"}, "attrs": {"owner": "\(nfd)"}, "parents": []},
          {"uid": {"type": "Agent", "id": "\(nfd)"}, "attrs": {"owner": "\(nfd)"}, "parents": []},
          {"uid": {"type": "Agent", "id": "\(nfc)"}, "attrs": {"owner": "\(nfc)"}, "parents": []}
        ]

        """

    static let requests = """
        {"principal": {"type": "Agent", "id": "\u{94A}"}, "action": "Action::\\"run\\"", "resource": "Repo::\\"r\\""}
        {"principal": {"type": "Agent", "id": "\(nfd)"}, "action": "Action::\\"run\\"", "resource": "Repo::\\"r\\""}
        {"principal": {"type": "Agent", "id": "\(nfc)"}, "action": "Action::\\"run\\"", "resource": "Repo::\\"r\\""}
        {"principal": "Agent::\\"\(nfc)\\"", "action": "Action::\\"run\\"", "resource": "Repo::\\"r\\"", "context": {"\(nfd)": 1}}
        {"principal": "Agent::\\"\(nfc)\\"", "action": "Action::\\"run\\"", "resource": "Repo::\\"r\\"", "context": {"\(nfd)": 1, "\(nfc)": 2}}

        """

    @Test func batchAnswersByCodePoints() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try FileManager.default.createDirectory(atPath: w.path("unicode"), withIntermediateDirectories: true)
        try w.write("unicode/policies.cedar", Self.policies)
        try w.write("unicode-entities.json", Self.entities)
        try w.write("unicode-requests.jsonl", Self.requests)
        let result = w.run([
            "authorize", "-p", w.path("unicode"), "--entities", w.path("unicode-entities.json"),
            "--requests", w.path("unicode-requests.jsonl"), "--format", "json",
        ])
        #expect(result.stdout == """
            {"decision":"deny","errors":[],"line":1,"reasons":["no-vowel-sign"],"schema":"stepguard.authorize/v1"}
            {"decision":"allow","errors":[],"line":2,"reasons":["owner"],"schema":"stepguard.authorize/v1"}
            {"decision":"deny","errors":[],"line":3,"reasons":[],"schema":"stepguard.authorize/v1"}
            {"decision":"allow","errors":[],"line":4,"reasons":["tagged"],"schema":"stepguard.authorize/v1"}
            {"decision":"deny","errors":[],"line":5,"reasons":[],"schema":"stepguard.authorize/v1"}

            """)
        #expect(result.stderr == "5 requests answered: 2 allowed, 3 denied\n")
    }

    @Test func singleRequestFlagsKeepTheCombiningMark() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try FileManager.default.createDirectory(atPath: w.path("unicode"), withIntermediateDirectories: true)
        try w.write("unicode/policies.cedar", Self.policies)
        try w.write("unicode-entities.json", Self.entities)
        let result = w.run([
            "authorize", "-p", w.path("unicode"), "--entities", w.path("unicode-entities.json"), "--format", "json",
            "--principal", "Agent::\"\u{94A}\"", "--action", #"Action::"run""#, "--resource", #"Repo::"r""#,
        ])
        #expect(result.status == 1)
        #expect(result.stdout == #"{"decision":"deny","errors":[],"reasons":["no-vowel-sign"],"schema":"stepguard.authorize/v1"}"# + "\n")
    }
}

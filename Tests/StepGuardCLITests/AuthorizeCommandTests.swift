import Foundation
import Testing
@testable import StepGuardCLI

/// A small agent-governance policy directory, written to a fresh temporary directory per test
/// (the Cedar command tests share it).
struct CedarWorkspace {
    let directory: URL

    static let schema = """
        entity Team;
        entity Agent in [Team] { level: Long, trusted: Bool };
        entity Repo { env: String, labels: Set<String> };
        action read, write appliesTo {
          principal: [Agent],
          resource: [Repo],
          context: { ticket?: String, src?: ipaddr }
        };
        action deploy appliesTo { principal: [Agent], resource: [Repo] };

        """

    /// Sorted before `policies.cedar`, so its policy is `policy0`.
    static let overflow = """
        permit (principal, action == Action::"deploy", resource)
        when { principal.level + 9223372036854775807 > 0 };

        """

    static let policies = """
        @id("read-platform")
        permit (principal in Team::"platform", action == Action::"read", resource);

        permit (principal, action == Action::"write", resource)
        when { principal.level >= 3 && context has ticket };

        @id("no-prod-writes")
        forbid (principal, action == Action::"write", resource)
        when { resource.env == "prod" };

        @id("internal-only")
        forbid (principal, action == Action::"read", resource)
        when { context has src && !context.src.isInRange(ip("10.0.0.0/8")) };

        """

    static let entities = """
        [
          {"uid": {"type": "Team", "id": "platform"}, "attrs": {}, "parents": []},
          {"uid": {"type": "Agent", "id": "ci"}, "attrs": {"level": 4, "trusted": true},
           "parents": [{"type": "Team", "id": "platform"}]},
          {"uid": {"type": "Agent", "id": "bot"}, "attrs": {"level": 1, "trusted": false}, "parents": []},
          {"uid": {"type": "Repo", "id": "api"}, "attrs": {"env": "prod", "labels": ["infra"]}, "parents": []},
          {"uid": {"type": "Repo", "id": "docs"}, "attrs": {"env": "dev", "labels": []}, "parents": []}
        ]

        """

    static let requests = """
        {"principal": "Agent::\\"ci\\"", "action": "Action::\\"read\\"", "resource": "Repo::\\"api\\""}
        {"principal": "Agent::\\"ci\\"", "action": "Action::\\"write\\"", "resource": "Repo::\\"docs\\"", "context": {"ticket": "CHG-7"}}
        {"principal": "Agent::\\"ci\\"", "action": "Action::\\"write\\"", "resource": "Repo::\\"api\\"", "context": {"ticket": "CHG-7"}}

        {"principal": "Agent::\\"bot\\"", "action": "Action::\\"write\\"", "resource": "Repo::\\"docs\\""}
        {"principal": {"type": "Agent", "id": "ci"}, "action": {"type": "Action", "id": "deploy"}, "resource": {"type": "Repo", "id": "api"}}
        {"principal": "Agent::\\"ci\\"", "action": "Action::\\"read\\"", "resource": "Repo::\\"docs\\"", "context": {"src": {"__extn": {"fn": "ip", "arg": "192.168.1.9"}}}}

        """

    /// Creates the directory with `policies/` (two policy files and the schema), `entities.json`
    /// and `requests.jsonl`.
    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stepguard-cedar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("policies"), withIntermediateDirectories: true)
        try write("policies/policies.cedar", Self.policies)
        try write("policies/errors.cedar", Self.overflow)
        try write("policies/schema.cedarschema", Self.schema)
        try write("entities.json", Self.entities)
        try write("requests.jsonl", Self.requests)
    }

    /// The absolute path of `name` in the workspace.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Runs stepguard with workspace-relative names turned into paths, and workspace paths in
    /// the output turned back into names (so golden files do not depend on the temporary path).
    func run(_ arguments: [String], input: String = "") -> RunResult {
        var result = runCLI(arguments, input: input)
        let prefix = directory.path + "/"
        result.stdout = result.stdout.replacingOccurrences(of: prefix, with: "")
        result.stderr = result.stderr.replacingOccurrences(of: prefix, with: "")
        return result
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Compares output with `Golden/NAME`; `STEPGUARD_UPDATE_GOLDEN=1` rewrites the file instead.
func expectGolden(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = Repository.golden.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDEN"] == "1" {
        try AtomicFile.write(actual, to: file.path)
        return
    }
    let golden = try? String(contentsOf: file, encoding: .utf8)
    #expect(
        golden == actual,
        "output differs from \(name); if intended, regenerate with STEPGUARD_UPDATE_GOLDEN=1 swift test --filter StepGuardCLITests",
        sourceLocation: sourceLocation)
}

struct AuthorizeCommandTests {
    @Test func singleAllowedRequestExitsZero() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"),
            "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#, "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        try expectGolden("authorize-single-allow.txt", result.stdout)
    }

    @Test func singleDeniedRequestExitsOneAndNamesTheForbid() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("context.json", #"{"ticket": "CHG-1"}"#)
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"),
            "--principal", #"Agent::"ci""#, "--action", #"Action::"write""#, "--resource", #"Repo::"api""#,
            "--context", w.path("context.json"), "--format", "json",
        ])
        #expect(result.status == 1)
        #expect(result.stdout == #"{"decision":"deny","errors":[],"reasons":["no-prod-writes"],"schema":"stepguard.authorize/v1"}"# + "\n")
    }

    @Test func noApplicablePermitDenies() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"),
            "--principal", #"Agent::"bot""#, "--action", #"Action::"write""#, "--resource", #"Repo::"docs""#,
        ])
        #expect(result.status == 1)
        #expect(result.stdout == "deny\nreasons: none\n")
    }

    @Test func evaluationErrorsAreReportedWithThePolicyID() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"),
            "--principal", #"Agent::"ci""#, "--action", #"Action::"deploy""#, "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 1)
        try expectGolden("authorize-single-errors.txt", result.stdout)
    }

    @Test func objectFormUIDsOnTheCommandLineAndInARequestFile() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let flags = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--format", "json",
            "--principal", #"{"type": "Agent", "id": "ci"}"#, "--action", #"{"type":"Action","id":"read"}"#,
            "--resource", #"Repo::"api""#,
        ])
        #expect(flags.status == 0)
        #expect(flags.stdout == #"{"decision":"allow","errors":[],"reasons":["read-platform"],"schema":"stepguard.authorize/v1"}"# + "\n")
        try w.write("request.json", """
            {"principal": {"type": "Agent", "id": "ci"}, "action": {"__entity": {"type": "Action", "id": "read"}},
             "resource": {"type": "Repo", "id": "api"}, "context": {}}
            """)
        let file = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--request", w.path("request.json"),
            "--format", "json",
        ])
        #expect(file.status == 0)
        #expect(file.stdout == flags.stdout)
    }

    @Test func batchAnswersEveryLineInOrder() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let json = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--requests", w.path("requests.jsonl"),
            "--format", "json",
        ])
        #expect(json.status == 0)
        #expect(json.stdout.split(separator: "\n").count == 6)
        #expect(json.stderr == "6 requests answered: 2 allowed, 4 denied\n")
        try expectGolden("authorize-batch.jsonl", json.stdout)
        let text = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--requests", w.path("requests.jsonl"),
        ])
        #expect(text.status == 0)
        try expectGolden("authorize-batch.txt", text.stdout)
    }

    @Test func batchReadsStandardInput() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let fromFile = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--requests", w.path("requests.jsonl"),
            "--format", "json",
        ])
        let fromStdin = w.run(
            ["authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--requests", "-", "--format", "json"],
            input: CedarWorkspace.requests)
        #expect(fromStdin.status == 0)
        #expect(fromStdin.stdout == fromFile.stdout)
    }

    @Test func malformedLineIsLocatedAndTheOthersAreAnswered() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let lines = CedarWorkspace.requests.split(separator: "\n", omittingEmptySubsequences: false)
        var batch = lines[0..<2].joined(separator: "\n") + "\n"
        batch += #"{"principal": "Agent::\"ci\"", "action": "Action::\"read\"", "resource": }"# + "\n"
        batch += #"{"principal": "Agent::\"ci\"", "action": "Action::\"read\"", "resurce": "Repo::\"api\""}"# + "\n"
        batch += lines[0] + "\n"
        try w.write("bad.jsonl", batch)
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--requests", w.path("bad.jsonl"),
            "--format", "json",
        ])
        #expect(result.status == 2)
        try expectGolden("authorize-batch-malformed.jsonl", result.stdout)
        try expectGolden("authorize-batch-malformed.stderr.txt", result.stderr)
        #expect(result.stderr.hasPrefix("bad.jsonl:3:74: error: "))
        #expect(result.stderr.contains("bad.jsonl:4:73: error: unknown request field `resurce`"))
    }

    @Test func contextErrorPointsAtTheOffendingValue() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let line = #"{"principal": "Agent::\"ci\"", "action": "Action::\"read\"", "resource": "Repo::\"api\"", "context": {"a": {"b": 1.5}}}"#
        try w.write("context.jsonl", line + "\n")
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--requests", w.path("context.jsonl"),
        ])
        #expect(result.status == 2)
        let column = try #require(line.range(of: "1.5")).lowerBound.utf16Offset(in: line) + 1
        #expect(result.stderr.hasPrefix("context.jsonl:1:\(column): error: invalid context: at `a.b`: the number 1.5 is not a 64-bit integer"))
        #expect(result.stdout == "1: error: invalid context: at `a.b`: the number 1.5 is not a 64-bit integer; Cedar numbers are integers\n")
    }

    @Test func deeplyNestedJSONLineIsLocated() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let prefix = #"{"principal": "Agent::\"ci\"", "action": "Action::\"read\"", "resource": "Repo::\"api\"", "context": {"a": "#
        let line = prefix + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}}"
        try w.write("deep.jsonl", CedarWorkspace.requests.split(separator: "\n")[0] + "\n" + line + "\n")
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"), "--requests", w.path("deep.jsonl"),
            "--format", "json",
        ])
        #expect(result.status == 2)
        #expect(result.stdout.hasPrefix(#"{"decision":"allow","#))
        #expect(result.stderr.hasPrefix("deep.jsonl:2:"))
        #expect(result.stderr.utf8.count < 2_000)
    }

    @Test func schemaReadsContextByDeclaredTypes() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("context.json", #"{"src": "192.168.1.9"}"#)
        let base = [
            "authorize", "-p", w.path("policies"), "--entities", w.path("entities.json"),
            "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#, "--resource", #"Repo::"docs""#,
            "--context", w.path("context.json"), "--format", "json",
        ]
        // Without a schema the address stays a string and the forbid's condition fails to evaluate.
        let plain = w.run(base)
        #expect(plain.status == 0)
        #expect(plain.stdout.contains(#""policy":"internal-only""#))
        // With it, the string is an ipaddr and the forbid applies.
        let typed = w.run(base + ["--schema", w.path("policies/schema.cedarschema")])
        #expect(typed.status == 1)
        #expect(typed.stdout == #"{"decision":"deny","errors":[],"reasons":["internal-only"],"schema":"stepguard.authorize/v1"}"# + "\n")
    }

    @Test func schemaRejectsARequestItDoesNotAllow() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--schema", w.path("policies/schema.cedarschema"),
            "--entities", w.path("entities.json"),
            "--principal", #"Team::"platform""#, "--action", #"Action::"read""#, "--resource", #"Repo::"docs""#,
        ])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("principal type `Team` is not valid for Action::\"read\""))
        try w.write("context.json", #"{"ticket": 7}"#)
        let context = w.run([
            "authorize", "-p", w.path("policies"), "--schema", w.path("policies/schema.cedarschema"),
            "--entities", w.path("entities.json"), "--context", w.path("context.json"),
            "--principal", #"Agent::"ci""#, "--action", #"Action::"write""#, "--resource", #"Repo::"docs""#,
        ])
        #expect(context.status == 2)
        #expect(context.stderr.hasPrefix("context.json:1:1: error: invalid context"))
    }

    @Test func batchWithSchemaLocatesAnInvalidRequest() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("typed.jsonl", """
            {"principal": "Agent::\\"ci\\"", "action": "Action::\\"read\\"", "resource": "Repo::\\"docs\\"", "context": {"src": "10.1.2.3"}}
            {"principal": "Agent::\\"ci\\"", "action": "Action::\\"delete\\"", "resource": "Repo::\\"docs\\""}

            """)
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--schema", w.path("policies/schema.cedarschema"),
            "--entities", w.path("entities.json"), "--requests", w.path("typed.jsonl"), "--format", "json",
        ])
        #expect(result.status == 2)
        let lines = result.stdout.split(separator: "\n")
        // An answer and the bad line's record, each with its input line, then the error document.
        #expect(lines.count == 3)
        #expect(lines.first == #"{"decision":"allow","errors":[],"line":1,"reasons":["read-platform"],"schema":"stepguard.authorize/v1"}"#)
        #expect(lines.last?.contains(#""code":"invalid_input","column":1,"command":"authorize","#) == true, "\(result.stdout)")
        #expect(result.stderr.hasPrefix("typed.jsonl:2:1: error: action Action::\"delete\" is not declared in the schema"))
    }

    @Test func incompleteSingleRequestIsAUsageError() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run(["authorize", "-p", w.path("policies"), "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#])
        #expect(result.status == 2)
        #expect(result.stderr.contains("a request given with --principal also needs --resource"))
        #expect(result.stderr.contains("usage: stepguard authorize"))
    }

    @Test func badUIDOnTheCommandLine() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--principal", "Agent:ci", "--action", #"Action::"read""#,
            "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("--principal: error: `Agent:ci` is not an entity uid"))
    }

    /// The hostile inputs of the Cedar issue: each is a located error and exit 2, never a crash.
    static let hostile: [(name: String, policy: [UInt8], where: String, message: String)] = {
        let scope = Array("permit (principal, action, resource) when { ".utf8)
        let end = Array(" };\n".utf8)
        let half = 512 * 1024
        return [
            ("parentheses", scope + [UInt8](repeating: UInt8(ascii: "("), count: half) + Array("1".utf8)
                + [UInt8](repeating: UInt8(ascii: ")"), count: half) + end, "policy.cedar:1:", "nested too deeply"),
            ("deep-expression", scope + Array(Array(repeating: "1", count: 10_000).joined(separator: " + ").utf8) + end,
             "policy.cedar:1:45:", "nested too deeply"),
            ("invalid-utf8", scope + [0x22, 0xC3, 0x28, 0x22] + end, "policy.cedar:1:", "UTF-8"),
            ("integer-over-2^63", scope + Array("9223372036854775808 == 1".utf8) + end, "policy.cedar:1:45:", "too large"),
            ("unterminated-string", scope + Array(#""secrets/*"#.utf8) + end, "policy.cedar:1:45:", "unterminated string"),
        ]
    }()

    @Test(arguments: hostile.indices)
    func hostilePolicyIsALocatedError(index: Int) throws {
        let case_ = Self.hostile[index]
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("policy.cedar", bytes: case_.policy)
        let result = w.run([
            "authorize", "-p", w.path("policy.cedar"), "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#,
            "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 2, "\(case_.name)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix(case_.where), "\(case_.name): \(result.stderr.prefix(200))")
        #expect(result.stderr.contains(case_.message), "\(case_.name)")
        // The excerpt is clipped: a 1 MB line is not echoed back.
        #expect(result.stderr.utf8.count < 1_000, "\(case_.name)")
    }

    @Test func entityCycleIsLocatedAtTheEntity() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("cycle.json", """
            [
              {"uid": {"type": "Team", "id": "a"}, "attrs": {}, "parents": [{"type": "Team", "id": "b"}]},
              {"uid": {"type": "Team", "id": "b"}, "attrs": {}, "parents": [{"type": "Team", "id": "a"}]}
            ]
            """)
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("cycle.json"),
            "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#, "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 2)
        try expectGolden("authorize-entity-cycle.stderr.txt", result.stderr)
    }

    @Test func malformedEntityFileIsLocated() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("broken.json", "[\n  {\"uid\": {\"type\": \"Team\", \"id\": \"a\"}, \"attrs\": {\"n\": 1.5}, \"parents\": []}\n]\n")
        let result = w.run([
            "authorize", "-p", w.path("policies"), "--entities", w.path("broken.json"),
            "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#, "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("broken.json:2:"))
        #expect(result.stderr.contains("not a 64-bit integer"))
    }

    @Test func missingPolicyFileIsAnError() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        let result = w.run([
            "authorize", "-p", w.path("nope.cedar"), "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#,
            "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("stepguard: error: cannot read 'nope.cedar'"))
    }

    @Test func duplicatePolicyIDIsLocated() throws {
        let w = try CedarWorkspace()
        defer { w.remove() }
        try w.write("dup.cedar", "@id(\"a\")\npermit (principal, action, resource);\n@id(\"a\")\nforbid (principal, action, resource);\n")
        let result = w.run([
            "authorize", "-p", w.path("dup.cedar"), "--principal", #"Agent::"ci""#, "--action", #"Action::"read""#,
            "--resource", #"Repo::"api""#,
        ])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("dup.cedar:3:1: error: duplicate policy id \"a\""))
    }
}

import Foundation
import Testing
@testable import StepGuardCLI

/// A throwaway directory with what the contract cases need: keys, logs in several states, a
/// token, a proof, small policy directories. Everything is made on first use.
final class ContractWorkspace: @unchecked Sendable {
    typealias F = CredentialFixtures
    typealias A = AuditFixtures

    let directory: URL
    var fixtures: String { Repository.testsDirectory.appendingPathComponent("Fixtures").path }
    var repository: String { Repository.root.path }
    var release: String { F.release.path }
    var publicKey: String { F.publicKey }
    var otherPublicKey: String { F.otherPublicKey }

    init() throws { directory = try F.temporaryDirectory() }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes `text` to `name` (directories created) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A 0600 copy of the issuer's private key.
    lazy var key: String = (try? F.key(in: directory)) ?? path("issuer.key")

    /// The six-record story log of the audit tests.
    lazy var log: String = {
        let log = path("audit.jsonl")
        try? A.story(log)
        return log
    }()

    /// The story log with a signed checkpoint.
    lazy var checkpointedLog: String = {
        let log = self.log
        _ = runCLI(["audit", "checkpoint", log, "--key", key, "--origin", "audit.example/log"])
        return log
    }()

    /// A story log whose fifth record was altered.
    lazy var tamperedLog: String = {
        let log = path("tampered.jsonl")
        try? A.story(log)
        var lines = (try? A.lines(log)) ?? []
        if lines.count > 4 { lines[4] = lines[4].replacingOccurrences(of: "success", with: "failure") }
        try? lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
        return log
    }()

    /// A story log whose last line was cut short by an interrupted write.
    lazy var tornLog: String = {
        let log = path("torn.jsonl")
        try? A.story(log)
        let whole = (try? A.bytes(log)) ?? []
        try? A.write(whole + Array(#"{"kind":"execution","plan":"rel"#.utf8), log)
        return log
    }()

    /// A credential for the release plan's `build` step at the pinned time.
    lazy var token: String = F.mint("build", key: key).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

    /// An inclusion proof of record 1 of the checkpointed log.
    lazy var proof: String = {
        let result = runCLI(["audit", "prove", checkpointedLog, "--seq", "1", "-k", publicKey])
        return (try? write("proof.json", result.stdout)) ?? path("proof.json")
    }()

    /// The checkpointed log published as tiles.
    lazy var site: String = {
        let site = path("site")
        _ = runCLI(["audit", "publish", checkpointedLog, "--out", site, "-k", publicKey])
        return site
    }()

    /// A witness add-checkpoint request for the published tree.
    lazy var witnessRequest: String = {
        let request = path("request.txt")
        _ = runCLI(["audit", "witness-request", "--tiles", site, "--old", "0", "-o", request])
        return request
    }()

    /// `audit cosign` of the published checkpoint by a witness, against `logKey`.
    func cosign(logKey: String) throws -> [String] {
        ["audit", "cosign", site + "/checkpoint", "-k", try F.key("other.key", in: directory), "--name", "witness.example/w1",
         "--state", path("witness"), "--log-key", logKey, "--proof", witnessRequest, "--now", "2026-06-01T00:00:00Z"]
    }

    /// A policy directory with a schema: one permit on `read`.
    lazy var cedar: String = {
        let dir = path("cedar")
        _ = try? write("cedar/schema.cedarschema", CedarWorkspace.schema)
        _ = try? write("cedar/policies.cedar", "@id(\"read\")\npermit (principal is Agent, action == Action::\"read\", resource is Repo);\n")
        return dir
    }()

    /// A PreToolUse event of Claude Code reading a file of this project.
    var readEvent: String {
        """
        {"session_id": "s-1", "transcript_path": "\(path("t.jsonl"))", "cwd": "\(directory.path)",
         "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Read",
         "tool_input": {"file_path": "\(path("README.md"))"}, "tool_use_id": "toolu_01"}
        """
    }

    /// `gate` against the coding-agent example, logging to this workspace.
    var gate: [String] {
        ["gate", "--host", "claude-code", "--policies", repository + "/policies/examples/coding-agent", "--log", path("gate.log"),
         "--now", "2026-12-07T09:00:00Z"]
    }
}

/// One command line and the exit status the contract gives it.
struct ContractCase: Sendable, CustomTestStringConvertible {
    /// Golden file stem and test name.
    var name: String
    /// The command path the case exercises.
    var path: [String]
    var status: Int32
    var input: String = ""
    /// stdout is a host's own protocol (the gate's hook answer), not a stepguard document.
    var hostProtocol = false
    /// The document an option selects instead of the command's own (`OptionDocument.name`).
    var document: String? = nil
    var arguments: @Sendable (ContractWorkspace) throws -> [String]

    var testDescription: String { name }
}

/// Every command through its 0/1/2 cases, in text and in JSON: the same exit status either
/// way; every JSON document carrying its `schema`; an exit 2 under `--format json` ending
/// stdout with the error document; and each JSON output pinned in `Golden/contract/`.
struct ContractTests {
    typealias W = ContractWorkspace

    static let requests = """
        {"principal": "Agent::\\"a\\"", "action": "Action::\\"read\\"", "resource": "Repo::\\"r\\"", "context": {}}

        {"principal": "Agent::\\"a\\"", "action": "Action::\\"write\\"", "resource": "Repo::\\"r\\"", "context": {}}

        """

    static let messy = "permit(principal,action,resource)when{principal.level>2};\n"

    /// A Claude Code transcript of one call the coding-agent example allows.
    static let readTranscript = """
        {"type":"assistant","sessionId":"s-1","cwd":"/work/app","timestamp":"2026-12-07T09:00:00Z","message":{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"/work/app/src/main.py"}}]}}
        {"type":"user","sessionId":"s-1","cwd":"/work/app","timestamp":"2026-12-07T09:00:01Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"print(1)"}]}}

        """

    /// A tools/list result of one read-only tool.
    static let mcpTools = """
        {"tools": [{"name": "search_docs", "description": "Search the documentation", "inputSchema": {"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}}, "required": ["query"]}, "annotations": {"readOnlyHint": true, "openWorldHint": false}}]}
        """

    static let cases: [ContractCase] = [
        // lint
        ContractCase(name: "lint-0", path: ["lint"], status: 0) { w in ["lint", w.fixtures + "/lint/clean"] },
        ContractCase(name: "lint-1", path: ["lint"], status: 1) { w in ["lint", w.fixtures + "/lint/mixed"] },
        ContractCase(name: "lint-2", path: ["lint"], status: 2) { w in ["lint", try w.write("broken.cedar", "permit(principal, action, resource\n")] },
        ContractCase(name: "lint-rules-0", path: ["lint"], status: 0, document: "rules") { _ in ["lint", "--list-rules"] },
        ContractCase(name: "lint-rules-2", path: ["lint"], status: 2, document: "rules") { _ in ["lint", "--list-rules", "policies"] },
        ContractCase(name: "lint-rule-0", path: ["lint"], status: 0, document: "rule") { _ in ["lint", "--explain", "sg201"] },
        ContractCase(name: "lint-rule-2", path: ["lint"], status: 2, document: "rule") { _ in ["lint", "--explain", "SG2O1"] },
        // fmt
        ContractCase(name: "fmt-0", path: ["fmt"], status: 0) { w in ["fmt", try w.write("messy.cedar", ContractTests.messy)] },
        ContractCase(name: "fmt-1", path: ["fmt"], status: 1) { w in ["fmt", "--check", try w.write("messy.cedar", ContractTests.messy)] },
        ContractCase(name: "fmt-2", path: ["fmt"], status: 2) { w in ["fmt", try w.write("broken.cedar", "permit(principal,\n")] },
        // test
        ContractCase(name: "test-0", path: ["test"], status: 0) { w in ["test", w.repository + "/policies/examples/release-pipeline"] },
        ContractCase(name: "test-1", path: ["test"], status: 1) { w in ["test", w.fixtures + "/test-runner"] },
        ContractCase(name: "test-2", path: ["test"], status: 2) { w in ["test", w.path("nowhere")] },
        // validate
        ContractCase(name: "validate-0", path: ["validate"], status: 0) { w in ["validate", "-p", w.cedar] },
        ContractCase(name: "validate-1", path: ["validate"], status: 1) { w in
            ["validate", "-p", try w.write("typo.cedar", "permit (principal, action == Action::\"read\", resource) when { resource.evn == \"prod\" };\n"),
             "--schema", w.cedar + "/schema.cedarschema"]
        },
        ContractCase(name: "validate-2", path: ["validate"], status: 2) { w in ["validate", "-p", try w.write("broken.cedar", "permit(\n")] },
        // authorize
        ContractCase(name: "authorize-0", path: ["authorize"], status: 0) { w in
            ["authorize", "-p", w.cedar, "--principal", "Agent::\"a\"", "--action", "Action::\"read\"", "--resource", "Repo::\"r\""]
        },
        ContractCase(name: "authorize-1", path: ["authorize"], status: 1) { w in
            ["authorize", "-p", w.cedar, "--principal", "Agent::\"a\"", "--action", "Action::\"write\"", "--resource", "Repo::\"r\""]
        },
        ContractCase(name: "authorize-2", path: ["authorize"], status: 2) { w in
            ["authorize", "-p", w.path("nowhere"), "--principal", "Agent::\"a\"", "--action", "Action::\"read\"", "--resource", "Repo::\"r\""]
        },
        ContractCase(name: "authorize-batch-0", path: ["authorize"], status: 0) { w in
            ["authorize", "-p", w.cedar, "--requests", try w.write("requests.jsonl", ContractTests.requests)]
        },
        ContractCase(name: "authorize-batch-2", path: ["authorize"], status: 2) { w in
            ["authorize", "-p", w.cedar, "--requests", try w.write("requests.jsonl", ContractTests.requests + "{\"principal\": 1}\n")]
        },
        // eval and mutate
        ContractCase(name: "eval-0", path: ["eval"], status: 0) { w in ["eval", "-p", w.release, w.fixtures + "/allowed/plan.json", "--now", "2027-01-15T08:00:00Z"] },
        ContractCase(name: "eval-1", path: ["eval"], status: 1) { w in ["eval", w.release + "/plan.json", "--now", "2027-01-15T08:00:00Z"] },
        ContractCase(name: "eval-2", path: ["eval"], status: 2) { w in ["eval", "-p", w.release, w.fixtures + "/malformed-plan.json"] },
        ContractCase(name: "eval-torn-audit-2", path: ["eval"], status: 2) { w in
            ["eval", "-p", w.release, w.fixtures + "/allowed/plan.json", "--audit", w.tornLog, "--now", "2027-01-15T08:00:00Z"]
        },
        ContractCase(name: "mutate-0", path: ["mutate"], status: 0) { w in ["mutate", "-p", w.release, w.fixtures + "/allowed/plan.json", "--now", "2027-01-15T08:00:00Z"] },
        ContractCase(name: "mutate-1", path: ["mutate"], status: 1) { w in ["mutate", w.release + "/plan.json", "--now", "2027-01-15T08:00:00Z"] },
        ContractCase(name: "mutate-2", path: ["mutate"], status: 2) { w in ["mutate", "-p", w.release, w.fixtures + "/malformed-plan.json"] },
        // keygen
        ContractCase(name: "keygen-0", path: ["keygen"], status: 0) { w in ["keygen", "--out", w.path("new")] },
        ContractCase(name: "keygen-2", path: ["keygen"], status: 2) { w in ["keygen", "--out", String(try w.write("old.key", "x").dropLast(4))] },
        // mint
        ContractCase(name: "approve-0", path: ["approve"], status: 0) { w in
            ["approve", "--list", w.release + "/plan.json", "-p", w.release, "--now", "2026-11-20T09:00:00Z"]
        },
        ContractCase(name: "approve-1", path: ["approve"], status: 1) { w in
            ["approve", "-k", w.key, "--as", #"User::"alice""#, w.release + "/plan.json", "--step", "rotate-signing-key", "-p", w.release,
             "--out", w.path("approvals"), "--now", "2026-11-20T09:00:00Z"]
        },
        ContractCase(name: "approve-2", path: ["approve"], status: 2) { w in
            ["approve", "-k", w.key, "--as", #"User::"alice""#, w.release + "/plan.json", "--step", "build", "-p", w.release,
             "--out", w.path("approvals"), "--now", "2026-11-20T09:00:00Z"]
        },
        ContractCase(name: "mint-0", path: ["mint"], status: 0) { w in
            ["mint", "--key", w.key, "--policies", w.release, "--plan", w.release + "/plan.json", "--step", "build", "--now", "2027-01-15T08:00:00Z"]
        },
        ContractCase(name: "mint-1", path: ["mint"], status: 1) { w in
            ["mint", "--key", w.key, "--policies", w.release, "--plan", w.release + "/plan.json", "--step", "purge-cdn", "--now", "2027-01-15T08:00:00Z"]
        },
        ContractCase(name: "mint-2", path: ["mint"], status: 2) { w in
            ["mint", "--key", w.path("missing.key"), "--policies", w.release, "--plan", w.release + "/plan.json", "--step", "build"]
        },
        ContractCase(name: "mint-torn-audit-2", path: ["mint"], status: 2) { w in
            ["mint", "--key", w.key, "--policies", w.release, "--plan", w.release + "/plan.json", "--step", "build", "--now", "2027-01-15T08:00:00Z", "--audit", w.tornLog]
        },
        // token
        ContractCase(name: "token-verify-0", path: ["token", "verify"], status: 0) { w in
            ["token", "verify", "--key", w.publicKey, "--now", "2027-01-15T08:00:00Z", w.token]
        },
        ContractCase(name: "token-verify-1", path: ["token", "verify"], status: 1) { w in
            ["token", "verify", "--key", w.otherPublicKey, "--now", "2027-01-15T08:00:00Z", w.token]
        },
        ContractCase(name: "token-verify-2", path: ["token", "verify"], status: 2) { w in
            ["token", "verify", "--key", w.path("missing.pub"), w.token]
        },
        ContractCase(name: "token-inspect-0", path: ["token", "inspect"], status: 0) { w in ["token", "inspect", w.token] },
        ContractCase(name: "token-inspect-2", path: ["token", "inspect"], status: 2) { _ in ["token", "inspect", "not-a-token"] },
        ContractCase(name: "token-revoke-0", path: ["token", "revoke"], status: 0) { w in ["token", "revoke", "--jti", "jti-1", "--revoked", w.path("revoked.txt")] },
        ContractCase(name: "token-revoke-2", path: ["token", "revoke"], status: 2) { w in ["token", "revoke", "--jti", "jti-1", "--revoked", w.directory.path] },
        // audit
        ContractCase(name: "audit-append-0", path: ["audit", "append"], status: 0, input: AuditFixtures.decision("later")) { w in
            ["audit", "append", w.log, "--now", "2026-05-28T20:30:00Z"]
        },
        ContractCase(name: "audit-append-torn-2", path: ["audit", "append"], status: 2, input: AuditFixtures.decision("later")) { w in
            ["audit", "append", w.tornLog, "--now", "2026-05-28T20:30:00Z"]
        },
        ContractCase(name: "audit-append-tampered-2", path: ["audit", "append"], status: 2, input: AuditFixtures.decision("later")) { w in
            ["audit", "append", w.tamperedLog, "--now", "2026-05-28T20:30:00Z"]
        },
        ContractCase(name: "audit-checkpoint-0", path: ["audit", "checkpoint"], status: 0) { w in
            ["audit", "checkpoint", w.log, "--key", w.key, "--origin", "audit.example/log"]
        },
        ContractCase(name: "audit-checkpoint-1", path: ["audit", "checkpoint"], status: 1) { w in
            ["audit", "checkpoint", w.tamperedLog, "--key", w.key, "--origin", "audit.example/log"]
        },
        ContractCase(name: "audit-checkpoint-2", path: ["audit", "checkpoint"], status: 2) { w in
            ["audit", "checkpoint", w.log, "--key", w.path("missing.key")]
        },
        ContractCase(name: "audit-verify-0", path: ["audit", "verify"], status: 0) { w in ["audit", "verify", w.log] },
        ContractCase(name: "audit-verify-1", path: ["audit", "verify"], status: 1) { w in ["audit", "verify", w.tamperedLog] },
        ContractCase(name: "audit-verify-2", path: ["audit", "verify"], status: 2) { w in ["audit", "verify", w.path("missing.jsonl")] },
        ContractCase(name: "audit-show-0", path: ["audit", "show"], status: 0) { w in ["audit", "show", w.log, "--plan", "release-42"] },
        ContractCase(name: "audit-show-1", path: ["audit", "show"], status: 1) { w in ["audit", "show", w.log, "--plan", "other"] },
        ContractCase(name: "audit-show-2", path: ["audit", "show"], status: 2) { w in ["audit", "show", w.path("missing.jsonl")] },
        ContractCase(name: "audit-prove-0", path: ["audit", "prove"], status: 0) { w in ["audit", "prove", w.checkpointedLog, "--seq", "1", "-k", w.publicKey] },
        ContractCase(name: "audit-prove-2", path: ["audit", "prove"], status: 2) { w in ["audit", "prove", w.log, "--seq", "1"] },
        ContractCase(name: "audit-verify-proof-0", path: ["audit", "verify-proof"], status: 0) { w in ["audit", "verify-proof", w.proof, "-k", w.publicKey] },
        ContractCase(name: "audit-verify-proof-1", path: ["audit", "verify-proof"], status: 1) { w in ["audit", "verify-proof", w.proof, "-k", w.otherPublicKey] },
        ContractCase(name: "audit-verify-proof-2", path: ["audit", "verify-proof"], status: 2) { w in
            ["audit", "verify-proof", try w.write("bad-proof.json", "{}"), "-k", w.publicKey]
        },
        ContractCase(name: "audit-publish-0", path: ["audit", "publish"], status: 0) { w in ["audit", "publish", w.checkpointedLog, "--out", w.path("out"), "-k", w.publicKey] },
        ContractCase(name: "audit-publish-1", path: ["audit", "publish"], status: 1) { w in ["audit", "publish", w.tamperedLog, "--out", w.path("out")] },
        ContractCase(name: "audit-publish-2", path: ["audit", "publish"], status: 2) { w in ["audit", "publish", w.path("missing.jsonl"), "--out", w.path("out")] },
        ContractCase(name: "audit-cosign-0", path: ["audit", "cosign"], status: 0) { w in try w.cosign(logKey: w.publicKey) },
        ContractCase(name: "audit-cosign-1", path: ["audit", "cosign"], status: 1) { w in try w.cosign(logKey: w.otherPublicKey) },
        ContractCase(name: "audit-cosign-2", path: ["audit", "cosign"], status: 2) { w in
            var arguments = try w.cosign(logKey: w.publicKey)
            arguments[2] = w.path("missing-checkpoint")
            return arguments
        },
        ContractCase(name: "audit-witness-request-0", path: ["audit", "witness-request"], status: 0) { w in
            ["audit", "witness-request", w.checkpointedLog, "--old", "0"]
        },
        ContractCase(name: "audit-witness-request-2", path: ["audit", "witness-request"], status: 2) { w in
            ["audit", "witness-request", w.log, "--old", "0"]
        },
        // gate
        ContractCase(name: "gate-0", path: ["gate"], status: 0, hostProtocol: true) { w in w.gate },
        ContractCase(name: "gate-log-only-1", path: ["gate"], status: 1, input: "{", hostProtocol: true) { w in w.gate + ["--mode", "log-only"] },
        ContractCase(name: "gate-2", path: ["gate"], status: 2, input: "{", hostProtocol: true) { w in w.gate },
        ContractCase(name: "gate-install-0", path: ["gate", "install"], status: 0) { w in
            ["gate", "install", "--host", "claude-code", "--settings", w.path("settings.json"), "--dry-run"]
        },
        ContractCase(name: "gate-install-2", path: ["gate", "install"], status: 2) { w in
            ["gate", "install", "--host", "claude-code", "--settings", try w.write("settings.json", "[1, 2"), "--dry-run"]
        },
        // replay and catalog
        ContractCase(name: "replay-0", path: ["replay"], status: 0) { w in
            ["replay", "-p", w.repository + "/policies/examples/coding-agent", "--root", "/work/app", try w.write("session.jsonl", ContractTests.readTranscript)]
        },
        ContractCase(name: "replay-1", path: ["replay"], status: 1) { w in
            ["replay", "-p", w.repository + "/policies/examples/coding-agent", "--root", "/work/app", "-q",
             w.repository + "/policies/examples/coding-agent/recordings/claude-code-session.jsonl"]
        },
        ContractCase(name: "replay-2", path: ["replay"], status: 2) { w in
            ["replay", "-p", w.repository + "/policies/examples/coding-agent", try w.write("broken.jsonl", "{\"seq\": 1,\n")]
        },
        ContractCase(name: "catalog-import-mcp-0", path: ["catalog", "import-mcp"], status: 0) { w in
            ["catalog", "import-mcp", try w.write("tools.json", ContractTests.mcpTools), "--server", "docs", "-p", w.path("policies"),
             "--schema", w.path("docs.cedarschema")]
        },
        ContractCase(name: "catalog-import-mcp-2", path: ["catalog", "import-mcp"], status: 2) { w in
            ["catalog", "import-mcp", try w.write("tools.json", "{\"tools\": [1]}"), "--server", "docs", "-p", w.path("policies")]
        },
        // completions and help
        ContractCase(name: "completions-0", path: ["completions"], status: 0) { _ in ["completions", "bash"] },
        ContractCase(name: "completions-2", path: ["completions"], status: 2) { _ in ["completions", "tcsh"] },
        ContractCase(name: "help-0", path: ["help"], status: 0) { _ in ["help", "eval"] },
        ContractCase(name: "help-2", path: ["help"], status: 2) { _ in ["help", "nope"] },
    ]

    /// Runs a case in a fresh workspace; the gate's event is this workspace's when none is given.
    static func run(_ item: ContractCase, extra: [String] = []) throws -> (RunResult, ContractWorkspace) {
        let workspace = try ContractWorkspace()
        let arguments = try item.arguments(workspace) + extra
        var input = item.input
        if item.path == ["gate"] && input.isEmpty { input = workspace.readEvent }
        return (runCLI(arguments, input: input), workspace)
    }

    /// Whether the command offers `--format json`.
    static func offersJSON(_ path: [String]) -> Bool {
        guard let command = CommandTable.root.descendant(path), let format = command.option(long: "format") else { return false }
        return format.kind.choices?.contains("json") == true
    }

    /// The JSON documents on stdout: one indented document, or JSON Lines.
    static func documents(_ stdout: String) -> [[String: Any]]? {
        if let whole = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] { return [whole] }
        var documents: [[String: Any]] = []
        for line in stdout.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            documents.append(object)
        }
        return documents.isEmpty ? nil : documents
    }

    /// stdout with the workspace, the repository and what differs run to run (credential ids,
    /// tokens, fresh keys) replaced by names.
    static func normalized(_ text: String, _ workspace: ContractWorkspace) -> String {
        var text = text.replacingOccurrences(of: workspace.directory.path, with: "<dir>")
            .replacingOccurrences(of: workspace.directory.resolvingSymlinksInPath().path, with: "<dir>")
            .replacingOccurrences(of: Repository.root.path, with: "<repo>")
        for key in ["jti", "token", "kid", "issued_at"] {
            let pattern = "\"\(key)\"( ?): \"[^\"]*\""
            text = text.replacingOccurrences(of: pattern, with: "\"\(key)\"$1: \"<\(key)>\"", options: .regularExpression)
        }
        return text
    }

    @Test(arguments: cases)
    func exitStatusIsTheSameInTextAndJSON(_ item: ContractCase) throws {
        let (text, workspace) = try Self.run(item)
        defer { workspace.remove() }
        #expect(text.status == item.status, "\(item.name): \(text.stdout)\(text.stderr)")
        if item.status == 2 {
            // lint's report (stdout) names the input that did not load; every other command says why on stderr.
            let why = item.path == ["lint"] && item.document == nil ? text.stdout : text.stderr
            #expect(why.contains(": error:") || why.contains("stepguard: error:"), "\(item.name): exit 2 says why: \(text.stderr)")
        }
        guard Self.offersJSON(item.path) else { return }

        let (json, jsonWorkspace) = try Self.run(item, extra: ["--format", "json"])
        defer { jsonWorkspace.remove() }
        #expect(json.status == item.status, "\(item.name) --format json: \(json.stdout)\(json.stderr)")
        if item.hostProtocol && json.status != 2 { return }
        let documents = try #require(Self.documents(json.stdout), "\(item.name): stdout is not JSON: \(json.stdout)")
        let schema = JSONSchema.name(commandPath: item.path + (item.document.map { [$0] } ?? []))
        if item.status == 2 {
            let error = try #require(documents.last)
            #expect(error["schema"] as? String == JSONSchema.error, "\(item.name): \(json.stdout)")
            #expect(error["command"] as? String == item.path.joined(separator: " "))
            #expect((error["code"] as? String).map { CommandFailure.Code(rawValue: $0) != nil } == true)
            #expect((error["message"] as? String)?.isEmpty == false)
            for key in ["file", "line", "column"] { #expect(error.keys.contains(key), "\(item.name): \(key)") }
            for document in documents.dropLast() { #expect(document["schema"] as? String == schema, "\(item.name)") }
        } else {
            for document in documents { #expect(document["schema"] as? String == schema, "\(item.name): \(json.stdout)") }
        }
        try expectGolden("contract/\(item.name).json", Self.normalized(json.stdout, jsonWorkspace))
    }

    /// Every command the table runs has a case for every exit status its help promises, and
    /// for 2.
    @Test func everyCommandHasItsCases() {
        for (path, command) in CommandTable.root.visibleDescendants().map({ ($0.path, $0.command) }) where command.run != nil {
            let statuses = Set(Self.cases.filter { $0.path == path }.map(\.status))
            for note in command.effectiveExitStatus {
                #expect(statuses.contains(note.code.rawValue), "\(path.joined(separator: " ")) has no case for exit \(note.code.rawValue)")
            }
        }
    }

    /// Every document an option selects has its cases, and the generated table in docs/cli.md
    /// names it.
    @Test func everyOptionDocumentHasItsCases() {
        for (path, command) in CommandTable.root.visibleDescendants().map({ ($0.path, $0.command) }) {
            for document in command.optionDocuments {
                #expect(command.option(long: document.option) != nil, "\(path) --\(document.option)")
                let statuses = Set(Self.cases.filter { $0.path == path && $0.document == document.name }.map(\.status))
                #expect(statuses.contains(0) && statuses.contains(2), "\(path) --\(document.option) has no case for exit 0 or 2")
                #expect(DocsGenerator.markdownJSONTable(root: CommandTable.root).contains("`stepguard.\((path + [document.name]).joined(separator: "-"))/v1`"))
            }
        }
    }

    /// `--list-rules` and `--explain` print text or JSON; SARIF and annotations carry findings.
    @Test(arguments: ["sarif", "github"])
    func ruleDocumentsAreTextOrJSON(_ format: String) {
        for arguments in [["lint", "--list-rules"], ["lint", "--explain", "SG201"]] {
            let result = runCLI(arguments + ["--format", format])
            #expect(result.status == 2)
            #expect(result.stderr.contains("prints text or json, not \(format)"), "\(result.stderr)")
        }
    }

    /// A usage error found before any command ran still answers `--format json` on stdout.
    @Test func usageErrorsAnswerJSON() throws {
        let result = runCLI(["eval", "--formt", "x", "--format", "json"])
        #expect(result.status == 2)
        let document = try #require(Self.documents(result.stdout)?.first)
        #expect(document["schema"] as? String == JSONSchema.error)
        #expect(document["code"] as? String == "usage")
        #expect(document["command"] as? String == "eval")
    }

    /// A torn audit tail is exit 2, nothing appended, whichever command reaches it.
    @Test(arguments: ["audit-append-torn-2", "eval-torn-audit-2", "mint-torn-audit-2"])
    func aTornTailIsExitTwoEverywhere(_ name: String) throws {
        let item = try #require(Self.cases.first { $0.name == name })
        let (result, workspace) = try Self.run(item, extra: ["--format", "json"])
        defer { workspace.remove() }
        #expect(result.status == 2)
        let error = try #require(Self.documents(result.stdout)?.last)
        #expect(error["code"] as? String == "audit_log", "\(result.stdout)")
        #expect(result.stderr.contains("the last line is incomplete"), "\(result.stderr)")
        let lines = try AuditFixtures.lines(workspace.tornLog)
        #expect(lines.count == 7 && lines.last?.hasPrefix("{\"kind\":\"execution\",\"plan\":\"rel") == true, "nothing appended")
    }
}

import Foundation
import JSONValue
import Testing
import Workflow

@testable import Gate

/// `stepguard catalog import-mcp`: effect and flags from annotations, the merge into tools.json,
/// the schema fragment (validated by `stepguard validate`, compared with the Cedar project's
/// generator), and the gate deciding an imported tool's call on its typed args.
struct MCPImportTests {
    static let github = Repository.fixtures.appendingPathComponent("mcp/github-tools.json").path
    static let filesystem = Repository.fixtures.appendingPathComponent("mcp/filesystem-tools.json").path

    static func tools(_ path: String) throws -> [MCPTool] {
        try MCPImport.tools(Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
    }

    @Test func effectAndFlagsFollowTheAnnotationsAndTheSpecificationDefaults() throws {
        let github = Dictionary(uniqueKeysWithValues: try Self.tools(Self.github).map { ($0.name, "\($0.effect.rawValue) \($0.flags.map(\.rawValue))") })
        #expect(github == [
            "get_issue": "read [\"external\"]",
            "list_issues": "read [\"external\"]",
            "create_issue": "write [\"external\"]",
            "create_or_update_file": "delete [\"irreversible\"]",
            "merge_pull_request": "delete [\"external\", \"irreversible\"]",
        ])
        // Without annotations every hint takes its default: the most cautious reading.
        let filesystem = try Self.tools(Self.filesystem)
        #expect(filesystem.count == 8)
        #expect(filesystem.allSatisfy { $0.effect == .delete && $0.flags == [.external, .irreversible] })
    }

    @Test func inputSchemasBecomeCedarRecords() throws {
        let tools = Dictionary(uniqueKeysWithValues: try Self.tools(Self.filesystem).map { ($0.name, $0) })
        #expect(MCPImport.inputType(tools["edit_file"]!) == .record([
            MCPCedarAttribute(name: "dryRun", required: false, type: .bool),
            MCPCedarAttribute(name: "edits", required: true, type: .set(.record([
                MCPCedarAttribute(name: "newText", required: true, type: .string),
                MCPCedarAttribute(name: "oldText", required: true, type: .string),
            ]))),
            MCPCedarAttribute(name: "path", required: true, type: .string),
        ]))
        // Numbers have no Cedar type (no floating point): left out.
        #expect(MCPImport.inputType(tools["read_file"]!) == .record([MCPCedarAttribute(name: "path", required: true, type: .string)]))
        #expect(MCPImport.inputType(tools["list_allowed_directories"]!) == .record([]))
    }

    @Test(arguments: [
        ("[1]", "a tool must be an object"),
        ("{\"tools\": [{\"name\": \"x\"}]}", "tool \"x\" needs an object \"inputSchema\""),
        ("{\"tools\": [{\"name\": \"x\", \"inputSchema\": {}}, {\"name\": \"x\", \"inputSchema\": {}}]}", "tool \"x\" is listed twice"),
        ("{\"tools\": [{\"name\": \"x\", \"inputSchema\": {}, \"annotations\": {\"readOnlyHint\": \"yes\"}}]}", "\"readOnlyHint\" must be true or false"),
        ("{\"result\": {}}", "expected a tools/list result"),
        ("{\"tools\": [", "not JSON"),
    ])
    func malformedToolListsAreLocated(text: String, message: String) {
        #expect {
            _ = try MCPImport.tools(Array(text.utf8), file: "t.json")
        } throws: { error in
            guard let error = error as? GateError, case .malformedRecording(let location, let text) = error else { return false }
            return location.file == "t.json" && text.contains(message)
        }
    }

    /// The reference generator of the Cedar project (`cedar-policy-mcp-schema-generator`), with
    /// records for objects: every input record agrees with ours, but for the documented
    /// differences (numbers, enums, nullable and untyped members).
    @Test(arguments: [("github-tools.json", "github"), ("filesystem-tools.json", "filesystem")])
    func inputTypesMatchTheReferenceGenerator(file: String, namespace: String) throws {
        let path = Repository.fixtures.appendingPathComponent("mcp/\(file)").path
        guard let reference = try Self.referenceSchema(path, namespace: namespace) else {
            print("skipped: python3 with cedar-policy-mcp-schema-generator is not installed")
            return
        }
        let referenceTypes = try #require((reference[namespace] as? [String: Any])?["commonTypes"] as? [String: Any])
        var enums = Set<String>()
        for (name, value) in reference {
            for (entity, definition) in (value as? [String: Any])?["entityTypes"] as? [String: Any] ?? [:]
            where (definition as? [String: Any])?["enum"] != nil {
                enums.insert("\(name)::\(entity)")
            }
        }
        for tool in try Self.tools(path) {
            let theirs = try #require(referenceTypes["\(tool.name)Input"], "no \(tool.name)Input in the reference schema")
            let mismatches = Self.compare(MCPImport.inputType(tool), theirs, reference: reference, enums: enums, at: tool.name)
            #expect(mismatches.isEmpty, "\(mismatches)")
        }
    }

    /// Where our type and the reference's differ, other than as docs/catalog.md says they do.
    static func compare(_ ours: MCPCedarType?, _ theirs: Any, reference: [String: Any], enums: Set<String>, at path: String) -> [String] {
        guard let theirs = theirs as? [String: Any], let kind = theirs["type"] as? String else { return ["\(path): unreadable reference type"] }
        let name = theirs["name"] as? String
        switch (kind, name) {
        case ("EntityOrCommon", "String"?): return ours == .string ? [] : ["\(path): String, ours \(String(describing: ours))"]
        case ("EntityOrCommon", "Long"?): return ours == .long ? [] : ["\(path): Long, ours \(String(describing: ours))"]
        case ("EntityOrCommon", "Bool"?): return ours == .bool ? [] : ["\(path): Bool, ours \(String(describing: ours))"]
        case ("EntityOrCommon", let name?):
            // A record the reference names as a common type in a namespace of its own.
            let parts = name.components(separatedBy: "::")
            let namespace = parts.dropLast().joined(separator: "::")
            guard let common = ((reference[namespace] as? [String: Any])?["commonTypes"] as? [String: Any])?[parts.last!] else {
                return ["\(path): unknown reference type \(name)"]
            }
            return compare(ours, common, reference: reference, enums: enums, at: path)
        case ("Entity", let name?):
            // An enumeration becomes an enumerated entity there and a String here; a number,
            // null and an untyped member become opaque entities there and are left out here.
            if enums.contains(name) { return ours == .string ? [] : ["\(path): enum \(name), ours \(String(describing: ours))"] }
            return ours == nil ? [] : ["\(path): opaque \(name), ours \(String(describing: ours))"]
        case ("Set", _):
            guard case .set(let element)? = ours else { return ["\(path): Set, ours \(String(describing: ours))"] }
            return compare(element, theirs["element"] as Any, reference: reference, enums: enums, at: path + "[]")
        case ("Record", _):
            let attributes = theirs["attributes"] as? [String: Any] ?? [:]
            // A member of two types (["string", "null"]) is a record of choices there; here the
            // nullable member is its one type, optional.
            if attributes.keys.allSatisfy({ $0.hasPrefix("typeChoice") }) && !attributes.isEmpty {
                let named = attributes.values.compactMap { $0 as? [String: Any] }.filter { ($0["type"] as? String) != "Entity" }
                guard named.count == 1 else { return ours == nil ? [] : ["\(path): union, ours \(String(describing: ours))"] }
                return compare(ours, named[0], reference: reference, enums: enums, at: path)
            }
            guard case .record(let members)? = ours else { return ["\(path): record, ours \(String(describing: ours))"] }
            var problems: [String] = []
            let byName = Dictionary(uniqueKeysWithValues: members.map { ($0.name, $0) })
            for (key, value) in attributes {
                let attribute = value as? [String: Any] ?? [:]
                let mine = byName[key]
                problems += compare(mine?.type, attribute, reference: reference, enums: enums, at: "\(path).\(key)")
                let isUnion = (attribute["attributes"] as? [String: Any])?.keys.contains { $0.hasPrefix("typeChoice") } ?? false
                if let mine, !isUnion, mine.required != (attribute["required"] as? Bool ?? true) {
                    problems.append("\(path).\(key): required \(attribute["required"] as? Bool ?? true), ours \(mine.required)")
                }
            }
            for member in members where attributes[member.name] == nil { problems.append("\(path).\(member.name): not in the reference") }
            return problems
        default:
            return ["\(path): reference type \(kind)"]
        }
    }

    /// The reference generator's JSON schema, or nil when python3 or the package is absent.
    static func referenceSchema(_ tools: String, namespace: String) throws -> [String: Any]? {
        let script = Repository.fixtures.appendingPathComponent("mcp/reference_schema.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, tools, namespace]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 3 || process.terminationStatus == 127 { return nil }
        #expect(process.terminationStatus == 0)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}

/// The command through the binary.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct CatalogImportCommandTests {
    @Test func mergeKeepsHandEditsAndIsIdempotent() throws {
        let project = try Project()
        defer { project.remove() }
        let catalogPath = project.policies + "/tools.json"
        // A hand-written action and rule for one of the server's tools.
        var text = try String(contentsOfFile: catalogPath, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "\"fs.read\": { \"effect\": \"read\", \"tool\": \"fs\" },",
            with: "\"fs.read\": { \"effect\": \"read\", \"tool\": \"fs\" },\n    \"github.get_issue\": { \"effect\": \"read\", \"tool\": \"github\", \"description\": \"written by hand\" },")
        text = text.replacingOccurrences(
            of: "{ \"tool\": \"Read\", \"action\": \"fs.read\"",
            with: "{ \"tool\": \"mcp__github__get_issue\", \"action\": \"github.get_issue\", \"resource\": { \"type\": \"Repo\", \"id\": \"{input.owner}/{input.repo}\" } },\n        { \"tool\": \"Read\", \"action\": \"fs.read\"")
        try text.write(toFile: catalogPath, atomically: true, encoding: .utf8)
        let schema = project.root + "/github.cedarschema"

        let first = try runStepguard([
            "catalog", "import-mcp", MCPImportTests.github, "--server", "github", "-p", project.policies, "--schema", schema, "--format", "json",
        ])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try #require(first.json, "\(first.stdout)")
        #expect(report["schema"] as? String == "stepguard.catalog-import-mcp/v1")
        #expect(report["kept_actions"] as? [String] == ["github.get_issue"])
        #expect(report["kept_rules"] as? [String] == ["mcp__github__get_issue"])
        #expect((report["added_actions"] as? [String])?.count == 4)

        let merged = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: catalogPath))) as? [String: Any])
        let actions = try #require(merged["actions"] as? [String: Any])
        #expect((actions["github.get_issue"] as? [String: Any])?["description"] as? String == "written by hand")
        #expect(actions["git.push"] != nil)
        let created = try #require(actions["github.merge_pull_request"] as? [String: Any])
        #expect(created["effect"] as? String == "delete")
        #expect(created["flags"] as? [String] == ["external", "irreversible"])
        let rules = try #require(((merged["hosts"] as? [String: Any])?["claude-code"] as? [String: Any])?["tools"] as? [[String: Any]])
        #expect(rules.first?["tool"] as? String == "mcp__github__get_issue")
        #expect((rules.first?["resource"] as? [String: Any])?["type"] as? String == "Repo")
        #expect(rules.filter { ($0["tool"] as? String)?.hasPrefix("mcp__github__") == true }.count == 5)
        #expect(FileManager.default.fileExists(atPath: schema))

        // The example's own tests still pass against the merged catalog.
        let suite = try runStepguard(["test", project.policies])
        #expect(suite.status == 0, "\(suite.stdout)\(suite.stderr)")

        let before = try String(contentsOfFile: catalogPath, encoding: .utf8)
        let again = try runStepguard(["catalog", "import-mcp", MCPImportTests.github, "--server", "github", "-p", project.policies, "--schema", schema])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.isEmpty)
        #expect(try String(contentsOfFile: catalogPath, encoding: .utf8) == before)
    }

    @Test func rulesAnEarlierGlobTakesAreReported() throws {
        let project = try Project()
        defer { project.remove() }
        let tools = #"{"tools": [{"name": "get_status", "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}}]}"#
        let result = try runStepguard(
            ["catalog", "import-mcp", "-", "--server", "deploybot", "-p", project.policies, "--schema", project.root + "/d.cedarschema", "--dry-run"],
            input: tools)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("the new rule for \"mcp__deploybot__get_status\" comes after hosts.claude-code.tools["), "\(result.stderr)")
        // The file keeps its layout: one new line for the action and one for the rule, and a
        // comma after the member each follows.
        #expect(result.stdout.contains("+    \"deploybot.get_status\": { \"effect\": \"read\", \"flags\": [\"external\"], \"tool\": \"deploybot\" }"), "\(result.stdout)")
        #expect(result.stdout.contains("+        { \"tool\": \"mcp__deploybot__get_status\", \"action\": \"deploybot.get_status\", \"resource\": { \"type\": \"McpServer\", \"id\": \"deploybot\" }, \"input_args\": true }"), "\(result.stdout)")
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.count == 4, "\(result.stdout)")
        #expect(result.stderr.contains("dry run: nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: project.root + "/d.cedarschema"))
    }

    /// The fragment validates policies that read a tool's args and stepguard's facts, and
    /// catches one that misspells an argument.
    @Test(arguments: [(MCPImportTests.github, "github"), (MCPImportTests.filesystem, "filesystem")])
    func theFragmentValidatesPolicies(tools: String, server: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/policies", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let schema = directory + "/\(server).cedarschema"
        let result = try runStepguard(["catalog", "import-mcp", tools, "--server", server, "-p", directory + "/policies", "--schema", schema])
        #expect(result.status == 0, "\(result.stderr)")
        let (action, argument) = server == "github" ? ("github.create_issue", "context.args.repo == \"infra\"") : ("filesystem.edit_file", "context.args.path like \"/etc/*\"")
        let good = """
            @id("no-egress-after-secret")
            forbid (principal, action, resource)
            when { context.tool.flags.contains("external") && context.history.labels.contains("secret") };

            @id("argument-rule")
            forbid (principal == Agent::"claude-code", action == Action::"\(action)", resource == McpServer::"\(server)")
            when { \(argument) && context.resource.sensitivity >= 0 && context.step > 0 };

            """
        try good.write(toFile: directory + "/policies/good.cedar", atomically: true, encoding: .utf8)
        let valid = try runStepguard(["validate", "-p", directory + "/policies/good.cedar", "--schema", schema])
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")

        let typo = good.replacingOccurrences(of: "context.args.", with: "context.args.x")
        try typo.write(toFile: directory + "/policies/typo.cedar", atomically: true, encoding: .utf8)
        let invalid = try runStepguard(["validate", "-p", directory + "/policies/typo.cedar", "--schema", schema])
        #expect(invalid.status == 1, "\(invalid.stdout)\(invalid.stderr)")
        #expect(invalid.stdout.contains("attribute-not-found") || invalid.stdout.contains("not found"), "\(invalid.stdout)")
    }

    /// An imported tool's call reaches the policies with its input as typed args.
    @Test func theGateDecidesAnImportedToolOnItsArgs() throws {
        let project = try Project()
        defer { project.remove() }
        let result = try runStepguard([
            "catalog", "import-mcp", MCPImportTests.github, "--server", "github", "-p", project.policies, "--schema", project.root + "/g.cedarschema",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let policy = """

            @id("github-writes")
            @owner("platform-security")
            permit (principal == Agent::"claude-code", action in [Action::"github.create_issue", Action::"github.list_issues"], resource);

            @id("no-issues-in-infra")
            @owner("platform-security")
            @reason("issues in infra are filed by people")
            forbid (principal, action == Action::"github.create_issue", resource)
            when { context.args.repo == "infra" && context.args.milestone == 3 };

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: project.policies + "/policies.cedar"))
        handle.seekToEndOfFile()
        handle.write(Data(policy.utf8))
        try handle.close()
        func event(_ repo: String) -> String {
            """
            {"session_id": "s", "transcript_path": "/t.jsonl", "cwd": "\(project.root)", "hook_event_name": "PreToolUse",
             "tool_name": "mcp__github__create_issue", "tool_use_id": "toolu_\(repo)",
             "tool_input": {"owner": "acme", "repo": "\(repo)", "title": "x", "milestone": 3, "body": null}}
            """
        }
        let denied = try runStepguard(["gate", "--host", "claude-code", "--now", "2026-12-07T09:00:00Z"], input: event("infra"))
        #expect(denied.status == 0, "\(denied.stderr)")
        #expect(denied.hookOutput?["permissionDecision"] as? String == "deny", "\(denied.stdout)")
        #expect((denied.hookOutput?["permissionDecisionReason"] as? String)?.contains("no-issues-in-infra") == true)
        let allowed = try runStepguard(["gate", "--host", "claude-code", "--now", "2026-12-07T09:00:00Z"], input: event("app"))
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.isEmpty, "\(allowed.stdout)")
    }
}

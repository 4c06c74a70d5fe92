import Foundation
import Testing

@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct GateInstallTests {
    static let unrelated = """
        {
          "permissions": {
            "allow": ["Bash(npm test)"],
            "deny": ["Read(./secrets/**)"]
          },
          "hooks": {
            "PostToolUse": [
              { "matcher": "Edit|Write", "hooks": [{ "type": "command", "command": "npx prettier --write" }] }
            ]
          },
          "model": "claude-sonnet-4-6"
        }

        """

    func temporarySettings(_ text: String?) throws -> (directory: URL, file: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gate-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".claude"), withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(".claude/settings.json").path
        if let text { try text.write(toFile: file, atomically: true, encoding: .utf8) }
        return (directory, file)
    }

    @Test func mergesIntoUnrelatedSettingsOnce() throws {
        let (directory, file) = try temporarySettings(Self.unrelated)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dry = try runStepguard(["gate", "install", "--host", "claude-code", "--settings", file, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("+    \"PreToolUse\": ["))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.unrelated)

        let first = try runStepguard(["gate", "install", "--host", "claude-code", "--settings", file])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("+++ b/"))
        let settings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        #expect(settings["model"] as? String == "claude-sonnet-4-6")
        let permissions = try #require(settings["permissions"] as? [String: Any])
        #expect(permissions["deny"] as? [String] == ["Read(./secrets/**)"])
        let hooks = try #require(settings["hooks"] as? [String: Any])
        for event in ["PreToolUse", "PostToolUse", "PostToolUseFailure"] {
            let groups = try #require(hooks[event] as? [[String: Any]], "\(event)")
            let commands = groups.flatMap { ($0["hooks"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String } }
            #expect(commands.filter { $0 == "stepguard gate --host claude-code" }.count == 1, "\(event)")
        }
        let post = try #require(hooks["PostToolUse"] as? [[String: Any]])
        #expect(post.count == 2)
        #expect(post.first?["matcher"] as? String == "Edit|Write")

        let before = try String(contentsOfFile: file, encoding: .utf8)
        let again = try runStepguard(["gate", "install", "--host", "claude-code", "--settings", file])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("nothing to change"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == before)
    }

    @Test func createsTheSettingsFile() throws {
        let (directory, file) = try temporarySettings(nil)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runStepguard(["gate", "install", "--host", "claude-code", "--settings", file])
        #expect(result.status == 0, "\(result.stderr)")
        let settings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        #expect((settings["hooks"] as? [String: Any])?.count == 3)
    }

    @Test(arguments: ["[1]", "{\"hooks\": []}", "{\"hooks\": {\"PreToolUse\": {}}}", "{ not json"])
    func refusesMalformedSettings(text: String) throws {
        let (directory, file) = try temporarySettings(text)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runStepguard(["gate", "install", "--host", "claude-code", "--settings", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains(file))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
    }
}

/// `gate install` for every other host, into its own configuration file holding unrelated
/// content: the gate's entries are added once, everything else stays as it was.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct HostInstallTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var host: String
        var file: String
        var unrelated: String
        /// The events the gate must run on.
        var events: [String]
        var testDescription: String { host }
    }

    static let cases = [
        Case(host: "codex", file: ".codex/hooks.json", unrelated: """
            {
              "hooks": {
                "SessionStart": [{ "matcher": "startup|resume", "hooks": [{ "type": "command", "command": "sh .codex/hooks/session-start.sh" }] }],
                "PreToolUse": [{ "matcher": "^Bash$", "hooks": [{ "type": "command", "command": "python3 .codex/hooks/pre_tool_use.py", "statusMessage": "Checking Bash command" }] }]
              }
            }

            """, events: ["PreToolUse", "PostToolUse"]),
        Case(host: "gemini", file: ".gemini/settings.json", unrelated: """
            {
              "theme": "GitHub",
              "mcpServers": { "deploybot": { "command": "deploybot-mcp", "args": ["--stdio"] } },
              "hooks": {
                "enabled": true,
                "BeforeTool": [{ "matcher": "write_file|replace", "hooks": [{ "type": "command", "command": "node .gemini/hooks/lint.js", "name": "lint" }] }]
              }
            }

            """, events: ["BeforeTool", "AfterTool"]),
        Case(host: "cursor", file: ".cursor/hooks.json", unrelated: """
            {
              "version": 1,
              "hooks": {
                "afterFileEdit": [{ "command": "./hooks/format.sh" }],
                "preToolUse": [{ "command": "./hooks/audit.sh", "matcher": "Shell" }]
              }
            }

            """, events: ["preToolUse", "postToolUse", "postToolUseFailure"]),
    ]

    /// The commands registered under `event` (Cursor lists hooks, the others matcher groups).
    func commands(_ hooks: [String: Any], _ event: String) -> [String] {
        let entries = hooks[event] as? [[String: Any]] ?? []
        return entries.flatMap { entry -> [String] in
            if let command = entry["command"] as? String { return [command] }
            return (entry["hooks"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String }
        }
    }

    /// Whether two JSON values read by JSONSerialization are the same.
    func same(_ a: Any?, _ b: Any?) throws -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed]
        return try JSONSerialization.data(withJSONObject: a, options: options) == JSONSerialization.data(withJSONObject: b, options: options)
    }

    @Test(arguments: cases)
    func installsIntoUnrelatedContentOnce(_ test: Case) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gate-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(test.file).path
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try test.unrelated.write(toFile: file, atomically: true, encoding: .utf8)
        let before = try #require(try JSONSerialization.jsonObject(with: Data(test.unrelated.utf8)) as? [String: Any])
        let beforeHooks = before["hooks"] as? [String: Any] ?? [:]

        let result = try runStepguard(["gate", "install", "--host", test.host, "--settings", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("+++ b/"))
        let after = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        let hooks = try #require(after["hooks"] as? [String: Any])
        let command = "stepguard gate --host \(test.host)"
        for event in test.events {
            #expect(commands(hooks, event).filter { $0 == command }.count == 1, "\(event)")
            // What was there before is still there, first.
            let old = commands(beforeHooks, event)
            #expect(Array(commands(hooks, event).prefix(old.count)) == old, "\(event)")
        }
        // Every other key and event is untouched.
        for (key, value) in before where key != "hooks" {
            #expect(try same(after[key], value), "\(key)")
        }
        for (event, value) in beforeHooks where !test.events.contains(event) {
            #expect(try same(hooks[event], value), "hooks.\(event)")
        }
        if test.host == "cursor" {
            #expect(after["version"] as? Int == 1)
            let entry = try #require((hooks["preToolUse"] as? [[String: Any]])?.last)
            #expect(entry["failClosed"] as? Bool == true, "an error of the gate must block, not let the call run")
        }

        let written = try String(contentsOfFile: file, encoding: .utf8)
        let again = try runStepguard(["gate", "install", "--host", test.host, "--settings", file])
        #expect(again.status == 0)
        #expect(again.stderr.contains("nothing to change"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == written)
    }

    @Test func defaultFileOfEachHost() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gate-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for test in Self.cases {
            let result = try runStepguard(["gate", "install", "--host", test.host, "--dry-run", "--format", "json"], directory: directory.path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.json?["file"] as? String == test.file)
            #expect(result.json?["written"] as? Bool == false)
        }
    }

    @Test func genericHasNoFileToInstallInto() throws {
        let result = try runStepguard(["gate", "install", "--host", "generic"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no configuration file"))
        #expect(result.stderr.contains("stepguard gate --host generic"))
    }
}

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

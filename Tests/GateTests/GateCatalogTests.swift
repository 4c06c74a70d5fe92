import Foundation
import JSONValue
import ProcessSupport
import Testing
import Workflow
@testable import Gate

/// The gate's sections of tools.json: parsing (with located errors), mapping, attribute rules
/// and input edits.
struct GateCatalogTests {
    static let actions = """
        "actions": {
          "fs.read": { "effect": "read" },
          "net.fetch": { "effect": "read", "flags": ["external"] },
          "git.push": { "effect": "write", "variants": { "lease": { "args": { "force": false },
            "input": [ { "field": "command", "pattern": "(\\\\s)--force(?=\\\\s|$)", "with": "$1--force-with-lease" } ] } } }
        }
        """

    func catalog(_ gate: String, file: String = "tools.json") throws -> GateCatalog {
        let text = "{\(Self.actions), \(gate)}"
        let actions = try ActionCatalog.parse(Array(text.utf8), file: file)
        return try GateCatalog.parse(Array(text.utf8), file: file, catalog: actions)
    }

    func parseError(_ gate: String) -> String? {
        do {
            _ = try catalog(gate)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let hosts = """
        "hosts": { "claude-code": { "tools": [
          { "tool": "Read", "action": "fs.read", "resource": { "type": "File", "id": "{input.file_path|path}" } },
          { "tool": "Bash", "input": { "command": "^\\\\s*git\\\\s+push\\\\b.*\\\\s--force(\\\\s|$)" },
            "action": "git.push", "resource": { "type": "Repo", "id": "{root}" }, "args": { "force": true, "cmd": "{input.command}" } },
          { "tool": "Bash", "input": { "command": "^\\\\s*git\\\\s+push\\\\b" },
            "action": "git.push", "resource": { "type": "Repo", "id": "{root}" }, "args": { "force": false, "cmd": "{input.command}" } },
          { "tool": "Bash", "input": { "command": "curl\\\\s.*?(?<url>https?://\\\\S+)" },
            "action": "net.fetch", "resource": { "type": "Url", "id": "{url}" }, "args": { "host": "{url|host}" } },
          { "tool": "mcp__web__*", "action": "net.fetch", "resource": { "type": "Url", "id": "{input.url}" } }
        ] } },
        "resources": [
          { "type": "File", "id": "*/.env", "labels": ["secret"], "sensitivity": 4 },
          { "type": "File", "id": "*/config/*", "labels": ["config"], "sensitivity": 2, "environment": "production" },
          { "type": "File", "id": "*", "labels": ["file"], "sensitivity": 1, "environment": "dev" },
          { "type": "Url", "host": "*.example.com", "labels": ["partner"] },
          { "type": "Url", "host": "*", "external": true }
        ]
        """

    func call(_ tool: String, _ input: JSONValue, cwd: String = "/work/app") -> ToolCall {
        ToolCall(session: "s", toolUseID: "t", tool: tool, input: object(input), cwd: cwd)
    }

    func object(_ value: JSONValue) -> JSONObject { value.objectValue ?? JSONObject() }

    @Test func mapsByToolGlobInputPatternAndOrder() throws {
        let gate = try catalog(Self.hosts)
        let read = try #require(gate.map(call("Read", ["file_path": "src/../README.md"]), host: "claude-code", root: "/work/app"))
        #expect(read.action == "fs.read")
        #expect(read.resource == EntityRef(type: "File", id: "/work/app/README.md"))
        #expect(read.principal == EntityRef(type: "Agent", id: "claude-code"))
        #expect(read.rule == "hosts.claude-code.tools[0]")

        let force = try #require(gate.map(call("Bash", ["command": "git push --force origin main"]), host: "claude-code", root: "/work/app"))
        #expect(force.args["force"] == .bool(true))
        #expect(force.args["cmd"] == .string("git push --force origin main"))
        #expect(force.resource == EntityRef(type: "Repo", id: "/work/app"))
        let lease = try #require(gate.map(call("Bash", ["command": "git push --force-with-lease"]), host: "claude-code", root: "/work/app"))
        #expect(lease.args["force"] == .bool(false))

        let curl = try #require(gate.map(call("Bash", ["command": "curl -s https://User@Paste.Example.com:8443/x?y"]), host: "claude-code", root: "/"))
        #expect(curl.resource == EntityRef(type: "Url", id: "https://User@Paste.Example.com:8443/x?y"))
        #expect(curl.args["host"] == .string("paste.example.com"))

        #expect(gate.map(call("mcp__web__fetch", ["url": "https://a.example.com"]), host: "claude-code", root: "/")?.action == "net.fetch")
        // No rule, no default: nothing.
        #expect(gate.map(call("Bash", ["command": "ls"]), host: "claude-code", root: "/") == nil)
        #expect(gate.map(call("Read", [:]), host: "claude-code", root: "/") == nil)
        #expect(gate.map(call("Read", ["file_path": "/x"]), host: "other-host", root: "/") == nil)
    }

    @Test func defaultRuleMapsTheRest() throws {
        let gate = try catalog("""
            "hosts": { "claude-code": { "principal": "Bot::\\"coder\\"", "tools": [],
              "default": { "action": "fs.read", "resource": { "type": "Tool", "id": "{tool}" } } } }
            """)
        let mapped = try #require(gate.map(call("Anything", [:]), host: "claude-code", root: "/"))
        #expect(mapped.resource == EntityRef(type: "Tool", id: "Anything"))
        #expect(mapped.principal == EntityRef(type: "Bot", id: "coder"))
        #expect(mapped.rule == "hosts.claude-code.default")
    }

    @Test func attributeRulesCombineAndEntitiesWin() throws {
        let gate = try catalog(Self.hosts)
        let env = gate.facts(of: EntityRef(type: "File", id: "/work/app/.env"), entities: EntityFacts(), root: "/work/app")
        #expect(env.labels == ["file", "secret"])
        #expect(env.sensitivity == 4)
        #expect(env.environment == "dev")
        #expect(env.inProject == true)
        let config = gate.facts(of: EntityRef(type: "File", id: "/etc/config/app.yaml"), entities: EntityFacts(), root: "/work/app")
        #expect(config.environment == "production")
        #expect(config.inProject == false)
        let partner = gate.facts(of: EntityRef(type: "Url", id: "https://api.example.com/v1"), entities: EntityFacts(), root: "/")
        #expect(partner.labels == ["partner"])
        #expect(partner.external)
        #expect(partner.inProject == nil)
        let sibling = gate.facts(of: EntityRef(type: "File", id: "/work/application/x"), entities: EntityFacts(), root: "/work/app")
        #expect(sibling.inProject == false)
    }

    @Test func inputEditsCarryOutAVariant() throws {
        let gate = try catalog(Self.hosts)
        let edited = gate.edit(object(["command": "git push --force origin", "description": "push"]), action: "git.push", variant: "lease")
        #expect(edited?["command"] == .string("git push --force-with-lease origin"))
        #expect(edited?["description"] == .string("push"))
        #expect(gate.edit(object(["description": "no command"]), action: "git.push", variant: "lease") == nil)
        let set = InputEdit.set(field: "timeout", value: .int(5))
        #expect(set.apply(to: object(["a": "b"]))?["timeout"] == .int(5))
        #expect(InputEdit.remove(field: "a").apply(to: object(["a": "b"]))?.isEmpty == true)
        #expect(InputEdit.replace(field: "a", text: "x", with: "yy").apply(to: object(["a": "axbx"]))?["a"] == .string("ayybyy"))
    }

    @Test(arguments: [
        ("\"hosts\": []", "tools.json:6:13", "\"hosts\" must be an object"),
        ("\"hosts\": {\"h\": {\"tools\": [{\"action\": \"fs.read\", \"resource\": {\"type\": \"F\", \"id\": \"x\"}}]}}", "hosts.h.tools[0]", "needs \"tool\""),
        ("\"hosts\": {\"h\": {\"tools\": [{\"tool\": \"R\", \"action\": \"fs.raed\", \"resource\": {\"type\": \"F\", \"id\": \"x\"}}]}}", "hosts.h.tools[0].action", "did you mean \"fs.read\""),
        ("\"hosts\": {\"h\": {\"tools\": [{\"tool\": \"R\", \"input\": {\"c\": \"(\"}, \"action\": \"fs.read\", \"resource\": {\"type\": \"F\", \"id\": \"x\"}}]}}", "hosts.h.tools[0].input.c", "not a valid regular expression"),
        ("\"hosts\": {\"h\": {\"tools\": [{\"tool\": \"R\", \"action\": \"fs.read\", \"resource\": {\"type\": \"F\", \"id\": \"{nope}\"}}]}}", "hosts.h.tools[0].resource.id", "unknown placeholder \"{nope}\""),
        ("\"hosts\": {\"h\": {\"tools\": [{\"tool\": \"R\", \"action\": \"fs.read\", \"resource\": {\"type\": \"F\", \"id\": \"{input.p|zip}\"}}]}}", "hosts.h.tools[0].resource.id", "unknown filter \"zip\""),
        ("\"hosts\": {\"h\": {\"tools\": [{\"tool\": \"R\", \"action\": \"fs.read\", \"resource\": \"File::\\\"x\\\"\"}]}}", "hosts.h.tools[0].resource", "an entity type and an id template"),
        ("\"hosts\": {\"h\": {\"tool\": []}}", "hosts.h.tool", "unknown key \"tool\""),
        ("\"resources\": [{\"type\": \"File\", \"sensitivity\": 9}]", "resources[0].sensitivity", "from 0 (public) to 4"),
        ("\"resources\": [{\"id\": \"*\"}]", "resources[0]", "needs \"type\""),
    ])
    func locatedErrors(gate: String, place: String, message: String) throws {
        let error = try #require(parseError(gate))
        #expect(error.contains(place), "\(error)")
        #expect(error.contains(message), "\(error)")
    }

    @Test func badInputEditsAreLocated() throws {
        for (edit, message) in [
            ("{\"field\": \"command\"}", "does one of"),
            ("{\"field\": \"command\", \"set\": 1, \"remove\": true}", "found set, remove"),
            ("{\"field\": \"command\", \"pattern\": \"(\", \"with\": \"x\"}", "not a valid regular expression"),
            ("{\"field\": \"command\", \"replace\": \"a\"}", "needs \"with\""),
        ] {
            let text = "{\"actions\": {\"a\": {\"effect\": \"write\", \"variants\": {\"v\": {\"args\": {\"x\": 1}, \"input\": [\(edit)]}}}}}"
            let actions = try ActionCatalog.parse(Array(text.utf8), file: "tools.json")
            #expect(throws: GateError.self) { try GateCatalog.parse(Array(text.utf8), file: "tools.json", catalog: actions) }
            do {
                _ = try GateCatalog.parse(Array(text.utf8), file: "tools.json", catalog: actions)
            } catch {
                #expect(error.description.contains("actions.a.variants.v.input[0]"), "\(error)")
                #expect(error.description.contains(message), "\(error)")
            }
        }
    }

    @Test(arguments: [
        ("/a/b/../c", "/x", "/a/c"),
        ("rel/./f", "/work", "/work/rel/f"),
        ("../../../..", "/work/app", "/"),
        ("/", "/x", "/"),
    ])
    func paths(path: String, cwd: String, expected: String) {
        #expect(PathText.absolute(path, cwd: cwd) == expected)
    }

    @Test(arguments: [
        ("https://Example.COM/path", "example.com"),
        ("http://user:pw@host.example:8080", "host.example"),
        ("host.only/x", "host.only"),
        ("https://[::1]:443/", "[::1]"),
    ])
    func hosts(url: String, host: String) {
        #expect(PathText.host(ofURL: url) == host)
    }
}

/// Patterns of a catalog read from a policy cache hit are compiled when first used; one that
/// does not compile then is an error before mapping, never a rule that silently does not match
/// (which would let the call fall to a later, wider rule).
struct DeferredPatternTests {
    static let text = """
        {"actions": {"shell": {"effect": "delete"}, "safe": {"effect": "read"}},
         "hosts": {"claude-code": {"tools": [
           {"tool": "Bash", "input": {"command": "rm(\\\\s)"}, "action": "shell", "resource": {"type": "Cmd", "id": "x"}},
           {"tool": "*", "action": "safe", "resource": {"type": "Tool", "id": "{tool}"}}
         ]}}}
        """

    /// The catalog as the compiled-policy cache holds it, read back; `replacing` swaps bytes of
    /// the binary form first (a pattern edited to the same length, as a hand-made file could).
    static func cached(_ catalog: GateCatalog, replacing: (String, String)? = nil) throws -> GateCatalog {
        var w = BinaryWriter()
        catalog.write(to: &w)
        var bytes = w.bytes
        if let (old, new) = replacing {
            let from = Array(old.utf8), to = Array(new.utf8)
            let at = try #require(bytes.indices.first { bytes[$0...].starts(with: from) })
            bytes.replaceSubrange(at..<(at + from.count), with: to)
        }
        var r = BinaryReader(bytes)
        let read = try GateCatalog.read(&r)
        #expect(r.isAtEnd)
        return read
    }

    /// A path said as it is (normalised already) is what working it out component by component
    /// gives, for paths of slashes, dots, letters and characters beyond ASCII (a combining mark
    /// after a slash makes one character of the two).
    @Test(arguments: [1, 2, 3])
    func normalisedPathsAreSaidAsTheyAre(seed: UInt64) {
        var random = SplitMix(seed: seed)
        let pieces = ["/", "/", ".", "a", "b", "..", "\u{301}", "\u{e9}", "~", "\r\n", "..."]
        var fast = 0
        for _ in 0..<20_000 {
            let path = (0..<Int(1 + random.next() % 8)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            for cwd in ["/w", "/"] {
                #expect(PathText.absolute(path, cwd: cwd) == PathText.normalised(path, cwd: cwd), "\(path.unicodeScalars.map(\.value))")
            }
            if PathText.isNormalisedASCII(path) { fast += 1 }
        }
        #expect(fast > 500)
        for path in ["/", "/a", "/a/b", "/a/...", "/.../b", "/a.b/c"] { #expect(PathText.isNormalisedASCII(path)) }
        for path in ["", "a", "/a/", "//a", "/a//b", "/./a", "/a/.", "/a/..", "/../a", "/\u{e9}", "~/a"] {
            #expect(!PathText.isNormalisedASCII(path), "\(path)")
        }
    }

    /// A call reads its own host's mapping from the cache and passes over the others': the
    /// mapping read is that host's, rule for rule, and a length that does not hold is an error.
    @Test func aHostsMappingIsReadAlone() throws {
        let file = repositoryRoot.appendingPathComponent("policies/examples/coding-agent/tools.json")
        let bytes = Array(try Data(contentsOf: file))
        let whole = try GateCatalog.parse(bytes, file: "tools.json", catalog: try ActionCatalog.parse(bytes, file: "tools.json"))
        var w = BinaryWriter()
        whole.write(to: &w)
        #expect(whole.hosts.count > 1)
        for name in whole.hosts.keys.sorted() + ["no-such-host"] {
            var r = BinaryReader(w.bytes)
            let alone = try GateCatalog.read(&r, host: name)
            #expect(r.isAtEnd)
            #expect(Array(alone.hosts.keys) == (whole.hosts[name] == nil ? [] : [name]))
            #expect(alone.hosts[name]?.rules.map(\.path) == whole.hosts[name]?.rules.map(\.path))
            #expect(alone.hosts[name]?.rules.map(\.action) == whole.hosts[name]?.rules.map(\.action))
            #expect(alone.hosts[name]?.principal == whole.hosts[name]?.principal)
            #expect(alone.resourceRules.count == whole.resourceRules.count && alone.inputEdits.count == whole.inputEdits.count)
        }
        // A host's length one byte short: its mapping does not end where it says.
        var r = BinaryReader(w.bytes)
        _ = try r.string()
        _ = try r.count()
        let name = try r.string()
        let at = r.offset
        let length = try r.count()
        var shorter = BinaryWriter()
        shorter.count(length - 1)
        let short = Array(w.bytes[..<at]) + shorter.bytes + Array(w.bytes[r.offset...])
        var damaged = BinaryReader(short)
        #expect(throws: BinaryFormatError.self) { _ = try GateCatalog.read(&damaged, host: name) }
    }

    @Test func anInvalidPatternIsAnErrorWhenReadFresh() throws {
        let bytes = Array(Self.text.replacingOccurrences(of: "rm(\\\\s)", with: "rm(\\\\s").utf8)
        let actions = try ActionCatalog.parse(bytes, file: "tools.json")
        #expect(throws: GateError.self) { try GateCatalog.parse(bytes, file: "tools.json", catalog: actions) }
    }

    @Test func anInvalidDeferredPatternBlocksTheToolsThatMeetIt() throws {
        let bytes = Array(Self.text.utf8)
        let actions = try ActionCatalog.parse(bytes, file: "tools.json")
        let gate = try Self.cached(try GateCatalog.parse(bytes, file: "tools.json", catalog: actions), replacing: ("rm(\\s)", "rm(\\s("))
        // A tool no pattern rule applies to maps as before.
        try gate.compilePatterns(host: "claude-code", tool: "Read")
        do {
            try gate.compilePatterns(host: "claude-code", tool: "Bash")
            Issue.record("an uncompilable pattern was let through")
        } catch {
            #expect("\(error)".contains("\"rm(\\s(\" is not a valid regular expression"), "\(error)")
            #expect("\(error)".contains("tools[0]") && "\(error)".contains("tools.json:3:"), "\(error)")
        }
    }

    @Test func aDeferredPatternMatchesAsAnEagerOne() throws {
        let text = GateCatalogTests.actions + ", " + GateCatalogTests.hosts
        let bytes = Array("{\(text)}".utf8)
        let actions = try ActionCatalog.parse(bytes, file: "tools.json")
        let eager = try GateCatalog.parse(bytes, file: "tools.json", catalog: actions)
        let lazy = try Self.cached(eager)
        for command in ["git push --force origin main", "git push origin", "curl -s https://api.example.com/x", "ls"] {
            let call = ToolCall(session: "s", toolUseID: "t", tool: "Bash", input: JSONObject([("command", .string(command))]), cwd: "/w")
            try lazy.compilePatterns(host: "claude-code", tool: "Bash")
            #expect(eager.map(call, host: "claude-code", root: "/w") == lazy.map(call, host: "claude-code", root: "/w"), "\(command)")
        }
        let edited = lazy.edit(JSONObject([("command", .string("git push --force origin"))]), action: "git.push", variant: "lease")
        #expect(edited?["command"] == .string("git push --force-with-lease origin"))
    }

    /// The named groups of a pattern, in order; lookbehinds are not groups, and a group name is
    /// read up to its `>` whatever precedes it.
    @Test(arguments: [
        (#"^git push (?<remote>\S+) (?<branch>\S+)"#, ["remote", "branch"]),
        (#"(?<=a)b(?<!c)(?<x>d)"#, ["x"]),
        (#"(?<outer>a(?<inner>b))"#, ["outer", "inner"]),
        (#"(?:plain)(?i)x"#, []),
        ("(?<caf\u{e9}>x)", ["caf\u{e9}"]),
        (#"(?<"#, []),
        (#"(?<unclosed"#, []),
    ])
    func namedGroupsAreReadFromThePattern(source: String, names: [String]) {
        #expect(Pattern.groupNames(source) == names)
    }
}

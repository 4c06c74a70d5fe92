import Foundation
import JSONValue
import Testing
import Workflow
@testable import Gate

/// Policies read from the compiled-policy cache for the actions a call can reach never change
/// a decision: a session of calls to every catalog action, on every resource of the project,
/// played with the policies read for each call's actions alone and played with every policy,
/// gives the same verdicts and byte for byte the same log; and a bundle asked about an action
/// it was not read for has the call decided again with every policy.
@Suite struct GateSliceTests {
    static let clock = Clock(epochSeconds: 1_796_634_000)
    static let hosts: [String] = GateHosts.all.map { $0.name }
    static let examples = Repository.root.appendingPathComponent("policies/examples")

    /// Action groups over the coding-agent example's actions (entities of type `Action`), and
    /// policies scoped every way Cedar allows: unconstrained, `==`, `in` a group, `in` a list,
    /// and actions and groups the catalog does not name.
    static let groups: [(action: String, parents: [String])] = [
        ("fs.read", ["reads"]), ("fs.search", ["reads"]), ("reads", ["everything"]),
        ("fs.write", ["writes"]), ("fs.delete", ["writes", "destructive"]), ("writes", ["everything"]),
        ("net.fetch", ["egress"]), ("shell.run", ["egress", "destructive"]), ("egress", ["everything"]),
        ("git.push", ["writes"]), ("k8s.apply", ["destructive"]), ("destructive", ["everything"]),
        ("not-in-the-catalog", ["reads"]), ("everything", []),
    ]

    static func generatedPolicies(_ count: Int) -> String {
        let scopes = [
            "action", "action == Action::\"fs.read\"", "action in Action::\"reads\"", "action in Action::\"everything\"",
            "action in [Action::\"k8s.apply.dry-run\", Action::\"egress\"]", "action in Action::\"destructive\"",
            "action == Action::\"not-in-the-catalog\"", "action in [Action::\"nowhere\", Action::\"writes\"]",
            "action in Action::\"git.push\"", "action in Action::\"nowhere\"",
        ]
        var text = ""
        for n in 0..<count {
            let scope = scopes[n % scopes.count]
            switch n % 5 {
            case 0:
                text += "@id(\"gen-permit-\(n)\")\npermit (principal == Agent::\"claude-code\", \(scope), resource)\nwhen { context.resource.sensitivity < \(n % 5) };\n\n"
            case 1:
                text += "@id(\"gen-forbid-\(n)\")\n@reason(\"generated forbid \(n)\")\n@mode(\"log_only\")\nforbid (principal, \(scope), resource is File)\nwhen { context.history.labels.contains(\"label\(n % 13)\") };\n\n"
            case 2:
                text += "@id(\"gen-forbid-\(n)\")\n@reason(\"generated forbid \(n)\")\nforbid (principal, \(scope), resource in Folder::\"f\(n % 50)\")\nwhen { context.history.count > \(n % 9) };\n\n"
            case 3:
                // Raises an error on every resource without the attribute: an erroring forbid holds.
                text += "@id(\"gen-erroring-\(n)\")\n@mode(\"log_only\")\nforbid (principal, \(scope), resource)\nwhen { context.resource.missing == \(n) };\n\n"
            default:
                text += "@id(\"gen-permit-\(n)\")\npermit (principal in Group::\"team\(n % 8)\", \(scope), resource in Folder::\"f\(n % 50)\");\n\n"
            }
        }
        return text
    }

    /// A project governed by a copy of `source`, with a `probe` host mapping tool `probe-N` to
    /// the N-th catalog action, on the resource its input names; extended with the generated
    /// policies and action groups when `generated`.
    static func project(_ source: URL, generated: Bool) throws -> (project: Project, actions: [String], principal: String) {
        let project = try Project(policies: source)
        let toolsPath = project.policies + "/tools.json"
        var tools = try #require(try JSONParser.parse(String(contentsOfFile: toolsPath, encoding: .utf8)).objectValue)
        let actions = try #require(tools["actions"]?.objectValue).keys.sorted()
        let text = try FileManager.default.contentsOfDirectory(atPath: project.policies).filter { $0.hasSuffix(".cedar") }
            .map { try String(contentsOfFile: project.policies + "/" + $0, encoding: .utf8) }.joined()
        // The principal the policies name first, so that their permits apply.
        let named = try Regex("principal (?:==|in) ([A-Za-z:]+::\"[^\"]+\")")
        let principal = text.firstMatch(of: named).flatMap { $0.output[1].substring.map(String.init) } ?? "Agent::\"claude-code\""
        var hosts = tools["hosts"]?.objectValue ?? JSONObject()
        let rules: [JSONValue] = actions.enumerated().map { n, action in
            .object(JSONObject([
                ("tool", .string("probe-\(n)")), ("action", .string(action)),
                ("resource", .object(JSONObject([("type", "{input.type}"), ("id", "{input.id}")]))),
            ]))
        }
        hosts["probe"] = .object(JSONObject([("principal", .string(principal)), ("tools", .array(rules))]))
        tools["hosts"] = .object(hosts)
        try JSONWriter.pretty(.object(tools), sortKeys: false).write(toFile: toolsPath, atomically: true, encoding: .utf8)
        if generated {
            var entities = try #require(try JSONParser.parse(GateCacheTests.entities(root: project.root, files: 60)).arrayValue)
            for (action, parents) in groups {
                let uids: [JSONValue] = parents.map { .object(JSONObject([("type", "Action"), ("id", .string($0))])) }
                entities.append(.object(JSONObject([
                    ("uid", .object(JSONObject([("type", "Action"), ("id", .string(action))]))), ("attrs", .object(JSONObject())),
                    ("parents", .array(uids)),
                ])))
            }
            try JSONWriter.pretty(.array(entities)).write(toFile: project.policies + "/entities.json", atomically: true, encoding: .utf8)
            try generatedPolicies(300).write(toFile: project.policies + "/generated.cedar", atomically: true, encoding: .utf8)
        }
        return (project, actions, principal)
    }

    /// Resources of the calls: files in and out of the project, the secret, a URL, and the first
    /// entities of the project's `entities.json`.
    static func resources(_ project: Project) throws -> [(type: String, id: String)] {
        var out: [(String, String)] = [
            ("File", project.root + "/src/app.py"), ("File", project.root + "/.env"), ("File", "/etc/passwd"),
            ("Url", "https://paste.example/x"), ("Cluster", "prod"),
        ]
        let path = project.policies + "/entities.json"
        if let text = try? String(contentsOfFile: path, encoding: .utf8), let list = try JSONParser.parse(text).arrayValue {
            for entity in list.prefix(4) {
                guard let uid = entity.objectValue?["uid"]?.objectValue, let type = uid["type"]?.stringValue, let id = uid["id"]?.stringValue,
                      type != "Action" else { continue }
                out.append((type, id))
            }
        }
        return out
    }

    /// Plays a call to every action on every resource, in one session, deciding each with the
    /// policies `load` gives for it; the verdicts (or errors) and the log.
    static func play(
        _ project: Project, actions: [String], log: String, load: (ToolCall) throws(GateError) -> GatePolicies
    ) throws -> ([String], String) {
        let locations = GateLocations(policies: project.policies, log: log, root: project.root)
        var answers: [String] = []
        var k = 0
        for resource in try resources(project) {
            for n in actions.indices {
                k += 1
                let call = ToolCall(
                    session: "slice", toolUseID: "toolu_\(k)", tool: "probe-\(n)",
                    input: JSONObject([("type", .string(resource.type)), ("id", .string(resource.id))]), cwd: project.root)
                do {
                    let verdict = try Gate.decide(call, host: "probe", policies: try load(call), locations: locations, options: GateOptions(clock: clock))
                    // A held call's approve command names the log; each play has a log of its own.
                    answers.append("\(verdict)".replacingOccurrences(of: log, with: "LOG"))
                } catch {
                    answers.append("error: \(error)")
                }
            }
        }
        return (answers, try String(contentsOfFile: log, encoding: .utf8))
    }

    static let sources: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path).sorted()) ?? []
        return ["coding-agent+generated"] + names.filter { FileManager.default.fileExists(atPath: examples.path + "/\($0)/tools.json") }
    }()

    @Test(arguments: sources)
    func policiesReadForTheCallsActionsDecideAsEveryPolicy(_ source: String) throws {
        let generated = source.hasSuffix("+generated")
        let name = generated ? String(source.dropLast("+generated".count)) : source
        let (project, actions, _) = try Self.project(Self.examples.appendingPathComponent(name), generated: generated)
        defer { project.remove() }
        let cache = project.root + "/cache"
        #expect(try GatePolicies.load(project.policies, cache: cache).miss == .absent)
        let every = try Self.play(project, actions: actions, log: project.root + "/every.log") { _ throws(GateError) in
            let loaded = try GatePolicies.load(project.policies, cache: cache)
            #expect(loaded.miss == nil && loaded.policies.bundle.actionScope == nil)
            return loaded.policies
        }
        var read: [GatePolicies] = []
        let sliced = try Self.play(project, actions: actions, log: project.root + "/sliced.log") { (call: ToolCall) throws(GateError) in
            let loaded = try GatePolicies.load(project.policies, cache: cache, deciding: (call, "probe", project.root))
            #expect(loaded.miss == nil)
            read.append(loaded.policies)
            return loaded.policies
        }
        #expect(every.0 == sliced.0)
        #expect(every.1 == sliced.1)
        #expect(!every.0.isEmpty && every.1.split(separator: "\n").count >= every.0.count)
        // Every call was decided with the policies of its actions alone, and never asked the
        // bundle about another action.
        let total = try GatePolicies.load(project.policies).bundle.policies.count
        #expect(read.allSatisfy { $0.bundle.actionScope != nil && $0.bundle.askedOutsideScope.isEmpty })
        if generated { #expect(read.contains { $0.bundle.policies.count < total }) }
    }

    /// Every host's hook-event fixtures, played as one session on the coding-agent example (real
    /// tool calls: patterns, rewrites carried out on the tool input, held calls, chain rules,
    /// post-call records): the same answers and the same log whether each call reads the
    /// policies of its actions alone or every policy.
    @Test(arguments: GateSliceTests.hosts)
    func everyHostsFixturesDecideAlike(_ host: String) throws {
        let adapter = try #require(GateHosts.named(host))
        let project = try Project()
        defer { project.remove() }
        try GateCacheTests.entities(root: project.root, files: 40).write(toFile: project.policies + "/entities.json", atomically: true, encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.fixtures.appendingPathComponent(host).path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        // The calls first, then what the host reports of them.
        let names = host == "claude-code" ? GateCacheTests.session : files.filter { !$0.hasPrefix("post-") } + files.filter { $0.hasPrefix("post-") }
        let events = try names.map { try project.event($0, session: "s-\(host)", host: host) }
        let cache = project.root + "/cache"
        _ = try GatePolicies.load(project.policies, cache: cache)
        var read: [GatePolicies] = []
        func play(_ log: String, slicing: Bool) throws -> ([String], String) {
            let locations = GateLocations(policies: project.policies, log: log, root: project.root)
            var answers: [String] = []
            for event in events {
                let hostEvent = try adapter.read(Array(event.utf8))
                let load = { () throws(GateError) -> GatePolicies in
                    let loaded = slicing
                        ? try GatePolicies.load(project.policies, cache: cache, deciding: (hostEvent.call, adapter.name, project.root))
                        : try GatePolicies.load(project.policies, cache: cache)
                    read.append(loaded.policies)
                    return loaded.policies
                }
                do {
                    let reply = try Gate.handle(
                        hostEvent, host: adapter, locations: locations, options: GateOptions(clock: Self.clock), allow: .allow, policies: load)
                    answers.append((reply.answer.map { CanonicalJSON.string($0) } ?? "").replacingOccurrences(of: log, with: "LOG"))
                } catch {
                    answers.append("error: \(error)")
                }
            }
            return (answers, try String(contentsOfFile: log, encoding: .utf8))
        }
        let every = try play(project.root + "/every.log", slicing: false)
        #expect(!read.isEmpty && read.allSatisfy { $0.bundle.actionScope == nil })
        read = []
        let slices = try play(project.root + "/sliced.log", slicing: true)
        #expect(every.0 == slices.0)
        #expect(every.1 == slices.1)
        #expect(read.allSatisfy { $0.bundle.askedOutsideScope.isEmpty })
        #expect(read.contains { $0.bundle.actionScope != nil })
        #expect(every.0.contains { $0.contains("deny") })
        if host == "claude-code" { #expect(every.0.contains { $0.contains("updatedInput") } && every.0.contains { $0.contains("\"ask\"") }) }
    }

    /// Policies read for one call's actions, used to decide a call to another action: the bundle
    /// is asked about an action it was not read for, and the call is decided again with every
    /// policy, as if it had been read whole.
    @Test func aBundleAskedAboutAnotherActionHasTheCallDecidedWithEveryPolicy() throws {
        let (project, actions, _) = try Self.project(Self.examples.appendingPathComponent("coding-agent"), generated: true)
        defer { project.remove() }
        let cache = project.root + "/cache"
        _ = try GatePolicies.load(project.policies, cache: cache)
        let read = try #require(actions.firstIndex(of: "fs.read")), push = try #require(actions.firstIndex(of: "git.push"))
        func call(_ n: Int) -> ToolCall {
            ToolCall(session: "other", toolUseID: "toolu_\(n)", tool: "probe-\(n)",
                     input: JSONObject([("type", "File"), ("id", .string(project.root + "/src/app.py"))]), cwd: project.root)
        }
        let forRead = try GatePolicies.load(project.policies, cache: cache, deciding: (call(read), "probe", project.root)).policies
        #expect(forRead.bundle.actionScope?.contains(.action("git.push")) == false)
        let every = try GatePolicies.load(project.policies, cache: cache).policies
        let options = GateOptions(clock: Self.clock)
        let expected = try Gate.decide(
            call(push), host: "probe", policies: every, locations: GateLocations(policies: project.policies, log: project.root + "/a.log", root: project.root),
            options: options)
        let decided = try Gate.decide(
            call(push), host: "probe", policies: forRead, locations: GateLocations(policies: project.policies, log: project.root + "/b.log", root: project.root),
            options: options)
        #expect(forRead.bundle.askedOutsideScope == [.action("git.push")])
        #expect(decided == expected)
        #expect(try String(contentsOfFile: project.root + "/a.log", encoding: .utf8) == String(contentsOfFile: project.root + "/b.log", encoding: .utf8))
        #expect(try forRead.reloaded()?.bundle.actionScope == nil)
    }
}

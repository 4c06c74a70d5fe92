import Foundation
import JSONValue
import Testing
import Workflow
@testable import Gate

/// The compiled-policy cache never changes a decision: a session played with the policies read
/// from their files and the same session played with them read from the cache leave the same
/// answers and byte for byte the same log, for the coding-agent example and for a generated
/// set of 1,000 policies over 2,000 entities; a part of the cache found damaged while deciding
/// is set aside and the call decided from the files.
@Suite struct GateCacheTests {
    /// The coding-agent session of `GateSessionTests.wholeSession`.
    static let session = [
        "pre-read-source", "post-read-source", "pre-todo", "pre-fetch-docs", "pre-delete-outside", "pre-force-push",
        "post-force-push-failure", "pre-workflow-write", "post-workflow-write", "pre-kubectl-prod", "pre-add-dependency",
        "pre-mcp-delete", "pre-read-env", "pre-curl-after-secret", "pre-fetch-after-secret",
    ]

    static let clock = Clock(epochSeconds: 1_796_634_000)

    /// Entities of the project: a secret `.env` in a folder, the source files in another.
    static func entities(root: String, files: Int) -> String {
        func uid(_ type: String, _ id: String) -> String { "{\"type\": \"\(type)\", \"id\": \"\(id)\"}" }
        var items = [
            "{\"uid\": \(uid("Folder", "secrets")), \"attrs\": {}, \"parents\": []}",
            "{\"uid\": \(uid("Folder", "src")), \"attrs\": {\"labels\": [\"code\"]}, \"parents\": []}",
            "{\"uid\": \(uid("File", root + "/.env")), \"attrs\": {\"labels\": [\"secret\"], \"sensitivity\": 4}, \"parents\": [\(uid("Folder", "secrets"))]}",
        ]
        for n in 0..<files {
            let attrs = "{\"labels\": [\"label\(n % 13)\"], \"sensitivity\": \(n % 4), \"environment\": \"env\(n % 5)\"}"
            items.append("{\"uid\": \(uid("File", root + "/src/file\(n).py")), \"attrs\": \(attrs), \"parents\": [\(uid("Folder", "f\(n % 50)")), \(uid("Folder", "src"))]}")
        }
        for f in 0..<50 { items.append("{\"uid\": \(uid("Folder", "f\(f)")), \"attrs\": {}, \"parents\": []}") }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }

    /// Generated policies over the example's actions, as `stepguard-bench gate` writes them:
    /// scopes on principals, actions, folders and types, conditions on the resource's facts and
    /// the session's history.
    static func generatedPolicies(_ count: Int) -> String {
        let actions = ["fs.read", "fs.write", "net.fetch", "shell.run"]
        var text = ""
        for n in 0..<count {
            let action = actions[n % actions.count]
            switch n % 4 {
            case 0:
                text += "@id(\"gen-permit-\(n)\")\npermit (principal == Agent::\"claude-code\", action == Action::\"\(action)\", resource)\nwhen { context.resource.sensitivity < \(n % 5) };\n\n"
            case 1:
                text += "@id(\"gen-forbid-\(n)\")\n@reason(\"generated forbid \(n)\")\n@mode(\"log_only\")\nforbid (principal, action == Action::\"\(action)\", resource is File)\nwhen { context.history.labels.contains(\"label\(n % 13)\") };\n\n"
            case 2:
                text += "@id(\"gen-forbid-\(n)\")\n@mode(\"log_only\")\nforbid (principal, action == Action::\"\(action)\", resource in Folder::\"f\(n % 50)\")\nwhen { context.resource has environment && context.resource.environment == \"env\(n % 5)\" };\n\n"
            default:
                text += "@id(\"gen-permit-\(n)\")\npermit (principal in Group::\"team\(n % 8)\", action == Action::\"\(action)\", resource in Folder::\"f\(n % 50)\");\n\n"
            }
        }
        return text
    }

    /// Plays `events` against `project` with `policies`, in a log of its own; the answers and the log.
    static func play(_ events: [String], project: Project, log: String, policies: () throws(GateError) -> GatePolicies) throws -> ([String], String) {
        var answers: [String] = []
        let locations = GateLocations(policies: project.policies, log: log, root: project.root)
        for event in events {
            let hostEvent = try ClaudeCode.read(Array(event.utf8))
            let reply = try Gate.handle(
                hostEvent, host: ClaudeCode.self, locations: locations, options: GateOptions(clock: clock), allow: .allow, policies: policies)
            answers.append(reply.answer.map { CanonicalJSON.string($0) } ?? "")
        }
        return (answers, try String(contentsOfFile: log, encoding: .utf8))
    }

    /// The same session from the files and from a cache hit: the same answers and the same log.
    static func expectSameDecisions(_ project: Project, events: [String]) throws {
        let cache = project.root + "/cache"
        #expect(try GatePolicies.load(project.policies, cache: cache).miss == .absent)
        let hit = try GatePolicies.load(project.policies, cache: cache)
        #expect(hit.miss == nil)
        let files = try GatePolicies.load(project.policies)
        let fromFiles = try play(events, project: project, log: project.root + "/files.log") { () throws(GateError) in files }
        let fromCache = try play(events, project: project, log: project.root + "/cached.log") { () throws(GateError) in
            let loaded = try GatePolicies.load(project.policies, cache: cache)
            #expect(loaded.miss == nil)
            return loaded.policies
        }
        #expect(fromFiles.0 == fromCache.0)
        #expect(fromFiles.1 == fromCache.1)
        #expect(hit.policies.cached?.entities.damage == nil)
        #expect(fromFiles.0.contains { $0.contains("\"deny\"") })
    }

    @Test func theCodingAgentSessionDecidesAlikeFromTheCache() throws {
        let project = try Project()
        defer { project.remove() }
        try Self.entities(root: project.root, files: 40).write(toFile: project.policies + "/entities.json", atomically: true, encoding: .utf8)
        let events = try Self.session.map { try project.event($0, session: "s-1") }
        try Self.expectSameDecisions(project, events: events)
    }

    @Test func aThousandGeneratedPoliciesDecideAlikeFromTheCache() throws {
        let project = try Project()
        defer { project.remove() }
        try Self.entities(root: project.root, files: 2_000).write(toFile: project.policies + "/entities.json", atomically: true, encoding: .utf8)
        let example = try String(contentsOfFile: project.policies + "/policies.cedar", encoding: .utf8)
        let generated = 1_000 - (example.components(separatedBy: "@id(").count - 1)
        try Self.generatedPolicies(generated).write(toFile: project.policies + "/generated.cedar", atomically: true, encoding: .utf8)
        var events = try Self.session.map { try project.event($0, session: "s-2") }
        // Reads of files the entities list, spread over the buckets, and ones they do not.
        for n in stride(from: 0, to: 2_100, by: 97) {
            let event = JSONValue.object(JSONObject([
                ("session_id", "s-2"), ("cwd", .string(project.root)), ("hook_event_name", "PreToolUse"), ("tool_name", "Read"),
                ("tool_input", .object(JSONObject([("file_path", .string("\(project.root)/src/file\(n).py"))]))),
                ("tool_use_id", .string("toolu_gen\(n)")),
            ]))
            events.append(CanonicalJSON.string(event))
        }
        try Self.expectSameDecisions(project, events: events)
    }

    /// Every entity bucket of the cache damaged, its head intact: the cache still opens, the
    /// damage shows when a call reads an entity, and that call is decided from the files, as
    /// without a cache; the cache is written again.
    @Test func aDamagedBucketIsFoundWhileDecidingAndTheFilesDecide() throws {
        let project = try Project()
        defer { project.remove() }
        try Self.entities(root: project.root, files: 40).write(toFile: project.policies + "/entities.json", atomically: true, encoding: .utf8)
        let cache = project.root + "/cache"
        _ = try GatePolicies.load(project.policies, cache: cache)
        var bytes = try #require(FileManager.default.contents(atPath: cache).map(Array.init))
        let headEnd = try #require(Self.headEnd(bytes))
        #expect(headEnd < bytes.count)
        for i in headEnd..<bytes.count { bytes[i] ^= 0x55 }
        FileManager.default.createFile(atPath: cache, contents: Data(bytes))

        let events = try ["pre-read-env", "pre-curl-after-secret"].map { try project.event($0, session: "s-3") }
        let fromFiles = try Self.play(events, project: project, log: project.root + "/files.log") { () throws(GateError) in
            try GatePolicies.load(project.policies)
        }
        var damaged: [GatePolicies] = []
        let fromCache = try Self.play(events, project: project, log: project.root + "/cached.log") { () throws(GateError) in
            let loaded = try GatePolicies.load(project.policies, cache: cache)
            damaged.append(loaded.policies)
            return loaded.policies
        }
        #expect(fromFiles.0 == fromCache.0)
        #expect(fromFiles.1 == fromCache.1)
        #expect(fromFiles.0[1].contains("\"deny\""))
        // The first call opened the damaged cache (and found the damage); the second, the one
        // the first wrote again.
        #expect(damaged.first?.cached?.entities.damage?.contains("does not match its checksum") == true)
        #expect(damaged.last?.cached?.entities.damage == nil)
        let again = try GatePolicies.load(project.policies, cache: cache)
        #expect(again.miss == nil)
        #expect(again.policies.bundle.entities.attributes.count == 93)
        #expect(again.policies.cached?.entities.damage == nil)
    }

    /// Where the head of a cache file ends: magic, format, key, the head's SHA-256, its length.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        var r = BinaryReader(bytes, offset: Array("stepguard-policy-cache\n".utf8).count)
        guard (try? r.string()) != nil, (try? r.raw(64)) != nil, let length = try? r.uint() else { return nil }
        return r.offset + Int(length)
    }
}

import Basics
import Foundation
import JSONValue
import Testing
@testable import Cedar
@testable import Workflow

/// The policies of some actions read alone from the compiled-policy cache: each action's list
/// holds every policy Cedar's scope check can match for it, a bundle read for some actions
/// decides them as the whole set does and never becomes a cache, and a damaged table or list is
/// a miss.
@Suite struct PolicySliceTests {
    /// A policy directory whose actions form groups through the entities (`in` reaches them
    /// transitively), with policies scoped every way Cedar allows: unconstrained, `==`, `in` a
    /// group, `in` a list mixing actions and groups, and actions and groups the catalog does
    /// not name.
    static func generatedDirectory(policies count: Int) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("policy-slice-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let catalog = """
        {"actions": {
          "read": {"effect": "read", "tool": "fs"},
          "search": {"effect": "read", "tool": "fs"},
          "write": {"effect": "write", "tool": "fs", "variants": {"dry": {"action": "plan", "args": {"dry": true}}}},
          "plan": {"effect": "read", "tool": "fs"},
          "delete": {"effect": "delete", "tool": "fs", "variants": {"soft": {"action": "write"}}},
          "fetch": {"effect": "read", "tool": "net"},
          "Ops::Action::\\"deploy\\"": {"effect": "write", "tool": "ops"},
          "lonely": {"effect": "read", "tool": "misc"}
        }}
        """
        func action(_ id: String, _ parents: [String]) -> String {
            let list = parents.map { "{\"type\": \"Action\", \"id\": \"\($0)\"}" }.joined(separator: ", ")
            return "{\"uid\": {\"type\": \"Action\", \"id\": \"\(id)\"}, \"attrs\": {}, \"parents\": [\(list)]}"
        }
        let entities = "[\n" + [
            action("read", ["reads"]), action("search", ["reads"]), action("reads", ["everything"]),
            action("write", ["writes"]), action("delete", ["writes", "dangerous"]), action("writes", ["everything"]),
            action("fetch", ["egress"]), action("egress", ["dangerous"]), action("dangerous", ["everything"]),
            action("ghost", ["reads"]), action("everything", []),
            "{\"uid\": {\"type\": \"Ops::Action\", \"id\": \"deploy\"}, \"attrs\": {}, \"parents\": [{\"type\": \"Action\", \"id\": \"dangerous\"}]}",
            "{\"uid\": {\"type\": \"File\", \"id\": \"/w/a.py\"}, \"attrs\": {\"sensitivity\": 1}, \"parents\": []}",
        ].joined(separator: ",\n") + "\n]\n"
        let scopes = [
            "action", "action == Action::\"read\"", "action == Action::\"ghost\"", "action in Action::\"reads\"",
            "action in Action::\"everything\"", "action in [Action::\"plan\", Action::\"egress\"]", "action in Action::\"dangerous\"",
            "action in [Action::\"nowhere\", Action::\"ghost\"]", "action == Ops::Action::\"deploy\"", "action in Action::\"write\"",
            "action in []", "action in Action::\"nowhere\"",
        ]
        var text = ""
        for n in 0..<count {
            let scope = scopes[n % scopes.count]
            switch n % 3 {
            case 0: text += "@id(\"p\(n)\")\npermit (principal, \(scope), resource) when { context.resource.sensitivity < \(n % 5) };\n"
            case 1: text += "@id(\"f\(n)\")\n@reason(\"forbid \(n)\")\nforbid (principal, \(scope), resource is File) when { context.history.count > \(n % 7) };\n"
            default: text += "@id(\"e\(n)\")\n@mode(\"log_only\")\nforbid (principal, \(scope), resource) when { context.resource.missing == \(n) };\n"
            }
        }
        try catalog.write(toFile: root + "/tools.json", atomically: true, encoding: .utf8)
        try entities.write(toFile: root + "/entities.json", atomically: true, encoding: .utf8)
        try text.write(toFile: root + "/generated.cedar", atomically: true, encoding: .utf8)
        return root
    }

    /// Every example and fixture directory, and a generated one.
    static let directories: [String] = PolicyCacheTests.directories + ["generated"]

    static func directory(_ name: String) throws -> (path: String, remove: () -> Void) {
        guard name == "generated" else { return (name, {}) }
        let path = try generatedDirectory(policies: 120)
        return (path, { try? FileManager.default.removeItem(atPath: path) })
    }

    /// For every policy and every action listed, Cedar's own scope check (the action part of the
    /// policy set's index, with the action's ancestors in the bundle's store) matching the
    /// policy means the action's list holds it; and every catalog action and stepguard's own
    /// actions have a list.
    @Test(arguments: directories)
    func eachListHoldsEveryPolicyCedarsScopeCheckMatches(_ name: String) throws {
        let (path, remove) = try Self.directory(name)
        defer { remove() }
        let bundle = try PolicyBundle.load(path: path)
        let engine = try #require(bundle.engine as? CedarEngine)
        let scopes = ActionScopes(engine.evaluable, catalog: bundle.catalog, entities: engine.entities)
        let whole = try PolicySet(policies: engine.evaluable)
        let actions = (bundle.catalog.actions.keys + PolicyCache.ownActions).map(EntityRef.action)
        #expect(Set(scopes.byAction.keys) == Set(actions))
        let words = whole.index.wordCount
        let bits = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(1, words))
        defer { bits.deallocate() }
        var matched = 0
        for action in actions {
            let uid = CedarEngine.uid(action)
            whole.index.action.candidates(uid, engine.entities.ancestors(of: uid), into: UnsafeMutableBufferPointer(rebasing: bits[0..<words]))
            let listed = Set(try #require(scopes.byAction[action]))
            for position in engine.evaluable.indices where bits[position >> 6] & (1 << UInt64(position & 63)) != 0 {
                matched += 1
                #expect(listed.contains(position), "\(action) reaches \(engine.evaluable[position].id) but its list leaves it out")
            }
        }
        #expect(matched > 0)
    }

    /// The scope forms the generated directory holds reach what Cedar's `in` reaches: through
    /// two levels of groups, from a list, and not from an action the catalog does not name.
    @Test func listsFollowTheActionHierarchy() throws {
        let (path, remove) = try Self.directory("generated")
        defer { remove() }
        let bundle = try PolicyBundle.load(path: path)
        let engine = try #require(bundle.engine as? CedarEngine)
        let scopes = ActionScopes(engine.evaluable, catalog: bundle.catalog, entities: engine.entities)
        func ids(_ name: String) -> Set<String> {
            Set((scopes.byAction[EntityRef.action(name)] ?? []).map { engine.evaluable[$0].id })
        }
        // Policy n has scope n % 12 (see `generatedDirectory`).
        func scoped(_ forms: [Int]) -> Set<String> {
            Set(engine.evaluable.map(\.id).filter { id in forms.contains(Int(id.dropFirst())! % 12) })
        }
        #expect(ids("read") == scoped([0, 1, 3, 4]))
        #expect(ids("delete") == scoped([0, 4, 6]))
        #expect(ids("fetch") == scoped([0, 4, 5, 6]))
        #expect(ids("plan") == scoped([0, 5]))
        #expect(ids("write") == scoped([0, 4, 9]))
        #expect(ids("Ops::Action::\"deploy\"") == scoped([0, 4, 6, 8]))
        #expect(ids("lonely") == scoped([0]))
        #expect(scopes.byAction[EntityRef.action("ghost")] == nil)
        #expect(scopes.slice(["read", "ghost"]) == nil)
    }

    /// A bundle read for some actions decides every request for them as the whole set does
    /// (the same verdict: permits, forbids, erroring policies and their order), holds only the
    /// policies their lists name, answers any other action with no permit (and says it was
    /// asked), and is never encoded as a cache.
    @Test(arguments: directories)
    func aSliceDecidesItsActionsAsTheWholeSet(_ name: String) throws {
        let (path, remove) = try Self.directory(name)
        defer { remove() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("slice-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let full = try PolicyCache.load(path, cache: scratch)
        #expect(full.miss == .absent)
        let names = full.bundle.catalog.actions.keys.sorted()
        let resources = Set((full.bundle.engine as? CedarEngine)?.entities.all.map { EntityRef(type: $0.uid.type, id: $0.uid.id) } ?? [])
            .union([EntityRef(type: "File", id: "/w/a.py"), EntityRef(type: "Url", id: "https://paste.example")])
        let principals = [EntityRef(type: "Agent", id: "claude-code"), EntityRef(type: "User", id: "alice")]
        let context: [String: PreparedValue] = [
            "resource": try full.bundle.engine.prepare(.object(JSONObject([("sensitivity", .int(2))]))),
            "history": try full.bundle.engine.prepare(.object(JSONObject([("count", .int(3))]))),
        ]
        var sliced = 0
        for (n, action) in names.enumerated() {
            let asked = [action, names[(n + 3) % names.count]]
            let loaded = try PolicyCache.load(path, cache: scratch, extra: NoCacheExtra(), actions: { _, _ in asked })
            #expect(loaded.miss == nil)
            let scope = try #require(loaded.bundle.actionScope)
            #expect(scope == Set(asked.map(EntityRef.action)))
            #expect(PolicyCache.encode(loaded.bundle, contents: loaded.contents) == nil)
            if loaded.bundle.policies.count < full.bundle.policies.count { sliced += 1 }
            // The slice keeps the whole set's order (reasons and erroring lists follow it).
            let order = loaded.bundle.policies.map(\.order)
            #expect(order == order.sorted())
            #expect(loaded.bundle.policies.allSatisfy { full.bundle.policies[$0.order] == $0 })
            for resource in resources.sorted() {
                for principal in principals {
                    for name in asked {
                        let request = EngineRequest(principal: principal, action: .action(name), resource: resource, context: context)
                        #expect(loaded.bundle.verdict(request) == full.bundle.verdict(request), "\(name) on \(resource)")
                    }
                }
            }
            #expect(loaded.bundle.askedOutsideScope.isEmpty)
            let outside = names.first { !asked.contains($0) } ?? "not-in-the-catalog"
            let answer = loaded.bundle.verdict(EngineRequest(
                principal: principals[0], action: .action(outside), resource: resources.sorted()[0], context: context))
            #expect(answer.permits.isEmpty && answer.forbids.isEmpty && answer.errors.isEmpty)
            #expect(loaded.bundle.askedOutsideScope == [.action(outside)])
        }
        if name == "generated" { #expect(sliced == names.count) }
        // An action without a list, or no actions named, reads every policy.
        for asked in [["not-in-the-catalog"], nil] as [[String]?] {
            let loaded = try PolicyCache.load(path, cache: scratch, extra: NoCacheExtra(), actions: asked.map { list in { _, _ in list } })
            #expect(loaded.bundle.actionScope == nil)
            #expect(loaded.bundle.policies == full.bundle.policies)
        }
    }

    /// A byte of the policy table or of the actions' lists changed: the head no longer matches
    /// its SHA-256, so the cache is a miss and every policy comes from the files; the cache is
    /// written again. Changed with the head's checksum matching it (`checkHead` false, as when
    /// the file is known by its stamp), a table that no longer adds up is damage, never a trap.
    @Test(arguments: ["table", "lists"])
    func aDamagedTableOrListIsAMiss(_ part: String) throws {
        let (path, remove) = try Self.directory("generated")
        defer { remove() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("slice-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let full = try PolicyCache.load(path, cache: scratch)
        let original = try #require(FileManager.default.contents(atPath: scratch).map(Array.init))
        let head = try PolicyCacheTests.head(original)
        let headBytes = Array(original[head])
        let table = try PolicyTable(headBytes, offset: 0)
        var r = BinaryReader(headBytes, offset: table.end)
        _ = try ActionCatalog.read(&r, file: "tools.json")
        _ = try ChainReadIndex.read(&r)
        let listsStart = r.offset
        _ = try ActionScopes.read(&r, policies: table.count)
        let region = part == "table" ? 1..<min(table.count, 40) : (listsStart + 1)..<r.offset
        #expect(!region.isEmpty)
        for offset in stride(from: region.lowerBound, to: region.upperBound, by: max(1, region.count / 12)) {
            var bytes = original
            bytes[head.lowerBound + offset] ^= 0x01
            FileManager.default.createFile(atPath: scratch, contents: Data(bytes))
            let loaded = try PolicyCache.load(path, cache: scratch, extra: NoCacheExtra(), actions: { _, _ in ["read"] })
            #expect(loaded.miss == .damaged("checksum mismatch"), "byte \(offset)")
            #expect(loaded.bundle.actionScope == nil && loaded.bundle.policies == full.bundle.policies)
            #expect(FileManager.default.contents(atPath: scratch).map(Array.init) == original)

            // The same damage with the head trusted: a failure to read, or a bundle (the damage
            // may name other policies) — never a trap.
            FileManager.default.createFile(atPath: scratch, contents: Data(bytes))
            let contents = try PolicyDirectoryContents(try PolicyDirectory(path: path))
            _ = PolicyCache.read(scratch, for: contents, extra: NoCacheExtra(), checkHead: false, actions: { _, _ in ["read"] })
        }
        // A table whose lengths no longer add up to the policies' bytes.
        var lengths = BinaryWriter()
        lengths.count(table.count)
        for _ in 0..<table.count { lengths.count(1) }
        lengths.raw([UInt8](repeating: 0, count: table.count))
        #expect(throws: BinaryFormatError.self) { try PolicyTable(lengths.bytes, offset: 0).policy(0) }
        #expect(throws: BinaryFormatError.self) { try PolicyTable(Array(lengths.bytes.prefix(3)), offset: 0) }
    }
}

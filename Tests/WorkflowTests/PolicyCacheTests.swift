import Basics
import Cedar
import Foundation
import JSONValue
import Testing
@testable import Workflow

/// The compiled-policy cache: what it holds reads back exactly as the files load, and every
/// doubtful file (absent, another format, other files, damaged, truncated) is set aside and
/// rebuilt, never used.
@Suite struct PolicyCacheTests {
    /// A copy of a policy directory in a fresh temporary directory, with a cache path beside it.
    struct Scratch {
        let root: String
        var policies: String { root + "/policies" }
        var cache: String { root + "/audit.log.policies.cache" }

        init(_ source: String) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("policy-cache-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source, toPath: policies)
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }

        func load() throws -> (bundle: PolicyBundle, miss: PolicyCache.Miss?) {
            let loaded = try PolicyCache.load(policies, cache: cache)
            return (loaded.bundle, loaded.miss)
        }

        func cacheBytes() throws -> [UInt8] { try #require(FileManager.default.contents(atPath: cache).map(Array.init)) }

        func writeCache(_ bytes: [UInt8]) { FileManager.default.createFile(atPath: cache, contents: Data(bytes)) }
    }

    static let directories: [String] = {
        let examples = repositoryRoot + "/policies/examples"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples).sorted()) ?? []
        return [fixture("cache"), fixture("schema-entities")] + names.map { examples + "/" + $0 }
            .filter { FileManager.default.fileExists(atPath: $0 + "/tools.json") }
    }()

    /// Everything the cache holds reads back equal to what loading the files gives: each
    /// policy's id, scopes, conditions and spans; each entity's attributes, parents, tags and
    /// ancestors; the entity facts.
    @Test(arguments: directories)
    func readsBackWhatTheFilesLoad(_ directory: String) throws {
        let contents = try PolicyDirectoryContents(try PolicyDirectory(path: directory))
        let loaded = try PolicyBundle.load(contents)
        let bytes = try #require(PolicyCache.encode(loaded, contents: contents))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let cached = try PolicyCache.read(path, for: contents).get()

        let a = try #require(loaded.engine as? CedarEngine), b = try #require(cached.engine as? CedarEngine)
        #expect(a.evaluable.count == b.evaluable.count)
        for (p, q) in zip(a.evaluable, b.evaluable) {
            #expect(p.id == q.id && p.effect == q.effect && p.annotations == q.annotations)
            #expect(p.principal == q.principal && p.action == q.action && p.resource == q.resource)
            #expect(p.conditions == q.conditions, "\(p.id)")
            #expect(p.span == q.span && p.effectSpan == q.effectSpan && p.indexInFile == q.indexInFile && p.templateID == q.templateID)
        }
        #expect(loaded.policies == cached.policies)
        #expect(a.chainReads == b.chainReads)
        #expect(a.chainReads == ChainReadIndex(b.evaluable))
        #expect(a.entities.count == b.entities.count)
        for e in a.entities.all {
            let f = try #require(b.entities[e.uid], "\(e.uid)")
            #expect(e.attributes == f.attributes && e.parents == f.parents && e.tags == f.tags, "\(e.uid)")
            #expect(a.entities.ancestors(of: e.uid) == b.entities.ancestors(of: e.uid), "\(e.uid)")
        }
        #expect(loaded.entities.attributes == cached.entities.attributes)
        #expect(loaded.catalog.actions.keys.sorted() == cached.catalog.actions.keys.sorted())
        for (name, action) in loaded.catalog.actions {
            let other = try #require(cached.catalog.actions[name])
            #expect(action.name == other.name && action.tool == other.tool && action.effect == other.effect && action.flags == other.flags)
            #expect(action.location == other.location)
            #expect(action.variants.map(\.name) == other.variants.map(\.name))
            for (v, w) in zip(action.variants, other.variants) {
                #expect(v.action == w.action && v.resource == w.resource && v.args == w.args && v.location == w.location, "\(name).\(v.name)")
            }
        }
        #expect(loaded.catalog.file == cached.catalog.file)
    }

    /// The chain-read index reads back as built: reads scoped to one resource and to every
    /// action, bounds on both sides of a comparison, and the whole history.
    @Test func theChainReadIndexReadsBackAsBuilt() throws {
        let text = """
        forbid (principal, action == Action::"send", resource == Url::"https://paste.example")
        when { context.history.labels.contains("secret") && 3 <= context.history.max_sensitivity };
        forbid (principal, action, resource) when { context.done.writes > 5 || context.history.count == 9223372036854775807 };
        permit (principal, action == Action::"read", resource) when { context.history has labels && context.done.tools.contains("x") };
        forbid (principal, action in [Action::"a", Action::"b"], resource) when { context.history == [] };
        permit (principal, action, resource);
        """
        let set = try PolicySet(text: text, file: "p.cedar")
        let built = ChainReadIndex(set.evaluable)
        #expect(built.byAction.keys.sorted() == ["read", "send"] && built.everyAction.count == 2)
        var w = BinaryWriter()
        built.write(to: &w)
        var r = BinaryReader(w.bytes)
        #expect(try ChainReadIndex.read(&r) == built)
        #expect(r.isAtEnd)
    }

    /// Two ids that differ only in normalisation (`café` precomposed and decomposed) stay two
    /// entities with their own attributes, through the cache as through the files.
    @Test func canonicallyEquivalentIdsStayApart() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        _ = try scratch.load()
        let (bundle, miss) = try scratch.load()
        #expect(miss == nil)
        let nfc = EntityRef(type: "Doc", id: "caf\u{e9}"), nfd = EntityRef(type: "Doc", id: "cafe\u{301}")
        #expect(nfc != nfd)
        #expect(bundle.entities.attributes[nfc]?["name"] == .string("precomposed"))
        #expect(bundle.entities.attributes[nfd]?["name"] == .string("decomposed"))
        #expect(bundle.entities.sensitivity(of: nfd) == 0)
        let engine = try #require(bundle.engine as? CedarEngine)
        #expect(engine.entities[EntityUID(type: "Doc", id: "cafe\u{301}")]?.attributes["name"] == .string("decomposed"))
        #expect(engine.entities.isDescendant(EntityUID(type: "Doc", id: "caf\u{e9}"), of: EntityUID(type: "Folder", id: "sub")))
        #expect(!engine.entities.isDescendant(EntityUID(type: "Doc", id: "cafe\u{301}"), of: EntityUID(type: "Folder", id: "sub")))
    }

    @Test func aMissWritesTheCacheAndTheNextLoadHits() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        #expect(try scratch.load().miss == .absent)
        #expect(FileManager.default.fileExists(atPath: scratch.cache))
        let (bundle, miss) = try scratch.load()
        #expect(miss == nil)
        #expect(bundle.policies.map(\.id) == ["readers", "writers", "no-secrets-out", "typed", "exact"])
    }

    /// The stamp beside the cache: files that stat as it says are not read; a file written since
    /// (its change time moved, whatever its modification time says) is read and hashed again;
    /// files written within two seconds of the clock are never stamped.
    @Test func aStampStandsOnlyForSettledUnchangedFiles() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        func load(_ now: Int64 = FileStatus.now() + 10_000_000_000) throws -> PolicyCache.Loaded<Void> {
            try PolicyCache.load(scratch.policies, cache: scratch.cache, extra: NoCacheExtra(), rebuild: nil, now: now)
        }
        let stamp = scratch.cache + ".stamp"
        // Just written: no stamp is kept, and the next load reads the files.
        #expect(try load(FileStatus.now()).miss == .absent)
        #expect(!FileManager.default.fileExists(atPath: stamp))
        #expect(try load(FileStatus.now()).stamped == false)
        // Settled (a clock ten seconds on): the stamp is kept, then stands for the files.
        let first = try load()
        #expect(first.miss == nil && !first.stamped)
        #expect(FileManager.default.fileExists(atPath: stamp))
        let second = try load()
        #expect(second.miss == nil && second.stamped)
        #expect(second.bundle.policies.map(\.id) == ["readers", "writers", "no-secrets-out", "typed", "exact"])
        #expect(second.contents.key == first.contents.key)
        // The cache file's own stamp was kept with its head found whole; a byte of the head
        // changed in place since (its change time moved) is checked and found.
        #expect(FileStamp.read(stamp)?.cache.isEmpty == false)
        let head = try Self.head(try scratch.cacheBytes())
        var damaged = try scratch.cacheBytes()
        damaged[head.lowerBound + 5] ^= 0x20
        usleep(50_000)
        let handle = try #require(FileHandle(forWritingAtPath: scratch.cache))
        try handle.write(contentsOf: Data(damaged))
        try handle.close()
        #expect(try load().miss == .damaged("checksum mismatch"))
        #expect(try load().stamped)

        // A policy written again with another id, its modification time set back: the change
        // time gives it away, and the files are read.
        let file = scratch.policies + "/a-scopes.cedar"
        let before = try #require(FileStatus(file))
        usleep(50_000)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "@id(\"readers\")", with: "@id(\"Readers\")").write(toFile: file, atomically: false, encoding: .utf8)
        var times = [timespec(tv_sec: Int(before.modified / 1_000_000_000), tv_nsec: Int(before.modified % 1_000_000_000))]
        times.append(times[0])
        #expect(utimensat(AT_FDCWD, file, times, 0) == 0)
        #expect(FileStatus(file)?.modified == before.modified)
        let changed = try load()
        #expect(!changed.stamped)
        #expect(changed.bundle.policies.map(\.id).first == "Readers")
        #expect(changed.contents.key != first.contents.key)
        #expect(try load().stamped)

        // A stamp naming another key than the cache's is a miss by stamp, never the other files.
        let kept = try #require(FileManager.default.contents(atPath: stamp).map(Array.init))
        var otherKey = kept
        otherKey[FileStamp.magic.count] ^= 1
        FileManager.default.createFile(atPath: stamp, contents: Data(otherKey))
        let other = try load()
        #expect(!other.stamped && other.miss == nil && other.bundle.policies.map(\.id).first == "Readers")
    }

    /// Where the head of a cache file starts and ends: after magic, format, key, the head's
    /// SHA-256 and its length.
    static func head(_ bytes: [UInt8]) throws -> Range<Int> {
        var r = BinaryReader(bytes, offset: PolicyCache.magic.count)
        _ = try r.string()
        _ = try r.raw(64)
        let length = Int(try r.uint())
        return r.offset..<(r.offset + length)
    }

    /// Each way a cache file can be wrong when it is opened: it is set aside (the miss names
    /// why), the bundle comes from the files, and the file is written again so the next load hits.
    @Test(arguments: ["garbage", "empty", "format", "key", "head", "checksum", "truncated", "truncated-head", "trailing"])
    func aDoubtfulCacheIsRebuiltNeverUsed(_ damage: String) throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        _ = try scratch.load()
        var bytes = try scratch.cacheBytes()
        let header = PolicyCache.magic.count
        let head = try Self.head(bytes)
        var expected = PolicyCache.Miss.format
        switch damage {
        case "garbage": bytes = Array("not a cache at all".utf8)
        case "empty": bytes = []
        case "format":
            // Another version's file: the same layout under another format name.
            let at = header + 1 + PolicyCache.format.utf8.count - 1
            bytes[at] = bytes[at] == UInt8(ascii: "2") ? UInt8(ascii: "3") : UInt8(ascii: "2")
        case "key":
            // Written for other files; the policies have since changed.
            try "@id(\"late\")\nforbid (principal, action, resource);\n".write(
                toFile: scratch.policies + "/c-late.cedar", atomically: true, encoding: .utf8)
            expected = .key
        case "head":
            bytes[head.lowerBound + head.count / 2] ^= 0x40
            expected = .damaged("checksum mismatch")
        case "checksum":
            bytes[header + 1 + PolicyCache.format.utf8.count + 32] ^= 0x01
            expected = .damaged("checksum mismatch")
        case "truncated":
            // The entities cut short: the head says how long they are.
            bytes.removeLast((bytes.count - head.upperBound) / 2)
        case "truncated-head":
            bytes.removeLast(bytes.count - head.lowerBound - head.count / 2)
            expected = .damaged("truncated")
        default:
            bytes.append(0)
        }
        scratch.writeCache(bytes)
        let (bundle, miss) = try scratch.load()
        if damage == "truncated" || damage == "trailing" {
            guard case .damaged(let why)? = miss else {
                Issue.record("\(damage): \(String(describing: miss))")
                return
            }
            #expect(why.contains("the entities take"), "\(why)")
        } else {
            #expect(miss == expected)
        }
        let ids = bundle.policies.map(\.id)
        #expect(ids == ["readers", "writers", "no-secrets-out", "typed", "exact"] + (damage == "key" ? ["late"] : []))
        #expect(try scratch.load().miss == nil)
        #expect(try scratch.load().bundle.policies.map(\.id) == ids)
    }

    /// A byte changed in an entity bucket: the head still matches, so the cache opens, but the
    /// bucket is checked when an entity in it is first asked for. It then answers nothing and
    /// says why; a load with `rebuild` takes the files and writes the cache again.
    @Test func aDamagedBucketIsFoundWhenRead() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        let first = try scratch.load().bundle
        var bytes = try scratch.cacheBytes()
        bytes[bytes.count - 2] ^= 0x20
        scratch.writeCache(bytes)

        let loaded = try PolicyCache.load(scratch.policies, cache: scratch.cache)
        #expect(loaded.miss == nil)
        let entities = try #require(loaded.entities)
        #expect(entities.damage == nil)
        // Asking for every entity reads every bucket, the damaged one too.
        #expect(loaded.bundle.entities.attributes.count < first.entities.attributes.count)
        #expect(entities.damage?.contains("does not match its checksum") == true)

        let rebuilt = try PolicyCache.load(scratch.policies, cache: scratch.cache, extra: NoCacheExtra(), rebuild: entities.damage)
        #expect(rebuilt.miss == .rebuilt(entities.damage!))
        #expect(rebuilt.entities == nil)
        let next = try PolicyCache.load(scratch.policies, cache: scratch.cache)
        #expect(next.miss == nil)
        #expect(next.bundle.entities.attributes == first.entities.attributes)
        #expect(next.entities?.damage == nil)
    }

    /// The head lists a tag of every entity in each bucket: each of 600 entities is found, and an
    /// entity the files do not list is answered from the head alone, its bucket never read (so a
    /// damaged bucket is found only by a lookup it could answer).
    @Test func absentEntitiesAreAnsweredFromTheHead() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        let listed = (0..<600).map { EntityRef(type: $0 % 2 == 0 ? "Folder" : "Group", id: "e\($0)") }
        let entities = listed.map { ref -> JSONValue in
            .object(JSONObject([
                ("uid", .object(JSONObject([("type", .string(ref.type)), ("id", .string(ref.id))]))),
                ("attrs", .object(JSONObject([("n", .string(ref.id))]))), ("parents", .array([])),
            ]))
        }
        try Data(JSONWriter.compact(.array(entities)).utf8).write(to: URL(fileURLWithPath: scratch.policies + "/entities.json"))
        _ = try scratch.load()
        var bytes = try scratch.cacheBytes()
        bytes[bytes.count - 2] ^= 0x20
        scratch.writeCache(bytes)
        let loaded = try PolicyCache.load(scratch.policies, cache: scratch.cache)
        let store = try #require(loaded.entities)
        let buckets = UInt64((listed.count + PolicyCache.bucketSize - 1) / PolicyCache.bucketSize)
        func inLastBucket(_ ref: EntityRef) -> Bool { CompiledEntities.hash(ref.type, ref.id) % buckets == buckets - 1 }
        // Absent entities, those of the damaged bucket among them: nothing is read.
        let absent = (0..<2000).map { EntityRef(type: $0 % 3 == 0 ? "File" : "Folder", id: "absent\($0)") }
        #expect(absent.contains(where: inLastBucket))
        for ref in absent { #expect(store.entity(EntityUID(type: ref.type, id: ref.id)) == nil) }
        #expect(store.damage == nil)
        // Every listed entity outside the damaged bucket is found; one inside it finds the damage.
        for ref in listed where !inLastBucket(ref) {
            #expect(store.entity(EntityUID(type: ref.type, id: ref.id))?.uid.id == ref.id)
        }
        #expect(store.damage == nil)
        let damaged = try #require(listed.first(where: inLastBucket))
        #expect(store.entity(EntityUID(type: damaged.type, id: damaged.id)) == nil)
        #expect(store.damage?.contains("does not match its checksum") == true)
    }

    /// A head that matches its checksum but does not read back (a writer's bug, or a file built
    /// by hand) is set aside too: every read is checked, nothing traps.
    @Test func aHeadThatDoesNotReadBackIsSetAside() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        let contents = try PolicyDirectoryContents(try PolicyDirectory(path: scratch.policies))
        for head: [UInt8] in [[], [0x05], [0x01, 0x00, 0xFF], Array(repeating: 0xFF, count: 40), [0, 0, 0, 0, 0, 1, 0, 0]] {
            scratch.writeCache(PolicyCache.assemble(key: contents.key, head: head))
            guard case .failure(.damaged) = PolicyCache.read(scratch.cache, for: contents) else {
                Issue.record("head \(head) was not set aside")
                continue
            }
        }
    }

    /// With nowhere to write the cache, loading still works; every load is a miss.
    @Test func anUnwritableCacheOnlyCostsTime() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        let nowhere = scratch.root + "/missing-directory/cache"
        for _ in 0..<2 {
            let loaded = try PolicyCache.load(scratch.policies, cache: nowhere)
            #expect(loaded.miss == .absent)
            #expect(loaded.bundle.policies.count == 5)
        }
    }

    /// The key covers each file's name and bytes: renaming a file, or moving a byte from one
    /// file to the next, gives another key.
    @Test func theKeyCoversNamesAndBoundaries() throws {
        let scratch = try Scratch(fixture("cache"))
        defer { scratch.remove() }
        func key() throws -> [UInt8] { try PolicyDirectoryContents(try PolicyDirectory(path: scratch.policies)).key }
        let first = try key()
        #expect(try key() == first)
        try FileManager.default.moveItem(atPath: scratch.policies + "/b-values.cedar", toPath: scratch.policies + "/c-values.cedar")
        let renamed = try key()
        #expect(renamed != first)
        let a = scratch.policies + "/a-scopes.cedar", c = scratch.policies + "/c-values.cedar"
        var textA = try String(contentsOfFile: a, encoding: .utf8), textC = try String(contentsOfFile: c, encoding: .utf8)
        textC = String(textA.removeLast()) + textC
        try textA.write(toFile: a, atomically: true, encoding: .utf8)
        try textC.write(toFile: c, atomically: true, encoding: .utf8)
        #expect(try key() != renamed)
    }
}

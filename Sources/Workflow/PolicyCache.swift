import Basics
import Cedar
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue

/// The bytes of every file a policy bundle is built from, read once, and the key that names
/// exactly that content.
public struct PolicyDirectoryContents: Sendable {
    /// The files.
    public let directory: PolicyDirectory
    let policies: [(file: String, bytes: [UInt8])]
    let schema: (file: String, bytes: [UInt8])?
    let entities: (file: String, bytes: [UInt8])?
    /// `tools.json`.
    public let catalog: (file: String, bytes: [UInt8])
    /// `tiers.json`, when the directory has one.
    let tiers: (file: String, bytes: [UInt8])?
    /// SHA-256 over the cache format, then every file's role, path and bytes, each
    /// length-prefixed: equal keys mean the same files, read by the same code, under the same
    /// names (the names are in every location the bundle reports).
    public let key: [UInt8]
    /// Whether the bytes of every file were read (false when the cache's stamp stood for them:
    /// then only `tiers.json` was read, and `key` is the one the stamp names).
    let isComplete: Bool

    /// What a file is to the bundle; the key hashes each file under its role.
    enum Role: String {
        case catalog, policy, entities, schema, tiers
    }

    /// The files a bundle of `directory` is built from, with their roles, in the order of the
    /// key: the catalog, the policies, then entities, schema and tiers when there are.
    static func files(of directory: PolicyDirectory) throws(WorkflowError) -> [(role: Role, path: String)] {
        guard let catalogFile = directory.catalogFile else {
            throw .policyDirectory(message: "\"\(directory.path)\" has no tools.json; add the action catalog (see docs/workflow.md)")
        }
        if directory.policyFiles.isEmpty {
            throw .policyDirectory(message: "\"\(directory.path)\" has no *.cedar policy files; add policies or pass --policies DIR")
        }
        var files: [(role: Role, path: String)] = [(.catalog, catalogFile)]
        files += directory.policyFiles.map { (.policy, $0) }
        if let file = directory.entitiesFile { files.append((.entities, file)) }
        if let file = directory.schemaFile { files.append((.schema, file)) }
        if let file = directory.tiersFile { files.append((.tiers, file)) }
        return files
    }

    /// The files of `directory` as the stamp beside the cache says they were when they had
    /// `key`: only `tiers.json` is read (the bundle reads it on a hit too).
    init(stamped directory: PolicyDirectory, key: [UInt8]) throws(WorkflowError) {
        try self.init(directory, key: key) { (role, file) throws(WorkflowError) in role == .tiers ? try readFile(file) : [] }
    }

    /// Reads the files of `directory`: policies, schema, entities and the catalog.
    public init(_ directory: PolicyDirectory) throws(WorkflowError) {
        try self.init(directory, key: nil) { (_, file) throws(WorkflowError) in try readFile(file) }
    }

    /// The files of `directory` with the bytes `read` gives each; `key` nil hashes them for it.
    private init(
        _ directory: PolicyDirectory, key known: [UInt8]?, read: (Role, String) throws(WorkflowError) -> [UInt8]
    ) throws(WorkflowError) {
        var hasher = SHA256()
        func add(_ role: String, _ file: String, _ bytes: [UInt8]) {
            for part in [Array(role.utf8), Array(file.utf8), bytes] {
                var length = UInt64(part.count).littleEndian
                withUnsafeBytes(of: &length) { hasher.update($0) }
                hasher.update(part)
            }
        }
        add("format", PolicyCache.format, [])
        let files = try Self.files(of: directory)
        var catalog = (file: files[0].path, bytes: [UInt8]())
        var policies: [(file: String, bytes: [UInt8])] = []
        var entities, schema, tiers: (file: String, bytes: [UInt8])?
        for (role, file) in files {
            let bytes = try read(role, file)
            if known == nil { add(role.rawValue, file, bytes) }
            switch role {
            case .catalog: catalog = (file, bytes)
            case .policy: policies.append((file, bytes))
            case .entities: entities = (file, bytes)
            case .schema: schema = (file, bytes)
            case .tiers: tiers = (file, bytes)
            }
        }
        self.directory = directory
        self.catalog = catalog
        self.policies = policies
        self.entities = entities
        self.schema = schema
        self.tiers = tiers
        key = known ?? hasher.finalize()
        isComplete = known == nil
    }
}

/// What the files of a policy directory are on disk: for each (in the order of the cache's
/// key), its role, path, device, inode, size, and modification and change times to the
/// nanosecond. Kept beside the cache with the key the files had, so that a call whose files
/// stat the same is known to hold the same content without reading and hashing them.
///
/// A change to a file's content changes its change time (which no program can set back), so a
/// stamp that matches means the files were not written since it was taken, unless they were
/// written within the same tick of the file system's clock as the stamp was taken. A stamp is
/// therefore only kept when every file's times are at least two seconds older than the clock,
/// and a file written since is read and hashed again.
enum FileStamp {
    static let magic = Array("stepguard policy stamp 2\n".utf8)

    /// How old every file's times must be for the stamp to be kept.
    static let settledNanoseconds: Int64 = 2_000_000_000

    /// The stamp of `directory`'s files; nil when one cannot be read or was written too
    /// recently (before `now`, as nanoseconds since the epoch) to be told apart by its times.
    static func of(_ directory: PolicyDirectory, now: Int64) -> [UInt8]? {
        // A directory that does not load has no stamp: the files are read, and say why.
        guard let files = try? PolicyDirectoryContents.files(of: directory) else { return nil }
        var w = BinaryWriter()
        w.string(PolicyCache.format)
        w.count(files.count)
        for (role, path) in files {
            guard add(role.rawValue, path, now: now, to: &w) else { return nil }
        }
        return w.bytes
    }

    /// The stamp of the cache file at `path` alone (see `PolicyCache.load`: a cache file whose
    /// head was checked and that stats the same is not checked again); nil as for `of`.
    static func ofCache(_ path: String, now: Int64) -> [UInt8]? {
        var w = BinaryWriter()
        return add("cache", path, now: now, to: &w) ? w.bytes : nil
    }

    private static func add(_ role: String, _ path: String, now: Int64, to w: inout BinaryWriter) -> Bool {
        guard let status = FileStatus(path), status.isRegular, max(status.modified, status.changed) <= now - settledNanoseconds else {
            return false
        }
        w.string(role)
        w.string(path)
        w.uint(status.device)
        w.uint(status.inode)
        w.uint(UInt64(status.size))
        w.int(status.modified)
        w.int(status.changed)
        return true
    }

    /// What is kept beside the cache: the files' stamp, the key they had, and the stamp of the
    /// cache file when its head was found whole (empty when it had not settled then).
    struct Kept: Equatable {
        var stamp: [UInt8]
        var key: [UInt8]
        var cache: [UInt8]
    }

    /// What is kept at `path`; nil when there is nothing that reads.
    static func read(_ path: String) -> Kept? {
        guard let file = PositionedFile(path), file.size <= 1 << 20, let bytes = file.read(at: 0, count: file.size),
              bytes.starts(with: magic) else { return nil }
        var r = BinaryReader(bytes, offset: magic.count)
        guard let key = try? Array(r.raw(32)), let length = try? r.count(), let stamp = try? Array(r.raw(length)),
              let cacheLength = try? r.count(), let cache = try? Array(r.raw(cacheLength)), r.isAtEnd
        else { return nil }
        return Kept(stamp: stamp, key: key, cache: cache)
    }

    /// Keeps `kept` at `path`, atomically; a stamp not written only costs the next call a read
    /// of the files.
    static func write(_ kept: Kept, to path: String) {
        var w = BinaryWriter()
        w.raw(magic)
        w.raw(kept.key)
        w.count(kept.stamp.count)
        w.raw(kept.stamp)
        w.count(kept.cache.count)
        w.raw(kept.cache)
        try? AtomicWrite.write(w.bytes, to: path, permissions: 0o600)
    }
}

/// What a caller keeps in the compiled-policy cache beside the bundle (the gate: its mapping
/// of tools.json), built from the files on a miss and read back on a hit.
public protocol PolicyCacheExtra {
    /// The value kept.
    associatedtype Value
    /// Builds the value from a bundle loaded from its files, checking what must hold for the
    /// cache to stand for them (an error fails the load), and its bytes in the cache.
    func build(_ bundle: PolicyBundle, _ contents: PolicyDirectoryContents) throws -> (value: Value, bytes: [UInt8])
    /// Reads the value back from the bytes `build` gave, with the catalog read from the cache
    /// (the policies are read after it, and may be only some of them: see `PolicyCache.read`).
    func read(_ bytes: [UInt8], catalog: ActionCatalog) throws -> Value
}

/// Nothing kept beside the bundle.
public struct NoCacheExtra: PolicyCacheExtra {
    /// Nothing.
    public init() {}
    public func build(_ bundle: PolicyBundle, _ contents: PolicyDirectoryContents) throws -> (value: Void, bytes: [UInt8]) { ((), []) }
    public func read(_ bytes: [UInt8], catalog: ActionCatalog) throws {}
}

/// A cache of compiled policy directories: the parsed policies, the action catalog, which
/// members of the chain facts each action's policies read (`ChainReadIndex`), the entity store
/// (with its ancestor sets) and the entity attributes, in binary form, in one file.
///
/// The file is written only after the directory loaded without error, atomically, and is used
/// only when its format and its key (the SHA-256 of the files it was built from, see
/// `PolicyDirectoryContents.key`) match. It is read in parts, each checked against its SHA-256
/// before use: the head (policies, catalog, what the caller keeps, the table of entities) when
/// the file is opened, and the entities in buckets of a few, each read only when a request
/// reaches one of its entities, so a call decodes the entities it touches and no others. A
/// head that does not match or read back whole, or a file whose length is not what the head
/// says, is a miss: the directory is loaded from its files and the cache written again. A
/// bucket that does not match is found when it is read: `CompiledEntities.damage` says so, and
/// the caller decides again from the files (`load(_:cache:extra:rebuild:)`).
public enum PolicyCache {
    /// Names the layout of the file and of everything in it; a change to either changes it, so
    /// a file an older build wrote is a miss, never misread.
    public static let format = "stepguard policy cache 7"

    static let magic = Array("stepguard-policy-cache\n".utf8)

    /// The actions stepguard asks the policies about on its own, besides a step's: an approver's
    /// (`ApproverAuthority.action`) and a delegation's (`StepDecider.delegateAction`). The cache
    /// lists the policies of these as of every catalog action.
    public static let ownActions = [ApproverAuthority.action.actionName, StepDecider.delegateAction]

    /// Entities per bucket, on average: a bucket is the unit read and checked.
    static let bucketSize = 16

    /// Why a cache file was not used.
    public enum Miss: Error, Sendable, Equatable {
        /// There is no cache file.
        case absent
        /// It is not a cache file of this format (another version, or not one at all).
        case format
        /// It was built from other files.
        case key
        /// A part does not match its checksum, or does not read back.
        case damaged(String)
        /// The caller found a damaged part while deciding and asked for the files.
        case rebuilt(String)
    }

    /// A directory loaded through the cache.
    public struct Loaded<Value> {
        /// Policies, catalog and entities.
        public var bundle: PolicyBundle
        /// The files it stands for.
        public var contents: PolicyDirectoryContents
        /// What the caller keeps beside the bundle.
        public var extra: Value
        /// Why the cache was not used; nil on a hit.
        public var miss: Miss?
        /// The entities read on demand (a hit); ask it for `damage` after deciding.
        public var entities: CompiledEntities?
        /// Whether the files were known by their stamp, without being read (a hit).
        public var stamped = false
    }

    /// The bundle the cache file at `path` holds for `contents`; the reason when there is none.
    public static func read(_ path: String, for contents: PolicyDirectoryContents) -> Result<PolicyBundle, Miss> {
        read(path, for: contents, extra: NoCacheExtra()).map(\.bundle)
    }

    /// The bundle, the caller's value and the lazily read entities of the cache file at `path`.
    ///
    /// With `checkHead` false the head is not checked against its SHA-256 (the caller knows the
    /// file unchanged since its head was last found whole); everything else is.
    ///
    /// `actions`, given the catalog and the caller's value (both read before any policy), names
    /// every action the caller will ask the bundle about; the bundle then holds only the
    /// policies whose action scope can match one of them (`ActionScopes`), in their order, and
    /// answers a request for any other action as no policy permitting it (see
    /// `PolicyBundle.actionScope`). Nil, or an action the cache has no list for, reads every
    /// policy.
    public static func read<Extra: PolicyCacheExtra>(
        _ path: String, for contents: PolicyDirectoryContents, extra: Extra, checkHead: Bool = true,
        actions: ((ActionCatalog, Extra.Value) -> [String]?)? = nil
    ) -> Result<(bundle: PolicyBundle, extra: Extra.Value, entities: CompiledEntities), Miss> {
        guard let file = PositionedFile(path) else { return .failure(.absent) }
        // The fixed part: magic, format, key, the head's SHA-256 and length.
        guard let prefix = file.read(at: 0, count: min(file.size, magic.count + 1 + format.utf8.count + 64 + 10)),
              prefix.starts(with: magic) else { return .failure(.format) }
        var r = BinaryReader(prefix, offset: magic.count)
        do {
            guard (try? r.string()) == format else { return .failure(.format) }
            guard try r.raw(32).elementsEqual(contents.key) else { return .failure(.key) }
            let checksum = Array(try r.raw(32))
            let headLength = try r.uint()
            let headStart = r.offset
            guard headLength <= UInt64(file.size - headStart), let head = file.read(at: headStart, count: Int(headLength)) else {
                return .failure(.damaged("truncated"))
            }
            guard !checkHead || SHA256.hash(head) == checksum else { return .failure(.damaged("checksum mismatch")) }
            // The policies are skipped over by their table, and decoded once it is known which.
            let table = try PolicyTable(head, offset: 0)
            var h = BinaryReader(head, offset: table.end)
            let catalog = try ActionCatalog.read(&h, file: contents.catalog.file)
            let chainReads = try ChainReadIndex.read(&h)
            let scopes = try ActionScopes.read(&h, policies: table.count)
            let extraBytes = Array(try h.raw(try h.count()))
            let entities = try CompiledEntities(&h, file: file, start: headStart + head.count)
            guard h.isAtEnd else { throw h.fail("trailing bytes") }
            let value = try extra.read(extraBytes, catalog: catalog)
            let engine: any DecisionEngine
            if let named = actions?(catalog, value), let slice = scopes.slice(named) {
                engine = try SlicedEngine(
                    slice, policies: try table.policies(slice.policies), entities: Entities(source: entities), chainReads: chainReads)
            } else {
                engine = try CedarEngine(evaluable: try table.policies(), entities: Entities(source: entities), chainReads: chainReads)
            }
            let bundle = PolicyBundle(
                directory: contents.directory, catalog: catalog, entities: EntityFacts(source: entities), engine: engine,
                tiers: try contents.tierConfiguration())
            return .success((bundle, value, entities))
        } catch let error as BinaryFormatError {
            return .failure(.damaged("\(error.message) at byte \(error.offset)"))
        } catch let error as WorkflowError {
            // The policies themselves did not build: not a cache the files' own load would give.
            return .failure(.damaged(error.description))
        } catch {
            return .failure(.damaged("\(error)"))
        }
    }

    /// The cache file for `bundle`, built from `contents`, with `extra` kept beside it; nil when
    /// the bundle has no compiled form (an expression nested deeper than `CompiledForm.maxDepth`)
    /// or holds only the policies of some actions (its engine is a `SlicedEngine`).
    public static func encode(_ bundle: PolicyBundle, contents: PolicyDirectoryContents, extra: [UInt8] = []) -> [UInt8]? {
        guard let engine = bundle.engine as? CedarEngine else { return nil }
        var head = BinaryWriter()
        guard CompiledForm.write(engine.evaluable, to: &head) else { return nil }
        bundle.catalog.write(to: &head)
        engine.chainReads.write(to: &head)
        ActionScopes(engine.evaluable, catalog: bundle.catalog, entities: engine.entities).write(to: &head)
        head.count(extra.count)
        head.raw(extra)
        let (buckets, tags) = CompiledEntities.buckets(engine.entities, bundle.entities)
        head.count(engine.entities.count)
        head.count(bundle.entities.attributes.count)
        head.count(buckets.count)
        for bucket in buckets {
            head.count(bucket.count)
            head.raw(SHA256.hash(bucket))
        }
        for bucketTags in tags {
            head.count(bucketTags.count)
            for tag in bucketTags { head.raw([UInt8(tag & 0xFF), UInt8(tag >> 8 & 0xFF), UInt8(tag >> 16 & 0xFF), UInt8(tag >> 24)]) }
        }
        return assemble(key: contents.key, head: head.bytes, buckets: buckets)
    }

    /// The file: magic, format, key, the head's SHA-256 and length, the head, the buckets.
    static func assemble(key: [UInt8], head: [UInt8], buckets: [[UInt8]] = []) -> [UInt8] {
        var w = BinaryWriter()
        w.raw(magic)
        w.string(format)
        w.raw(key)
        w.raw(SHA256.hash(head))
        w.count(head.count)
        w.raw(head)
        for bucket in buckets { w.raw(bucket) }
        return w.bytes
    }

    /// Writes the cache file for `bundle` at `path`, atomically; false when it has no compiled
    /// form or could not be written (a cache that is not written is only a slower next load).
    @discardableResult
    public static func write(_ bundle: PolicyBundle, contents: PolicyDirectoryContents, extra: [UInt8] = [], to path: String) -> Bool {
        guard let bytes = encode(bundle, contents: contents, extra: extra) else { return false }
        do {
            try AtomicWrite.write(bytes, to: path, permissions: 0o600)
            return true
        } catch {
            return false
        }
    }

    /// Loads the policy directory at `directory`.
    public static func load(_ directory: String, cache path: String) throws -> Loaded<Void> {
        try load(directory, cache: path, extra: NoCacheExtra())
    }

    /// Loads the policy directory at `directory`: from the cache file at `path` when it holds
    /// exactly these files, else from the files, building `extra` and writing the cache. With
    /// `rebuild` (a part of the cache was found damaged while deciding), from the files whatever
    /// the cache holds.
    ///
    /// When the files stat as the stamp beside the cache (`PATH.stamp`, see `FileStamp`) says
    /// they did when they had the cache's key, they are not read at all.
    ///
    /// `actions` names the actions the caller will ask about, as for `read`: a bundle read from
    /// the cache then holds only their policies; one loaded from the files holds every policy.
    public static func load<Extra: PolicyCacheExtra>(
        _ directory: String, cache path: String, extra: Extra, rebuild: String? = nil,
        actions: ((ActionCatalog, Extra.Value) -> [String]?)? = nil
    ) throws -> Loaded<Extra.Value> {
        try load(directory, cache: path, extra: extra, rebuild: rebuild, now: FileStatus.now(), actions: actions)
    }

    /// `load`, with the clock the stamp's files are judged settled against.
    static func load<Extra: PolicyCacheExtra>(
        _ directory: String, cache path: String, extra: Extra, rebuild: String?, now: Int64,
        actions: ((ActionCatalog, Extra.Value) -> [String]?)? = nil
    ) throws -> Loaded<Extra.Value> {
        let files = try PolicyDirectory(path: directory)
        let stampPath = path + ".stamp"
        // Taken before any file is read: a file written after this has other times.
        let stamp = rebuild == nil ? FileStamp.of(files, now: now) : nil
        let kept = stamp == nil ? nil : FileStamp.read(stampPath)
        if let stamp, let kept, kept.stamp == stamp {
            let contents = try PolicyDirectoryContents(stamped: files, key: kept.key)
            // The cache file as it was when its head was last found whole: not checked again.
            let cacheStamp = FileStamp.ofCache(path, now: now)
            let checked = cacheStamp != nil && cacheStamp == kept.cache
            if case .success(let hit) = read(path, for: contents, extra: extra, checkHead: !checked, actions: actions) {
                if !checked, let cacheStamp {
                    FileStamp.write(FileStamp.Kept(stamp: stamp, key: kept.key, cache: cacheStamp), to: stampPath)
                }
                return Loaded(bundle: hit.bundle, contents: contents, extra: hit.extra, miss: nil, entities: hit.entities, stamped: true)
            }
        }
        let contents = try PolicyDirectoryContents(files)
        var miss: Miss
        if let rebuild {
            miss = .rebuilt(rebuild)
        } else {
            switch read(path, for: contents, extra: extra, actions: actions) {
            case .success(let hit):
                if let stamp {
                    let cache = FileStamp.ofCache(path, now: now) ?? []
                    let fresh = FileStamp.Kept(stamp: stamp, key: contents.key, cache: cache)
                    if fresh != kept { FileStamp.write(fresh, to: stampPath) }
                }
                return Loaded(bundle: hit.bundle, contents: contents, extra: hit.extra, miss: nil, entities: hit.entities)
            case .failure(let why):
                miss = why
            }
        }
        let bundle = try PolicyBundle.load(contents)
        let (value, bytes) = try extra.build(bundle, contents)
        if write(bundle, contents: contents, extra: bytes, to: path), let stamp {
            // The cache was just written: its own stamp is taken once it has settled.
            FileStamp.write(FileStamp.Kept(stamp: stamp, key: contents.key, cache: []), to: stampPath)
        }
        return Loaded(bundle: bundle, contents: contents, extra: value, miss: miss, entities: nil)
    }
}

/// Which policies each action can reach, kept in the compiled-policy cache: a caller that knows
/// the actions it will ask about decodes only the policies listed for them.
///
/// Every catalog action is listed, and the actions stepguard asks about on its own
/// (`PolicyCache.ownActions`); an action's list is every policy
/// whose action scope can match a request for it, as Cedar's scope check decides that
/// (`ActionConstraint.canMatch`, with the action's ancestors in the bundle's entity store), so
/// what a list leaves out is a policy Cedar would not evaluate for that action.
struct ActionScopes: Equatable {
    /// Positions of the policies each action reaches, ascending.
    var byAction: [EntityRef: [Int]] = [:]

    init() {}

    init(_ policies: [Policy], catalog: ActionCatalog, entities: Entities) {
        let actions = Set((catalog.actions.keys + PolicyCache.ownActions).map(EntityRef.action))
        let ordered = actions.sorted()
        let lists = CompiledForm.reachable(policies, actions: ordered.map(CedarEngine.uid), entities: entities)
        for (action, list) in zip(ordered, lists) { byAction[action] = list }
    }

    /// Writes the lists, actions in order, each position as its distance from the one before.
    func write(to w: inout BinaryWriter) {
        w.count(byAction.count)
        for action in byAction.keys.sorted() {
            action.write(to: &w)
            let list = byAction[action]!
            w.count(list.count)
            var previous = -1
            for position in list {
                w.count(position - previous - 1)
                previous = position
            }
        }
    }

    /// Reads what `write` wrote for a table of `policies` policies.
    static func read(_ r: inout BinaryReader, policies: Int) throws(BinaryFormatError) -> ActionScopes {
        var scopes = ActionScopes()
        for _ in 0..<(try r.count()) {
            let action = try EntityRef.read(&r)
            var list: [Int] = []
            var previous = -1
            for _ in 0..<(try r.count()) {
                let gap = try r.uint()
                guard gap < UInt64(policies - previous - 1) else { throw r.fail("action \(action) lists a policy beyond the \(policies)") }
                previous += Int(gap) + 1
                list.append(previous)
            }
            guard scopes.byAction.updateValue(list, forKey: action) == nil else { throw r.fail("action \(action) listed twice") }
        }
        return scopes
    }

    /// The policies the actions `names` reach (ascending) and those actions; nil when one of
    /// them has no list (every policy must then be read).
    func slice(_ names: [String]) -> PolicySlice? {
        var actions = Set<EntityRef>()
        var reached = Set<Int>()
        for name in names {
            let action = EntityRef.action(name)
            guard let list = byAction[action] else { return nil }
            actions.insert(action)
            reached.formUnion(list)
        }
        return PolicySlice(policies: reached.sorted(), actions: actions)
    }
}

/// The policies of some actions: what a bundle read for those actions alone holds.
struct PolicySlice: Sendable {
    /// Positions of the policies in the whole set, ascending.
    var policies: [Int]
    /// The actions whose policies these are: the only ones the bundle may be asked about.
    var actions: Set<EntityRef>
}

/// The entities of a cache file, read in buckets as they are asked for: the Cedar store's
/// entities (attributes as Cedar values, parents, tags, ancestors) and the attributes as
/// `entities.json` writes them (what chain facts, risk and counterparts read), one record per
/// entity holding both. A bucket is read and checked against its SHA-256 the first time one
/// of its entities is asked for; a bucket that does not match answers nothing and sets `damage`.
public final class CompiledEntities: EntitySource, @unchecked Sendable {
    // Buckets are decoded under `lock`; once decoded they do not change.
    private let file: PositionedFile
    private let start: Int
    private let offsets: [Int]
    private let digests: [UInt8]
    /// Each bucket's tags (see `tag`), four bytes each, from `tagStarts[i]` to `tagStarts[i + 1]`:
    /// an entity whose tag its bucket does not list is not in it, and the bucket is not read.
    private let tags: [UInt8]
    private let tagStarts: [Int]
    /// How many entities the Cedar store holds.
    public let count: Int
    private let factsCount: Int
    private let lock = ThreadLock()
    private var read: [Int: Bucket] = [:]
    private var found: String?

    struct Record {
        let type: String
        let id: String
        let entity: Entity?
        let facts: JSONObject?
    }

    /// A bucket read and checked: each entity's uid and where the rest of it lies, decoded only
    /// when that entity is asked for (a bucket holds some sixteen; a call asks for one or two).
    private struct Bucket {
        var bytes: [UInt8]
        var entries: [(type: String, id: String, body: Range<Int>)]
        var records: [Record?]
    }

    /// Reads the table of buckets from the head; the buckets follow it at `start` and must fill
    /// the rest of `file` exactly.
    init(_ r: inout BinaryReader, file: PositionedFile, start: Int) throws(BinaryFormatError) {
        self.file = file
        self.start = start
        count = try r.count()
        factsCount = try r.count()
        let buckets = try r.count()
        guard buckets > 0 || (count == 0 && factsCount == 0) else { throw r.fail("entities without buckets") }
        var offsets = [0]
        offsets.reserveCapacity(buckets + 1)
        var digests: [UInt8] = []
        digests.reserveCapacity(buckets * 32)
        for _ in 0..<buckets {
            // Bucket lengths count bytes after the head, so they are bounded by the file.
            let length = try r.uint()
            guard length <= UInt64(file.size) else { throw r.fail("bucket length \(length) exceeds the file") }
            offsets.append(offsets[offsets.count - 1] + Int(length))
            digests.append(contentsOf: try r.raw(32))
        }
        guard start + offsets[offsets.count - 1] == file.size else {
            throw r.fail("the entities take \(offsets[offsets.count - 1]) bytes, the file has \(file.size - start) after the head")
        }
        var tags: [UInt8] = []
        var tagStarts = [0]
        tagStarts.reserveCapacity(buckets + 1)
        for _ in 0..<buckets {
            let count = try r.count()
            guard count <= r.remaining / 4 else { throw r.fail("more tags than the head holds") }
            tags.append(contentsOf: try r.raw(count * 4))
            tagStarts.append(tags.count)
        }
        self.offsets = offsets
        self.digests = digests
        self.tags = tags
        self.tagStarts = tagStarts
    }

    /// Why a bucket read while deciding could not be used; nil while every part read matched.
    public var damage: String? {
        lock.lock()
        defer { lock.unlock() }
        return found
    }

    public func entity(_ uid: EntityUID) -> Entity? { record(uid.type, uid.id)?.entity }

    /// The attributes of `entity` as `entities.json` writes them; nil when it does not list it.
    func facts(_ entity: EntityRef) -> JSONObject? { record(entity.type, entity.id)?.facts }

    public var all: [Entity] { everyRecord().compactMap(\.entity).sorted { $0.uid < $1.uid } }

    /// Every entity's attributes as `entities.json` writes them.
    var allFacts: [EntityRef: JSONObject] {
        var out: [EntityRef: JSONObject] = [:]
        for record in everyRecord() {
            if let facts = record.facts { out[EntityRef(type: record.type, id: record.id)] = facts }
        }
        return out
    }

    private func everyRecord() -> [Record] {
        (0..<(offsets.count - 1)).flatMap { index -> [Record] in
            guard let count = bucket(index) else { return [] }
            return (0..<count).compactMap { entry(index, $0) }
        }
    }

    private func record(_ type: String, _ id: String) -> Record? {
        guard offsets.count > 1 else { return nil }
        let hash = Self.hash(type, id)
        let index = Int(hash % UInt64(offsets.count - 1))
        // Most resources a call names (files, URLs, commands) are in no entity file: their
        // absence is known from the head, without reading and checking a bucket.
        let tag = Self.tag(hash)
        var listed = false
        var at = tagStarts[index]
        while at < tagStarts[index + 1] {
            if UInt32(tags[at]) | UInt32(tags[at + 1]) << 8 | UInt32(tags[at + 2]) << 16 | UInt32(tags[at + 3]) << 24 == tag {
                listed = true
                break
            }
            at += 4
        }
        guard listed, bucket(index) != nil else { return nil }
        lock.lock()
        let position = read[index]?.entries.firstIndex { $0.id.isExactly(id) && $0.type.isExactly(type) }
        lock.unlock()
        return position.flatMap { entry(index, $0) }
    }

    /// The bits of an entity's hash that its bucket's number does not take: what the head lists
    /// of each entity in a bucket.
    static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) }

    /// Reads and checks bucket `index` (once), and lists its entities; their number, nil when the
    /// bucket is damaged (`damage` says how).
    private func bucket(_ index: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        if let known = read[index] { return known.entries.count }
        guard found == nil else { return nil }
        do throws(BinaryFormatError) {
            guard let bytes = file.read(at: start + offsets[index], count: offsets[index + 1] - offsets[index]) else {
                throw BinaryFormatError("bucket \(index) cannot be read", offset: start + offsets[index])
            }
            guard SHA256.hash(bytes).elementsEqual(digests[(index * 32)..<(index * 32 + 32)]) else {
                throw BinaryFormatError("bucket \(index) does not match its checksum", offset: start + offsets[index])
            }
            var r = BinaryReader(bytes)
            var entries: [(type: String, id: String, body: Range<Int>)] = []
            while !r.isAtEnd {
                let type = try r.string(), id = try r.string()
                let length = try r.count()
                guard length <= r.remaining else { throw r.fail("entity longer than its bucket") }
                guard Int(Self.hash(type, id) % UInt64(offsets.count - 1)) == index else { throw r.fail("entity in the wrong bucket") }
                entries.append((type, id, r.offset..<(r.offset + length)))
                _ = try r.raw(length)
            }
            read[index] = Bucket(bytes: bytes, entries: entries, records: Array(repeating: nil, count: entries.count))
            return entries.count
        } catch {
            found = "\(error.message) at byte \(error.offset)"
            return nil
        }
    }

    /// Entity `position` of bucket `index` (read already), decoded once; nil when it does not
    /// decode (`damage` says how).
    private func entry(_ index: Int, _ position: Int) -> Record? {
        lock.lock()
        defer { lock.unlock() }
        guard let bucket = read[index] else { return nil }
        if let known = bucket.records[position] { return known }
        let (type, id, body) = bucket.entries[position]
        do throws(BinaryFormatError) {
            var r = BinaryReader(Array(bucket.bytes[body]))
            let entity = try r.bool() ? try CompiledForm.readEntity(&r) : nil
            if let entity, !(entity.uid.type.isExactly(type) && entity.uid.id.isExactly(id)) { throw r.fail("entity filed under another uid") }
            var facts: JSONObject?
            if try r.bool() {
                guard case .object(let object) = try JSONValue.read(from: &r) else { throw r.fail("entity attributes are not an object") }
                facts = object
            }
            guard r.isAtEnd else { throw r.fail("trailing bytes after an entity") }
            let record = Record(type: type, id: id, entity: entity, facts: facts)
            read[index]?.records[position] = record
            return record
        } catch {
            // The first damage found is the one the rebuild names.
            if found == nil { found = "bucket \(index): \(error.message) at byte \(body.lowerBound + error.offset)" }
            return nil
        }
    }

    /// FNV-1a over the type's and the id's UTF-8 bytes, a byte no UTF-8 text holds between them:
    /// the same in every process, so a writer and a reader agree on buckets.
    static func hash(_ type: String, _ id: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in type.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        h = (h ^ 0xFF) &* 0x100_0000_01b3
        for byte in id.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }

    /// The buckets of a store and its facts: each entity's record in the bucket its uid hashes to.
    static func buckets(_ entities: Entities, _ facts: EntityFacts) -> (bytes: [[UInt8]], tags: [[UInt32]]) {
        let all = entities.all
        let table = facts.attributes
        var uids = Set(all.map { EntityRef(type: $0.uid.type, id: $0.uid.id) })
        var keys = all.map { (type: $0.uid.type, id: $0.uid.id, entity: Optional($0)) }
        for ref in table.keys.sorted() where uids.insert(ref).inserted { keys.append((ref.type, ref.id, nil)) }
        guard !keys.isEmpty else { return ([], []) }
        let count = max(1, (keys.count + PolicyCache.bucketSize - 1) / PolicyCache.bucketSize)
        var writers = [BinaryWriter](repeating: BinaryWriter(), count: count)
        var tags = [[UInt32]](repeating: [], count: count)
        for key in keys {
            let hash = hash(key.type, key.id)
            let index = Int(hash % UInt64(count))
            tags[index].append(tag(hash))
            // The uid, then the rest behind its length, so a reader decodes only the entity asked for.
            var body = BinaryWriter()
            body.bool(key.entity != nil)
            if let entity = key.entity { CompiledForm.write(entity, to: &body) }
            let attributes = table[EntityRef(type: key.type, id: key.id)]
            body.bool(attributes != nil)
            if let attributes { JSONValue.object(attributes).write(to: &body) }
            writers[index].string(key.type)
            writers[index].string(key.id)
            writers[index].count(body.bytes.count)
            writers[index].raw(body.bytes)
        }
        return (writers.map(\.bytes), tags)
    }
}

extension FileLocation {
    /// Writes the location in binary form.
    public func write(to w: inout BinaryWriter) {
        w.string(file)
        w.count(line)
        w.count(column)
        w.string(path)
    }

    /// Reads a location `write(to:)` wrote.
    public static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> FileLocation {
        let file = try r.string()
        let line = Int(try r.uint() & 0xFFFF_FFFF), column = Int(try r.uint() & 0xFFFF_FFFF)
        return FileLocation(file: file, line: line, column: column, path: try r.string())
    }
}

extension EntityRef {
    /// Writes the entity's type and id.
    public func write(to w: inout BinaryWriter) {
        w.string(type)
        w.string(id)
    }

    /// Reads an entity `write(to:)` wrote.
    public static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> EntityRef {
        let type = try r.string()
        return EntityRef(type: type, id: try r.string())
    }
}

extension ActionCatalog {
    /// Writes the catalog in binary form, actions by name.
    func write(to w: inout BinaryWriter) {
        w.count(actions.count)
        for name in actions.keys.sorted() {
            let action = actions[name]!
            w.string(action.name)
            w.string(action.tool)
            w.string(action.effect.rawValue)
            w.count(action.flags.count)
            for flag in action.flags { w.string(flag.rawValue) }
            w.count(action.variants.count)
            for variant in action.variants {
                w.string(variant.name)
                w.optionalString(variant.action)
                switch variant.resource {
                case nil: w.byte(0)
                case .counterpart(let attribute)?: w.byte(1); w.string(attribute)
                case .literal(let entity)?: w.byte(2); entity.write(to: &w)
                }
                JSONValue.object(variant.args).write(to: &w)
                variant.location.write(to: &w)
            }
            action.location.write(to: &w)
        }
    }

    /// Reads a catalog `write(to:)` wrote from `file`.
    static func read(_ r: inout BinaryReader, file: String) throws(BinaryFormatError) -> ActionCatalog {
        var actions: [String: CatalogAction] = [:]
        for _ in 0..<(try r.count()) {
            let name = try r.string(), tool = try r.string()
            let effect = try r.named(ActionEffect.self)
            var flags: [ActionFlag] = []
            for _ in 0..<(try r.count()) { flags.append(try r.named(ActionFlag.self)) }
            var variants: [ActionVariant] = []
            for _ in 0..<(try r.count()) {
                let variantName = try r.string(), variantAction = try r.optionalString()
                let resource: VariantResource?
                switch try r.byte() {
                case 0: resource = nil
                case 1: resource = .counterpart(attribute: try r.string())
                case 2: resource = .literal(try EntityRef.read(&r))
                default: throw r.fail("unknown variant resource")
                }
                guard case .object(let args) = try JSONValue.read(from: &r) else { throw r.fail("variant args are not an object") }
                variants.append(ActionVariant(
                    name: variantName, action: variantAction, resource: resource, args: args, location: try FileLocation.read(&r)))
            }
            let location = try FileLocation.read(&r)
            guard actions.updateValue(
                CatalogAction(name: name, tool: tool, effect: effect, flags: flags, variants: variants, location: location), forKey: name) == nil
            else { throw r.fail("action \"\(name)\" twice") }
        }
        return ActionCatalog(actions: actions, file: file)
    }
}

extension PolicyDirectoryContents {
    /// What each tier demands: `tiers.json`, read on every load (it is not in the cache), or
    /// the shipped defaults.
    func tierConfiguration() throws(WorkflowError) -> TierConfiguration {
        guard let tiers else { return .shipped }
        return try TierConfiguration.parse(tiers.bytes, file: tiers.file, directory: directory.path)
    }
}

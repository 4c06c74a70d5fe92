import Basics
import Cedar
import Crypto
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

    /// Reads the files of `directory`: policies, schema, entities and the catalog.
    public init(_ directory: PolicyDirectory) throws(WorkflowError) {
        guard let catalogFile = directory.catalogFile else {
            throw .policyDirectory(message: "\"\(directory.path)\" has no tools.json; add the action catalog (see docs/workflow.md)")
        }
        if directory.policyFiles.isEmpty {
            throw .policyDirectory(message: "\"\(directory.path)\" has no *.cedar policy files; add policies or pass --policies DIR")
        }
        self.directory = directory
        catalog = (catalogFile, try readFile(catalogFile))
        var policies: [(file: String, bytes: [UInt8])] = []
        for file in directory.policyFiles { policies.append((file, try readFile(file))) }
        self.policies = policies
        entities = try directory.entitiesFile.map { (file) throws(WorkflowError) in (file, try readFile(file)) }
        schema = try directory.schemaFile.map { (file) throws(WorkflowError) in (file, try readFile(file)) }
        tiers = try directory.tiersFile.map { (file) throws(WorkflowError) in (file, try readFile(file)) }

        var hasher = SHA256()
        func add(_ role: String, _ file: String, _ bytes: [UInt8]) {
            for part in [Array(role.utf8), Array(file.utf8), bytes] {
                var length = UInt64(part.count).littleEndian
                withUnsafeBytes(of: &length) { hasher.update($0) }
                hasher.update(part)
            }
        }
        add("format", PolicyCache.format, [])
        add("catalog", catalog.file, catalog.bytes)
        for policy in policies { add("policy", policy.file, policy.bytes) }
        if let entities { add("entities", entities.file, entities.bytes) }
        if let schema { add("schema", schema.file, schema.bytes) }
        if let tiers { add("tiers", tiers.file, tiers.bytes) }
        key = hasher.finalize()
    }
}

/// A cache of compiled policy directories: the parsed policies, the entity store (with its
/// ancestor sets) and the entity facts, in binary form, in one file.
///
/// The file is written only after the directory loaded without error, atomically, and is read
/// only when its format, its key (the SHA-256 of the files it was built from, see
/// `PolicyDirectoryContents.key`) and the SHA-256 of its payload all match and the payload reads
/// back whole. Anything else — missing, unreadable, truncated, another version, another key,
/// a damaged payload — makes the cache a miss: the directory is loaded from its files and the
/// cache written again. The catalog is read from `tools.json` every time (it is small, and keeps
/// its source locations).
public enum PolicyCache {
    /// Names the layout of the file and of everything in it; a change to either changes it, so
    /// a file an older build wrote is a miss, never misread.
    public static let format = "stepguard policy cache 1"

    static let magic = Array("stepguard-policy-cache\n".utf8)

    /// Why a cache file was not used.
    public enum Miss: Error, Sendable, Equatable {
        /// There is no cache file.
        case absent
        /// It is not a cache file of this format (another version, or not one at all).
        case format
        /// It was built from other files.
        case key
        /// Its payload does not match its checksum, or does not read back.
        case damaged(String)
    }

    /// The bundle the cache file at `path` holds for `contents`; the reason when there is none.
    public static func read(_ path: String, for contents: PolicyDirectoryContents) -> Result<PolicyBundle, Miss> {
        guard let bytes = try? BoundedRead.file(path, limit: WorkflowLimits.maxFileBytes) else { return .failure(.absent) }
        guard bytes.starts(with: magic) else { return .failure(.format) }
        var r = BinaryReader(bytes, offset: magic.count)
        do {
            guard (try? r.string()) == format else { return .failure(.format) }
            guard try r.raw(32).elementsEqual(contents.key) else { return .failure(.key) }
            let checksum = Array(try r.raw(32))
            let payload = r.offset
            guard SHA256.hash(bytes[payload...]) == checksum else { return .failure(.damaged("checksum mismatch")) }
            let policies = try CompiledForm.readPolicies(&r)
            let entities = try CompiledForm.readEntities(&r)
            let facts = try EntityFacts.read(&r)
            guard r.isAtEnd else { throw r.fail("trailing bytes") }
            let catalog = try ActionCatalog.parse(contents.catalog.bytes, file: contents.catalog.file)
            let engine = try CedarEngine(evaluable: policies, entities: entities)
            return .success(PolicyBundle(
                directory: contents.directory, catalog: catalog, entities: facts, engine: engine, tiers: try contents.tierConfiguration()))
        } catch let error as BinaryFormatError {
            return .failure(.damaged("\(error.message) at byte \(error.offset)"))
        } catch let error as WorkflowError {
            // The policies themselves did not build: not a cache the files' own load would give.
            return .failure(.damaged(error.description))
        } catch {
            return .failure(.damaged("\(error)"))
        }
    }

    /// The cache file for `bundle`, built from `contents`; nil when the bundle has no compiled
    /// form (an expression nested deeper than `CompiledForm.maxDepth`).
    public static func encode(_ bundle: PolicyBundle, contents: PolicyDirectoryContents) -> [UInt8]? {
        guard let engine = bundle.engine as? CedarEngine else { return nil }
        var payload = BinaryWriter()
        guard CompiledForm.write(engine.evaluable, to: &payload) else { return nil }
        CompiledForm.write(engine.entities, to: &payload)
        bundle.entities.write(to: &payload)
        return assemble(key: contents.key, payload: payload.bytes)
    }

    /// The file: magic, format, key, the payload's SHA-256, the payload.
    static func assemble(key: [UInt8], payload: [UInt8]) -> [UInt8] {
        var w = BinaryWriter()
        w.raw(magic)
        w.string(format)
        w.raw(key)
        w.raw(SHA256.hash(payload))
        w.raw(payload)
        return w.bytes
    }

    /// Writes the cache file for `bundle` at `path`, atomically; false when it has no compiled
    /// form or could not be written (a cache that is not written is only a slower next load).
    @discardableResult
    public static func write(_ bundle: PolicyBundle, contents: PolicyDirectoryContents, to path: String) -> Bool {
        guard let bytes = encode(bundle, contents: contents) else { return false }
        do {
            try AtomicWrite.write(bytes, to: path, permissions: 0o600)
            return true
        } catch {
            return false
        }
    }

    /// Loads the policy directory at `directory`: from the cache file at `path` when it holds
    /// exactly these files, else from the files. `check` runs on a bundle loaded from the files
    /// before the cache is written (what else must hold for the cache to stand for these files).
    public static func load(
        _ directory: String, cache path: String, check: (PolicyBundle, PolicyDirectoryContents) throws -> Void = { _, _ in }
    ) throws -> (bundle: PolicyBundle, contents: PolicyDirectoryContents, miss: Miss?) {
        let contents = try PolicyDirectoryContents(try PolicyDirectory(path: directory))
        switch read(path, for: contents) {
        case .success(let bundle):
            return (bundle, contents, nil)
        case .failure(let miss):
            let bundle = try PolicyBundle.load(contents)
            try check(bundle, contents)
            write(bundle, contents: contents, to: path)
            return (bundle, contents, miss)
        }
    }
}

extension EntityFacts {
    func write(to w: inout BinaryWriter) {
        w.count(attributes.count)
        for entity in attributes.keys.sorted() {
            w.string(entity.type)
            w.string(entity.id)
            JSONValue.object(attributes[entity]!).write(to: &w)
        }
    }

    static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> EntityFacts {
        let n = try r.count()
        var attributes: [EntityRef: JSONObject] = [:]
        attributes.reserveCapacity(n)
        for _ in 0..<n {
            let type = try r.string()
            let entity = EntityRef(type: type, id: try r.string())
            guard case .object(let attrs) = try JSONValue.read(from: &r) else { throw r.fail("entity attributes are not an object") }
            guard attributes.updateValue(attrs, forKey: entity) == nil else { throw r.fail("entity \(entity) twice") }
        }
        return EntityFacts(attributes: attributes)
    }
}

extension PolicyDirectoryContents {
    /// What each tier demands: `tiers.json` read like `tools.json` (every time, never from the
    /// cache), or the shipped defaults.
    func tierConfiguration() throws(WorkflowError) -> TierConfiguration {
        guard let tiers else { return .shipped }
        return try TierConfiguration.parse(tiers.bytes, file: tiers.file, directory: directory.path)
    }
}

// Entity store: attributes, tags, parents and the precomputed transitive ancestors.
import JSONValue

/// One entity.
public struct Entity: Sendable {
    /// Its uid.
    public var uid: EntityUID
    /// Attributes, by name (matched by code points).
    public var attributes: [ExactString: Value]
    /// Direct parents in the order given.
    public var parents: [EntityUID]
    /// Tags (`hasTag` / `getTag`), by key (matched by code points).
    public var tags: [ExactString: Value]
    /// Every ancestor, direct or transitive, when the hierarchy above this entity is small enough
    /// to keep (see `Entities.materializeLimit`); `Entities.ancestors(of:)` always answers.
    var ancestors: Set<EntityUID> = []
    /// Whether `ancestors` is complete.
    var ancestorsComplete = true

    /// Creates an entity.
    public init(uid: EntityUID, attributes: [ExactString: Value] = [:], parents: [EntityUID] = [], tags: [ExactString: Value] = [:]) {
        self.uid = uid
        self.attributes = attributes
        self.parents = parents
        self.tags = tags
    }
}

/// Decodes one attribute or tag value from JSON; a schema supplies one to read values by their
/// declared types. Arguments: entity type, attribute (or tag) name, the JSON, and the JSON path.
public typealias EntityValueDecoder = @Sendable (_ entityType: String, _ name: String, _ json: JSONValue, _ path: String) throws(CedarError) -> Value

/// Where a store finds entities it does not hold in memory: a compiled form that decodes an
/// entity, ancestor set included, when a request first reaches it.
public protocol EntitySource: Sendable {
    /// The entity with this uid, its ancestors computed; nil when there is none.
    func entity(_ uid: EntityUID) -> Entity?
    /// How many entities there are.
    var count: Int { get }
    /// Every entity, sorted by uid.
    var all: [Entity] { get }
}

/// A set of entities with the transitive closure of their parent relation.
///
/// The parent graph must be acyclic: Cedar's reference engine rejects a cycle (also a
/// self-loop) when entities are loaded, and so does this store, naming an entity on the cycle.
public struct Entities: Sendable {
    private var storage: [EntityUID: Entity]
    /// When set, every entity comes from here and `storage` is empty.
    private var source: (any EntitySource)?

    /// An empty store.
    public init() { storage = [:] }

    /// A store whose ancestor sets are already computed (read back from its compiled form).
    init(storage: [EntityUID: Entity]) { self.storage = storage }

    /// A store read from `source` as entities are asked for; `source` answers for an acyclic
    /// store whose ancestor sets were computed when it was written.
    public init(source: any EntitySource) {
        storage = [:]
        self.source = source
    }

    private func lookup(_ uid: EntityUID) -> Entity? {
        if let source { return source.entity(uid) }
        return storage[uid]
    }

    /// Builds a store; fails on a cycle in `parents` or on two different entities with one uid.
    /// An error's `path` names the entity at fault by its index in the entity data:
    /// `sourceIndices[k]` is the index entity `k` was read from (the list's own index when nil).
    public init(_ entities: [Entity], sourceIndices: [Int?]? = nil) throws(CedarError) {
        func path(_ k: Int) -> String {
            guard let sourceIndices else { return "[\(k)]" }
            return sourceIndices[k].map { "[\($0)]" } ?? ""
        }
        var map: [EntityUID: Entity] = [:]
        map.reserveCapacity(entities.count)
        for (i, e) in entities.enumerated() {
            if let existing = map[e.uid] {
                if existing.attributes != e.attributes || existing.parents != e.parents || existing.tags != e.tags {
                    throw .entities(message: "duplicate entity \(e.uid) with different contents", path: path(i), span: nil)
                }
                continue
            }
            map[e.uid] = e
        }
        storage = map
        if let onCycle = computeAncestors() {
            // The location is the `parents` of the entity the message names, the first time the
            // data lists it, so that readers of JSON point at it (`locateEntityError`).
            let at = entities.firstIndex { $0.uid == onCycle }.map(path) ?? ""
            throw Self.cycle(onCycle, path: at.isEmpty ? "" : at + ".parents")
        }
    }

    /// Reads Cedar entity JSON: an array of `{"uid", "attrs", "parents", "tags"}`. `decode`
    /// reads attribute and tag values (default: schema-less, with `__entity`/`__extn` escapes).
    public init(json: JSONValue, decode: EntityValueDecoder? = nil) throws(CedarError) {
        guard case .array(let items) = json else {
            throw .entities(message: "entity data must be a JSON array of entities", path: "", span: nil)
        }
        if items.count > CedarLimits.maxEntities {
            throw .entities(message: "more than \(CedarLimits.maxEntities) entities in one file; split the entity data",
                            path: "[\(CedarLimits.maxEntities)]", span: nil)
        }
        var list: [Entity] = []
        list.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            list.append(try Entities.entity(fromJSON: item, path: "[\(i)]", decode: decode))
        }
        try self.init(list)
    }

    /// Reads Cedar entity JSON from bytes; errors carry `file:line:col` of the offending value.
    public init(jsonBytes: [UInt8], file: String, decode: EntityValueDecoder? = nil) throws(CedarError) {
        try self.init(json: try parseEntityJSON(jsonBytes, file: file), locatingErrorsIn: jsonBytes, file: file, decode: decode)
    }

    /// Reads entity JSON already parsed from `bytes`. The parse keeps no location table (one
    /// path string per value is most of the cost of a large file); an error is located by
    /// reading `bytes` again with locations, which only a failing load pays for.
    public init(json: JSONValue, locatingErrorsIn bytes: [UInt8], file: String, decode: EntityValueDecoder? = nil) throws(CedarError) {
        do {
            try self.init(json: json, decode: decode)
        } catch {
            throw locateEntityError(error, in: bytes, file: file)
        }
    }

    static func entity(fromJSON json: JSONValue, path: String, decode: EntityValueDecoder?) throws(CedarError) -> Entity {
        guard case .object(let o) = json else {
            throw .entities(message: "an entity must be a JSON object with `uid`, `attrs` and `parents`", path: path, span: nil)
        }
        guard let uidJSON = o["uid"] else {
            throw .entities(message: "missing field `uid`", path: path, span: nil)
        }
        let uid = try entityUID(fromJSON: uidJSON, path: path + ".uid")
        var attrs: [ExactString: Value] = [:]
        guard let attrsJSON = o["attrs"] else {
            throw .entities(message: "missing field `attrs` on \(uid)", path: path, span: nil)
        }
        guard case .object(let ao) = attrsJSON else {
            throw .entities(message: "`attrs` of \(uid) must be an object", path: path + ".attrs", span: nil)
        }
        for (k, v) in ao {
            let p = path + ".attrs." + k
            let key = ExactString(k)
            if attrs[key] != nil { throw .entities(message: "duplicate attribute `\(k)` on \(uid)", path: p, span: nil) }
            if let decode { attrs[key] = try decode(uid.type, k, v, p) } else { attrs[key] = try Value.fromJSON(v, path: p) }
        }
        var parents: [EntityUID] = []
        if let pj = o["parents"] {
            guard case .array(let arr) = pj else {
                throw .entities(message: "`parents` of \(uid) must be an array of entity uids", path: path + ".parents", span: nil)
            }
            for (i, p) in arr.enumerated() {
                parents.append(try entityUID(fromJSON: p, path: path + ".parents[\(i)]"))
            }
        }
        var tags: [ExactString: Value] = [:]
        if let tj = o["tags"] {
            guard case .object(let to) = tj else {
                throw .entities(message: "`tags` of \(uid) must be an object", path: path + ".tags", span: nil)
            }
            for (k, v) in to {
                let p = path + ".tags." + k
                if let decode { tags[ExactString(k)] = try decode(uid.type, k, v, p) } else { tags[ExactString(k)] = try Value.fromJSON(v, path: p) }
            }
        }
        return Entity(uid: uid, attributes: attrs, parents: parents, tags: tags)
    }

    /// Ancestor sets larger than this are not kept; queries on such entities walk the parents.
    /// Materializing the closure of a long chain would cost time and memory quadratic in its
    /// length.
    static let materializeLimit = 1_000

    /// Checks that the parent graph is acyclic and computes ancestor sets; iterative so that
    /// long parent chains cannot exhaust the stack. Returns an entity on a cycle, nil when
    /// there is none.
    private mutating func computeAncestors() -> EntityUID? {
        enum Mark { case visiting, done }
        var marks: [EntityUID: Mark] = [:]
        marks.reserveCapacity(storage.count)
        // nil: not materialized (too large)
        var result: [EntityUID: Set<EntityUID>?] = [:]
        result.reserveCapacity(storage.count)
        for start in storage.keys.sorted() where marks[start] == nil {
            var stack: [(EntityUID, Int)] = [(start, 0)]
            marks[start] = .visiting
            while !stack.isEmpty {
                let (node, idx) = stack[stack.count - 1]
                let parents = storage[node]?.parents ?? []
                if idx < parents.count {
                    stack[stack.count - 1].1 += 1
                    let p = parents[idx]
                    switch marks[p] {
                    case .visiting?:
                        return p
                    case .done?:
                        continue
                    case nil:
                        if storage[p] == nil {
                            marks[p] = .done
                            result[p] = .some([])
                        } else {
                            marks[p] = .visiting
                            stack.append((p, 0))
                        }
                    }
                } else {
                    var anc: Set<EntityUID>? = Set<EntityUID>()
                    for p in parents {
                        guard let pa = result[p] ?? nil, anc != nil else { anc = nil; break }
                        anc!.insert(p)
                        anc!.formUnion(pa)
                        if anc!.count > Self.materializeLimit { anc = nil; break }
                    }
                    result[node] = .some(anc)
                    marks[node] = .done
                    stack.removeLast()
                }
            }
        }
        for (uid, anc) in result where storage[uid] != nil {
            storage[uid]!.ancestors = anc ?? []
            storage[uid]!.ancestorsComplete = anc != nil
        }
        return nil
    }

    /// Walks the parents of `uid` (used when its ancestor set is not materialized).
    private func walkAncestors(_ uid: EntityUID) -> Set<EntityUID> {
        var seen = Set<EntityUID>()
        var queue = lookup(uid)?.parents ?? []
        while let p = queue.popLast() {
            guard seen.insert(p).inserted else { continue }
            if let e = lookup(p) {
                if e.ancestorsComplete {
                    seen.formUnion(e.ancestors)
                } else {
                    queue.append(contentsOf: e.parents)
                }
            }
        }
        return seen
    }

    /// The entity with this uid, if present.
    public subscript(uid: EntityUID) -> Entity? { lookup(uid) }

    /// The ancestors of `uid`, or nil when the entity is not in the store.
    public func ancestors(of uid: EntityUID) -> Set<EntityUID>? {
        guard let e = lookup(uid) else { return nil }
        return e.ancestorsComplete ? e.ancestors : walkAncestors(uid)
    }

    /// Number of entities.
    public var count: Int { source?.count ?? storage.count }

    /// All entities, sorted by uid.
    public var all: [Entity] { source?.all ?? storage.keys.sorted().map { storage[$0]! } }

    /// Cedar's `a in b` on entities: equal, or `b` is an ancestor of `a`.
    public func isDescendant(_ a: EntityUID, of b: EntityUID) -> Bool {
        if a == b { return true }
        guard let e = lookup(a) else { return false }
        return e.ancestorsComplete ? e.ancestors.contains(b) : walkAncestors(a).contains(b)
    }

    /// Adds or replaces entities and recomputes ancestors.
    public mutating func insert(_ entities: [Entity]) throws(CedarError) {
        if let source {
            // Changing a store read on demand: hold every entity from here on.
            for e in source.all { storage[e.uid] = e }
            self.source = nil
        }
        for e in entities { storage[e.uid] = e }
        if let onCycle = computeAncestors() { throw Self.cycle(onCycle, path: "") }
    }

    /// A cycle through `uid`, found at `path` of the entity data.
    static func cycle(_ uid: EntityUID, path: String) -> CedarError {
        .entities(message: "the entity parents have a cycle containing \(uid); Cedar requires an acyclic hierarchy", path: path, span: nil)
    }
}

/// Turns `[3].attrs.owner` into JSON path components.
func parsePath(_ path: String) -> [JSONPathComponent] {
    var out: [JSONPathComponent] = []
    var i = path.startIndex
    while i < path.endIndex {
        let c = path[i]
        if c == "[" {
            let close = path[i...].firstIndex(of: "]") ?? path.endIndex
            if let n = Int(path[path.index(after: i)..<close]) { out.append(.index(n)) }
            i = close < path.endIndex ? path.index(after: close) : close
        } else if c == "." {
            i = path.index(after: i)
        } else {
            var j = i
            while j < path.endIndex && path[j] != "." && path[j] != "[" { j = path.index(after: j) }
            out.append(.key(String(path[i..<j])))
            i = j
        }
    }
    return out
}

/// Reads entity attributes and request contexts by the types a schema declares (a string
/// becomes an `ipaddr`, `decimal` or entity reference where the schema says so). The schema
/// module provides the implementation; without one, values are read schema-less.
public protocol SchemaValueReader: Sendable {
    /// The decoder for entity attributes and tags.
    var entityValueDecoder: EntityValueDecoder { get }
    /// Reads the context of a request for `action`.
    func context(for action: EntityUID, json: JSONValue) throws(CedarError) -> [ExactString: Value]
}

/// Parses entity JSON without a location table; a syntax error carries its position anyway.
func parseEntityJSON(_ bytes: [UInt8], file: String) throws(CedarError) -> JSONValue {
    do {
        return try JSONParser.parse(bytes, file: file)
    } catch {
        let l = error.location
        let pos = SourcePosition(line: l.line, column: l.column, offset: l.offset)
        throw .entities(message: error.message, path: "", span: SourceSpan(file: file, start: pos, end: pos))
    }
}

/// `error` with the place in `bytes` its JSON path names, when it names a path and no place yet.
func locateEntityError(_ error: CedarError, in bytes: [UInt8], file: String) -> CedarError {
    guard case .entities(let m, let path, nil) = error, let document = try? JSONParser.parseDocument(bytes, file: file) else {
        return error
    }
    let l = document.nearestLocation(of: parsePath(path))
    let pos = SourcePosition(line: l.line, column: l.column, offset: l.offset)
    return .entities(message: m, path: path, span: SourceSpan(file: file, start: pos, end: pos))
}

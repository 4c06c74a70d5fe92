// The one file that talks to the Cedar engine: everything else in the module works with its
// own request and verdict types, so the engine can change behind this seam.
import Basics
import Cedar
import JSONValue

/// Decides requests with the Cedar authorizer. Permits and forbids are held in two sets so
/// that one request yields both lists: Cedar's own answer names only the forbids when one
/// fires, and the outcome precedence needs to know whether a permit holds as well.
struct CedarEngine: DecisionEngine {
    /// The policies evaluated, in order (permits and forbids together).
    let evaluable: [Policy]
    let policies: [PolicySummary]
    let permits: PolicySet
    let forbids: PolicySet
    let entities: Entities
    let orderByID: [String: Int]
    let chainReads: ChainReadIndex

    /// With a schema, entities are read through it (typed attributes, as `validate` and
    /// `authorize --schema` read them).
    /// `entities`: the entity file's JSON, already parsed from its bytes (which locate errors), and its name.
    init(policyFiles: [(text: String, file: String)], entities entityData: (json: JSONValue, bytes: [UInt8], file: String)?, schema: Schema? = nil) throws(WorkflowError) {
        let set: PolicySet
        do {
            set = try PolicySet(sources: policyFiles)
        } catch {
            throw .malformedPolicy(error.span.map(CedarEngine.location), message: error.message)
        }
        var entities = Entities()
        if let (json, bytes, file) = entityData {
            do throws(CedarError) {
                if let schema {
                    entities = try schema.entities(json: json, locatingErrorsIn: bytes, file: file)
                } else {
                    entities = try Entities(json: json, locatingErrorsIn: bytes, file: file)
                }
            } catch {
                let where_ = error.span.map(CedarEngine.location) ?? FileLocation(file: file, line: 1, column: 1, path: "")
                throw .malformedEntities(where_, message: error.message)
            }
        }
        try self.init(evaluable: set.evaluable, entities: entities)
    }

    /// An engine over policies already parsed and given their ids, and an entity store.
    /// `chainReads`, when given, is the index `ChainReadIndex(evaluable)` builds (read back from
    /// the compiled-policy cache). `positions`, when given, is each policy's position in the
    /// whole set it was taken from (see `SlicedEngine`); the summaries' order is that.
    init(
        evaluable: [Policy], entities: Entities, chainReads known: ChainReadIndex? = nil, positions: [Int]? = nil
    ) throws(WorkflowError) {
        self.evaluable = evaluable
        self.entities = entities
        // Cedar tells ids apart by code points; the tables below key them by `String`, which
        // would merge two canonically equivalent ids and give one policy the other's remedy.
        var seen: [String: String] = [:]
        seen.reserveCapacity(evaluable.count)
        for policy in evaluable {
            if let other = seen.updateValue(policy.id, forKey: policy.id), !other.isExactly(policy.id) {
                throw .malformedPolicy(
                    CedarEngine.location(policy.span),
                    message: "policy ids \"\(other)\" and \"\(policy.id)\" differ only in Unicode normalization; rename one")
            }
        }
        var summaries: [PolicySummary] = []
        for (order, policy) in evaluable.enumerated() {
            summaries.append(PolicySummary(
                id: policy.id, isForbid: policy.effect == .forbid,
                annotations: policy.annotations.map { PolicySummary.Annotation(key: $0.key, value: $0.value) },
                location: CedarEngine.location(policy.span), order: positions?[order] ?? order))
        }
        policies = summaries
        chainReads = known ?? ChainReadIndex(evaluable)
        orderByID = Dictionary(summaries.map { ($0.id, $0.order) }, uniquingKeysWith: { first, _ in first })
        do {
            permits = try PolicySet(policies: evaluable.filter { $0.effect == .permit })
            forbids = try PolicySet(policies: evaluable.filter { $0.effect == .forbid })
        } catch {
            throw .malformedPolicy(error.span.map(CedarEngine.location), message: error.message)
        }
    }

    func chainReads(action: String, resource: EntityRef) -> ChainReads {
        chainReads.reads(action: action, resource: resource)
    }

    func isMember(_ entity: EntityRef, of group: EntityRef) -> Bool {
        entities.isDescendant(CedarEngine.uid(entity), of: CedarEngine.uid(group))
    }

    static func location(_ span: SourceSpan) -> FileLocation {
        FileLocation(file: span.file, line: span.start.line, column: span.start.column)
    }

    static func uid(_ entity: EntityRef) -> EntityUID { EntityUID(type: entity.type, id: entity.id) }

    func prepare(_ value: JSONValue) throws(WorkflowError) -> PreparedValue {
        do {
            return PreparedValue(value: try Value(json: value))
        } catch {
            throw .invalidRequest(FileLocation(file: "", line: 0, column: 0), message: error.message)
        }
    }

    func prepare(names: [String]) -> PreparedValue {
        PreparedValue(value: .set(Set(names.map(Value.string))))
    }

    func prepare(chain facts: ChainFacts, actions: PreparedValue, tools: PreparedValue, labels: PreparedValue) -> PreparedValue {
        let name = ChainFacts.memberNames
        return PreparedValue(value: .record([
            ExactString(name.actions): actions.value, ExactString(name.tools): tools.value, ExactString(name.labels): labels.value,
            ExactString(name.maxSensitivity): .long(facts.maxSensitivity), ExactString(name.external): .bool(facts.external),
            ExactString(name.writes): .long(facts.writes), ExactString(name.count): .long(facts.count),
        ]))
    }

    func decide(_ request: EngineRequest) -> EngineVerdict {
        let context = request.context.mapValues(\.value)
        let cedarRequest = Request(
            principal: CedarEngine.uid(request.principal), action: CedarEngine.uid(request.action),
            resource: CedarEngine.uid(request.resource), context: context)
        let forbidden = Authorizer.isAuthorized(cedarRequest, policies: forbids, entities: entities)
        let permitted = Authorizer.isAuthorized(cedarRequest, policies: permits, entities: entities)
        let errors = forbidden.errors.map { PolicyEvaluationError(policy: $0.policyID, message: $0.message, isForbid: true) }
            + permitted.errors.map { PolicyEvaluationError(policy: $0.policyID, message: $0.message, isForbid: false) }
        let order = orderByID
        return EngineVerdict(
            permits: permitted.decision == .allow ? permitted.reasons : [],
            forbids: forbidden.reasons,
            errors: errors.sorted { (order[$0.policy] ?? 0) < (order[$1.policy] ?? 0) })
    }
}

/// The policies of some actions of a whole set, read from the compiled-policy cache for those
/// actions alone: it decides a request for one of them as the whole set would (a policy it does
/// not hold cannot match one), and answers a request for any other action with no policy
/// permitting it, noting the action. A type of its own, so that it is never taken for the whole
/// set where one is needed (the cache is written only from a `CedarEngine`).
struct SlicedEngine: DecisionEngine {
    /// An engine over the slice's policies, in their order in the whole set.
    let engine: CedarEngine
    /// The only actions it may be asked about.
    let actions: Set<EntityRef>
    /// The actions it was asked about besides `actions`.
    let outside = Outside()

    /// The actions asked about outside the slice, in the order first asked.
    final class Outside: @unchecked Sendable {
        // One engine may decide on several threads (`eval`); the list is read after deciding.
        private let lock = ThreadLock()
        private var actions: [EntityRef] = []

        func add(_ action: EntityRef) {
            lock.lock()
            defer { lock.unlock() }
            if !actions.contains(action) { actions.append(action) }
        }

        var asked: [EntityRef] {
            lock.lock()
            defer { lock.unlock() }
            return actions
        }
    }

    /// An engine over `slice`'s policies (`policies`, at its positions), with the whole set's
    /// chain-read index.
    init(_ slice: PolicySlice, policies: [Policy], entities: Entities, chainReads: ChainReadIndex) throws(WorkflowError) {
        engine = try CedarEngine(evaluable: policies, entities: entities, chainReads: chainReads, positions: slice.policies)
        actions = slice.actions
    }

    var policies: [PolicySummary] { engine.policies }
    func prepare(_ value: JSONValue) throws(WorkflowError) -> PreparedValue { try engine.prepare(value) }
    func prepare(names: [String]) -> PreparedValue { engine.prepare(names: names) }
    func prepare(chain facts: ChainFacts, actions: PreparedValue, tools: PreparedValue, labels: PreparedValue) -> PreparedValue {
        engine.prepare(chain: facts, actions: actions, tools: tools, labels: labels)
    }
    func chainReads(action: String, resource: EntityRef) -> ChainReads { engine.chainReads(action: action, resource: resource) }
    func isMember(_ entity: EntityRef, of group: EntityRef) -> Bool { engine.isMember(entity, of: group) }

    func decide(_ request: EngineRequest) -> EngineVerdict {
        guard actions.contains(request.action) else {
            // The policies of this action were not read: no permit is known, so nothing is
            // allowed, and the caller learns that it must decide again with every policy.
            outside.add(request.action)
            return EngineVerdict(permits: [], forbids: [], errors: [])
        }
        return engine.decide(request)
    }
}

/// A context value in the engine's form.
struct PreparedValue: Sendable {
    let value: Value
}

extension PolicyBundle {
    /// The actions whose policies alone the bundle holds, when it was read from the
    /// compiled-policy cache for those (`PolicyCache.load(_:cache:extra:rebuild:actions:)`);
    /// nil when it holds every policy. Such a bundle decides requests for those actions as the
    /// whole set would, answers any other with no policy permitting it, and is never written as
    /// a cache.
    public var actionScope: Set<EntityRef>? { (engine as? SlicedEngine)?.actions }

    /// The actions outside `actionScope` the bundle was asked about, in the order first asked:
    /// each was answered with no policy permitting it, so a decision that asked is decided
    /// again with every policy.
    public var askedOutsideScope: [EntityRef] { (engine as? SlicedEngine)?.outside.asked ?? [] }

    /// Loads a policy directory: policies (`*.cedar` in name order), `entities.json` (read
    /// through the schema when the directory has one), `tools.json` (required).
    public static func load(_ directory: PolicyDirectory) throws(WorkflowError) -> PolicyBundle {
        try load(try PolicyDirectoryContents(directory))
    }

    /// Builds the bundle from the files of a policy directory, already read.
    public static func load(_ contents: PolicyDirectoryContents) throws(WorkflowError) -> PolicyBundle {
        // Contents known by their stamp hold no bytes: the files are read now.
        let contents = contents.isComplete ? contents : try PolicyDirectoryContents(contents.directory)
        let catalog = try ActionCatalog.parse(contents.catalog.bytes, file: contents.catalog.file)
        let sources = contents.policies.map { (text: String(decoding: $0.bytes, as: UTF8.self), file: $0.file) }
        var entityFacts = EntityFacts()
        var entityData: (json: JSONValue, bytes: [UInt8], file: String)?
        if let (file, bytes) = contents.entities {
            (entityFacts, entityData) = try EntityFacts.read(bytes, file: file)
        }
        var schema: Schema?
        if let (file, bytes) = contents.schema {
            do throws(CedarError) {
                schema = try Schema.load(source: bytes, file: file)
            } catch {
                throw .malformedSchema(error.span.map(CedarEngine.location), message: error.message)
            }
        }
        let engine = try CedarEngine(policyFiles: sources, entities: entityData, schema: schema)
        return PolicyBundle(
            directory: contents.directory, catalog: catalog, entities: entityFacts, engine: engine, tiers: try contents.tierConfiguration())
    }

    /// Builds a bundle from texts already in memory (generated policy sets, benchmarks,
    /// embedding). File names are used in locations.
    public static func make(
        policies: [(text: String, file: String)], entities: (text: String, file: String)?, catalog: (text: String, file: String),
        directory: String = "<memory>"
    ) throws(WorkflowError) -> PolicyBundle {
        let catalogValue = try ActionCatalog.parse(Array(catalog.text.utf8), file: catalog.file)
        var facts = EntityFacts()
        var entityData: (json: JSONValue, bytes: [UInt8], file: String)?
        if let entities {
            (facts, entityData) = try EntityFacts.read(Array(entities.text.utf8), file: entities.file)
        }
        let engine = try CedarEngine(policyFiles: policies, entities: entityData)
        let listing = PolicyDirectory(
            path: directory, policyFiles: policies.map(\.file), schemaFile: nil, entitiesFile: entities?.file,
            catalogFile: catalog.file, testFiles: [])
        return PolicyBundle(directory: listing, catalog: catalogValue, entities: facts, engine: engine)
    }

    /// Loads the policy directory at `path`.
    public static func load(path: String) throws(WorkflowError) -> PolicyBundle {
        try load(try PolicyDirectory(path: path))
    }
}

/// Which chain-fact members the policies that may apply to a request read, found from each
/// policy's conditions and indexed by its action and resource scope. Policies whose action or
/// resource scope is not one exact entity count for every request.
struct ChainReadIndex: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var resource: EntityUID?
        var reads: ChainReads
    }
    var byAction: [String: [Entry]] = [:]
    var everyAction: [Entry] = []

    init() {}

    init(_ policies: [Policy]) {
        for policy in policies {
            var reads = ChainReads()
            for condition in policy.conditions { Self.collect(condition.body, into: &reads, depth: 0) }
            guard !reads.isEmpty else { continue }
            var resource: EntityUID?
            if case .equals(.entity(let uid)) = policy.resource.kind { resource = uid }
            let entry = Entry(resource: resource, reads: reads)
            if case .equals(let uid) = policy.action.kind {
                byAction[EntityRef(type: uid.type, id: uid.id).actionName, default: []].append(entry)
            } else {
                everyAction.append(entry)
            }
        }
    }

    /// Writes the index for the compiled-policy cache (actions in sorted order).
    func write(to w: inout BinaryWriter) {
        func entries(_ list: [Entry]) {
            w.count(list.count)
            for entry in list {
                w.bool(entry.resource != nil)
                if let resource = entry.resource {
                    w.string(resource.type)
                    w.string(resource.id)
                }
                for fields in [entry.reads.history, entry.reads.done] { w.int(Int64(fields.rawValue)) }
                for bounds in [entry.reads.historyBounds, entry.reads.doneBounds] {
                    for points in [bounds.writes, bounds.count, bounds.maxSensitivity] {
                        w.count(points.count)
                        for point in points { w.int(point) }
                    }
                }
            }
        }
        entries(everyAction)
        w.count(byAction.count)
        for action in byAction.keys.sorted() {
            w.string(action)
            entries(byAction[action]!)
        }
    }

    /// Reads back what `write` wrote.
    static func read(_ r: inout BinaryReader) throws(BinaryFormatError) -> ChainReadIndex {
        func entries() throws(BinaryFormatError) -> [Entry] {
            var list: [Entry] = []
            for _ in 0..<(try r.count()) {
                let resource = try r.bool() ? EntityUID(type: try r.string(), id: try r.string()) : nil
                var reads = ChainReads()
                reads.history = ChainFields(rawValue: Int(try r.int()))
                reads.done = ChainFields(rawValue: Int(try r.int()))
                func points() throws(BinaryFormatError) -> [Int64] {
                    var points: [Int64] = []
                    for _ in 0..<(try r.count()) { points.append(try r.int()) }
                    return points
                }
                reads.historyBounds = ChainBounds(writes: try points(), count: try points(), maxSensitivity: try points())
                reads.doneBounds = ChainBounds(writes: try points(), count: try points(), maxSensitivity: try points())
                list.append(Entry(resource: resource, reads: reads))
            }
            return list
        }
        var index = ChainReadIndex()
        index.everyAction = try entries()
        for _ in 0..<(try r.count()) {
            let action = try r.string()
            index.byAction[action] = try entries()
        }
        return index
    }

    func reads(action: String, resource: EntityRef) -> ChainReads {
        var out = ChainReads()
        let uid = CedarEngine.uid(resource)
        for entry in everyAction where entry.resource == nil || entry.resource == uid { out.formUnion(entry.reads) }
        for entry in byAction[action] ?? [] where entry.resource == nil || entry.resource == uid { out.formUnion(entry.reads) }
        return out
    }

    static func path(_ expr: Expr, depth: Int) -> [String]? {
        if depth > 64 { return nil }
        switch expr.kind {
        case .variable(let v): return [v.rawValue]
        case .parenthesized(let e): return path(e, depth: depth + 1)
        case .attribute(let e, let name), .index(let e, let name): return path(e, depth: depth + 1).map { $0 + [name] }
        default: return nil
        }
    }

    /// Adds a comparison of a numeric chain member with an integer literal (either way round)
    /// as bounds; false for any other expression.
    static func addBound(_ op: BinaryOp, _ a: Expr, _ b: Expr, into reads: inout ChainReads) -> Bool {
        func literal(_ e: Expr) -> Int64? {
            switch e.kind {
            case .literal(.long(let value)): return value
            case .parenthesized(let inner): return literal(inner)
            default: return nil
            }
        }
        func member(_ e: Expr) -> (done: Bool, field: ChainFields)? {
            guard let path = path(e, depth: 0), path.count == 3, path[0] == "context", path[1] == "history" || path[1] == "done",
                  let field = ChainFields.byName.first(where: { $0.0 == path[2] })?.1 else { return nil }
            return (path[1] == "done", field)
        }
        /// The comparison with its sides swapped (`c < x` is `x > c`); nil for other operators.
        func mirrored(_ op: BinaryOp) -> BinaryOp? {
            switch op {
            case .less: return .greater
            case .lessEqual: return .greaterEqual
            case .greater: return .less
            case .greaterEqual: return .lessEqual
            case .equal, .notEqual: return op
            default: return nil
            }
        }
        let found: (done: Bool, field: ChainFields, op: BinaryOp, constant: Int64)
        if let m = member(a), let c = literal(b) {
            found = (m.done, m.field, op, c)
        } else if let m = member(b), let c = literal(a), let flipped = mirrored(op) {
            found = (m.done, m.field, flipped, c)
        } else {
            return false
        }
        // Each point p asks `x < p`. At the largest integer `x <= c` always holds and `x > c`
        // never, so no point is needed there.
        let next = found.constant.addingReportingOverflow(1)
        let above: [Int64] = next.overflow ? [] : [next.partialValue]
        let points: [Int64]
        switch found.op {
        case .less, .greaterEqual: points = [found.constant]
        case .lessEqual, .greater: points = above
        case .equal, .notEqual: points = [found.constant] + above
        default: return false
        }
        return found.done ? reads.doneBounds.add(found.field, points: points) : reads.historyBounds.add(found.field, points: points)
    }

    /// Adds the members of `context.history` and `context.done` that `expr` reads; a record
    /// (or the whole context) used as a value reads every member.
    static func collect(_ expr: Expr, into reads: inout ChainReads, depth: Int) {
        if depth > 200 { reads.history = .all; reads.done = .all; return }
        if let path = path(expr, depth: 0), path.first == "context" {
            if path.count == 1 { reads.history = .all; reads.done = .all; return }
            guard path[1] == "history" || path[1] == "done" else { return }
            let fields = path.count == 2 ? ChainFields.all : ChainFields.byName.first { $0.0 == path[2] }?.1 ?? []
            if path[1] == "history" { reads.history.formUnion(fields) } else { reads.done.formUnion(fields) }
            return
        }
        if case .binary(let op, let a, let b) = expr.kind, addBound(op, a, b, into: &reads) { return }
        let next: [Expr]
        switch expr.kind {
        case .literal, .variable, .slot, .entity: next = []
        case .ifThenElse(let a, let b, let c): next = [a, b, c]
        case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b): next = [a, b]
        case .unary(_, let a), .like(let a, _), .attribute(let a, _), .index(let a, _), .parenthesized(let a): next = [a]
        case .has(let a, _, _):
            // A member test reads no value: `context.history has labels` is always true.
            if let base = path(a, depth: 0), base.first == "context" { return }
            next = [a]
        case .isType(let a, _, let b): next = [a] + (b.map { [$0] } ?? [])
        case .methodCall(let a, _, let args): next = [a] + args
        case .call(_, let args), .set(let args): next = args
        case .record(let entries): next = entries.map(\.value)
        }
        for e in next { collect(e, into: &reads, depth: depth + 1) }
    }
}

import JSONValue

/// Where chain facts, risk and rewrites read what a resource is. `entities.json` answers for
/// the entities it lists; a caller deciding a live tool call can answer for resources no file
/// lists (a path, a URL, a shell command) by its own rules.
public protocol ResourceFacts: Sendable {
    /// The resource's labels (`pii`, `secret`, `external`), empty when it has none.
    func labels(of resource: EntityRef) -> [String]
    /// Its sensitivity, 0 (public) to 4 (secret); 0 when unknown.
    func sensitivity(of resource: EntityRef) -> Int64
    /// Its environment (`prod`, `staging`), when known.
    func environment(of resource: EntityRef) -> String?
    /// Whether acting on it sends data outside (a URL of another organisation). Catalog
    /// entities leave this to the action's `external` flag.
    func isExternal(_ resource: EntityRef) -> Bool
    /// The entity `resource` names in `attribute`, for `"$resource.ATTR"` variants.
    func counterpart(of resource: EntityRef, attribute: String) -> EntityRef?
    /// The attribute of `resource` that names `target`, when any.
    func attributeNaming(_ target: EntityRef, in resource: EntityRef) -> String?
}

extension ResourceFacts {
    /// None of the resources it answers for is external by itself.
    public func isExternal(_ resource: EntityRef) -> Bool { false }
    /// No counterparts.
    public func counterpart(of resource: EntityRef, attribute: String) -> EntityRef? { nil }
    /// No counterparts.
    public func attributeNaming(_ target: EntityRef, in resource: EntityRef) -> String? { nil }
}

extension EntityFacts: ResourceFacts {}

/// What the steps that ran before a step have done: `context.history`, so that a policy can
/// judge a chain ("read a secret, then send it out") and not only one action.
///
/// Built step by step as a plan is decided, from the steps of a plan, or from the decision
/// records of an audit log (a live session's earlier tool calls).
public struct ChainFacts: Sendable, Equatable {
    /// Actions run, in first-seen order.
    public private(set) var actions: [String] = []
    /// Tools that carried them out, in first-seen order.
    public private(set) var tools: [String] = []
    /// Labels of every resource touched, in first-seen order.
    public private(set) var labels: [String] = []
    /// The highest sensitivity touched.
    public private(set) var maxSensitivity: Int64 = 0
    /// Whether data has left already (an `external` action, or an external resource).
    public private(set) var external = false
    /// How many steps wrote (effect `write` or `delete`).
    public private(set) var writes: Int64 = 0
    /// How many steps ran.
    public private(set) var count: Int64 = 0
    /// `context.history` as policies see it. Built when asked for: a plan's fixed point builds
    /// the facts of many steps whose decision they leave as it was.
    public var json: JSONValue {
        Self.contextValue(
            actions: actions, tools: tools, labels: labels, maxSensitivity: maxSensitivity, external: external, writes: writes,
            count: count)
    }

    /// Nothing has run.
    public init() {}

    /// The facts after `forms` ran, in order.
    public init(running forms: [StepForm], catalog: ActionCatalog, resources: some ResourceFacts) {
        for form in forms { record(form, catalog: catalog, resources: resources) }
    }

    /// The facts after the steps that audit `records` (JSON objects as the audit log holds them)
    /// say ran, for plan `plan`. A decision that lets its step run counts with its action and
    /// resource; a rewritten step counts in its rewritten form, from its `mutation` record.
    /// Records of other plans and of steps that did not run are passed over.
    public init(records: [JSONValue], plan: String, catalog: ActionCatalog, resources: some ResourceFacts) {
        for entry in records {
            guard entry["plan"]?.stringValue?.isExactly(plan) == true,
                  let action = entry["action"]?.stringValue,
                  let resourceText = entry["resource"]?.stringValue,
                  let resource = EntityRef(cedarText: resourceText) else { continue }
            switch entry["kind"]?.stringValue {
            case "decision":
                // A rewritten step runs in the form its mutation record names.
                guard let outcome = entry["outcome"]?.stringValue.flatMap(StepOutcome.init(rawValue:)),
                      outcome.runs, outcome != .mutate else { continue }
            case "mutation":
                break
            default:
                continue
            }
            record(StepForm(action: action, resource: resource, args: JSONObject()), catalog: catalog, resources: resources)
        }
    }

    /// Adds a step that runs in `form`.
    public mutating func record(_ form: StepForm, catalog: ActionCatalog, resources: some ResourceFacts) {
        record(contentsOf: CollectionOfOne(form), catalog: catalog, resources: resources)
    }

    /// Adds steps that ran in `forms`, in order.
    public mutating func record(contentsOf forms: some Sequence<StepForm>, catalog: ActionCatalog, resources: some ResourceFacts) {
        for form in forms { add(form, catalog: catalog, resources: resources) }
    }

    /// Adds `times` steps that ran in the same `form` (a live session repeats its calls): what
    /// they add is that of one, counted `times` over.
    public mutating func record(_ form: StepForm, times: Int64, catalog: ActionCatalog, resources: some ResourceFacts) {
        guard times > 0 else { return }
        add(form, times: times, catalog: catalog, resources: resources)
    }

    private mutating func add(_ form: StepForm, times: Int64 = 1, catalog: ActionCatalog, resources: some ResourceFacts) {
        count += times
        if !actions.contains(where: { $0.isExactly(form.action) }) { actions.append(form.action) }
        if let action = catalog.action(named: form.action) {
            if !tools.contains(where: { $0.isExactly(action.tool) }) { tools.append(action.tool) }
            if action.flags.contains(.external) { external = true }
            if action.effect >= .write { writes += times }
        }
        if resources.isExternal(form.resource) { external = true }
        for label in resources.labels(of: form.resource) where !labels.contains(where: { $0.isExactly(label) }) { labels.append(label) }
        maxSensitivity = max(maxSensitivity, resources.sensitivity(of: form.resource))
    }

    /// The members of the record, in the order policies' JSON shows them.
    static let memberNames = (
        actions: "actions", tools: "tools", labels: "labels", maxSensitivity: "max_sensitivity", external: "external",
        writes: "writes", count: "count")

    /// Sets are sorted, so the value does not depend on the order steps ran in.
    static func contextValue(
        actions: [String], tools: [String], labels: [String], maxSensitivity: Int64, external: Bool, writes: Int64, count: Int64
    ) -> JSONValue {
        func sorted(_ names: [String]) -> JSONValue { .array(names.sorted { $0.exactlyPrecedes($1) }.map(JSONValue.string)) }
        let name = memberNames
        return .object(JSONObject([
            (name.actions, sorted(actions)),
            (name.tools, sorted(tools)),
            (name.labels, sorted(labels)),
            (name.maxSensitivity, .int(maxSensitivity)),
            (name.external, .bool(external)),
            (name.writes, .int(writes)),
            (name.count, .int(count)),
        ]))
    }
}

extension ChainFacts {
    /// Facts whose names are given sorted (by code points, as Cedar tells them apart) and
    /// distinct, as policies see them.
    init(sortedActions actions: [String], tools: [String], labels: [String], maxSensitivity: Int64, external: Bool, writes: Int64, count: Int64) {
        self.actions = actions
        self.tools = tools
        self.labels = labels
        self.maxSensitivity = maxSensitivity
        self.external = external
        self.writes = writes
        self.count = count
    }

    /// Whether the two agree on every member in `fields`: a policy set that reads only those
    /// decides the same on both.
    func agrees(with other: ChainFacts, on fields: ChainFields) -> Bool {
        func same(_ a: [String], _ b: [String]) -> Bool { Set(a.map { ExactString($0) }) == Set(b.map { ExactString($0) }) }
        if fields.contains(.actions) && !same(actions, other.actions) { return false }
        if fields.contains(.tools) && !same(tools, other.tools) { return false }
        if fields.contains(.labels) && !same(labels, other.labels) { return false }
        if fields.contains(.maxSensitivity) && maxSensitivity != other.maxSensitivity { return false }
        if fields.contains(.external) && external != other.external { return false }
        if fields.contains(.writes) && writes != other.writes { return false }
        if fields.contains(.count) && count != other.count { return false }
        return true
    }
}

/// Members of a chain-facts record (`context.history`, `context.done`) a policy set may read.
struct ChainFields: OptionSet, Sendable {
    let rawValue: Int
    static let actions = ChainFields(rawValue: 1 << 0)
    static let tools = ChainFields(rawValue: 1 << 1)
    static let labels = ChainFields(rawValue: 1 << 2)
    static let maxSensitivity = ChainFields(rawValue: 1 << 3)
    static let external = ChainFields(rawValue: 1 << 4)
    static let writes = ChainFields(rawValue: 1 << 5)
    static let count = ChainFields(rawValue: 1 << 6)
    static let all: ChainFields = [.actions, .tools, .labels, .maxSensitivity, .external, .writes, .count]

    static let byName: [(String, ChainFields)] = [
        ("actions", .actions), ("tools", .tools), ("labels", .labels), ("max_sensitivity", .maxSensitivity),
        ("external", .external), ("writes", .writes), ("count", .count),
    ]
}

extension ChainFields {
    /// The members a tally must count to answer for `fields` and `bounds`.
    init(counting fields: ChainFields, bounds: ChainBounds) {
        self = fields
        if !bounds.maxSensitivity.isEmpty { insert(.maxSensitivity) }
    }
}

/// The members of `context.history` and `context.done` some policies read: whole (`history`,
/// `done`), or for a number only compared with constants, the points where those comparisons
/// change their answer (`historyBounds`, `doneBounds`).
struct ChainReads: Sendable, Equatable {
    var history: ChainFields = []
    var done: ChainFields = []
    var historyBounds = ChainBounds()
    var doneBounds = ChainBounds()

    var isEmpty: Bool { history.isEmpty && done.isEmpty && historyBounds.isEmpty && doneBounds.isEmpty }

    mutating func formUnion(_ other: ChainReads) {
        history.formUnion(other.history)
        done.formUnion(other.done)
        historyBounds.formUnion(other.historyBounds)
        doneBounds.formUnion(other.doneBounds)
    }
}

/// Comparisons of the numeric members with integer constants, kept as the points where their
/// answer changes: `writes > 5` asks only whether `writes < 6`, so two values that no point
/// separates answer every such comparison alike. A member read in any other way is read whole
/// (`ChainFields`), which this does not replace. Each point `p` stands for the question `x < p`.
struct ChainBounds: Sendable, Equatable {
    var writes: [Int64] = []
    var count: [Int64] = []
    var maxSensitivity: [Int64] = []

    var isEmpty: Bool { writes.isEmpty && count.isEmpty && maxSensitivity.isEmpty }

    mutating func formUnion(_ other: ChainBounds) {
        guard !other.isEmpty else { return }
        writes += other.writes
        count += other.count
        maxSensitivity += other.maxSensitivity
    }

    /// Adds `points` to those of `member`; false for a member that is not a number.
    mutating func add(_ member: ChainFields, points: [Int64]) -> Bool {
        switch member {
        case .writes: writes += points
        case .count: count += points
        case .maxSensitivity: maxSensitivity += points
        default: return false
        }
        return true
    }

    func agree(_ a: ChainFacts, _ b: ChainFacts) -> Bool {
        Self.alike(a.writes, b.writes, writes) && Self.alike(a.count, b.count, count)
            && Self.alike(a.maxSensitivity, b.maxSensitivity, maxSensitivity)
    }

    /// Whether no point separates `x` and `y`.
    static func alike(_ x: Int64, _ y: Int64, _ points: [Int64]) -> Bool {
        let (low, high) = x < y ? (x, y) : (y, x)
        return low == high || !points.contains { low < $0 && $0 <= high }
    }
}

/// What one step adds to chain facts when it runs in a given form.
struct ChainContribution: Equatable, Sendable {
    var action: String
    var tool: String?
    var labels: [String]
    var sensitivity: Int64
    var external: Bool
    var write: Bool

    init(_ form: StepForm, catalog: ActionCatalog, resources: some ResourceFacts) {
        action = form.action
        let entry = catalog.action(named: form.action)
        tool = entry?.tool
        external = (entry?.flags.contains(.external) ?? false) || resources.isExternal(form.resource)
        write = (entry?.effect ?? .read) >= .write
        var seen = Set<ExactString>()
        labels = resources.labels(of: form.resource).filter { seen.insert(ExactString($0)).inserted }
        sensitivity = resources.sensitivity(of: form.resource)
    }
}

/// Chain facts of a set of steps as counted multisets, so that steps can be taken out again:
/// the history of a step is every step that may run, less the step and what needs it.
struct ChainTally: Sendable {
    var actions: [ExactString: Int] = [:]
    var tools: [ExactString: Int] = [:]
    var labels: [ExactString: Int] = [:]
    var sensitivities: [Int64: Int] = [:]
    var external = 0
    var writes: Int64 = 0
    var count: Int64 = 0

    /// Adds a step's contribution (`sign` 1) or takes it out (-1). Returns whether a name came
    /// in or went out of the tally (an action, tool or label it had none of, or no more of).
    /// A tally that only answers for some members counts the names and sensitivities of those
    /// in `only` (the other numbers always).
    @discardableResult
    mutating func add(_ step: ChainContribution, _ sign: Int = 1, only members: ChainFields = .all) -> Bool {
        // A count that moved between 0 and the sign's size moved across "none".
        func bump(_ counts: inout [ExactString: Int], _ name: String) -> Bool {
            let key = ExactString(name)
            let n = counts[key, default: 0] + sign
            counts[key] = n
            return n == 0 || n == sign
        }
        var moved = false
        if members.contains(.actions) && bump(&actions, step.action) { moved = true }
        if members.contains(.tools), let tool = step.tool, bump(&tools, tool) { moved = true }
        if members.contains(.labels) { for label in step.labels where bump(&labels, label) { moved = true } }
        if members.contains(.maxSensitivity) { sensitivities[step.sensitivity, default: 0] += sign }
        if step.external { external += sign }
        if step.write { writes += Int64(sign) }
        count += Int64(sign)
        return moved
    }

    /// The names the tally has some of, sorted as policies see them.
    func names() -> ChainNames {
        func sorted(_ counts: [ExactString: Int]) -> [String] { counts.compactMap { $1 > 0 ? $0 : nil }.sorted().map(\.string) }
        return ChainNames(actions: sorted(actions), tools: sorted(tools), labels: sorted(labels))
    }

    /// `facts(removing:)` from the tally's `names()`: a name stays unless `removed` takes all
    /// of it, so the sorted lists are kept, and shared, as they are when none goes.
    func facts(removing removed: ChainTally, names: ChainNames) -> ChainFacts {
        func kept(_ all: [ExactString: Int], _ gone: [ExactString: Int], _ names: [String]) -> [String] {
            var dropped = Set<ExactString>()
            for (key, n) in gone where n > 0 && (all[key] ?? 0) - n <= 0 { dropped.insert(key) }
            return dropped.isEmpty ? names : names.filter { !dropped.contains(ExactString($0)) }
        }
        return ChainFacts(
            sortedActions: kept(actions, removed.actions, names.actions), tools: kept(tools, removed.tools, names.tools),
            labels: kept(labels, removed.labels, names.labels), maxSensitivity: maxSensitivity(removing: removed),
            external: external - removed.external > 0, writes: writes - removed.writes, count: count - removed.count)
    }

    func maxSensitivity(removing removed: ChainTally?) -> Int64 {
        var highest: Int64 = 0
        for (level, n) in sensitivities where n - (removed?.sensitivities[level] ?? 0) > 0 { highest = max(highest, level) }
        return highest
    }

    /// Whether the facts of this tally less `removed` (a sub-multiset of it) agree with `facts`
    /// on the members `fields` and the comparisons `bounds` stands for, as
    /// `facts(removing:).agrees(with:on:)` and `ChainBounds.agree` would answer. Only the members
    /// asked about are worked out, and no record is built: a fixed-point pass asks this of every
    /// step whose facts may have changed, and most of them keep their decision.
    func agrees(removing removed: ChainTally?, with facts: ChainFacts, on fields: ChainFields, bounds: ChainBounds) -> Bool {
        func same(_ all: [ExactString: Int], _ gone: [ExactString: Int]?, _ names: [String]) -> Bool {
            var present = 0
            for (key, n) in all where n - (gone?[key] ?? 0) > 0 { present += 1 }
            // The names of a record are distinct, so equal counts and every name present is equality.
            return present == names.count && names.allSatisfy { name in
                let key = ExactString(name)
                return (all[key] ?? 0) - (gone?[key] ?? 0) > 0
            }
        }
        if fields.contains(.actions) && !same(actions, removed?.actions, facts.actions) { return false }
        if fields.contains(.tools) && !same(tools, removed?.tools, facts.tools) { return false }
        if fields.contains(.labels) && !same(labels, removed?.labels, facts.labels) { return false }
        if fields.contains(.external) && (external - (removed?.external ?? 0) > 0) != facts.external { return false }
        let writes = writes - (removed?.writes ?? 0), count = count - (removed?.count ?? 0)
        if fields.contains(.writes) && writes != facts.writes { return false }
        if fields.contains(.count) && count != facts.count { return false }
        if !ChainBounds.alike(writes, facts.writes, bounds.writes) || !ChainBounds.alike(count, facts.count, bounds.count) { return false }
        if fields.contains(.maxSensitivity) || !bounds.maxSensitivity.isEmpty {
            let highest = maxSensitivity(removing: removed)
            if fields.contains(.maxSensitivity) && highest != facts.maxSensitivity { return false }
            if !ChainBounds.alike(highest, facts.maxSensitivity, bounds.maxSensitivity) { return false }
        }
        return true
    }

    /// The facts of this tally less `removed` (a sub-multiset of it).
    func facts(removing removed: ChainTally? = nil) -> ChainFacts {
        facts(removing: removed ?? ChainTally(), names: names())
    }
}

/// The names of a tally, each list sorted as policies see it: the lists most steps' history
/// shares, built once until a name comes in or goes out.
struct ChainNames: Sendable {
    var actions: [String]
    var tools: [String]
    var labels: [String]
}

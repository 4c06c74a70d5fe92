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
    /// `context.history` as policies see it; rebuilt on every record, since every later step
    /// reads it, often several times.
    public private(set) var json: JSONValue = ChainFacts.contextValue(
        actions: [], tools: [], labels: [], maxSensitivity: 0, external: false, writes: 0, count: 0)

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
            guard entry["plan"]?.stringValue == plan,
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
        count += 1
        if !actions.contains(form.action) { actions.append(form.action) }
        if let action = catalog.actions[form.action] {
            if !tools.contains(action.tool) { tools.append(action.tool) }
            if action.flags.contains(.external) { external = true }
            if action.effect >= .write { writes += 1 }
        }
        if resources.isExternal(form.resource) { external = true }
        for label in resources.labels(of: form.resource) where !labels.contains(label) { labels.append(label) }
        maxSensitivity = max(maxSensitivity, resources.sensitivity(of: form.resource))
        json = Self.contextValue(
            actions: actions, tools: tools, labels: labels, maxSensitivity: maxSensitivity, external: external,
            writes: writes, count: count)
    }

    /// Sets are sorted, so the value does not depend on the order steps ran in.
    static func contextValue(
        actions: [String], tools: [String], labels: [String], maxSensitivity: Int64, external: Bool, writes: Int64, count: Int64
    ) -> JSONValue {
        .object(JSONObject([
            ("actions", .array(actions.sorted().map(JSONValue.string))),
            ("tools", .array(tools.sorted().map(JSONValue.string))),
            ("labels", .array(labels.sorted().map(JSONValue.string))),
            ("max_sensitivity", .int(maxSensitivity)),
            ("external", .bool(external)),
            ("writes", .int(writes)),
            ("count", .int(count)),
        ]))
    }
}

import Cedar
import JSONValue
import Workflow

/// A policy as the rules see it: the Cedar AST plus where it lives.
struct LintPolicy: Sendable {
    /// The parsed policy (its `id` is the positional `policyN` of its file).
    let policy: Policy
    /// The file it is in.
    let file: String
    /// The policy set (directory) it belongs to: an index into `LintContext.sets`.
    let setIndex: Int
    /// Position in the set (file name order, then source order).
    let order: Int

    /// The `@id` value, when the policy has a non-empty one.
    var declaredID: String? {
        guard let value = policy.annotation("id"), !value.isEmpty else { return nil }
        return value
    }

    /// How messages name the policy: `"no-prod-writes"`, or `policy2 of agents.cedar`.
    var label: String {
        if let id = declaredID { return "\"\(id)\"" }
        return "\(policy.id) of \(baseName(file))"
    }

    var isForbid: Bool { policy.effect == .forbid }
    var isPermit: Bool { policy.effect == .permit }

    /// The annotation named `key`, with its span.
    func annotation(_ key: String) -> Annotation? { policy.annotations.first { $0.key == key } }

    /// The range of the effect keyword: where policy-wide findings point.
    var headRange: SourceRange { sourceRange(policy.effectSpan) }
    /// The range of the whole policy.
    var range: SourceRange { sourceRange(policy.span) }

    /// Whether the policy is enforced as written: a forbid in `log_only` mode only reports.
    var isLogOnly: Bool { isForbid && policy.annotation("mode") == "log_only" }
    /// Whether a forbid carries a remedy (`@mutate` or `@approve`).
    var hasRemedy: Bool { isForbid && (policy.annotation("mutate") != nil || policy.annotation("approve") != nil) }
}

/// One policy directory: its policies and the files that give them meaning.
struct PolicySetModel: Sendable {
    /// The directory.
    let directory: String
    /// Indices into `LintContext.policies`, in set order.
    var policyIndices: [Int] = []
    /// The Cedar schema, when the directory has a valid one.
    var schema: Schema?
    /// The action catalog, when the directory has a valid `tools.json`.
    var catalog: ActionCatalog?
    /// The entities, when the directory has a valid `entities.json`.
    var entities: Entities?
    /// What each tier demands, when the directory has a valid `tiers.json`, with its document
    /// and bytes for locations.
    var tiers: TierConfiguration?
    var tiersDocument: JSONDocument?
    var tiersBytes: [UInt8] = []
    /// Catalog actions sorted by name with their action entities (see `prepare()`).
    var sortedActions: [(action: CatalogAction, uid: EntityUID)] = []
    /// The production entities that are not actions (see `prepare()`).
    var productionUIDs: [EntityUID] = []

    /// Computes the indexes the rules share, once the directory's files are read.
    mutating func prepare() {
        sortedActions = (catalog?.actions.values.sorted { $0.name < $1.name } ?? []).map { action in
            let ref = EntityRef.action(action.name)
            return (action, EntityUID(type: ref.type, id: ref.id))
        }
        productionUIDs = (entities?.all.map(\.uid) ?? []).filter { uid in
            isProduction(uid) && !(schema?.isActionEntityType(uid.type) ?? (uid.type == "Action" || uid.type.hasSuffix("::Action")))
        }
    }
}

/// A plan file as the rules see it.
struct LintPlan: Sendable {
    /// The file.
    let file: String
    /// The document, with locations.
    let document: JSONDocument
    /// The bytes, for token ranges.
    let bytes: [UInt8]
    /// The policy set whose catalog applies, when one was found.
    let setIndex: Int?

    /// The range of the value at `path` (its first token), or of its nearest existing ancestor.
    func range(_ path: [JSONPathComponent]) -> SourceRange {
        jsonTokenRange(bytes, document.nearestLocation(of: path))
    }
}

/// Everything the rules look at, read and parsed once.
final class LintContext: Sendable {
    let sets: [PolicySetModel]
    let policies: [LintPolicy]
    let plans: [LintPlan]
    let configuration: LintConfiguration

    /// The policies of each set, in set order.
    let policiesBySet: [[LintPolicy]]

    init(sets: [PolicySetModel], policies: [LintPolicy], plans: [LintPlan], configuration: LintConfiguration) {
        self.sets = sets
        self.policies = policies
        self.plans = plans
        self.configuration = configuration
        self.policiesBySet = sets.map { set in set.policyIndices.map { policies[$0] } }
    }

    func set(of policy: LintPolicy) -> PolicySetModel { sets[policy.setIndex] }

    /// The policies of the set `policy` belongs to.
    func siblings(of policy: LintPolicy) -> [LintPolicy] { policiesBySet[policy.setIndex] }
}

/// A Cedar span as a finding range.
func sourceRange(_ span: SourceSpan) -> SourceRange {
    if span.end.offset <= span.start.offset {
        return .point(line: span.start.line, column: span.start.column)
    }
    return SourceRange(startLine: span.start.line, startColumn: span.start.column, endLine: span.end.line, endColumn: span.end.column)
}

/// The range of the JSON token starting at `location`: a whole string or literal, or the
/// opening bracket of an array or object.
func jsonTokenRange(_ bytes: [UInt8], _ location: SourceLocation) -> SourceRange {
    let start = location.offset
    guard start >= 0, start < bytes.count else { return .point(line: location.line, column: location.column) }
    var end = start + 1
    switch bytes[start] {
    case UInt8(ascii: "\""):
        var escaped = false
        while end < bytes.count {
            let byte = bytes[end]
            end += 1
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { break }
            if byte == 0x0A { end -= 1; break }
        }
    case UInt8(ascii: "{"), UInt8(ascii: "["):
        break
    default:
        while end < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[end]) { end += 1 }
    }
    // Columns count Unicode scalars: count the bytes that start one.
    let scalars = bytes[start..<end].reduce(0) { $0 + (($1 & 0xC0) == 0x80 ? 0 : 1) }
    return SourceRange(startLine: location.line, startColumn: location.column, endLine: location.line, endColumn: location.column + max(1, scalars))
}

// MARK: - Entity and action helpers shared by rules

extension PolicySetModel {
    /// The catalog entry of the action entity `uid`, when the catalog has it.
    func catalogAction(_ uid: EntityUID) -> CatalogAction? {
        guard let catalog else { return nil }
        let ref = EntityRef(type: uid.type, id: uid.id)
        return catalog.actions[ref.actionName]
    }

    /// Whether action `uid` is `group` or a member of it, by the schema's action hierarchy or
    /// the entities' parents.
    func action(_ uid: EntityUID, isIn group: EntityUID) -> Bool {
        if uid == group { return true }
        if let schema, schema.actionAncestors(uid).contains(group) { return true }
        if let entities, entities.isDescendant(uid, of: group) { return true }
        return false
    }

    /// The catalog actions a policy's action scope can match, sorted by name; nil without a
    /// catalog. Conditions are not considered, so this may include more than the policy allows.
    func catalogActions(matching constraint: ActionConstraint) -> [CatalogAction]? {
        guard catalog != nil else { return nil }
        switch constraint.kind {
        case .any: return sortedActions.map(\.action)
        case .equals(let target): return sortedActions.filter { $0.uid == target }.map(\.action)
        case .in(let group): return sortedActions.filter { action($0.uid, isIn: group) }.map(\.action)
        case .inList(let groups): return sortedActions.filter { a in groups.contains { action(a.uid, isIn: $0) } }.map(\.action)
        }
    }

    /// The entity `uid`, when the entities file has it.
    func entity(_ uid: EntityUID) -> Entity? { entities?[uid] }
}

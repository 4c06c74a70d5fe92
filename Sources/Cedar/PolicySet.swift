// Policy sets: parsing several files, policy ids, template links, and the scope index.

/// How policies are named in decisions and reports.
public enum PolicyIDScheme: Sendable, Hashable {
    /// `policy0`, `policy1`, ... in order across all files (as Cedar's own tools number them).
    case positional
    /// The `@id("...")` annotation where present, else the positional id.
    case annotationOrPositional
}

/// A set of policies and templates, with the index the authorizer uses.
public struct PolicySet: Sendable {
    /// Every policy and template, in file order (templates have `isTemplate == true` and are
    /// only evaluated through links).
    public private(set) var policies: [Policy]
    /// Policies made by linking templates, in link order.
    public private(set) var links: [Policy]
    /// The parsed files, in the order given (tokens and comments included).
    public private(set) var files: [PolicyFile]
    /// The id scheme in use.
    public let idScheme: PolicyIDScheme
    /// Scope index over the evaluable policies.
    let index: PolicyIndex

    /// Parses one file.
    public init(text: String, file: String, idScheme: PolicyIDScheme = .annotationOrPositional) throws(CedarError) {
        try self.init(sources: [(text: text, file: file)], idScheme: idScheme)
    }

    /// Parses several files into one set; positional ids continue across files in the order given.
    public init(sources: [(text: String, file: String)], idScheme: PolicyIDScheme = .annotationOrPositional) throws(CedarError) {
        var files: [PolicyFile] = []
        for s in sources {
            files.append(try Parser.parse(s.text, file: s.file))
        }
        try self.init(files: files, idScheme: idScheme)
    }

    /// Builds a set from parsed files.
    public init(files: [PolicyFile], idScheme: PolicyIDScheme = .annotationOrPositional) throws(CedarError) {
        self.files = files
        self.idScheme = idScheme
        var all: [Policy] = []
        var seen: [String: SourceSpan] = [:]
        var n = 0
        for f in files {
            for var p in f.policies {
                let positional = "policy\(n)"
                n += 1
                switch idScheme {
                case .positional: p.id = positional
                case .annotationOrPositional: p.id = p.annotation("id") ?? positional
                }
                if let first = seen[p.id] {
                    throw .policySet(message: "duplicate policy id \"\(p.id)\" (first used at \(first)); give each policy a unique @id", span: p.span)
                }
                seen[p.id] = p.span
                all.append(p)
            }
        }
        policies = all
        links = []
        index = PolicyIndex(all.filter { !$0.isTemplate })
    }

    /// Creates a policy set from policies already built (ids as given).
    public init(policies: [Policy], idScheme: PolicyIDScheme = .annotationOrPositional) throws(CedarError) {
        var seen = Set<String>()
        for p in policies where !seen.insert(p.id).inserted {
            throw .policySet(message: "duplicate policy id \"\(p.id)\"", span: p.span)
        }
        self.policies = policies
        self.links = []
        self.files = []
        self.idScheme = idScheme
        index = PolicyIndex(policies.filter { !$0.isTemplate })
    }

    private init(policies: [Policy], links: [Policy], files: [PolicyFile], idScheme: PolicyIDScheme) {
        self.policies = policies
        self.links = links
        self.files = files
        self.idScheme = idScheme
        index = PolicyIndex(policies.filter { !$0.isTemplate } + links)
    }

    /// The policies the authorizer evaluates: static policies and template links.
    public var evaluable: [Policy] { index.policies }

    /// The templates.
    public var templates: [Policy] { policies.filter(\.isTemplate) }

    /// Returns a copy with the template `templateID` linked as policy `newID`, its slots filled
    /// from `values`.
    public func linking(template templateID: String, as newID: String, values: [SlotID: EntityUID]) throws(CedarError) -> PolicySet {
        guard let t = policies.first(where: { $0.id == templateID }) else {
            throw .policySet(message: "no template with id \"\(templateID)\"", span: nil)
        }
        guard t.isTemplate else {
            throw .policySet(message: "\"\(templateID)\" is a static policy, not a template", span: t.span)
        }
        if policies.contains(where: { $0.id == newID }) || links.contains(where: { $0.id == newID }) {
            throw .policySet(message: "duplicate policy id \"\(newID)\"", span: nil)
        }
        var p = t
        for slot in t.slots where values[slot] == nil {
            throw .policySet(message: "template \"\(templateID)\" needs a value for \(slot.rawValue)", span: t.span)
        }
        for key in values.keys where !t.slots.contains(key) {
            throw .policySet(message: "template \"\(templateID)\" has no slot \(key.rawValue)", span: t.span)
        }
        func fill(_ c: ScopeConstraint) -> ScopeConstraint {
            func r(_ ref: EntityReference) -> EntityReference {
                if case .slot(let s) = ref, let v = values[s] { return .entity(v) }
                return ref
            }
            var c = c
            switch c.kind {
            case .equals(let ref): c.kind = .equals(r(ref))
            case .in(let ref): c.kind = .in(r(ref))
            case .isIn(let t, let ref): c.kind = .isIn(t, r(ref))
            default: break
            }
            return c
        }
        p.principal = fill(t.principal)
        p.resource = fill(t.resource)
        p.id = newID
        p.templateID = templateID
        return PolicySet(policies: policies, links: links + [p], files: files, idScheme: idScheme)
    }
}

/// Narrows the policies a request must evaluate by their scope constraints.
final class PolicyIndex: Sendable {
    let policies: [Policy]
    /// Policies whose principal constraint names an entity (== or in), keyed by that entity.
    let byPrincipal: [EntityUID: [Int]]
    /// Policies whose principal constraint names no entity.
    let principalFree: [Int]
    let byResource: [EntityUID: [Int]]
    let resourceFree: [Int]
    let byAction: [EntityUID: [Int]]
    let actionFree: [Int]
    /// Tree depth of each policy's deepest condition.
    let depths: [Int]

    init(_ policies: [Policy]) {
        self.policies = policies
        var bp: [EntityUID: [Int]] = [:], br: [EntityUID: [Int]] = [:], ba: [EntityUID: [Int]] = [:]
        var pf: [Int] = [], rf: [Int] = [], af: [Int] = []
        var depths: [Int] = []
        func key(_ c: ScopeConstraint) -> EntityUID? {
            switch c.kind {
            case .equals(.entity(let u)), .in(.entity(let u)), .isIn(_, .entity(let u)): return u
            default: return nil
            }
        }
        for (i, p) in policies.enumerated() {
            if let k = key(p.principal) { bp[k, default: []].append(i) } else { pf.append(i) }
            if let k = key(p.resource) { br[k, default: []].append(i) } else { rf.append(i) }
            switch p.action.kind {
            case .any: af.append(i)
            case .equals(let u), .in(let u): ba[u, default: []].append(i)
            case .inList(let us):
                for u in Set(us) { ba[u, default: []].append(i) }
            }
            depths.append(p.conditions.map { treeDepth($0.body) }.max() ?? 0)
        }
        byPrincipal = bp
        byResource = br
        byAction = ba
        principalFree = pf
        resourceFree = rf
        actionFree = af
        self.depths = depths
    }

    /// Indices (ascending) of the policies whose scope may match the request.
    func candidates(principal: EntityUID, action: EntityUID, resource: EntityUID, entities: Entities) -> [Int] {
        func gather(_ uid: EntityUID, _ map: [EntityUID: [Int]], _ free: [Int]) -> [Int] {
            var out = free
            if let l = map[uid] { out += l }
            if let e = entities[uid] {
                for a in e.ancestors { if let l = map[a] { out += l } }
            }
            return out
        }
        let p = gather(principal, byPrincipal, principalFree)
        let a = gather(action, byAction, actionFree)
        let r = gather(resource, byResource, resourceFree)
        // the smallest list bounds the work; the full scope check follows
        var best = p
        if a.count < best.count { best = a }
        if r.count < best.count { best = r }
        if best.count > 1 {
            best.sort()
            var out: [Int] = []
            out.reserveCapacity(best.count)
            var last = -1
            for i in best where i != last {
                out.append(i)
                last = i
            }
            return out
        }
        return best
    }
}

/// Depth of an expression tree, computed without recursion.
func treeDepth(_ root: Expr) -> Int {
    var maxDepth = 0
    var stack: [(Expr, Int)] = [(root, 1)]
    while let (e, d) = stack.popLast() {
        if d > maxDepth { maxDepth = d }
        switch e.kind {
        case .literal, .variable, .slot, .entity: break
        case .ifThenElse(let a, let b, let c): stack += [(a, d + 1), (b, d + 1), (c, d + 1)]
        case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b): stack += [(a, d + 1), (b, d + 1)]
        case .unary(_, let a), .has(let a, _, _), .like(let a, _), .attribute(let a, _), .index(let a, _), .parenthesized(let a):
            stack.append((a, d + 1))
        case .isType(let a, _, let b):
            stack.append((a, d + 1))
            if let b { stack.append((b, d + 1)) }
        case .methodCall(let a, _, let args):
            stack.append((a, d + 1))
            for x in args { stack.append((x, d + 1)) }
        case .call(_, let args), .set(let args):
            for x in args { stack.append((x, d + 1)) }
        case .record(let entries):
            for x in entries { stack.append((x.value, d + 1)) }
        }
    }
    return maxDepth
}

// Policy sets: parsing several files, policy ids, template links, and the scope index.
import JSONValue

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
        var seen: [ExactString: SourceSpan] = [:]
        var n = 0
        for f in files {
            for var p in f.policies {
                if n >= CedarLimits.maxPolicies {
                    throw .policySet(message: "more than \(CedarLimits.maxPolicies) policies in one set; split the policy directory", span: p.span)
                }
                let positional = "policy\(n)"
                n += 1
                switch idScheme {
                case .positional: p.id = positional
                case .annotationOrPositional: p.id = p.annotation("id") ?? positional
                }
                if let first = seen[ExactString(p.id)] {
                    throw .policySet(message: "duplicate policy id \"\(p.id)\" (first used at \(first)); give each policy a unique @id", span: p.span)
                }
                seen[ExactString(p.id)] = p.span
                all.append(p)
            }
        }
        policies = all
        links = []
        index = PolicyIndex(all.filter { !$0.isTemplate })
    }

    /// Creates a policy set from policies already built (ids as given).
    public init(policies: [Policy], idScheme: PolicyIDScheme = .annotationOrPositional) throws(CedarError) {
        if policies.count > CedarLimits.maxPolicies {
            throw .policySet(message: "more than \(CedarLimits.maxPolicies) policies in one set; split the policy set",
                             span: policies[CedarLimits.maxPolicies].span)
        }
        var seen = Set<ExactString>()
        for p in policies where !seen.insert(ExactString(p.id)).inserted {
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
        guard let t = policies.first(where: { $0.id.isExactly(templateID) }) else {
            throw .policySet(message: "no template with id \"\(templateID)\"", span: nil)
        }
        guard t.isTemplate else {
            throw .policySet(message: "\"\(templateID)\" is a static policy, not a template", span: t.span)
        }
        if policies.contains(where: { $0.id.isExactly(newID) }) || links.contains(where: { $0.id.isExactly(newID) }) {
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

/// A fixed-size set of policy indices.
struct PolicyBits: Sendable {
    var words: [UInt64]

    init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

    mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }

    mutating func formUnion(_ o: PolicyBits) {
        for k in words.indices { words[k] |= o.words[k] }
    }

    mutating func formIntersection(_ o: PolicyBits) {
        for k in words.indices { words[k] &= o.words[k] }
    }

    /// Indices in ascending order.
    var indices: [Int] {
        var out: [Int] = []
        for (k, w0) in words.enumerated() {
            var w = w0
            while w != 0 {
                let t = w.trailingZeroBitCount
                out.append(k << 6 | t)
                w &= w - 1
            }
        }
        return out
    }
}

/// Narrows the policies a request must evaluate by their scope constraints: for each of
/// principal, action and resource, the policies that name the request's entity (`==`), one of
/// its ancestors or itself (`in`), or nothing; the three sets are intersected.
final class PolicyIndex: Sendable {
    let policies: [Policy]
    struct Dimension: Sendable {
        /// Constraints that name no entity (`principal`, `principal is T`).
        var free: PolicyBits
        /// `== E`, keyed by E.
        var equal: [EntityUID: PolicyBits]
        /// `in E` and `is T in E`, keyed by E.
        var within: [EntityUID: PolicyBits]

        /// Writes the candidate bits for `uid` into `out` (as many words as the bit sets have).
        func candidates(_ uid: EntityUID, _ ancestors: Set<EntityUID>?, into out: UnsafeMutableBufferPointer<UInt64>) {
            func or(_ b: PolicyBits) {
                b.words.withUnsafeBufferPointer { w in
                    for k in 0..<out.count { out[k] |= w[k] }
                }
            }
            free.words.withUnsafeBufferPointer { w in
                for k in 0..<out.count { out[k] = w[k] }
            }
            if !equal.isEmpty, let b = equal[uid] { or(b) }
            if !within.isEmpty {
                if let b = within[uid] { or(b) }
                if let ancestors {
                    for a in ancestors { if let b = within[a] { or(b) } }
                }
            }
        }
    }
    let principal: Dimension
    let action: Dimension
    let resource: Dimension
    /// Tree depth of each policy's deepest condition.
    let depths: [Int]
    /// Each policy's conditions, effect and id, apart from the rest of the policy: reading
    /// them per candidate copies only what is read.
    let conditions: [[Condition]]
    let effects: [Effect]
    let ids: [String]
    /// The entity type each policy's principal and resource must have (`is T`, `is T in E`),
    /// by policy: the part of a scope that the candidate bits do not decide.
    let principalTypes: [String?]
    let resourceTypes: [String?]

    init(_ policies: [Policy]) {
        self.policies = policies
        let n = policies.count
        func empty() -> Dimension { Dimension(free: PolicyBits(count: n), equal: [:], within: [:]) }
        var p = empty(), a = empty(), r = empty()
        func add(_ d: inout Dimension, _ c: ScopeConstraint, _ i: Int) {
            switch c.kind {
            case .equals(.entity(let u)): d.equal[u, default: PolicyBits(count: n)].insert(i)
            case .in(.entity(let u)), .isIn(_, .entity(let u)): d.within[u, default: PolicyBits(count: n)].insert(i)
            case .any, .is: d.free.insert(i)
            default: break  // an unlinked slot matches nothing
            }
        }
        func requiredType(_ c: ScopeConstraint) -> String? {
            switch c.kind {
            case .is(let t), .isIn(let t, _): return t
            default: return nil
            }
        }
        var depths: [Int] = []
        for (i, pol) in policies.enumerated() {
            add(&p, pol.principal, i)
            add(&r, pol.resource, i)
            switch pol.action.kind {
            case .any: a.free.insert(i)
            case .equals(let u): a.equal[u, default: PolicyBits(count: n)].insert(i)
            case .in(let u): a.within[u, default: PolicyBits(count: n)].insert(i)
            case .inList(let us):
                for u in us { a.within[u, default: PolicyBits(count: n)].insert(i) }
            }
            depths.append(pol.conditions.map { treeDepth($0.body) }.max() ?? 0)
        }
        principal = p
        action = a
        resource = r
        self.depths = depths
        principalTypes = policies.map { requiredType($0.principal) }
        resourceTypes = policies.map { requiredType($0.resource) }
        conditions = policies.map(\.conditions)
        effects = policies.map(\.effect)
        ids = policies.map(\.id)
    }

    /// How many words of bits `candidates` writes.
    var wordCount: Int { (policies.count + 63) / 64 }

    /// Writes the policies whose scope matches the request, `is` types aside, as bits into the
    /// first `wordCount` words of `out` (policy `i` is bit `i % 64` of word `i / 64`), using
    /// the next `wordCount` words as scratch.
    func candidates(principal p: EntityUID, _ pa: Set<EntityUID>?, action a: EntityUID, _ aa: Set<EntityUID>?,
                    resource r: EntityUID, _ ra: Set<EntityUID>?, into out: UnsafeMutableBufferPointer<UInt64>) {
        let w = wordCount
        if w == 0 { return }
        let acc = UnsafeMutableBufferPointer(rebasing: out[0..<w])
        let tmp = UnsafeMutableBufferPointer(rebasing: out[w..<(2 * w)])
        principal.candidates(p, pa, into: acc)
        action.candidates(a, aa, into: tmp)
        for k in 0..<w { acc[k] &= tmp[k] }
        resource.candidates(r, ra, into: tmp)
        for k in 0..<w { acc[k] &= tmp[k] }
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

// Expression evaluation with Cedar's semantics.
import JSONValue

/// An error raised while evaluating a policy (type error, missing attribute, overflow, ...).
public struct EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, in Cedar's words.
    public var message: String
    /// The sub-expression that failed, when known.
    public var span: SourceSpan?

    /// Creates an error.
    public init(_ message: String, span: SourceSpan? = nil) {
        self.message = message
        self.span = span
    }

    public var description: String { message }
}

/// Evaluates expressions for one request against an entity store.
public struct Evaluator {
    /// The request's principal.
    public let principal: EntityUID
    /// The request's action.
    public let action: EntityUID
    /// The request's resource.
    public let resource: EntityUID
    /// The request's context record.
    public let context: Value
    /// The entities.
    public let entities: Entities
    /// The request's entities as stored (nil when absent), looked up once per request.
    let principalAncestors: Set<EntityUID>?
    let actionAncestors: Set<EntityUID>?
    let resourceAncestors: Set<EntityUID>?

    /// Creates an evaluator for `request`.
    public init(request: Request, entities: Entities) {
        principal = request.principal
        action = request.action
        resource = request.resource
        context = .record(request.context)
        self.entities = entities
        principalAncestors = entities.ancestors(of: request.principal)
        actionAncestors = entities.ancestors(of: request.action)
        resourceAncestors = entities.ancestors(of: request.resource)
    }

    /// Evaluates an expression to a value.
    public func evaluate(_ e: Expr) throws(EvaluationError) -> Value {
        try eval(e)
    }

    func typeError(_ expected: String, _ v: Value, _ e: Expr) -> EvaluationError {
        EvaluationError("type error: expected \(expected), got \(v.typeName)", span: e.span)
    }

    func bool(_ e: Expr) throws(EvaluationError) -> Bool {
        let v = try eval(e)
        guard case .bool(let b) = v else { throw typeError("bool", v, e) }
        return b
    }

    func eval(_ e: Expr) throws(EvaluationError) -> Value {
        switch e.kind {
        case .literal(let l):
            switch l {
            case .bool(let b): return .bool(b)
            case .long(let n): return .long(n)
            case .string(let s): return .string(s)
            }
        case .variable(let v):
            switch v {
            case .principal: return .entity(principal)
            case .action: return .entity(action)
            case .resource: return .entity(resource)
            case .context: return context
            }
        case .entity(let uid):
            return .entity(uid)
        case .parenthesized(let inner):
            return try eval(inner)
        case .and(let l, let r):
            return .bool(try bool(l) ? try bool(r) : false)
        case .or(let l, let r):
            return .bool(try bool(l) ? true : try bool(r))
        case .ifThenElse(let c, let t, let f):
            return try bool(c) ? try eval(t) : try eval(f)
        case .unary(let op, let inner):
            return try evalUnary(op, inner)
        case .binary(let op, let l, let r):
            return try evalBinary(op, l, r, e)
        case .attribute(let target, let name), .index(let target, let name):
            return try getAttribute(try eval(target), name, target, e)
        case .has(let target, let path, _):
            return .bool(try evalHas(target, path))
        case .like(let target, let pattern):
            let v = try eval(target)
            guard case .string(let s) = v else { throw typeError("string", v, target) }
            return .bool(wildcardMatch(Array(s.unicodeScalars), pattern))
        case .isType(let target, let type, let inExpr):
            let v = try eval(target)
            guard case .entity(let uid) = v else { throw typeError("entity", v, target) }
            guard uid.type == type else { return .bool(false) }
            guard let inExpr else { return .bool(true) }
            return .bool(try evalIn(uid, inExpr))
        case .set(let items):
            var s = Set<Value>(minimumCapacity: items.count)
            for item in items { s.insert(try eval(item)) }
            return .set(s)
        case .record(let entries):
            var r: [ExactString: Value] = [:]
            r.reserveCapacity(entries.count)
            for entry in entries { r[ExactString(entry.key)] = try eval(entry.value) }
            return .record(r)
        case .methodCall(let target, let method, let args):
            return try evalMethod(target, method, args, e)
        case .call(let fn, let args):
            return try evalCall(fn, args, e)
        case .slot(let s):
            throw EvaluationError("template slot \(s.rawValue) is not linked", span: e.span)
        }
    }

    @inline(never)
    func evalUnary(_ op: UnaryOp, _ inner: Expr) throws(EvaluationError) -> Value {
        let v = try eval(inner)
        switch op {
        case .not:
            guard case .bool(let b) = v else { throw typeError("bool", v, inner) }
            return .bool(!b)
        case .neg:
            guard case .long(let n) = v else { throw typeError("long", v, inner) }
            let (r, o) = Int64(0).subtractingReportingOverflow(n)
            if o { throw EvaluationError("integer overflow while attempting to negate the value `\(n)`", span: inner.span) }
            return .long(r)
        }
    }

    @inline(never)
    func evalBinary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ e: Expr) throws(EvaluationError) -> Value {
        if op == .in {
            let lv = try eval(l)
            guard case .entity(let uid) = lv else {
                _ = try eval(r)
                throw typeError("entity", lv, l)
            }
            return .bool(try evalIn(uid, r))
        }
        let lv = try eval(l)
        let rv = try eval(r)
        switch op {
        case .equal: return .bool(lv == rv)
        case .notEqual: return .bool(lv != rv)
        case .less, .lessEqual, .greater, .greaterEqual:
            let c: Int
            switch (lv, rv) {
            case (.long(let a), .long(let b)): c = a < b ? -1 : (a == b ? 0 : 1)
            case (.datetime(let a), .datetime(let b)): c = a < b ? -1 : (a == b ? 0 : 1)
            case (.duration(let a), .duration(let b)): c = a < b ? -1 : (a == b ? 0 : 1)
            case (.long, _): throw typeError("long", rv, r)
            case (.datetime, _): throw typeError("datetime", rv, r)
            case (.duration, _): throw typeError("duration", rv, r)
            default: throw typeError("one of [long, datetime, duration]", lv, l)
            }
            switch op {
            case .less: return .bool(c < 0)
            case .lessEqual: return .bool(c <= 0)
            case .greater: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case .add, .sub, .mul:
            guard case .long(let a) = lv else { throw typeError("long", lv, l) }
            guard case .long(let b) = rv else { throw typeError("long", rv, r) }
            let (res, o): (Int64, Bool)
            switch op {
            case .add: (res, o) = a.addingReportingOverflow(b)
            case .sub: (res, o) = a.subtractingReportingOverflow(b)
            default: (res, o) = a.multipliedReportingOverflow(by: b)
            }
            if o {
                let verb = op == .add ? "add" : (op == .sub ? "subtract" : "multiply")
                throw EvaluationError("integer overflow while attempting to \(verb) the values `\(a)` and `\(b)`", span: e.span)
            }
            return .long(res)
        case .in:
            return .bool(false)  // handled above
        }
    }

    /// `uid in rhs` where `rhs` evaluates to an entity or a set of entities.
    func evalIn(_ uid: EntityUID, _ rhs: Expr) throws(EvaluationError) -> Bool {
        let rv = try eval(rhs)
        switch rv {
        case .entity(let target):
            return entities.isDescendant(uid, of: target)
        case .set(let items):
            var targets: [EntityUID] = []
            targets.reserveCapacity(items.count)
            for item in items {
                guard case .entity(let t) = item else { throw typeError("entity", item, rhs) }
                targets.append(t)
            }
            for t in targets where entities.isDescendant(uid, of: t) { return true }
            return false
        default:
            throw typeError("one of [set, entity]", rv, rhs)
        }
    }

    @inline(never)
    func getAttribute(_ v: Value, _ name: String, _ target: Expr, _ e: Expr) throws(EvaluationError) -> Value {
        switch v {
        case .record(let r):
            guard let a = r[ExactString(name)] else { throw EvaluationError("record does not have the attribute `\(name)`", span: e.span) }
            return a
        case .entity(let uid):
            guard let entity = entities[uid] else {
                throw EvaluationError("entity `\(uid)` does not exist", span: e.span)
            }
            guard let a = entity.attributes[ExactString(name)] else {
                throw EvaluationError("`\(uid)` does not have the attribute `\(name)`", span: e.span)
            }
            return a
        default:
            throw typeError("one of [record, entity]", v, target)
        }
    }

    /// `e has a.b.c` is `e has a && e.a has b && e.a.b has c`.
    @inline(never)
    func evalHas(_ target: Expr, _ path: [String]) throws(EvaluationError) -> Bool {
        var v = try eval(target)
        for (i, name) in path.enumerated() {
            let attrs: [ExactString: Value]
            switch v {
            case .record(let r): attrs = r
            case .entity(let uid):
                guard let entity = entities[uid] else { return false }
                attrs = entity.attributes
            default:
                throw typeError("one of [record, entity]", v, target)
            }
            guard let next = attrs[ExactString(name)] else { return false }
            if i == path.count - 1 { return true }
            v = next
        }
        return true
    }

    @inline(never)
    func evalMethod(_ target: Expr, _ method: MethodName, _ args: [Expr], _ e: Expr) throws(EvaluationError) -> Value {
        let recv = try eval(target)
        var argv: [Value] = []
        argv.reserveCapacity(args.count)
        for a in args { argv.append(try eval(a)) }
        switch method {
        case .contains, .containsAll, .containsAny, .isEmpty:
            guard case .set(let s) = recv else { throw typeError("set", recv, target) }
            switch method {
            case .contains:
                return .bool(s.contains(argv[0]))
            case .isEmpty:
                return .bool(s.isEmpty)
            default:
                guard case .set(let other) = argv[0] else { throw typeError("set", argv[0], args[0]) }
                return .bool(method == .containsAll ? other.isSubset(of: s) : !s.isDisjoint(with: other))
            }
        case .hasTag, .getTag:
            guard case .entity(let uid) = recv else { throw typeError("entity", recv, target) }
            guard case .string(let key) = argv[0] else { throw typeError("string", argv[0], args[0]) }
            guard let entity = entities[uid] else {
                if method == .hasTag { return .bool(false) }
                throw EvaluationError("entity `\(uid)` does not exist", span: e.span)
            }
            if method == .hasTag { return .bool(entity.tags[ExactString(key)] != nil) }
            guard let tag = entity.tags[ExactString(key)] else {
                throw EvaluationError("`\(uid)` does not have the tag `\(key)`", span: e.span)
            }
            return tag
        default:
            // every other method is an extension function
            return try callExtension(ExtensionFunction.method(method), [recv] + argv, [target] + args, e)
        }
    }

    @inline(never)
    func evalCall(_ fn: FunctionName, _ args: [Expr], _ e: Expr) throws(EvaluationError) -> Value {
        var argv: [Value] = []
        for a in args { argv.append(try eval(a)) }
        return try callExtension(.constructor(fn), argv, args, e)
    }

    /// Calls an extension function on evaluated arguments; an error points at the argument at
    /// fault (`exprs` are the argument expressions, receiver first), else at the call.
    func callExtension(_ fn: ExtensionFunction, _ argv: [Value], _ exprs: [Expr], _ e: Expr) throws(EvaluationError) -> Value {
        do {
            return try fn.call(argv)
        } catch {
            let span = error.argument.flatMap { $0 < exprs.count ? exprs[$0].span : nil } ?? e.span
            throw EvaluationError(error.message, span: span)
        }
    }
}

/// Matches `text` against a `like` pattern (`*` matches any run of characters).
func wildcardMatch(_ text: [Unicode.Scalar], _ pattern: [PatternElement]) -> Bool {
    // flatten to scalars with a wildcard marker
    var pat: [Unicode.Scalar?] = []
    for el in pattern {
        switch el {
        case .wildcard: pat.append(nil)
        case .literal(let s): pat.append(contentsOf: s.unicodeScalars.map { Optional($0) })
        }
    }
    var t = 0, p = 0
    var starP = -1, starT = 0
    while t < text.count {
        if p < pat.count, let c = pat[p], c == text[t] {
            t += 1
            p += 1
        } else if p < pat.count, pat[p] == nil {
            starP = p
            starT = t
            p += 1
        } else if starP >= 0 {
            p = starP + 1
            starT += 1
            t = starT
        } else {
            return false
        }
    }
    while p < pat.count, pat[p] == nil { p += 1 }
    return p == pat.count
}

import Cedar

/// A value known without any request.
indirect enum ConstantValue: Equatable, Sendable {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    case set([ConstantValue])
    case record([String: ConstantValue])

    var typeName: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .entity: return "entity"
        case .set: return "Set"
        case .record: return "record"
        }
    }

    /// Set semantics for equality: order and duplicates do not matter.
    static func same(_ a: ConstantValue, _ b: ConstantValue) -> Bool {
        switch (a, b) {
        case (.set(let x), .set(let y)):
            return x.allSatisfy { e in y.contains { same(e, $0) } } && y.allSatisfy { e in x.contains { same(e, $0) } }
        case (.record(let x), .record(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        default:
            return a == b
        }
    }
}

/// What can be said about an expression without a request: its exact value, that it always
/// errors, that it is a given boolean unless it errors, or nothing.
enum Folded: Equatable, Sendable {
    /// Always this value, never an error.
    case constant(ConstantValue)
    /// Always an error.
    case error
    /// This boolean, or an error (never the other boolean).
    case boolOrError(Bool)
    /// Not known.
    case unknown

    /// The boolean it can only be, if any (errors aside).
    var onlyBool: Bool? {
        switch self {
        case .constant(.bool(let b)), .boolOrError(let b): return b
        default: return nil
        }
    }

    /// Whether evaluating it can yield `true`.
    var canBeTrue: Bool {
        switch self {
        case .constant(.bool(let b)), .boolOrError(let b): return b
        case .constant, .error: return false
        case .unknown: return true
        }
    }

    /// Whether evaluating it can yield `false`.
    var canBeFalse: Bool {
        switch self {
        case .constant(.bool(let b)), .boolOrError(let b): return !b
        case .constant, .error: return false
        case .unknown: return true
        }
    }

    /// The same, with errors possible.
    var withError: Folded {
        switch self {
        case .constant(.bool(let b)), .boolOrError(let b): return .boolOrError(b)
        case .error: return .error
        default: return .unknown
        }
    }
}

/// Folds Cedar expressions over their literals, following Cedar's evaluation order and error
/// rules so that what it reports is true of every request.
enum ConstantFolder {
    static let maxDepth = 400

    static func fold(_ expr: Expr, depth: Int = 0) -> Folded {
        if depth > maxDepth { return .unknown }
        let d = depth + 1
        switch expr.kind {
        case .literal(.bool(let b)): return .constant(.bool(b))
        case .literal(.long(let n)): return .constant(.long(n))
        case .literal(.string(let s)): return .constant(.string(s))
        case .entity(let uid): return .constant(.entity(uid))
        case .variable, .slot, .call: return .unknown
        case .parenthesized(let inner): return fold(inner, depth: d)
        case .unary(.not, let e):
            switch fold(e, depth: d) {
            case .constant(.bool(let b)): return .constant(.bool(!b))
            case .constant: return .error
            case .boolOrError(let b): return .boolOrError(!b)
            case .error: return .error
            case .unknown: return .unknown
            }
        case .unary(.neg, let e):
            switch fold(e, depth: d) {
            case .constant(.long(let n)):
                let (r, o) = Int64(0).subtractingReportingOverflow(n)
                return o ? .error : .constant(.long(r))
            case .constant, .error: return .error
            default: return .unknown
            }
        case .and(let a, let b): return logical(fold(a, depth: d), fold(b, depth: d), shortCircuitOn: false)
        case .or(let a, let b): return logical(fold(a, depth: d), fold(b, depth: d), shortCircuitOn: true)
        case .ifThenElse(let c, let t, let e):
            let condition = fold(c, depth: d)
            switch condition {
            case .constant(.bool(let b)): return fold(b ? t : e, depth: d)
            case .constant, .error: return .error
            case .boolOrError(let b): return fold(b ? t : e, depth: d).withError
            case .unknown:
                let (x, y) = (fold(t, depth: d), fold(e, depth: d))
                if case .constant(let vx) = x, case .constant(let vy) = y, ConstantValue.same(vx, vy), case .bool(let b) = vx { return .boolOrError(b) }
                if let bx = x.onlyBool, let by = y.onlyBool, bx == by { return .boolOrError(bx) }
                if x == .error, y == .error { return .error }
                return .unknown
            }
        case .binary(let op, let a, let b):
            return binary(op, fold(a, depth: d), fold(b, depth: d))
        case .has(let e, let path, _):
            switch fold(e, depth: d) {
            case .constant(.record(let fields)):
                var current: ConstantValue = .record(fields)
                for name in path {
                    guard case .record(let r) = current, let next = r[name] else { return .constant(.bool(false)) }
                    current = next
                }
                return .constant(.bool(true))
            case .constant(.entity): return .unknown
            case .constant, .error: return .error
            default: return .unknown
            }
        case .like(let e, let pattern):
            switch fold(e, depth: d) {
            case .constant(.string(let s)): return .constant(.bool(likeMatches(Array(s.unicodeScalars), pattern)))
            case .constant, .error: return .error
            default: return .unknown
            }
        case .isType(let e, let type, let inExpr):
            let value = fold(e, depth: d)
            switch value {
            case .constant(.entity(let uid)):
                if uid.type != type { return inExpr.map { fold($0, depth: d) == .error ? .error : .constant(.bool(false)) } ?? .constant(.bool(false)) }
                return inExpr == nil ? .constant(.bool(true)) : .unknown
            case .constant, .error: return .error
            default: return .unknown
            }
        case .attribute(let e, let name), .index(let e, let name):
            switch fold(e, depth: d) {
            case .constant(.record(let r)): return r[name].map { .constant($0) } ?? .error
            case .constant(.entity): return .unknown
            case .constant, .error: return .error
            default: return .unknown
            }
        case .methodCall(let receiver, let method, let args):
            let r = fold(receiver, depth: d)
            let folded = args.map { fold($0, depth: d) }
            if r == .error || folded.contains(.error) { return .error }
            guard case .constant(let rv) = r else { return .unknown }
            switch method {
            case .contains, .containsAll, .containsAny, .isEmpty:
                guard case .set(let elements) = rv else { return .error }
                if method == .isEmpty { return .constant(.bool(elements.isEmpty)) }
                guard folded.count == 1, case .constant(let arg) = folded[0] else { return .unknown }
                switch method {
                case .contains: return .constant(.bool(elements.contains { ConstantValue.same($0, arg) }))
                case .containsAll:
                    guard case .set(let other) = arg else { return .error }
                    return .constant(.bool(other.allSatisfy { o in elements.contains { ConstantValue.same($0, o) } }))
                default:
                    guard case .set(let other) = arg else { return .error }
                    return .constant(.bool(other.contains { o in elements.contains { ConstantValue.same($0, o) } }))
                }
            default:
                return .unknown
            }
        case .set(let elements):
            var values: [ConstantValue] = []
            var known = true
            for element in elements {
                switch fold(element, depth: d) {
                case .error: return .error
                case .constant(let v): values.append(v)
                default: known = false
                }
            }
            return known ? .constant(.set(values)) : .unknown
        case .record(let entries):
            var values: [String: ConstantValue] = [:]
            var known = true
            for entry in entries {
                switch fold(entry.value, depth: d) {
                case .error: return .error
                case .constant(let v): values[entry.key] = v
                default: known = false
                }
            }
            return known ? .constant(.record(values)) : .unknown
        }
    }

    /// `a && b` (`shortCircuitOn` false) or `a || b` (true): `b` is evaluated only when `a` is
    /// not the short-circuit value, and must then be a boolean.
    static func logical(_ a: Folded, _ b: Folded, shortCircuitOn stop: Bool) -> Folded {
        func operand(_ x: Folded) -> Folded {
            if case .constant(let v) = x, case .bool = v { return x }
            if case .constant = x { return .error }
            return x
        }
        let a = operand(a), b = operand(b)
        switch a {
        case .constant(.bool(let x)):
            return x == stop ? .constant(.bool(stop)) : b
        case .error:
            return .error
        case .boolOrError(let x):
            return x == stop ? .boolOrError(stop) : b.withError
        default:
            // `a` unknown: when `b` can only be the short-circuit value (or fail), so can the whole.
            switch b {
            case .constant(.bool(let y)) where y == stop: return .boolOrError(stop)
            case .boolOrError(let y) where y == stop: return .boolOrError(stop)
            case .error: return .boolOrError(stop)
            default: return .unknown
            }
        }
    }

    static func binary(_ op: BinaryOp, _ a: Folded, _ b: Folded) -> Folded {
        if a == .error || b == .error { return .error }
        switch op {
        case .equal, .notEqual:
            guard case .constant(let x) = a, case .constant(let y) = b else { return .unknown }
            let same = ConstantValue.same(x, y)
            return .constant(.bool(op == .equal ? same : !same))
        case .less, .lessEqual, .greater, .greaterEqual:
            if case .constant(let x) = a, !isLong(x) { return .error }
            if case .constant(let y) = b, !isLong(y) { return .error }
            guard case .constant(.long(let x)) = a, case .constant(.long(let y)) = b else { return .unknown }
            switch op {
            case .less: return .constant(.bool(x < y))
            case .lessEqual: return .constant(.bool(x <= y))
            case .greater: return .constant(.bool(x > y))
            default: return .constant(.bool(x >= y))
            }
        case .add, .sub, .mul:
            if case .constant(let x) = a, !isLong(x) { return .error }
            if case .constant(let y) = b, !isLong(y) { return .error }
            guard case .constant(.long(let x)) = a, case .constant(.long(let y)) = b else { return .unknown }
            let (r, o): (Int64, Bool)
            switch op {
            case .add: (r, o) = x.addingReportingOverflow(y)
            case .sub: (r, o) = x.subtractingReportingOverflow(y)
            default: (r, o) = x.multipliedReportingOverflow(by: y)
            }
            return o ? .error : .constant(.long(r))
        case .in:
            if case .constant(let x) = a, !isEntity(x) { return .error }
            if case .constant(let y) = b {
                if case .set(let elements) = y {
                    if elements.contains(where: { !isEntity($0) }) { return .error }
                } else if !isEntity(y) {
                    return .error
                }
            }
            // Membership beyond equality depends on the entity store.
            if case .constant(.entity(let x)) = a, case .constant(.entity(let y)) = b, x == y { return .constant(.bool(true)) }
            return .unknown
        }
    }

    static func isLong(_ v: ConstantValue) -> Bool { if case .long = v { return true } else { return false } }
    static func isEntity(_ v: ConstantValue) -> Bool { if case .entity = v { return true } else { return false } }

    static func likeMatches(_ text: [Unicode.Scalar], _ pattern: [PatternElement]) -> Bool {
        var items: [Unicode.Scalar?] = []  // nil is a wildcard
        for element in pattern {
            switch element {
            case .wildcard: items.append(nil)
            case .literal(let s): items += s.unicodeScalars.map { Optional($0) }
            }
        }
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < items.count, items[p] == nil {
                star = p; mark = t; p += 1
            } else if p < items.count, items[p] == text[t] {
                p += 1; t += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < items.count, items[p] == nil { p += 1 }
        return p == items.count
    }
}

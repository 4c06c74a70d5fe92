import Cedar
import Workflow

/// Scope reasoning shared by the shadowing, production and remedy rules. Principal and
/// resource membership (`in`) is decided structurally only, never from `entities.json`:
/// entity data changes at run time, so a conclusion drawn from it would not hold for every
/// request. Action membership is fixed by the schema (or the entities' action parents).
enum ScopeAnalysis {
    /// Whether every request `inner` matches is matched by `outer`.
    static func subsumes(_ outer: ScopeConstraint, _ inner: ScopeConstraint) -> Bool {
        switch (outer.kind, inner.kind) {
        case (.any, _): return true
        case (.equals(let e), .equals(let f)): return e == f
        case (.in(let e), .equals(let f)), (.in(let e), .in(let f)): return e == f
        case (.in(let e), .isIn(_, let f)): return e == f
        case (.is(let t), .is(let u)), (.is(let t), .isIn(let u, _)): return t == u
        case (.is(let t), .equals(.entity(let uid))): return uid.type == t
        case (.isIn(let t, let e), .isIn(let u, let f)): return t == u && e == f
        case (.isIn(let t, let e), .equals(let f)):
            if case .entity(let uid) = f { return uid.type == t && e == f }
            return false
        default: return false
        }
    }

    /// Whether every action `inner` matches is matched by `outer`.
    static func subsumes(_ outer: ActionConstraint, _ inner: ActionConstraint, in set: PolicySetModel) -> Bool {
        func covered(_ uid: EntityUID) -> Bool {
            switch outer.kind {
            case .any: return true
            case .equals(let a): return a == uid
            case .in(let g): return set.action(uid, isIn: g)
            case .inList(let gs): return gs.contains { set.action(uid, isIn: $0) }
            }
        }
        switch inner.kind {
        case .any:
            if case .any = outer.kind { return true }
            return false
        case .equals(let a): return covered(a)
        case .in(let g):
            // `in G` matches G and whatever is in G; what is in G is covered when G is.
            return covered(g)
        case .inList(let gs): return gs.allSatisfy(covered)
        }
    }

    /// Whether some request could match both constraints (false only when provably disjoint).
    static func mayOverlap(_ a: ScopeConstraint, _ b: ScopeConstraint) -> Bool {
        switch (a.kind, b.kind) {
        case (.equals(.entity(let x)), .equals(.entity(let y))): return x == y
        case (.equals(.entity(let x)), .is(let t)), (.is(let t), .equals(.entity(let x))): return x.type == t
        case (.equals(.entity(let x)), .isIn(let t, _)), (.isIn(let t, _), .equals(.entity(let x))): return x.type == t
        case (.is(let t), .is(let u)), (.is(let t), .isIn(let u, _)), (.isIn(let t, _), .is(let u)), (.isIn(let t, _), .isIn(let u, _)):
            return t == u
        default: return true
        }
    }
}

/// Attribute paths rooted at a request variable: `resource.environment`, `context.args.url`.
enum AttributePath {
    /// The path of `expr` (`context.args.url`), nil when it is not a variable followed by
    /// attribute reads.
    static func of(_ expr: Expr, depth: Int = 0) -> [String]? {
        if depth > 64 { return nil }
        switch expr.kind {
        case .variable(let v): return [v.rawValue]
        case .entity(let uid): return [uid.description]
        case .parenthesized(let e): return of(e, depth: depth + 1)
        case .attribute(let e, let name), .index(let e, let name):
            guard let base = of(e, depth: depth + 1) else { return nil }
            return base + [name]
        default: return nil
        }
    }

    /// `context.args.url` written back.
    static func text(_ path: [String]) -> String { path.joined(separator: ".") }
}

/// The top-level conjuncts of a policy's conditions, each with whether it must hold (`when`)
/// or must fail (`unless`).
func policyConjuncts(_ policy: Policy) -> [(expr: Expr, positive: Bool)] {
    var out: [(Expr, Bool)] = []
    func split(_ e: Expr, _ positive: Bool, _ depth: Int) {
        if depth > 200 { out.append((e, positive)); return }
        switch e.kind {
        case .parenthesized(let inner): split(inner, positive, depth + 1)
        case .and(let a, let b) where positive: split(a, true, depth + 1); split(b, true, depth + 1)
        case .or(let a, let b) where !positive: split(a, false, depth + 1); split(b, false, depth + 1)
        case .unary(.not, let inner): split(inner, !positive, depth + 1)
        default: out.append((e, positive))
        }
    }
    for condition in policy.conditions { split(condition.body, condition.kind == .when, 0) }
    return out
}

/// What a policy's conditions say about `resource.environment`.
struct EnvironmentPin {
    /// The environment the conditions require, when they require one.
    var required: String?
    /// Environments the conditions exclude.
    var excluded: Set<String> = []

    static func of(_ policy: Policy) -> EnvironmentPin {
        var pin = EnvironmentPin()
        for (expr, positive) in policyConjuncts(policy) {
            guard case .binary(let op, let a, let b) = expr.kind, op == .equal || op == .notEqual else { continue }
            var value: String?
            if AttributePath.of(a) == ["resource", "environment"], case .literal(.string(let s)) = b.kind { value = s }
            if AttributePath.of(b) == ["resource", "environment"], case .literal(.string(let s)) = a.kind { value = s }
            guard let value else { continue }
            let equal = (op == .equal) == positive
            if equal { pin.required = value } else { pin.excluded.insert(value) }
        }
        return pin
    }
}

/// What a policy's conditions say about the step's tool (`context.tool`): flags it must or
/// must not have, effects it must or must not have.
struct ToolPin {
    var requiredFlags: Set<String> = []
    var excludedFlags: Set<String> = []
    var requiredEffect: String?
    var excludedEffects: Set<String> = []

    static func of(_ policy: Policy) -> ToolPin {
        var pin = ToolPin()
        for (expr, positive) in policyConjuncts(policy) {
            switch expr.kind {
            case .methodCall(let receiver, .contains, let args):
                guard AttributePath.of(receiver) == ["context", "tool", "flags"], args.count == 1,
                      case .literal(.string(let flag)) = args[0].kind else { continue }
                if positive { pin.requiredFlags.insert(flag) } else { pin.excludedFlags.insert(flag) }
            case .binary(let op, let a, let b) where op == .equal || op == .notEqual:
                var value: String?
                if AttributePath.of(a) == ["context", "tool", "effect"], case .literal(.string(let s)) = b.kind { value = s }
                if AttributePath.of(b) == ["context", "tool", "effect"], case .literal(.string(let s)) = a.kind { value = s }
                guard let value else { continue }
                if (op == .equal) == positive { pin.requiredEffect = value } else { pin.excludedEffects.insert(value) }
            default:
                continue
            }
        }
        return pin
    }

    /// Whether a step running `action` can satisfy these requirements.
    func admits(_ action: CatalogAction) -> Bool {
        let flags = Set(action.flags.map(\.rawValue))
        if !requiredFlags.isSubset(of: flags) || !excludedFlags.isDisjoint(with: flags) { return false }
        if let requiredEffect, requiredEffect != action.effect.rawValue { return false }
        return !excludedEffects.contains(action.effect.rawValue)
    }
}

/// Whether an environment name means production.
func isProductionName(_ name: String) -> Bool {
    let lowered = name.lowercased()
    return lowered == "production" || lowered == "prod"
}

extension PolicySetModel {
    /// Whether the entity is a production resource: its `environment` attribute says so, its id
    /// is `production`/`prod`, or one of its ancestors is.
    func isProduction(_ uid: EntityUID) -> Bool {
        if isProductionName(uid.id) { return true }
        guard let entity = entity(uid) else { return false }
        if case .string(let env)? = entity.attributes["environment"], isProductionName(env) { return true }
        for ancestor in entities?.ancestors(of: uid) ?? [] where isProductionName(ancestor.id) || isProductionAttribute(ancestor) { return true }
        return false
    }

    private func isProductionAttribute(_ uid: EntityUID) -> Bool {
        if case .string(let env)? = entity(uid)?.attributes["environment"] { return isProductionName(env) }
        return false
    }

    /// The known production entities that a resource scope can match.
    func productionEntities(matching scope: ScopeConstraint) -> [EntityUID] {
        guard let entities else { return [] }
        return productionUIDs.filter { uid in
            switch scope.kind {
            case .any: return true
            case .equals(.entity(let e)): return e == uid
            case .in(.entity(let e)): return e == uid || entities.isDescendant(uid, of: e)
            case .is(let t): return uid.type == t
            case .isIn(let t, .entity(let e)): return uid.type == t && (e == uid || entities.isDescendant(uid, of: e))
            default: return false
            }
        }
    }
}

/// The first read of one member of `context` (`context.history`, `context.claims`) in an
/// expression: an attribute or index read below it, or a `has` test of it.
enum ContextRead {
    static func first(_ member: String, in expr: Expr, depth: Int = 0) -> Expr? {
        if depth > 200 { return nil }
        if let path = AttributePath.of(expr), path.count >= 2, path[0] == "context", path[1] == member { return expr }
        let next: [Expr]
        switch expr.kind {
        case .literal, .variable, .slot, .entity: next = []
        case .ifThenElse(let a, let b, let c): next = [a, b, c]
        case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b): next = [a, b]
        case .unary(_, let a), .like(let a, _), .attribute(let a, _), .index(let a, _), .parenthesized(let a): next = [a]
        case .has(let a, let path, _):
            if let base = AttributePath.of(a), (base + path).starts(with: ["context", member]) { return expr }
            next = [a]
        case .isType(let a, _, let b): next = [a] + (b.map { [$0] } ?? [])
        case .methodCall(let a, _, let args): next = [a] + args
        case .call(_, let args), .set(let args): next = args
        case .record(let entries): next = entries.map(\.value)
        }
        for e in next { if let hit = first(member, in: e, depth: depth + 1) { return hit } }
        return nil
    }
}

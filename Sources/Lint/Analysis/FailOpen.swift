import Cedar

/// What is known about an attribute path in every request a policy can see.
struct PathInfo {
    /// Present in every such request.
    var guaranteed: Bool
    /// The type, when every request agrees on it.
    var type: SchemaType?
}

/// The facts stepguard adds to every request's context (DESIGN §3); they are always present,
/// whatever the schema says.
enum StepguardContext {
    static let record: RecordType = {
        let strings = SchemaType.set(.string)
        func required(_ fields: [String: SchemaType], open: Bool = false) -> SchemaType {
            .record(RecordType(attributes: fields.mapValues { AttributeDecl(type: $0) }, additionalAttributes: open))
        }
        return RecordType(attributes: [
            "step": AttributeDecl(type: .long),
            "step_id": AttributeDecl(type: .string),
            "args": AttributeDecl(type: .record(RecordType(attributes: [:], additionalAttributes: true))),
            "history": AttributeDecl(type: required([
                "actions": strings, "tools": strings, "labels": strings, "max_sensitivity": .long,
                "external": .bool, "writes": .long, "count": .long,
            ])),
            "done": AttributeDecl(type: required([
                "actions": strings, "tools": strings, "labels": strings, "max_sensitivity": .long,
                "external": .bool, "writes": .long, "count": .long,
            ])),
            "plan": AttributeDecl(type: required(["id": .string, "owner": .string, "intent": .string, "risk": .string, "tier": .string])),
            "session": AttributeDecl(type: required(["id": .string, "risk": .string, "tier": .string])),
            "tool": AttributeDecl(type: required(["name": .string, "effect": .string, "flags": strings])),
            "now": AttributeDecl(type: .extension("datetime")),
        ], additionalAttributes: true)
    }()
}

/// Types of attribute paths for one policy, from the schema (when there is one) and the
/// context facts stepguard always provides.
struct TypeEnvironment {
    let schema: Schema?
    let environments: [Schema.RequestEnvironment]

    init(policy: Policy, set: PolicySetModel) {
        self.schema = set.schema
        guard let schema = set.schema else { environments = []; return }
        func typeMatches(_ type: String, _ scope: ScopeConstraint) -> Bool {
            switch scope.kind {
            case .any, .in, .equals(.slot): return true
            case .equals(.entity(let uid)): return uid.type == type
            case .is(let t), .isIn(let t, _): return t == type
            }
        }
        environments = schema.requestEnvironments.filter { env in
            let actionMatches: Bool
            switch policy.action.kind {
            case .any: actionMatches = true
            case .equals(let a): actionMatches = env.action == a
            case .in(let g): actionMatches = set.action(env.action, isIn: g)
            case .inList(let gs): actionMatches = gs.contains { set.action(env.action, isIn: $0) }
            }
            return actionMatches && typeMatches(env.principalType, policy.principal) && typeMatches(env.resourceType, policy.resource)
        }
    }

    func lookup(_ path: [String]) -> PathInfo {
        guard let root = path.first, path.count >= 2 else { return PathInfo(guaranteed: true, type: nil) }
        // stepguard's own facts first: they exist whatever the schema says.
        if root == "context", let info = walk(.record(StepguardContext.record), path.dropFirst()), info.guaranteed {
            return info
        }
        if let type = entityLiteralType(root) {
            // An entity named in the policy: its attributes exist only if the entity does.
            guard schema != nil else { return PathInfo(guaranteed: false, type: nil) }
            let info = walk(.entity(type), path.dropFirst()) ?? PathInfo(guaranteed: false, type: nil)
            return PathInfo(guaranteed: false, type: info.type)
        }
        guard !environments.isEmpty else {
            if root == "context", let info = walk(.record(StepguardContext.record), path.dropFirst()) { return info }
            return PathInfo(guaranteed: false, type: nil)
        }
        var infos: [PathInfo] = []
        for env in environments {
            let start: SchemaType
            switch root {
            case "principal": start = .entity(env.principalType)
            case "resource": start = .entity(env.resourceType)
            case "context": start = .record(env.context)
            default:
                guard let type = entityLiteralType(root) else { return PathInfo(guaranteed: false, type: nil) }
                start = .entity(type)
            }
            infos.append(walk(start, path.dropFirst()) ?? PathInfo(guaranteed: false, type: nil))
        }
        let type = infos.first?.type
        return PathInfo(guaranteed: infos.allSatisfy(\.guaranteed), type: infos.allSatisfy { $0.type == type } ? type : nil)
    }

    /// The entity type of a path root written as an entity literal (`Freeze::"x"`).
    private func entityLiteralType(_ root: String) -> String? {
        guard let quote = root.firstIndex(of: "\""), root[..<quote].hasSuffix("::") else { return nil }
        return String(root[..<quote].dropLast(2))
    }

    /// Follows `names` from a value of type `start`; nil when a step leaves what is declared.
    private func walk(_ start: SchemaType, _ names: ArraySlice<String>) -> PathInfo? {
        var current = start
        var guaranteed = true
        for name in names {
            let record: RecordType
            switch current {
            case .record(let r): record = r
            case .entity(let typeName):
                guard let decl = schema?.entityType(typeName) else { return PathInfo(guaranteed: false, type: nil) }
                record = decl.shape
            default:
                return nil
            }
            guard let attribute = record.attributes[name] else { return PathInfo(guaranteed: false, type: nil) }
            if !attribute.required { guaranteed = false }
            current = attribute.type
        }
        return PathInfo(guaranteed: guaranteed, type: current)
    }
}

/// One way a policy's condition can raise an error at evaluation.
struct EvaluationHazard {
    var span: SourceSpan
    var message: String
    var hint: String
}

/// Finds attribute reads without a `has` guard and operands of the wrong type.
struct HazardFinder {
    let env: TypeEnvironment
    var hazards: [EvaluationHazard] = []

    init(env: TypeEnvironment) { self.env = env }

    static func hazards(in policy: Policy, set: PolicySetModel) -> [EvaluationHazard] {
        var finder = HazardFinder(env: TypeEnvironment(policy: policy, set: set))
        var guards = Set<String>()
        for condition in policy.conditions {
            finder.check(condition.body, guards, 0)
            guards.formUnion(finder.facts(condition.body, positive: condition.kind == .when, 0))
        }
        return finder.hazards
    }

    func text(_ e: Expr) -> String? { AttributePath.of(e).map(AttributePath.text) }

    /// The static type of an expression, when known.
    func type(_ e: Expr) -> SchemaType? {
        switch e.kind {
        case .literal(.bool): return .bool
        case .literal(.long): return .long
        case .literal(.string): return .string
        case .entity(let uid): return .entity(uid.type)
        case .parenthesized(let inner): return type(inner)
        case .attribute, .index:
            guard let path = AttributePath.of(e) else { return nil }
            return env.lookup(path).type
        default: return nil
        }
    }

    func describe(_ e: Expr) -> String {
        if let t = text(e) { return "`\(t)`" }
        switch e.kind {
        case .literal(.string(let s)): return cedarQuoted(s)
        case .literal(.long(let n)): return String(n)
        case .literal(.bool(let b)): return b ? "true" : "false"
        default: return "the operand"
        }
    }

    mutating func expect(_ e: Expr, _ allowed: (SchemaType) -> Bool, _ need: String, _ op: String) {
        guard let t = type(e), !allowed(t) else { return }
        hazards.append(EvaluationHazard(
            span: e.span, message: "\(describe(e)) is \(t), but `\(op)` needs \(need): the expression is a type error",
            hint: "compare values of the same type; check the schema or the value stepguard provides"))
    }

    static func isLongLike(_ t: SchemaType) -> Bool {
        switch t {
        case .long: return true
        case .extension(let name): return name == "datetime" || name == "duration" || name == "decimal"
        default: return false
        }
    }

    mutating func check(_ e: Expr, _ guards: Set<String>, _ depth: Int) {
        if depth > 200 { return }
        let d = depth + 1
        switch e.kind {
        case .literal, .variable, .slot, .entity: return
        case .parenthesized(let inner): check(inner, guards, d)
        case .and(let a, let b), .or(let a, let b):
            let isAnd: Bool
            if case .and = e.kind { isAnd = true } else { isAnd = false }
            check(a, guards, d)
            check(b, guards.union(facts(a, positive: isAnd, d)), d)
            expect(a, { $0 == .bool }, "Bool", isAnd ? "&&" : "||")
            expect(b, { $0 == .bool }, "Bool", isAnd ? "&&" : "||")
        case .ifThenElse(let c, let t, let f):
            check(c, guards, d)
            check(t, guards.union(facts(c, positive: true, d)), d)
            check(f, guards.union(facts(c, positive: false, d)), d)
            expect(c, { $0 == .bool }, "Bool", "if")
        case .unary(let op, let x):
            check(x, guards, d)
            if op == .not { expect(x, { $0 == .bool }, "Bool", "!") } else { expect(x, { $0 == .long }, "Long", "-") }
        case .binary(let op, let a, let b):
            check(a, guards, d)
            check(b, guards, d)
            switch op {
            case .less, .lessEqual, .greater, .greaterEqual:
                expect(a, Self.isLongLike, "Long", op.rawValue)
                expect(b, Self.isLongLike, "Long", op.rawValue)
            case .add, .sub, .mul:
                expect(a, { $0 == .long }, "Long", op.rawValue)
                expect(b, { $0 == .long }, "Long", op.rawValue)
            case .in:
                expect(a, { if case .entity = $0 { return true } else { return false } }, "an entity", "in")
                expect(b, { t in
                    if case .entity = t { return true }
                    if case .set(.entity) = t { return true }
                    return false
                }, "an entity or a set of entities", "in")
            case .equal, .notEqual:
                break
            }
        case .has(let base, _, _):
            check(base, guards, d)
            expect(base, { t in
                switch t { case .record, .entity: return true; default: return false }
            }, "a record or an entity", "has")
        case .like(let x, _):
            check(x, guards, d)
            expect(x, { $0 == .string }, "String", "like")
        case .isType(let x, _, let inExpr):
            check(x, guards, d)
            if let inExpr { check(inExpr, guards, d) }
        case .attribute(let base, let name), .index(let base, let name):
            check(base, guards, d)
            expect(base, { t in
                switch t { case .record, .entity: return true; default: return false }
            }, "a record or an entity", ".\(name)")
            guard let path = AttributePath.of(e) else { return }
            let key = AttributePath.text(path)
            if guards.contains(key) { return }
            if env.lookup(path).guaranteed { return }
            let baseText = AttributePath.text(Array(path.dropLast()))
            hazards.append(EvaluationHazard(
                span: e.span,
                message: "`\(key)` is read without `\(baseText) has \(name)`; when it is missing the condition errors",
                hint: "guard the read: `\(baseText) has \(name) && \(key) ...`"))
        case .methodCall(let receiver, let method, let args):
            check(receiver, guards, d)
            for arg in args { check(arg, guards, d) }
            switch method {
            case .contains, .containsAll, .containsAny, .isEmpty:
                expect(receiver, { if case .set = $0 { return true } else { return false } }, "a Set", ".\(method.rawValue)()")
            case .getTag:
                if let base = text(receiver), args.count == 1, case .literal(.string(let tag)) = args[0].kind,
                   guards.contains("\(base)#tag:\(tag)") { return }
                hazards.append(EvaluationHazard(
                    span: e.span, message: "`getTag` is called without a `hasTag` guard; when the tag is missing the condition errors",
                    hint: "guard it: `\(text(receiver) ?? "e").hasTag(...) && ...`"))
            default:
                break
            }
        case .call(_, let args):
            for arg in args { check(arg, guards, d) }
        case .set(let elements):
            for element in elements { check(element, guards, d) }
        case .record(let entries):
            for entry in entries { check(entry.value, guards, d) }
        }
    }

    /// Attribute paths known present when `e` evaluates to `positive`.
    func facts(_ e: Expr, positive: Bool, _ depth: Int) -> Set<String> {
        if depth > 200 { return [] }
        let d = depth + 1
        switch e.kind {
        case .parenthesized(let inner): return facts(inner, positive: positive, d)
        case .has(let base, let path, _):
            guard positive, let root = AttributePath.of(base) else { return [] }
            var out = Set<String>()
            for i in 1...path.count { out.insert(AttributePath.text(root + path.prefix(i))) }
            return out
        case .unary(.not, let x): return facts(x, positive: !positive, d)
        case .and(let a, let b):
            if positive { return facts(a, positive: true, d).union(facts(b, positive: true, d)) }
            return facts(a, positive: false, d).intersection(facts(b, positive: false, d))
        case .or(let a, let b):
            if !positive { return facts(a, positive: false, d).union(facts(b, positive: false, d)) }
            return facts(a, positive: true, d).intersection(facts(b, positive: true, d))
        case .ifThenElse(let c, let t, let f):
            let whenTrue = facts(c, positive: true, d).union(facts(t, positive: positive, d))
            let whenFalse = facts(c, positive: false, d).union(facts(f, positive: positive, d))
            return whenTrue.intersection(whenFalse)
        case .methodCall(let receiver, .hasTag, let args):
            guard positive, let base = text(receiver), args.count == 1, case .literal(.string(let tag)) = args[0].kind else { return [] }
            return ["\(base)#tag:\(tag)"]
        default:
            return []
        }
    }
}

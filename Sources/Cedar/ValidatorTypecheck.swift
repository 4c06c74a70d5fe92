// Type checking of one policy condition in one request environment (a principal type, an
// action and a resource type), following Cedar's strict-mode rules.
//
// Besides a type, checking an expression yields a *capability* set: the attributes (and tags)
// known to exist when the expression evaluates to `true`. `e has a && e.a` is accepted for an
// optional `a` because the left operand's capability is in force while checking the right one.
// Boolean constants are tracked as the singleton types True and False so that `&&`, `||` and
// `if` can skip branches that never run and a policy that can never apply is recognised.

import Basics
import JSONValue

/// Knowledge that an attribute or tag exists on an expression (compared by shape, not position).
struct Capability: Hashable {
    var on: String
    var name: String
    var isTag: Bool
}

/// The result of checking an expression: its type (when one could be given), the capabilities
/// it establishes when true, and whether it checked without error.
struct TypeAnswer {
    var type: VType?
    var capabilities: Set<Capability> = []
    var ok: Bool
    /// For an attribute access, how to describe it in messages (`foo.bar` on entity type `User`).
    var access: AttributeAccess?

    static func success(_ t: VType?, _ caps: Set<Capability> = []) -> TypeAnswer { TypeAnswer(type: t, capabilities: caps, ok: true) }
    static func failure(_ t: VType?) -> TypeAnswer { TypeAnswer(type: t, ok: false) }

    /// Continues with this answer's type; a failed answer stays failed (its continuation still
    /// runs, so that errors further on are reported too) and contributes no capabilities.
    func then(_ f: (VType?, Set<Capability>) -> TypeAnswer) -> TypeAnswer {
        var r = f(type, ok ? capabilities : [])
        if !ok { r.ok = false }
        return r
    }
}

/// What an attribute access reads, for messages.
enum AttributeAccess {
    case entity(Set<String>, [String])
    case context(EntityUID, [String])
    case other([String])

    var path: [String] {
        switch self {
        case .entity(_, let p), .context(_, let p), .other(let p): return p
        }
    }

    func appending(_ a: String) -> AttributeAccess {
        switch self {
        case .entity(let l, let p): return .entity(l, p + [a])
        case .context(let c, let p): return .context(c, p + [a])
        case .other(let p): return .other(p + [a])
        }
    }

    var description: String {
        var rendered = ""
        for (i, a) in self.path.enumerated() {
            if isSchemaIdentifier(a) {
                rendered += (i == 0 ? "" : ".") + a
            } else {
                rendered += "[\(cedarQuoted(a))]"
            }
        }
        let path = "`" + rendered + "`"
        switch self {
        case .entity(let l, _):
            if l.count == 1 { return "\(path) on entity type `\(l.first!)`" }
            return "\(path) on entity types " + l.sorted().map { "`\($0)`" }.joined(separator: ", ")
        case .context(let a, _): return "\(path) in context for \(a)"
        case .other: return path
        }
    }

    /// The `has` guard that would make the access safe.
    var suggestedGuard: String {
        let p = path
        let base: String
        if case .context = self { base = "context" } else { base = "e" }
        let prefix = ([base] + p.dropLast()).joined(separator: ".")
        return "\(prefix) has \(p.last ?? "f")"
    }
}

/// One request environment to check a policy in.
struct RequestEnv {
    var principal: String
    var action: EntityUID
    var resource: String
    var context: VRecord
    /// The entity types `?principal` and `?resource` are linked to in this check, if the policy is a template.
    var principalSlot: String?
    var resourceSlot: String?
}

/// The signature of an extension function; receivers of method calls are the first argument.
struct ExtensionSignature {
    var arguments: [VType]
    var result: VType
    /// Constructors whose literal arguments are parsed while validating.
    var constructor: FunctionName?
}

let extensionConstructors: [FunctionName: ExtensionSignature] = [
    .ip: ExtensionSignature(arguments: [.string], result: .ext("ipaddr"), constructor: .ip),
    .decimal: ExtensionSignature(arguments: [.string], result: .ext("decimal"), constructor: .decimal),
    .datetime: ExtensionSignature(arguments: [.string], result: .ext("datetime"), constructor: .datetime),
    .duration: ExtensionSignature(arguments: [.string], result: .ext("duration"), constructor: .duration),
]

let extensionMethods: [MethodName: ExtensionSignature] = {
    let ip = VType.ext("ipaddr"), dec = VType.ext("decimal"), dt = VType.ext("datetime"), dur = VType.ext("duration")
    var m: [MethodName: ExtensionSignature] = [:]
    for n in [MethodName.isIpv4, .isIpv6, .isLoopback, .isMulticast] { m[n] = ExtensionSignature(arguments: [ip], result: .bool) }
    m[.isInRange] = ExtensionSignature(arguments: [ip, ip], result: .bool)
    for n in [MethodName.lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual] {
        m[n] = ExtensionSignature(arguments: [dec, dec], result: .bool)
    }
    m[.offset] = ExtensionSignature(arguments: [dt, dur], result: dt)
    m[.durationSince] = ExtensionSignature(arguments: [dt, dt], result: dur)
    m[.toDate] = ExtensionSignature(arguments: [dt], result: dt)
    m[.toTime] = ExtensionSignature(arguments: [dt], result: dur)
    for n in [MethodName.toDays, .toHours, .toMinutes, .toSeconds, .toMilliseconds] {
        m[n] = ExtensionSignature(arguments: [dur], result: .long)
    }
    return m
}()

/// Extension types that support `<`, `<=`, `>`, `>=`.
let orderedExtensionTypes: [String] = ["datetime", "duration"]

/// Whether `s` is a valid literal argument of the extension constructor `fn`; the message says
/// why not.
func extensionLiteralProblem(_ fn: FunctionName, _ s: String) -> String? {
    let ok: Bool
    let what: String
    switch fn {
    case .ip:
        what = "IP address"
        if case .success = IPAddress.parse(s) { ok = true } else { ok = false }
    case .decimal:
        what = "a decimal value"
        if case .success = CedarDecimal.parse(s) { ok = true } else { ok = false }
    case .datetime:
        what = "a datetime value"
        if case .success = CedarDatetime.parse(s) { ok = true } else { ok = false }
    case .duration:
        what = "a duration value"
        if case .success = CedarDuration.parse(s) { ok = true } else { ok = false }
    }
    return ok ? nil : "failed to parse as \(what): `\(cedarQuoted(s))`"
}

/// Checks expressions of one policy in one request environment, collecting errors.
struct PolicyTypechecker {
    let types: TypeSystem
    let env: RequestEnv
    let policyID: String
    var errors: [ValidationError] = []
    /// Bounds recursion for trees built in code (parsed trees are already bounded by the parser).
    static let maxDepth = 2_000

    var schema: Schema { types.schema }

    init(types: TypeSystem, env: RequestEnv, policyID: String) {
        self.types = types
        self.env = env
        self.policyID = policyID
    }

    mutating func report(_ kind: ValidationErrorKind, _ span: SourceSpan, _ message: String, help: String? = nil) {
        errors.append(ValidationError(policyID: policyID, span: span, kind: kind, message: message, help: help))
    }

    // MARK: Helpers

    mutating func expect(
        _ e: Expr, _ prior: Set<Capability>, _ expected: [VType], depth: Int, help: (VType) -> String? = { _ in nil }
    ) -> TypeAnswer {
        let actual = typecheck(e, prior, depth: depth)
        return actual.then { t, caps in
            guard let t else { return .failure(nil) }
            if !expected.contains(where: { types.isSubtype(t, $0, strict: false) }) {
                let list = expected.map(\.description).joined(separator: ", or ")
                report(.unexpectedType, e.span, "unexpected type: expected \(list) but saw \(t)", help: help(t))
                return .failure(nil)
            }
            var r = TypeAnswer.success(t, caps)
            r.access = actual.access
            return r
        }
    }

    mutating func lubOrError(_ span: SourceSpan, _ ts: [VType?], context: String) -> VType? {
        var known: [VType] = []
        for t in ts {
            guard let t else { return nil }
            known.append(t)
        }
        switch types.lub(known, strict: true) {
        case .success(let t): return t
        case .failure(let e):
            reportIncompatible(span, known, context: context, help: e.help)
            return nil
        }
    }

    mutating func reportIncompatible(_ span: SourceSpan, _ ts: [VType], context: String, help: LubHelp) {
        var names: [String] = []
        for t in ts where !names.contains(t.description) { names.append(t.description) }
        names.sort()
        let joined = names.count <= 2 ? names.joined(separator: " and ") : names.dropLast().joined(separator: ", ") + ", and " + names.last!
        report(.incompatibleTypes, span, "the types \(joined) are not compatible", help: "\(context) must have compatible types; \(help.text)")
    }

    /// The shape of an expression: what capabilities are keyed by. Positions, parentheses and
    /// the `.a` / `["a"]` spelling do not matter.
    func shape(_ e: Expr) -> String {
        switch e.kind {
        case .parenthesized(let x): return shape(x)
        case .literal(let l):
            switch l {
            case .bool(let b): return b ? "true" : "false"
            case .long(let n): return String(n)
            case .string(let s): return cedarQuoted(s)
            }
        case .variable(let v): return v.rawValue
        case .slot(let s): return s.rawValue
        case .entity(let uid): return uid.description
        case .ifThenElse(let a, let b, let c): return "if(\(shape(a)),\(shape(b)),\(shape(c)))"
        case .and(let a, let b): return "and(\(shape(a)),\(shape(b)))"
        case .or(let a, let b): return "or(\(shape(a)),\(shape(b)))"
        case .unary(let op, let a): return "\(op.rawValue)(\(shape(a)))"
        case .binary(let op, let a, let b):
            switch op {
            case .notEqual: return "!(==(\(shape(a)),\(shape(b))))"
            case .greater: return "<(\(shape(b)),\(shape(a)))"
            case .greaterEqual: return "<=(\(shape(b)),\(shape(a)))"
            default: return "\(op.rawValue)(\(shape(a)),\(shape(b)))"
            }
        case .has(let x, let path, _): return "has(\(shape(x)),\(path.map(cedarQuoted).joined(separator: ".")))"
        case .like(let x, let p): return "like(\(shape(x)),\(p))"
        case .isType(let x, let t, let i): return "is(\(shape(x)),\(t),\(i.map(shape) ?? ""))"
        case .attribute(let x, let a), .index(let x, let a): return "get(\(shape(x)),\(cedarQuoted(a)))"
        case .methodCall(let x, let m, let args): return "\(m.rawValue)(\(([x] + args).map(shape).joined(separator: ",")))"
        case .call(let f, let args): return "\(f.rawValue)(\(args.map(shape).joined(separator: ",")))"
        case .set(let xs): return "[\(xs.map(shape).joined(separator: ","))]"
        case .record(let entries):
            return "{\(entries.sorted { $0.key < $1.key }.map { "\(cedarQuoted($0.key)):\(shape($0.value))" }.joined(separator: ","))}"
        }
    }

    func stripParens(_ e: Expr) -> Expr {
        var e = e
        while case .parenthesized(let x) = e.kind { e = x }
        return e
    }

    /// A literal (the `action` variable counts as the environment's action uid).
    func literal(_ e: Expr) -> String? {
        let e = stripParens(e)
        switch e.kind {
        case .literal, .entity: return shape(e)
        case .variable(.action): return env.action.description
        default: return nil
        }
    }

    func entityLiteral(_ e: Expr) -> EntityUID? {
        let e = stripParens(e)
        switch e.kind {
        case .entity(let uid): return uid
        case .variable(.action): return env.action
        default: return nil
        }
    }

    func entityLiterals(_ e: Expr) -> [EntityUID]? {
        if let one = entityLiteral(e) { return [one] }
        if case .set(let xs) = stripParens(e).kind {
            var out: [EntityUID] = []
            for x in xs {
                guard let u = entityLiteral(x) else { return nil }
                out.append(u)
            }
            return out
        }
        return nil
    }

    static func isActionType(_ name: String) -> Bool { Schema.isActionTypeName(name) }

    // MARK: Expressions

    mutating func typecheck(_ e: Expr, _ prior: Set<Capability>, depth: Int) -> TypeAnswer {
        if depth > Self.maxDepth {
            report(.tooDeep, e.span, "the expression is nested too deeply to validate (more than \(Self.maxDepth) levels)")
            return .failure(nil)
        }
        let d = depth + 1
        switch e.kind {
        case .parenthesized(let x):
            return typecheck(x, prior, depth: d)
        case .variable(.principal):
            return .success(.single(env.principal))
        case .variable(.resource):
            return .success(.single(env.resource))
        case .variable(.action):
            return .success(.actionEntity(env.action.type))
        case .variable(.context):
            return .success(.record(env.context))
        case .slot(let s):
            let linked = s == .principal ? env.principalSlot : env.resourceSlot
            return .success(linked.map { VType.single($0) } ?? .anyEntity)
        case .literal(.bool(let b)):
            return .success(b ? .trueType : .falseType)
        case .literal(.long):
            return .success(.long)
        case .literal(.string):
            return .success(.string)
        case .entity(let uid):
            // Unknown types and actions are reported once per policy, not here.
            if Self.isActionType(uid.type) {
                return schema.action(uid) != nil ? .success(.actionEntity(uid.type)) : .failure(nil)
            }
            return schema.entityType(uid.type) != nil ? .success(.single(uid.type)) : .failure(nil)
        case .ifThenElse(let c, let a, let b):
            return typecheckIf(e, c, a, b, prior, d)
        case .and(let a, let b):
            return typecheckAnd(e, a, b, prior, d)
        case .or(let a, let b):
            return typecheckOr(e, a, b, prior, d)
        case .unary(.not, let a):
            return expect(a, prior, [.bool], depth: d).then { t, _ in
                switch t {
                case .trueType?: return .success(.falseType)
                case .falseType?: return .success(.trueType)
                case nil: return .failure(.bool)
                default: return .success(.bool)
                }
            }
        case .unary(.neg, let a):
            return expect(a, prior, [.long], depth: d).then { _, _ in .success(.long) }
        case .binary(let op, let a, let b):
            return typecheckBinary(e, op, a, b, prior, d)
        case .has(let x, let path, _):
            if path.count == 1 { return typecheckHas(e, x, path[0], prior, d) }
            return typecheckHasPath(e, x, path, prior, d)
        case .like(let x, _):
            let help: (VType) -> String? = { t in
                switch t {
                case .entity, .anyEntity: return "try using `is` to test for an entity type"
                default: return nil
                }
            }
            return expect(x, prior, [.string], depth: d, help: help).then { _, _ in .success(.bool) }
        case .isType(let x, let t, let inExpr):
            if let inExpr {
                // `e is T in x` means `e is T && e in x`.
                let isPart = Expr(.isType(x, type: t, in: nil), span: e.span)
                let inPart = Expr(.binary(.in, x, inExpr), span: e.span)
                return typecheckAnd(e, isPart, inPart, prior, d)
            }
            return expect(x, prior, [.anyEntity], depth: d, help: { _ in "Cedar only supports run time type tests for entities" }).then { actual, _ in
                switch actual {
                case .entity(let names)?:
                    if !names.contains(t) { return .success(.falseType) }
                    if names.count == 1 { return .success(.trueType) }
                    return .success(.bool)
                case .actionEntity(let n)?:
                    return .success(n == t ? .trueType : .falseType)
                case .anyEntity?:
                    return .success(.bool)
                default:
                    return .failure(.bool)
                }
            }
        case .attribute(let x, let a), .index(let x, let a):
            return typecheckGetAttr(e, x, a, prior, d)
        case .methodCall(let x, let m, let args):
            return typecheckMethod(e, x, m, args, prior, d)
        case .call(let f, let args):
            guard let signature = extensionConstructors[f] else {
                report(.unexpectedType, e.span, "the function `\(f.rawValue)` is not known to the validator")
                return .failure(nil)
            }
            return typecheckExtension(e, signature, args, prior, d)
        case .set(let xs):
            var answers: [TypeAnswer] = []
            for x in xs { answers.append(typecheck(x, prior, depth: d)) }
            let allOK = answers.allSatisfy(\.ok)
            if xs.isEmpty {
                report(.emptySetForbidden, e.span, "empty set literals are forbidden in policies",
                       help: "the validator cannot tell the element type of `[]`; compare with a set that has elements or use `isEmpty()`")
                return .failure(nil)
            }
            guard let element = lubOrError(e.span, answers.map(\.type), context: "elements of a set") else {
                return .failure(nil)
            }
            return allOK ? .success(.set(element)) : .failure(.set(element))
        case .record(let entries):
            var attrs: [String: VAttr] = [:]
            var allOK = true
            var typed = true
            for entry in entries {
                let a = typecheck(entry.value, prior, depth: d)
                allOK = allOK && a.ok
                if let t = a.type { attrs[entry.key] = VAttr(type: t, required: true) } else { typed = false }
            }
            let t: VType? = typed ? .record(VRecord(attrs: attrs, open: false)) : nil
            return allOK ? .success(t) : .failure(t)
        }
    }

    mutating func typecheckIf(_ e: Expr, _ c: Expr, _ a: Expr, _ b: Expr, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let test = expect(c, prior, [.bool], depth: d)
        return test.then { tt, testCaps in
            if tt == .trueType {
                return typecheck(a, prior.union(testCaps), depth: d).then { t, caps in .success(t, caps.union(testCaps)) }
            }
            if tt == .falseType {
                return typecheck(b, prior, depth: d).then { t, caps in .success(t, caps) }
            }
            let thenAnswer = typecheck(a, prior.union(testCaps), depth: d)
            let elseAnswer = typecheck(b, prior, depth: d)
            return thenAnswer.then { t1, c1 in
                elseAnswer.then { t2, c2 in
                    guard let joined = lubOrError(e.span, [t1, t2], context: "both branches of a conditional") else {
                        return .failure(nil)
                    }
                    return .success(joined, c1.union(testCaps).intersection(c2))
                }
            }
        }
    }

    mutating func typecheckAnd(_ e: Expr, _ a: Expr, _ b: Expr, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let left = expect(a, prior, [.bool], depth: d)
        return left.then { lt, lc in
            if lt == .falseType { return .success(.falseType) }
            let right = expect(b, prior.union(lc), [.bool], depth: d)
            return right.then { rt, rc in
                switch (lt, rt) {
                case (.some, .falseType?): return .success(.falseType)
                case (.some(let l), .trueType?): return .success(l, lc.union(rc))
                case (.trueType?, .some(let r)): return .success(r, rc)
                case (.some, .some): return .success(.bool, lc.union(rc))
                default: return .failure(.bool)
                }
            }
        }
    }

    mutating func typecheckOr(_ e: Expr, _ a: Expr, _ b: Expr, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let left = expect(a, prior, [.bool], depth: d)
        return left.then { lt, lc in
            if lt == .trueType { return .success(.trueType, lc) }
            let right = expect(b, prior, [.bool], depth: d)
            return right.then { rt, rc in
                switch (lt, rt) {
                case (.some, .trueType?): return .success(.trueType, rc)
                case (.some(let l), .falseType?): return .success(l, lc)
                case (.falseType?, .some(let r)): return .success(r, rc)
                case (.some, .some): return .success(.bool, rc.intersection(lc))
                default: return .failure(.bool)
                }
            }
        }
    }

    // MARK: Attributes and tags

    func describeAccess(_ target: Expr, _ targetAnswer: TypeAnswer, _ attr: String) -> AttributeAccess {
        if case .entity(let names)? = targetAnswer.type { return .entity(names, [attr]) }
        if case .variable(.context) = stripParens(target).kind { return .context(env.action, [attr]) }
        if let inner = targetAnswer.access { return inner.appending(attr) }
        return .other([attr])
    }

    mutating func typecheckGetAttr(_ e: Expr, _ x: Expr, _ attr: String, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let target = expect(x, prior, [.anyEntity, .anyRecord], depth: d)
        return target.then { t, _ in
            guard let t else { return .failure(nil) }
            let access = describeAccess(x, target, attr)
            var answer: TypeAnswer
            if let a = types.lookupAttribute(t, attr) {
                if a.required || prior.contains(Capability(on: shape(x), name: attr, isTag: false)) {
                    answer = .success(a.type)
                } else {
                    report(.unsafeOptionalAttributeAccess, e.span,
                           "unable to guarantee safety of access to optional attribute \(access.description)",
                           help: "try testing for the attribute's presence with `\(access.suggestedGuard) && ..`")
                    answer = .failure(a.type)
                }
            } else {
                let known = types.attributes(of: t).map { Array($0.keys) } ?? []
                let suggestion = EditDistance.suggestion(for: attr, among: known)
                let mayExist = types.mayHaveAttribute(t, attr)
                var help: String?
                switch (suggestion, mayExist) {
                case (let s?, false): help = "did you mean `\(s)`?"
                case (nil, true): help = "there may be additional attributes that the validator is not able to reason about"
                case (let s?, true): help = "did you mean `\(s)`? (there may also be additional attributes that the validator is not able to reason about)"
                case (nil, false): help = nil
                }
                report(.unsafeAttributeAccess, e.span, "attribute \(access.description) not found", help: help)
                answer = .failure(nil)
            }
            answer.access = access
            return answer
        }
    }

    mutating func typecheckHas(_ e: Expr, _ x: Expr, _ attr: String, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let target = expect(x, prior, [.anyEntity, .anyRecord], depth: d, help: hasHelp)
        return target.then { t, _ in
            guard let t else { return .failure(.bool) }
            let cap = Capability(on: shape(x), name: attr, isTag: false)
            if let a = types.lookupAttribute(t, attr) {
                let isRecord: Bool
                if case .record = t { isRecord = true } else { isRecord = false }
                let known = prior.contains(cap) || (a.required && isRecord)
                return .success(known ? .trueType : .bool, [cap])
            }
            return .success(types.mayHaveAttribute(t, attr) ? .bool : .falseType)
        }
    }

    func hasHelp(_ t: VType) -> String? {
        switch t {
        case .set: return "try using `contains`, `containsAny`, or `containsAll` to examine the contents of a set"
        case .string: return "try using `like` to examine the contents of a string"
        default: return nil
        }
    }

    /// `e has a.b.c`: checked as `e has a && e.a has b && e.a.b has c`.
    mutating func typecheckHasPath(_ e: Expr, _ x: Expr, _ path: [String], _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let target = expect(x, prior, [.anyEntity, .anyRecord], depth: d, help: hasHelp)
        return target.then { t0, _ in
            guard var current = t0 else { return .failure(.bool) }
            var currentShape = shape(x)
            var caps = prior
            var steps: [(VType, Set<Capability>)] = []
            var currentAccess: TypeAnswer = target
            var currentExpr = x
            for (i, attr) in path.enumerated() {
                let knownToExist: Bool
                switch current {
                case .record: knownToExist = true
                case .entity, .anyEntity, .actionEntity: knownToExist = false
                default:
                    report(.unexpectedType, e.span, "unexpected type: expected entity, or record but saw \(current)", help: hasHelp(current))
                    return .failure(.bool)
                }
                let cap = Capability(on: currentShape, name: attr, isTag: false)
                var stepType: VType
                var stepCaps: Set<Capability> = []
                if let a = types.lookupAttribute(current, attr) {
                    if caps.contains(cap) || (a.required && knownToExist) {
                        stepType = .trueType
                    } else {
                        stepType = .bool
                        stepCaps = [cap]
                    }
                } else {
                    stepType = types.mayHaveAttribute(current, attr) ? .bool : .falseType
                }
                steps.append((stepType, stepCaps))
                if i == path.count - 1 || stepType == .falseType { break }
                caps.formUnion(stepCaps)
                guard let a = types.lookupAttribute(current, attr) else { return .failure(.bool) }
                if !a.required && !caps.contains(cap) {
                    let access = describeAccess(currentExpr, currentAccess, attr)
                    report(.unsafeOptionalAttributeAccess, e.span,
                           "unable to guarantee safety of access to optional attribute \(access.description)",
                           help: "try testing for the attribute's presence with `\(access.suggestedGuard) && ..`")
                    return .failure(.bool)
                }
                var next = TypeAnswer.success(a.type)
                next.access = describeAccess(currentExpr, currentAccess, attr)
                currentAccess = next
                currentExpr = Expr(.attribute(currentExpr, attr), span: e.span)
                current = a.type
                currentShape = "get(\(currentShape),\(cedarQuoted(attr)))"
            }
            guard var (resultType, resultCaps) = steps.popLast() else { return .success(.bool) }
            while let (stepType, stepCaps) = steps.popLast() {
                switch resultType {
                case .falseType: resultCaps = []
                case .trueType:
                    resultType = stepType
                    resultCaps = stepCaps.union(resultCaps)
                default:
                    resultCaps = stepCaps.union(resultCaps)
                }
            }
            return .success(resultType, resultCaps)
        }
    }

    // MARK: Operators

    mutating func typecheckBinary(_ e: Expr, _ op: BinaryOp, _ a: Expr, _ b: Expr, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        switch op {
        case .equal:
            let l = typecheck(a, prior, depth: d)
            let r = typecheck(b, prior, depth: d)
            return l.then { lt, _ in
                r.then { rt, _ in
                    var result = VType.bool
                    if let lt, let rt, types.disjoint(lt, rt) {
                        result = .falseType
                    } else if let x = literal(a), let y = literal(b) {
                        result = x == y ? .trueType : .falseType
                    }
                    return strictEquality(e, result, lt, rt, context: "both operands to a `==` expression")
                }
            }
        case .notEqual:
            return typecheck(Expr(.unary(.not, Expr(.binary(.equal, a, b), span: e.span)), span: e.span), prior, depth: d)
        case .greater:
            return typecheckBinary(e, .less, b, a, prior, d)
        case .greaterEqual:
            return typecheckBinary(e, .lessEqual, b, a, prior, d)
        case .less, .lessEqual:
            let l = typecheck(a, prior, depth: d)
            return l.then { lt, _ in
                let r = typecheck(b, prior, depth: d)
                return r.then { rt, _ in compare(lt, rt, a, b) }
            }
        case .add, .sub, .mul:
            let help: (VType) -> String? = { t in
                if op == .add, t == .string { return "Cedar does not support string concatenation" }
                if case .set = t { return "Cedar does not support computing the union, intersection, or difference of sets" }
                return nil
            }
            let l = expect(a, prior, [.long], depth: d, help: help)
            return l.then { _, _ in
                expect(b, prior, [.long], depth: d, help: help).then { _, _ in .success(.long) }
            }
        case .in:
            return typecheckIn(e, a, b, prior, d)
        }
    }

    func isOrdered(_ t: VType) -> Bool {
        if t == .long { return true }
        if case .ext(let n) = t { return orderedExtensionTypes.contains(n) }
        return false
    }

    var orderedTypes: [VType] { orderedExtensionTypes.map { VType.ext($0) } + [.long] }

    mutating func compare(_ lt: VType?, _ rt: VType?, _ a: Expr, _ b: Expr) -> TypeAnswer {
        func mismatch(_ e: Expr, _ expected: [VType], _ actual: VType) {
            report(.unexpectedType, e.span, "unexpected type: expected \(expected.map(\.description).joined(separator: ", or ")) but saw \(actual)")
        }
        guard let lt, let rt else { return .failure(.bool) }
        switch (lt, rt) {
        case (.never, .never): return .failure(.bool)
        case (.never, let o):
            if isOrdered(o) { return .success(.bool) }
            mismatch(b, orderedTypes, o)
            return .failure(.bool)
        case (let o, .never):
            if isOrdered(o) { return .success(.bool) }
            mismatch(a, orderedTypes, o)
            return .failure(.bool)
        case _ where lt == rt && isOrdered(lt):
            return .success(.bool)
        case (.long, let o):
            mismatch(b, [.long], o)
        case (let o, .long):
            mismatch(a, [.long], o)
        case _ where isOrdered(lt):
            mismatch(b, [lt], rt)
        case _ where isOrdered(rt):
            mismatch(a, [rt], lt)
        default:
            mismatch(a, orderedTypes, lt)
            mismatch(b, orderedTypes, rt)
        }
        return .failure(.bool)
    }

    /// In strict mode the operands of `==` (and the element and operand of `contains`) must have
    /// a common type, unless the result is already known to be constant.
    mutating func strictEquality(_ e: Expr, _ result: VType, _ lt: VType?, _ rt: VType?, context: String) -> TypeAnswer {
        if result == .trueType || result == .falseType { return .success(result) }
        guard let lt, let rt else { return .success(result) }
        if case .failure(let err) = types.lub(lt, rt, strict: true) {
            reportIncompatible(e.span, [lt, rt], context: context, help: err.help)
            return .failure(result)
        }
        return .success(result)
    }

    mutating func typecheckIn(_ e: Expr, _ a: Expr, _ b: Expr, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let l = expect(a, prior, [.anyEntity], depth: d, help: { _ in "try using `contains`, `containsAny`, or `containsAll` to examine the contents of a set" })
        let r = expect(b, prior, [.set(.anyEntity), .anyEntity], depth: d, help: { t in
            switch t {
            case .set: return "try using `contains`, `containsAny`, or `containsAll` to examine the contents of a set"
            case .string: return "try using `like` to examine the contents of a string"
            default: return nil
            }
        })
        let bothOK = l.ok && r.ok
        return l.then { lt, _ in
            r.then { rt, _ in
                guard bothOK else { return .failure(.bool) }
                if let lhs = entityLiteral(a), let rhs = entityLiterals(b), Self.isActionType(lhs.type) {
                    let rhsActions = rhs.filter { Self.isActionType($0.type) }
                    if rhsActions.isEmpty { return .success(.falseType) }
                    guard let members = schema.actions(inAnyOf: rhsActions) else { return .failure(.bool) }
                    return .success(members.contains(lhs) ? .trueType : .falseType)
                }
                let lhsTypes = lt.flatMap { types.entityNames($0) }
                var rhsTypes: Set<String>?
                switch rt {
                case .set(let el?)?: rhsTypes = types.entityNames(el)
                case let t?: rhsTypes = types.entityNames(t)
                default: rhsTypes = nil
                }
                if let lhsTypes, let rhsTypes, !mayBeIn(lhsTypes, rhsTypes) { return .success(.falseType) }
                return .success(.bool)
            }
        }
    }

    /// Whether an entity of a type in `lhs` may be `in` an entity of a type in `rhs`.
    func mayBeIn(_ lhs: Set<String>, _ rhs: Set<String>) -> Bool {
        for l in lhs {
            for r in rhs {
                if l == r || schema.mayBeDescendant(l, of: r) { return true }
                // An action may be in an action group of another action entity type.
                if schema.isActionEntityType(l),
                    schema.actionUIDs.contains(where: { $0.type == r && schema.actionDescendants($0).contains { $0.type == l } }) {
                    return true
                }
            }
        }
        return false
    }

    mutating func typecheckMethod(_ e: Expr, _ x: Expr, _ m: MethodName, _ args: [Expr], _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        let setHelp: (VType) -> String? = { t in
            switch t {
            case .entity, .anyEntity, .actionEntity: return "try using `in` for entity hierarchy membership"
            case .record: return "try using `has` to test for an attribute"
            case .string: return "try using `like` to examine the contents of a string"
            default: return nil
            }
        }
        let builtIn: Set<MethodName> = [.contains, .containsAll, .containsAny, .isEmpty, .hasTag, .getTag]
        if builtIn.contains(m) && args.count != (m == .isEmpty ? 0 : 1) {
            // The parser enforces these arities; a tree built in code may not.
            report(.wrongNumberOfArguments, e.span, "wrong number of arguments for `\(m.rawValue)`. Expected \(m == .isEmpty ? 0 : 1), got \(args.count)")
            return .failure(nil)
        }
        switch m {
        case .contains:
            return expect(x, prior, [.anySet], depth: d, help: setHelp).then { st, _ in
                typecheck(args[0], prior, depth: d).then { et, _ in
                    var element: VType?
                    if case .set(let el?)? = st { element = el }
                    return strictEquality(e, .bool, element, et,
                                          context: "elements of the first operand and the second operand to a `contains` expression")
                }
            }
        case .containsAll, .containsAny:
            return expect(x, prior, [.anySet], depth: d, help: setHelp).then { st, _ in
                expect(args[0], prior, [.anySet], depth: d, help: { _ in "try using `contains` to test if a single element is in a set" }).then { ot, _ in
                    strictEquality(e, .bool, st, ot, context: "elements of both set operands to a `containsAll` or `containsAny` expression")
                }
            }
        case .isEmpty:
            return expect(x, prior, [.anySet], depth: d, help: { t in t == .string ? "try using `== \"\"` to test if a string is empty" : nil })
                .then { _, _ in .success(.bool) }
        case .hasTag, .getTag:
            return typecheckTag(e, m == .hasTag, x, args[0], prior, d)
        default:
            guard let signature = extensionMethods[m] else {
                report(.unexpectedType, e.span, "the method `\(m.rawValue)` is not known to the validator")
                return .failure(nil)
            }
            return typecheckExtension(e, signature, [x] + args, prior, d)
        }
    }

    mutating func typecheckTag(_ e: Expr, _ isHas: Bool, _ x: Expr, _ key: Expr, _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        expect(x, prior, [.anyEntity], depth: d).then { et, _ in
            expect(key, prior, [.string], depth: d).then { _, _ in
                guard let et else { return .failure(nil) }
                let cap = Capability(on: shape(x), name: shape(key), isTag: true)
                let tagTypes = types.tagTypes(et)
                if isHas {
                    if tagTypes.isEmpty { return .success(.falseType, [cap]) }
                    return .success(prior.contains(cap) ? .trueType : .bool, [cap])
                }
                guard prior.contains(cap) else {
                    var on = ""
                    if case .entity(let names) = et, names.count == 1 { on = " on entity type `\(names.first!)`" }
                    report(.unsafeTagAccess, e.span, "unable to guarantee safety of access to tag `\(shapeText(key))`\(on)",
                           help: "try testing for the tag's presence with `.hasTag(\(shapeText(key))) && ..`")
                    return .failure(nil)
                }
                if tagTypes.isEmpty {
                    var what = "this type"
                    if case .entity(let names) = et, names.count == 1 { what = "type `\(names.first!)`" }
                    report(.noTagsAllowed, e.span,
                           "`.getTag()` is not allowed on entities of \(what) because no `tags` were declared on the entity type in the schema")
                    return .failure(nil)
                }
                guard let t = lubOrError(e.span, tagTypes, context: "tag types for a `.getTag()` operation") else { return .failure(nil) }
                return .success(t)
            }
        }
    }

    /// The source form of a simple expression, for messages (a literal prints as Cedar writes it).
    func shapeText(_ e: Expr) -> String {
        switch stripParens(e).kind {
        case .literal(.string(let s)): return cedarQuoted(s)
        default: return shape(e)
        }
    }

    mutating func typecheckExtension(_ e: Expr, _ sig: ExtensionSignature, _ args: [Expr], _ prior: Set<Capability>, _ d: Int) -> TypeAnswer {
        var failed = false
        if args.count != sig.arguments.count {
            report(.wrongNumberOfArguments, e.span,
                   "wrong number of arguments in extension function application. Expected \(sig.arguments.count), got \(args.count)")
            failed = true
        }
        if let fn = sig.constructor {
            for arg in args {
                if case .literal(.string(let s)) = stripParens(arg).kind, let problem = extensionLiteralProblem(fn, s) {
                    report(.extensionArgument, e.span, "error during extension function argument validation: \(problem)")
                    failed = true
                }
            }
            let allLiteral = args.allSatisfy {
                if case .literal = stripParens($0).kind { return true }
                return false
            }
            if !allLiteral {
                report(.nonLiteralExtensionConstructor, e.span, "extension constructors may not be called with non-literal expressions",
                       help: "consider applying extension constructors inside attribute values when constructing entity or context data")
                failed = true
            }
        }
        if failed {
            for arg in args { _ = typecheck(arg, prior, depth: d) }
            return .failure(sig.result)
        }
        var allOK = true
        for (arg, t) in zip(args, sig.arguments) {
            allOK = expect(arg, prior, [t], depth: d).ok && allOK
        }
        return allOK ? .success(sig.result) : .failure(sig.result)
    }
}


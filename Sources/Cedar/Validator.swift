// Cedar's policy validator (strict mode): checks policies against a schema.
//
// Per policy: every entity type and action it names must be declared, enumerated entities must
// use a declared id, some action of its scope must apply to the principal and resource types of
// its scope, and its condition (scope constraints, `when` clauses, negated `unless` clauses) must
// type-check as a boolean in every request environment the schema allows.
import Basics
import JSONValue

/// Validates policies against a schema.
public enum Validator {
    /// The errors that make a policy set fail validation against `schema` (empty: it validates).
    /// Static policies and templates are checked in full; for template links, the entity types
    /// and the action application of the linked scope.
    /// Errors are in a stable order: file, position, policy, kind, message.
    public static func validate(policies: PolicySet, schema: Schema) -> [ValidationError] {
        check(policies: policies, schema: schema).errors
    }

    /// Errors and warnings for a policy set (a policy that can never apply is a warning).
    public static func check(policies: PolicySet, schema: Schema) -> ValidationReport {
        var report = check(policies: policies.policies, schema: schema)
        var linkErrors: [ValidationError] = []
        // A link repeats its template, which is checked in full above: only what the slots
        // brought in is new (its entity types, and whether an action still applies).
        for link in policies.links {
            let template = policies.policies.first { p in link.templateID.map { p.id.isExactly($0) } ?? false }
            let pairs = [(link.principal, template?.principal), (link.resource, template?.resource)]
            for (c, slotConstraint) in pairs where slotConstraint?.slot != nil {
                guard let uid = entityOf(c) else { continue }
                if !schema.isKnownEntityType(uid.type) {
                    linkErrors.append(ValidationError(
                        policyID: link.id, span: c.span, kind: .unrecognizedEntityType, message: "unrecognized entity type `\(uid.type)`",
                        help: EditDistance.suggestion(for: uid.type, among: schema.entityTypeNames).map { "did you mean `\($0)`?" }))
                }
            }
            if let e = checkActionApplication(link, schema: schema) { linkErrors.append(e) }
        }
        report.errors = sortedUnique(report.errors + linkErrors)
        return report
    }

    /// The entity a scope constraint names, if any.
    static func entityOf(_ c: ScopeConstraint) -> EntityUID? {
        switch c.kind {
        case .equals(.entity(let u)), .in(.entity(let u)), .isIn(_, .entity(let u)): return u
        default: return nil
        }
    }

    /// The errors that make `policies` fail validation against `schema` (empty: they validate).
    /// Errors are in a stable order: file, position, policy, kind, message.
    public static func validate(policies: [Policy], schema: Schema) -> [ValidationError] {
        check(policies: policies, schema: schema).errors
    }

    /// Errors and warnings (a policy that can never apply is a warning).
    public static func check(policies: [Policy], schema: Schema) -> ValidationReport {
        var errors: [ValidationError] = []
        var warnings: [ValidationError] = []
        let types = TypeSystem(schema: schema)
        for policy in policies {
            let findings = deepest(policy) > 24
                ? runOnLargeStack { checkPolicy(policy, schema: schema, types: types) }
                    ?? [ValidationError(policyID: policy.id, span: policy.span, kind: .tooDeep, message: largeStackRefusal)]
                : checkPolicy(policy, schema: schema, types: types)
            for f in findings {
                if f.isWarning { warnings.append(f) } else { errors.append(f) }
            }
        }
        return ValidationReport(errors: sortedUnique(errors), warnings: sortedUnique(warnings))
    }

    static func sortedUnique(_ findings: [ValidationError]) -> [ValidationError] {
        var seen: Set<ValidationError> = []
        let unique = findings.filter { seen.insert($0).inserted }
        return unique.sorted { a, b in
            if a.span.file != b.span.file { return a.span.file < b.span.file }
            if a.span.start.offset != b.span.start.offset { return a.span.start.offset < b.span.start.offset }
            if a.span.end.offset != b.span.end.offset { return a.span.end.offset < b.span.end.offset }
            if !a.policyID.isExactly(b.policyID) { return a.policyID.exactlyPrecedes(b.policyID) }
            if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
            return a.message < b.message
        }
    }

    /// An upper bound on the nesting depth of a policy's conditions.
    static func deepest(_ policy: Policy) -> Int {
        policy.conditions.map { exprDepth($0.body, limit: 64) }.max() ?? 0
    }

    static func exprDepth(_ e: Expr, limit: Int) -> Int {
        if limit <= 0 { return 1 }
        var children: [Expr] = []
        switch e.kind {
        case .literal, .variable, .slot, .entity: return 1
        case .ifThenElse(let a, let b, let c): children = [a, b, c]
        case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b): children = [a, b]
        case .unary(_, let a), .has(let a, _, _), .like(let a, _), .attribute(let a, _), .index(let a, _), .parenthesized(let a):
            children = [a]
        case .isType(let a, _, let b): children = [a] + (b.map { [$0] } ?? [])
        case .methodCall(let a, _, let args): children = [a] + args
        case .call(_, let args), .set(let args): children = args
        case .record(let entries): children = entries.map(\.value)
        }
        return 1 + (children.map { exprDepth($0, limit: limit - 1) }.max() ?? 0)
    }

    static func checkPolicy(_ policy: Policy, schema: Schema, types: TypeSystem) -> [ValidationError] {
        var out: [ValidationError] = []
        out += checkNames(policy, schema: schema)
        if let e = checkActionApplication(policy, schema: schema) { out.append(e) }
        out += typecheck(policy, schema: schema, types: types)
        return out
    }

    // MARK: Names

    /// Every entity uid literal and `is` type of a policy, with where it is written.
    static func namesIn(_ policy: Policy) -> (uids: [(EntityUID, SourceSpan)], types: [(String, SourceSpan)]) {
        var uids: [(EntityUID, SourceSpan)] = []
        var types: [(String, SourceSpan)] = []
        func scope(_ c: ScopeConstraint) {
            switch c.kind {
            case .any: break
            case .equals(let r), .in(let r):
                if case .entity(let u) = r { uids.append((u, c.span)) }
            case .is(let t): types.append((t, c.span))
            case .isIn(let t, let r):
                types.append((t, c.span))
                if case .entity(let u) = r { uids.append((u, c.span)) }
            }
        }
        scope(policy.principal)
        switch policy.action.kind {
        case .any: break
        case .equals(let u), .in(let u): uids.append((u, policy.action.span))
        case .inList(let us): for u in us { uids.append((u, policy.action.span)) }
        }
        scope(policy.resource)
        var stack = policy.conditions.map(\.body)
        while let e = stack.popLast() {
            switch e.kind {
            case .entity(let u): uids.append((u, e.span))
            case .isType(let x, let t, let i):
                types.append((t, e.span))
                stack.append(x)
                if let i { stack.append(i) }
            case .literal, .variable, .slot: break
            case .ifThenElse(let a, let b, let c): stack += [a, b, c]
            case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b): stack += [a, b]
            case .unary(_, let a), .has(let a, _, _), .like(let a, _), .attribute(let a, _), .index(let a, _), .parenthesized(let a):
                stack.append(a)
            case .methodCall(let a, _, let args): stack += [a] + args
            case .call(_, let args), .set(let args): stack += args
            case .record(let entries): stack += entries.map(\.value)
            }
        }
        return (uids, types)
    }

    static func checkNames(_ policy: Policy, schema: Schema) -> [ValidationError] {
        var out: [ValidationError] = []
        let (uids, types) = namesIn(policy)
        let knownTypes = schema.entityTypeNames + Array(Set(schema.actionUIDs.map(\.type))).sorted()
        func unknownType(_ t: String, _ span: SourceSpan) {
            let suggestion = EditDistance.suggestion(for: t, among: knownTypes)
            out.append(ValidationError(
                policyID: policy.id, span: span, kind: .unrecognizedEntityType, message: "unrecognized entity type `\(t)`",
                help: suggestion.map { "did you mean `\($0)`?" }))
        }
        for (u, span) in uids {
            if !schema.isKnownEntityType(u.type) && !Schema.isActionTypeName(u.type) { unknownType(u.type, span) }
            if Schema.isActionTypeName(u.type) {
                if schema.action(u) == nil {
                    var help: String?
                    if let a = schema.actionUIDs.first(where: { $0.id.contains("Action::\(u.id)") || $0.id.contains("Action::\"\(u.id)\"") }) {
                        help = "did you intend to include the type in action `\(a)`?"
                    } else if let s = EditDistance.suggestion(for: u.description, among: schema.actionUIDs.map(\.description)) {
                        help = "did you mean `\(s)`?"
                    }
                    out.append(ValidationError(
                        policyID: policy.id, span: span, kind: .unrecognizedActionID, message: "unrecognized action `\(u)`", help: help))
                }
            } else if let values = schema.entityType(u.type)?.enumValues, !values.contains { $0.isExactly(u.id) } {
                out.append(ValidationError(
                    policyID: policy.id, span: span, kind: .invalidEnumEntity,
                    message: "entity `\(u)` is of an enumerated entity type, but `\(cedarQuoted(u.id))` is not declared as a valid eid",
                    help: "valid entity eids: " + values.map(cedarQuoted).joined(separator: ", ")))
            }
        }
        for (t, span) in types where !schema.isKnownEntityType(t) {
            unknownType(t, span)
        }
        return out
    }

    // MARK: Action application

    static func entityTypesSatisfying(_ c: ScopeConstraint, schema: Schema) -> Set<String> {
        switch c.kind {
        case .any, .equals(.slot), .in(.slot): return Set(schema.entityTypeNames)
        case .equals(.entity(let u)): return [u.type]
        case .in(.entity(let u)): return schema.entityTypes(in: u.type)
        case .is(let t), .isIn(let t, .slot): return schema.isKnownEntityType(t) ? [t] : []
        case .isIn(let t, .entity(let u)): return schema.entityTypes(in: u.type).intersection([t])
        }
    }

    static func actionsSatisfying(_ c: ActionConstraint, schema: Schema) -> [EntityUID] {
        switch c.kind {
        case .any: return schema.actionUIDs
        case .equals(let u): return [u]
        case .in(let u): return (schema.actions(inAnyOf: [u]) ?? []).sorted()
        case .inList(let us): return (schema.actions(inAnyOf: us) ?? []).sorted()
        }
    }

    static func checkActionApplication(_ policy: Policy, schema: Schema) -> ValidationError? {
        let actions = actionsSatisfying(policy.action, schema: schema).compactMap { schema.action($0) }
        let principals = entityTypesSatisfying(policy.principal, schema: schema)
        let resources = entityTypesSatisfying(policy.resource, schema: schema)
        let applies = actions.contains { a in
            !principals.isDisjoint(with: a.principalTypes) && !resources.isDisjoint(with: a.resourceTypes)
        }
        if applies { return nil }
        func inWouldFix(_ c: ScopeConstraint, _ select: (ActionDecl) -> [String]) -> Bool {
            guard case .equals(.entity(let u)) = c.kind else { return false }
            if actions.contains(where: { select($0).contains(u.type) }) { return false }
            return actions.contains { a in select(a).contains { schema.mayBeDescendant($0, of: u.type) && $0 != u.type } }
        }
        let p = inWouldFix(policy.principal, \.principalTypes)
        let r = inWouldFix(policy.resource, \.resourceTypes)
        var help: String?
        switch (p, r) {
        case (true, false): help = "try replacing `==` with `in` in the principal clause"
        case (false, true): help = "try replacing `==` with `in` in the resource clause"
        case (true, true): help = "try replacing `==` with `in` in the principal clause and the resource clause"
        case (false, false): help = nil
        }
        return ValidationError(
            policyID: policy.id, span: policy.span, kind: .invalidActionApplication,
            message: "unable to find an applicable action given the policy scope constraints", help: help)
    }

    // MARK: Type checking

    /// The policy's condition: its scope constraints, `when` clauses and negated `unless` clauses,
    /// as one conjunction, left to right.
    static func condition(_ policy: Policy) -> Expr {
        func scope(_ v: Variable, _ c: ScopeConstraint) -> Expr? {
            let variable = Expr(.variable(v), span: c.span)
            func ref(_ r: EntityReference) -> Expr {
                switch r {
                case .entity(let u): return Expr(.entity(u), span: c.span)
                case .slot(let s): return Expr(.slot(s), span: c.span)
                }
            }
            switch c.kind {
            case .any: return nil
            case .equals(let r): return Expr(.binary(.equal, variable, ref(r)), span: c.span)
            case .in(let r): return Expr(.binary(.in, variable, ref(r)), span: c.span)
            case .is(let t): return Expr(.isType(variable, type: t, in: nil), span: c.span)
            case .isIn(let t, let r): return Expr(.isType(variable, type: t, in: ref(r)), span: c.span)
            }
        }
        var parts: [Expr] = []
        if let p = scope(.principal, policy.principal) { parts.append(p) }
        let a = policy.action
        let actionVar = Expr(.variable(.action), span: a.span)
        switch a.kind {
        case .any: break
        case .equals(let u): parts.append(Expr(.binary(.equal, actionVar, Expr(.entity(u), span: a.span)), span: a.span))
        case .in(let u): parts.append(Expr(.binary(.in, actionVar, Expr(.entity(u), span: a.span)), span: a.span))
        case .inList(let us):
            let list = Expr(.set(us.map { Expr(.entity($0), span: a.span) }), span: a.span)
            parts.append(Expr(.binary(.in, actionVar, list), span: a.span))
        }
        if let r = scope(.resource, policy.resource) { parts.append(r) }
        for c in policy.conditions {
            parts.append(c.kind == .when ? c.body : Expr(.unary(.not, c.body), span: c.body.span))
        }
        guard var result = parts.first else { return Expr(.literal(.bool(true)), span: policy.span) }
        for p in parts.dropFirst() {
            result = Expr(.and(result, p), span: result.span.merged(with: p.span))
        }
        return result
    }

    /// Entity types a template slot may be linked to in an environment where the scope variable
    /// has type `variableType`.
    static func slotLinks(_ c: ScopeConstraint, variableType: String, schema: Schema) -> [String?] {
        guard c.slot != nil else { return [nil] }
        switch c.kind {
        case .equals: return [variableType]
        case .in, .isIn:
            var out = schema.ancestorTypes(of: variableType).subtracting([variableType]).sorted()
            out.append(variableType)
            return out
        default: return schema.entityTypeNames
        }
    }

    static func typecheck(_ policy: Policy, schema: Schema, types: TypeSystem) -> [ValidationError] {
        let cond = condition(policy)
        var errors: [ValidationError] = []
        var allFalse = true
        for env in schema.requestEnvironments {
            for ps in slotLinks(policy.principal, variableType: env.principalType, schema: schema) {
                for rs in slotLinks(policy.resource, variableType: env.resourceType, schema: schema) {
                    let requestEnv = RequestEnv(
                        principal: env.principalType, action: env.action, resource: env.resourceType,
                        context: types.record(of: env.context), principalSlot: ps, resourceSlot: rs)
                    var checker = PolicyTypechecker(types: types, env: requestEnv, policyID: policy.id)
                    let answer = checker.expect(cond, [], [.bool], depth: 0)
                    errors += checker.errors
                    if answer.type != .falseType { allFalse = false }
                }
            }
        }
        if allFalse {
            errors.append(ValidationError(
                policyID: policy.id, span: policy.span, kind: .impossiblePolicy,
                message: "policy is impossible: the policy expression evaluates to false for all valid requests"))
        }
        return errors
    }
}

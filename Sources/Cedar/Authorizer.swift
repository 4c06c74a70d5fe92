// Authorization: forbid overrides permit; no satisfied permit means deny.
import JSONValue

/// An authorization request.
public struct Request: Sendable {
    /// Who acts.
    public var principal: EntityUID
    /// What they do.
    public var action: EntityUID
    /// On what.
    public var resource: EntityUID
    /// The context record, by attribute name (matched by code points).
    public var context: [ExactString: Value]

    /// Creates a request.
    public init(principal: EntityUID, action: EntityUID, resource: EntityUID, context: [ExactString: Value] = [:]) {
        self.principal = principal
        self.action = action
        self.resource = resource
        self.context = context
    }

    /// Creates a request from a context keyed by `String`; a `String` dictionary has already
    /// merged keys that are only canonically equivalent, so prefer the other initializer for
    /// context read from input.
    @_disfavoredOverload
    public init(principal: EntityUID, action: EntityUID, resource: EntityUID, context: [String: Value]) {
        var exact: [ExactString: Value] = [:]
        exact.reserveCapacity(context.count)
        for (k, v) in context { exact[ExactString(k)] = v }
        self.init(principal: principal, action: action, resource: resource, context: exact)
    }
}

/// `allow` or `deny`.
public enum Decision: String, Sendable, Hashable {
    case allow
    case deny
}

/// A policy whose evaluation raised an error (it was skipped).
public struct PolicyError: Equatable, Sendable {
    /// The policy id.
    public var policyID: String
    /// The evaluation error message.
    public var message: String

    /// Creates a policy error.
    public init(policyID: String, message: String) {
        self.policyID = policyID
        self.message = message
    }
}

/// The answer to a request.
public struct Response: Equatable, Sendable {
    /// The decision.
    public var decision: Decision
    /// Ids of the determining policies: the satisfied forbids on deny, the satisfied permits on
    /// allow (policy-set order).
    public var reasons: [String]
    /// Policies whose evaluation failed, in policy-set order.
    public var errors: [PolicyError]

    /// Creates a response.
    public init(decision: Decision, reasons: [String], errors: [PolicyError]) {
        self.decision = decision
        self.reasons = reasons
        self.errors = errors
    }

    /// `{"decision": ..., "reasons": [...], "errors": [{"policy", "message"}]}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("decision", .string(decision.rawValue)),
            ("reasons", .array(reasons.map { .string($0) })),
            ("errors", .array(errors.map { .object(JSONObject([("policy", .string($0.policyID)), ("message", .string($0.message))])) })),
        ]))
    }
}

/// Answers requests against a policy set and entities.
public enum Authorizer {
    /// Policies deeper than this are evaluated on a large-stack thread.
    static let deepPolicyThreshold = 64

    /// Decides `request`: a satisfied forbid denies; otherwise a satisfied permit allows;
    /// otherwise deny. A policy whose evaluation errors is skipped and reported.
    public static func isAuthorized(_ request: Request, policies: PolicySet, entities: Entities) -> Response {
        let index = policies.index
        let evaluator = Evaluator(request: request, entities: entities)
        var permits: [String] = []
        var forbids: [String] = []
        var errors: [PolicyError] = []
        // No closure runs per candidate: one that captured the evaluator would copy it (every
        // uid, set and record it holds) for each request. Each candidate's conditions, effect
        // and id are read from the index's own arrays, not copied out of its `Policy`.
        let words = index.wordCount
        let bits = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 2 * words)
        defer { bits.deallocate() }
        index.candidates(
            principal: evaluator.principal, evaluator.principalAncestors, action: evaluator.action, evaluator.actionAncestors,
            resource: evaluator.resource, evaluator.resourceAncestors, into: bits)
        for k in 0..<words {
            var word = bits[k]
            while word != 0 {
                let i = k << 6 | word.trailingZeroBitCount
                word &= word - 1
                // A candidate's `==`, `in` and action constraints hold already (that is how the
                // index chose it); of its scope only an `is` type is left to check.
                if let type = index.principalTypes[i], evaluator.principal.type != type { continue }
                if let type = index.resourceTypes[i], evaluator.resource.type != type { continue }
                let outcome = index.depths[i] > deepPolicyThreshold
                    ? conditionsHoldOnLargeStack(evaluator, index.conditions[i])
                    : evaluator.conditionsHold(index.conditions[i])
                switch outcome {
                case .success(true):
                    if index.effects[i] == .permit { permits.append(index.ids[i]) } else { forbids.append(index.ids[i]) }
                case .success(false):
                    break
                case .failure(let e):
                    let id = index.ids[i]
                    errors.append(PolicyError(policyID: id, message: "error while evaluating policy `\(id)`: \(e.message)"))
                }
            }
        }
        if !forbids.isEmpty { return Response(decision: .deny, reasons: forbids, errors: errors) }
        if !permits.isEmpty { return Response(decision: .allow, reasons: permits, errors: errors) }
        return Response(decision: .deny, reasons: [], errors: errors)
    }

    /// `conditionsHold` for a deeply nested policy, on a large-stack thread.
    @inline(never)
    static func conditionsHoldOnLargeStack(_ evaluator: Evaluator, _ conditions: [Condition]) -> Result<Bool, EvaluationError> {
        // A policy that cannot be evaluated is an erroring policy, never one that does not apply.
        runOnLargeStack { evaluator.conditionsHold(conditions) } ?? .failure(EvaluationError(largeStackRefusal))
    }
}

extension Evaluator {
    /// Whether the policy's scope matches and all its conditions hold (in order, stopping at the
    /// first that does not).
    public func satisfies(_ policy: Policy) -> Result<Bool, EvaluationError> {
        guard scopeMatches(policy) else { return .success(false) }
        return conditionsHold(policy)
    }

    /// Whether all the policy's conditions hold (in order, stopping at the first that does not),
    /// its scope aside.
    func conditionsHold(_ policy: Policy) -> Result<Bool, EvaluationError> {
        conditionsHold(policy.conditions)
    }

    /// Whether all of `conditions` hold, in order, stopping at the first that does not.
    func conditionsHold(_ conditions: [Condition]) -> Result<Bool, EvaluationError> {
        // Conditions are read in place, not copied out of the array.
        return conditions.withUnsafeBufferPointer { conditions -> Result<Bool, EvaluationError> in
            do throws(EvaluationError) {
                for k in conditions.indices {
                    let v = try eval(conditions[k].body)
                    guard case .bool(let b) = v else {
                        return .failure(typeError("bool", v, conditions[k].body))
                    }
                    if b != (conditions[k].kind == .when) { return .success(false) }
                }
                return .success(true)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Whether the request's principal, action and resource satisfy the policy's scope.
    public func scopeMatches(_ policy: Policy) -> Bool {
        func within(_ uid: EntityUID, _ ancestors: Set<EntityUID>?, _ target: EntityUID) -> Bool {
            uid == target || (ancestors?.contains(target) ?? false)
        }
        func matches(_ c: ScopeConstraint, _ uid: EntityUID, _ entity: Set<EntityUID>?) -> Bool {
            switch c.kind {
            case .any: return true
            case .equals(.entity(let e)): return uid == e
            case .in(.entity(let e)): return within(uid, entity, e)
            case .is(let t): return uid.type == t
            case .isIn(let t, .entity(let e)): return uid.type == t && within(uid, entity, e)
            default: return false  // an unlinked slot matches nothing
            }
        }
        guard matches(policy.principal, principal, principalAncestors), matches(policy.resource, resource, resourceAncestors) else { return false }
        switch policy.action.kind {
        case .any: return true
        case .equals(let e): return action == e
        case .in(let e): return within(action, actionAncestors, e)
        case .inList(let list): return list.contains { within(action, actionAncestors, $0) }
        }
    }
}

extension Request {
    /// Reads `{"principal", "action", "resource", "context"}` where each entity is written as
    /// `"Type::\"id\""` or `{"type", "id"}` and the context (optional) is a record in Cedar JSON
    /// (schema-less). `readContext` lets a schema read the context by its declared types.
    public init(json: JSONValue, readContext: ((EntityUID, JSONValue) throws(CedarError) -> [ExactString: Value])? = nil) throws(CedarError) {
        guard case .object(let o) = json else {
            throw .request(message: "a request must be a JSON object with `principal`, `action` and `resource`")
        }
        func uid(_ key: String) throws(CedarError) -> EntityUID {
            guard let v = o[key] else { throw .request(message: "the request has no `\(key)`") }
            do {
                return try EntityUID(json: v)
            } catch {
                throw .request(message: "`\(key)`: \(error.message)")
            }
        }
        principal = try uid("principal")
        action = try uid("action")
        resource = try uid("resource")
        context = [:]
        if let c = o["context"], c != .null {
            if let readContext {
                context = try readContext(action, c)
            } else {
                guard case .record(let r) = try Value(json: c) else {
                    throw .request(message: "the request `context` must be a JSON object")
                }
                context = r
            }
        }
    }
}

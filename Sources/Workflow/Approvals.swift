import JSONValue

/// A group a held step waits for (`@approve("GROUP")`) and how many distinct approvers of it the
/// step needs (`@quorum("N")` beside it, 1 without). The group is the entity `Group::"GROUP"`.
public struct ApprovalGroup: Sendable, Equatable {
    /// The group name `@approve` gives.
    public var name: String
    /// Distinct approvers needed; nil when a `@quorum` beside it is not a positive integer (the
    /// step then cannot be released: failing closed).
    public var quorum: Int?

    /// Creates a group requirement.
    public init(name: String, quorum: Int?) {
        self.name = name
        self.quorum = quorum
    }

    /// The group entity an approver must be in.
    public var entity: EntityRef { EntityRef(type: "Group", id: name) }
}

/// An approval's decision.
public enum ApprovalDecision: String, Sendable, CaseIterable {
    /// Release the held step.
    case approve
    /// Refuse it: one valid rejection denies the step.
    case reject
}

/// Why an approval does not count, one case per rule (DESIGN §8).
public enum ApprovalProblem: String, Sendable, CaseIterable {
    /// The signature does not verify under the approver's key.
    case badSignature = "bad_signature"
    /// The approver's entity has no approval key, or not the one that signed.
    case unknownKey = "unknown_key"
    /// The approver is not in the group the step waits for, or the group is not one it waits for.
    case notInGroup = "not_in_group"
    /// The policies do not permit the approver to approve this step.
    case notPermitted = "not_permitted"
    /// The approver is the agent that asked for the step.
    case selfApproval = "self_approval"
    /// The approval expired (or is not valid yet) at the evaluation's clock.
    case expired
    /// It names this step, but the digest of a different (altered) step.
    case alteredStep = "altered_step"
    /// It carries this step's digest, but another plan's id.
    case planMismatch = "plan_mismatch"
    /// A live call's approval that names another held call of the session than the one it would
    /// release: one that ran or was released already (an approval releases one call), or not the
    /// session's first waiting call with this digest.
    case otherCall = "other_call"
}

/// One approval considered for a held step, and whether it counts.
public struct ApprovalCheck: Sendable, Equatable {
    /// The approval id.
    public var id: String
    /// The approver (Cedar entity text).
    public var approver: String
    /// The group it approves for.
    public var group: String
    /// Approve or reject.
    public var decision: ApprovalDecision
    /// Why it does not count; nil when it counts.
    public var problem: ApprovalProblem?
    /// The problem in words (empty when it counts).
    public var message: String

    /// Creates a check.
    public init(id: String, approver: String, group: String, decision: ApprovalDecision, problem: ApprovalProblem?, message: String) {
        self.id = id
        self.approver = approver
        self.group = group
        self.decision = decision
        self.problem = problem
        self.message = message
    }

    /// Whether the approval counts.
    public var counts: Bool { problem == nil }

    /// `{"id", "approver", "group", "decision", "counts", "problem", "message"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("approver", .string(approver)), ("group", .string(group)), ("decision", .string(decision.rawValue)),
            ("counts", .bool(counts)), ("problem", problem.map { .string($0.rawValue) } ?? .null), ("message", .string(message)),
        ]))
    }

    /// One line for reports: `approval ID by APPROVER (GROUP) does not count: MESSAGE`.
    public var summary: String {
        let head = "\(decision == .approve ? "approval" : "rejection") \(id) by \(approver) (\(group))"
        return counts ? head + " counts" : head + " does not count (\(problem!.rawValue)): \(message)"
    }
}

/// A step held for approval, as the approvals that may release it are judged against it.
public struct HeldStep: Sendable {
    /// The plan (or session) facts.
    public var plan: PlanFacts
    /// The step id.
    public var stepID: String
    /// The agent that asked for the step.
    public var requester: EntityRef
    /// The held step's action, resource and arguments.
    public var form: StepForm
    /// SHA-256 (hex) of the held step's canonical JSON: what an approval is bound to.
    public var sha256: String
    /// The groups it waits for.
    public var groups: [ApprovalGroup]
    /// The clock approvals are judged at.
    public var clock: Clock

    /// Creates a held step.
    public init(plan: PlanFacts, stepID: String, requester: EntityRef, form: StepForm, sha256: String, groups: [ApprovalGroup], clock: Clock) {
        self.plan = plan
        self.stepID = stepID
        self.requester = requester
        self.form = form
        self.sha256 = sha256
        self.groups = groups
        self.clock = clock
    }

    /// The held step `step` of a plan, waiting as `request` says.
    init(step: PlanStep, request: ApprovalRequest, plan: PlanFacts, clock: Clock) {
        self.init(
            plan: plan, stepID: step.id, requester: step.principal, form: ChainSolver.heldForm(step), sha256: request.sha256,
            groups: zip(request.groups, request.quorums).map { ApprovalGroup(name: $0, quorum: $1) }, clock: clock)
    }

    /// The group named `name`, when the step waits for it.
    public func group(_ name: String) -> ApprovalGroup? { groups.first { $0.name == name } }
}

/// Finds and checks the approvals given for a held step. `eval`, `mutate`, `mint` and `test`
/// take one from the command line; deciding a step asks it about every held step.
public protocol ApprovalJudge: Sendable {
    /// Every approval that names `held` (by digest, or by plan and step id), each checked; in a
    /// stable order.
    func checks(for held: HeldStep, bundle: PolicyBundle) -> [ApprovalCheck]
}

/// What the approvals given for a held step amount to.
public struct ApprovalOutcome: Sendable, Equatable {
    /// Every approval considered.
    public var checks: [ApprovalCheck]
    /// The outcome: `approved`, `deny` (a valid rejection) or still `approve` (held).
    public var outcome: StepOutcome
    /// Why, in words.
    public var reason: String

    /// The ids of the approvals that released the step (empty unless `approved`).
    public var approvalIDs: [String] {
        outcome == .approved ? checks.filter { $0.counts && $0.decision == .approve }.map(\.id) : []
    }

    /// Tallies `checks` against the quorum of every group of `held`: one valid rejection
    /// rejects; every group must reach its quorum of distinct approvers.
    public static func tally(_ checks: [ApprovalCheck], held: HeldStep) -> ApprovalOutcome {
        if let rejection = checks.first(where: { $0.counts && $0.decision == .reject }) {
            return ApprovalOutcome(checks: checks, outcome: .deny, reason: "rejected by \(rejection.approver) (\(rejection.group)), approval \(rejection.id)")
        }
        var short: [String] = []
        var released: [String] = []
        for group in held.groups {
            var approvers: [String] = []
            for check in checks where check.counts && check.decision == .approve && check.group == group.name && !approvers.contains(check.approver) {
                approvers.append(check.approver)
            }
            guard let quorum = group.quorum else {
                short.append("the @quorum beside @approve(\"\(group.name)\") is not a positive integer, so no approval can release it")
                continue
            }
            if approvers.count < quorum {
                short.append("\"\(group.name)\" has \(approvers.count) of \(quorum) approval\(quorum == 1 ? "" : "s")")
            } else {
                released.append("\(approvers.joined(separator: ", ")) (\(group.name))")
            }
        }
        if short.isEmpty {
            return ApprovalOutcome(checks: checks, outcome: .approved, reason: "approved by " + released.joined(separator: "; "))
        }
        let counted = checks.contains { $0.counts }
        return ApprovalOutcome(checks: checks, outcome: .approve, reason: (counted ? "quorum not met: " : "awaiting approval: ") + short.joined(separator: "; "))
    }
}

extension PolicyBundle {
    /// The quorum of each of `groups`: the largest any of `policies` (the forbids that held the
    /// step) asking for it sets; nil when one of them is not a positive integer.
    public func quorums(_ groups: [String], policies: [String]) -> [Int?] {
        groups.map { group in
            var quorum: Int? = 1
            for id in policies {
                guard let policy = policyByID[id], policy.approveGroup == group else { continue }
                guard let own = policy.quorum, let current = quorum else {
                    quorum = nil
                    continue
                }
                quorum = max(current, own)
            }
            return quorum
        }
    }
}

extension PolicySummary {
    /// `@quorum("N")` on a forbid carrying `@approve`: 1 without it, nil when it is not a
    /// positive integer.
    public var quorum: Int? {
        guard isForbid, let text = annotation("quorum") else { return 1 }
        guard let value = Int(text), value >= 1, value <= 1_000 else { return nil }
        return value
    }
}

/// Who may approve a held step: the approver must be in the group, must not be the agent that
/// asked, and the policy set must permit `Action::"stepguard.approve"` on the held step's
/// resource (DESIGN §8). `approve` asks before it signs; every command that honours an approval
/// asks again.
public enum ApproverAuthority {
    /// The action an approver's request names.
    public static let action = EntityRef.action("stepguard.approve")

    /// Nil when `approver` may approve (or reject, per `decision`) `held` for `group`; otherwise
    /// the problem and why.
    public static func check(
        _ approver: EntityRef, group: String, decision: ApprovalDecision, held: HeldStep, bundle: PolicyBundle
    ) -> (problem: ApprovalProblem, message: String)? {
        guard let required = held.group(group) else {
            let waits = held.groups.map { "\"\($0.name)\"" }.joined(separator: ", ")
            return (.notInGroup, "the step waits for \(waits), not \"\(group)\"")
        }
        if approver == held.requester {
            return (.selfApproval, "\(approver) asked for the step and cannot approve it")
        }
        guard bundle.engine.isMember(approver, of: required.entity) else {
            return (.notInGroup, "\(approver) is not in \(required.entity)")
        }
        let ruling: StepRuling
        do {
            ruling = try OutcomePrecedence.decide(
                try verdict(approver, group: required, decision: decision, held: held, bundle: bundle),
                what: "\(approver) approving \(held.form.action) on \(held.form.resource)", reason: { bundle.policyByID[$0]?.reason },
                rewrite: { (_, _) throws(WorkflowError) in
                    (RewriteAttempt(policy: "", variant: "", from: held.form, to: nil, boundary: nil, accepted: false, next: []), nil)
                })
        } catch {
            return (.notPermitted, error.message)
        }
        switch ruling.outcome {
        case .allow, .warn:
            return nil
        default:
            let by = ruling.policies.isEmpty ? "" : " (\(ruling.policies.map { "\"\($0)\"" }.joined(separator: ", ")))"
            return (.notPermitted, ruling.reason + by)
        }
    }

    /// The approver's request: principal the approver, `Action::"stepguard.approve"`, resource
    /// the held step's, and a context naming the step, its requester and the plan.
    public static func context(_ approver: EntityRef, group: ApprovalGroup, decision: ApprovalDecision, held: HeldStep, bundle: PolicyBundle) -> JSONObject {
        var step = JSONObject([
            ("id", .string(held.stepID)), ("action", .string(held.form.action)), ("resource", held.form.resource.escapedJSON),
            ("args", .object(held.form.args)), ("sha256", .string(held.sha256)),
        ])
        if let tool = bundle.catalog.actions[held.form.action] { step["tool"] = StepRequestBuilder.toolJSON(tool) }
        let owner = held.plan.owner ?? ""
        let isOwner = !owner.isEmpty
            && (owner == approver.description || owner == approver.id || bundle.engine.isMember(approver, of: EntityRef(type: "Group", id: owner)))
        return JSONObject([
            ("held", .object(step)),
            ("requester", held.requester.escapedJSON),
            ("plan", held.plan.json),
            ("group", .string(group.name)),
            ("quorum", .int(Int64(group.quorum ?? 0))),
            ("decision", .string(decision.rawValue)),
            ("is_plan_owner", .bool(isOwner)),
            ("now", StepRequestBuilder.nowJSON(held.clock)),
        ])
    }

    static func verdict(_ approver: EntityRef, group: ApprovalGroup, decision: ApprovalDecision, held: HeldStep, bundle: PolicyBundle) throws(WorkflowError) -> PolicyVerdict {
        var members: [String: PreparedValue] = [:]
        for (key, value) in context(approver, group: group, decision: decision, held: held, bundle: bundle) {
            members[key] = try bundle.engine.prepare(value)
        }
        return bundle.verdict(EngineRequest(principal: approver, action: action, resource: held.form.resource, context: members))
    }
}

extension PlanEvaluation {
    /// Step `id` as held for approval when it is held (outcome `approve`, or `approved` and
    /// `deny` when approvals decided it); nil for any other step.
    public func held(_ id: String) -> HeldStep? {
        guard let result = step(id), let request = result.approval, let step = plan.step(id) else { return nil }
        return HeldStep(step: step, request: request, plan: PlanFacts(plan, risk: risk), clock: clock)
    }
}

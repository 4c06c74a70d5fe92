import JSONValue

/// The one step a credential authorizes, in the form that was decided, carried as an RFC 9396
/// authorization detail:
///
///     {"type": "stepguard_step", "actions": ["deploy"], "resource": "Service::\"web\"",
///      "args_digest": "sha256:…", "outcome": "allow", "plan_id": "release-42",
///      "step_id": "deploy-web", "step_digest": "sha256:…", "plan_digest": "sha256:…"}
///
/// `actions` is RFC 9396's common field, so generic authorization servers and resource
/// servers can read the action without knowing the type. For a rewritten step the action,
/// resource and arguments are the rewritten ones: a credential for a dry run says so.
public struct StepAuthorization: Equatable, Sendable {
    /// The `type` value that marks a stepguard step.
    public static let type = "stepguard_step"

    /// The action, e.g. `deploy`.
    public var action: String
    /// The resource, e.g. `Service::"web"`.
    public var resource: String
    /// The plan's id.
    public var planID: String
    /// The step's id within the plan.
    public var stepID: String
    /// Digest of the plan as decided, e.g. `sha256:<hex>`.
    public var planDigest: String
    /// Digest of the canonical JSON of the arguments that were allowed.
    public var argsDigest: String
    /// The outcome that let the step run (`allow`, `warn`, `mutate`, `approved`).
    public var outcome: String
    /// Digest of the step as decided (plan, step, principal, action, resource, args, outcome).
    public var stepDigest: String
    /// The ids of the signed approvals that released a held step (`approvals`); empty for a step
    /// that was never held, and then left out of the detail.
    public var approvals: [String]

    public init(
        action: String, resource: String, planID: String, stepID: String, planDigest: String, argsDigest: String, outcome: String,
        stepDigest: String, approvals: [String] = []
    ) {
        self.action = action
        self.resource = resource
        self.planID = planID
        self.stepID = stepID
        self.planDigest = planDigest
        self.argsDigest = argsDigest
        self.outcome = outcome
        self.stepDigest = stepDigest
        self.approvals = approvals
    }

    /// The authorization detail object.
    public var json: JSONValue {
        var detail = JSONObject([
            ("type", .string(Self.type)),
            ("actions", .array([.string(action)])),
            ("resource", .string(resource)),
            ("args_digest", .string(argsDigest)),
            ("outcome", .string(outcome)),
            ("plan_id", .string(planID)),
            ("step_id", .string(stepID)),
            ("step_digest", .string(stepDigest)),
            ("plan_digest", .string(planDigest)),
        ])
        if !approvals.isEmpty { detail["approvals"] = .array(approvals.map(JSONValue.string)) }
        return .object(detail)
    }

    /// Reads the `authorization_details` claim, which must hold exactly one stepguard step.
    public init(claim: JSONValue) throws(TokenFailure) {
        func invalid(_ reason: String) -> TokenFailure { .invalidClaim(name: "authorization_details", reason: reason) }
        guard let details = claim.arrayValue else { throw invalid("must be an array") }
        guard details.count == 1 else { throw invalid("must name exactly one step, found \(details.count) entries") }
        guard let detail = details[0].objectValue else { throw invalid("the entry must be an object") }
        guard detail["type"]?.stringValue == Self.type else { throw invalid("the entry's type must be \"\(Self.type)\"") }
        guard let actions = detail["actions"]?.arrayValue, actions.count == 1, let action = actions[0].stringValue,
            !action.isEmpty
        else { throw invalid("\"actions\" must hold exactly one action") }
        func field(_ name: String) throws(TokenFailure) -> String {
            guard let value = detail[name]?.stringValue, !value.isEmpty else { throw invalid("\"\(name)\" must be a non-empty string") }
            return value
        }
        var approvals: [String] = []
        if let value = detail["approvals"] {
            guard let ids = value.arrayValue?.compactMap(\.stringValue), ids.count == value.arrayValue?.count, !ids.isEmpty else {
                throw invalid("\"approvals\" must be a non-empty array of approval ids")
            }
            approvals = ids
        }
        self.init(
            action: action, resource: try field("resource"), planID: try field("plan_id"),
            stepID: try field("step_id"), planDigest: try field("plan_digest"), argsDigest: try field("args_digest"),
            outcome: try field("outcome"), stepDigest: try field("step_digest"), approvals: approvals
        )
    }
}

/// What a tool is about to do, checked against the step a credential authorizes. Each field
/// given must match; a field left nil is not checked.
public struct CallRequirements: Equatable, Sendable {
    /// The action the tool will perform.
    public var action: String?
    /// The resource it will act on, as Cedar entity text (`Service::"web"`).
    public var resource: String?
    /// The step id.
    public var step: String?
    /// The plan: its id, or its decided digest (`sha256:…`).
    public var plan: String?
    /// The digest of the arguments the tool will run with.
    public var argsDigest: String?

    public init(action: String? = nil, resource: String? = nil, step: String? = nil, plan: String? = nil, argsDigest: String? = nil) {
        self.action = action
        self.resource = resource
        self.step = step
        self.plan = plan
        self.argsDigest = argsDigest
    }

    /// Whether anything is required at all.
    public var isEmpty: Bool { self == CallRequirements() }

    /// The first requirement `authorization` does not meet, as a named failure.
    public func check(_ authorization: StepAuthorization) throws(TokenFailure) {
        func require(_ field: String, _ wanted: String?, _ found: String) throws(TokenFailure) {
            if let wanted, wanted != found { throw .callMismatch(field: field, expected: wanted, found: found) }
        }
        try require("action", action, authorization.action)
        try require("resource", resource, authorization.resource)
        try require("args", argsDigest, authorization.argsDigest)
        if let plan {
            try require("plan", plan, plan.hasPrefix("sha256:") ? authorization.planDigest : authorization.planID)
        }
        try require("step", step, authorization.stepID)
    }
}

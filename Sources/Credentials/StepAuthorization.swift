import JSONValue

/// The one step a credential authorizes, carried as an RFC 9396 authorization detail:
///
///     {"type": "stepguard_step", "actions": ["deploy"], "resource": "Service::\"web\"",
///      "plan_id": "release-42", "step_id": "deploy-web", "plan_digest": "sha256:…"}
///
/// `actions` is RFC 9396's common field, so generic authorization servers and resource
/// servers can read the action without knowing the type.
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
    /// Digest of the exact plan the step was approved in, e.g. `sha256:<hex>`.
    public var planDigest: String
    /// The ids of the signed approvals that released a held step (`approvals`); empty for a step
    /// that was never held, and then left out of the detail.
    public var approvals: [String]

    public init(action: String, resource: String, planID: String, stepID: String, planDigest: String, approvals: [String] = []) {
        self.action = action
        self.resource = resource
        self.planID = planID
        self.stepID = stepID
        self.planDigest = planDigest
        self.approvals = approvals
    }

    /// The authorization detail object.
    public var json: JSONValue {
        var detail = JSONObject([
            ("type", .string(Self.type)),
            ("actions", .array([.string(action)])),
            ("resource", .string(resource)),
            ("plan_id", .string(planID)),
            ("step_id", .string(stepID)),
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
            stepID: try field("step_id"), planDigest: try field("plan_digest"), approvals: approvals
        )
    }
}

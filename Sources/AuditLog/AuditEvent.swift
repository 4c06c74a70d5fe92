import JSONValue

/// Builders for the events other commands append (`eval`, `mutate`, `mint`, `token revoke`), so
/// that every writer spells records the same way. Each returns the event for
/// `AuditLog.append(event:to:now:)`; members given as nil are left out.
public enum AuditEvent {
    /// A step evaluated: `outcome` is `allow`, `deny`, `mutate`, `approve` or `warn`.
    public static func decision(plan: String, step: String, principal: String? = nil, action: String? = nil,
                                resource: String? = nil, outcome: String, policies: [String] = [],
                                reason: String? = nil) -> JSONValue {
        make("decision", [
            ("plan", plan), ("step", step), ("principal", principal), ("action", action), ("resource", resource),
            ("outcome", outcome), ("reason", reason),
        ], policies: policies)
    }

    /// A step rewritten into the named variant; `action` and `resource` are the rewritten ones.
    public static func mutation(plan: String, step: String, principal: String? = nil, action: String? = nil,
                                resource: String? = nil, variant: String, policies: [String] = []) -> JSONValue {
        make("mutation", [
            ("plan", plan), ("step", step), ("principal", principal), ("action", action), ("resource", resource),
            ("outcome", variant),
        ], policies: policies)
    }

    /// A held step approved (`approved: true`) or rejected by `approver`.
    public static func approval(plan: String, step: String, approver: String? = nil, approved: Bool) -> JSONValue {
        make("approval", [("plan", plan), ("step", step), ("principal", approver), ("outcome", approved ? "approved" : "rejected")],
             policies: [])
    }

    /// A credential minted for a step; `exp` in seconds since the epoch (the JWT NumericDate).
    public static func mint(plan: String, step: String, principal: String? = nil, action: String? = nil,
                            resource: String? = nil, jti: String, exp: Int64, policies: [String] = []) -> JSONValue {
        var event = make("mint", [
            ("plan", plan), ("step", step), ("principal", principal), ("action", action), ("resource", resource), ("jti", jti),
        ], policies: policies)
        if case .object(var object) = event {
            object["exp"] = .int(exp)
            event = .object(object)
        }
        return event
    }

    /// A step that ran, with the credential it used.
    public static func execution(plan: String, step: String, principal: String? = nil, action: String? = nil,
                                 resource: String? = nil, jti: String? = nil, outcome: String? = nil) -> JSONValue {
        make("execution", [
            ("plan", plan), ("step", step), ("principal", principal), ("action", action), ("resource", resource),
            ("jti", jti), ("outcome", outcome),
        ], policies: [])
    }

    /// A credential revoked.
    public static func revocation(jti: String, plan: String? = nil, step: String? = nil, reason: String? = nil) -> JSONValue {
        make("revocation", [("jti", jti), ("plan", plan), ("step", step), ("reason", reason)], policies: [])
    }

    private static func make(_ kind: String, _ fields: [(String, String?)], policies: [String]) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind))]
        for (key, value) in fields {
            if let value { pairs.append((key, .string(value))) }
        }
        if !policies.isEmpty { pairs.append(("policies", .array(policies.map { .string($0) }))) }
        return .object(JSONObject(pairs))
    }
}

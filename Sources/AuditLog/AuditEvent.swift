import JSONValue

/// Builders for the events that are not a step's decision (approvals, executions,
/// revocations), so that every writer spells them the same way; a decided step's records come
/// from the Workflow module's `DecisionRecords`. Each returns the event for
/// `AuditLog.append(event:to:now:)`; members given as nil are left out.
public enum AuditEvent {
    /// A held step approved (`approved: true`) or rejected by `approver`.
    /// `document` is the signed approval (`stepguard approve`), carried as `approval`: without
    /// one, the record releases nothing.
    public static func approval(plan: String, step: String, approver: String? = nil, approved: Bool, document: JSONValue? = nil) -> JSONValue {
        let event = make("approval", [("plan", plan), ("step", step), ("principal", approver), ("outcome", approved ? "approved" : "rejected")])
        guard let document, var object = event.objectValue else { return event }
        object["approval"] = document
        return .object(object)
    }

    /// A step that ran, with the credential it used.
    public static func execution(plan: String, step: String, principal: String? = nil, action: String? = nil,
                                 resource: String? = nil, jti: String? = nil, outcome: String? = nil) -> JSONValue {
        make("execution", [
            ("plan", plan), ("step", step), ("principal", principal), ("action", action), ("resource", resource),
            ("jti", jti), ("outcome", outcome),
        ])
    }

    /// A credential revoked.
    public static func revocation(jti: String, plan: String? = nil, step: String? = nil, reason: String? = nil) -> JSONValue {
        make("revocation", [("jti", jti), ("plan", plan), ("step", step), ("reason", reason)])
    }

    private static func make(_ kind: String, _ fields: [(String, String?)]) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind))]
        for (key, value) in fields {
            if let value { pairs.append((key, .string(value))) }
        }
        return .object(JSONObject(pairs))
    }
}

extension LintRules {
    /// SG209: a permit of a secret action with no `@max_ttl`.
    static let secretPermitWithoutTTL = LintRule(
        id: "SG209", name: "secret-permit-without-ttl", severity: .error,
        summary: "A permit allows an action flagged `secret` in `tools.json` but sets no `@max_ttl`.",
        rationale: """
            Secrets should be reachable only through short-lived credentials scoped to one step \
            (OWASP NHI7, ASI03). A permit of a `secret` action must say how long such a credential \
            may live, so the lifetime is a reviewed decision rather than the default.
            """,
        examples: [
            .bad("No lifetime for a secret read.",
                ExampleFile("policy.cedar", """
                    @id("read-secrets")
                    permit(principal, action == Action::"read-secret", resource);
                    """),
                ExampleFile("tools.json", """
                    {"actions": {"read-secret": {"effect": "read", "flags": ["secret"]}}}
                    """)),
            .good("Five-minute credentials.",
                ExampleFile("policy.cedar", """
                    @id("read-secrets")
                    @max_ttl("5m")
                    permit(principal, action == Action::"read-secret", resource);
                    """),
                ExampleFile("tools.json", """
                    {"actions": {"read-secret": {"effect": "read", "flags": ["secret"]}}}
                    """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isPermit && policy.policy.annotation("max_ttl") == nil {
                let set = context.set(of: policy)
                guard let matched = set.catalogActions(matching: policy.policy.action) else { continue }
                let secret = matched.filter { $0.flags.contains(.secret) }.map(\.name)
                guard !secret.isEmpty else { continue }
                hits.append(RuleHit(
                    policy, policy.headRange,
                    "permit \(policy.label) allows secret action\(secret.count == 1 ? "" : "s") \(describeActions(secret)) with no @max_ttl",
                    hint: "add @max_ttl(\"5m\") (at most \"1h\")"))
            }
            return hits
        })
}

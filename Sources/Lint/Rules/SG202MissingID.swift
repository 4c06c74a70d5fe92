extension LintRules {
    /// SG202: a policy with no `@id`.
    static let missingID = LintRule(
        id: "SG202", name: "missing-id", severity: .error,
        summary: "A policy has no `@id(\"...\")` annotation.",
        rationale: """
            Without `@id`, a policy is named by its position (`policy3`), which changes whenever a \
            policy is added above it: test expectations, audit records and approvals that name it \
            then point at the wrong policy. A stable id keeps every report meaningful.
            """,
        examples: [
            .bad("Named only by position.", ExampleFile("policy.cedar", """
                @owner("platform-security")
                permit(principal, action == Action::"read", resource);
                """)),
            .good("A stable id.", ExampleFile("policy.cedar", """
                @id("read-docs")
                @owner("platform-security")
                permit(principal, action == Action::"read", resource);
                """)),
        ],
        check: { context in
            context.policies.compactMap { policy in
                let value = policy.policy.annotation("id")
                guard value == nil || value!.trimmingCharacters(in: " \t").isEmpty else { return nil }
                let range = value == nil ? policy.headRange : annotationRange(policy, "id")
                return RuleHit(
                    policy, range, value == nil ? "policy \(policy.label) has no @id" : "policy \(policy.label) has an empty @id",
                    hint: "add @id(\"what-it-does\") above the policy")
            }
        })
}

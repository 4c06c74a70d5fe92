extension LintRules {
    /// SG201: a policy with no `@owner`.
    static let missingOwner = LintRule(
        id: "SG201", name: "missing-owner", severity: .error,
        summary: "A policy has no `@owner(\"...\")` annotation.",
        rationale: """
            Every policy needs someone who answers for it: who is asked when it blocks a release, \
            who reviews a change to it, who retires it. stepguard reports the owner with every \
            decision the policy takes part in.
            """,
        examples: [
            .bad("No owner.", ExampleFile("policy.cedar", """
                @id("read-docs")
                permit(principal, action == Action::"read", resource);
                """)),
            .good("Owned by a team.", ExampleFile("policy.cedar", """
                @id("read-docs")
                @owner("platform-security")
                permit(principal, action == Action::"read", resource);
                """)),
        ],
        check: { context in
            context.policies.compactMap { policy in
                let value = policy.policy.annotation("owner")?.trimmingCharacters(in: " \t")
                guard value == nil || value!.isEmpty else { return nil }
                let range = value == nil ? policy.headRange : annotationRange(policy, "owner")
                return RuleHit(
                    policy, range, value == nil ? "policy \(policy.label) has no @owner" : "policy \(policy.label) has an empty @owner",
                    hint: "add @owner(\"team-name\") above the policy")
            }
        })
}

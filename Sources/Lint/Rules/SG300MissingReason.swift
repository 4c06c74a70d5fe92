extension LintRules {
    /// SG300: a policy with no `@reason`.
    static let missingReason = LintRule(
        id: "SG300", name: "missing-reason", severity: .info,
        summary: "A policy has no `@reason(\"...\")`.",
        rationale: """
            `@reason` is the one line stepguard shows when the policy decides a step: what an \
            agent's operator reads when a step is denied, rewritten or held. Without it they see \
            only a policy id.
            """,
        examples: [
            .bad("No reason.", ExampleFile("policy.cedar", """
                @id("no-external-send")
                forbid(principal, action == Action::"send-email", resource);
                """)),
            .good("The reason is shown with every decision.", ExampleFile("policy.cedar", """
                @id("no-external-send")
                @reason("agents do not email outside the company")
                forbid(principal, action == Action::"send-email", resource);
                """)),
        ],
        check: { context in
            context.policies.compactMap { policy in
                let value = policy.policy.annotation("reason")?.trimmingCharacters(in: " \t")
                guard value == nil || value!.isEmpty else { return nil }
                return RuleHit(policy, policy.headRange, "policy \(policy.label) has no @reason", hint: "add @reason(\"one line shown when it decides a step\")")
            }
        })
}

import Cedar

extension LintRules {
    /// SG200: a permit that allows everything to everyone.
    static let unconstrainedPermit = LintRule(
        id: "SG200", name: "unconstrained-permit", severity: .error,
        summary: "A permit has an unconstrained scope (`principal, action, resource`) and no condition: it allows every action on everything to everyone.",
        rationale: """
            One such permit turns the policy set from deny-by-default into allow-by-default: \
            every forbid must then be perfect, and any agent may run any tool. Agents need least \
            privilege (OWASP ASI03, NHI5): scope permits to the principals, actions and resources \
            they are for, or add a condition. A condition that folds to `true` counts as none.
            """,
        examples: [
            .bad("Everything is allowed.", ExampleFile("policy.cedar", """
                permit(principal, action, resource);
                """)),
            .bad("`when { true }` is no constraint.", ExampleFile("policy.cedar", """
                permit(principal, action, resource) when { true };
                """)),
            .good("Scoped to one group of agents and read actions.", ExampleFile("policy.cedar", """
                permit(principal in Team::"docs-agents", action in [Action::"read", Action::"search"], resource);
                """)),
        ],
        check: { context in
            context.policies.compactMap { policy in
                let p = policy.policy
                guard policy.isPermit, case .any = p.principal.kind, case .any = p.action.kind, case .any = p.resource.kind else { return nil }
                let constrains = p.conditions.contains { condition in
                    let folded = ConstantFolder.fold(condition.body)
                    return condition.kind == .when ? folded != .constant(.bool(true)) : folded != .constant(.bool(false))
                }
                if constrains { return nil }
                return RuleHit(
                    policy, policy.headRange,
                    "permit \(policy.label) allows every action on every resource to every principal",
                    hint: "constrain the principal, action or resource, or add a when condition")
            }
        })
}

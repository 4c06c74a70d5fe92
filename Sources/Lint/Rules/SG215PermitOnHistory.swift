import Cedar

extension LintRules {
    /// SG215: a permit conditioned on `context.history`, which may count work that has not happened.
    static let permitOnHistory = LintRule(
        id: "SG215", name: "permit-on-history", severity: .warning,
        summary: "A permit is conditioned on `context.history`, which holds every step that *may* run before this one, not what has run.",
        rationale: """
            `context.history` of a step counts every step of the plan that may run before it in \
            some order the plan allows: independent steps and held steps included. That makes a \
            forbid over it hold in every order, but a permit over it can be satisfied by work that \
            has not happened yet ("deploy only after the tests ran" passes when the tests are merely \
            independent of the deploy). A permit that requires prior work should read `context.done`, \
            the steps that must have completed first (the step's prerequisites through `needs`).
            """,
        examples: [
            .bad("The tests may run after the deploy: history counts them anyway.", ExampleFile("policy.cedar", """
                permit(principal, action == Action::"deploy", resource)
                when { context.history.actions.contains("test") };
                """)),
            .good("Only a deploy that needs the tests is allowed.", ExampleFile("policy.cedar", """
                permit(principal, action == Action::"deploy", resource)
                when { context.done.actions.contains("test") };
                """)),
            .good("A forbid over history holds in every order.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"http.post", resource)
                when { context.history.labels.contains("pii") };
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isPermit {
                var found: Expr?
                for condition in policy.policy.conditions where found == nil {
                    found = ContextRead.first("history", in: condition.body)
                }
                guard let found else { continue }
                hits.append(RuleHit(
                    policy, sourceRange(found.span),
                    "permit \(policy.label) is conditioned on context.history, which may count steps that have not run",
                    hint: "read context.done (the steps that must have completed) instead; keep context.history for forbids"))
            }
            return hits
        })
}

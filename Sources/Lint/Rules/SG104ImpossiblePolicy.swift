extension LintRules {
    /// SG104: a policy the schema shows can never apply.
    static let impossiblePolicy = LintRule(
        id: "SG104", name: "impossible-policy", severity: .warning,
        summary: "The schema shows that a policy can never apply to any request it allows.",
        rationale: """
            The validator type-checks the policy's scope and conditions in every request \
            environment the schema allows (principal type, action, resource type). When the \
            condition is `false` in all of them, the policy is dead: a forbid that protects \
            nothing, or a permit that grants nothing.
            """,
        examples: [
            .bad("A `Repo` is never an `Agent`.",
                ExampleFile("policy.cedar", """
                    permit(principal is Agent, action == Action::"read", resource is Repo)
                    when { resource is Agent };
                    """),
                ExampleFile("schema.cedarschema", """
                    entity Agent;
                    entity Repo;
                    action "read" appliesTo { principal: Agent, resource: Repo };
                    """)),
            .good("The condition can hold.",
                ExampleFile("policy.cedar", """
                    permit(principal is Agent, action == Action::"read", resource is Repo)
                    when { resource is Repo };
                    """),
                ExampleFile("schema.cedarschema", """
                    entity Agent;
                    entity Repo;
                    action "read" appliesTo { principal: Agent, resource: Repo };
                    """)),
        ],
        check: { context in validationHits(context, warnings: true) })
}

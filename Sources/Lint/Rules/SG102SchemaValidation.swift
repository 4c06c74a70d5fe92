import Cedar

extension LintRules {
    /// SG102: a policy that does not validate against the directory's schema.
    static let schemaValidation = LintRule(
        id: "SG102", name: "schema-validation", severity: .error,
        summary: "A policy does not validate against the policy directory's Cedar schema (strict mode): unknown types, actions or attributes, wrong operand types, unguarded optional attributes.",
        rationale: """
            When a directory has a schema (`*.cedarschema` or `*.cedarschema.json`), every policy \
            is type-checked against it the way Cedar's strict validator does. A policy that fails \
            validation either never applies (a misspelt type or attribute) or raises errors at \
            evaluation, which for a forbid means it silently does not apply.
            """,
        examples: [
            .bad("`nmae` is not an attribute of `Repo`.",
                ExampleFile("policy.cedar", """
                    permit(principal is Agent, action == Action::"read", resource is Repo)
                    when { resource.nmae == "payments" };
                    """),
                ExampleFile("schema.cedarschema", """
                    entity Agent;
                    entity Repo { name: String };
                    action "read" appliesTo { principal: Agent, resource: Repo };
                    """)),
            .good("The policy type-checks.",
                ExampleFile("policy.cedar", """
                    permit(principal is Agent, action == Action::"read", resource is Repo)
                    when { resource.name == "payments" };
                    """),
                ExampleFile("schema.cedarschema", """
                    entity Agent;
                    entity Repo { name: String };
                    action "read" appliesTo { principal: Agent, resource: Repo };
                    """)),
        ],
        check: { context in validationHits(context, warnings: false) })

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

    static func validationHits(_ context: LintContext, warnings: Bool) -> [RuleHit] {
        var hits: [RuleHit] = []
        for set in context.sets {
            guard let schema = set.schema, !set.policyIndices.isEmpty else { continue }
            let policies = set.policyIndices.map { context.policies[$0].policy }
            let report = Validator.check(policies: policies, schema: schema)
            for error in warnings ? report.warnings : report.errors {
                hits.append(RuleHit(
                    file: error.span.file, range: sourceRange(error.span), message: "\(error.message) [\(error.kind.rawValue)]",
                    hint: error.help))
            }
        }
        return hits
    }
}

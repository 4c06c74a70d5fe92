import Cedar

extension LintRules {
    /// SG102: a policy that does not validate against the directory's schema.
    static let schemaValidation = LintRule(
        id: "SG102", name: "schema-validation", severity: .error,
        summary: "A policy does not validate against the policy directory's Cedar schema (strict mode): unknown types, actions or attributes, wrong operand types, unguarded optional attributes.",
        rationale: """
            When a directory has a schema (`schema.cedarschema` or `schema.cedarschema.json`), every policy \
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

    /// The validator's errors (SG102) or warnings (SG104) as hits, set by set.
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

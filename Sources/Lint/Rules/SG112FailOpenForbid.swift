import Cedar

extension LintRules {
    /// SG112: a forbid whose condition can raise an error, so that it silently does not apply.
    static let failOpenForbid = LintRule(
        id: "SG112", name: "fail-open-forbid", severity: .warning,
        summary: "A forbid's condition can raise an error (an attribute read without `has`, an operand of the wrong type), and a forbid that errors does not apply.",
        rationale: """
            Cedar skips a policy whose condition raises an error. For a permit that fails closed; \
            for a forbid it fails *open*: the step the forbid was written to stop goes ahead. The \
            usual cause is reading an attribute that some entities or some contexts do not have \
            (`resource.environment`, `context.ticket`) without a `has` guard, or comparing a value \
            of the wrong type (`context.plan.risk > 2` on a string). The check knows which context \
            facts stepguard always provides (`context.history`, `context.plan`, `context.tool`, \
            `context.step`, `context.now`) and, with a schema, which attributes are required and \
            what type every attribute has.
            """,
        examples: [
            .bad("Resources without `environment` make this forbid error and not apply.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"deploy", resource)
                when { resource.environment == "production" };
                """)),
            .bad("`context.plan.risk` is a string; `>` on it is always an error.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"export", resource)
                when { context.plan.risk > 2 };
                """)),
            .good("The read is guarded, and the facts stepguard provides are always there.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"deploy", resource)
                when { resource has environment && resource.environment == "production" && context.history.external };
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isForbid {
                for hazard in HazardFinder.hazards(in: policy.policy, set: context.set(of: policy)) {
                    hits.append(RuleHit(
                        policy, sourceRange(hazard.span),
                        "forbid \(policy.label) can fail open: \(hazard.message), and the forbid is skipped", hint: hazard.hint))
                }
            }
            return hits
        })
}

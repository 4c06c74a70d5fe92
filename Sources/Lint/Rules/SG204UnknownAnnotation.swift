import Basics

extension LintRules {
    /// SG204: an annotation key that looks like a misspelt governance annotation.
    static let unknownAnnotation = LintRule(
        id: "SG204", name: "unknown-annotation", severity: .warning,
        summary: "An annotation key is a near miss of a governance annotation (`@ownr`, `@max-ttl`, `@Reason`).",
        rationale: """
            Cedar accepts any annotation and ignores it, so a misspelt `@mutate` or `@max_ttl` \
            silently loses its effect: the step is denied instead of rewritten, or the credential \
            gets the default lifetime. Keys within a small edit distance of a governance key \
            (`id`, `owner`, `reason`, `control`, `mutate`, `approve`, `mode`, `max_ttl`) are \
            reported with a suggestion. Other keys are left alone; list keys you use on purpose \
            under `lint.annotations` in `.stepguard.json`.
            """,
        examples: [
            .bad("`@ownr` is meant to be `@owner`.", ExampleFile("policy.cedar", """
                @id("read-docs")
                @ownr("platform-security")
                permit(principal, action == Action::"read", resource);
                """)),
            .good("Governance keys spelt right; unrelated keys are fine.", ExampleFile("policy.cedar", """
                @id("read-docs")
                @owner("platform-security")
                @ticket("SEC-1234")
                permit(principal, action == Action::"read", resource);
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            let accepted = Set(governanceAnnotationKeys + context.configuration.annotations)
            for policy in context.policies {
                for annotation in policy.policy.annotations where !accepted.contains(annotation.key) {
                    guard let suggestion = EditDistance.suggestion(for: annotation.key, among: governanceAnnotationKeys) else { continue }
                    hits.append(RuleHit(
                        policy, sourceRange(annotation.span),
                        "unknown annotation @\(annotation.key); did you mean @\(suggestion)?",
                        hint: "rename it to @\(suggestion), or list \"\(annotation.key)\" under lint.annotations in .stepguard.json"))
                }
            }
            return hits
        })
}

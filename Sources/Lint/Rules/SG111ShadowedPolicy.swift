import Cedar

extension LintRules {
    /// SG111: a policy that can never change a decision because another one always covers it.
    static let shadowedPolicy = LintRule(
        id: "SG111", name: "shadowed-policy", severity: .warning,
        summary: "A policy is shadowed by another of the same effect whose scope covers it and that has no condition.",
        rationale: """
            When an unconditional policy of the same effect matches every request another policy \
            could match, the second policy never changes a decision: reviewers read a rule that \
            does nothing, and a later edit to it has no effect. The check is conservative: the \
            shadowing policy must have no `when`/`unless` at all, principal and resource scopes \
            must cover the other's literally (`in` counts only for the same entity, because entity \
            data changes at run time), and action groups are resolved from the schema. For forbids \
            the shadowing one must itself be enforced with no remedy (`@mutate`, `@approve`, \
            `@mode`), since a remedy changes the outcome. A permit carrying its own `@max_ttl` is \
            not reported: it still caps credentials.
            """,
        examples: [
            .bad("The second forbid adds nothing: the first already denies every deploy.", ExampleFile("policy.cedar", """
                @id("no-deploy")
                forbid(principal, action == Action::"deploy", resource);

                @id("no-deploy-to-prod")
                forbid(principal, action == Action::"deploy", resource == Service::"prod-api");
                """)),
            .good("The broader forbid is conditional, so the narrower one still matters.", ExampleFile("policy.cedar", """
                @id("no-deploy-in-freeze")
                forbid(principal, action == Action::"deploy", resource)
                when { context has freeze && context.freeze };

                @id("no-deploy-to-prod")
                forbid(principal, action == Action::"deploy", resource == Service::"prod-api");
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for (index, set) in context.sets.enumerated() {
                let members = context.policiesBySet[index].filter { !$0.policy.isTemplate }
                // Only an unconditional policy can shadow another.
                let candidates = members.filter { $0.policy.conditions.isEmpty }
                guard !candidates.isEmpty else { continue }
                for shadowed in members {
                    guard let by = candidates.first(where: { candidate in
                        candidate.order != shadowed.order && shadows(candidate, shadowed, set)
                            // Two identical unconditional policies shadow each other: report the later one only.
                            && !(shadows(shadowed, candidate, set) && candidate.order > shadowed.order)
                    }) else { continue }
                    hits.append(RuleHit(
                        shadowed, shadowed.headRange,
                        "policy \(shadowed.label) is shadowed by \(by.label) (\(baseName(by.file)):\(by.policy.span.start.line)), which has the same effect, covers its scope and has no condition",
                        hint: "delete one of them, or narrow the broader policy"))
                }
            }
            return hits
        })

    /// Whether `outer` decides every request `inner` could match, the same way.
    static func shadows(_ outer: LintPolicy, _ inner: LintPolicy, _ set: PolicySetModel) -> Bool {
        guard outer.policy.effect == inner.policy.effect, outer.policy.conditions.isEmpty else { return false }
        if outer.isForbid {
            guard !outer.isLogOnly, !outer.hasRemedy, outer.policy.annotation("mode") == nil else { return false }
        } else if inner.policy.annotation("max_ttl") != nil {
            return false
        }
        return ScopeAnalysis.subsumes(outer.policy.principal, inner.policy.principal)
            && ScopeAnalysis.subsumes(outer.policy.action, inner.policy.action, in: set)
            && ScopeAnalysis.subsumes(outer.policy.resource, inner.policy.resource)
    }
}

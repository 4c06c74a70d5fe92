import Workflow

extension LintRules {
    /// SG207: a `@mutate` variant that can never pass the boundary check.
    static let mutateVariantEscapes = LintRule(
        id: "SG207", name: "mutate-variant-escapes-boundary", severity: .error,
        summary: "A `@mutate` variant runs an action with a higher effect or extra flags than the original, so the boundary check always rejects it.",
        rationale: """
            A rewrite must stay inside the original authorization boundary: the new action's \
            effect no higher (`read` < `write` < `delete`) and its flags a subset of the \
            original's (DESIGN §3). A variant that breaks this is rejected on every step, so the \
            policy that names it always falls through to approval or deny. Fix the variant in \
            `tools.json`: point it at a weaker action.
            """,
        examples: [
            .bad("`archive` is a rewrite of `read-logs` into a delete.",
                ExampleFile("policy.cedar", """
                    @id("archive-instead")
                    @mutate("archive")
                    forbid(principal, action == Action::"read-logs", resource);
                    """),
                ExampleFile("tools.json", """
                    {"actions": {
                      "read-logs": {"effect": "read", "variants": {"archive": {"action": "purge-logs"}}},
                      "purge-logs": {"effect": "delete"}
                    }}
                    """)),
            .good("A dry run is a read of what a write would do.",
                ExampleFile("policy.cedar", """
                    @id("dry-run-first")
                    @mutate("dry-run")
                    forbid(principal, action == Action::"deploy", resource);
                    """),
                ExampleFile("tools.json", """
                    {"actions": {
                      "deploy": {"effect": "write", "variants": {"dry-run": {"action": "deploy-plan"}}},
                      "deploy-plan": {"effect": "read"}
                    }}
                    """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isForbid {
                guard let name = policy.policy.annotation("mutate"), !name.isEmpty else { continue }
                let set = context.set(of: policy)
                guard let matched = set.catalogActions(matching: policy.policy.action), let catalog = set.catalog else { continue }
                for original in matched {
                    guard let variant = original.variant(name), let targetName = variant.action,
                          let target = catalog.actions[targetName] else { continue }
                    // The evaluator's own check, so the rule and the boundary never disagree.
                    let problems = RewriteBoundary.violations(from: original, to: target).map { violation in
                        switch violation {
                        case .higherEffect(let from, let to):
                            return "its effect \(to.rawValue) is higher than \(from.rawValue)"
                        case .addedFlags(let extra):
                            return "it adds flag\(extra.count == 1 ? "" : "s") \(extra.map(\.rawValue).joined(separator: ", "))"
                        }
                    }
                    guard !problems.isEmpty else { continue }
                    hits.append(RuleHit(
                        policy, annotationRange(policy, "mutate"),
                        "variant \"\(name)\" of \"\(original.name)\" runs \"\(target.name)\", which can never pass the boundary check: \(problems.joined(separator: " and "))",
                        hint: "point the variant at an action with effect at most \(original.effect.rawValue) and no new flags"))
                }
            }
            return hits
        })
}

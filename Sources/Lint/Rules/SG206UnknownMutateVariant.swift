import Basics
import Workflow

extension LintRules {
    /// SG206: `@mutate` naming a variant no matching action defines.
    static let unknownMutateVariant = LintRule(
        id: "SG206", name: "unknown-mutate-variant", severity: .error,
        summary: "A forbid's `@mutate(\"VARIANT\")` names a variant that no catalog action its scope can match defines.",
        rationale: """
            A rewrite to a variant the step's action does not have cannot happen, so the step falls \
            through to deny (or to an approval): the safer path the policy promises never runs. \
            The variant must be defined under `variants` of every action the forbid is meant for \
            in `tools.json`.
            """,
        examples: [
            .bad("`deploy` has no variant `staging`; it has `to-staging`.",
                ExampleFile("policy.cedar", """
                    @id("prod-deploys-go-to-staging")
                    @mutate("staging")
                    forbid(principal, action == Action::"deploy", resource);
                    """),
                ExampleFile("tools.json", """
                    {"actions": {"deploy": {"effect": "write", "variants": {"to-staging": {"resource": "$resource.staging"}}}}}
                    """)),
            .good("The variant exists on the action.",
                ExampleFile("policy.cedar", """
                    @id("prod-deploys-go-to-staging")
                    @mutate("to-staging")
                    forbid(principal, action == Action::"deploy", resource);
                    """),
                ExampleFile("tools.json", """
                    {"actions": {"deploy": {"effect": "write", "variants": {"to-staging": {"resource": "$resource.staging"}}}}}
                    """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isForbid {
                guard let variant = policy.policy.annotation("mutate"), !variant.isEmpty else { continue }
                let set = context.set(of: policy)
                guard let matched = set.catalogActions(matching: policy.policy.action), let catalog = set.catalog else { continue }
                if matched.isEmpty {
                    hits.append(RuleHit(
                        policy, annotationRange(policy, "mutate"),
                        "@mutate(\"\(variant)\") can never apply: the forbid's action scope matches no action of \(baseName(catalog.file))",
                        hint: "name catalog actions in the scope, or add the actions to tools.json"))
                    continue
                }
                if matched.contains(where: { $0.variant(variant) != nil }) { continue }
                let names = Set(matched.flatMap { $0.variants.map(\.name) })
                var hint = "define variant \"\(variant)\" under \"variants\" of \(describeActions(matched.map(\.name))) in tools.json"
                let containing = names.sorted().first { $0.contains(variant) || variant.contains($0) }
                if let suggestion = EditDistance.suggestion(for: variant, among: names) ?? containing {
                    hint = "did you mean \"\(suggestion)\"? or " + hint
                }
                let elsewhere = catalog.actions.values.filter { $0.variant(variant) != nil }.map(\.name).sorted()
                let note = elsewhere.isEmpty ? "" : " (only \(describeActions(elsewhere)) define it)"
                hits.append(RuleHit(
                    policy, annotationRange(policy, "mutate"),
                    "@mutate(\"\(variant)\") names a variant that none of \(describeActions(matched.map(\.name))) defines\(note)",
                    hint: hint))
            }
            return hits
        })
}

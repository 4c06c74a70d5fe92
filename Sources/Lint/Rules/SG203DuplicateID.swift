extension LintRules {
    /// SG203: the same `@id` on two policies of one policy directory.
    static let duplicateID = LintRule(
        id: "SG203", name: "duplicate-id", severity: .error,
        summary: "Two policies of one policy directory (across all its files) have the same `@id`.",
        rationale: """
            Policy ids name policies in decisions, test expectations, approvals and the audit log. \
            Two policies with one id make every such reference ambiguous, and Cedar engines reject \
            the policy set outright.
            """,
        examples: [
            .bad("Both files use `no-prod-writes`.",
                ExampleFile("a.cedar", """
                    @id("no-prod-writes")
                    forbid(principal, action == Action::"write", resource == Database::"prod");
                    """),
                ExampleFile("b.cedar", """
                    @id("no-prod-writes")
                    forbid(principal, action == Action::"delete", resource == Database::"prod");
                    """)),
            .good("Distinct ids.",
                ExampleFile("a.cedar", """
                    @id("no-prod-writes")
                    forbid(principal, action == Action::"write", resource == Database::"prod");
                    """),
                ExampleFile("b.cedar", """
                    @id("no-prod-deletes")
                    forbid(principal, action == Action::"delete", resource == Database::"prod");
                    """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for set in context.sets {
                var first: [String: LintPolicy] = [:]
                for index in set.policyIndices {
                    let policy = context.policies[index]
                    guard let id = policy.declaredID else { continue }
                    if let earlier = first[id] {
                        hits.append(RuleHit(
                            policy, annotationRange(policy, "id"),
                            "@id \"\(id)\" is already used at \(earlier.file):\(earlier.policy.span.start.line):\(earlier.policy.span.start.column)",
                            hint: "give every policy of the directory a unique id"))
                    } else {
                        first[id] = policy
                    }
                }
            }
            return hits
        })
}

extension LintRules {
    /// SG212: an inline suppression without a reason, or naming no known rule.
    static let unjustifiedSuppression = LintRule(
        id: "SG212", name: "unjustified-suppression", severity: .error,
        summary: "A `// stepguard:ignore` comment gives no reason after `--`, or names no known rule; it suppresses nothing.",
        rationale: """
            A suppression is an exception to governance and must say why, so a reviewer can judge \
            it and an auditor can find it. Write `// stepguard:ignore SG201 -- the reason`. A \
            suppression without a reason does not apply, and is reported itself. Suppressed \
            findings are counted in every summary; `lint.allowInlineSuppression: false` in \
            `.stepguard.json` turns all inline suppression off.
            """,
        examples: [
            .bad("No reason.", ExampleFile("policy.cedar", """
                // stepguard:ignore SG201
                @id("read-docs")
                permit(principal, action == Action::"read", resource);
                """)),
            .good("A reason is given.", ExampleFile("policy.cedar", """
                // stepguard:ignore SG201 -- owned by the vendor; tracked in SEC-1234
                @id("read-docs")
                permit(principal, action == Action::"read", resource);
                """)),
        ],
        check: nil)
}

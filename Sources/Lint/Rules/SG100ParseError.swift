extension LintRules {
    /// SG100: a policy file that does not parse.
    static let parseError = LintRule(
        id: "SG100", name: "parse-error", severity: .error,
        summary: "A policy file is not valid Cedar.",
        rationale: """
            A file that does not parse contributes no policies at all: every permit and every forbid \
            in it is silently missing from the policy set. The finding points at the first token \
            the parser could not accept and says what it expected there.
            """,
        examples: [
            .bad("The closing parenthesis and semicolon are missing.", ExampleFile("policy.cedar", """
                permit(principal, action == Action::"read", resource
                """)),
            .good("A complete policy.", ExampleFile("policy.cedar", """
                permit(principal, action == Action::"read", resource);
                """)),
        ],
        check: nil)
}

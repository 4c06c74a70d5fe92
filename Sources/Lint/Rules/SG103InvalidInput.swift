extension LintRules {
    /// SG103: an entities file, action catalog, plan or test suite that cannot be read.
    static let invalidInput = LintRule(
        id: "SG103", name: "invalid-input", severity: .error,
        summary: "An `entities.json`, `tools.json`, plan or test suite is not valid.",
        rationale: """
            stepguard reads these files at every evaluation; one that does not load stops `eval`, \
            `mutate`, `mint` and `test` with exit 2. The finding gives the exact place and what \
            the file must hold there. A plan's actions are also checked against the nearest \
            `tools.json`.
            """,
        examples: [
            .bad("`writes` is not an effect.", ExampleFile("tools.json", """
                {"actions": {"deploy": {"effect": "writes"}}}
                """)),
            .good("Effects are `read`, `write` or `delete`.", ExampleFile("tools.json", """
                {"actions": {"deploy": {"effect": "write"}}}
                """)),
        ],
        check: nil)
}

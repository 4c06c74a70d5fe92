extension LintRules {
    /// SG101: a schema file that does not parse or does not resolve.
    static let schemaError = LintRule(
        id: "SG101", name: "schema-error", severity: .error,
        summary: "A Cedar schema file (`.cedarschema` or `.cedarschema.json`) is not valid.",
        rationale: """
            Without a valid schema, policies are not type-checked, entity and context JSON are read \
            without types, and the fail-open analysis loses what the schema says about required \
            attributes. Fix the schema first: other findings may depend on it.
            """,
        examples: [
            .bad("`Team` is used but never declared.", ExampleFile("schema.cedarschema", """
                entity Agent in [Team];
                action "read" appliesTo { principal: Agent, resource: Agent };
                """)),
            .good("Every type used is declared.", ExampleFile("schema.cedarschema", """
                entity Team;
                entity Agent in [Team];
                action "read" appliesTo { principal: Agent, resource: Agent };
                """)),
        ],
        check: nil)
}

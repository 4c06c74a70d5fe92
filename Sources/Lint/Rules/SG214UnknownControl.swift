extension LintRules {
    /// SG214: an `@control` value that names no known framework control.
    static let unknownControl = LintRule(
        id: "SG214", name: "unknown-control", severity: .warning,
        summary: "An `@control` entry is not an OWASP Agentic (`ASI01`–`ASI10`), OWASP NHI (`NHI1`–`NHI10`), OWASP LLM (`LLM01`–`LLM10`) or NIST CSF 2.0 (`PR.AA`, `PR.AA-05`) control id.",
        rationale: """
            `@control` maps policies to the controls they implement; `docs/controls.md` and \
            compliance reports are generated from it. A misspelt id (`ASI1`, `PR.AA-5`) drops the \
            policy from the mapping and leaves the control looking unimplemented. Entries are \
            separated by commas; entries of other frameworks (`PCI DSS 7.2`, `GDPR Art. 25`) are \
            left alone.
            """,
        examples: [
            .bad("`ASI1` should be `ASI01`; `PR.AA-5` should be `PR.AA-05`.", ExampleFile("policy.cedar", """
                @id("least-privilege")
                @control("ASI1, PR.AA-5")
                permit(principal in Team::"ci", action == Action::"read", resource);
                """)),
            .good("Well-formed ids.", ExampleFile("policy.cedar", """
                @id("least-privilege")
                @control("ASI03, NHI5, PR.AA-05")
                permit(principal in Team::"ci", action == Action::"read", resource);
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies {
                guard let annotation = policy.annotation("control") else { continue }
                let ids = ControlCatalog.split(annotation.value)
                if ids.isEmpty {
                    hits.append(RuleHit(policy, sourceRange(annotation.span), "@control is empty", hint: "name the controls, e.g. @control(\"ASI03, NHI5, PR.AA-05\")"))
                }
                for id in ids where ControlCatalog.lookup(id) == nil && ControlCatalog.claimsKnownFramework(id) {
                    let hint = ControlCatalog.suggestion(for: id).map { "did you mean \"\($0)\"?" } ?? "use ASI01–ASI10, NHI1–NHI10, LLM01–LLM10 or a NIST CSF 2.0 id such as PR.AA-05"
                    hits.append(RuleHit(policy, sourceRange(annotation.span), "@control names unknown control \"\(id)\"", hint: hint))
                }
            }
            return hits
        })
}

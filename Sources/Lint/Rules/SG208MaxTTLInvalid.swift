import Basics
import JSONValue
extension LintRules {
    /// SG208: a `@max_ttl` that is not a duration, is zero, or exceeds the hard cap.
    static let maxTTLInvalid = LintRule(
        id: "SG208", name: "max-ttl-invalid", severity: .error,
        summary: "A permit's `@max_ttl` is not a duration (`5m`, `90s`, `1h`), is zero, or exceeds the hard cap of 1h.",
        rationale: """
            Credentials minted for a step live no longer than the `@max_ttl` of the permits that \
            allowed it and never longer than the hard cap of one hour (OWASP NHI7: long-lived \
            secrets). A larger value is capped at mint time with a warning, which hides the \
            mistake; a value that is not a duration is ignored entirely.
            """,
        examples: [
            .bad("Two hours exceeds the cap.", ExampleFile("policy.cedar", """
                @id("read-secrets")
                @max_ttl("2h")
                permit(principal, action == Action::"read-secret", resource);
                """)),
            .bad("`5 minutes` is not a duration.", ExampleFile("policy.cedar", """
                @id("read-secrets")
                @max_ttl("5 minutes")
                permit(principal, action == Action::"read-secret", resource);
                """)),
            .good("Five minutes.", ExampleFile("policy.cedar", """
                @id("read-secrets")
                @max_ttl("5m")
                permit(principal, action == Action::"read-secret", resource);
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isPermit {
                guard let value = policy.policy.annotation("max_ttl") else { continue }
                let range = annotationRange(policy, "max_ttl")
                guard let ms = DurationText.milliseconds(value) else {
                    hits.append(RuleHit(policy, range, "@max_ttl(\"\(value)\") is not a duration", hint: "write a duration such as \"5m\", \"90s\" or \"1h\""))
                    continue
                }
                if ms == 0 {
                    hits.append(RuleHit(policy, range, "@max_ttl(\"\(value)\") is zero: no credential could be minted", hint: "use a positive duration such as \"5m\""))
                } else if ms % 1000 != 0 {
                    hits.append(RuleHit(policy, range, "@max_ttl(\"\(value)\") is not a whole number of seconds: credentials count in seconds", hint: "round to seconds, such as \"1s\" or \"90s\""))
                } else if ms > hardMaxTTLMilliseconds {
                    hits.append(RuleHit(
                        policy, range, "@max_ttl(\"\(value)\") exceeds the hard cap of \(DurationText.format(milliseconds: hardMaxTTLMilliseconds)); credentials are capped at \(DurationText.format(milliseconds: hardMaxTTLMilliseconds))",
                        hint: "use at most \"1h\"; prefer minutes"))
                }
            }
            return hits
        })
}

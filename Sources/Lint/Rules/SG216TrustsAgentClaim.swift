import Cedar

extension LintRules {
    /// SG216: a forbid whose exception, or a permit whose condition, rests on `context.claims`:
    /// values the plan's author wrote, which the agent can set to whatever passes.
    static let trustsAgentClaim = LintRule(
        id: "SG216", name: "trusts-agent-claim", severity: .warning,
        summary: "A forbid's exception or a permit's condition reads `context.claims`, which the agent writes itself.",
        rationale: """
            `context.claims` holds the plan's and the step's free-form `context`: what the agent \
            says about itself and its task, never checked by anyone. A forbid whose `unless` reads \
            a claim, or whose `when` the agent can make false by writing (or leaving out) a claim, \
            is a forbid the agent can switch off; a permit that requires a claim is a permit the \
            agent can grant itself. Rest such a rule on a fact the agent cannot write: an entity \
            attribute from `entities.json`, the verified `context.identity`, the chain facts, or \
            `context.args`, which the credential binds by digest so that the tool runs with exactly \
            the arguments that were decided. To let a person lift a forbid, use `@approve`.
            """,
        examples: [
            .bad("The agent writes the sign-off it needs into its own plan.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"storage.delete", resource)
                unless { context.claims has signoff && context.claims.signoff == "oncall" };
                """)),
            .bad("The agent leaves out the claim and the forbid never holds.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"http.post", resource)
                when { context.claims has untrusted_input && context.claims.untrusted_input };
                """)),
            .bad("A permit the agent can satisfy by saying so.", ExampleFile("policy.cedar", """
                permit(principal, action == Action::"deploy", resource)
                when { context.claims.ticket like "CHG-*" };
                """)),
            .good("The sign-off is an attribute the operator keeps in entities.json.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"storage.delete", resource)
                unless { resource has signed_off && resource.signed_off };
                """)),
            .good("Arguments are bound into the credential: a dry run stays a dry run.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"storage.delete", resource)
                unless { context.args has dry_run && context.args.dry_run == true };
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies {
                for condition in policy.policy.conditions {
                    guard let found = ContextRead.first("claims", in: condition.body) else { continue }
                    let message: String
                    if policy.isPermit {
                        message = "permit \(policy.label) can be satisfied by what the agent claims: its \(condition.kind.rawValue) reads context.claims"
                    } else if condition.kind == .unless {
                        message = "forbid \(policy.label) has an exception the agent controls: its unless reads context.claims"
                    } else {
                        message = "forbid \(policy.label) can be made false by what the agent claims: its when reads context.claims"
                    }
                    hits.append(RuleHit(
                        policy, sourceRange(found.span), message,
                        hint: "rest it on an entity attribute, context.identity, the chain facts or context.args; use @approve to let a person decide"))
                    break
                }
            }
            return hits
        })
}

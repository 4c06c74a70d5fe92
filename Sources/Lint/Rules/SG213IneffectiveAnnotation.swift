import Workflow

extension LintRules {
    /// SG213: a governance annotation that has no effect where it is written.
    static let ineffectiveAnnotation = LintRule(
        id: "SG213", name: "ineffective-annotation", severity: .warning,
        summary: "A governance annotation has no effect where it is: `@mutate`, `@approve` or `@mode` on a permit, `@max_ttl` on a forbid, `@mode` other than `log_only`, an empty `@mutate` or `@approve`.",
        rationale: """
            Remedies (`@mutate`, `@approve`) and rollout (`@mode`) apply to forbids, the credential \
            cap (`@max_ttl`) to permits (DESIGN §2). Written elsewhere they are ignored, and the \
            policy does not do what its annotations say.
            """,
        examples: [
            .bad("A permit cannot hold a step for approval.", ExampleFile("policy.cedar", """
                @id("deploy")
                @approve("release-managers")
                permit(principal, action == Action::"deploy", resource);
                """)),
            .bad("`@mode(\"dry_run\")` is not a mode.", ExampleFile("policy.cedar", """
                @id("no-export")
                @mode("dry_run")
                forbid(principal, action == Action::"export", resource);
                """)),
            .good("`@approve` on a forbid.", ExampleFile("policy.cedar", """
                @id("deploy-approval")
                @approve("release-managers")
                forbid(principal, action == Action::"deploy", resource);
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies {
                for annotation in policy.policy.annotations {
                    let range = sourceRange(annotation.span)
                    let key = annotation.key
                    let remedy = key == "mutate" || key == "approve"
                    if (remedy || key == "mode") && policy.isPermit {
                        hits.append(RuleHit(policy, range, "@\(key) has no effect on a permit", hint: "move it to the forbid that should stop the step"))
                    } else if (key == "max_ttl" || key == "release") && policy.isForbid {
                        hits.append(RuleHit(policy, range, "@\(key) has no effect on a forbid", hint: "put @\(key) on the permit that allows the step"))
                    } else if key == "release" && StepDecider.releasedFlags(annotation.value).isEmpty {
                        hits.append(RuleHit(
                            policy, range, "@release(\"\(annotation.value)\") names no catalog flag; nothing is released",
                            hint: "name the flags the permit releases from the tier's hold: @release(\"irreversible\")"))
                    } else if key == "mode" && annotation.value != "log_only" {
                        hits.append(RuleHit(policy, range, "@mode(\"\(annotation.value)\") is not a mode; the forbid is enforced", hint: "use @mode(\"log_only\") or remove it"))
                    } else if remedy && annotation.value.trimmingCharacters(in: " \t").isEmpty {
                        hits.append(RuleHit(
                            policy, range, "@\(key) is empty",
                            hint: key == "mutate" ? "name the variant: @mutate(\"VARIANT\")" : "name the approving group: @approve(\"GROUP\")"))
                    }
                }
            }
            return hits
        })
}

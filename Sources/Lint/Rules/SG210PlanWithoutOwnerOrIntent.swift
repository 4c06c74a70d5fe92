import JSONValue

extension LintRules {
    /// SG210: a plan that does not say who answers for it or what it is for.
    static let planWithoutOwnerOrIntent = LintRule(
        id: "SG210", name: "plan-without-owner-or-intent", severity: .warning,
        summary: "A plan has no `owner` or no `intent`.",
        rationale: """
            A plan an agent runs must be attributable: `owner` names who answers for it, `intent` \
            says in words what it is for, so that approvers and auditors can judge whether each \
            step serves it (OWASP ASI01: goal hijack; ASI10). Both appear in every decision and \
            audit record, and policies can read them as `context.plan.owner` and `.intent`.
            """,
        examples: [
            .bad("Neither owner nor intent.", ExampleFile("plan.json", """
                {"plan": "p1", "principal": "Agent::\\"ci\\"",
                 "steps": [{"id": "s1", "action": "read", "resource": "Repo::\\"api\\""}]}
                """)),
            .good("Owner and intent given.", ExampleFile("plan.json", """
                {"plan": "p1", "owner": "team-payments", "intent": "read the API repository",
                 "principal": "Agent::\\"ci\\"",
                 "steps": [{"id": "s1", "action": "read", "resource": "Repo::\\"api\\""}]}
                """)),
        ],
        check: { context in
            context.plans.compactMap { plan in
                guard case .object(let root) = plan.document.value else { return nil }
                let missing = ["owner", "intent"].filter { key in
                    guard let value = root[key] else { return true }
                    return (value.stringValue ?? "x").trimmingCharacters(in: " \t\n").isEmpty
                }
                guard !missing.isEmpty else { return nil }
                let present = missing.first.flatMap { root[$0] } != nil
                let range = present ? plan.range([.key(missing[0])]) : plan.range(root["plan"] != nil ? [.key("plan")] : [])
                return RuleHit(
                    file: plan.file, range: range,
                    message: "plan has no \(missing.joined(separator: " and ")): nobody answers for it or says what it is for",
                    hint: "add " + missing.map { "\"\($0)\": \"...\"" }.joined(separator: " and "))
            }
        })
}

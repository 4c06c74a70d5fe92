import JSONValue

extension LintRules {
    /// SG211: a plan step with no resource.
    static let stepWithoutResource = LintRule(
        id: "SG211", name: "step-without-resource", severity: .error,
        summary: "A plan step has no `resource`.",
        rationale: """
            Every step is decided as a Cedar request on one resource. A step without one cannot be \
            decided, scoped, minted a credential for, or audited; stepguard refuses to evaluate \
            the plan.
            """,
        examples: [
            .bad("What does `deploy` act on?", ExampleFile("plan.json", """
                {"plan": "p1", "owner": "team-payments", "intent": "ship the API",
                 "principal": "Agent::\\"ci\\"",
                 "steps": [{"id": "s1", "action": "deploy"}]}
                """)),
            .good("The step names its resource.", ExampleFile("plan.json", """
                {"plan": "p1", "owner": "team-payments", "intent": "ship the API",
                 "principal": "Agent::\\"ci\\"",
                 "steps": [{"id": "s1", "action": "deploy", "resource": "Service::\\"api\\""}]}
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for plan in context.plans {
                guard case .array(let steps)? = plan.document.value["steps"] else { continue }
                for (index, step) in steps.enumerated() {
                    guard case .object(let object) = step else { continue }
                    let value = object["resource"]
                    let empty = value == nil || value == .null || value?.stringValue == ""
                    guard empty else { continue }
                    let name = object["id"]?.stringValue.map { "step \"\($0)\"" } ?? "step \(index)"
                    let path: [JSONPathComponent] = value == nil ? [.key("steps"), .index(index)] : [.key("steps"), .index(index), .key("resource")]
                    hits.append(RuleHit(
                        file: plan.file, range: plan.range(path),
                        message: "\(name) has no resource",
                        hint: "add \"resource\": \"Type::\\\"id\\\"\" naming the entity the step acts on"))
                }
            }
            return hits
        })
}

import Cedar

extension LintRules {
    /// SG215: a permit conditioned on `context.history`, which may count work that has not happened.
    static let permitOnHistory = LintRule(
        id: "SG215", name: "permit-on-history", severity: .warning,
        summary: "A permit is conditioned on `context.history`, which holds every step that *may* run before this one, not what has run.",
        rationale: """
            `context.history` of a step counts every step of the plan that may run before it in \
            some order the plan allows: independent steps and held steps included. That makes a \
            forbid over it hold in every order, but a permit over it can be satisfied by work that \
            has not happened yet ("deploy only after the tests ran" passes when the tests are merely \
            independent of the deploy). A permit that requires prior work should read `context.done`, \
            the steps that must have completed first (the step's prerequisites through `needs`).
            """,
        examples: [
            .bad("The tests may run after the deploy: history counts them anyway.", ExampleFile("policy.cedar", """
                permit(principal, action == Action::"deploy", resource)
                when { context.history.actions.contains("test") };
                """)),
            .good("Only a deploy that needs the tests is allowed.", ExampleFile("policy.cedar", """
                permit(principal, action == Action::"deploy", resource)
                when { context.done.actions.contains("test") };
                """)),
            .good("A forbid over history holds in every order.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"http.post", resource)
                when { context.history.labels.contains("pii") };
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isPermit {
                var found: Expr?
                for condition in policy.policy.conditions where found == nil {
                    found = HistoryRead.first(in: condition.body, depth: 0)
                }
                guard let found else { continue }
                hits.append(RuleHit(
                    policy, sourceRange(found.span),
                    "permit \(policy.label) is conditioned on context.history, which may count steps that have not run",
                    hint: "read context.done (the steps that must have completed) instead; keep context.history for forbids"))
            }
            return hits
        })
}

/// The first read of `context.history` in an expression.
enum HistoryRead {
    static func first(in expr: Expr, depth: Int) -> Expr? {
        if depth > 200 { return nil }
        if let path = AttributePath.of(expr), path.count >= 2, path[0] == "context", path[1] == "history" { return expr }
        let next: [Expr]
        switch expr.kind {
        case .literal, .variable, .slot, .entity: next = []
        case .ifThenElse(let a, let b, let c): next = [a, b, c]
        case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b): next = [a, b]
        case .unary(_, let a), .like(let a, _), .attribute(let a, _), .index(let a, _), .parenthesized(let a): next = [a]
        case .has(let a, let path, _):
            if let base = AttributePath.of(a), (base + path).starts(with: ["context", "history"]) { return expr }
            next = [a]
        case .isType(let a, _, let b): next = [a] + (b.map { [$0] } ?? [])
        case .methodCall(let a, _, let args): next = [a] + args
        case .call(_, let args), .set(let args): next = args
        case .record(let entries): next = entries.map(\.value)
        }
        for e in next { if let hit = first(in: e, depth: depth + 1) { return hit } }
        return nil
    }
}

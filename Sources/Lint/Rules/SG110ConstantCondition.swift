import Cedar

extension LintRules {
    /// SG110: a condition, or part of one, whose value does not depend on the request.
    static let constantCondition = LintRule(
        id: "SG110", name: "constant-condition", severity: .warning,
        summary: "A `when`/`unless` condition (or an operand of `&&`, `||`, `!`, `if`) is always true or never true.",
        rationale: """
            A condition folded from literals alone is almost always a mistake: a test left in, a \
            comparison of two constants, a typo that turned an attribute into a string. A `when` \
            that can never be true disables the policy without a trace; one that is always true \
            makes the clause pointless and the policy broader than it reads. Folding follows \
            Cedar's evaluation rules (short-circuiting, errors), so an operand that would raise an \
            error is never assumed away.
            """,
        examples: [
            .bad("`1 > 2` is never true: the forbid never applies.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"deploy", resource)
                when { 1 > 2 };
                """)),
            .bad("`\"prod\" == \"prod\"` compares two literals.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"deploy", resource)
                when { context has env && (context.env == "staging" || "prod" == "prod") };
                """)),
            .good("The condition depends on the request.", ExampleFile("policy.cedar", """
                forbid(principal, action == Action::"deploy", resource)
                when { context has env && context.env == "prod" };
                """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies {
                for condition in policy.policy.conditions {
                    let folded = ConstantFolder.fold(condition.body)
                    let keyword = condition.kind.rawValue
                    let range = sourceRange(condition.span)
                    let isWhen = condition.kind == .when
                    if !(isWhen ? folded.canBeTrue : folded.canBeFalse) {
                        let why = folded == .error || isNonBool(folded) ? "always raises an error" : (isWhen ? "is never true" : "is never false")
                        hits.append(RuleHit(
                            policy, range, "the \(keyword) condition \(why), so policy \(policy.label) never applies",
                            hint: "fix the condition or delete the policy"))
                    } else if let only = folded.onlyBool {
                        let always = only ? "true" : "false"
                        let note = folded == .constant(.bool(only)) ? "" : " (or raises an error)"
                        hits.append(RuleHit(
                            policy, range, "the \(keyword) condition is always \(always)\(note); it does not depend on the request",
                            hint: "remove the clause or compare request values"))
                    } else {
                        constantOperands(condition.body, policy, &hits, 0)
                    }
                }
            }
            return hits
        })

    static func isNonBool(_ folded: Folded) -> Bool {
        if case .constant(let v) = folded, case .bool = v { return false }
        if case .constant = folded { return true }
        return false
    }

    /// Reports the outermost boolean operands that fold to a constant inside a condition that
    /// does not.
    static func constantOperands(_ e: Expr, _ policy: LintPolicy, _ hits: inout [RuleHit], _ depth: Int) {
        if depth > 200 { return }
        var operands: [Expr] = []
        switch e.kind {
        case .and(let a, let b), .or(let a, let b): operands = [a, b]
        case .unary(.not, let a): operands = [a]
        case .ifThenElse(let c, let t, let f): operands = [c, t, f]
        case .parenthesized(let inner): constantOperands(inner, policy, &hits, depth + 1); return
        default: return
        }
        for operand in operands {
            let folded = ConstantFolder.fold(operand)
            if case .constant(.bool(let b)) = folded {
                hits.append(RuleHit(
                    policy, sourceRange(operand.span), "this operand is always \(b ? "true" : "false"); it does not depend on the request",
                    hint: "simplify the expression or compare request values"))
            } else if folded == .error {
                hits.append(RuleHit(
                    policy, sourceRange(operand.span), "this operand always raises an error",
                    hint: "fix the operand's types"))
            } else {
                constantOperands(operand, policy, &hits, depth + 1)
            }
        }
    }
}

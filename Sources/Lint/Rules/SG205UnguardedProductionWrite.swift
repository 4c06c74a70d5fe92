import Cedar
import Workflow

extension LintRules {
    /// SG205: production changes permitted outright, with no mutation or approval in the way.
    static let unguardedProductionWrite = LintRule(
        id: "SG205", name: "unguarded-production-write", severity: .error,
        summary: "A permit allows a `write`/`delete`, `irreversible` or `privileged` catalog action on a production resource, and no forbid routes it through `@mutate` or `@approve` (or denies it).",
        rationale: """
            Changes to production made by an agent should go through a safer variant (a staging \
            counterpart, a dry run) or wait for a human (OWASP ASI02, ASI09; NIST CSF PR.AA-05). \
            The rule reads effects and flags from `tools.json` and production from the resource \
            scope (an entity whose `environment` is `production`/`prod`, or that is in one, per \
            `entities.json`) or from a condition on `resource.environment`. A forbid on the same \
            action with `@mutate` or `@approve`, or an unconditional forbid, counts as the path.
            """,
        examples: [
            .bad("Deploying to production is allowed outright.",
                ExampleFile("policy.cedar", """
                    @id("deploy")
                    permit(principal, action == Action::"deploy", resource)
                    when { resource has environment && resource.environment == "production" };
                    """),
                ExampleFile("tools.json", """
                    {"actions": {"deploy": {"effect": "write"}}}
                    """)),
            .good("A forbid holds production deploys for approval.",
                ExampleFile("policy.cedar", """
                    @id("deploy")
                    permit(principal, action == Action::"deploy", resource)
                    when { resource has environment && resource.environment == "production" };

                    @id("prod-deploy-approval")
                    @approve("release-managers")
                    forbid(principal, action == Action::"deploy", resource)
                    when { resource has environment && resource.environment == "production" };
                    """),
                ExampleFile("tools.json", """
                    {"actions": {"deploy": {"effect": "write"}}}
                    """)),
            .good("Reads of production are not changes.",
                ExampleFile("policy.cedar", """
                    @id("read-prod")
                    permit(principal, action == Action::"read", resource == Database::"orders");
                    """),
                ExampleFile("tools.json", """
                    {"actions": {"read": {"effect": "read"}}}
                    """),
                ExampleFile("entities.json", """
                    [{"uid": {"type": "Database", "id": "orders"}, "attrs": {"environment": "production"}, "parents": []}]
                    """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for policy in context.policies where policy.isPermit && !policy.policy.isTemplate {
                let set = context.set(of: policy)
                guard let actions = set.catalogActions(matching: policy.policy.action) else { continue }
                let risky = actions.filter { $0.effect >= .write || $0.flags.contains(.irreversible) || $0.flags.contains(.privileged) }
                guard !risky.isEmpty, let evidence = productionEvidence(policy.policy, set) else { continue }
                let forbids = context.siblings(of: policy).filter { $0.isForbid && !$0.isLogOnly && !$0.policy.isTemplate }
                let unguarded = risky.filter { action in
                    !forbids.contains { forbid in guards(forbid, action: action, permit: policy, set: set) }
                }
                guard !unguarded.isEmpty else { continue }
                let described = unguarded.map { action in
                    var traits = [action.effect.rawValue] + action.flags.filter { $0 == .irreversible || $0 == .privileged }.map(\.rawValue)
                    traits = traits.filter { $0 != "read" }
                    return "\"\(action.name)\" (\(traits.joined(separator: ", ")))"
                }
                hits.append(RuleHit(
                    policy, policy.headRange,
                    "permit \(policy.label) allows \(described.joined(separator: ", ")) on production (\(evidence)) with no @mutate or @approve path",
                    hint: "add a forbid with @mutate(\"VARIANT\") or @approve(\"GROUP\") for these actions on production"))
            }
            return hits
        })

    /// Why the permit can reach production, or nil when it cannot (or nothing says so).
    static func productionEvidence(_ policy: Policy, _ set: PolicySetModel) -> String? {
        let pin = EnvironmentPin.of(policy)
        if let required = pin.required {
            return isProductionName(required) ? "its condition requires resource.environment == \"\(required)\"" : nil
        }
        if pin.excluded.contains(where: isProductionName) { return nil }
        switch policy.resource.kind {
        case .equals(.entity(let uid)), .in(.entity(let uid)), .isIn(_, .entity(let uid)):
            if set.isProduction(uid) { return "\(uid) is a production resource" }
        default:
            break
        }
        if let example = set.productionEntities(matching: policy.resource).first {
            return "it matches production resources such as \(example)"
        }
        return nil
    }

    /// Whether `forbid` stands between the permit and `action` on production.
    static func guards(_ forbid: LintPolicy, action: CatalogAction, permit: LintPolicy, set: PolicySetModel) -> Bool {
        guard let matched = set.catalogActions(matching: forbid.policy.action), matched.contains(where: { $0.name == action.name }) else { return false }
        guard ScopeAnalysis.mayOverlap(forbid.policy.principal, permit.policy.principal),
              ScopeAnalysis.mayOverlap(forbid.policy.resource, permit.policy.resource) else { return false }
        guard ToolPin.of(forbid.policy).admits(action) else { return false }
        let pin = EnvironmentPin.of(forbid.policy)
        if let required = pin.required, !isProductionName(required) { return false }
        if pin.excluded.contains(where: isProductionName) { return false }
        if forbid.hasRemedy { return true }
        // A plain forbid counts when it denies outright, or only on production.
        return forbid.policy.conditions.isEmpty || pin.required.map(isProductionName) == true
    }
}

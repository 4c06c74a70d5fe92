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
            for (setIndex, set) in context.sets.enumerated() {
                guard set.catalog != nil else { continue }
                let members = context.policiesBySet[setIndex].filter { !$0.policy.isTemplate }
                // Enforced forbids by the catalog actions they can match, analysed once.
                var forbidsByAction: [String: [ForbidSummary]] = [:]
                for forbid in members where forbid.isForbid && !forbid.isLogOnly {
                    let summary = ForbidSummary(forbid)
                    for action in set.catalogActions(matching: forbid.policy.action) ?? [] {
                        forbidsByAction[action.name, default: []].append(summary)
                    }
                }
                for policy in members where policy.isPermit {
                    guard let actions = set.catalogActions(matching: policy.policy.action) else { continue }
                    let risky = actions.filter { $0.effect >= .write || $0.flags.contains(.irreversible) || $0.flags.contains(.privileged) }
                    guard !risky.isEmpty else { continue }
                    var evidence: String?
                    var broadScope = false
                    let unguarded = risky.filter { action in
                        guard let found = productionEvidence(policy.policy, set, action: action) else { return false }
                        if evidence == nil { evidence = found.text }
                        broadScope = broadScope || found.fromTypeScope
                        return !(forbidsByAction[action.name] ?? []).contains { $0.guards(action: action, permit: policy) }
                    }
                    guard !unguarded.isEmpty, let evidence else { continue }
                    let described = unguarded.map { action in
                        var traits = [action.effect.rawValue] + action.flags.filter { $0 == .irreversible || $0 == .privileged }.map(\.rawValue)
                        traits = traits.filter { $0 != "read" }
                        return "\"\(action.name)\" (\(traits.joined(separator: ", ")))"
                    }
                    hits.append(RuleHit(
                        policy, policy.headRange,
                        "permit \(policy.label) allows \(described.joined(separator: ", ")) on production (\(evidence)) with no @mutate or @approve path",
                        hint: broadScope
                            ? "constrain the resource (`resource is Type`, `resource in ...`) so the permit cannot reach production, or add a forbid with @mutate(\"VARIANT\") or @approve(\"GROUP\") for these actions on production"
                            : "add a forbid with @mutate(\"VARIANT\") or @approve(\"GROUP\") for these actions on production"))
                }
            }
            return hits
        })

    /// What the production rule needs of a forbid.
    struct ForbidSummary {
        let policy: LintPolicy
        let tool: ToolPin
        let environment: EnvironmentPin

        init(_ policy: LintPolicy) {
            self.policy = policy
            self.tool = ToolPin.of(policy.policy)
            self.environment = EnvironmentPin.of(policy.policy)
        }

        /// Whether this forbid stands between `permit` and `action` on production.
        func guards(action: CatalogAction, permit: LintPolicy) -> Bool {
            guard ScopeAnalysis.mayOverlap(policy.policy.principal, permit.policy.principal),
                  ScopeAnalysis.mayOverlap(policy.policy.resource, permit.policy.resource),
                  tool.admits(action) else { return false }
            if let required = environment.required, !isProductionName(required) { return false }
            if environment.excluded.contains(where: isProductionName) { return false }
            if policy.hasRemedy { return true }
            // A plain forbid counts when it denies outright, or only on production.
            return policy.policy.conditions.isEmpty || environment.required.map(isProductionName) == true
        }
    }

    /// Why the permit can reach production with `action`, or nil when it cannot (or nothing
    /// says so). `fromTypeScope` is true when the evidence is only that some production entity
    /// falls under a broad resource scope.
    static func productionEvidence(_ policy: Policy, _ set: PolicySetModel, action: CatalogAction) -> (text: String, fromTypeScope: Bool)? {
        let pin = EnvironmentPin.of(policy)
        if let required = pin.required {
            return isProductionName(required) ? ("its condition requires resource.environment == \"\(required)\"", false) : nil
        }
        if pin.excluded.contains(where: isProductionName) { return nil }
        switch policy.resource.kind {
        case .equals(.entity(let uid)), .in(.entity(let uid)), .isIn(_, .entity(let uid)):
            if set.isProduction(uid) { return ("\(uid) is a production resource", false) }
        default:
            break
        }
        var candidates = set.productionEntities(matching: policy.resource)
        // With a schema, only resource types the action applies to count.
        let ref = EntityRef.action(action.name)
        if let declaration = set.schema?.action(EntityUID(type: ref.type, id: ref.id)), declaration.hasAppliesTo {
            candidates = candidates.filter { declaration.resourceTypes.contains($0.type) }
        }
        guard let example = candidates.first else { return nil }
        return ("it matches production resources such as \(example)", true)
    }

}

import JSONValue
import Workflow

extension LintRules {
    /// SG217: `tiers.json` demands less of a tier than the shipped defaults and does not say why.
    static let tierWeakened = LintRule(
        id: "SG217", name: "tier-weakened", severity: .warning,
        summary: "`tiers.json` demands less of a governance tier than the shipped defaults, with no `reason`.",
        rationale: """
            Reports print the tier a plan is governed at (`strict: approvals required, full audit`), \
            and reviewers trust those words. A policy directory may change what a tier demands, \
            but a tier that no longer needs an audit log, a fresh signed checkpoint, a short \
            credential lifetime or approval of irreversible and privileged steps is a weaker \
            governance pattern than its name promises. Say why in the tier's `"reason"`, so that \
            the change is reviewed as a decision, or keep the shipped demands.
            """,
        examples: [
            .bad("The strict tier lets credentials live an hour, and says nothing of why.",
                ExampleFile("tiers.json", """
                    {"tiers": {"strict": {"max_ttl": "1h"}}}
                    """)),
            .bad("The elevated tier no longer needs an audit log.",
                ExampleFile("tiers.json", """
                    {"tiers": {"elevated": {"audit_log": false}}}
                    """)),
            .good("The strict tier is weaker, and says why.",
                ExampleFile("tiers.json", """
                    {"tiers": {"strict": {"max_ttl": "15m", "reason": "the release job runs 12 minutes; SEC-4411"}}}
                    """)),
            .good("Stricter than the defaults needs no reason.",
                ExampleFile("tiers.json", """
                    {"tiers": {"elevated": {"max_ttl": "10m", "hold": {"flags": ["irreversible"]}}}}
                    """)),
        ],
        check: { context in
            var hits: [RuleHit] = []
            for set in context.sets {
                guard let tiers = set.tiers, let file = tiers.file else { continue }
                for tier in GovernanceTier.allCases {
                    let demands = tiers.requirements(tier)
                    let weaker = demands.weakenings(against: TierConfiguration.shipped.requirements(tier))
                    guard !weaker.isEmpty, demands.reason == nil else { continue }
                    let path: [JSONPathComponent] = [.key("tiers"), .key(tier.rawValue)]
                    let range = set.tiersDocument.map { jsonTokenRange(set.tiersBytes, $0.nearestLocation(of: path)) } ?? .fileStart
                    hits.append(RuleHit(
                        file: file, range: range,
                        message: "tier \"\(tier.rawValue)\" demands less than the shipped defaults: \(weaker.joined(separator: "; "))",
                        hint: "add \"reason\": \"...\" to the tier saying why, or restore the shipped demands"))
                }
            }
            return hits
        })
}

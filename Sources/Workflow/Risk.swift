import JSONValue

/// How much harm a plan could do, from the steps it contains.
public enum RiskClass: String, Sendable, Comparable, CaseIterable {
    case low, medium, high

    var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        }
    }

    public static func < (a: RiskClass, b: RiskClass) -> Bool { a.rank < b.rank }

    /// The governance tier the class implies.
    public var tier: GovernanceTier {
        switch self {
        case .low: return .standard
        case .medium: return .elevated
        case .high: return .strict
        }
    }
}

/// What a plan's risk class asks of the people and systems around it.
public enum GovernanceTier: String, Sendable, CaseIterable {
    /// Low risk: decisions are recorded; nothing else is required.
    case standard
    /// Medium risk: every rewrite and denial is audited and reviewed after the run.
    case elevated
    /// High risk: held steps need a human approval and every decision is audited.
    case strict

    /// One line for summaries.
    public var summary: String {
        switch self {
        case .standard: return "decisions recorded"
        case .elevated: return "rewrites and denials audited"
        case .strict: return "approvals required, full audit"
        }
    }
}

/// One thing that raised a plan's risk.
public struct RiskFactor: Sendable, Equatable {
    /// `effect`, `flag`, `sensitivity` or `environment`.
    public var kind: String
    /// The value that counted (`delete`, `privileged`, `3`, `production`).
    public var value: String
    /// The class this factor alone implies.
    public var level: RiskClass
    /// The steps it comes from, in plan order.
    public var steps: [String]
}

/// A plan's risk class, tier and the factors behind them.
public struct RiskAssessment: Sendable, Equatable {
    /// The highest class of any factor (`low` when there is none).
    public var riskClass: RiskClass
    /// The tier the class implies.
    public var tier: GovernanceTier { riskClass.tier }
    /// Factors, most severe first, then by kind and value.
    public var factors: [RiskFactor]

    /// Rules (documented in docs/workflow.md):
    /// - effect `delete` is high, `write` medium;
    /// - flags `irreversible`, `privileged`, `secret` are high, `external` medium;
    /// - resource `sensitivity` 3 or more is high, 2 medium;
    /// - resource `environment` `production`/`prod` is high for a write or delete, medium for a read.
    static func assess(plan: Plan, catalog: ActionCatalog, entities: EntityFacts) -> RiskAssessment {
        assess(steps: plan.steps, catalog: catalog, resources: entities)
    }

    /// The assessment of `steps`, their resources described by `resources` (a live session's
    /// call, whose resource no entities file lists).
    public static func assess(steps: [PlanStep], catalog: ActionCatalog, resources: some ResourceFacts) -> RiskAssessment {
        var found: [String: RiskFactor] = [:]
        func add(_ kind: String, _ value: String, _ level: RiskClass, _ step: String) {
            let key = kind + "\u{0}" + value
            // Mutated in place: copying the factor out and back would copy its step list each time.
            if found[key] == nil {
                found[key] = RiskFactor(kind: kind, value: value, level: level, steps: [step])
                return
            }
            found[key]!.level = max(found[key]!.level, level)
            if found[key]!.steps.last != step { found[key]!.steps.append(step) }
        }
        for step in steps where step.checkpoint == nil {
            guard let action = catalog.action(named: step.action) else { continue }
            switch action.effect {
            case .delete: add("effect", "delete", .high, step.id)
            case .write: add("effect", "write", .medium, step.id)
            case .read: break
            }
            for flag in action.flags {
                add("flag", flag.rawValue, flag == .external ? .medium : .high, step.id)
            }
            let sensitivity = resources.sensitivity(of: step.resource)
            if sensitivity >= 3 {
                add("sensitivity", String(sensitivity), .high, step.id)
            } else if sensitivity == 2 {
                add("sensitivity", "2", .medium, step.id)
            }
            if let environment = resources.environment(of: step.resource), environment == "production" || environment == "prod" {
                add("environment", environment, action.effect > .read ? .high : .medium, step.id)
            }
        }
        let factors = found.values.sorted {
            if $0.level != $1.level { return $0.level > $1.level }
            return ($0.kind, $0.value) < ($1.kind, $1.value)
        }
        return RiskAssessment(riskClass: factors.first?.level ?? .low, factors: factors)
    }
}

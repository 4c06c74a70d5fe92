/// How serious a finding is (SARIF `level`).
public enum FindingLevel: String, Sendable, Comparable {
    case note, warning, error

    var rank: Int { self == .note ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: FindingLevel, b: FindingLevel) -> Bool { a.rank < b.rank }
}

/// A rule of the plan evaluation, for SARIF `tool.driver.rules`.
public struct FindingRule: Sendable, Equatable {
    /// Stable id (`step-denied`).
    public var id: String
    /// Default level.
    public var level: FindingLevel
    /// One line on what it reports.
    public var summary: String

    public init(id: String, level: FindingLevel, summary: String) {
        self.id = id
        self.level = level
        self.summary = summary
    }
}

/// One located finding about a plan (SARIF `result`, GitHub annotation).
public struct Finding: Sendable, Equatable {
    /// The rule id.
    public var ruleID: String
    /// The level.
    public var level: FindingLevel
    /// The message.
    public var message: String
    /// Where the step is in the plan file.
    public var location: FileLocation
    /// The step.
    public var stepID: String
    /// The deciding policies.
    public var policies: [String]

    public init(ruleID: String, level: FindingLevel, message: String, location: FileLocation, stepID: String, policies: [String]) {
        self.ruleID = ruleID
        self.level = level
        self.message = message
        self.location = location
        self.stepID = stepID
        self.policies = policies
    }
}

extension PlanEvaluation {
    /// The rules findings refer to.
    public static let rules: [FindingRule] = [
        FindingRule(id: "step-denied", level: .error, summary: "a step is denied and will not run"),
        FindingRule(id: "step-blocked", level: .warning, summary: "a step needs a step that was denied or is held"),
        FindingRule(id: "step-held", level: .warning, summary: "a step is held for a human approval"),
        FindingRule(id: "step-mutated", level: .warning, summary: "a step is rewritten into a safer form"),
        FindingRule(id: "step-log-only", level: .note, summary: "a log-only policy would have stopped a step"),
        FindingRule(id: "policy-error", level: .warning, summary: "a policy raised an error on a step: a forbid holds, a permit is skipped"),
    ]

    /// Findings for every step not allowed as written, in plan order.
    public var findings: [Finding] {
        var findings: [Finding] = []
        for step in steps {
            let policies = step.policies.isEmpty ? "" : " [\(step.policies.joined(separator: ", "))]"
            func add(_ rule: String, _ level: FindingLevel, _ message: String) {
                findings.append(Finding(ruleID: rule, level: level, message: message, location: step.location, stepID: step.id, policies: step.policies))
            }
            switch step.outcome {
            case .allow: break
            case .warn: add("step-log-only", .note, "step \"\(step.id)\" would be stopped: \(step.reason)\(policies)")
            case .mutate:
                add("step-mutated", .warning, "step \"\(step.id)\" is rewritten (\(step.outcomeLabel)): \(step.reason)\(policies)")
            case .approve:
                let groups = step.approval?.groups.joined(separator: ", ") ?? ""
                add("step-held", .warning, "step \"\(step.id)\" is held for approval by \(groups): \(step.reason)\(policies)")
            case .deny: add("step-denied", .error, "step \"\(step.id)\" is denied: \(step.reason)\(policies)")
            case .blocked: add("step-blocked", .warning, "step \"\(step.id)\" is blocked: \(step.reason)")
            }
            for error in step.errors {
                add("policy-error", .warning, error.summary(step: step.id))
            }
        }
        return findings
    }
}

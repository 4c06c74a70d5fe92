import Basics

/// A rule of the plan evaluation, for SARIF `tool.driver.rules`.
public struct FindingRule: Sendable, Equatable {
    /// Stable id (`step-denied`).
    public var id: String
    /// Default severity.
    public var severity: Severity
    /// One line on what it reports.
    public var summary: String

    public init(id: String, severity: Severity, summary: String) {
        self.id = id
        self.severity = severity
        self.summary = summary
    }
}

/// One located finding about a plan (SARIF `result`, GitHub annotation).
public struct Finding: Sendable, Equatable {
    /// The rule id.
    public var ruleID: String
    /// How serious it is.
    public var severity: Severity
    /// The message.
    public var message: String
    /// Where the step is in the plan file.
    public var location: FileLocation
    /// The step.
    public var stepID: String
    /// The deciding policies.
    public var policies: [String]

    public init(ruleID: String, severity: Severity, message: String, location: FileLocation, stepID: String, policies: [String]) {
        self.ruleID = ruleID
        self.severity = severity
        self.message = message
        self.location = location
        self.stepID = stepID
        self.policies = policies
    }
}

extension PlanEvaluation {
    /// The rules findings refer to.
    public static let rules: [FindingRule] = [
        FindingRule(id: "step-denied", severity: .error, summary: "a step is denied and will not run"),
        FindingRule(id: "step-blocked", severity: .warning, summary: "a step needs a step that was denied or is held"),
        FindingRule(id: "step-held", severity: .warning, summary: "a step is held for a human approval"),
        FindingRule(id: "step-mutated", severity: .warning, summary: "a step is rewritten into a safer form"),
        FindingRule(id: "step-log-only", severity: .info, summary: "a log-only policy would have stopped a step"),
        FindingRule(id: "policy-error", severity: .warning, summary: "a policy raised an error on a step: a forbid holds, a permit is skipped"),
    ]

    /// Findings for every step not allowed as written, in plan order.
    public var findings: [Finding] {
        var findings: [Finding] = []
        for step in steps {
            let policies = step.policies.isEmpty ? "" : " [\(step.policies.joined(separator: ", "))]"
            func add(_ rule: String, _ severity: Severity, _ message: String) {
                findings.append(Finding(ruleID: rule, severity: severity, message: message, location: step.location, stepID: step.id, policies: step.policies))
            }
            switch step.outcome {
            case .allow: break
            case .warn: add("step-log-only", .info, "step \"\(step.id)\" would be stopped: \(step.reason)\(policies)")
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

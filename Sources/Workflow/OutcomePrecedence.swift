/// Which policies one request satisfied, and which raised an error on it.
public struct PolicyVerdict: Sendable, Equatable {
    /// Satisfied permits, in policy order.
    public var permits: [PolicySummary]
    /// Satisfied forbids, in policy order.
    public var forbids: [PolicySummary]
    /// Forbids whose condition raised an error, in policy order.
    public var erroringForbids: [PolicySummary]
    /// Every policy that raised an error (permits and forbids), in policy order.
    public var errors: [PolicyEvaluationError]

    /// Creates a verdict.
    public init(permits: [PolicySummary], forbids: [PolicySummary], erroringForbids: [PolicySummary], errors: [PolicyEvaluationError]) {
        self.permits = permits
        self.forbids = forbids
        self.erroringForbids = erroringForbids
        self.errors = errors
    }
}

/// The outcome of deciding one form of a step, with everything that explains it.
public struct StepRuling: Sendable, Equatable {
    /// The outcome.
    public var outcome: StepOutcome
    /// The deciding policies.
    public var policies: [String]
    /// One line on why.
    public var reason: String
    /// Satisfied `log_only` forbids that did not decide the outcome.
    public var warnings: [String]
    /// The satisfied permits.
    public var permits: [String]
    /// The accepted rewrite (outcome `mutate`).
    public var rewrite: Rewrite?
    /// Every rewrite tried.
    public var attempts: [RewriteAttempt]
    /// Approval groups (outcome `approve`).
    public var groups: [String]
    /// Policies that raised an error.
    public var errors: [PolicyEvaluationError]
}

/// DESIGN §3's outcome of a step, most restrictive first, failing closed (§6):
/// 1. a forbid that holds without a remedy, or no satisfied permit: deny;
/// 2. forbids that all carry `@mutate`: the first rewrite `rewrite` accepts: mutate;
/// 3. otherwise forbids that all carry `@approve`: approve;
/// 4. otherwise a `log_only` forbid that holds: warn;
/// 5. otherwise allow.
///
/// A forbid whose condition raised an error holds, and its remedy does not apply: its meaning
/// on this step is unknown, so neither a rewrite nor an approval can be said to answer it.
public enum OutcomePrecedence {
    /// Decides `verdict` for the step described by `what` (`deploy on Service::"web"`).
    /// `rewrite(policy, variant)` tries one `@mutate` variant and returns the attempt and,
    /// when it passed the boundary check and re-evaluation, the rewrite.
    public static func decide(
        _ verdict: PolicyVerdict, what: String,
        rewrite: (_ policy: String, _ variant: String) throws(WorkflowError) -> (RewriteAttempt, Rewrite?)
    ) throws(WorkflowError) -> StepRuling {
        let erroring = Dictionary(
            verdict.errors.filter(\.isForbid).map { ($0.policy, $0.message) }, uniquingKeysWith: { first, _ in first })
        let holding = (verdict.forbids + verdict.erroringForbids).sorted { $0.order < $1.order }
        let enforcing = holding.filter { !$0.isLogOnly }
        let logOnly = holding.filter(\.isLogOnly)
        let permits = verdict.permits.map(\.id)
        var ruling = StepRuling(
            outcome: .allow, policies: [], reason: "", warnings: logOnly.map(\.id), permits: permits, rewrite: nil,
            attempts: [], groups: [], errors: verdict.errors)

        /// The first `@reason` of the policies that held as written, then what each erroring one raised.
        func explain(_ policies: [PolicySummary], fallback: String) -> String {
            let clean = policies.filter { erroring[$0.id] == nil }
            var parts: [String] = []
            if !clean.isEmpty {
                parts.append(clean.lazy.compactMap(\.reason).first { !$0.isEmpty } ?? "\(fallback) \(quoted(clean.map(\.id)))")
            }
            for policy in policies {
                guard let message = erroring[policy.id] else { continue }
                parts.append("forbid \"\(policy.id)\" raised an error, so it holds: \(message)")
            }
            return parts.joined(separator: "; ")
        }

        // Rule 1: without a satisfied permit nothing is authorized, so there is no boundary a
        // rewrite or an approval could stay inside.
        if permits.isEmpty {
            ruling.outcome = .deny
            ruling.policies = enforcing.map(\.id)
            ruling.reason = "no policy permits \(what)"
            return ruling
        }
        if enforcing.isEmpty {
            if !logOnly.isEmpty {
                ruling.outcome = .warn
                ruling.policies = logOnly.map(\.id)
                ruling.warnings = []
                ruling.reason = explain(logOnly, fallback: "forbidden by") + " (log only)"
            } else {
                ruling.outcome = .allow
                ruling.policies = permits
                ruling.reason = explain(verdict.permits, fallback: "permitted by")
            }
            return ruling
        }

        let ids = enforcing.map(\.id)
        ruling.policies = ids
        let unremedied = enforcing.filter { ($0.mutateVariant == nil && $0.approveGroup == nil) || erroring[$0.id] != nil }
        if !unremedied.isEmpty {
            ruling.outcome = .deny
            ruling.policies = unremedied.map(\.id)
            ruling.reason = explain(unremedied, fallback: "forbidden by")
            return ruling
        }
        let base = explain(enforcing, fallback: "forbidden by")
        var notes: [String] = []
        let allMutate = enforcing.allSatisfy { $0.mutateVariant != nil }
        if allMutate {
            var tried = Set<String>()
            for forbid in enforcing {
                let variant = forbid.mutateVariant!
                if !tried.insert(variant).inserted { continue }
                let (attempt, accepted) = try rewrite(forbid.id, variant)
                ruling.attempts.append(attempt)
                if let accepted {
                    ruling.outcome = .mutate
                    ruling.rewrite = accepted
                    ruling.reason = base
                    for id in accepted.warnings where !ruling.warnings.contains(id) { ruling.warnings.append(id) }
                    return ruling
                }
                notes.append("rewrite \"\(variant)\" refused: " + (attempt.boundary?.problems ?? []).joined(separator: "; "))
            }
        }
        if enforcing.allSatisfy({ $0.approveGroup != nil }) {
            var groups: [String] = []
            for forbid in enforcing where !groups.contains(forbid.approveGroup!) { groups.append(forbid.approveGroup!) }
            ruling.outcome = .approve
            ruling.groups = groups
            ruling.reason = base
            return ruling
        } else if !allMutate {
            notes.append("the forbids ask for different remedies (\(quoted(ids))), so none applies")
        }
        ruling.outcome = .deny
        ruling.reason = ([base] + notes).joined(separator: "; ")
        return ruling
    }

    static func quoted(_ ids: [String]) -> String { ids.map { "\"\($0)\"" }.joined(separator: ", ") }
}

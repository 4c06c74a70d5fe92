import JSONValue

/// One row of the `eval` table, ready for a renderer.
public struct EvaluationRow: Sendable, Equatable {
    /// The step id.
    public var step: String
    /// The action as planned.
    public var action: String
    /// The resource as planned (Cedar text).
    public var resource: String
    /// The outcome label (`allow`, `mutate:read-only`, ...).
    public var outcome: String
    /// The outcome itself, for colouring.
    public var kind: StepOutcome
    /// Deciding policy ids.
    public var policies: [String]
    /// One line on why.
    public var reason: String
}

extension PlanEvaluation {
    /// One row per step, in plan order. A step that runs as another principal than the plan's
    /// says so after its id: `build (as Agent::"ci-2")`.
    public var rows: [EvaluationRow] {
        steps.map { step in
            let delegated = plan.principal.map { $0 != step.principal } ?? false
            return EvaluationRow(
                step: delegated ? "\(step.id) (as \(step.principal))" : step.id, action: step.action,
                resource: step.resource.description, outcome: step.outcomeLabel, kind: step.outcome, policies: step.policies,
                reason: step.reason)
        }
    }

    /// The summary line: `6 steps: 3 allow, 1 mutate, 1 approve, 1 deny; risk high (strict: approvals required, full audit)`.
    public var summaryLine: String {
        let summary = self.summary
        let counts = StepOutcome.allCases.compactMap { outcome -> String? in
            let count = summary.counts[outcome] ?? 0
            return count == 0 ? nil : "\(count) \(outcome.rawValue)"
        }
        let steps = "\(summary.steps) step\(summary.steps == 1 ? "" : "s")"
        let line = "\(steps): \(counts.isEmpty ? "none" : counts.joined(separator: ", ")); risk \(risk.riskClass.rawValue) (\(risk.tier.rawValue): \(risk.tier.summary))"
        return refusal.map { line + "; \($0.code): \($0.message)" } ?? line
    }

    /// The steps the tier in force held for approval, in plan order.
    public var tierHeld: [String] { steps.filter { !$0.tierHold.isEmpty }.map(\.id) }

    /// The tier's demands on a run that issues nothing (`eval`, `mutate`, `test`): whether an
    /// audit log was given, and which steps the tier held.
    public func tierReport(auditLog: Bool) -> TierReport {
        tiers.report(risk: risk.riskClass, facts: TierFacts(issues: false, auditLog: auditLog, held: tierHeld))
    }

    /// The JSON form with no audit log given.
    public var json: JSONValue { json(tier: tierReport(auditLog: false)) }

    /// The JSON form of `eval` (documented in docs/workflow.md; the command line adds its
    /// `schema`, `stepguard.eval/v1`), `tier` the tier in force and what it demanded of this run.
    public func json(tier: TierReport) -> JSONValue {
        let summary = self.summary
        var summaryObject = JSONObject([("steps", .int(summary.steps))])
        for outcome in StepOutcome.allCases { summaryObject[outcome.rawValue] = .int(summary.counts[outcome] ?? 0) }
        summaryObject["all_allowed"] = .bool(summary.allAllowed)
        var planObject = JSONObject([("id", .string(plan.id)), ("file", .string(plan.file))])
        planObject["owner"] = plan.owner.map(JSONValue.string) ?? .null
        planObject["intent"] = plan.intent.map(JSONValue.string) ?? .null
        if let refusal { planObject["refusal"] = refusal.json }
        return .object(JSONObject([
            ("plan", .object(planObject)),
            ("policies", .object(JSONObject([("directory", .string(directory)), ("count", .int(policies.count))]))),
            ("clock", .string(clock.description)),
            ("risk", risk.json),
            ("tier", tier.json),
            ("steps", .array(steps.map(\.json))),
            ("summary", .object(summaryObject)),
        ]))
    }
}

extension RiskAssessment {
    /// `{"class", "tier", "tier_summary", "factors": [{"kind", "value", "level", "steps"}]}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("class", .string(riskClass.rawValue)),
            ("tier", .string(tier.rawValue)),
            ("tier_summary", .string(tier.summary)),
            ("factors", .array(factors.map {
                .object(JSONObject([
                    ("kind", .string($0.kind)), ("value", .string($0.value)), ("level", .string($0.level.rawValue)),
                    ("steps", .array($0.steps.map(JSONValue.string))),
                ]))
            })),
        ]))
    }
}

extension FileLocation {
    /// `{"file", "line", "column", "path"}`.
    public var json: JSONValue {
        .object(JSONObject([("file", .string(file)), ("line", .int(line)), ("column", .int(column)), ("path", .string(path))]))
    }
}

extension BoundaryFacts {
    /// The boundary facts as JSON.
    public var json: JSONValue {
        .object(JSONObject([
            ("principal", .string(principal.description)),
            ("same_principal", .bool(samePrincipal)),
            ("effect", .object(JSONObject([("from", .string(effectFrom.rawValue)), ("to", effectTo.map { .string($0.rawValue) } ?? .null)]))),
            ("flags", .object(JSONObject([
                ("from", .array(flagsFrom.map { .string($0.rawValue) })),
                ("to", flagsTo.map { .array($0.map { .string($0.rawValue) }) } ?? .null),
            ]))),
            ("resource", resourceRelation.map(JSONValue.string) ?? .null),
            ("allowed_by", .array(allowedBy.map(JSONValue.string))),
            ("problems", .array(problems.map(JSONValue.string))),
            ("holds", .bool(holds)),
        ]))
    }
}

extension RewriteAttempt {
    /// The attempt as JSON, chained attempts nested under `next`.
    public var json: JSONValue {
        .object(JSONObject([
            ("policy", .string(policy)),
            ("variant", .string(variant)),
            ("accepted", .bool(accepted)),
            ("from", from.json),
            ("to", to?.json ?? .null),
            ("boundary", boundary?.json ?? .null),
            ("next", .array(next.map(\.json))),
        ]))
    }
}

extension StepEvaluation {
    /// The step's entry in `stepguard.eval/v1`.
    public var json: JSONValue {
        var rewriteValue = JSONValue.null
        if let rewrite {
            rewriteValue = .object(JSONObject([
                ("policy", .string(rewrite.policy)),
                ("variant", .string(rewrite.variantPath)),
                ("to", rewrite.final.json),
                ("hops", .array(rewrite.hops.map(\.json))),
                ("warnings", .array(rewrite.warnings.map(JSONValue.string))),
            ]))
        }
        var approvalValue = JSONValue.null
        if let approval {
            var object = JSONObject([
                ("groups", .array(approval.groups.map(JSONValue.string))), ("sha256", .string(approval.sha256)),
            ])
            if !tierHold.isEmpty { object["tier_hold"] = .array(tierHold.map { .string($0.rawValue) }) }
            if let approvals {
                object["quorums"] = .array(approval.quorums.map { $0.map(JSONValue.int) ?? .null })
                object["approval_ids"] = .array(approvals.approvalIDs.map(JSONValue.string))
                object["checks"] = .array(approvals.checks.map(\.json))
            }
            approvalValue = .object(object)
        }
        return .object(JSONObject([
            ("id", .string(id)),
            ("index", .int(index)),
            ("action", .string(action)),
            ("resource", .string(resource.description)),
            ("principal", .string(principal.description)),
            ("outcome", .string(outcome.rawValue)),
            ("label", .string(outcomeLabel)),
            ("policies", .array(policies.map(JSONValue.string))),
            ("reason", .string(reason)),
            ("location", location.json),
            ("warnings", .array(warnings.map(JSONValue.string))),
            ("errors", .array(errors.map { .object(JSONObject([("policy", .string($0.policy)), ("message", .string($0.message))])) })),
            ("rewrite", rewriteValue),
            ("attempts", .array(attempts.map(\.json))),
            ("approval", approvalValue),
            ("blocked_by", .array(blockedBy.map(JSONValue.string))),
        ]))
    }
}

extension MutationResult {
    /// The JSON form with no audit log given.
    public var json: JSONValue { json(tier: evaluation.tierReport(auditLog: false)) }

    /// `{"plan" (rewritten), "tier", "rewrites": [...], "approvals": [...], "removed": [...], "diff"}`.
    public func json(tier: TierReport) -> JSONValue {
        let rewrites = evaluation.steps.compactMap { step -> JSONValue? in
            guard let rewrite = step.rewrite else { return nil }
            return .object(JSONObject([
                ("step", .string(step.id)),
                ("policy", .string(rewrite.policy)),
                ("variant", .string(rewrite.variantPath)),
                ("reason", .string(step.reason)),
                ("from", evaluation.plan.steps[step.index].form.json),
                ("to", rewrite.final.json),
                ("hops", .array(rewrite.hops.map(\.json))),
            ]))
        }
        let approvals = evaluation.steps.compactMap { step -> JSONValue? in
            guard let approval = step.approval else { return nil }
            return .object(JSONObject([
                ("step", .string(step.id)), ("groups", .array(approval.groups.map(JSONValue.string))),
                ("policies", .array(step.policies.map(JSONValue.string))), ("sha256", .string(approval.sha256)),
            ]))
        }
        return .object(JSONObject([
            ("plan", rewrittenPlan),
            ("tier", tier.json),
            ("rewrites", .array(rewrites)),
            ("approvals", .array(approvals)),
            ("removed", .array(removed.map(JSONValue.string))),
            ("changed", .bool(changed)),
            ("diff", .string(diff)),
        ]))
    }
}

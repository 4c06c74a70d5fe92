import JSONValue

/// The step-mutation preview: the plan as it may run, and how it differs from the plan as written.
public struct MutationResult: Sendable {
    /// The evaluation the rewrite comes from.
    public var evaluation: PlanEvaluation
    /// The rewritten plan: rewritten steps in their new form, held steps replaced by approval
    /// checkpoints, denied steps (and the steps that need them) removed.
    public var rewrittenPlan: JSONValue
    /// The original plan, pretty-printed (sorted keys, two-space indent, final newline).
    public var originalText: String
    /// The rewritten plan, pretty-printed the same way; byte-identical for the same inputs.
    public var rewrittenText: String
    /// Unified diff from `originalText` to `rewrittenText` (empty when they are equal).
    public var diff: String
    /// Ids of the steps removed because they were denied or need a denied step.
    public var removed: [String]

    /// Whether the rewritten plan differs from the original.
    public var changed: Bool { originalText != rewrittenText }
}

/// Builds the rewritten plan from an evaluation.
public enum PlanRewriter {
    /// Rewrites `evaluation.plan`. `diffName` names the file in the diff headers.
    public static func rewrite(_ evaluation: PlanEvaluation, diffName: String? = nil) -> MutationResult {
        let plan = evaluation.plan
        var removed = Set<String>()
        for index in plan.evaluationOrder {
            let step = plan.steps[index]
            let result = evaluation.steps[index]
            if result.outcome == .deny || step.needs.contains(where: removed.contains) { removed.insert(step.id) }
        }
        var steps: [JSONValue] = []
        for step in plan.steps where !removed.contains(step.id) {
            let result = evaluation.steps[step.index]
            switch result.outcome {
            case .mutate:
                steps.append(.object(rewrittenStep(step, result.rewrite!)))
            case .approve where step.checkpoint == nil:
                steps.append(.object(checkpointStep(step, result)))
            case .approved:
                // Released by approvals: the held step itself runs, in place of its checkpoint.
                steps.append(step.checkpoint?.step ?? .object(step.raw))
            default:
                steps.append(.object(step.raw))
            }
        }
        var root = plan.raw.objectValue ?? JSONObject()
        root["steps"] = .array(steps)
        let rewritten = JSONValue.object(root)
        let originalText = JSONWriter.pretty(plan.raw) + "\n"
        let rewrittenText = JSONWriter.pretty(rewritten) + "\n"
        let name = diffName ?? baseName(plan.file)
        return MutationResult(
            evaluation: evaluation, rewrittenPlan: rewritten, originalText: originalText, rewrittenText: rewrittenText,
            diff: UnifiedDiff.diff(old: originalText, new: rewrittenText, name: name),
            removed: plan.steps.map(\.id).filter(removed.contains))
    }

    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The resource in the notation the step used: Cedar text stays text, JSON stays JSON.
    static func resourceValue(_ entity: EntityRef, like original: JSONValue?) -> JSONValue {
        switch original {
        case .string?: return .string(entity.description)
        case .object(let object)? where object["__entity"] != nil: return entity.escapedJSON
        default: return entity.json
        }
    }

    static func rewrittenStep(_ step: PlanStep, _ rewrite: Rewrite) -> JSONObject {
        var object = step.raw
        let final = rewrite.final
        object["action"] = .string(final.action)
        object["resource"] = resourceValue(final.resource, like: step.raw["resource"])
        if final.args.isEmpty && step.raw["args"] == nil {
            object["args"] = nil
        } else {
            object["args"] = .object(final.args)
        }
        object["rewrite"] = .object(JSONObject([
            ("policies", .array(rewrite.hops.map { .string($0.policy) })),
            ("variants", .array(rewrite.hops.map { .string($0.variant) })),
            ("original_sha256", .string(stepDigest(.object(step.raw)))),
        ]))
        return object
    }

    static func checkpointStep(_ step: PlanStep, _ result: StepEvaluation) -> JSONObject {
        var object = JSONObject()
        object["id"] = .string(step.id)
        object["action"] = .string(ApprovalCheckpoint.action)
        object["resource"] = step.raw["resource"]
        if let principal = step.raw["principal"] { object["principal"] = principal }
        if let needs = step.raw["needs"] { object["needs"] = needs }
        let approval = result.approval!
        object["approval"] = .object(JSONObject([
            ("groups", .array(approval.groups.map(JSONValue.string))),
            ("policies", .array(result.policies.map(JSONValue.string))),
            ("reason", .string(result.reason)),
            ("sha256", .string(approval.sha256)),
            ("step", .object(step.raw)),
        ]))
        return object
    }
}

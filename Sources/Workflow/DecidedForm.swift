import Crypto
import JSONValue

/// What was decided for one step, in the form that runs: the action, resource and arguments
/// that were allowed (for a rewrite, the rewritten ones), the outcome, and digests that bind a
/// credential or a record to exactly that (DESIGN §4). Every digest is `sha256:` and the hex
/// SHA-256 of RFC 8785 canonical JSON.
public struct DecidedForm: Sendable, Equatable {
    /// The plan id.
    public var plan: String
    /// The step id.
    public var step: String
    /// The principal the step runs as.
    public var principal: EntityRef
    /// The form that runs.
    public var form: StepForm
    /// The outcome that lets it run (`allow`, `warn`, `mutate`).
    public var outcome: String
    /// The digest of the plan as decided.
    public var planDigest: String

    /// The decided form of `step` in `evaluation`; `planDigest` is `evaluation`'s decided plan's.
    public init(_ step: StepEvaluation, in evaluation: PlanEvaluation, planDigest: String) {
        let planned = evaluation.plan.steps[step.index]
        self.plan = evaluation.plan.id
        self.step = step.id
        self.principal = step.principal
        self.form = step.rewrite?.final ?? planned.form
        self.outcome = step.outcome.rawValue
        self.planDigest = planDigest
    }

    /// The digest of the arguments that run.
    public var argsDigest: String { Self.argsDigest(form.args) }

    /// `{"plan", "step", "principal", "action", "resource", "args", "outcome"}`: the step as decided.
    public var json: JSONValue {
        .object(JSONObject([
            ("plan", .string(plan)), ("step", .string(step)), ("principal", .string(principal.description)),
            ("action", .string(form.action)), ("resource", .string(form.resource.description)), ("args", .object(form.args)),
            ("outcome", .string(outcome)),
        ]))
    }

    /// The digest of the step as decided (`json`).
    public var stepDigest: String { Self.digest(json) }

    /// `sha256:` and the SHA-256 of the canonical JSON of `args`: what a tool computes over the
    /// arguments it is about to run with.
    public static func argsDigest(_ args: JSONObject) -> String { digest(.object(args)) }

    /// `sha256:` and the SHA-256 of the canonical JSON of `value`.
    public static func digest(_ value: JSONValue) -> String { "sha256:" + Workflow.stepDigest(value) }

    /// The digest of the plan as decided: the plan `mutate` writes, every rewritten step in its
    /// rewritten form, held steps as their checkpoints, denied steps and those that need them
    /// left out. Two plans that decide differently never share it.
    public static func planDigest(_ evaluation: PlanEvaluation) -> String {
        digest(PlanRewriter.rewrite(evaluation).rewrittenPlan)
    }
}

import JSONValue
import Workflow

/// The one place the gate asks the workflow evaluator for a decision, so that a tool call is
/// decided exactly as `eval` decides a plan step: same outcomes, precedence, boundary check and
/// failing closed.
enum StepJudge {
    static func judge(
        call: ToolCall, mapped: MappedCall, context: JSONObject, history: [SessionCall], bundle: PolicyBundle, clock: Clock?
    ) throws(GateError) -> StepEvaluation {
        func entity(_ ref: EntityRef) -> JSONValue {
            .object(JSONObject([("type", .string(ref.type)), ("id", .string(ref.id))]))
        }
        let plan = JSONValue.object(JSONObject([
            ("plan", .string(call.session)),
            ("principal", entity(mapped.principal)),
            ("steps", .array([.object(JSONObject([
                ("id", .string(call.toolUseID)), ("action", .string(mapped.action)), ("resource", entity(mapped.resource)),
                ("args", .object(mapped.args)), ("context", .object(context)),
            ]))])),
        ]))
        do {
            let parsed = try Plan.parse(CanonicalJSON.serialize(plan), file: "<\(call.tool) call \(call.toolUseID)>")
            let evaluation = try PlanEvaluator.evaluate(parsed, bundle: bundle, options: EvaluationOptions(clock: clock))
            return evaluation.steps[0]
        } catch {
            throw .policies(error)
        }
    }
}

import Workflow

/// `stepguard eval PLAN`
enum EvalCommand {
    static let spec = CommandSpec(
        name: "eval",
        summary: "dry-run a workflow plan: an outcome for every step",
        discussion: """
            Decides every step of the plan before anything runs. Each step becomes a Cedar request \
            whose context also carries what the steps before it did (actions, labels, sensitivity, \
            whether data has left), so a policy can judge the chain and not only one action. The \
            outcome of a step is, most restrictive first: deny, mutate (rewritten into a safer \
            variant that stays inside the original authorization), approve (held for a human), warn \
            (a log-only policy fired) or allow. A denied or held step blocks only the steps that \
            need it. A forbid whose condition fails on a step (an attribute read without has, a \
            misspelt attribute, a type error) holds, so the step is denied and the reason names the \
            policy and its error; its @mutate or @approve remedy does not apply. A permit that fails \
            is skipped.

            The text output is a row per step (id, action, resource, outcome, deciding policies, \
            reason) and a summary line with the count of each outcome, the plan's risk class and \
            its governance tier; with -q, only the steps not allowed outright. json is the \
            documented stepguard.eval/v1 document. sarif is a SARIF 2.1.0 log and github one \
            workflow annotation per step not allowed as written (the report goes to stderr), each \
            located at the step's line and column in the plan file.

            Without --policies, the policy directory is the plan's own directory when it holds \
            tools.json, then policies/ next to the plan, then ./policies. It holds the *.cedar \
            policies, tools.json (the action catalog) and, optionally, entities.json, a Cedar \
            schema and tests/*.json suites. With --audit, a decision record per step and a \
            mutation record per rewritten step are appended to the audit log; the decision of a \
            held step carries its approval request.

            With --approvals (a directory approve --out wrote, or an audit log; repeatable), a \
            held step whose exact digest carries enough valid signed approvals (@quorum) runs as \
            approved and enters the history of the steps after it; a valid rejection denies it. \
            An approval that does not count is named on stderr with why: bad_signature, \
            unknown_key, not_in_group, not_permitted, self_approval, expired, altered_step or \
            plan_mismatch (see stepguard help approve).

            The plan: its id, owner, intent, the agent running it (principal), context shared by \
            every step, and the steps. A step has an id, a catalog action and a resource (Cedar \
            entity text or {"type", "id"}), and optionally its own principal, args (seen by \
            policies as context.args), context, and needs (the ids of steps that must run first):

              {
                "plan": "storefront-release-7.3",
                "owner": "release-engineering",
                "intent": "build and ship storefront 7.3.0",
                "principal": "Agent::\\"release-bot\\"",
                "context": { "change_ticket": "CHG-20417" },
                "steps": [
                  { "id": "build", "action": "ci.build",
                    "resource": "Repo::\\"storefront\\"" },
                  { "id": "deploy-prod", "action": "deploy",
                    "resource": { "type": "Service", "id": "storefront" },
                    "args": { "version": "7.3.0" }, "needs": ["build"] }
                ]
              }

            The action catalog (tools.json): for each action its effect (read < write < delete), \
            its flags (external, irreversible, privileged, secret), the tool that carries it out, \
            and its named safer variants. A variant may change the action, point the resource at \
            a counterpart the original resource names in an attribute ("$resource.ATTR"), and set \
            arguments (null removes one); a forbid selects it with @mutate("NAME"):

              {
                "actions": {
                  "ci.build": { "effect": "read", "tool": "ci" },
                  "deploy": {
                    "effect": "write",
                    "flags": ["privileged"],
                    "tool": "deployer",
                    "variants": {
                      "staging-validation": {
                        "action": "deploy.validate",
                        "resource": "$resource.staging",
                        "args": { "smoke_tests": true }
                      }
                    }
                  },
                  "deploy.validate": { "effect": "write", "tool": "deployer-staging" }
                }
              }
            """,
        options: [
            CommonOptions.policies(help: "the policy directory (default: the one next to the plan, then ./policies)"),
            ApprovalOptions.option,
            CommonOptions.format(.text, .json, .sarif, .github),
            CommonOptions.audit,
            CommonOptions.now,
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PLAN", help: "the workflow plan, as JSON"),
        ],
        examples: [
            Example("stepguard eval plans/release.json", "show the outcome of every step"),
            Example("stepguard eval --format sarif -p policies/ plans/release.json > eval.sarif",
                    "report for code scanning, located at each step in the plan"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "every step is allowed as it is, or held and released by approvals"),
            ExitStatusNote(.failure, "some step is denied, mutated or held for approval"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        try WorkflowInputs.reportingErrors(context) {
            let evaluation = try WorkflowInputs.evaluate(context)
            try WorkflowInputs.appendAudit(evaluation, context)
            let tier = WorkflowInputs.tierReport(evaluation, context)
            switch context.format {
            case .json:
                context.printJSON(evaluation.json(tier: tier))
            case .sarif:
                context.printStandardJSON(PlanFindingsRenderer.sarif(evaluation))
            case .github:
                context.console.write(PlanFindingsRenderer.github(evaluation.findings))
                let report = text(evaluation, tier: tier, style: context.diagnosticStyle, quiet: context.isQuiet, width: nil)
                context.console.diagnostic(String(report.dropLast()))
            default:
                context.console.write(text(evaluation, tier: tier, style: context.style, quiet: context.isQuiet, width: context.console.terminalWidth))
            }
            if context.format != .json && context.format != .sarif {
                for step in evaluation.steps {
                    for error in step.errors {
                        context.warning(error.summary(step: step.id))
                    }
                }
            }
            return evaluation.summary.allAllowed ? .success : .failure
        }
    }

    /// The table (one row per step; under `quiet` only the steps not allowed outright), the
    /// summary line and what the tier demanded.
    static func text(_ evaluation: PlanEvaluation, tier: TierReport, style: Style, quiet: Bool, width: Int?) -> String {
        var table = Table(columns: [
            Table.Column("STEP"), Table.Column("ACTION"), Table.Column("RESOURCE"), Table.Column("OUTCOME"),
            Table.Column("POLICIES"), Table.Column("REASON", isFlexible: true),
        ])
        for row in evaluation.rows where !(quiet && row.kind == .allow) {
            table.append([
                Table.Cell(row.step, [.bold]), Table.Cell(row.action), Table.Cell(row.resource),
                Table.Cell(row.outcome, WorkflowInputs.attributes(row.kind)),
                Table.Cell(row.policies.isEmpty ? "-" : row.policies.joined(separator: ", ")), Table.Cell(row.reason),
            ])
        }
        var out = table.rows.isEmpty ? "" : table.render(style: style, maxWidth: width) + "\n"
        let summary = width.map { TextWrap.wrap(evaluation.summaryLine, width: $0) } ?? [evaluation.summaryLine]
        out += summary.joined(separator: "\n") + "\n"
        out += TierOutput.text(tier, quiet: quiet, width: width)
        return out
    }
}

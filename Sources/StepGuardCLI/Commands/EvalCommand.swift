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
            need it.

            The output is a row per step (id, action, resource, outcome, deciding policies, reason) \
            and a summary with the plan's risk class. Without --policies, the policy directory next \
            to the plan is used, then ./policies.
            """,
        options: [
            CommonOptions.policies(help: "the policy directory (default: the one next to the plan, then ./policies)"),
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
            ExitStatusNote(.success, "every step is allowed as it is"),
            ExitStatusNote(.failure, "some step is denied, mutated or held for approval"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

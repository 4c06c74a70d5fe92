/// `stepguard mutate PLAN`
enum MutateCommand {
    static let spec = CommandSpec(
        name: "mutate",
        summary: "preview step mutations: the rewritten plan and a diff",
        discussion: """
            Rewrites the steps that policies ask to mutate into their safer variants, replaces \
            steps held for approval by approval checkpoints bound to the digest of the exact step, \
            and shows a unified diff against the original plan. For every rewrite it names the \
            policy that asked for it and the boundary facts that keep it inside the original \
            authorization: same principal, no higher effect, no new flags, the same resource or a \
            counterpart the original names. The rewritten plan is byte-identical across runs.
            """,
        options: [
            CommonOptions.policies(help: "the policy directory (default: the one next to the plan, then ./policies)"),
            .path("output", short: "o", help: "write the rewritten plan to FILE"),
            CommonOptions.format(.text, .json, .diff),
            CommonOptions.audit,
            CommonOptions.now,
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PLAN", help: "the workflow plan, as JSON"),
        ],
        examples: [
            Example("stepguard mutate plans/release.json -o plans/release.safe.json",
                    "write the rewritten plan and show what changed"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "nothing to rewrite"),
            ExitStatusNote(.failure, "steps were rewritten or denied"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

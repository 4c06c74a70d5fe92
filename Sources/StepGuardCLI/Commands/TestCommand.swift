/// `stepguard test [DIR]`
enum TestCommand {
    static let spec = CommandSpec(
        name: "test",
        summary: "run policy test suites",
        discussion: """
            Runs the suites in the tests/ directory of every policy directory under DIR. A suite \
            gives a plan or a single request, the outcome expected for each step (allow, deny, \
            approve, mutate:VARIANT or warn), the policy ids expected to decide it, and optionally \
            a pinned clock. Each failure is printed as expected against actual.
            """,
        options: [
            .value("run", valueName: "PATTERN", help: "run only the tests whose name contains PATTERN"),
            .flag("verbose", short: "v", help: "list passing tests too"),
            CommonOptions.format(.text, .json, .junit),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("DIR", arity: .optional, help: "a policy directory or a tree of them (default: the current directory)"),
        ],
        examples: [
            Example("stepguard test policies", "run every suite under policies/"),
            Example("stepguard test --run freeze --format junit policies > report.xml", "run some tests, report as JUnit XML"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "every test passed"),
            ExitStatusNote(.failure, "a test failed"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

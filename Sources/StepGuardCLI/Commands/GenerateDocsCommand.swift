/// `stepguard __generate-docs DIR` (hidden): writes man pages and completion scripts.
enum GenerateDocsCommand {
    static let spec = CommandSpec(
        name: "__generate-docs",
        summary: "write the man pages and completion scripts generated from the command table",
        discussion: """
            Writes DIR/man/*.1 and DIR/completions/*, and removes generated man pages of commands \
            that no longer exist. Run from the repository root: swift run stepguard __generate-docs .
            """,
        positionals: [
            PositionalSpec("DIR", help: "the repository root"),
        ],
        isHidden: true,
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let directory = context.arguments.positional("DIR") ?? "."
        let written = try DocsGenerator.write(root: CommandTable.root, to: directory)
        for path in written { context.note("wrote \(path)") }
        return .success
    }
}

/// `stepguard fmt PATH...`
enum FmtCommand {
    static let spec = CommandSpec(
        name: "fmt",
        summary: "rewrite policies in canonical form",
        discussion: """
            Formats Cedar policy files as the reference formatter does (line width 80, indent 2), \
            keeping comments. Without --write the formatted text goes to stdout. With --write each \
            file is replaced atomically. With --check nothing is written: a file that is not in \
            canonical form is reported with a diff and the command fails.

            A file that does not parse is an error (exit 2).
            """,
        options: [
            .flag("check", help: "write nothing; fail and print a diff when a file would change"),
            .flag("write", short: "w", help: "rewrite the files in place"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PATH", arity: .oneOrMore, help: "policy files or directories; - reads stdin"),
        ],
        examples: [
            Example("stepguard fmt -w policies/", "format every policy file in place"),
            Example("stepguard fmt --check policies/", "fail in CI when a file is not formatted"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "formatted (with --check: nothing would change)"),
            ExitStatusNote(.failure, "with --check: some file would change"),
        ],
        exclusive: [["check", "write"]],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

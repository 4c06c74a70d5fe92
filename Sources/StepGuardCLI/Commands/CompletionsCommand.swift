/// `stepguard completions SHELL`
enum CompletionsCommand {
    static let spec = CommandSpec(
        name: "completions",
        summary: "print the shell completion script for bash, zsh or fish",
        discussion: """
            Prints a completion script generated from the command table. To install:

              bash: stepguard completions bash > ~/.local/share/bash-completion/completions/stepguard
              zsh:  stepguard completions zsh > "${fpath[1]}/_stepguard"
              fish: stepguard completions fish > ~/.config/fish/completions/stepguard.fish

            The same scripts are shipped in completions/.
            """,
        positionals: [
            PositionalSpec("SHELL", kind: .choice(Shell.allCases.map(\.rawValue)), help: "the shell"),
        ],
        examples: [
            Example("source <(stepguard completions bash)", "complete stepguard in the current bash session"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the script was printed"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        guard let shell = context.arguments.positional("SHELL").flatMap(Shell.init(rawValue:)) else {
            throw CLIError.invalidUsage("missing shell")
        }
        context.console.write(CompletionScripts.script(for: shell, root: CommandTable.root))
        return .success
    }
}

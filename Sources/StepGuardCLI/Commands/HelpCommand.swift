/// `stepguard help [COMMAND...]`
enum HelpCommand {
    static let spec = CommandSpec(
        name: "help",
        summary: "show the help of a command",
        discussion: """
            Prints the same text as COMMAND --help, which is also what the command's man page says.
            """,
        positionals: [
            PositionalSpec("COMMAND", arity: .zeroOrMore, kind: .command, help: "a command, such as lint or token verify"),
        ],
        examples: [
            Example("stepguard help token verify", "the help of token verify"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "the help was printed"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let root = CommandTable.root
        let words = context.arguments.positionals("COMMAND")
        let indices = context.arguments.positionalIndices["COMMAND"] ?? []
        var command = root
        var path: [String] = []
        for (offset, word) in words.enumerated() {
            guard let next = command.subcommand(word), !next.isHidden else {
                let candidates = command.visibleSubcommands.map(\.name)
                let error = command.isGroup
                    ? ParseError.unknownCommand(word, index: indices[offset], suggestion: Suggestion.nearest(to: word, among: candidates))
                    : ParseError.unexpectedArgument(word, index: indices[offset])
                throw ParseFailure(error, commandPath: context.arguments.commandPath)
            }
            command = next
            path.append(word)
        }
        context.console.write(HelpRenderer.render(HelpDocument(root: root, path: path)))
        return .success
    }
}

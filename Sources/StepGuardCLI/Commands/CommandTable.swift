/// The command table of stepguard: the root and, below it, one spec per command (each in its
/// own file in this directory). To add a command, add its file and list its spec here.
public enum CommandTable {
    /// `stepguard` itself.
    public static let root = root(subcommands: commands.map { $0.spec() })

    /// Every command under `stepguard`, in the order help lists them, each built only when asked
    /// for: a command line that names one parses with that command's table alone (see
    /// `root(selecting:)`), and the gate runs before every tool call of an agent.
    static let commands: [(name: String, spec: @Sendable () -> CommandSpec)] = [
        ("lint", { LintCommand.spec }),
        ("fmt", { FmtCommand.spec }),
        ("test", { TestCommand.spec }),
        ("validate", { ValidateCommand.spec }),
        ("authorize", { AuthorizeCommand.spec }),
        ("eval", { EvalCommand.spec }),
        ("mutate", { MutateCommand.spec }),
        ("keygen", { KeygenCommand.spec }),
        ("mint", { MintCommand.spec }),
        ("approve", { ApproveCommand.spec }),
        ("token", { TokenCommand.spec }),
        ("audit", { AuditCommand.spec }),
        ("gate", { GateCommand.spec }),
        ("replay", { ReplayCommand.spec }),
        ("catalog", { CatalogCommand.spec }),
        ("completions", { CompletionsCommand.spec }),
        ("help", { HelpCommand.spec }),
        ("__generate-docs", { GenerateDocsCommand.spec }),
    ]

    /// A root holding only the command `arguments` name first (the same root, the others'
    /// tables left unbuilt); nil when the first word names none. A command line this root does
    /// not parse, or asks for help, is parsed again with the whole table, so what is reported
    /// is the same.
    static func root(selecting arguments: [String]) -> CommandSpec? {
        guard let first = arguments.first, let command = commands.first(where: { $0.name == first }) else { return nil }
        return root(subcommands: [command.spec()])
    }

    private static func root(subcommands: [CommandSpec]) -> CommandSpec {
        CommandSpec(
        name: "stepguard",
        summary: "governance for autonomous agent workflows",
        discussion: """
            stepguard decides, step by step and before anything runs, what each step of an agent's \
            plan may do. It rewrites an unsafe step into a safer one instead of ending the whole \
            task, mints a short-lived credential scoped to exactly one approved step, and keeps a \
            tamper-evident record that anyone holding a public key can verify offline.

            Exit status 0 means yes (allowed, valid, no findings), 1 means no (denied, findings, \
            tampered), and 2 means the command could not do its job: bad usage, an unreadable or \
            malformed input, a missing key. Every command prints its payload on stdout, in the \
            format --format selects (text for people, json for machines; lint and eval also sarif \
            and github), and progress, warnings and errors on stderr. Colour follows --color \
            auto|always|never; auto colours a terminal unless NO_COLOR is set to a non-empty value \
            or TERM is dumb. -q prints only failures and the summary.

            Options take their value as --name VALUE, --name=VALUE, -n VALUE or -nVALUE, and \
            short flags combine (-qv). A value may begin with a dash (--jti -Xb3 works): the word \
            after an option that needs a value is that value unless it spells one of the \
            command's own options, so --key --quiet reports the missing key instead of reading \
            --quiet as one. After --, every word is an argument.
            """,
        usage: ["<command> [options]", "help <command>", "--version"],
        options: [
            .flag("version", short: "V", help: "print the version and exit"),
        ],
        subcommands: subcommands,
        examples: [
            Example("stepguard eval plans/release.json", "dry-run a plan against ./policies"),
            Example("stepguard lint policies/", "lint a policy directory"),
            Example("stepguard help eval", "the help of one command"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "yes: allowed, valid, intact, no findings"),
            ExitStatusNote(.failure, "no: denied, invalid, tampered, findings"),
        ]
    )
    }
}

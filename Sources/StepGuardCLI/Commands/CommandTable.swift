/// The command table of stepguard: the root and, below it, one spec per command (each in its
/// own file in this directory). To add a command, add its file and list its spec here.
public enum CommandTable {
    /// `stepguard` itself.
    public static let root = CommandSpec(
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
        subcommands: [
            LintCommand.spec,
            FmtCommand.spec,
            TestCommand.spec,
            ValidateCommand.spec,
            AuthorizeCommand.spec,
            EvalCommand.spec,
            MutateCommand.spec,
            KeygenCommand.spec,
            MintCommand.spec,
            TokenCommand.spec,
            AuditCommand.spec,
            GateCommand.spec,
            ReplayCommand.spec,
            CatalogCommand.spec,
            CompletionsCommand.spec,
            HelpCommand.spec,
            GenerateDocsCommand.spec,
        ],
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

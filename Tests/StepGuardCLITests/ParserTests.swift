import Testing
@testable import StepGuardCLI

/// A small table exercising every parser feature, independent of stepguard's own commands.
let sampleRoot = CommandSpec(
    name: "stepguard", summary: "sample",
    options: [.flag("version", short: "V", help: "print the version")],
    subcommands: [
        CommandSpec(
            name: "run", summary: "run something",
            options: [
                .flag("quiet", short: "q", help: "quiet"),
                .flag("verbose", short: "v", help: "verbose"),
                .choice("format", ["text", "json"], valueName: "FORMAT", help: "output format", default: "text"),
                .path("output", short: "o", help: "output file"),
                .value("tag", short: "t", valueName: "TAG", help: "a tag").repeatable(),
                .duration("ttl", help: "lifetime", default: "5m"),
                .integer("seq", help: "a number"),
                .value("key", short: "k", valueName: "KEY", help: "a key").required(),
                .flag("check", help: "check"),
                .flag("write", short: "w", help: "write"),
                .flag("secret", help: "hidden").hidden(),
            ],
            positionals: [
                PositionalSpec("INPUT", help: "input"),
                PositionalSpec("REST", arity: .zeroOrMore, help: "more"),
            ],
            exclusive: [["check", "write"]],
            run: { _ in .success }),
        CommandSpec(
            name: "pick", summary: "one of two",
            options: [.path("left", help: "left"), .path("right", help: "right")],
            exclusive: [["left", "right"]], requireOneOf: [["left", "right"]],
            run: { _ in .success }),
        CommandSpec(
            name: "group", summary: "a group",
            subcommands: [
                CommandSpec(
                    name: "leaf", summary: "a leaf",
                    positionals: [PositionalSpec("X", arity: .optional, kind: .choice(["a", "b"]), help: "x")],
                    run: { _ in .success }),
            ]),
    ])

private func parse(_ words: [String]) throws(ParseFailure) -> ParseOutcome {
    try ArgumentParser(root: sampleRoot).parse(words)
}

private func parsed(_ words: [String]) throws -> ParsedArguments {
    guard case .run(let arguments) = try parse(words) else {
        Issue.record("expected a command to run for \(words)")
        throw ParseFailure(.missingCommand(index: 0), commandPath: [])
    }
    return arguments
}

struct ParserAcceptsTests {
    @Test func longOptionWithSeparateAndInlineValue() throws {
        let a = try parsed(["run", "--key", "K", "--format=json", "in"])
        #expect(a.commandPath == ["run"])
        #expect(a.value("key") == "K")
        #expect(a.value("format") == "json")
        #expect(a.positional("INPUT") == "in")
        #expect(a.positionals("REST") == [])
    }

    /// Identifiers such as a base64url `jti` may begin with a dash: after an option that needs a
    /// value, such a word is the value unless it spells one of the command's options.
    @Test(arguments: ["-Xb3", "--not-an-option", "-", "-1"])
    func valueMayBeginWithADash(value: String) throws {
        let a = try parsed(["run", "--key", value, "in"])
        #expect(a.value("key") == value)
        let b = try parsed(["run", "-k", value, "in"])
        #expect(b.value("key") == value)
    }

    @Test func defaultsApplyWhenAbsent() throws {
        let a = try parsed(["run", "-k", "K", "in"])
        #expect(a.value("format") == "text")
        #expect(!a.isGiven("format"))
        #expect(a.duration("ttl") == .seconds(300))
        #expect(a.value("output") == nil)
    }

    @Test func combinedShortFlags() throws {
        let a = try parsed(["run", "-qv", "-k", "K", "in"])
        #expect(a.flag("quiet"))
        #expect(a.flag("verbose"))
        #expect(!a.flag("check"))
    }

    @Test func clusterEndingInAValueOption() throws {
        let a = try parsed(["run", "-qo", "out.json", "-kK", "in"])
        #expect(a.flag("quiet"))
        #expect(a.value("output") == "out.json")
        #expect(a.value("key") == "K")
    }

    @Test func repeatableKeepsEveryValueInOrder() throws {
        let a = try parsed(["run", "-t", "a", "--tag", "b", "--tag=c", "-k", "K", "in"])
        #expect(a.values("tag") == ["a", "b", "c"])
        #expect(a.count("tag") == 3)
    }

    @Test func flagsMayRepeat() throws {
        let a = try parsed(["run", "-v", "-v", "--verbose", "-k", "K", "in"])
        #expect(a.count("verbose") == 3)
    }

    @Test func doubleDashEndsOptions() throws {
        let a = try parsed(["run", "-k", "K", "--", "--help", "-q"])
        #expect(a.positional("INPUT") == "--help")
        #expect(a.positionals("REST") == ["-q"])
        #expect(!a.flag("quiet"))
    }

    @Test func loneDashIsAPositional() throws {
        let a = try parsed(["run", "-k", "K", "-"])
        #expect(a.positional("INPUT") == "-")
    }

    @Test func positionalsAndOptionsInterleave() throws {
        let a = try parsed(["run", "one", "-q", "two", "-k", "K", "three"])
        #expect(a.positional("INPUT") == "one")
        #expect(a.positionals("REST") == ["two", "three"])
        #expect(a.positionalIndices["REST"] == [4, 7])
    }

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("90s", .seconds(90)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
        ("1h30m", .seconds(5400)), ("2d", .seconds(172_800)), ("0s", .zero),
    ])
    func durations(text: String, expected: Duration) throws {
        let a = try parsed(["run", "--ttl", text, "-k", "K", "in"])
        #expect(a.duration("ttl") == expected)
    }

    @Test func negativeIntegerIsAValue() throws {
        let a = try parsed(["run", "--seq", "-3", "-k", "K", "in"])
        #expect(a.integer("seq") == -3)
    }

    @Test func hiddenOptionsStillParse() throws {
        let a = try parsed(["run", "--secret", "-k", "K", "in"])
        #expect(a.flag("secret"))
    }

    @Test func nestedSubcommand() throws {
        let a = try parsed(["group", "leaf", "b"])
        #expect(a.commandPath == ["group", "leaf"])
        #expect(a.positional("X") == "b")
    }

    @Test(arguments: [
        (["--help"], ParseOutcome.help(commandPath: [])),
        (["-h"], .help(commandPath: [])),
        (["run", "--help"], .help(commandPath: ["run"])),
        (["run", "-k", "K", "-qh"], .help(commandPath: ["run"])),
        (["run", "--format", "yaml", "--help"], .help(commandPath: ["run"])),
        (["group", "--help"], .help(commandPath: ["group"])),
        (["group", "leaf", "-h"], .help(commandPath: ["group", "leaf"])),
        (["--version"], .version),
        (["-V"], .version),
    ] as [([String], ParseOutcome)])
    func helpAndVersion(words: [String], expected: ParseOutcome) throws {
        #expect(try parse(words) == expected)
    }
}

struct ParserRejectsTests {
    @Test(arguments: [
        (["runn"], ParseError.unknownCommand("runn", index: 1, suggestion: "run")),
        (["xyzzy"], .unknownCommand("xyzzy", index: 1, suggestion: nil)),
        (["group", "lef"], .unknownCommand("lef", index: 2, suggestion: "leaf")),
        ([], .missingCommand(index: 1)),
        (["group"], .missingCommand(index: 2)),
        (["--verison"], .unknownOption("--verison", index: 1, suggestion: "--version")),
        (["run", "--formt", "json", "-k", "K", "in"], .unknownOption("--formt", index: 2, suggestion: "--format")),
        (["run", "--formt=json"], .unknownOption("--formt", index: 2, suggestion: "--format")),
        (["run", "-format", "json"], .unknownOption("-format", index: 2, suggestion: "--format")),
        (["run", "-x"], .unknownOption("-x", index: 2, suggestion: nil)),
        (["run", "-qx"], .unknownOption("-x", index: 2, suggestion: nil)),
        (["run", "--secre"], .unknownOption("--secre", index: 2, suggestion: nil)),
        (["run", "--format", "yaml"], .invalidChoice(option: "--format", value: "yaml", index: 2, allowed: ["text", "json"])),
        (["run", "--format=jsn"], .invalidChoice(option: "--format", value: "jsn", index: 2, allowed: ["text", "json"])),
        (["run", "--ttl", "5x"], .invalidDuration(option: "--ttl", value: "5x", index: 2)),
        (["run", "--ttl", "30m1h"], .invalidDuration(option: "--ttl", value: "30m1h", index: 2)),
        (["run", "--ttl", "300"], .invalidDuration(option: "--ttl", value: "300", index: 2)),
        (["run", "--seq", "x"], .invalidInteger(option: "--seq", value: "x", index: 2)),
        (["run", "-k"], .missingValue(option: "-k", index: 2)),
        (["run", "--key", "--quiet", "in"], .missingValue(option: "--key", index: 2)),
        (["run", "-qo"], .missingValue(option: "-o", index: 2)),
        (["run", "--key", "-q", "in"], .missingValue(option: "--key", index: 2)),
        (["run", "--key", "--format=json", "in"], .missingValue(option: "--key", index: 2)),
        (["run", "--key", "--", "in"], .missingValue(option: "--key", index: 2)),
        (["run", "--quiet=yes"], .unexpectedValue(option: "--quiet", index: 2)),
        (["run", "-k", "a", "--key", "b", "in"], .duplicateOption(option: "--key", index: 4)),
        (["run", "in"], .missingOption(option: "--key", index: 3)),
        (["run", "-k", "K"], .missingArgument(name: "INPUT", index: 4)),
        (["run", "--check", "-k", "K", "-w", "in"], .conflictingOptions("--check", "--write", index: 5)),
        (["pick"], .missingOneOf(options: ["--left", "--right"], index: 2)),
        (["pick", "--right", "r", "--left", "l"], .conflictingOptions("--right", "--left", index: 4)),
        (["group", "leaf", "c"], .invalidChoice(option: "X", value: "c", index: 3, allowed: ["a", "b"])),
        (["group", "leaf", "a", "b"], .unexpectedArgument("b", index: 4)),
    ] as [([String], ParseError)])
    func parseErrors(words: [String], expected: ParseError) {
        #expect(throws: ParseFailure.self) { try parse(words) }
        do {
            _ = try parse(words)
        } catch {
            #expect(error.error == expected)
            #expect(error.error.index == expected.index)
        }
    }

    @Test func helpWinsOverOtherMistakes() throws {
        #expect(try parse(["run", "--formt", "--help"]) == .help(commandPath: ["run"]))
        // After --, --help is an argument like any other.
        #expect(throws: ParseFailure(.unknownOption("--formt", index: 2, suggestion: "--format"), commandPath: ["run"])) {
            try parse(["run", "--formt", "--", "--help"])
        }
    }

    @Test func messagesNameTheOffendingWord() {
        #expect(ParseError.unknownCommand("lnit", index: 1, suggestion: "lint").message == "unknown command 'lnit'")
        #expect(ParseError.unknownOption("--formt", index: 2, suggestion: nil).message == "unknown option '--formt'")
        #expect(ParseError.invalidChoice(option: "--format", value: "yaml", index: 2, allowed: ["text", "json"]).message
            == "invalid value 'yaml' for '--format': expected one of text, json")
        #expect(ParseError.invalidChoice(option: "--format", value: "jsn", index: 2, allowed: ["text", "json"]).suggestion == "json")
        #expect(ParseError.missingOption(option: "--key", index: 3).message == "missing required option '--key'")
        #expect(ParseError.missingOneOf(options: ["--key", "--jwks"], index: 3).message == "one of '--key' or '--jwks' is required")
        #expect(ParseError.missingOneOf(options: ["--a", "--b", "--c"], index: 3).message == "one of '--a', '--b' or '--c' is required")
    }
}


struct SuggestionTests {
    @Test func nearest() {
        let commands = ["lint", "fmt", "test", "validate", "authorize", "eval", "mutate"]
        #expect(Suggestion.nearest(to: "lnit", among: commands) == "lint")
        #expect(Suggestion.nearest(to: "evl", among: commands) == "eval")
        #expect(Suggestion.nearest(to: "authorise", among: commands) == "authorize")
        #expect(Suggestion.nearest(to: "valid", among: commands) == "validate")
        #expect(Suggestion.nearest(to: "zzzz", among: commands) == nil)
        #expect(Suggestion.nearest(to: "x", among: commands) == nil)
    }
}

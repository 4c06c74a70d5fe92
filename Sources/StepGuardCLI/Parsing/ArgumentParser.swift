import Basics

/// What a command line asks for.
public enum ParseOutcome: Equatable, Sendable {
    /// Run the selected command with these values.
    case run(ParsedArguments)
    /// Print the help of the command at this path (`[]` is stepguard itself).
    case help(commandPath: [String])
    /// Print the version.
    case version
}

/// The table-driven command-line parser.
///
/// Grammar, per command: options and positional words in any order; `--long`, `--long=value`,
/// `--long value`, `-s`, `-s value`, `-svalue`, clusters of short flags (`-qv`, the last one may
/// take a value: `-qo out.json`); `--` ends options; a lone `-` is a positional word (stdin).
/// A group's first positional word selects its subcommand. `-h` or `--help` as a word of its own
/// anywhere before `--` asks for help, whatever else the line holds.
public struct ArgumentParser: Sendable {
    /// The root table (`stepguard`).
    public let root: CommandSpec

    /// Creates a parser over a command table.
    public init(root: CommandSpec) {
        self.root = root
    }

    /// Parses `arguments` (argv without the program name).
    public func parse(_ arguments: [String]) throws(ParseFailure) -> ParseOutcome {
        var command = root
        var path: [String] = []
        var i = 0
        // Walk down the groups.
        while command.isGroup {
            guard i < arguments.count else {
                throw ParseFailure(.missingCommand(index: i + 1), commandPath: path)
            }
            let word = arguments[i]
            if word.hasPrefix("-") && word != "-" {
                let (option, _) = try lookupOption(word, at: i, in: command, path: path)
                switch option.long {
                case "help": return .help(commandPath: path)
                case "version": return .version
                default:
                    throw ParseFailure(.unknownOption(word, index: i + 1, suggestion: nil), commandPath: path)
                }
            }
            guard let next = command.subcommand(word) else {
                let names = command.visibleSubcommands.map(\.name)
                throw ParseFailure(
                    .unknownCommand(word, index: i + 1, suggestion: Suggestion.nearest(to: word, among: names)),
                    commandPath: path)
            }
            command = next
            path.append(word)
            i += 1
        }
        return try parseLeaf(command, path: path, arguments: arguments, from: i)
    }

    private func parseLeaf(
        _ command: CommandSpec, path: [String], arguments: [String], from start: Int
    ) throws(ParseFailure) -> ParseOutcome {
        // Help wins: someone who typed --help wants to read, not to be told what else was wrong.
        for word in arguments[start...] {
            if word == "--" { break }
            if word == "--help" || word == "-h" && command.option(short: "h")?.long == "help" {
                return .help(commandPath: path)
            }
        }
        var parsed = ParsedArguments(commandPath: path, command: command)
        var words: [(word: String, index: Int)] = []
        var firstIndex: [String: Int] = [:]
        var i = start
        var optionsEnded = false

        func fail(_ error: ParseError) -> ParseFailure { ParseFailure(error, commandPath: path) }

        func record(_ option: OptionSpec, value: String, spelled: String, at index: Int) throws(ParseFailure) {
            if option.kind != .flag && !option.isRepeatable && parsed.given[option.long] != nil {
                throw fail(.duplicateOption(option: spelled, index: index + 1))
            }
            try validate(value, kind: option.kind, name: option.longSpelling, index: index, path: path)
            if firstIndex[option.long] == nil { firstIndex[option.long] = index }
            parsed.append(option: option.long, value: value)
        }

        /// The word after an option that needs a value, or an error when there is none.
        ///
        /// A word that starts with a dash is still the value unless it spells one of this
        /// command's options: `--jti -Xb3` takes `-Xb3` (identifiers and base64url values can
        /// begin with a dash), while `--key --quiet` says the value is missing.
        func nextValue(for spelled: String, at index: Int) throws(ParseFailure) -> String {
            let next = index + 1
            guard next < arguments.count, !names(arguments[next], anOptionOf: command) else {
                throw fail(.missingValue(option: spelled, index: index + 1))
            }
            return arguments[next]
        }

        while i < arguments.count {
            let word = arguments[i]
            if optionsEnded || word == "-" || !word.hasPrefix("-") || isNegativeNumber(word) && !command.hasDigitShort {
                words.append((word, i))
                i += 1
                continue
            }
            if word == "--" {
                optionsEnded = true
                i += 1
                continue
            }
            if word.hasPrefix("--") {
                let (option, inline) = try lookupOption(word, at: i, in: command, path: path)
                let spelled = option.longSpelling
                if option.long == "help" { return .help(commandPath: path) }
                if option.kind == .flag {
                    if inline != nil { throw fail(.unexpectedValue(option: spelled, index: i + 1)) }
                    try record(option, value: "", spelled: spelled, at: i)
                    i += 1
                } else if let inline {
                    try record(option, value: inline, spelled: spelled, at: i)
                    i += 1
                } else {
                    let value = try nextValue(for: spelled, at: i)
                    try record(option, value: value, spelled: spelled, at: i)
                    i += 2
                }
                continue
            }
            // A cluster of short options: -q, -qv, -ofile, -qo file.
            let letters = Array(word.dropFirst())
            var consumedNext = false
            var position = 0
            while position < letters.count {
                let letter = letters[position]
                guard let option = command.option(short: letter) else {
                    if position == 0 && letters.count > 1 {
                        // -format: most likely a long option typed with one dash.
                        _ = try lookupOption(word, at: i, in: command, path: path)
                    }
                    throw fail(.unknownOption("-" + String(letter), index: i + 1, suggestion: nil))
                }
                let spelled = "-" + String(letter)
                if option.long == "help" { return .help(commandPath: path) }
                if option.kind == .flag {
                    try record(option, value: "", spelled: spelled, at: i)
                    position += 1
                    continue
                }
                let rest = String(letters[(position + 1)...])
                if rest.isEmpty {
                    let value = try nextValue(for: spelled, at: i)
                    try record(option, value: value, spelled: spelled, at: i)
                    consumedNext = true
                } else {
                    try record(option, value: rest, spelled: spelled, at: i)
                }
                break
            }
            i += consumedNext ? 2 : 1
        }

        try assignPositionals(words, to: command, into: &parsed, end: arguments.count, path: path)

        for option in command.allOptions where option.isRequired && parsed.given[option.long] == nil {
            throw fail(.missingOption(option: option.longSpelling, index: arguments.count + 1))
        }
        for group in command.exclusive {
            let present = group.filter { parsed.given[$0] != nil }.sorted { firstIndex[$0]! < firstIndex[$1]! }
            if present.count > 1 {
                throw fail(.conflictingOptions("--" + present[0], "--" + present[1], index: firstIndex[present[1]]! + 1))
            }
        }
        for group in command.requireOneOf where !group.contains(where: { parsed.given[$0] != nil }) {
            throw fail(.missingOneOf(options: group.map { "--" + $0 }, index: arguments.count + 1))
        }
        return .run(parsed)
    }

    private func assignPositionals(
        _ words: [(word: String, index: Int)], to command: CommandSpec, into parsed: inout ParsedArguments,
        end: Int, path: [String]
    ) throws(ParseFailure) {
        let specs = command.positionals
        var next = 0
        for (position, spec) in specs.enumerated() {
            let laterMinimum = specs[(position + 1)...].reduce(0) { $0 + $1.arity.minimum }
            let available = max(0, words.count - next - laterMinimum)
            let take: Int
            switch spec.arity {
            case .one: take = min(1, available)
            case .optional: take = min(1, available)
            case .oneOrMore, .zeroOrMore: take = available
            }
            if take < spec.arity.minimum {
                throw ParseFailure(.missingArgument(name: spec.name, index: end + 1), commandPath: path)
            }
            for (word, index) in words[next..<(next + take)] {
                try validate(word, kind: spec.kind, name: spec.name, index: index, path: path)
                parsed.append(positional: spec.name, value: word, index: index + 1)
            }
            next += take
        }
        if next < words.count {
            throw ParseFailure(.unexpectedArgument(words[next].word, index: words[next].index + 1), commandPath: path)
        }
    }

    /// Finds the option a `--long[=value]` or `-s` word names; unknown words get a suggestion.
    private func lookupOption(
        _ word: String, at index: Int, in command: CommandSpec, path: [String]
    ) throws(ParseFailure) -> (OptionSpec, inline: String?) {
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            let name: String
            var inline: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inline = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            if let option = command.option(long: name) { return (option, inline) }
            let candidates = command.visibleOptions.map(\.long)
            let suggestion = Suggestion.nearest(to: name, among: candidates).map { "--" + $0 }
            throw ParseFailure(.unknownOption("--" + name, index: index + 1, suggestion: suggestion), commandPath: path)
        }
        let letters = Array(word.dropFirst())
        if letters.count == 1, let option = command.option(short: letters[0]) { return (option, nil) }
        // A single-dash long spelling (-format) is a common slip: suggest the real one.
        let name = String(word.drop { $0 == "-" })
        let suggestion = command.option(long: name).map(\.longSpelling)
            ?? Suggestion.nearest(to: name, among: command.visibleOptions.map(\.long)).map { "--" + $0 }
        throw ParseFailure(.unknownOption(word, index: index + 1, suggestion: suggestion), commandPath: path)
    }

    private func validate(_ value: String, kind: OptionKind, name: String, index: Int, path: [String]) throws(ParseFailure) {
        switch kind {
        case .flag, .value, .path, .command:
            return
        case .integer:
            if Int(value) == nil {
                throw ParseFailure(.invalidInteger(option: name, value: value, index: index + 1), commandPath: path)
            }
        case .duration:
            if DurationText.milliseconds(value) == nil {
                throw ParseFailure(.invalidDuration(option: name, value: value, index: index + 1), commandPath: path)
            }
        case .choice(let allowed):
            if !allowed.contains(value) {
                throw ParseFailure(
                    .invalidChoice(option: name, value: value, index: index + 1, allowed: allowed), commandPath: path)
            }
        }
    }

    /// Whether `word` is an option of `command` as typed: `--name`, `--name=value`, `--`, or a
    /// cluster of short options that starts with one of its letters.
    private func names(_ word: String, anOptionOf command: CommandSpec) -> Bool {
        guard word.count > 1, word.hasPrefix("-"), !isNegativeNumber(word) || command.hasDigitShort else { return false }
        if word == "--" { return true }
        if word.hasPrefix("--") {
            let name = word.dropFirst(2).prefix { $0 != "=" }
            return command.option(long: String(name)) != nil
        }
        return command.option(short: word[word.index(after: word.startIndex)]) != nil
    }

    private func isNegativeNumber(_ word: String) -> Bool {
        word.count > 1 && word.hasPrefix("-") && word.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }
}

extension CommandSpec {
    /// Whether some short option is a digit, in which case `-1` is an option and not a number.
    var hasDigitShort: Bool { allOptions.contains { $0.short?.isNumber ?? false } }
}

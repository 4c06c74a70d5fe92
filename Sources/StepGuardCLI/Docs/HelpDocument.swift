/// A run of text in help and man pages, marked with what it is so each renderer can set it.
public enum Span: Equatable, Sendable {
    /// Typed literally: a command, an option spelling (bold in man pages).
    case literal(String)
    /// Stands for something the user supplies: `PLAN`, `DIR` (italic in man pages).
    case placeholder(String)
    /// Ordinary text.
    case plain(String)

    var text: String {
        switch self {
        case .literal(let s), .placeholder(let s), .plain(let s): return s
        }
    }
}

/// A block of running text.
public enum TextBlock: Equatable, Sendable {
    /// Filled and wrapped.
    case paragraph(String)
    /// Kept line for line.
    case preformatted([String])
}

/// One term and its explanation in a definition list (options, arguments, commands, exits).
public struct Definition: Equatable, Sendable {
    public var term: [Span]
    public var text: String
}

/// A titled part of a help page.
public struct HelpSection: Equatable, Sendable {
    public enum Body: Equatable, Sendable {
        case blocks([TextBlock])
        case definitions([Definition])
        case examples([Example])
        case references([String])
    }

    public var title: String
    public var body: Body
}

/// The content of one command's help, built from its table; rendered as `--help` text and as a
/// man page, so the two always say the same thing.
public struct HelpDocument: Equatable, Sendable {
    /// The command path, `["token", "verify"]`; empty for stepguard itself.
    public var path: [String]
    /// `stepguard token verify`
    public var title: String
    public var summary: String
    /// Usage lines, each a sequence of spans.
    public var usage: [[Span]]
    public var sections: [HelpSection]

    /// The man page name: `stepguard-token-verify`.
    public var manPageName: String { (["stepguard"] + path).joined(separator: "-") }

    /// Builds the document for the command at `path` under `root`.
    public init(root: CommandSpec, path: [String]) {
        guard let command = root.descendant(path) else {
            preconditionFailure("no command at '\(path.joined(separator: " "))'")
        }
        self.path = path
        self.title = (["stepguard"] + path).joined(separator: " ")
        self.summary = command.summary
        self.usage = HelpDocument.usageLines(for: command, path: path).map(HelpDocument.spans(ofUsage:))
        var sections: [HelpSection] = []
        let blocks = HelpDocument.blocks(command.discussion)
        if !blocks.isEmpty { sections.append(HelpSection(title: "Description", body: .blocks(blocks))) }
        if command.isGroup {
            let leaves = command.visibleDescendants().filter { !$0.command.isGroup }
            sections.append(HelpSection(title: "Commands", body: .definitions(leaves.map { entry in
                Definition(term: [.literal(entry.path.joined(separator: " "))], text: entry.command.summary)
            })))
        }
        if !command.positionals.isEmpty {
            sections.append(HelpSection(title: "Arguments", body: .definitions(command.positionals.map { positional in
                Definition(term: [.placeholder(positional.name)], text: HelpDocument.describe(positional))
            })))
        }
        let options = command.visibleOptions
        if !options.isEmpty {
            sections.append(HelpSection(title: "Options", body: .definitions(options.map { option in
                Definition(term: HelpDocument.term(of: option), text: HelpDocument.describe(option))
            })))
        }
        if !command.examples.isEmpty {
            sections.append(HelpSection(title: "Examples", body: .examples(command.examples)))
        }
        sections.append(HelpSection(title: "Exit status", body: .definitions(command.effectiveExitStatus.map { note in
            Definition(term: [.plain(String(note.code.rawValue))], text: note.meaning)
        })))
        sections.append(HelpSection(title: "See also", body: .references(HelpDocument.references(root: root, path: path))))
        self.sections = sections
    }

    /// The usage lines of a command, without the `usage:` label.
    public static func usageLines(for command: CommandSpec, path: [String]) -> [String] {
        let prefix = (["stepguard"] + path).joined(separator: " ")
        if !command.usage.isEmpty { return command.usage.map { prefix + " " + $0 } }
        if command.isGroup {
            return [prefix + " <command> [options]"]
        }
        var words = [prefix]
        for option in command.options where option.isRequired && !option.isHidden {
            words.append(option.longSpelling + " " + option.valueName)
        }
        var inGroups = Set<String>()
        for group in command.requireOneOf {
            let forms = group.compactMap(command.option(long:)).map { option in
                option.longSpelling + (option.kind.takesValue ? " " + option.valueName : "")
            }
            words.append("(" + forms.joined(separator: " | ") + ")")
            inGroups.formUnion(group)
        }
        if command.visibleOptions.contains(where: { !$0.isRequired && !inGroups.contains($0.long) }) {
            words.append("[options]")
        }
        words += command.positionals.map(\.usage)
        return [words.joined(separator: " ")]
    }

    /// Splits a usage line into spans: options and command words are literal, upper-case words
    /// placeholders, brackets, parentheses, bars, ellipses and the words `options` and `<command>` plain.
    static func spans(ofUsage line: String) -> [Span] {
        var spans: [Span] = []
        func appendPlain(_ text: String) {
            if case .plain(let previous)? = spans.last {
                spans[spans.count - 1] = .plain(previous + text)
            } else {
                spans.append(.plain(text))
            }
        }
        func appendWord(_ word: String) {
            guard !word.isEmpty else { return }
            var word = Substring(word)
            var ellipsis = false
            if word.hasSuffix("...") {
                word = word.dropLast(3)
                ellipsis = true
            }
            let isPlaceholder = word.first?.isUppercase == true
                && word.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" || $0 == "." }
            if word == "options" || word == "<command>" {
                appendPlain(String(word))
            } else if isPlaceholder {
                spans.append(.placeholder(String(word)))
            } else if !word.isEmpty {
                spans.append(.literal(String(word)))
            }
            if ellipsis { appendPlain("...") }
        }
        var word = ""
        for character in line {
            if "[]()| ".contains(character) {
                appendWord(word)
                word = ""
                appendPlain(String(character))
            } else {
                word.append(character)
            }
        }
        appendWord(word)
        return spans
    }

    static func blocks(_ text: String) -> [TextBlock] {
        var blocks: [TextBlock] = []
        var paragraph: [String] = []
        var preformatted: [String] = []
        func flush() {
            if !paragraph.isEmpty { blocks.append(.paragraph(paragraph.joined(separator: " "))) }
            if !preformatted.isEmpty { blocks.append(.preformatted(preformatted)) }
            paragraph = []
            preformatted = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " }) {
                flush()
            } else if line.hasPrefix("  ") {
                if !paragraph.isEmpty { flush() }
                preformatted.append(String(line.dropFirst(2)))
            } else {
                if !preformatted.isEmpty { flush() }
                paragraph.append(String(line).trimming(" "))
            }
        }
        flush()
        return blocks
    }

    static func term(of option: OptionSpec) -> [Span] {
        var term: [Span] = []
        if let short = option.shortSpelling { term += [.literal(short), .plain(", ")] }
        term.append(.literal(option.longSpelling))
        if option.kind.takesValue { term += [.plain(" "), .placeholder(option.valueName)] }
        return term
    }

    static func describe(_ option: OptionSpec) -> String {
        var text = option.help
        if let choices = option.kind.choices { text += ": " + choices.joined(separator: ", ") }
        var notes: [String] = []
        if option.isRequired { notes.append("required") }
        if option.isRepeatable { notes.append("repeatable") }
        if let value = option.defaultValue { notes.append("default: " + value) }
        if !notes.isEmpty { text += " (" + notes.joined(separator: "; ") + ")" }
        return text
    }

    static func describe(_ positional: PositionalSpec) -> String {
        var text = positional.help
        if let choices = positional.kind.choices { text += ": " + choices.joined(separator: ", ") }
        return text
    }

    static func references(root: CommandSpec, path: [String]) -> [String] {
        if path.isEmpty {
            return root.visibleDescendants().map { "stepguard-" + $0.path.joined(separator: "-") + "(1)" }
        }
        var references = ["stepguard(1)"]
        if path.count > 1 { references.append("stepguard-" + path.dropLast().joined(separator: "-") + "(1)") }
        if let command = root.descendant(path), command.isGroup {
            references += command.visibleDescendants(prefix: path).map { "stepguard-" + $0.path.joined(separator: "-") + "(1)" }
        }
        return references
    }
}

extension String {
    func trimming(_ character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}

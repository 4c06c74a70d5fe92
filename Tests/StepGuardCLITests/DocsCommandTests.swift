import Foundation
import Testing
@testable import StepGuardCLI

/// One `stepguard ...` command line shown in README.md or docs/*.md.
struct DocumentedCommand: Sendable, CustomTestStringConvertible {
    /// `docs/audit.md:217`
    var place: String
    /// The words after `stepguard`, as a shell would pass them.
    var words: [String]
    /// The example shows a usage error (the lines after it in its block say `stepguard: error:`).
    var showsError: Bool

    var testDescription: String { place }
}

/// Every command the docs show parses against the command table, so docs cannot drift from
/// the binary: a renamed option or command fails here. A command whose example shows a usage
/// error must fail to parse.
struct DocsCommandTests {
    static let guides: [String] = {
        let docs = Repository.root.appendingPathComponent("docs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []
        return ["README.md"] + names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }()

    static let commands: [DocumentedCommand] = guides.flatMap { guide -> [DocumentedCommand] in
        let text = (try? String(contentsOf: Repository.root.appendingPathComponent(guide), encoding: .utf8)) ?? ""
        return extract(text, file: guide)
    }

    /// The command lines in the code of a Markdown text: fenced blocks and indented blocks. A
    /// synopsis (`[--opt]`, `PATH...`, `a|b` choices) describes a command rather than shows one,
    /// and is left to the help goldens.
    static func extract(_ text: String, file: String) -> [DocumentedCommand] {
        let lines = text.components(separatedBy: "\n")
        var found: [DocumentedCommand] = []
        var inFence = false
        var index = 0
        while index < lines.count {
            let raw = lines[index]
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inFence.toggle()
                index += 1
                continue
            }
            let isCode = inFence || raw.hasPrefix("    ")
            guard isCode, let start = commandStart(trimmed) else {
                index += 1
                continue
            }
            let first = index + 1
            var command = String(trimmed[start...])
            // Continuation lines.
            while command.hasSuffix("\\"), index + 1 < lines.count {
                command = String(command.dropLast()) + " " + lines[index + 1].trimmingCharacters(in: .whitespaces)
                index += 1
            }
            // An error example: its block goes on with what stderr says.
            var showsError = false
            var next = index + 1
            while next < lines.count, !lines[next].trimmingCharacters(in: .whitespaces).isEmpty,
                !lines[next].trimmingCharacters(in: .whitespaces).hasPrefix("```")
            {
                if lines[next].contains("stepguard: error:") { showsError = true }
                if commandStart(lines[next].trimmingCharacters(in: .whitespaces)) != nil { break }
                next += 1
            }
            if !isSynopsis(command), let words = shellWords(command) {
                found.append(DocumentedCommand(place: "\(file):\(first)", words: Array(words.dropFirst()), showsError: showsError))
            }
            index += 1
        }
        return found
    }

    /// Where `stepguard` starts on a code line: at its start (after a `$ ` prompt or an
    /// assignment `X=$(`), or after a pipe.
    static func commandStart(_ line: String) -> String.Index? {
        var rest = Substring(line)
        if rest.hasPrefix("$ ") { rest = rest.dropFirst(2) }
        if rest.hasPrefix("stepguard ") { return rest.startIndex }
        for marker in ["$(stepguard ", "| stepguard "] {
            if let range = rest.range(of: marker) {
                return line.index(range.upperBound, offsetBy: -"stepguard ".count)
            }
        }
        return nil
    }

    static func isSynopsis(_ command: String) -> Bool {
        command.contains("[-") || command.contains("...") || command.contains("…") || command.contains("(--")
            || command.range(of: #"\b[a-z-]+\|[a-z-]+\b"#, options: .regularExpression) != nil
            || command.range(of: #" [A-Z][A-Z_]+( |$)"#, options: .regularExpression) != nil && !command.contains("$")
    }

    /// The words of a shell command up to the first unquoted pipe, redirection, `;`, `&&`,
    /// `)` or comment; quotes removed as the shell removes them; nil on an unclosed quote.
    static func shellWords(_ command: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var iterator = Array(command)
        var i = 0
        func finish() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        while i < iterator.count {
            let c = iterator[i]
            if let q = quote {
                if c == q {
                    quote = nil
                } else if c == "\\" && q == "\"" && i + 1 < iterator.count {
                    i += 1
                    word.append(iterator[i])
                } else {
                    word.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case "'", "\"":
                quote = c
                inWord = true
            case "\\":
                if i + 1 < iterator.count {
                    i += 1
                    word.append(iterator[i])
                    inWord = true
                }
            case " ", "\t":
                finish()
            case "|", ">", "<", ";", ")", "&":
                finish()
                return words
            case "#" where !inWord:
                finish()
                return words
            default:
                word.append(c)
                inWord = true
            }
            i += 1
        }
        iterator = []
        if quote != nil { return nil }
        finish()
        return words
    }

    @Test func theDocsShowCommands() {
        #expect(Self.commands.count >= 25, "\(Self.commands.count) commands found")
    }

    @Test(arguments: commands)
    func documentedCommandParses(_ command: DocumentedCommand) {
        do {
            _ = try ArgumentParser(root: CommandTable.root).parse(command.words)
            #expect(!command.showsError, "\(command.place): the example shows an error, but the command parses")
        } catch {
            #expect(command.showsError, "\(command.place): stepguard \(command.words.joined(separator: " ")): \(error)")
        }
    }
}

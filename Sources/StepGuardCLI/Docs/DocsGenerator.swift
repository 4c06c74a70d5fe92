import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The files generated from the command table: a man page per command and the completion
/// scripts. They are committed; a test fails when they differ from what the table generates.
public enum DocsGenerator {
    /// Every generated file: its path relative to the repository root, and its contents.
    public static func files(root: CommandSpec) -> [(path: String, contents: String)] {
        var files: [(path: String, contents: String)] = []
        for path in [[]] + root.visibleDescendants().map(\.path) {
            var document = HelpDocument(root: root, path: path)
            if path.isEmpty {
                // stepguard(1) also states the bounds of every reader (too long for --help).
                let seeAlso = document.sections.firstIndex { $0.title == "See also" } ?? document.sections.endIndex
                document.sections.insert(InputLimits.manSection, at: seeAlso)
            }
            files.append(("man/\(document.manPageName).1", ManPageRenderer.render(document, version: CLI.version)))
        }
        for shell in Shell.allCases {
            files.append(("completions/\(shell.fileName)", CompletionScripts.script(for: shell, root: root)))
        }
        return files
    }

    /// The documents that carry the generated command table between the markers.
    public static let guidesWithCommandTable = ["README.md", "docs/cli.md"]

    /// Markers around the generated command table in the guides.
    public static let tableBegin = "<!-- generated: command table (swift run stepguard __generate-docs .) -->"
    public static let tableEnd = "<!-- end of generated command table -->"

    /// The command table of docs/cli.md, in Markdown: usage, summary, and what exits 0 and 1 mean.
    public static func markdownCommandTable(root: CommandSpec) -> String {
        var lines = ["| command | what it does | exit 0 | exit 1 |", "|---|---|---|---|"]
        func cell(_ text: String) -> String { text.replacing("|", with: "\\|") }
        for (path, command) in root.visibleDescendants() where !command.isGroup {
            let usage = HelpDocument.usageLines(for: command, path: path).map { "`" + $0 + "`" }.joined(separator: "<br>")
            let meaning = { (code: ExitCode) in command.effectiveExitStatus.first { $0.code == code }?.meaning ?? "" }
            lines.append("| \(cell(usage)) | \(cell(command.summary)) | \(cell(meaning(.success))) | \(cell(meaning(.failure))) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The guide that lists every JSON document, between these markers.
    public static let jsonGuide = "docs/cli.md"
    public static let jsonTableBegin = "<!-- generated: JSON documents (swift run stepguard __generate-docs .) -->"
    public static let jsonTableEnd = "<!-- end of generated JSON documents -->"

    /// Every command that offers `--format json`, the `schema` its documents carry and the
    /// golden files that pin them (one per exit status the contract tests run it through).
    public static func markdownJSONTable(root: CommandSpec) -> String {
        var lines = ["| command | `schema` | pinned by |", "|---|---|---|"]
        for (path, command) in root.visibleDescendants() where !command.isGroup {
            guard command.option(long: "format")?.kind.choices?.contains(OutputFormat.json.rawValue) == true else { continue }
            let name = path.joined(separator: "-")
            lines.append("| `stepguard \(path.joined(separator: " "))` | `\(JSONSchema.name(commandPath: path))` | `Tests/StepGuardCLITests/Golden/contract/\(name)-*.json` |")
            for document in command.optionDocuments {
                let documentPath = path + [document.name]
                lines.append("| `stepguard \(path.joined(separator: " ")) --\(document.option)` | `\(JSONSchema.name(commandPath: documentPath))` | `Tests/StepGuardCLITests/Golden/contract/\(documentPath.joined(separator: "-"))-*.json` |")
            }
        }
        lines.append("| (any command, exit 2) | `\(JSONSchema.error)` | the `-2` goldens above |")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `document` with the text between the JSON-table markers replaced; nil when they are missing.
    public static func replacingJSONTable(in document: String, root: CommandSpec) -> String? {
        replacingGenerated(in: document, begin: jsonTableBegin, end: jsonTableEnd, with: markdownJSONTable(root: root))
    }

    /// `document` with the text between the table markers replaced by `table`; nil when the
    /// markers are missing.
    public static func replacingCommandTable(in document: String, with table: String) -> String? {
        replacingGenerated(in: document, begin: tableBegin, end: tableEnd, with: table)
    }

    /// `document` with the text between the limits markers replaced by the limits tables; nil
    /// when the markers are missing.
    public static func replacingLimitsTables(in document: String) -> String? {
        replacingGenerated(in: document, begin: InputLimits.tableBegin, end: InputLimits.tableEnd, with: InputLimits.markdown)
    }

    private static func replacingGenerated(in document: String, begin beginMarker: String, end endMarker: String,
                                           with text: String) -> String? {
        guard let begin = document.firstRange(of: beginMarker), let end = document.firstRange(of: endMarker),
            begin.upperBound <= end.lowerBound
        else { return nil }
        return String(document[..<begin.upperBound]) + "\n" + text + String(document[end.lowerBound...])
    }

    /// Writes every generated file under `directory` (creating man/ and completions/), removes
    /// man pages named `stepguard*.1` that the table no longer generates, and returns the paths
    /// written.
    public static func write(root: CommandSpec, to directory: String) throws(CLIError) -> [String] {
        let generated = files(root: root)
        for folder in ["man", "completions"] {
            let path = directory + "/" + folder
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw CLIError.unwritableFile(path: path, reason: System.lastError())
            }
        }
        var written: [String] = []
        for file in generated {
            let path = directory + "/" + file.path
            try AtomicFile.write(file.contents, to: path)
            written.append(path)
        }
        for guide in guidesWithCommandTable.map({ directory + "/" + $0 }) {
            if let bytes = try? FileReader.read(guide),
                let updated = replacingCommandTable(
                    in: String(decoding: bytes, as: UTF8.self), with: markdownCommandTable(root: root))
            {
                try AtomicFile.write(updated, to: guide)
                written.append(guide)
            }
        }
        let jsonGuide = directory + "/" + jsonGuide
        if let bytes = try? FileReader.read(jsonGuide),
            let updated = replacingJSONTable(in: String(decoding: bytes, as: UTF8.self), root: root)
        {
            try AtomicFile.write(updated, to: jsonGuide)
            written.append(jsonGuide)
        }
        let limitsGuide = directory + "/" + InputLimits.guide
        if let bytes = try? FileReader.read(limitsGuide),
            let updated = replacingLimitsTables(in: String(decoding: bytes, as: UTF8.self))
        {
            try AtomicFile.write(updated, to: limitsGuide)
            written.append(limitsGuide)
        }
        let expected = Set(generated.map(\.path))
        for name in listDirectory(directory + "/man") where name.hasPrefix("stepguard") && name.hasSuffix(".1") {
            if !expected.contains("man/" + name) { _ = unlink(directory + "/man/" + name) }
        }
        return written
    }

    /// The names in a directory, sorted; empty when it cannot be read.
    static func listDirectory(_ path: String) -> [String] {
        ((try? DirectoryListing.names(path)) ?? []).sorted()
    }
}

import Cedar
import JSONValue
import Workflow

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
        try context.runReportingInputErrors { try format(context) }
    }

    private static func format(_ context: CommandContext) throws -> ExitCode {
        let check = context.arguments.flag("check")
        let write = context.arguments.flag("write")
        let paths = context.arguments.positionals("PATH")
        if write && paths.contains("-") {
            throw CLIError.invalidUsage("--write cannot rewrite stdin; give file or directory paths")
        }
        let targets = try CedarFiles.formatTargets(paths)
        if targets.isEmpty { context.note("no .cedar files found") }
        var loader = CedarLoader()
        var changed = 0, failed = 0
        var entries: [JSONValue] = []
        for target in targets {
            let name = target == "-" ? "<stdin>" : target
            let original: String, formatted: String
            do {
                let bytes = try context.readInput(target)
                (original, formatted) = try formatFile(bytes, file: name, loader: &loader)
            } catch let error as CedarInputError {
                context.report(error)
                failed += 1
                entries.append(.object(JSONObject([("path", .string(name)), ("error", .string(error.description))])))
                continue
            } catch let error as CLIError {
                context.fail(error)
                failed += 1
                entries.append(.object(JSONObject([("path", .string(name)), ("error", .string(error.description))])))
                continue
            }
            let differs = original != formatted
            if differs { changed += 1 }
            var entry: [(String, JSONValue)] = [("path", .string(name)), ("changed", .bool(differs))]
            if check {
                if differs {
                    let diff = UnifiedDiff.diff(old: original, new: formatted, name: name)
                    entry.append(("diff", .string(diff)))
                    if context.format != .json { context.console.write(diff) }
                }
            } else if write {
                if differs {
                    try context.writeFile(formatted, to: target)
                    if context.format != .json { context.note("formatted \(name)") }
                }
            } else {
                entry.append(("formatted", .string(formatted)))
                if context.format != .json { context.console.write(formatted) }
            }
            entries.append(.object(JSONObject(entry)))
        }
        if context.format == .json && failed == 0 {
            context.printJSON(.object(JSONObject([("files", .array(entries)), ("changed", .int(Int64(changed)))])))
        } else if check && changed > 0 {
            context.note("\(changed) of \(targets.count) file\(targets.count == 1 ? "" : "s") not in canonical form; run 'stepguard fmt -w' to fix")
        }
        if failed > 0 { return .error }
        return check && changed > 0 ? .failure : .success
    }

    /// The text of a policy file and its canonical form; a located error when it does not parse
    /// (or is not UTF-8: the formatter reads the bytes, so nothing is silently replaced).
    static func formatFile(_ bytes: [UInt8], file: String, loader: inout CedarLoader) throws(CedarInputError) -> (String, String) {
        loader.sources.add(file, bytes)
        do {
            let formatted = try CedarFormatter.format(bytes: bytes, file: file)
            // A file with nothing in it is valid, as lint says, and left as it is: the
            // reference formatter would make it one newline, which is no better.
            if bytes.isEmpty { return ("", "") }
            return (String(decoding: bytes, as: UTF8.self), formatted)
        } catch {
            throw loader.sources.located(error, fallback: file)
        }
    }
}

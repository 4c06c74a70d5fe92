// The command-line parser over the real command table. The input is argv, words separated by
// NUL bytes. Invariants: parsing is deterministic; a parsed command exists in the table and has
// a handler; an error points at a word of the line (or just past it); usage errors and help
// render without a crash (commands themselves are never run).
import StepGuardCLI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCLIArguments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let words = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let arguments = bytes.isEmpty ? [] : words
    let parser = ArgumentParser(root: CommandTable.root)
    let outcome: ParseOutcome
    do {
        outcome = try parser.parse(arguments)
    } catch {
        let again = Result { () throws(ParseFailure) in try parser.parse(arguments) }
        if case .failure(let second) = again {
            require(second == error, "parsing the same line twice failed differently")
        } else {
            require(false, "parsing the same line twice gave different results")
        }
        require(error.error.index >= 1 && error.error.index <= arguments.count + 1,
                "error index \(error.error.index) outside a line of \(arguments.count) words")
        _ = error.error.message
        _ = error.error.suggestion
        let captured = Console.capturing()
        require(CLI.run(arguments: arguments, console: captured.console) == 2, "a usage error did not exit 2")
        return 0
    }
    require((try? parser.parse(arguments)) == outcome, "parsing the same line twice gave different results")
    switch outcome {
    case .run(let parsed):
        require(CommandTable.root.descendant(parsed.commandPath)?.run != nil, "parsed a command without a handler: \(parsed.commandPath)")
    case .help, .version:
        let captured = Console.capturing()
        require(CLI.run(arguments: arguments, console: captured.console) == 0, "help or version did not exit 0")
    }
    return 0
}

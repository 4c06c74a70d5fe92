import Foundation
@_exported import ProcessSupport
@testable import StepGuardCLI

/// Paths of the repository the tests run in.
enum Repository {
    /// Tests/StepGuardCLITests
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The repository root.
    static let root = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    /// Golden files.
    static let golden = testsDirectory.appendingPathComponent("Golden")
}

/// Runs stepguard in-process with a recording console.
func runCLI(
    _ arguments: [String], environment: [String: String] = [:], input: String = "",
    stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false, root: CommandSpec = CommandTable.root
) -> RunResult {
    let captured = Console.capturing(
        environment: environment, input: Array(input.utf8), outputIsTerminal: stdoutIsTerminal,
        diagnosticsIsTerminal: stderrIsTerminal)
    let status = CLI.run(arguments: arguments, console: captured.console, root: root)
    return RunResult(status: status, stdout: captured.stdout, stderr: captured.stderr)
}

import Foundation
import Testing
@testable import StepGuardCLI

/// Text fits the terminal when its width is known, keeps everything when it is not, and error
/// excerpts of long lines are shortened around the caret in every command.
struct TerminalWidthTests {
    typealias F = CredentialFixtures

    static func eval(width: Int?) -> RunResult {
        let captured = Console.capturing(outputIsTerminal: width != nil, terminalWidth: width)
        let status = CLI.run(arguments: ["eval", F.plan, "--now", F.nowText, "--color", "never"], console: captured.console, root: CommandTable.root)
        return RunResult(status: status, stdout: captured.stdout, stderr: captured.stderr)
    }

    @Test(arguments: [60, 80, 100])
    func theEvalTableFitsTheTerminal(width: Int) {
        let result = Self.eval(width: width)
        #expect(result.status == 1)
        for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(DisplayWidth.of(String(line)) <= width, "\(DisplayWidth.of(String(line))) columns at width \(width): \(line)")
        }
        #expect(result.stdout.contains("rotate-signing-key") || result.stdout.contains("rotate-sig…"))
    }

    @Test func withoutATerminalNothingIsCut() {
        let result = Self.eval(width: nil)
        #expect(!result.stdout.contains("…"), "full text when not a terminal")
        #expect(result.stdout.contains("rotate-signing-key"))
    }

    @Test func fixedColumnsGiveWayWidestFirst() {
        #expect(Table.fit([10, 40, 30], into: 60, flexible: 2) == [10, 30, 20])
        #expect(Table.fit([10, 40, 30], into: 30, flexible: 2) == [6, 6, 20], "no narrower than the floors")
        #expect(Table.fit([10, 40, 30], into: 200, flexible: 2) == [10, 40, 30])
        #expect(Table.fit([10, 12], into: 30, flexible: nil) == [10, 12])
        #expect(Table.truncate("storefront-release", to: 8) == "storefr…")
    }

    @Test func longLinesAreShortenedAroundTheCaretInEveryCommand() throws {
        let dir = try F.temporaryDirectory()
        // A minified plan: one line of about 20,000 characters with the error near its end.
        let steps = (0..<300).map { #"{"id":"s\#($0)","action":"ci.build","resource":"Repo::\"storefront\"","args":{"ref":"v7.3.0-with-a-long-tag"}}"# }
        let plan = dir.appendingPathComponent("plan.json").path
        try (#"{"plan":"p","principal":"Agent::\"release-bot\"","steps":["# + steps.joined(separator: ",") + #",{"id":"x","action":"ci.build","resource":"Repo::\"storefront\"","bogus":1}]}"#)
            .write(toFile: plan, atomically: true, encoding: .utf8)
        let policy = dir.appendingPathComponent("long.cedar").path
        try (String(repeating: "permit(principal, action, resource) when { 1 == 1 }; ", count: 300) + "permit(principal").write(toFile: policy, atomically: true, encoding: .utf8)
        let runs = [
            runCLI(["eval", plan, "--policies", F.release.path]),
            runCLI(["mutate", plan, "--policies", F.release.path]),
            runCLI(["lint", policy]),
            runCLI(["fmt", "--check", policy]),
        ]
        for result in runs {
            #expect(result.status == 2 || result.status == 1)
            let output = result.stdout + result.stderr
            #expect(output.unicodeScalars.count < 2_000, "\(output.unicodeScalars.count) characters of output")
            for line in output.split(separator: "\n") where line.contains(" | ") {
                #expect(line.unicodeScalars.count <= 135, "a \(line.unicodeScalars.count)-character excerpt: \(line.prefix(200))")
            }
            #expect((result.stdout + result.stderr).contains("..."), "the excerpt shows where it was cut")
        }
    }
}

import Basics
import JSONValue
import Testing
@testable import StepGuardCLI

private struct SampleReport: Report {
    var allowed: Int
    var denied: Int

    func text(style: Style, quiet: Bool) -> String {
        (quiet ? "" : "details\n") + "\(allowed) allowed, \(style.red("\(denied) denied"))\n"
    }

    var json: JSONValue {
        ["denied": .int(denied), "allowed": .int(allowed), "ok": .bool(denied == 0)]
    }
}

/// A one-command table whose handler emits `SampleReport`.
private let reportRoot = CommandSpec(
    name: "stepguard", summary: "sample",
    subcommands: [
        CommandSpec(
            name: "report", summary: "print a report",
            options: [CommonOptions.format(.text, .json), CommonOptions.color, CommonOptions.quiet],
            run: { context in
                context.emit(SampleReport(allowed: 2, denied: 1))
                context.note("progress goes to stderr")
                return .failure
            }),
        CommandSpec(
            name: "lines", summary: "print JSON Lines",
            run: { context in
                context.printJSONLine(["b": 1, "a": "x"])
                context.printJSONLine([1, 2])
                return .success
            }),
        CommandSpec(
            name: "boom", summary: "fail",
            run: { _ in throw CLIError.unreadableFile(path: "plan.json", reason: "No such file or directory") }),
        CommandSpec(
            name: "misuse", summary: "usage error found by the handler",
            run: { _ in throw CLIError.invalidUsage("give --key or --jwks") }),
    ])

struct RendererTests {
    @Test func textByDefault() {
        let result = runCLI(["report"], root: reportRoot)
        #expect(result.status == 1)
        #expect(result.stdout == "details\n2 allowed, 1 denied\n")
        #expect(result.stderr == "progress goes to stderr\n")
    }

    @Test func quietDropsDetailsAndNotes() {
        let result = runCLI(["report", "-q"], root: reportRoot)
        #expect(result.stdout == "2 allowed, 1 denied\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func colourOnlyWhenAsked() {
        #expect(runCLI(["report", "--color", "always"], root: reportRoot).stdout.contains("\u{1B}[31m1 denied"))
        #expect(runCLI(["report"], stdoutIsTerminal: true, root: reportRoot).stdout.contains("\u{1B}[31m"))
        #expect(!runCLI(["report"], environment: ["NO_COLOR": "1"], stdoutIsTerminal: true, root: reportRoot).stdout.contains("\u{1B}["))
    }

    @Test func jsonIsIndentedWithSortedKeys() {
        let result = runCLI(["report", "--format", "json"], root: reportRoot)
        #expect(result.stdout == """
            {
              "allowed": 2,
              "denied": 1,
              "ok": false,
              "schema": "stepguard.report/v1"
            }

            """)
    }

    @Test func jsonLinesAreCompact() {
        let result = runCLI(["lines"], root: reportRoot)
        // Every record carries the command's schema; one that is not an object is wrapped.
        #expect(result.stdout == "{\"a\":\"x\",\"b\":1,\"schema\":\"stepguard.lines/v1\"}\n{\"result\":[1,2],\"schema\":\"stepguard.lines/v1\"}\n")
    }

    @Test func thrownErrorsExitTwoOnStderr() {
        let result = runCLI(["boom"], root: reportRoot)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "stepguard: error: cannot read 'plan.json': No such file or directory\n")
    }

    @Test func handlerUsageErrorsPrintTheUsageLine() {
        let result = runCLI(["misuse"], root: reportRoot)
        #expect(result.status == 2)
        #expect(result.stderr == """
            stepguard: error: give --key or --jwks
            usage: stepguard misuse [options]
            run 'stepguard misuse --help' for more information

            """)
    }

    @Test func locatedMessageWithCaret() {
        let text = LocatedMessageRenderer.render(
            file: "policies/a.cedar", line: 3, column: 8, severity: .error, code: "SG201",
            message: "permit without @owner", sourceLine: "\tpermit(principal, action, resource);")
        #expect(text == """
            policies/a.cedar:3:8: error: [SG201] permit without @owner
             3 | \tpermit(principal, action, resource);
               | \t      ^

            """)
    }

    @Test func locatedMessageFromAJSONLocation() throws {
        let source = Array("{\n  \"steps\": [1,]\n}".utf8)
        var caught: JSONParseError?
        do { _ = try JSONParser.parse(source, file: "plan.json") } catch { caught = error }
        let error = try #require(caught)
        let text = LocatedMessageRenderer.render(
            file: "plan.json", location: error.location, lines: LineTable(source), severity: .error, message: error.message)
        #expect(text.hasPrefix("plan.json:2:"))
        #expect(text.contains(" 2 |   \"steps\": [1,]\n"))
        #expect(text.hasSuffix("^\n"))
    }

    @Test func severityOrder() {
        #expect(Severity.info < .warning && Severity.warning < .error)
    }
}

import Foundation
import Testing

/// A few runs through the real process: exit statuses, streams, stdin.
struct BinaryTests {
    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func misspeltCommandExitsTwo() throws {
        let binary = try #require(stepguardBinary)
        let result = try #require(runProcess(binary, ["lnit"], environment: ["NO_COLOR": "1"]))
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("did you mean 'lint'?"))
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func enumValueErrorExitsTwo() throws {
        let binary = try #require(stepguardBinary)
        let result = try #require(runProcess(binary, ["eval", "--format", "yaml", "plan.json"]))
        #expect(result.status == 2)
        #expect(result.stderr.contains("expected one of text, json, sarif, github"))
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func versionAndCompletionsOnStdout() throws {
        let binary = try #require(stepguardBinary)
        let version = try #require(runProcess(binary, ["--version"]))
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("stepguard "))
        let bash = try #require(runProcess(binary, ["completions", "bash"]))
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("complete -F _stepguard stepguard"))
        #expect(bash.stderr.isEmpty)
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func malformedInputExitsTwo() throws {
        let binary = try #require(stepguardBinary)
        let result = try #require(runProcess(binary, ["token", "inspect", "-"], input: "a.b.c"))
        #expect(result.status == 2)
        #expect(result.stderr == "stepguard: error: malformed token: the header segment is not unpadded base64url\n")
    }
}

import Foundation
import Testing
@testable import StepGuardCLI
#if canImport(FoundationXML)
import FoundationXML
#endif

struct TestCommandTests {
    typealias F = WorkflowFixtures
    static let failing = F.fixtures + "/test-runner"

    @Test func shippedExamplesPass() throws {
        let result = runCLI(["test", F.root + "/policies", "-v"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(!result.stdout.contains("FAIL"))
        #expect(result.stdout.contains("ok    release-pipeline/every outcome in one release\n      tier strict (shipped defaults): 4 demands, 1 met\n        audit_log: n/a - "))
        #expect(result.stdout.hasSuffix(" passed, 0 failed\n"))
        let junit = runCLI(["test", F.root + "/policies", "--format", "junit"])
        #expect(junit.status == 0)
        #expect(junit.stdout.contains("<testsuites name=\"stepguard test\" tests=\""))
        #expect(junit.stdout.contains("failures=\"0\" errors=\"0\">\n"))
        #expect(Self.isWellFormedXML(junit.stdout))
    }

    @Test("a failing suite, pinned per format", arguments: [
        ("text", "test-failing.txt"),
        ("json", "test-failing.json"),
        ("junit", "test-failing.junit.xml"),
    ])
    func failingSuite(format: String, golden: String) throws {
        let result = runCLI(["test", Self.failing, "--format", format, "-v"])
        #expect(result.status == 1)
        try F.expectGolden(F.normalize(result.stdout), golden)
        if format == "junit" { #expect(Self.isWellFormedXML(result.stdout)) }
    }

    @Test func failuresShowExpectedAgainstActual() {
        let result = runCLI(["test", Self.failing])
        #expect(result.status == 1)
        #expect(result.stdout.contains("""
                    expected: allow [release-agents-ship]
                    actual:   mutate:staging-validation [prod-deploys-need-release-manager]
            """))
        #expect(result.stdout.contains("expected: mutate:rotate-later\n        actual:   approve\n"))
        #expect(result.stdout.hasSuffix("3 tests in 1 policy directory: 1 passed, 2 failed\n"))
    }

    @Test func runSelectsTests() {
        let substring = runCLI(["test", Self.failing, "--run", "build passes"])
        #expect(substring.status == 0)
        #expect(substring.stdout == "1 test in 1 policy directory: 1 passed, 0 failed\n")
        let glob = runCLI(["test", Self.failing, "--run", "*/a stranger*"])
        #expect(glob.status == 1)
        #expect(glob.stdout.hasSuffix("1 test in 1 policy directory: 0 passed, 1 failed\n"))
        let shipped = runCLI(["test", F.root + "/policies", "--run", "release-pipeline/*"])
        #expect(shipped.status == 0)
        #expect(shipped.stdout.hasPrefix("4 tests in "))
        let none = runCLI(["test", Self.failing, "--run", "nothing like this"])
        #expect(none.status == 0)
        #expect(none.stderr.contains("no test matches \"nothing like this\""))
    }

    @Test func onePolicyDirectoryOrATreeOfThem() {
        for root in [Self.failing, Self.failing + "/", Self.failing + "/release-pipeline"] {
            let result = runCLI(["test", root, "--format", "json"])
            #expect(result.status == 1)
            #expect(result.stdout.contains("\"path\": \"\(Self.failing)/release-pipeline\""))
            #expect(result.stdout.contains("\"tests\": 3"))
        }
    }

    @Test func badInputExitsTwo() throws {
        #expect(runCLI(["test", F.fixtures + "/no-such-directory"]).status == 2)
        // A directory with no policy directory in it.
        let empty = runCLI(["test", F.fixtures + "/allowed"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("no policy directory"))
        // A malformed suite: a located error.
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fileManager = FileManager.default
        for name in try fileManager.contentsOfDirectory(atPath: Self.failing + "/release-pipeline") where name != "tests" {
            try fileManager.copyItem(atPath: Self.failing + "/release-pipeline/" + name, toPath: directory.appendingPathComponent(name).path)
        }
        try fileManager.createDirectory(at: directory.appendingPathComponent("tests"), withIntermediateDirectories: true)
        let suite = directory.appendingPathComponent("tests/broken.json").path
        try "{\n  \"tests\": [\n    { \"name\": \"x\", \"plan\": \"../plan.json\", \"expect\": { \"nope\": \"allow\" } }\n  ]\n}\n"
            .write(toFile: suite, atomically: true, encoding: .utf8)
        let result = runCLI(["test", directory.path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("\(suite):3:"))
        #expect(result.stderr.contains("the plan has no step \"nope\""))
        #expect(result.stderr.contains("^"))
    }

    @Test func xmlEscaping() {
        #expect(TestCommand.xml("a<b>&\"c'\u{1}") == "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}")
    }

    static func isWellFormedXML(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }
}

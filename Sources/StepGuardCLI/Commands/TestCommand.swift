import Approvals
import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Gate
import JSONValue
import Workflow

/// `stepguard test [DIR]`
enum TestCommand {
    static let spec = CommandSpec(
        name: "test",
        summary: "run policy test suites",
        discussion: """
            Runs the suites in the tests/ directory of every policy directory under DIR. A suite \
            gives a plan or a single request, the outcome expected for each step (allow, deny, \
            approve, mutate:VARIANT, warn or blocked), the policy ids expected to decide it, and \
            optionally a pinned clock. Each failure is printed as expected against actual. A test \
            may name signed approvals ("approvals": a directory approve --out wrote, or an audit \
            log, relative to the suite), and --approvals gives approvals to every test; a held \
            step they release is expected as approved.

            A session test gives a host ("host": "codex") and its hook events in order \
            ("events"), each with the outcome expected (also recorded for a finished call, or \
            error), the deciding policies and the host's answer; a "parallel" group issues its \
            events at once. The events run through the gate with the test's pinned clock and a \
            fresh audit log, so chain rules see the session's history as they would live.

            DIR is one policy directory when it holds tools.json; otherwise every policy \
            directory below it is tested, in name order. --format json is the stepguard.test/v1 \
            document, junit JUnit XML for CI test reports.
            """,
        options: [
            .value("run", valueName: "PATTERN", help: "run only the tests whose suite/name contains PATTERN (a glob when it has *)"),
            .flag("verbose", short: "v", help: "list passing tests too"),
            ApprovalOptions.option,
            CommonOptions.format(.text, .json, .junit),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("DIR", arity: .optional, help: "a policy directory or a tree of them (default: policies)"),
        ],
        examples: [
            Example("stepguard test policies", "run every suite under policies/"),
            Example("stepguard test --run freeze --format junit policies > report.xml", "run some tests, report as JUnit XML"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "every test passed"),
            ExitStatusNote(.failure, "a test failed"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        try WorkflowInputs.reportingErrors(context) {
            let root = context.arguments.positional("DIR") ?? "policies"
            let pattern = context.arguments.value("run")
            let given = try ApprovalOptions.judge(context)
            var runs: [DirectoryRun] = []
            for directory in try policyDirectories(under: root) {
                let bundle = try PolicyBundle.load(try PolicyDirectory(path: directory))
                runs.append(DirectoryRun(path: directory, suites: bundle.directory.testFiles,
                                         report: try PolicyTestRunner.run(
                                             bundle, run: pattern, options: EvaluationOptions(approvals: given), sessions: GateSessionRunner(),
                                             approvals: { try ApprovalSet(path: $0) })))
            }
            let total = runs.reduce(0) { $0 + $1.report.total }
            if total == 0 {
                context.warning(pattern.map { "no test matches \"\($0)\"" } ?? "no test suites (tests/*.json) under \"\(root)\"")
            }
            switch context.format {
            case .json: context.printJSON(json(runs))
            case .junit: context.console.write(junit(runs))
            default:
                context.console.write(text(runs, style: context.style, quiet: context.isQuiet, verbose: context.arguments.flag("verbose")))
            }
            return runs.allSatisfy(\.report.allPassed) ? .success : .failure
        }
    }

    /// The tests of one policy directory.
    struct DirectoryRun {
        var path: String
        var suites: [String]
        var report: PolicyTestReport
    }

    /// `root` itself when it is a policy directory (holds `tools.json`), else the policy
    /// directories below it, in name order. Hidden directories are skipped; the walk is bounded.
    static func policyDirectories(under root: String) throws -> [String] {
        let fileManager = FileManager.default
        let kind = PathKind(root)
        guard kind != .missing else {
            throw CLIError.unreadableFile(path: root, reason: "no such directory; give a policy directory or a tree of them")
        }
        guard kind == .directory else {
            let parent = PathText.deletingLastComponent(root)
            throw CLIError.unreadableFile(
                path: root, reason: "is a file, not a directory; give the policy directory that holds it (\"\(parent.isEmpty ? "." : parent)\")")
        }
        var found: [String] = []
        func walk(_ path: String, depth: Int) {
            if fileManager.fileExists(atPath: path + "/tools.json") {
                found.append(path)
                return
            }
            guard depth < 16, let names = try? fileManager.contentsOfDirectory(atPath: path) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = path + "/" + name
                if PathKind(child) == .directory {
                    walk(child, depth: depth + 1)
                }
            }
        }
        var start = root
        while start.count > 1 && start.hasSuffix("/") { start.removeLast() }
        walk(start, depth: 0)
        if found.isEmpty {
            throw CLIError.unreadableFile(
                path: root, reason: "no policy directory (a directory holding tools.json) in it or below it")
        }
        return found
    }

    // MARK: - Text

    static func text(_ runs: [DirectoryRun], style: Style, quiet: Bool, verbose: Bool) -> String {
        var out = ""
        for run in runs {
            for result in run.report.results {
                // Each case states its tier and what it demanded, as eval would.
                let tier = result.evaluation.map { TierOutput.text($0.tierReport(auditLog: false), quiet: quiet) } ?? ""
                let tierLines = tier.split(separator: "\n").map { "      " + $0 + "\n" }.joined()
                if result.passed {
                    if verbose && !quiet { out += "\(style.green("ok"))    \(result.fullName)\n" + tierLines }
                    continue
                }
                out += "\(style.apply("FAIL", .bold, .red))  \(result.fullName)  \(style.dim(result.location.description))\n" + tierLines
                for mismatch in result.mismatches {
                    let expected = mismatch.expected
                    out += "      step \"\(expected.step)\"  \(style.dim(expected.location.description))\n"
                    let policies = expected.policies != nil
                    out += "        expected: \(describe(expected.outcome, policies ? expected.policies : nil))\n"
                    out += "        actual:   \(describe(mismatch.actualOutcome, policies ? mismatch.actualPolicies : nil))\n"
                    if let answers = mismatch.answers {
                        out += "        expected answer: \(answers.expected)\n"
                        out += "        actual answer:   \(answers.actual)\n"
                    }
                }
            }
        }
        if !out.isEmpty { out += "\n" }
        return out + summaryLine(runs, style: style) + "\n"
    }

    /// `mutate:staging-validation [prod-deploys-need-release-manager]`; policies sorted, as they compare as a set.
    static func describe(_ outcome: String, _ policies: [String]?) -> String {
        guard let policies else { return outcome }
        return "\(outcome) [\(policies.sorted().joined(separator: ", "))]"
    }

    /// `24 tests in 9 policy directories: 24 passed, 0 failed`
    static func summaryLine(_ runs: [DirectoryRun], style: Style) -> String {
        let total = runs.reduce(0) { $0 + $1.report.total }
        let failed = runs.reduce(0) { $0 + $1.report.failed }
        let directories = "\(runs.count) policy director\(runs.count == 1 ? "y" : "ies")"
        let failedText = "\(failed) failed"
        return "\(total) test\(total == 1 ? "" : "s") in \(directories): \(total - failed) passed, "
            + (failed > 0 ? style.apply(failedText, .bold, .red) : failedText)
    }

    // MARK: - JSON

    /// `stepguard.test/v1`.
    static func json(_ runs: [DirectoryRun]) -> JSONValue {
        func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
        var tests: [JSONValue] = []
        for run in runs {
            for result in run.report.results {
                let failures: [JSONValue] = result.mismatches.map { mismatch in
                    var members: [(String, JSONValue)] = [
                        ("step", .string(mismatch.expected.step)),
                        ("message", .string(mismatch.message)),
                        ("expected", .object(JSONObject([
                            ("outcome", .string(mismatch.expected.outcome)),
                            ("policies", mismatch.expected.policies.map(strings) ?? .null),
                        ]))),
                        ("actual", .object(JSONObject([
                            ("outcome", .string(mismatch.actualOutcome)), ("policies", strings(mismatch.actualPolicies)),
                        ]))),
                    ]
                    if let answers = mismatch.answers {
                        members.append(("answers", .object(JSONObject([("expected", .string(answers.expected)), ("actual", .string(answers.actual))]))))
                    }
                    members.append(("location", mismatch.expected.location.json))
                    return .object(JSONObject(members))
                }
                tests.append(.object(JSONObject([
                    ("directory", .string(run.path)),
                    ("suite", .string(result.suite)),
                    ("name", .string(result.name)),
                    ("passed", .bool(result.passed)),
                    ("tier", result.evaluation.map { $0.tierReport(auditLog: false).json } ?? .null),
                    ("location", result.location.json),
                    ("failures", .array(failures)),
                ])))
            }
        }
        let total = runs.reduce(0) { $0 + $1.report.total }
        let failed = runs.reduce(0) { $0 + $1.report.failed }
        return .object(JSONObject([
            ("directories", .array(runs.map { run in
                .object(JSONObject([
                    ("path", .string(run.path)), ("suites", strings(run.suites)),
                    ("tests", .int(Int64(run.report.total))), ("failed", .int(Int64(run.report.failed))),
                ]))
            })),
            ("tests", .array(tests)),
            ("summary", .object(JSONObject([
                ("tests", .int(Int64(total))), ("passed", .int(Int64(total - failed))), ("failed", .int(Int64(failed))),
                ("all_passed", .bool(failed == 0)),
            ]))),
        ]))
    }

    // MARK: - JUnit

    /// JUnit XML: a `testsuite` per suite file, a `testcase` per test, a `failure` per failing test.
    static func junit(_ runs: [DirectoryRun]) -> String {
        var groups: [(file: String, suite: String, results: [PolicyTestResult])] = []
        for run in runs {
            for result in run.report.results {
                if let index = groups.firstIndex(where: { $0.file == result.location.file }) {
                    groups[index].results.append(result)
                } else {
                    groups.append((file: result.location.file, suite: result.suite, results: [result]))
                }
            }
        }
        let total = groups.reduce(0) { $0 + $1.results.count }
        let failed = groups.reduce(0) { $0 + $1.results.filter { !$0.passed }.count }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"stepguard test\" tests=\"\(total)\" failures=\"\(failed)\" errors=\"0\">\n"
        for group in groups {
            let groupFailed = group.results.filter { !$0.passed }.count
            out += "  <testsuite name=\"\(xml(group.suite))\" tests=\"\(group.results.count)\" failures=\"\(groupFailed)\" errors=\"0\" skipped=\"0\" file=\"\(xml(group.file))\">\n"
            for result in group.results {
                let attributes = "name=\"\(xml(result.name))\" classname=\"\(xml(result.suite))\" file=\"\(xml(result.location.file))\" line=\"\(result.location.line)\""
                if result.passed {
                    out += "    <testcase \(attributes)/>\n"
                    continue
                }
                out += "    <testcase \(attributes)>\n"
                let message = result.mismatches.map(\.message).joined(separator: "; ")
                var body = ""
                for mismatch in result.mismatches {
                    let expected = mismatch.expected
                    let policies = expected.policies != nil
                    body += "step \"\(expected.step)\" (\(expected.location))\n"
                    body += "  expected: \(describe(expected.outcome, policies ? expected.policies : nil))\n"
                    body += "  actual:   \(describe(mismatch.actualOutcome, policies ? mismatch.actualPolicies : nil))\n"
                    if let answers = mismatch.answers {
                        body += "  expected answer: \(answers.expected)\n  actual answer:   \(answers.actual)\n"
                    }
                }
                out += "      <failure message=\"\(xml(message))\" type=\"expectation\">\(xml(body))</failure>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// Text escaped for XML 1.0 content and attribute values; characters XML 1.0 cannot carry
    /// at all (most C0 controls) become U+FFFD.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF {
                    out.unicodeScalars.append("\u{FFFD}")
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

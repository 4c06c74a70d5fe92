import Basics
import JSONValue

/// What a test expects of one step.
public struct StepExpectation: Sendable, Equatable {
    /// The step id (`request` for a single-request test).
    public var step: String
    /// `allow`, `warn`, `deny`, `approve`, `blocked` or `mutate:VARIANT`.
    public var outcome: String
    /// The policy ids expected to decide it (compared as a set), when given.
    public var policies: [String]?
    /// Where the expectation is written.
    public var location: FileLocation
}

/// One test of a suite: a plan (or one request) and the outcomes expected.
public struct PolicyTestCase: Sendable {
    /// The test name.
    public var name: String
    /// The plan to evaluate.
    public var plan: Plan
    /// The pinned clock, when any.
    public var clock: Clock?
    /// The expectations, in file order.
    public var expectations: [StepExpectation]
    /// Where the test is written.
    public var location: FileLocation
}

/// A policy test suite (`tests/*.json`).
public struct PolicyTestSuite: Sendable {
    /// The suite name (the `suite` member, else the file name).
    public var name: String
    /// The file.
    public var file: String
    /// The tests, in file order.
    public var cases: [PolicyTestCase]

    /// Loads a suite. Plans named by path are read relative to the suite file.
    public static func load(_ path: String) throws(WorkflowError) -> PolicyTestSuite {
        let source = try JSONSource.load(path)
        func fail(_ p: [JSONPathComponent], _ message: String) -> WorkflowError { .malformedSuite(source.location(p), message: message) }
        guard case .object(let root) = source.root else { throw fail([], "a test suite must be an object with \"tests\"") }
        for key in root.keys where !["suite", "clock", "tests", "description"].contains(key) {
            throw fail([.key(key)], "unknown suite key \"\(key)\"; a suite has \"suite\", \"clock\" and \"tests\"")
        }
        let name = root["suite"]?.stringValue ?? PlanRewriter.baseName(path).replacingSuffix(".json")
        let suiteClock = try clock(root["clock"], [.key("clock")], fail)
        guard case .array(let tests)? = root["tests"] else { throw fail([.key("tests")], "\"tests\" must be an array of tests") }
        var cases: [PolicyTestCase] = []
        for (index, value) in tests.enumerated() {
            let base: [JSONPathComponent] = [.key("tests"), .index(index)]
            guard case .object(let test) = value else { throw fail(base, "each test must be an object with \"name\", \"plan\" or \"request\", and \"expect\"") }
            for key in test.keys where !["name", "plan", "request", "clock", "facts", "expect", "description"].contains(key) {
                throw fail(base + [.key(key)], "unknown test key \"\(key)\"; a test has \"name\", \"plan\" or \"request\", \"clock\", \"facts\" and \"expect\"")
            }
            guard let testName = test["name"]?.stringValue, !testName.isEmpty else { throw fail(base, "test has no \"name\"; name it") }
            var plan: Plan
            var single = false
            switch (test["plan"], test["request"]) {
            case (.string(let relative)?, nil):
                plan = try Plan.load(relative.hasPrefix("/") ? relative : joinPath(parentDirectory(path), relative))
            case (.object?, nil):
                plan = try Plan.read(source.sub(base + [.key("plan")]))
            case (nil, .object(let request)?):
                single = true
                var step = JSONObject([("id", .string("request"))])
                for key in ["action", "resource", "principal", "args", "context"] { if let v = request[key] { step[key] = v } }
                let planValue = JSONValue.object(JSONObject([("plan", .string(testName)), ("steps", .array([.object(step)]))]))
                plan = try Plan.parse(JSONWriter.pretty(planValue), file: "\(path)#tests[\(index)].request")
            default:
                throw fail(base, "test \"\(testName)\" needs exactly one of \"plan\" (a path or an inline plan) and \"request\"")
            }
            plan.facts = try facts(test["facts"], base + [.key("facts")], fail)
            if case .object(let request)? = test["request"], let given = request["facts"] {
                for (key, value) in try facts(given, base + [.key("request"), .key("facts")], fail) { plan.facts[key] = value }
            }
            let testClock = try clock(test["clock"], base + [.key("clock")], fail) ?? suiteClock
            var expectations: [StepExpectation] = []
            let expectPath = base + [.key("expect")]
            func expectation(_ value: JSONValue, step: String, _ p: [JSONPathComponent]) throws(WorkflowError) -> StepExpectation {
                switch value {
                case .string(let outcome):
                    try checkOutcome(outcome, p, fail)
                    return StepExpectation(step: step, outcome: outcome, policies: nil, location: source.location(p))
                case .object(let object):
                    guard let outcome = object["outcome"]?.stringValue else { throw fail(p, "expectation needs \"outcome\"") }
                    try checkOutcome(outcome, p + [.key("outcome")], fail)
                    var policies: [String]?
                    if let list = object["policies"] {
                        guard let array = list.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                            throw fail(p + [.key("policies")], "\"policies\" must be an array of policy ids")
                        }
                        policies = array.compactMap(\.stringValue)
                    }
                    return StepExpectation(step: step, outcome: outcome, policies: policies, location: source.location(p))
                default:
                    throw fail(p, "an expectation is an outcome string or {\"outcome\": ..., \"policies\": [...]}")
                }
            }
            if single, let value = test["expect"], value.stringValue != nil || value["outcome"] != nil {
                expectations.append(try expectation(value, step: "request", expectPath))
            } else if case .object(let expect)? = test["expect"] {
                for (step, value) in expect {
                    guard plan.step(step) != nil else {
                        throw fail(expectPath + [.key(step)], "the plan has no step \"\(step)\"\(EditDistance.suggestion(for: step, among: plan.steps.map(\.id)).map { "; did you mean \"\($0)\"?" } ?? "")")
                    }
                    expectations.append(try expectation(value, step: step, expectPath + [.key(step)]))
                }
            } else {
                throw fail(expectPath, "test \"\(testName)\" needs \"expect\": {\"<step>\": \"allow\" | {\"outcome\": ..., \"policies\": [...]}}")
            }
            cases.append(PolicyTestCase(name: testName, plan: plan, clock: testClock, expectations: expectations, location: source.location(base)))
        }
        return PolicyTestSuite(name: name, file: path, cases: cases)
    }

    /// The facts a test gives its steps as stepguard would establish them (a verified
    /// `identity`, the gate's `resource` and `host`): the suite is the operator's, so it may.
    static func facts(_ value: JSONValue?, _ path: [JSONPathComponent], _ fail: ([JSONPathComponent], String) -> WorkflowError) throws(WorkflowError) -> JSONObject {
        guard let value else { return JSONObject() }
        guard case .object(let object) = value else { throw fail(path, "\"facts\" must be an object, found \(value.typeName)") }
        for key in object.keys where !Plan.factKeys.contains(key) {
            throw fail(path + [.key(key)], "\"\(key)\" is not a fact stepguard establishes; facts are \(Plan.factKeys.sorted().joined(separator: ", ")) (agent claims go in \"context\")")
        }
        return object
    }

    static func clock(_ value: JSONValue?, _ path: [JSONPathComponent], _ fail: ([JSONPathComponent], String) -> WorkflowError) throws(WorkflowError) -> Clock? {
        guard let value else { return nil }
        guard let text = value.stringValue, let clock = Clock(iso8601: text) else {
            throw fail(path, "\"clock\" must be \"YYYY-MM-DDThh:mm:ssZ\" or \"YYYY-MM-DD\" (UTC)")
        }
        return clock
    }

    static func checkOutcome(_ outcome: String, _ path: [JSONPathComponent], _ fail: ([JSONPathComponent], String) -> WorkflowError) throws(WorkflowError) {
        let plain: Set<String> = ["allow", "warn", "deny", "approve", "blocked"]
        if plain.contains(outcome) { return }
        if outcome.hasPrefix("mutate:"), outcome.count > "mutate:".count { return }
        throw fail(path, "unknown outcome \"\(outcome)\"; expected allow, warn, deny, approve, blocked or mutate:VARIANT")
    }
}

extension String {
    func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// A step whose outcome or deciding policies differ from what the test expects.
public struct TestMismatch: Sendable, Equatable {
    /// The expectation.
    public var expected: StepExpectation
    /// The outcome label seen.
    public var actualOutcome: String
    /// The deciding policies seen.
    public var actualPolicies: [String]
    /// One line: what was expected and what came.
    public var message: String
}

/// The result of one test.
public struct PolicyTestResult: Sendable {
    /// The suite name.
    public var suite: String
    /// The test name.
    public var name: String
    /// `suite/name`, what `--run` matches.
    public var fullName: String { "\(suite)/\(name)" }
    /// Every expectation that did not hold; empty when the test passed.
    public var mismatches: [TestMismatch]
    /// Where the test is.
    public var location: FileLocation
    /// The evaluation, for reports.
    public var evaluation: PlanEvaluation

    /// Whether every expectation held.
    public var passed: Bool { mismatches.isEmpty }
}

/// The results of a test run.
public struct PolicyTestReport: Sendable {
    /// Results in suite file order, then test order.
    public var results: [PolicyTestResult]
    /// Tests run.
    public var total: Int { results.count }
    /// Tests passed.
    public var passed: Int { results.filter(\.passed).count }
    /// Tests failed.
    public var failed: Int { total - passed }
    /// Whether every test passed (`stepguard test` exits 0).
    public var allPassed: Bool { failed == 0 }
}

/// Runs policy test suites with the plan evaluator.
public enum PolicyTestRunner {
    /// Whether `pattern` selects the test `fullName` (`suite/name`): a substring, or a glob
    /// with `*` matched against the whole name.
    public static func matches(_ pattern: String, _ fullName: String) -> Bool {
        if pattern.isEmpty { return true }
        if pattern.contains("*") { return glob(Array(pattern.unicodeScalars), Array(fullName.unicodeScalars)) }
        return fullName.contains(pattern)
    }

    static func glob(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1; t += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Runs every suite of the directory (`tests/*.json`), tests filtered by `run`.
    public static func run(_ bundle: PolicyBundle, run filter: String? = nil, options: EvaluationOptions = EvaluationOptions()) throws(WorkflowError) -> PolicyTestReport {
        var suites: [PolicyTestSuite] = []
        for file in bundle.directory.testFiles { suites.append(try PolicyTestSuite.load(file)) }
        return try run(suites, bundle: bundle, run: filter, options: options)
    }

    /// Runs `suites` against `bundle`.
    public static func run(_ suites: [PolicyTestSuite], bundle: PolicyBundle, run filter: String? = nil, options: EvaluationOptions = EvaluationOptions()) throws(WorkflowError) -> PolicyTestReport {
        var results: [PolicyTestResult] = []
        for suite in suites {
            for test in suite.cases where matches(filter ?? "", "\(suite.name)/\(test.name)") {
                var caseOptions = options
                if let clock = test.clock { caseOptions.clock = clock }
                let evaluation = try PlanEvaluator.evaluate(test.plan, bundle: bundle, options: caseOptions)
                var mismatches: [TestMismatch] = []
                for expectation in test.expectations {
                    guard let actual = evaluation.step(expectation.step) else { continue }
                    var problems: [String] = []
                    if actual.outcomeLabel != expectation.outcome {
                        problems.append("expected \(expectation.outcome), got \(actual.outcomeLabel)")
                    }
                    if let policies = expectation.policies, Set(policies) != Set(actual.policies) {
                        problems.append("expected policies [\(policies.sorted().joined(separator: ", "))], got [\(actual.policies.sorted().joined(separator: ", "))]")
                    }
                    if !problems.isEmpty {
                        mismatches.append(TestMismatch(
                            expected: expectation, actualOutcome: actual.outcomeLabel, actualPolicies: actual.policies,
                            message: "step \"\(expectation.step)\": " + problems.joined(separator: "; ")))
                    }
                }
                results.append(PolicyTestResult(suite: suite.name, name: test.name, mismatches: mismatches, location: test.location, evaluation: evaluation))
            }
        }
        return PolicyTestReport(results: results)
    }
}

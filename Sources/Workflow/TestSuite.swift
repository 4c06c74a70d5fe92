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

    /// Creates an expectation.
    public init(step: String, outcome: String, policies: [String]?, location: FileLocation) {
        self.step = step
        self.outcome = outcome
        self.policies = policies
        self.location = location
    }
}

/// What a session test expects of one host event.
public struct SessionExpectation: Sendable, Equatable {
    /// The outcomes any of which passes: `allow`, `warn`, `mutate:VARIANT`, `approve`, `deny`,
    /// `recorded` (a finished call) or `error`. Calls issued in parallel may list several.
    public var outcomes: [String]
    /// The policy ids expected to decide it (compared as a set), when given.
    public var policies: [String]?
    /// The host's answer expected on stdout, when given (`.null`: nothing printed).
    public var answer: JSONValue?

    /// Creates an expectation.
    public init(outcomes: [String], policies: [String]?, answer: JSONValue?) {
        self.outcomes = outcomes
        self.policies = policies
        self.answer = answer
    }
}

/// One host event of a session test.
public struct SessionEvent: Sendable {
    /// The event, as the host sends it on stdin.
    public var event: JSONValue
    /// What it must give; nil checks nothing.
    public var expectation: SessionExpectation?
    /// `events[2]`, `events[3].parallel[1]`.
    public var label: String
    /// Where it is written.
    public var location: FileLocation

    /// Creates an event.
    public init(event: JSONValue, expectation: SessionExpectation?, label: String, location: FileLocation) {
        self.event = event
        self.expectation = expectation
        self.label = label
        self.location = location
    }
}

/// A test that is a sequence of one host's events, run through the gate with a pinned clock.
public struct SessionTest: Sendable {
    /// The host name (`claude-code`, `codex`, …).
    public var host: String
    /// The events, in order; the events of one group are issued in parallel.
    public var groups: [[SessionEvent]]
    /// Where `host` is written.
    public var location: FileLocation

    /// Creates a session test.
    public init(host: String, groups: [[SessionEvent]], location: FileLocation) {
        self.host = host
        self.groups = groups
        self.location = location
    }
}

/// Runs session tests; the gate implements it (Workflow does not know hosts).
public protocol SessionTestRunner: Sendable {
    /// The mismatches of `test` run against `bundle` at `clock`.
    func run(_ test: SessionTest, bundle: PolicyBundle, clock: Clock) throws(WorkflowError) -> [TestMismatch]
}

/// One test of a suite: a plan (or one request, or a session of host events) and the outcomes
/// expected.
public struct PolicyTestCase: Sendable {
    /// The test name.
    public var name: String
    /// The plan to evaluate (for a session test, an empty one).
    public var plan: Plan
    /// The host events of a session test.
    public var session: SessionTest?
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
            for key in test.keys where !["name", "plan", "request", "host", "events", "clock", "expect", "description"].contains(key) {
                throw fail(base + [.key(key)], "unknown test key \"\(key)\"; a test has \"name\", \"plan\" or \"request\" (or \"host\" and \"events\"), \"clock\" and \"expect\"")
            }
            guard let testName = test["name"]?.stringValue, !testName.isEmpty else { throw fail(base, "test has no \"name\"; name it") }
            if test["host"] != nil || test["events"] != nil {
                guard test["plan"] == nil, test["request"] == nil, test["expect"] == nil else {
                    throw fail(base, "session test \"\(testName)\" has \"host\" and \"events\", each event with its \"expect\"; it takes no \"plan\", \"request\" or test-level \"expect\"")
                }
                guard let testClock = try clock(test["clock"], base + [.key("clock")], fail) ?? suiteClock else {
                    throw fail(base, "session test \"\(testName)\" needs a pinned \"clock\" (on the test or the suite)")
                }
                let session = try sessionTest(test, base, source: source, fail)
                let empty = try Plan.parse("{\"plan\": \"session\", \"steps\": []}", file: path)
                cases.append(PolicyTestCase(
                    name: testName, plan: empty, session: session, clock: testClock, expectations: [], location: source.location(base)))
                continue
            }
            let plan: Plan
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
                    let policies = try policyIDs(object["policies"], p + [.key("policies")], fail)
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
            cases.append(PolicyTestCase(name: testName, plan: plan, session: nil, clock: testClock, expectations: expectations, location: source.location(base)))
        }
        return PolicyTestSuite(name: name, file: path, cases: cases)
    }

    /// The `host` and `events` of a session test: each event is `{"event", "expect"}`, or
    /// `{"parallel": [...]}` for calls the host issues at once.
    static func sessionTest(
        _ test: JSONObject, _ base: [JSONPathComponent], source: JSONSource, _ fail: ([JSONPathComponent], String) -> WorkflowError
    ) throws(WorkflowError) -> SessionTest {
        guard let host = test["host"]?.stringValue, !host.isEmpty else { throw fail(base + [.key("host")], "\"host\" must name the host whose events these are") }
        guard case .array(let events)? = test["events"], !events.isEmpty else {
            throw fail(base + [.key("events")], "\"events\" must be a non-empty array of {\"event\": ..., \"expect\": ...} or {\"parallel\": [...]}")
        }
        func event(_ value: JSONValue, _ p: [JSONPathComponent], _ label: String) throws(WorkflowError) -> SessionEvent {
            guard case .object(let object) = value, let body = object["event"], case .object = body else {
                throw fail(p, "each event is {\"event\": {HOST EVENT}, \"expect\": ...}")
            }
            for key in object.keys where !["event", "expect", "description"].contains(key) {
                throw fail(p + [.key(key)], "unknown event key \"\(key)\"; an event has \"event\" and \"expect\"")
            }
            var expectation: SessionExpectation?
            if let expect = object["expect"] { expectation = try sessionExpectation(expect, p + [.key("expect")], fail) }
            return SessionEvent(event: body, expectation: expectation, label: label, location: source.location(p))
        }
        var groups: [[SessionEvent]] = []
        for (index, value) in events.enumerated() {
            let p = base + [.key("events"), .index(index)]
            if case .array(let parallel)? = value["parallel"] {
                guard parallel.count >= 2 else { throw fail(p + [.key("parallel")], "\"parallel\" needs at least two events") }
                var group: [SessionEvent] = []
                for (i, member) in parallel.enumerated() {
                    group.append(try event(member, p + [.key("parallel"), .index(i)], "events[\(index)].parallel[\(i)]"))
                }
                groups.append(group)
            } else {
                groups.append([try event(value, p, "events[\(index)]")])
            }
        }
        return SessionTest(host: host, groups: groups, location: source.location(base + [.key("host")]))
    }

    static func sessionExpectation(
        _ value: JSONValue, _ p: [JSONPathComponent], _ fail: ([JSONPathComponent], String) -> WorkflowError
    ) throws(WorkflowError) -> SessionExpectation {
        func outcomes(_ value: JSONValue?, _ p: [JSONPathComponent]) throws(WorkflowError) -> [String] {
            let list: [JSONValue]
            switch value {
            case .string?: list = [value!]
            case .array(let array)? where !array.isEmpty: list = array
            default: throw fail(p, "an expected outcome is a string, or an array of the outcomes any of which passes")
            }
            var result: [String] = []
            for item in list {
                guard let outcome = item.stringValue else { throw fail(p, "outcomes are strings") }
                if !["recorded", "error"].contains(outcome) { try checkOutcome(outcome, p, fail) }
                result.append(outcome)
            }
            return result
        }
        guard case .object(let object) = value else {
            return SessionExpectation(outcomes: try outcomes(value, p), policies: nil, answer: nil)
        }
        for key in object.keys where !["outcome", "policies", "answer"].contains(key) {
            throw fail(p + [.key(key)], "unknown expectation key \"\(key)\"; an expectation has \"outcome\", \"policies\" and \"answer\"")
        }
        let policies = try policyIDs(object["policies"], p + [.key("policies")], fail)
        return SessionExpectation(outcomes: try outcomes(object["outcome"], p + [.key("outcome")]), policies: policies, answer: object["answer"])
    }

    /// The `policies` of an expectation: nil when absent, else an array of policy ids.
    static func policyIDs(_ value: JSONValue?, _ p: [JSONPathComponent], _ fail: ([JSONPathComponent], String) -> WorkflowError) throws(WorkflowError) -> [String]? {
        guard let value else { return nil }
        guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
            throw fail(p, "\"policies\" must be an array of policy ids")
        }
        return array.compactMap(\.stringValue)
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
    /// For a session event: the answer expected and the one given (canonical JSON, `null` for
    /// none), when they differ.
    public var answers: (expected: String, actual: String)? = nil

    public static func == (a: TestMismatch, b: TestMismatch) -> Bool {
        a.expected == b.expected && a.actualOutcome == b.actualOutcome && a.actualPolicies == b.actualPolicies
            && a.message == b.message && a.answers?.expected == b.answers?.expected && a.answers?.actual == b.answers?.actual
    }

    /// Creates a mismatch.
    public init(expected: StepExpectation, actualOutcome: String, actualPolicies: [String], message: String, answers: (expected: String, actual: String)? = nil) {
        self.expected = expected
        self.actualOutcome = actualOutcome
        self.actualPolicies = actualPolicies
        self.message = message
        self.answers = answers
    }
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
    /// The evaluation, for reports (nil for a session test).
    public var evaluation: PlanEvaluation?

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

    /// What differs between an expectation and what came: the outcome (any of `outcomes`
    /// passes) and, when expected, the deciding policies as a set.
    public static func differences(outcomes: [String], policies: [String]?, actualOutcome: String, actualPolicies: [String]) -> [String] {
        var problems: [String] = []
        if !outcomes.contains(actualOutcome) {
            problems.append("expected \(outcomes.joined(separator: " or ")), got \(actualOutcome)")
        }
        if let policies, Set(policies) != Set(actualPolicies) {
            problems.append("expected policies [\(policies.sorted().joined(separator: ", "))], got [\(actualPolicies.sorted().joined(separator: ", "))]")
        }
        return problems
    }

    /// Runs every suite of the directory (`tests/*.json`), tests filtered by `run`.
    /// Session tests run through `sessions`; without it a suite that has one is refused.
    public static func run(
        _ bundle: PolicyBundle, run filter: String? = nil, options: EvaluationOptions = EvaluationOptions(), sessions: (any SessionTestRunner)? = nil
    ) throws(WorkflowError) -> PolicyTestReport {
        var suites: [PolicyTestSuite] = []
        for file in bundle.directory.testFiles { suites.append(try PolicyTestSuite.load(file)) }
        return try run(suites, bundle: bundle, run: filter, options: options, sessions: sessions)
    }

    /// Runs `suites` against `bundle`.
    public static func run(
        _ suites: [PolicyTestSuite], bundle: PolicyBundle, run filter: String? = nil, options: EvaluationOptions = EvaluationOptions(),
        sessions: (any SessionTestRunner)? = nil
    ) throws(WorkflowError) -> PolicyTestReport {
        var results: [PolicyTestResult] = []
        for suite in suites {
            for test in suite.cases where matches(filter ?? "", "\(suite.name)/\(test.name)") {
                if let session = test.session, let clock = test.clock {
                    guard let sessions else {
                        throw .malformedSuite(session.location, message: "session tests run through the gate; run them with 'stepguard test'")
                    }
                    let mismatches = try sessions.run(session, bundle: bundle, clock: clock)
                    results.append(PolicyTestResult(suite: suite.name, name: test.name, mismatches: mismatches, location: test.location, evaluation: nil))
                    continue
                }
                var caseOptions = options
                if let clock = test.clock { caseOptions.clock = clock }
                let evaluation = try PlanEvaluator.evaluate(test.plan, bundle: bundle, options: caseOptions)
                var mismatches: [TestMismatch] = []
                for expectation in test.expectations {
                    guard let actual = evaluation.step(expectation.step) else { continue }
                    let problems = differences(
                        outcomes: [expectation.outcome], policies: expectation.policies, actualOutcome: actual.outcomeLabel,
                        actualPolicies: actual.policies)
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

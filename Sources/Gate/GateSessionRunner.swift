import Basics
import Dispatch
import Foundation
import JSONValue
import Workflow

/// Runs the session tests of `stepguard test`: each event goes through the host's adapter and
/// the gate as it would from the hook (read, decide or record under the log's lock, answer),
/// against a fresh log, at the test's pinned clock. The events of a parallel group are issued
/// at once from separate threads, so the gate's lock decides their order as it does live.
public struct GateSessionRunner: SessionTestRunner {
    /// Creates a runner.
    public init() {}

    /// What one event gave.
    struct Result {
        var outcome: String
        var policies: [String]
        var answer: JSONValue?
    }

    public func run(_ test: SessionTest, bundle: PolicyBundle, clock: Clock) throws(WorkflowError) -> [TestMismatch] {
        guard let host = GateHosts.named(test.host) else {
            let names = GateHosts.all.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw .malformedSuite(test.location, message: "unknown host \"\(test.host)\"; the gate speaks for \(names)")
        }
        let catalog: GateCatalog
        do {
            catalog = try GateCatalog.load(bundle.catalog.file, catalog: bundle.catalog)
        } catch {
            throw .malformedSuite(test.location, message: error.description)
        }
        let policies = GatePolicies(bundle: bundle, catalog: catalog)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-session-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .malformedSuite(test.location, message: "cannot create a log for the session in \"\(directory)\": \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/audit.log"

        var mismatches: [TestMismatch] = []
        for group in test.groups {
            let results = ResultBox(count: group.count)
            DispatchQueue.concurrentPerform(iterations: group.count) { index in
                results.set(index, Self.run(group[index], host: host, policies: policies, log: log, clock: clock))
            }
            for (event, result) in zip(group, results.values) {
                if let mismatch = Self.compare(event, result) { mismatches.append(mismatch) }
            }
        }
        return mismatches
    }

    /// One event through the adapter and the gate; an error is the outcome `error`.
    static func run(_ event: SessionEvent, host: any HostAdapter.Type, policies: GatePolicies, log: String, clock: Clock) -> Result {
        do throws(GateError) {
            let hostEvent = try host.read(CanonicalJSON.serialize(event.event))
            let call = hostEvent.call
            let locations = GateLocations(policies: policies.bundle.directory.path, log: log, root: call.cwd)
            let options = GateOptions(mode: .enforce, clock: clock, inputUpdate: hostEvent.inputUpdate)
            switch hostEvent.event {
            case .preToolUse(let call):
                let verdict = try Gate.decide(call, host: host.name, policies: policies, locations: locations, options: options)
                let label = verdict.outcome == .mutate ? "mutate:\(verdict.variant ?? "")" : verdict.outcome.rawValue
                return Result(outcome: label, policies: verdict.policies, answer: host.answer(verdict, to: hostEvent, allow: .none, mode: .enforce))
            case .postToolUse(let call, let toolResult):
                let seq = try Gate.record(call, result: toolResult, host: host.name, locations: locations, options: options)
                return Result(outcome: "recorded", policies: [], answer: host.recorded(hostEvent, seq: seq))
            }
        } catch {
            return Result(outcome: "error", policies: [], answer: nil)
        }
    }

    /// The mismatch of `event`'s expectation with what it gave, if any.
    static func compare(_ event: SessionEvent, _ result: Result) -> TestMismatch? {
        guard let expectation = event.expectation else { return nil }
        var problems: [String] = []
        let expected = expectation.outcomes.joined(separator: " or ")
        if !expectation.outcomes.contains(result.outcome) { problems.append("expected \(expected), got \(result.outcome)") }
        if let policies = expectation.policies, Set(policies) != Set(result.policies) {
            problems.append("expected policies [\(policies.sorted().joined(separator: ", "))], got [\(result.policies.sorted().joined(separator: ", "))]")
        }
        var answers: (expected: String, actual: String)?
        if let answer = expectation.answer, answer != (result.answer ?? .null) {
            answers = (CanonicalJSON.string(answer), CanonicalJSON.string(result.answer ?? .null))
            problems.append("the answer differs")
        }
        if problems.isEmpty { return nil }
        return TestMismatch(
            expected: StepExpectation(step: event.label, outcome: expected, policies: expectation.policies, location: event.location),
            actualOutcome: result.outcome, actualPolicies: result.policies,
            message: "\(event.label): " + problems.joined(separator: "; "), answers: answers)
    }
}

/// Results written from the threads of a parallel group.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [GateSessionRunner.Result?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: GateSessionRunner.Result) { lock.lock(); results[index] = result; lock.unlock() }
    var values: [GateSessionRunner.Result] { lock.lock(); defer { lock.unlock() }; return results.map { $0! } }
}

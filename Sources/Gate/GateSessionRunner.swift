import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Basics
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
        /// Why the gate could not do its job (outcome `error`).
        var error: String? = nil
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
            let locations = GateLocations(policies: policies.bundle.directory.path, log: log, root: hostEvent.call.cwd)
            let reply = try Gate.handle(hostEvent, host: host, locations: locations, options: GateOptions(clock: clock), allow: .none) { policies }
            guard let verdict = reply.verdict else { return Result(outcome: "recorded", policies: [], answer: reply.answer) }
            return Result(outcome: verdict.label, policies: verdict.policies, answer: reply.answer)
        } catch {
            return Result(outcome: "error", policies: [], answer: nil, error: error.description)
        }
    }

    /// The mismatch of `event`'s expectation with what it gave, if any.
    static func compare(_ event: SessionEvent, _ result: Result) -> TestMismatch? {
        guard let expectation = event.expectation else { return nil }
        var problems = PolicyTestRunner.differences(
            outcomes: expectation.outcomes, policies: expectation.policies, actualOutcome: result.outcome, actualPolicies: result.policies)
        var answers: (expected: String, actual: String)?
        if let answer = expectation.answer, answer != (result.answer ?? .null) {
            answers = (CanonicalJSON.string(answer), CanonicalJSON.string(result.answer ?? .null))
            problems.append("the answer differs")
        }
        if problems.isEmpty { return nil }
        if let error = result.error { problems.append("the gate said: \(error)") }
        return TestMismatch(
            expected: StepExpectation(
                step: event.label, outcome: expectation.outcomes.joined(separator: " or "), policies: expectation.policies, location: event.location),
            actualOutcome: result.outcome, actualPolicies: result.policies,
            message: "\(event.label): " + problems.joined(separator: "; "), answers: answers)
    }
}

/// Results written from the threads of a parallel group.
private final class ResultBox: @unchecked Sendable {
    private let lock = ThreadLock()
    private var results: [GateSessionRunner.Result?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: GateSessionRunner.Result) { lock.lock(); results[index] = result; lock.unlock() }
    var values: [GateSessionRunner.Result] { lock.lock(); defer { lock.unlock() }; return results.map { $0! } }
}

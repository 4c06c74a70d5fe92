import Foundation
import JSONValue
import Testing
@testable import AuditLog

/// Plan, step and credential ids in the log are told apart by code points: two ids that are
/// canonically equivalent (`é` precomposed and decomposed) but differ in bytes never merge.
struct ExactIdsTests {
    static let nfc = "caf\u{e9}", nfd = "cafe\u{301}"
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    func event(_ kind: String, plan: String, step: String, _ more: [(String, JSONValue)] = []) -> JSONValue {
        .object(JSONObject([("kind", .string(kind)), ("plan", .string(plan)), ("step", .string(step)), ("principal", "agent"),
                            ("action", "read"), ("resource", "repo")] + more))
    }

    @Test func showKeepsCanonicallyEquivalentStepsAndPlansApart() throws {
        #expect(Self.nfc == Self.nfd)  // what String's own equality would merge
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        // The quote makes the writer escape the plan id, which the reader matches another way.
        let quoted = "\"" + Self.nfd
        try AuditLog.append(events: [
            event("decision", plan: Self.nfc, step: Self.nfc, [("outcome", "allow")]),
            event("decision", plan: Self.nfc, step: Self.nfd, [("outcome", "deny")]),
            event("mint", plan: Self.nfc, step: Self.nfc, [("jti", .string(Self.nfc)), ("exp", .int(Int64(t0.timeIntervalSince1970) + 60))]),
            event("execution", plan: Self.nfc, step: Self.nfc, [("jti", .string(Self.nfc))]),
            event("execution", plan: Self.nfc, step: Self.nfc, [("jti", .string(Self.nfd))]),
            event("decision", plan: Self.nfd, step: "other", [("outcome", "allow")]),
            event("decision", plan: quoted, step: "q", [("outcome", "allow")]),
        ], to: log, now: t0)
        let paths = try AuditLog.show(logAt: log, plan: Self.nfc)
        #expect(paths.map { Array($0.plan.utf8) } == [Array(Self.nfc.utf8)])
        let steps = try #require(paths.first?.steps)
        #expect(steps.map { Array($0.step.utf8) } == [Array(Self.nfc.utf8), Array(Self.nfd.utf8)])
        #expect(steps[1].status == .denied)
        // Two credentials, each used once: no replay.
        #expect(steps[0].events.compactMap(\.replayOfLine).isEmpty)
        #expect(try AuditLog.show(logAt: log).count == 3)
        #expect(try AuditLog.show(logAt: log, plan: Self.nfd).first?.steps.map(\.step) == ["other"])
        #expect(try AuditLog.show(logAt: log, plan: "\"" + Self.nfc).isEmpty)
        #expect(try AuditLog.show(logAt: log, plan: quoted).first?.steps.map(\.step) == ["q"])
    }

    @Test func aSessionReadsOnlyItsOwnRecords() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        let quotedNFC = "\"" + Self.nfc, quotedNFD = "\"" + Self.nfd
        try AuditLog.append(events: [
            event("decision", plan: quotedNFC, step: "a", [("outcome", "allow")]),
            event("decision", plan: quotedNFD, step: "b", [("outcome", "allow")]),
            event("decision", plan: Self.nfd, step: "c", [("outcome", "allow")]),
        ], to: log, now: t0)
        for (plan, step) in [(quotedNFC, "a"), (quotedNFD, "b"), (Self.nfd, "c"), (Self.nfc, nil)] {
            let found = try AuditLog.withLock(path: log, timeoutMilliseconds: 1000) { locked in
                try locked.records(ofPlan: plan, from: 0)
            }
            #expect(found?.records.map(\.record.step) == (step.map { [$0] } ?? []), "\(plan)")
        }
    }
}

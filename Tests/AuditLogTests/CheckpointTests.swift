import Foundation
import JSONValue
import Testing
@testable import AuditLog

@Suite struct CheckpointTests {
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    /// Gate calls, each decided and then executed (bound to its decision by the gate's `host`).
    func events(_ range: Range<Int>) -> [JSONValue] {
        range.map { i in
            i % 2 == 0 ? event("decision", plan: "p\(i / 40)", step: "s\(i / 2)", [("outcome", "allow"), ("host", "claude-code")])
                       : event("execution", plan: "p\(i / 40)", step: "s\(i / 2)", [("host", "claude-code")])
        }
    }

    @Test func checkpointVerifyResumeAndProve() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        try AuditLog.append(events: events(0..<300), to: log, now: t0)
        let first = try AuditLog.checkpoint(logAt: log, origin: "audit.example/log", signer: testSigner)
        #expect(first.created && first.checkpoint.size == 300)
        #expect(FileManager.default.fileExists(atPath: log + ".checkpoints/00000000000000000300.note"))
        #expect(FileManager.default.fileExists(atPath: log + ".checkpoints/00000000000000000300.resume.json"))
        // Nothing new: the same checkpoint comes back.
        #expect(try AuditLog.checkpoint(logAt: log, origin: "audit.example/log", signer: testSigner).created == false)

        try AuditLog.append(events: events(300..<457), to: log, now: t0)
        let second = try AuditLog.checkpoint(logAt: log, origin: "audit.example/log", signer: testSigner)
        #expect(second.created && second.checkpoint.size == 457)

        let keys = [testSigner.verifier]
        let full = try AuditLog.verify(logAt: log, options: VerifyOptions(trustedKeys: keys))
        #expect(full.isIntact && full.summary == "457/457 records valid", "\(full.faults.map(\.message))")
        #expect(full.checkpoints.map(\.signature) == ["verified", "verified"])
        #expect(full.checkpoints.allSatisfy { $0.matchesLog == true })
        #expect(full.root == second.checkpoint.root)

        let resumed = try AuditLog.verify(logAt: log, options: VerifyOptions(trustedKeys: keys, fromCheckpoint: 300))
        #expect(resumed.startSize == 300 && resumed.summary == "157/157 records valid", "\(resumed.findings.map(\.message))")
        #expect(resumed.isIntact)

        // Without a key the signatures are not checked, and that is said.
        let unkeyed = try AuditLog.verify(logAt: log)
        #expect(unkeyed.isIntact && unkeyed.notices.contains { $0.kind == .notChecked })
        // With a different key the checkpoints are untrusted.
        let stranger = try NoteSigner(name: "audit.example/log", seed: [UInt8](repeating: 9, count: 32)).verifier
        #expect(try AuditLog.verify(logAt: log, options: VerifyOptions(trustedKeys: [stranger])).faults.filter { $0.kind == .checkpointSignature }.count == 2)

        // An inclusion proof checks offline, and fails for a changed record or a foreign key.
        let proof = try AuditLog.prove(logAt: log, seq: 123, trustedKeys: keys)
        #expect(proof.treeSize == 457 && proof.seq == 123)
        let reread = try InclusionProofFile(json: JSONParser.parse(CanonicalJSON.serialize(proof.json)))
        #expect(reread == proof)
        #expect(AuditLog.verifyProof(reread, trustedKeys: keys).valid)
        var forged = reread
        forged.record = forged.record.replacingOccurrences(of: "\"p3\"", with: "\"p4\"")
        forged.leafHash = AuditLog.hash(line: Array(forged.record.utf8))
        #expect(!AuditLog.verifyProof(forged, trustedKeys: keys).valid)
        #expect(!AuditLog.verifyProof(reread, trustedKeys: [stranger]).valid)
        #expect(throws: AuditError.recordOutOfRange(seq: 457, size: 457)) { try AuditLog.prove(logAt: log, seq: 457) }

        // Truncating the log below a checkpoint is found, and checkpointing refuses.
        let handle = FileHandle(forUpdatingAtPath: log)!
        let lines = readLines(log)
        let keep = lines.prefix(400).reduce(0) { $0 + $1.utf8.count + 1 }
        handle.truncateFile(atOffset: UInt64(keep))
        handle.closeFile()
        let cut = try AuditLog.verify(logAt: log, options: VerifyOptions(trustedKeys: keys))
        #expect(cut.faults.contains { $0.kind == .truncated && $0.seq == 400 && $0.count == 57 }, "\(cut.faults.map(\.message))")
        #expect(throws: AuditError.self) { try AuditLog.checkpoint(logAt: log, origin: "audit.example/log", signer: testSigner) }
    }

    @Test func forkedCheckpointsAreReported() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        try AuditLog.append(events: events(0..<20), to: log, now: t0)
        _ = try AuditLog.checkpoint(logAt: log, origin: "audit.example/log", signer: testSigner)
        // A second signed history of the same size.
        let other = Checkpoint(origin: "audit.example/log", size: 20, root: AuditLog.hash(line: Array("other".utf8)))
        try testSigner.sign(text: other.body).serialized.write(toFile: log + ".checkpoints/fork.note", atomically: true, encoding: .utf8)
        let report = try AuditLog.verify(logAt: log, options: VerifyOptions(trustedKeys: [testSigner.verifier]))
        #expect(report.faults.contains { $0.kind == .forkedCheckpoints }, "\(report.faults.map(\.message))")
        #expect(report.faults.contains { $0.kind == .checkpointMismatch && $0.checkpointPath?.hasSuffix("fork.note") == true })
        // A checkpoint file that is not a note.
        try "garbage".write(toFile: log + ".checkpoints/junk.note", atomically: true, encoding: .utf8)
        #expect(try AuditLog.verify(logAt: log).faults.contains { $0.kind == .checkpointUnreadable })
    }

    @Test func joinsFindReplayExpiryAndUnauthorizedRuns() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        let exp = Int64(t0.timeIntervalSince1970) + 300
        try AuditLog.append(events: [
            event("decision", step: "build", [("outcome", "allow"), ("policies", ["permit-build"])]),
            event("mint", step: "build", [("jti", "j-build"), ("exp", .int(exp))]),
            event("execution", step: "build", [("jti", "j-build")]),
            event("execution", step: "build", [("jti", "j-build")]),             // replay
            event("decision", step: "deploy", [("outcome", "allow")]),
            event("mint", step: "deploy", [("jti", "j-deploy"), ("exp", .int(exp))]),
            event("decision", step: "export", [("outcome", "deny"), ("policies", ["no-export"])]),
            event("execution", step: "export"),                                  // never allowed
            event("decision", step: "review", [("outcome", "approve")]),
            event("decision", step: "notify", [("outcome", "allow")]),            // never run: aborted
            event("revocation", step: "deploy", [("jti", "j-deploy")]),
        ], to: log, now: t0)
        // Ten minutes later the deploy credential is long expired (and revoked).
        try AuditLog.append(event: event("execution", step: "deploy", [("jti", "j-deploy")]), to: log, now: t0.addingTimeInterval(600))
        // A step that needs the denied export is blocked: not run, and not a fault.
        try AuditLog.append(event: event("decision", step: "publish", [("outcome", "blocked")]), to: log, now: t0.addingTimeInterval(600))

        let report = try AuditLog.verify(logAt: log)
        let kinds = report.findings.map { "\($0.kind.rawValue)@\($0.line ?? 0)" }
        #expect(kinds.contains("replayed-credential@4"))
        #expect(kinds.contains("unauthorized-execution@8"))
        #expect(kinds.contains("expired-credential@12"))
        #expect(kinds.contains("revoked-credential@12"))
        #expect(kinds.contains("aborted@10"))
        #expect(report.notices.map(\.kind) == [.aborted, .notChecked])
        #expect(report.summary == "13/13 records valid (hash chain only: no key given)")
        #expect(!report.isIntact)

        let paths = try AuditLog.show(logAt: log, plan: "p1")
        #expect(paths.count == 1)
        let status = Dictionary(uniqueKeysWithValues: paths[0].steps.map { ($0.step, $0.status) })
        #expect(status == ["build": .replayed, "deploy": .executed, "export": .unauthorized, "review": .held, "notify": .aborted, "publish": .blocked])
        #expect(paths[0].steps[0].events.map(\.kind) == ["decision", "mint", "execution", "execution"])
        #expect(paths[0].steps[0].events[0].policies == ["permit-build"])
        #expect(try AuditLog.show(logAt: log, plan: "nope").isEmpty)
    }

    /// `audit show` reads a step as the joins of `audit verify` do: the latest decision stands
    /// (a later deny overrides an earlier allow), and an approval releases only a step that
    /// decision held, never one it denied.
    @Test(arguments: [
        (["deny", "approved", "execution"], StepStatus.unauthorized, true),
        (["allow", "deny", "execution"], .unauthorized, true),
        (["allow", "deny"], .denied, false),
        (["approve", "approved", "execution"], .executed, false),
        (["approve", "rejected"], .rejected, false),
        (["approve", "rejected", "approved", "execution"], .executed, false),
        (["allow", "approved", "deny"], .denied, false),
    ])
    func showReadsAStepAsTheJoinsDo(_ records: [String], _ expected: StepStatus, _ unauthorized: Bool) throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        let exp = Int64(t0.timeIntervalSince1970) + 60
        var events: [JSONValue] = []
        for (index, record) in records.enumerated() {
            switch record {
            case "approved", "rejected":
                events.append(AuditEvent.approval(plan: "p", step: "a", approver: "security", approved: record == "approved"))
            case "execution":
                events.append(event("mint", plan: "p", step: "a", [("jti", .string("j\(index)")), ("exp", .int(exp))]))
                events.append(AuditEvent.execution(plan: "p", step: "a", jti: "j\(index)", outcome: "success"))
            default:
                events.append(event("decision", plan: "p", step: "a", [("outcome", .string(record))]))
            }
        }
        try AuditLog.append(events: events, to: log, now: t0)
        let report = try AuditLog.verify(logAt: log)
        #expect(report.findings.contains { $0.kind == .unauthorizedExecution } == unauthorized, "\(report.findings.map(\.message))")
        #expect(try AuditLog.show(logAt: log, plan: "p")[0].steps[0].status == expected)
    }

    @Test func eventBuildersMakeAcceptedRecords() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        let exp = Int64(t0.timeIntervalSince1970) + 60
        try AuditLog.append(events: [
            .object(JSONObject([("kind", "decision"), ("plan", "p"), ("step", "a"), ("principal", "agent"), ("action", "read"),
                                ("resource", "repo"), ("outcome", "approve"), ("policies", .array(["hold"]))])),
            AuditEvent.approval(plan: "p", step: "a", approver: "security", approved: true),
            .object(JSONObject([("kind", "mutation"), ("plan", "p"), ("step", "a"), ("action", "read"), ("resource", "repo-mirror"),
                                ("outcome", "mirror"), ("policies", .array(["prefer-mirror"]))])),
            .object(JSONObject([("kind", "mint"), ("plan", "p"), ("step", "a"), ("jti", "j1"), ("exp", .int(exp))])),
            AuditEvent.execution(plan: "p", step: "a", jti: "j1", outcome: "success"),
            AuditEvent.revocation(jti: "j1", reason: "done"),
        ], to: log, now: t0)
        let report = try AuditLog.verify(logAt: log)
        #expect(report.findings.map(\.kind) == [.notChecked], "\(report.findings.map(\.message))")
        let step = try AuditLog.show(logAt: log, plan: "p")[0].steps[0]
        #expect(step.status == .executed)
        #expect(step.events.map(\.kind) == ["decision", "approval", "mutation", "mint", "execution"])
        #expect(step.events[3].exp == "2026-05-28T20:27:40Z")
    }
}

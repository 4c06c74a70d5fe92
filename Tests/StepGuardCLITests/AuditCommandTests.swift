import Foundation
import Testing
@testable import StepGuardCLI

/// Helpers for the audit command tests: a log in a fresh directory, events, runs.
enum AuditFixtures {
    typealias F = CredentialFixtures

    static let plan = "release-42"
    static let t0 = "2026-05-28T20:26:40Z"

    /// A fresh directory and the path of a (not yet existing) log in it.
    static func newLog() throws -> (directory: URL, log: String) {
        let directory = try F.temporaryDirectory()
        return (directory, directory.appendingPathComponent("audit.jsonl").path)
    }

    /// Appends `event` (JSON text) from stdin at the pinned time `now`.
    @discardableResult
    static func append(_ log: String, _ event: String, now: String = t0, _ extra: [String] = []) -> RunResult {
        runCLI(["audit", "append", log, "--now", now] + extra, input: event)
    }

    static func decision(_ step: String, _ outcome: String = "allow", plan: String = plan, principal: String = "agent/builder",
                         policy: String = "baseline-permit") -> String {
        #"{"kind":"decision","plan":"\#(plan)","step":"\#(step)","principal":"\#(principal)","action":"deploy","#
            + #""resource":"service/\#(step)","outcome":"\#(outcome)","policies":["\#(policy)"]}"#
    }

    static func mint(_ step: String, jti: String, exp: String, plan: String = plan) -> String {
        #"{"kind":"mint","plan":"\#(plan)","step":"\#(step)","jti":"\#(jti)","exp":"\#(exp)"}"#
    }

    static func execution(_ step: String, jti: String, plan: String = plan) -> String {
        #"{"kind":"execution","plan":"\#(plan)","step":"\#(step)","jti":"\#(jti)","outcome":"success"}"#
    }

    /// The release-42 story: deploy-api decided, minted and executed; deploy-db allowed and
    /// minted but never run (aborted); drop-table denied.
    static func story(_ log: String) throws {
        let events: [(String, String)] = [
            (decision("deploy-api"), "2026-05-28T20:26:40Z"),
            (mint("deploy-api", jti: "jti-api", exp: "2026-05-28T20:31:40Z"), "2026-05-28T20:26:41Z"),
            (decision("deploy-db"), "2026-05-28T20:26:42Z"),
            (mint("deploy-db", jti: "jti-db", exp: "2026-05-28T20:31:42Z"), "2026-05-28T20:26:42.250Z"),
            (execution("deploy-api", jti: "jti-api"), "2026-05-28T20:26:43Z"),
            (decision("drop-table", "deny", policy: "no-agent-drops"), "2026-05-28T20:26:44Z"),
        ]
        for (index, (event, time)) in events.enumerated() {
            let result = append(log, event, now: time)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "appended seq \(index)\n")
        }
    }

    static func lines(_ log: String) throws -> [String] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// `text` with the temporary directory replaced by `<dir>`, for golden files.
    static func relative(_ text: String, _ directory: URL) -> String {
        text.replacingOccurrences(of: directory.path + "/", with: "<dir>/")
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

struct AuditCommandTests {
    typealias A = AuditFixtures
    typealias F = CredentialFixtures

    // MARK: - append, verify, show

    @Test func appendVerifyShowRoundTrip() throws {
        let (dir, log) = try A.newLog()
        try A.story(log)
        let content = try String(contentsOfFile: log, encoding: .utf8)
        try F.expectGolden(content, "audit-story.jsonl")

        let verified = runCLI(["audit", "verify", log])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        try F.expectGolden(A.relative(verified.stdout, dir), "audit-verify-story.txt")
        #expect(verified.stdout.contains(": notice: aborted: record 2: step \"deploy-db\""))
        #expect(verified.stdout.hasSuffix("6/6 records valid (hash chain only: no key given)\n"))

        let quiet = runCLI(["audit", "verify", "-q", log])
        #expect(quiet.status == 0)
        #expect(!quiet.stdout.contains("aborted"), "-q leaves out notices")
        #expect(quiet.stdout.hasSuffix("6/6 records valid (hash chain only: no key given)\n"), "-q keeps what was not proven")

        let shown = runCLI(["audit", "show", log, "--plan", A.plan])
        #expect(shown.status == 0, "\(shown.stderr)")
        try F.expectGolden(shown.stdout, "audit-show-story.txt")
    }

    @Test func showAsJSONGivesEachStepItsStatusAndPath() throws {
        let (_, log) = try A.newLog()
        try A.story(log)
        let result = runCLI(["audit", "show", log, "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let plans = try #require(object["plans"] as? [[String: Any]])
        #expect(plans.count == 1)
        #expect(plans[0]["plan"] as? String == A.plan)
        let steps = try #require(plans[0]["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? String } == ["deploy-api", "deploy-db", "drop-table"])
        #expect(steps.map { $0["status"] as? String } == ["executed", "aborted", "denied"])
        let api = try #require(steps[0]["events"] as? [[String: Any]])
        #expect(api.map { $0["kind"] as? String } == ["decision", "mint", "execution"])
        #expect(api.map { ($0["line"] as? NSNumber)?.intValue } == [1, 2, 5])
    }

    @Test func showOfAnUnknownPlanExitsOne() throws {
        let (_, log) = try A.newLog()
        try A.story(log)
        let result = runCLI(["audit", "show", log, "--plan", "release-43"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("has no records of plan \"release-43\""))
    }

    @Test func appendPrintsTheRecordAsJSON() throws {
        let (_, log) = try A.newLog()
        let result = A.append(log, A.decision("build"), ["--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["seq"] as? NSNumber)?.intValue == 0)
        #expect(object["time"] as? String == A.t0)
        let record = try #require(object["record"] as? String)
        #expect(record + "\n" == (try String(contentsOfFile: log, encoding: .utf8)))
        #expect((object["hash"] as? String)?.count == 64)
    }

    @Test func appendReadsAnEventFileAndJSONLines() throws {
        let (dir, log) = try A.newLog()
        let file = dir.appendingPathComponent("events.jsonl").path
        try (A.decision("a") + "\n\n" + A.decision("b") + "\n" + A.decision("c") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = runCLI(["audit", "append", log, "--event", file, "--now", A.t0])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "appended seq 0\nappended seq 1\nappended seq 2\n")
        #expect(runCLI(["audit", "verify", log]).status == 0)
    }

    @Test func aBadEventInABatchAppendsNothing() throws {
        let (dir, log) = try A.newLog()
        let file = dir.appendingPathComponent("events.jsonl").path
        try (A.decision("a") + "\n" + #"{"kind":"decision","plan":"p","step":"s","outcome":"allow","seq":4}"# + "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = runCLI(["audit", "append", log, "--event", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the event sets \"seq\", which append fills in"))
        #expect(!FileManager.default.fileExists(atPath: log))

        let broken = dir.appendingPathComponent("broken.jsonl").path
        try (A.decision("a") + "\n" + #"{"kind": "decision", "plan" "p"}"# + "\n").write(toFile: broken, atomically: true, encoding: .utf8)
        let located = runCLI(["audit", "append", log, "--event", broken])
        #expect(located.status == 2)
        #expect(located.stderr.hasPrefix("stepguard: error: \(broken):2:"), "\(located.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log))

        let empty = runCLI(["audit", "append", log], input: "  \n")
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("no event on stdin"))
    }

    // MARK: - faults

    @Test func aModifiedRecordIsNamedAndFails() throws {
        let (dir, log) = try A.newLog()
        try A.story(log)
        var lines = try A.lines(log)
        lines[2] = lines[2].replacingOccurrences(of: "agent/builder", with: "agent/intruder")
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)

        let result = runCLI(["audit", "verify", log])
        #expect(result.status == 1)
        let text = A.relative(result.stdout, dir)
        #expect(text.contains("<dir>/audit.jsonl:3: fault: modified: record 2:"), "\(text)")
        #expect(text.hasSuffix("5/6 records valid (hash chain only: no key given)\n"))

        let json = runCLI(["audit", "verify", log, "--format", "json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["intact"] as? Bool == false)
        let findings = try #require(object["findings"] as? [[String: Any]])
        let modified = try #require(findings.first { $0["kind"] as? String == "modified" })
        #expect((modified["seq"] as? NSNumber)?.intValue == 2)
        #expect((modified["line"] as? NSNumber)?.intValue == 3)
        #expect(modified["severity"] as? String == "fault")
    }

    @Test func aDeletedRecordIsReportedMissing() throws {
        let (dir, log) = try A.newLog()
        try A.story(log)
        var lines = try A.lines(log)
        lines.remove(at: 3)
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let result = runCLI(["audit", "verify", log])
        #expect(result.status == 1)
        #expect(A.relative(result.stdout, dir).contains("<dir>/audit.jsonl:4: fault: missing: record 3:"), "\(result.stdout)")
    }

    @Test func aTornTailStopsAppendUntilRepaired() throws {
        let (dir, log) = try A.newLog()
        try A.story(log)
        let whole = try A.bytes(log)
        let torn = Array(#"{"kind":"execution","plan":"rel"#.utf8)
        try A.write(whole + torn, log)

        let refused = A.append(log, A.execution("deploy-db", jti: "jti-db"))
        #expect(refused.status == 2)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("\(log):7: the last line is incomplete"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--repair"))
        #expect(refused.stderr.contains("nothing appended"))
        #expect(try A.bytes(log) == whole + torn, "nothing appended")

        let verified = runCLI(["audit", "verify", log])
        #expect(verified.status == 1)
        #expect(A.relative(verified.stdout, dir).contains("<dir>/audit.jsonl:7: fault: torn:"), "\(verified.stdout)")

        let repaired = runCLI(["audit", "append", log, "--repair", "--event", "-", "--now", "2026-05-28T20:27:00Z"],
                              input: A.execution("deploy-db", jti: "jti-db"))
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stdout == "appended seq 6\n")
        try F.expectGolden(A.relative(repaired.stderr, dir), "audit-repair.stderr.txt")
        let after = try A.bytes(log)
        #expect(Array(after.prefix(whole.count)) == whole, "everything before the torn line is untouched")
        #expect(try A.lines(log).count == 8, "seven records and the final empty split")
        #expect(runCLI(["audit", "verify", log]).status == 0)

        // A repair of a whole log changes nothing.
        let again = runCLI(["audit", "append", log, "--repair"])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("nothing to repair"))
        #expect(try A.bytes(log) == after)
    }

    @Test func aTamperedTailIsNotExtendedNorRepaired() throws {
        let (_, log) = try A.newLog()
        try A.story(log)
        var lines = try A.lines(log)
        lines[4] = lines[4].replacingOccurrences(of: "success", with: "failure")
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let before = try A.bytes(log)

        let refused = A.append(log, A.decision("later"))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("does not chain"), "\(refused.stderr)")
        #expect(refused.stderr.contains("audit verify"))
        let repair = A.append(log, A.decision("later"), ["--repair", "--event", "-"])
        #expect(repair.status == 2, "a tampered record is not a torn line: --repair leaves it")
        #expect(try A.bytes(log) == before)
    }

    // MARK: - checkpoints and proofs

    @Test func checkpointProveAndVerifyProof() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(in: dir)
        try A.story(log)

        let signed = runCLI(["audit", "checkpoint", log, "--key", key, "--origin", "audit.example/log"])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stdout.hasPrefix("signed checkpoint of 6 records, root "), "\(signed.stdout)")
        let note = log + ".checkpoints/00000000000000000006.note"
        #expect(signed.stdout.hasSuffix(": \(note)\n"))
        let noteText = try String(contentsOfFile: note, encoding: .utf8)
        #expect(noteText.hasPrefix("audit.example/log\n6\n"))
        #expect(noteText.contains("\n\n— audit.example/log "))

        let again = runCLI(["audit", "checkpoint", log, "--key", key, "--origin", "audit.example/log"])
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("already signed checkpoint of 6 records"))

        let verified = runCLI(["audit", "verify", log, "--key", F.publicKey, "-v"])
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(verified.stdout.contains("\(note): checkpoint of 6 records (audit.example/log): signature verified, matches the log"))

        let proved = runCLI(["audit", "prove", log, "--seq", "4", "--key", F.publicKey])
        #expect(proved.status == 0, "\(proved.stderr)")
        let proofObject = try #require(try JSONSerialization.jsonObject(with: Data(proved.stdout.utf8)) as? [String: Any])
        #expect(proofObject["type"] as? String == "stepguard-audit-inclusion-proof")
        #expect((proofObject["seq"] as? NSNumber)?.intValue == 4)
        #expect((proofObject["tree_size"] as? NSNumber)?.intValue == 6)
        #expect(proofObject["record"] as? String == (try A.lines(log))[4])
        let proof = dir.appendingPathComponent("proof.json").path
        try proved.stdout.write(toFile: proof, atomically: true, encoding: .utf8)

        let valid = runCLI(["audit", "verify-proof", proof, "--key", F.publicKey])
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        #expect(valid.stdout == "valid: record 4 is in the signed log \"audit.example/log\" of 6 records\n")
        let fromStdin = runCLI(["audit", "verify-proof", "-", "--key", F.publicKey, "--format", "json"], input: proved.stdout)
        #expect(fromStdin.status == 0)
        #expect(fromStdin.stdout.contains("\"valid\": true"))

        let recordFile = dir.appendingPathComponent("record.json").path
        try ((try A.lines(log))[4] + "\n").write(toFile: recordFile, atomically: true, encoding: .utf8)
        #expect(runCLI(["audit", "verify-proof", proof, "--key", F.publicKey, "--record", recordFile]).status == 0)
        try ((try A.lines(log))[3] + "\n").write(toFile: recordFile, atomically: true, encoding: .utf8)
        let otherRecord = runCLI(["audit", "verify-proof", proof, "--key", F.publicKey, "--record", recordFile])
        #expect(otherRecord.status == 1)
        #expect(otherRecord.stdout.contains("the proof is about a different record"))

        let wrongKey = runCLI(["audit", "verify-proof", proof, "--key", F.otherPublicKey])
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stdout.contains("not signed by a trusted key"), "\(wrongKey.stdout)")

        let forged = proved.stdout.replacingOccurrences(of: "success", with: "failure")
        let tampered = runCLI(["audit", "verify-proof", "-", "--key", F.publicKey], input: forged)
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("the record does not hash to leaf_hash"))

        let outOfRange = runCLI(["audit", "prove", log, "--seq", "6"])
        #expect(outOfRange.status == 2)
        #expect(outOfRange.stderr.contains("record 6 is not covered"))
    }

    @Test func verifyWithTheWrongKeyIsAFault() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(in: dir)
        try A.story(log)
        #expect(runCLI(["audit", "checkpoint", log, "--key", key]).status == 0)

        let wrong = runCLI(["audit", "verify", log, "--key", F.otherPublicKey])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("fault: checkpoint-signature:"), "\(wrong.stdout)")
        #expect(wrong.stdout.contains("is not signed by any trusted key"))
        #expect(wrong.stdout.contains("fault: unsigned:"), "no trusted signature covers the log: \(wrong.stdout)")
        #expect(wrong.stdout.hasSuffix("6/6 records valid, 6 unsigned\n"), "the records themselves are fine")

        let right = runCLI(["audit", "verify", log, "--key", F.otherPublicKey, "--key", F.publicKey])
        #expect(right.status == 0, "one of several keys is enough: \(right.stdout)")

        let noKey = runCLI(["audit", "verify", log])
        #expect(noKey.status == 0)
        #expect(noKey.stdout.contains("notice: not-checked: no --key given: only the hash chain and tree were checked"))
    }

    @Test func checkpointRefusesALogThatDoesNotVerify() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(in: dir)
        try A.story(log)
        var lines = try A.lines(log)
        lines[1] = lines[1].replacingOccurrences(of: "jti-api", with: "jti-apx")
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)

        let result = runCLI(["audit", "checkpoint", log, "--key", key])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the log does not verify"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing signed"))
        let notes = (try? FileManager.default.contentsOfDirectory(atPath: log + ".checkpoints")) ?? []
        #expect(!notes.contains { $0.hasSuffix(".note") })
    }

    @Test func checkpointRefusesAKeyOthersCanRead() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(mode: 0o644, in: dir)
        try A.story(log)
        let result = runCLI(["audit", "checkpoint", log, "--key", key])
        #expect(result.status == 2)
        #expect(!FileManager.default.fileExists(atPath: log + ".checkpoints/00000000000000000006.note"))
    }

    @Test func verifyFromACheckpointReadsOnlyTheNewRecords() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(in: dir)
        try A.story(log)
        #expect(runCLI(["audit", "checkpoint", log, "--key", key]).status == 0)
        A.append(log, A.execution("deploy-db", jti: "jti-db"), now: "2026-05-28T20:27:00Z")
        A.append(log, A.decision("notify"), now: "2026-05-28T20:27:01Z")

        let result = runCLI(["audit", "verify", log, "--key", F.publicKey, "--from-checkpoint", "6"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("notice: unsigned: records 6 to 7 (2) come after the last signed checkpoint (size 6)"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("2/2 records valid, 2 unsigned\n"), "\(result.stdout)")
        let strict = runCLI(["audit", "verify", log, "--key", F.publicKey, "--from-checkpoint", "6", "--require-signed"])
        #expect(strict.status == 1, "--require-signed makes an unsigned tail a fault: \(strict.stdout)")
        #expect(strict.stdout.contains("fault: unsigned: records 6 to 7"))

        let wrongKey = runCLI(["audit", "verify", log, "--from-checkpoint", "6"])
        #expect(wrongKey.status == 2)
        #expect(wrongKey.stderr.contains("--from-checkpoint needs --key PUB"))
    }

    // MARK: - mint --audit

    @Test func mintAuditRecordsShowAsOnePath() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(in: dir)
        // mint records the allowing decision with the mint itself.
        let minted = F.mint("deploy-prod", key: key, ["--audit", log])
        #expect(minted.status == 0, "\(minted.stderr)")
        let jti = try #require(try F.segment(minted.stdout, 1)["jti"] as? String)
        let refused = F.mint("purge-cdn", key: key, ["--audit", log])
        #expect(refused.status == 1)
        let execution = #"{"kind":"execution","plan":"storefront-release-7.3","step":"deploy-prod","jti":"\#(jti)","outcome":"success"}"#
        #expect(A.append(log, execution, now: "2027-01-15T08:01:00Z").status == 0)

        // deploy-prod needs test, whose execution this log does not hold: the records are
        // intact, but the execution cannot be shown to keep the plan's order.
        let verified = runCLI(["audit", "verify", log])
        #expect(verified.status == 1, "\(verified.stdout)")
        #expect(verified.stdout.components(separatedBy: "fault:").count == 2, "\(verified.stdout)")
        #expect(verified.stdout.contains(#"fault: out-of-order: record 3: step "deploy-prod" of plan "storefront-release-7.3" was executed before "test" had been"#),
                "\(verified.stdout)")
        #expect(verified.stdout.hasSuffix("4/4 records valid (hash chain only: no key given)\n"))

        let shown = runCLI(["audit", "show", log, "--plan", "storefront-release-7.3"])
        #expect(shown.status == 0)
        try F.expectGolden(shown.stdout.replacingOccurrences(of: jti, with: "<jti>"), "audit-show-mint.txt")

        let json = runCLI(["audit", "show", log, "--plan", "storefront-release-7.3", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let steps = try #require((object["plans"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? String } == ["deploy-prod", "purge-cdn"])
        #expect(steps.map { $0["status"] as? String } == ["executed", "denied"])
        let path = try #require(steps[0]["events"] as? [[String: Any]])
        #expect(path.map { $0["kind"] as? String } == ["decision", "mint", "execution"])
        #expect(path[1]["jti"] as? String == jti)
        #expect(path[1]["exp"] as? String == "2027-01-15T08:05:00Z")
    }

    @Test func mintAuditAloneVerifies() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(in: dir)
        #expect(F.mint("build", key: key, ["--audit", log]).status == 0)
        #expect(F.mint("deploy-prod", key: key, ["--audit", log]).status == 0)
        let verified = runCLI(["audit", "verify", log])
        #expect(verified.status == 0, "\(verified.stdout)")
        // Each mint carries its allowing decision; neither step has run yet, which is a notice.
        #expect(verified.stdout.hasSuffix("4/4 records valid (hash chain only: no key given)\n"))
        #expect(!verified.stdout.contains("unauthorized"))
        let shown = runCLI(["audit", "show", log, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let plans = try #require(object["plans"] as? [[String: Any]])
        #expect(plans.count == 1, "one plan, one path")
        let steps = try #require(plans[0]["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? String } == ["build", "deploy-prod"])
    }
}

/// Appends through the built executable: separate processes contending for the lock.
struct AuditBinaryTests {
    typealias A = AuditFixtures

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func concurrentProcessesLoseNoRecord() throws {
        let binary = try #require(stepguardBinary)
        let (dir, log) = try A.newLog()
        let writers = 8, perWriter = 2000
        // Each process gets JSON Lines and appends them one by one, each under its own lock,
        // so the writers interleave record by record.
        var files: [String] = []
        for writer in 0..<writers {
            let file = dir.appendingPathComponent("events-\(writer).jsonl").path
            let text = (0..<perWriter).map { i in
                A.decision("step-\(i)", principal: "writer-\(writer)")
            }.joined(separator: "\n") + "\n"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let results = ResultBox(count: writers)
        let paths = files
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            results.set(writer, runProcess(binary, ["audit", "append", log, "--event", paths[writer]]))
        }
        for writer in 0..<writers {
            let result = try #require(results.get(writer))
            #expect(result.status == 0, "writer \(writer): \(result.stderr)")
            #expect(result.stdout.split(separator: "\n").count == perWriter)
        }

        let lines = try A.lines(log).dropLast()
        #expect(lines.count == writers * perWriter)
        for writer in 0..<writers {
            #expect(lines.filter { $0.contains("\"principal\":\"writer-\(writer)\"") }.count == perWriter)
        }
        let verified = try #require(runProcess(binary, ["audit", "verify", "-q", log]))
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(verified.stdout == "\(writers * perWriter)/\(writers * perWriter) records valid (hash chain only: no key given)\n")
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [RunResult?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: RunResult?) { lock.lock(); results[index] = value; lock.unlock() }
    func get(_ index: Int) -> RunResult? { lock.lock(); defer { lock.unlock() }; return results[index] }
}

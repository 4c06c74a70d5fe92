import Foundation
import Testing
@testable import StepGuardCLI
import AuditLog
import JSONValue

/// Every doubtful case ends in "no", through the real process: nothing minted, appended or
/// reported intact that should not be (DESIGN §6, docs/failing-closed.md).
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct FailClosedTests {
    typealias F = CredentialFixtures
    typealias A = AuditFixtures

    /// Runs the binary without colour.
    static func run(_ arguments: [String], input: String? = nil) throws -> RunResult {
        let binary = try #require(stepguardBinary)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        return try #require(runProcess(binary, arguments, input: input, environment: environment))
    }

    // MARK: lint: an input that does not load cannot be hidden

    @Test func aParseErrorCannotBeDisabled() throws {
        let dir = try F.temporaryDirectory()
        let file = dir.appendingPathComponent("broken.cedar").path
        try "permit(principal, action == Action::\"read\", resource\n".write(toFile: file, atomically: true, encoding: .utf8)

        let plain = try Self.run(["lint", file])
        #expect(plain.status == 2, "a file that does not parse is exit 2: \(plain.stdout)")
        #expect(plain.stdout.contains("[SG100]"))

        let disabled = try Self.run(["lint", "--disable", "SG100", file])
        #expect(disabled.status == 2)
        #expect(disabled.stderr.contains("SG100 reports input that does not load and cannot be disabled"), "\(disabled.stderr)")

        let noFailLevel = try Self.run(["lint", "--fail-level", "none", file])
        #expect(noFailLevel.status == 2, "no fail level hides a parse error")
        #expect(noFailLevel.stdout.contains("[SG100]"))

        try #"{"lint": {"rules": {"SG100": "off"}}}"#.write(toFile: dir.appendingPathComponent(".stepguard.json").path, atomically: true, encoding: .utf8)
        let configured = try Self.run(["lint", "--config", dir.appendingPathComponent(".stepguard.json").path, file])
        #expect(configured.status == 2)
        #expect(configured.stderr.contains("SG100 reports input that does not load and is always an error"), "\(configured.stderr)")

        try "// stepguard:ignore SG100 -- it is fine\npermit(principal, action, resource\n".write(toFile: file, atomically: true, encoding: .utf8)
        let suppressed = try Self.run(["lint", file])
        #expect(suppressed.status == 2, "inline suppression does not hide a parse error")
        #expect(suppressed.stdout.contains("[SG100]"))
    }

    // MARK: audit verify: only what a key signed is trusted

    @Test func aLogWithoutASignedCheckpointIsNotIntactUnderAKey() throws {
        let (dir, log) = try A.newLog()
        try A.story(log)
        let unsigned = try Self.run(["audit", "verify", log, "--key", F.publicKey])
        #expect(unsigned.status == 1, "\(unsigned.stdout)")
        #expect(unsigned.stdout.contains("fault: unsigned:"))
        #expect(unsigned.stdout.contains("no checkpoint signed by a trusted key matches it"))

        // Emptied, with the checkpoints removed: still not intact under the key.
        let key = try F.key(in: dir)
        #expect(try Self.run(["audit", "checkpoint", log, "--key", key]).status == 0)
        try Data().write(to: URL(fileURLWithPath: log))
        try FileManager.default.removeItem(atPath: log + ".checkpoints")
        let emptied = try Self.run(["audit", "verify", log, "--key", F.publicKey])
        #expect(emptied.status == 1, "\(emptied.stdout)")
        #expect(emptied.stdout.contains("the log is empty and no checkpoint signed by a trusted key matches it"))

        // Without a key the report says plainly what it did not check, even with -q.
        let noKey = try Self.run(["audit", "verify", "-q", log])
        #expect(noKey.status == 0)
        #expect(noKey.stdout.contains("hash chain only: no key given"))
    }

    @Test func recordsAfterTheLastCheckpointAreUnsigned() throws {
        let (dir, log) = try A.newLog()
        let key = try F.key(in: dir)
        try A.story(log)
        #expect(try Self.run(["audit", "checkpoint", log, "--key", key]).status == 0)
        #expect(A.append(log, A.decision("notify"), now: "2026-05-28T20:27:01Z").status == 0)

        let report = try Self.run(["audit", "verify", log, "--key", F.publicKey, "--format", "json"])
        #expect(report.status == 0, "an unsigned tail is a notice by default: \(report.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(object["unsigned_records"] as? Int == 1)
        #expect(object["signatures_checked"] as? Bool == true)

        let strict = try Self.run(["audit", "verify", log, "--key", F.publicKey, "--require-signed"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("fault: unsigned: record 6 (1) come after the last signed checkpoint (size 6)"), "\(strict.stdout)")
        #expect(try Self.run(["audit", "verify", log, "--require-signed"]).status == 2, "--require-signed needs a key")
    }

    // MARK: time only moves forward

    @Test func appendRefusesToBackdate() throws {
        let (_, log) = try A.newLog()
        #expect(A.append(log, A.decision("build"), now: "2026-05-28T20:26:40Z").status == 0)
        let before = try A.bytes(log)
        let backdated = try Self.run(["audit", "append", log, "--now", "2020-01-01T00:00:00Z"], input: A.execution("build", jti: "j"))
        #expect(backdated.status == 2)
        #expect(backdated.stderr.contains("time in the log only moves forward; nothing was appended"), "\(backdated.stderr)")
        #expect(try A.bytes(log) == before, "nothing appended")
        // The same instant is not earlier.
        #expect(A.append(log, A.decision("test"), now: "2026-05-28T20:26:40Z").status == 0)
    }

    @Test func verifyFlagsABackdatedRecord() throws {
        let (_, log) = try A.newLog()
        // A chain that is intact but whose third record is dated before the second: written
        // directly, as someone with access to the file could.
        var prev = AuditLog.genesis
        var text = ""
        for (seq, time) in ["2026-05-28T20:26:40Z", "2026-05-28T20:30:00Z", "2026-05-28T20:27:00Z", "2026-05-28T20:31:00Z"].enumerated() {
            let line = try AuditLog.recordLine(event: .object(JSONObject([("kind", "decision"), ("plan", "p"), ("step", .string("s\(seq)")), ("outcome", "deny")])),
                                               seq: seq, prev: prev, time: time)
            prev = AuditLog.hash(line: line)
            text += String(decoding: line, as: UTF8.self) + "\n"
        }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let result = try Self.run(["audit", "verify", log])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains(":3: fault: backdated: record 2: record 2 is dated 2026-05-28T20:27:00Z, before 2026-05-28T20:30:00Z"), "\(result.stdout)")
        #expect(result.stdout.contains("3/4 records valid"))
        // And nothing is signed over it.
        let key = try F.key(in: try F.temporaryDirectory())
        #expect(try Self.run(["audit", "checkpoint", log, "--key", key]).status != 0)
    }

    // MARK: hard caps are hard

    @Test func theHardLifetimeCapCannotBeRaised() throws {
        let key = try F.key(in: try F.temporaryDirectory())
        let raised = try Self.run(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", F.nowText, "--ttl", "30d", "--max-ttl", "30d"])
        #expect(raised.status == 2, "\(raised.stderr)")
        #expect(raised.stdout.isEmpty, "nothing minted")
        #expect(raised.stderr.contains("above the hard cap of 3600s"), "\(raised.stderr)")

        let capped = try Self.run(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", F.nowText, "--ttl", "30d"])
        #expect(capped.status == 0)
        let claims = try F.segment(capped.stdout.trimmingCharacters(in: .whitespacesAndNewlines), 1)
        #expect((claims["exp"] as? Int).map { $0 - Int(F.now) } == 3600, "a 30-day request gets the hard cap")

        let lowered = try Self.run(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", F.nowText, "--max-ttl", "1m"])
        #expect(lowered.status == 0, "the cap can be lowered")
    }

    // MARK: token verify --issuer

    @Test func theIssuerIsCheckedWhenAsked() throws {
        let key = try F.key(in: try F.temporaryDirectory())
        let minted = try Self.run(["mint", "--key", key, "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", F.nowText, "--issuer", "https://issuer.example"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let verify = ["token", "verify", "--key", F.publicKey, "--now", F.nowText, "--audience", "ci"]
        let right = try Self.run(verify + ["--issuer", "https://issuer.example", token])
        #expect(right.status == 0, "\(right.stdout)\(right.stderr)")
        let wrong = try Self.run(verify + ["--issuer", "https://other.example", token])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("issuer mismatch: expected \"https://other.example\", token is from \"https://issuer.example\""), "\(wrong.stdout)")
        let json = try Self.run(verify + ["--issuer", "https://other.example", "--format", "json", token])
        #expect(json.stdout.contains("\"issuer_mismatch\""))
    }

    // MARK: silent drops

    @Test func repairAppendsWhatIsPipedIn() throws {
        let (_, log) = try A.newLog()
        #expect(A.append(log, A.decision("build")).status == 0)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"kind":"execution","pla"#.utf8))
        try handle.close()

        let repaired = try Self.run(["audit", "append", log, "--repair", "--now", "2026-05-28T20:27:00Z"], input: A.decision("test"))
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stdout.contains("appended seq 1"), "the piped event is appended after the repair")
        #expect(try A.lines(log).filter { !$0.isEmpty }.count == 2)
        #expect(try Self.run(["audit", "verify", log]).status == 0)

        // With nothing piped in, a repair only repairs.
        let nothing = try Self.run(["audit", "append", log, "--repair"], input: "")
        #expect(nothing.status == 0)
        #expect(nothing.stdout.isEmpty)
    }
}

/// Text from input files never reaches a stream with its control characters intact.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct TerminalSafetyTests {
    typealias F = CredentialFixtures
    typealias A = AuditFixtures

    /// ESC with CSI (clear screen) and OSC (window title), BEL, CR, a C1 CSI, DEL, and the
    /// colour marker itself.
    static let hostile = "x\u{1B}[2J\u{1B}]0;owned\u{07}\r\u{9B}31m\u{7F}" + String(Unicode.Scalar(0xFDD0 as UInt32)!) + "[1my"

    static func rawControls(_ text: String) -> [UInt32] {
        text.unicodeScalars.map(\.value).filter { ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) || $0 == 0x7F || (0x80...0x9F).contains($0) || $0 == 0xFDD0 }
    }

    /// A directory whose plan, policies and log carry the hostile text in every field that is shown.
    static func hostileProject() throws -> URL {
        let dir = try F.temporaryDirectory()
        let project = try F.releaseCopy(in: dir)
        let escaped = JSONWriterText.quote(hostile)
        let plan = """
            {"plan": \(escaped), "principal": "Agent::\\"release-bot\\"", "steps": [
              {"id": \(escaped), "action": "ci.build", "resource": "Repo::\\"storefront\\""},
              {"id": "purge", "action": "cdn.purge", "resource": \(JSONWriterText.quote("Cdn::\"" + hostile + "\""))}
            ]}
            """
        try plan.write(to: project.appendingPathComponent("plan.json"), atomically: true, encoding: .utf8)
        try "@id(\(escaped))\n@reason(\(escaped))\nforbid(principal, action == Action::\"cdn.purge\", resource);\n"
            .write(to: project.appendingPathComponent("40-hostile.cedar"), atomically: true, encoding: .utf8)
        let log = project.appendingPathComponent("audit.jsonl").path
        let event = "{\"kind\":\"decision\",\"plan\":\(escaped),\"step\":\(escaped),\"outcome\":\"allow\",\"policies\":[\(escaped)]}"
        #expect(A.append(log, event).status == 0)
        return project
    }

    @Test(arguments: ["eval", "mutate", "lint", "test", "audit-verify", "audit-show", "eval-github", "malformed-plan", "token-inspect"])
    func noCommandPrintsRawControls(_ command: String) throws {
        let binary = try #require(stepguardBinary)
        let project = try Self.hostileProject()
        let plan = project.appendingPathComponent("plan.json").path
        let log = project.appendingPathComponent("audit.jsonl").path
        let arguments: [String]
        switch command {
        case "eval": arguments = ["eval", plan, "--now", F.nowText]
        case "eval-github": arguments = ["eval", plan, "--now", F.nowText, "--format", "github"]
        case "mutate": arguments = ["mutate", plan, "--now", F.nowText]
        case "lint": arguments = ["lint", project.path]
        case "test": arguments = ["test", project.path]
        case "audit-verify": arguments = ["audit", "verify", log]
        case "audit-show": arguments = ["audit", "show", log]
        case "malformed-plan":
            try "{\"plan\": \"p\", \"steps\": [\(JSONWriterText.quote(Self.hostile)) oops]}".write(toFile: plan, atomically: true, encoding: .utf8)
            arguments = ["eval", plan]
        default:
            let claims = Data("{\"sub\":\(JSONWriterText.quote(Self.hostile))}".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            arguments = ["token", "inspect", "eyJhbGciOiJFZERTQSJ9.\(claims).c2ln"]
        }
        for colour in ["never", "always"] {
            let result = try #require(runProcess(binary, arguments + ["--color", colour]))
            #expect(result.status != 0 || command.hasPrefix("audit") || command == "token-inspect" || command == "lint" || command == "test",
                    "\(command): \(result.status)")
            #expect(Self.rawControls(result.stdout.replacing(/\u{1B}\[[0-9;]*m/, with: "")).isEmpty, "\(command) stdout: \(result.stdout.debugDescription)")
            #expect(Self.rawControls(result.stderr.replacing(/\u{1B}\[[0-9;]*m/, with: "")).isEmpty, "\(command) stderr: \(result.stderr.debugDescription)")
            #expect((result.stdout + result.stderr).contains("\\u001b"), "\(command): the text is shown, escaped")
        }
    }

    @Test func colourFromStepguardSurvivesAndColourFromInputDoesNot() {
        let ours = Style(isEnabled: true).red("deny")
        #expect(TerminalText.sanitize(ours) == "\u{1B}[31mdeny\u{1B}[0m")
        let marker = String(TerminalText.marker)
        #expect(TerminalText.sanitize("\(marker)]0;title\u{07}") == "\\ufdd0]0;title\\u0007")
        #expect(TerminalText.sanitize("a\u{1B}[31mb\r\nc\td") == "a\\u001b[31mb\\u000d\nc\td")
        #expect(TerminalText.sanitize("plain text, é, 日本") == "plain text, é, 日本")
        // In JSON the escapes are JSON's own: still valid and the same string.
        let json = TerminalText.sanitize("{\"a\":\"x\u{9B}y\u{7F}\"}")
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(object?["a"] == "x\u{9B}y\u{7F}")
    }
}

/// JSON string quoting for building fixtures.
enum JSONWriterText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

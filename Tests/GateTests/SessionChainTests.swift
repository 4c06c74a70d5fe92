import AuditLog
import Foundation
import JSONValue
import Testing
@testable import Gate

/// A session's index cannot hide what the session did: through the binary, an index edited to
/// leave out a release decision or a rejection is not trusted, so an approval still releases
/// one call and a rejection still denies; and `audit verify` finds a decision that names a
/// record other than the session's last as the one before it.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct SessionChainTests {
    typealias Scratch = GateApprovalTests.Scratch

    /// Session "s1"'s index beside the scratch log: its path and what it says.
    func index(_ s: Scratch) throws -> (path: String, index: SessionLog.Index) {
        let directory = s.log + ".sessions"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasSuffix(".tmp") }
        #expect(names.count == 1)
        let path = directory + "/" + (try #require(names.first))
        return (path, try #require(SessionLog.Index.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), session: "s1")))
    }

    /// The position in the index of the record of `s` whose line satisfies `matches`.
    func position(in index: SessionLog.Index, of s: Scratch, _ matches: (String) -> Bool) throws -> Int {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: s.log)))
        let found = index.lines.firstIndex { matches(String(decoding: bytes[$0.lowerBound..<($0.upperBound - 1)], as: UTF8.self)) }
        return try #require(found)
    }

    /// Leaves out of the index the line at `position`; when it is the last, `cut` also ends the
    /// covered length at the line before, with that line's hash (the index then looks whole).
    func hide(_ s: Scratch, at position: Int, cut: Bool = false) throws {
        var (path, damaged) = try index(s)
        damaged.lines.remove(at: position)
        if cut {
            let previous = try #require(damaged.lines.last)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: s.log)))
            damaged.end = previous.upperBound
            damaged.hash = AuditLog.hash(line: bytes[previous.lowerBound..<(previous.upperBound - 1)]).bytes
        }
        try Data(damaged.encoded(session: "s1")).write(to: URL(fileURLWithPath: path))
    }

    func verify(_ s: Scratch) throws -> RunResult {
        try runStepguard(["audit", "verify", s.log, "--policies", s.policies])
    }

    /// The decision that spent an approval is left out of the index: the gate reads the whole
    /// session from the log instead, so the approval is spent and the same call is held again.
    @Test(arguments: [false, true])
    func anApprovalIsNotReusedByHidingItsRelease(hideTheApprovalToo: Bool) throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        #expect(try s.approve("alice", call: "toolu_held").status == 0)
        let retry = try s.gate(s.write(call: "toolu_retry"))
        #expect(GateApprovalTests.decision(retry) == "allow", "\(retry.stdout)\(retry.stderr)")
        // The release decision, and the approval record the gate appended after it.
        let (_, index) = try index(s)
        let release = try position(in: index, of: s) { $0.contains(#""kind":"decision""#) && $0.contains(#""outcome":"approved""#) }
        if hideTheApprovalToo {
            // Both, the last two lines: the index is cut back to end before them.
            #expect(release == index.lines.count - 2)
            try hide(s, at: release + 1, cut: true)
            try hide(s, at: release, cut: true)
        } else {
            try hide(s, at: release)
        }
        let again = try s.gate(s.write(call: "toolu_again"), now: "2026-12-07T09:12:00Z")
        #expect(GateApprovalTests.decision(again) == "ask", "\(again.stdout)\(again.stderr)")
        let verified = try verify(s)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    /// A rejection left out of the index, in the middle of the session or as its last record
    /// (with the covered length kept or cut back to the record before it): the call is denied.
    @Test(arguments: ["middle", "last", "last-cut"])
    func aRejectionCannotBeHidden(place: String) throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        if place == "middle" {
            #expect(try s.approve("bob", call: "toolu_held", ["--reject"]).status == 0)
            #expect(try s.approve("alice", call: "toolu_held", now: "2026-12-07T09:06:00Z").status == 0)
        } else {
            #expect(try s.approve("alice", call: "toolu_held").status == 0)
            #expect(try s.approve("bob", call: "toolu_held", now: "2026-12-07T09:06:00Z", ["--reject"]).status == 0)
        }
        let (_, index) = try index(s)
        let rejection = try position(in: index, of: s) { $0.contains(#""kind":"approval""#) && $0.contains(#""outcome":"rejected""#) }
        #expect(rejection == (place == "middle" ? index.lines.count - 2 : index.lines.count - 1))
        try hide(s, at: rejection, cut: place == "last-cut")
        let retry = try s.gate(s.write(call: "toolu_retry"))
        #expect(GateApprovalTests.decision(retry) == "deny", "\(retry.stdout)\(retry.stderr)")
        #expect((retry.hookOutput?["permissionDecisionReason"] as? String)?.contains(#"rejected by User::"bob""#) == true)
        let verified = try verify(s)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    /// `approve --audit` naming the gate's log by another path than `--log` still writes the
    /// approval as one of the session's records, chained to the record before it.
    @Test func anApprovalToTheGatesLogUnderAnotherPathIsChained() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        let other = (s.log as NSString).deletingLastPathComponent + "/./" + (s.log as NSString).lastPathComponent
        #expect(other != s.log)
        let approved = try s.approve("alice", call: "toolu_held", ["--audit", other])
        #expect(approved.status == 0, "\(approved.stderr)")
        let lines = try String(contentsOfFile: s.log, encoding: .utf8).split(separator: "\n").map(String.init)
        let approval = try #require(lines.last)
        #expect(approval.contains(#""kind":"approval""#))
        let before = AuditLog.hash(line: Array(lines[lines.count - 2].utf8)).hex
        #expect(approval.contains(#""session_prev":"\#(before)""#), "\(approval)")
    }

    /// A decision written on a history that left out the session's latest record names another
    /// record as the one before it: `audit verify` reports `session-gap` at its line, as it does
    /// a session's first record that names a record before it.
    @Test func verifyFindsADecisionMadeOnAHistoryWithAGap() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        #expect(try s.approve("alice", call: "toolu_held").status == 0)
        #expect(try verify(s).status == 0)
        let lines = try String(contentsOfFile: s.log, encoding: .utf8).split(separator: "\n").map(String.init)
        // The decision as a gate that had not seen the approval (the last record) would write it,
        // written into the log line by line (`append` refuses an event naming its own
        // `session_prev`; only the gate's chaining append writes one).
        let hidden = AuditLog.hash(line: Array(lines[lines.count - 2].utf8)).hex
        var prev = AuditLog.hash(line: Array(lines[lines.count - 1].utf8))
        var seq = try #require(try JSONParser.parse(lines[lines.count - 1])["seq"]?.int64Value).advanced(by: 1)
        var written = ""
        for event: JSONValue in [
            ["kind": "decision", "plan": "s1", "step": "toolu_next", "outcome": "deny", "host": "claude-code", "session_prev": .string(hidden)],
            ["kind": "decision", "plan": "s2", "step": "toolu_first", "outcome": "deny", "host": "claude-code", "session_prev": .string(hidden)],
        ] {
            let line = try AuditLog.recordLine(event: event, seq: Int(seq), prev: prev, time: "2099-01-01T00:00:00Z")
            written += String(decoding: line, as: UTF8.self) + "\n"
            prev = AuditLog.hash(line: line)
            seq += 1
        }
        let handle = try #require(FileHandle(forWritingAtPath: s.log))
        handle.seekToEndOfFile()
        handle.write(Data(written.utf8))
        handle.closeFile()
        let verified = try runStepguard(["audit", "verify", s.log, "--format", "json"])
        #expect(verified.status == 1, "\(verified.stdout)\(verified.stderr)")
        let findings = try #require(verified.json?["findings"] as? [[String: Any]]).filter { $0["kind"] as? String == "session-gap" }
        #expect(findings.map { $0["line"] as? Int } == [lines.count + 1, lines.count + 2], "\(verified.stdout)")
        #expect(findings.first?["related_line"] as? Int == lines.count, "\(verified.stdout)")
        #expect((findings.first?["message"] as? String)?.contains(#"session "s1": its session_prev does not name the session's record before it (line \#(lines.count))"#) == true)
        #expect((findings.last?["message"] as? String)?.contains("it is the session's first record in the log") == true)
    }
}

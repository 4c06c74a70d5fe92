import Approvals
import Credentials
import Foundation
import JSONValue
import Testing
import Workflow

/// Signed approvals through the gate and `approve`, through the binary: a held live call is
/// approved from the gate's log, the agent's same call then runs, and every approval that does
/// not count says why.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct GateApprovalTests {
    static let held = "2026-12-07T09:00:00Z"
    static let signed = "2026-12-07T09:05:00Z"
    static let retried = "2026-12-07T09:10:00Z"

    /// A project governed by the coding-agent example, with approvers: alice and bob in
    /// `Group::"platform-security"` (the group its CI-config rule waits for), carol in no group,
    /// and the agent itself holding a key; people may approve, agents may not.
    struct Scratch {
        let project: Project
        var root: String { project.root }
        var log: String { project.log }
        var policies: String { project.policies }
        var approvals: String { root + "/.stepguard/approvals" }

        init(quorum: Int? = nil) throws {
            project = try Project()
            try FileManager.default.createDirectory(atPath: root + "/keys", withIntermediateDirectories: true)
            var entities: [[String: Any]] = [["uid": ["type": "Group", "id": "platform-security"], "attrs": [:], "parents": []]]
            for (type, name, inGroup) in [("User", "alice", true), ("User", "bob", true), ("User", "carol", false), ("Agent", "claude-code", true)] {
                let made = try runStepguard(["keygen", "--out", root + "/keys/" + name])
                #expect(made.status == 0, "\(made.stderr)")
                let publicKey = try String(contentsOfFile: root + "/keys/\(name).pub", encoding: .utf8)
                entities.append([
                    "uid": ["type": type, "id": name], "attrs": ["approval_key": publicKey],
                    "parents": inGroup ? [["type": "Group", "id": "platform-security"]] : [],
                ])
            }
            try JSONSerialization.data(withJSONObject: entities).write(to: URL(fileURLWithPath: policies + "/entities.json"))
            try """
                @id("people-approve")
                @owner("security-engineering")
                @reason("people may approve a held call of the group they belong to")
                permit (principal is User, action == Action::"stepguard.approve", resource);

                @id("no-agent-approves")
                @owner("security-engineering")
                @reason("an agent never approves a held call")
                forbid (principal is Agent, action == Action::"stepguard.approve", resource);
                """.write(toFile: policies + "/approvals.cedar", atomically: true, encoding: .utf8)
            if let quorum {
                try editPolicies { $0.replacingOccurrences(of: #"@approve("platform-security")"#, with: "@approve(\"platform-security\")\n@quorum(\"\(quorum)\")") }
            }
        }

        func editPolicies(_ change: (String) -> String) throws {
            let path = policies + "/policies.cedar"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let changed = change(text)
            #expect(changed != text)
            try changed.write(toFile: path, atomically: true, encoding: .utf8)
        }

        /// Claude Code's event for a write of the CI workflow (held by "ci-config-needs-review").
        func write(call: String, session: String = "s1", content: String = "name: ci\non: [push]\n", post: Bool = false, extra: [String: Any] = [:]) throws -> String {
            var event: [String: Any] = [
                "session_id": session, "transcript_path": "/tmp/t.jsonl", "cwd": root, "permission_mode": "default",
                "hook_event_name": post ? "PostToolUse" : "PreToolUse", "tool_name": "Write",
                "tool_input": ["file_path": root + "/.github/workflows/ci.yml", "content": content], "tool_use_id": call,
            ]
            if post { event["tool_response"] = ["success": true] }
            for (key, value) in extra { event[key] = value }
            return String(decoding: try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]), as: UTF8.self)
        }

        func gate(_ event: String, now: String = GateApprovalTests.retried, host: String = "claude-code", _ extra: [String] = []) throws -> RunResult {
            try runStepguard(["gate", "--host", host, "--now", now] + extra, input: event)
        }

        func approve(_ name: String, call: String, session: String = "s1", now: String = GateApprovalTests.signed, _ extra: [String] = []) throws -> RunResult {
            let type = name == "claude-code" ? "Agent" : "User"
            return try runStepguard([
                "approve", "-k", root + "/keys/\(name).key", "--as", "\(type)::\"\(name)\"", "--log", log, "--session", session, "--call", call,
                "-p", policies, "--now", now,
            ] + extra)
        }

        func list(session: String = "s1", now: String = GateApprovalTests.signed, _ extra: [String] = []) throws -> RunResult {
            try runStepguard(["approve", "--list", "--log", log, "--session", session, "-p", policies, "--now", now] + extra)
        }

        /// The log's records.
        func records() throws -> [[String: Any]] {
            try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }

        /// Holds the first write (`toolu_held`) of session `session`.
        func hold(session: String = "s1") throws {
            let first = try gate(write(call: "toolu_held", session: session), now: GateApprovalTests.held)
            #expect(first.hookOutput?["permissionDecision"] as? String == "ask", "\(first.stdout)\(first.stderr)")
        }

        func remove() { project.remove() }
    }

    static func decision(_ result: RunResult) -> String? { result.hookOutput?["permissionDecision"] as? String }

    @Test func heldThenApprovedThenTheSameCallRunsOnceAndTheLogVerifies() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        var list = try s.list()
        #expect(list.status == 0)
        #expect(list.stdout.contains(#"toolu_held  approve  platform-security  1       0        User::"alice", User::"bob""#), "\(list.stdout)")
        #expect(list.stdout.contains(#"session "s1": 1 held call waiting"#))

        let signed = try s.approve("alice", call: "toolu_held", ["--note", "CHG-1"])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stdout.hasPrefix(#"approved call "toolu_held" of session "s1" as User::"alice" for "platform-security": approval "#))
        #expect(signed.stderr.contains("appended the approval to \(s.log)"))
        list = try s.list()
        #expect(list.stdout.contains(#"toolu_held  approved  platform-security  1       1"#), "\(list.stdout)")

        // The agent makes the same call again: a new call id, the same input.
        let retry = try s.gate(s.write(call: "toolu_retry"))
        #expect(retry.status == 0)
        #expect(Self.decision(retry) == "allow", "\(retry.stdout)\(retry.stderr)")
        #expect((retry.hookOutput?["permissionDecisionReason"] as? String)?.contains(#"approved by User::"alice" (platform-security)"#) == true)
        let done = try s.gate(s.write(call: "toolu_retry", post: true), now: "2026-12-07T09:11:00Z")
        #expect(done.status == 0, "\(done.stderr)")

        // The decision is the held call's, run under the retry's id, with the approval's id; the
        // execution joins it, and the approval follows the decision.
        let records = try s.records()
        let approved = try #require(records.first { $0["outcome"] as? String == "approved" && $0["kind"] as? String == "decision" })
        #expect(approved["step"] as? String == "toolu_held")
        #expect(approved["host_call_id"] as? String == "toolu_retry")
        let ids = try #require(approved["approvals"] as? [String])
        #expect(ids.count == 1 && signed.stdout.contains(ids[0]))
        #expect(records.last?["kind"] as? String == "execution" && records.last?["step"] as? String == "toolu_held")
        #expect(records[records.count - 2]["kind"] as? String == "approval")
        let verify = try runStepguard(["audit", "verify", s.log, "--policies", s.policies])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let show = try runStepguard(["audit", "show", "--plan", "s1", s.log])
        #expect(show.stdout.contains(#"step "toolu_held": executed"#), "\(show.stdout)")

        // One approval releases one call: the next identical call is held again.
        let again = try s.gate(s.write(call: "toolu_again"), now: "2026-12-07T09:12:00Z")
        #expect(Self.decision(again) == "ask", "\(again.stdout)")
        list = try s.list(now: "2026-12-07T09:12:00Z")
        #expect(list.stdout.contains(#"does not count (other_call): call "toolu_held" was released by it already: an approval releases one call"#), "\(list.stdout)")
        // A released call cannot be approved again; the call waiting for the same input can.
        let twice = try s.approve("bob", call: "toolu_held", now: "2026-12-07T09:12:00Z")
        #expect(twice.status == 2)
        #expect(twice.stderr.contains(#"call "toolu_held" of session "s1" was released already; the call held for the same input now is "toolu_again""#), "\(twice.stderr)")
        // A repeat of a waiting call is approved as the first one held for its input.
        _ = try s.gate(s.write(call: "toolu_repeat"), now: "2026-12-07T09:13:00Z")
        let repeatSigned = try s.approve("bob", call: "toolu_repeat", now: "2026-12-07T09:14:00Z")
        #expect(repeatSigned.status == 0, "\(repeatSigned.stderr)")
        #expect(repeatSigned.stdout.hasPrefix(#"approved call "toolu_again" of session "s1""#), "\(repeatSigned.stdout)")
        #expect(repeatSigned.stderr.contains(#"call "toolu_repeat" repeats call "toolu_again", held first for the same input"#))
    }

    @Test func aRetryWithAnyOtherInputIsHeldAgain() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        #expect(try s.approve("alice", call: "toolu_held").status == 0)
        let altered = try s.gate(s.write(call: "toolu_altered", content: "name: ci\non: [push, pull_request]\n"))
        #expect(Self.decision(altered) == "ask", "\(altered.stdout)")
        // The approval still waits for the call it approves.
        #expect(Self.decision(try s.gate(s.write(call: "toolu_same"), now: "2026-12-07T09:11:00Z")) == "allow")
    }

    @Test func aRejectionDenies() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        let rejected = try s.approve("bob", call: "toolu_held", ["--reject", "--note", "not this week"])
        #expect(rejected.status == 0, "\(rejected.stderr)")
        #expect(rejected.stdout.hasPrefix(#"rejected call "toolu_held" of session "s1""#))
        // Whatever approves too: one valid rejection rejects.
        #expect(try s.approve("alice", call: "toolu_held").status == 0)
        let retry = try s.gate(s.write(call: "toolu_retry"))
        #expect(Self.decision(retry) == "deny", "\(retry.stdout)")
        #expect((retry.hookOutput?["permissionDecisionReason"] as? String)?.contains(#"rejected by User::"bob" (platform-security)"#) == true)
    }

    @Test func aQuorumOfTwoNeedsTwoApprovers() throws {
        let s = try Scratch(quorum: 2)
        defer { s.remove() }
        try s.hold()
        #expect(try s.approve("alice", call: "toolu_held").status == 0)
        // The same approver twice is one approver.
        #expect(try s.approve("alice", call: "toolu_held", now: "2026-12-07T09:06:00Z").status == 0)
        let short = try s.gate(s.write(call: "toolu_one"))
        #expect(Self.decision(short) == "ask")
        #expect((short.hookOutput?["permissionDecisionReason"] as? String)?.contains(#"quorum not met: "platform-security" has 1 of 2 approvals"#) == true, "\(short.stdout)")
        #expect(try s.approve("bob", call: "toolu_held", now: "2026-12-07T09:11:00Z").status == 0)
        let retry = try s.gate(s.write(call: "toolu_two"), now: "2026-12-07T09:12:00Z")
        #expect(Self.decision(retry) == "allow", "\(retry.stdout)")
    }

    @Test func codexSaysHowToGetItApprovedAndThenRunsIt() throws {
        let s = try Scratch()
        defer { s.remove() }
        let patch = "*** Begin Patch\n*** Add File: .github/workflows/ci.yml\n+name: ci\n*** End Patch\n"
        func event(_ call: String) throws -> String {
            let object: [String: Any] = [
                "session_id": "s1", "turn_id": "t1", "transcript_path": "/tmp/t.jsonl", "cwd": s.root, "hook_event_name": "PreToolUse",
                "model": "gpt-5-codex", "permission_mode": "default", "tool_name": "apply_patch", "tool_input": ["command": patch],
                "tool_use_id": call,
            ]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let held = try s.gate(event("call_1"), now: Self.held, host: "codex")
        let reason = try #require(held.hookOutput?["permissionDecisionReason"] as? String)
        #expect(held.hookOutput?["permissionDecision"] as? String == "deny")
        let command = "stepguard approve --log \(s.log) --session s1 --call call_1 -p \(s.policies) --key KEY --as ENTITY"
        #expect(reason.contains(#"someone in "platform-security" approves call "call_1" of session "s1" with '\#(command)'"#), "\(reason)")
        // The command the message gives, with the approver's key and entity, approves it.
        var arguments = command.split(separator: " ").dropFirst().map(String.init)
        arguments = arguments.map { $0 == "KEY" ? s.root + "/keys/alice.key" : $0 == "ENTITY" ? #"User::"alice""# : $0 }
        let signed = try runStepguard(arguments + ["--now", Self.signed])
        #expect(signed.status == 0, "\(signed.stderr)")
        let retry = try s.gate(event("call_2"), host: "codex")
        #expect(retry.hookOutput?["permissionDecision"] == nil, "\(retry.stdout)")
        #expect((retry.hookOutput?["additionalContext"] as? String)?.hasPrefix("stepguard allowed this held call: approved by") == true)
    }

    /// Approvals come from the operator's approvals directory and the gate's log only.
    @Test func approvalsInTheEventOrAnotherDirectoryAreIgnored() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        let elsewhere = s.root + "/agent-approvals"
        let signed = try s.approve("alice", call: "toolu_held", ["--out", elsewhere])
        #expect(signed.status == 0, "\(signed.stderr)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: elsewhere).first)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: elsewhere + "/" + file)))
        // In the event, beside the tool input, and in a directory the event's cwd points at.
        let smuggled = try s.write(call: "toolu_retry", extra: ["approval": document, "approvals": [document]])
        var retry = try s.gate(smuggled)
        #expect(Self.decision(retry) == "ask", "\(retry.stdout)")
        try FileManager.default.createDirectory(atPath: s.root + "/sub/.stepguard/approvals", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: elsewhere + "/" + file, toPath: s.root + "/sub/.stepguard/approvals/" + file)
        let fromSub = try s.write(call: "toolu_sub").replacingOccurrences(of: #""cwd":"\#(s.root)""#, with: #""cwd":"\#(s.root)/sub""#)
        retry = try s.gate(fromSub, ["--policies", s.policies, "--log", s.log])
        #expect(Self.decision(retry) == "ask", "\(retry.stdout)\(retry.stderr)")
        // The operator's directory releases it.
        retry = try s.gate(s.write(call: "toolu_dir"), ["--approvals", elsewhere])
        #expect(Self.decision(retry) == "allow", "\(retry.stdout)\(retry.stderr)")
        // So does .stepguard/approvals/ beside the policies found from cwd, for the next held call.
        try FileManager.default.createDirectory(atPath: s.approvals, withIntermediateDirectories: true)
        _ = try s.gate(s.write(call: "toolu_next", content: "name: next\n"), now: "2026-12-07T09:11:00Z")
        #expect(try s.approve("alice", call: "toolu_next", now: "2026-12-07T09:12:00Z", ["--out", s.approvals]).status == 0)
        retry = try s.gate(s.write(call: "toolu_next2", content: "name: next\n"), now: "2026-12-07T09:13:00Z")
        #expect(Self.decision(retry) == "allow", "\(retry.stdout)\(retry.stderr)")
    }

    @Test func anApprovalForAnotherSessionDoesNotCount() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold(session: "s1")
        #expect(try s.approve("alice", call: "toolu_held", session: "s1").status == 0)
        // Another session makes the very same call, even with the same call id: its digest binds
        // its own session, and the approval names s1.
        let other = try s.gate(s.write(call: "toolu_held", session: "s2"))
        #expect(Self.decision(other) == "ask", "\(other.stdout)")
        let again = try s.gate(s.write(call: "toolu_retry", session: "s2"), now: "2026-12-07T09:11:00Z")
        #expect(Self.decision(again) == "ask", "\(again.stdout)")
        let list = try s.list(session: "s2", now: "2026-12-07T09:11:00Z")
        #expect(list.stdout.contains(#"toolu_held  approve  platform-security  1       0"#), "\(list.stdout)")
        // The session it was signed for is released by it.
        #expect(Self.decision(try s.gate(s.write(call: "toolu_s1", session: "s1"), now: "2026-12-07T09:12:00Z")) == "allow")
    }

    /// Every approval that does not count: the call stays held, and `approve --list` names why.
    enum Spoil: String, CaseIterable, Sendable {
        case badSignature = "bad_signature", unknownKey = "unknown_key", notInGroup = "not_in_group"
        case notPermitted = "not_permitted", selfApproval = "self_approval", expired, alteredStep = "altered_step"
        case planMismatch = "plan_mismatch", quorum = "quorum_not_met", otherCall = "other_call"
    }

    /// Rewrites alice's entity.
    static func editAlice(_ s: Scratch, _ change: (inout [String: Any]) -> Void) throws {
        let path = s.policies + "/entities.json"
        var entities = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]])
        let index = try #require(entities.firstIndex { ($0["uid"] as? [String: String]) == ["type": "User", "id": "alice"] })
        change(&entities[index])
        try JSONSerialization.data(withJSONObject: entities).write(to: URL(fileURLWithPath: path))
    }

    /// A signed approval `approve` would refuse to make: `approver` signs `held`'s digest (or
    /// `sha256`) for `plan`, with its own key.
    static func forge(_ s: Scratch, approver: String, key: String, plan: String, step: String, sha256: String) throws {
        let held = HeldStep(
            plan: PlanFacts(id: plan, risk: .low), stepID: step, requester: try #require(EntityRef(cedarText: #"Agent::"claude-code""#)),
            form: StepForm(action: "fs.write", resource: try #require(EntityRef(cedarText: #"File::"x""#)), args: JSONObject()), sha256: sha256,
            groups: [ApprovalGroup(name: "platform-security", quorum: 1)], clock: try #require(Clock(iso8601: signed)))
        let approval = SignedApproval.sign(
            held: held, group: "platform-security", approver: try #require(EntityRef(cedarText: approver)), decision: .approve,
            expiresAt: try #require(Clock(iso8601: "2026-12-08T09:00:00Z")), note: "", key: try SigningKey.load(path: s.root + "/keys/\(key).key"))
        try FileManager.default.createDirectory(atPath: s.approvals, withIntermediateDirectories: true)
        try JSONWriter.pretty(approval.json).write(toFile: s.approvals + "/\(approval.id).json", atomically: true, encoding: .utf8)
    }

    @Test(arguments: Spoil.allCases)
    func anApprovalThatDoesNotCountLeavesTheCallHeld(_ spoil: Spoil) throws {
        let s = try Scratch(quorum: spoil == .quorum ? 2 : nil)
        defer { s.remove() }
        try s.hold()
        let digest = try #require((s.records().first?["approval"] as? [String: Any])?["sha256"] as? String)
        var now = Self.retried
        var call = "toolu_retry"
        var signs = true
        let message: String
        switch spoil {
        case .badSignature, .unknownKey, .notInGroup, .notPermitted, .expired, .quorum, .otherCall, .alteredStep:
            break
        case .selfApproval, .planMismatch:
            signs = false
        }
        if signs {
            try FileManager.default.createDirectory(atPath: s.approvals, withIntermediateDirectories: true)
            let signed = try s.approve("alice", call: "toolu_held", ["--out", s.approvals, "--ttl", "1h"])
            #expect(signed.status == 0, "\(signed.stderr)")
        }
        var content = "name: ci\non: [push]\n"
        switch spoil {
        case .badSignature:
            let file = s.approvals + "/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: s.approvals).first))
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try text.replacingOccurrences(of: #""note": """#, with: #""note": "approved twice""#).write(toFile: file, atomically: true, encoding: .utf8)
            message = #"the signature does not verify under User::"alice"'s approval key"#
        case .unknownKey:
            let bob = try String(contentsOfFile: s.root + "/keys/bob.pub", encoding: .utf8)
            try Self.editAlice(s) { $0["attrs"] = ["approval_key": bob] }
            message = #"not by User::"alice"'s approval key"#
        case .notInGroup:
            try Self.editAlice(s) { $0["parents"] = [] }
            message = #"User::"alice" is not in Group::"platform-security""#
        case .notPermitted:
            try """
                @id("alice-is-on-leave")
                @owner("security-engineering")
                @reason("alice is on leave")
                forbid (principal == User::"alice", action == Action::"stepguard.approve", resource);
                """.write(toFile: s.policies + "/zz-leave.cedar", atomically: true, encoding: .utf8)
            message = #"("alice-is-on-leave")"#
        case .selfApproval:
            try Self.forge(s, approver: #"Agent::"claude-code""#, key: "claude-code", plan: "s1", step: "toolu_held", sha256: digest)
            message = #"Agent::"claude-code" asked for the step and cannot approve it"#
        case .expired:
            now = "2026-12-07T10:05:00Z"
            message = "it expired at 2026-12-07T10:05:00Z"
        case .alteredStep:
            // The host's id of the held call, with another input: the approval names the call,
            // but not what it now does.
            call = "toolu_held"
            content = "name: ci\non: [push, pull_request]\n"
            message = "the step changed after it was approved"
        case .planMismatch:
            try Self.forge(s, approver: #"User::"alice""#, key: "alice", plan: "s0", step: "toolu_held", sha256: digest)
            message = #"it approves this step in plan "s0", not in plan "s1""#
        case .quorum:
            message = #"quorum not met: "platform-security" has 1 of 2 approvals"#
        case .otherCall:
            // The approval released a call already.
            #expect(Self.decision(try s.gate(s.write(call: "toolu_first"), now: "2026-12-07T09:06:00Z")) == "allow")
            message = #"call "toolu_held" was released by it already: an approval releases one call"#
        }
        let retry = try s.gate(s.write(call: call, content: content), now: now)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(Self.decision(retry) == "ask", "\(spoil): \(retry.stdout)")
        // The gate's answer says why the approval does not count.
        let reason = try #require(retry.hookOutput?["permissionDecisionReason"] as? String)
        #expect(reason.contains(message), "\(reason)")
        if spoil == .quorum || spoil == .alteredStep { return }
        #expect(reason.contains("awaiting approval"), "\(reason)")
        #expect(reason.contains("does not count (\(spoil.rawValue)): "), "\(reason)")
        // The call the gate holds now is listed with the approval that does not count, and why.
        let given = ["--approvals", s.approvals]
        let list = try s.list(now: now, ["--format", "json"] + given)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(#""problem": "\#(spoil.rawValue)""#), "\(list.stdout)")
        let text = try s.list(now: now, given)
        #expect(text.stdout.contains("does not count (\(spoil.rawValue)): "), "\(text.stdout)")
        #expect(text.stdout.contains(message), "\(text.stdout)")
        // audit verify finds nothing amiss: nothing ran.
        #expect(try runStepguard(["audit", "verify", s.log]).status == 0)
    }

    @Test func approveRefusesWhatItCannotApprove() throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.hold()
        var result = try s.approve("carol", call: "toolu_held")
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"nothing signed (not_in_group): User::"carol" may not approve call "toolu_held" of session "s1""#), "\(result.stderr)")
        result = try s.approve("claude-code", call: "toolu_held")
        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing signed (self_approval)"), "\(result.stderr)")
        result = try s.approve("alice", call: "toolu_nope")
        #expect(result.status == 2)
        #expect(result.stderr.contains(#"session "s1" of \#(s.log) has no call "toolu_nope" held for approval; it holds "toolu_held""#), "\(result.stderr)")
        // The mapping changed since the call was held: it cannot be approved as it is.
        let tools = s.policies + "/tools.json"
        try String(contentsOfFile: tools, encoding: .utf8)
            .replacingOccurrences(of: #"{ "tool": "Write", "action": "fs.write""#, with: #"{ "tool": "Write", "action": "fs.delete""#)
            .write(toFile: tools, atomically: true, encoding: .utf8)
        result = try s.approve("alice", call: "toolu_held")
        #expect(result.status == 2)
        #expect(result.stderr.contains("have the agent make the call again"), "\(result.stderr)")
    }
}

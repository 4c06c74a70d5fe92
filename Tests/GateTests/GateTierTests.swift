import Foundation
import Testing

/// A live session is governed at the highest risk class it has reached: after a production
/// write it stays strict, policies read that as context.session.tier, and every decision record
/// carries the tier in force.
@Suite(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
struct GateTierTests {
    /// Decision records of the project's log, in order.
    static func decisions(_ project: Project) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: project.log, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["kind"] as? String == "decision" }
    }

    @Test func aSessionRatchetsFromStandardToStrictAfterAProductionWrite() throws {
        let project = try Project()
        defer { project.remove() }
        // A rule only a strict session meets: an outside fetch waits for a person.
        try """
            @id("strict-sessions-fetch-with-approval")
            @owner("platform-security")
            @reason("a session that changed production fetches from outside only with approval")
            @approve("security-oncall")
            forbid (principal, action, resource)
            when { context.session.tier == "strict" && context.tool.flags.contains("external") };
            """.write(toFile: project.policies + "/zz-session-tier.cedar", atomically: true, encoding: .utf8)

        let read = try project.gate("pre-read-source")
        #expect(read.status == 0, "\(read.stderr)")
        let fetch = try project.gate("pre-fetch-docs")
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout.isEmpty, "an outside fetch runs before the session touched production: \(fetch.stdout)")

        let prod = try project.gate("pre-kubectl-prod")
        #expect(prod.status == 0, "\(prod.stderr)")

        // The same kind of call again, later in the session: now governed at strict.
        var event = try project.event("pre-fetch-docs")
        event = event.replacingOccurrences(of: "toolu_0103fetchdocs", with: "toolu_0199fetchagain")
        let again = try runStepguard(["gate", "--host", "claude-code", "--now", "2026-12-07T09:05:00Z"], input: event)
        #expect(again.status == 0, "\(again.stderr)")
        let output = try #require(again.hookOutput, "stdout: \(again.stdout)")
        #expect(output["permissionDecision"] as? String == "ask")
        #expect((output["permissionDecisionReason"] as? String)?.contains("strict-sessions-fetch-with-approval") == true)

        let records = try Self.decisions(project)
        #expect(records.count == 4)
        let tiers = records.map { $0["tier"] as? String }
        #expect(tiers == ["standard", "elevated", "strict", "strict"], "\(tiers)")
        // A later read of the source, low risk on its own, stays strict.
        let reread = try runStepguard(
            ["gate", "--host", "claude-code", "--now", "2026-12-07T09:06:00Z"],
            input: try project.event("pre-read-source").replacingOccurrences(of: "\"tool_use_id\": \"", with: "\"tool_use_id\": \"again-"))
        #expect(reread.status == 0, "\(reread.stderr)")
        #expect(try Self.decisions(project).last?["tier"] as? String == "strict")
        #expect(try Self.decisions(project).last?["risk"] as? String == "high")

        // Each decision states what its tier demanded of the call, so `audit show` says it for
        // the session as it does for a plan: the log is there (met), the strict tier's
        // checkpoint and lifetime are mint's to check (not applicable here).
        let demandIDs = try Self.decisions(project).map { (($0["demands"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } }
        #expect(demandIDs.first == [], "the standard tier demands nothing of a call: \(demandIDs)")
        #expect(demandIDs.last == ["audit_log", "checkpoint", "max_ttl", "hold"], "\(demandIDs)")
        let show = try runStepguard(["audit", "show", project.log, "--format", "json"])
        #expect(show.status == 0, "\(show.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let plan = try #require((document["plans"] as? [[String: Any]])?.first, "\(show.stdout)")
        let stated = try #require(plan["demands"] as? [[String: Any]], "\(show.stdout)")
        let met = Dictionary(uniqueKeysWithValues: stated.compactMap { demand in (demand["id"] as? String).map { ($0, demand["met"]) } })
        #expect(met["audit_log"] as? Bool == true, "\(stated)")
        #expect(met["hold"] as? Bool == true, "\(stated)")
        #expect(met["checkpoint"] is NSNull, "\(stated)")
    }
}

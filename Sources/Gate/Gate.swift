import Approvals
import AuditLog
import Basics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue
import Workflow

/// Knobs of one gate run.
public struct GateOptions: Sendable {
    /// Whether answers enforce the decision.
    public var mode: GateMode
    /// The time policies see; the current time when nil.
    public var clock: Clock?
    /// The longest wait for the log's lock before the call is blocked.
    public var lockTimeoutMilliseconds: Int
    /// The identity the caller presented and proved, if any; it must be the principal decided for.
    public var identity: GateIdentity?
    /// How the host takes a rewritten input on this event; a rewrite it cannot carry is refused.
    public var inputUpdate: InputUpdate

    /// Defaults: enforce, the current time, a 5 s lock wait, no identity, inputs replaced.
    public init(
        mode: GateMode = .enforce, clock: Clock? = nil, lockTimeoutMilliseconds: Int = 5000, identity: GateIdentity? = nil,
        inputUpdate: InputUpdate = .replace
    ) {
        self.mode = mode
        self.clock = clock
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.identity = identity
        self.inputUpdate = inputUpdate
    }

    /// The time stamped on records: the pinned clock when there is one, so one log never mixes
    /// the two clocks; otherwise the clock as read under the log's lock.
    var recordTime: Date? {
        clock.map { Date(timeIntervalSince1970: TimeInterval($0.epochSeconds)) }
    }
}

/// A verified identity token, as the gate uses it. The gate does not verify tokens itself (the
/// caller does, with the credentials' verifier); it binds the identity to the principal it
/// decides for, hands the claims to policies and records what was presented.
public struct GateIdentity: Sendable {
    /// What policies read as `context.identity`.
    public var attributes: JSONValue
    /// What the decision record says of it (`method`, `token_digest`).
    public var record: JSONValue
    /// Nil when the identity is `principal` (with the policy directory's entities), else why not.
    public var refusal: @Sendable (_ principal: EntityRef, _ entities: EntityFacts) -> String?

    public init(
        attributes: JSONValue, record: JSONValue, refusal: @escaping @Sendable (_ principal: EntityRef, _ entities: EntityFacts) -> String?
    ) {
        self.attributes = attributes
        self.record = record
        self.refusal = refusal
    }
}

/// The gate's decision on one tool call.
public struct GateVerdict: Sendable, Equatable {
    /// The outcome, as `eval` would give it for the same step and history.
    public var outcome: StepOutcome
    /// The policies that decided it.
    public var policies: [String]
    /// Why, in one line.
    public var reason: String
    /// Satisfied log-only forbids (the deciding ones for `warn`).
    public var warnings: [String]
    /// Who must approve (outcome `approve`).
    public var groups: [String]
    /// The variants applied (outcome `mutate`).
    public var variant: String?
    /// The rewritten tool input, whole (outcome `mutate`).
    public var updatedInput: JSONObject?
    /// The call as the catalog sees it; nil when no rule maps it.
    public var mapped: MappedCall?
    /// The `seq` of the decision record.
    public var seq: Int
    /// The step id the call was decided under: the host's call id, or the one derived for it;
    /// for a call that signed approvals released, the id of the held call they approve.
    public var step: String = ""
    /// For a held call: the `stepguard approve` command that approves it (the approver fills in
    /// `KEY` and `ENTITY`).
    public var approveCommand: String = ""

    /// The outcome with its variants, as decision records label it (`mutate:force-with-lease`).
    public var label: String {
        outcome == .mutate ? "mutate:\(variant ?? "")" : outcome.rawValue
    }

    /// The sentence the host shows: what stepguard decided, by which policies, and why.
    public var message: String {
        let names = policies.map { "\"\($0)\"" }.joined(separator: ", ")
        switch outcome {
        case .deny, .blocked:
            return "stepguard denied this call" + (policies.isEmpty ? "" : " (\(names))") + ": \(reason)"
        case .mutate:
            return "stepguard rewrote this call to \"\(variant ?? "")\"" + (policies.isEmpty ? "" : " (\(names))") + ": \(reason)"
        case .approve:
            let who = groups.map { "\"\($0)\"" }.joined(separator: " and ")
            return "stepguard holds this call for approval by \(who)" + (policies.isEmpty ? "" : " (\(names))") + ": \(reason)"
        case .warn:
            return "stepguard log-only policy \(names) would stop this call: \(reason)"
        case .allow:
            return "stepguard allowed this call" + (policies.isEmpty ? "" : " (\(names))")
        case .approved:
            return "stepguard allowed this held call: \(reason)"
        }
    }

    /// The message of a held call for a host that cannot ask its user: the call is not run, and
    /// the text says who must approve which step of which session.
    public func heldWithoutPrompt(session: String) -> String {
        let who = groups.map { "\"\($0)\"" }.joined(separator: " or ")
        return message + "; this host cannot ask for approval, so the call was not run: someone in \(who) approves call \"\(step)\" of session \"\(session)\" with '\(approveCommand)', then the same call, unchanged, runs when it is made again"
    }
}

/// Decides live tool calls of an agent host, and records them in the audit log.
public enum Gate {
    /// Decides `call` of `host` against `policies`, with the session's earlier calls from the
    /// log at `locations.log` as its history, and appends the decision to that log. Reading the
    /// history, deciding and appending happen under the log's lock, so parallel calls of one
    /// session are decided one after the other, in the log's order.
    public static func decide(
        _ call: ToolCall, host: String, policies: GatePolicies, locations: GateLocations, options: GateOptions
    ) throws(GateError) -> GateVerdict {
        var verdict = try inSession(call, locations: locations, options: options, deciding: true) { view throws(GateError) in
            var call = call
            if call.toolUseID.isEmpty { call.toolUseID = derivedStep(call, calls: try view.calls()) }
            let history = try view.history()
            func attempt(_ policies: GatePolicies) throws(GateError) -> (GateVerdict, [JSONValue]) {
                try decideLocked(
                    call, host: host, policies: policies, root: locations.root, history: history, options: options
                ) { () throws(GateError) in
                    try view.approvals(directory: locations.approvals)
                }
            }
            // A part of the compiled-policy cache that did not match its checksum answered
            // nothing while deciding, or policies read for some actions were asked about
            // another: whatever came of it, the call is decided again with every policy.
            let first: Result<(GateVerdict, [JSONValue]), GateError>
            do throws(GateError) { first = .success(try attempt(policies)) } catch { first = .failure(error) }
            if let fresh = try policies.reloaded() { return try attempt(fresh) }
            return try first.get()
        }
        verdict.0.seq = verdict.1
        verdict.0.approveCommand = approveCommand(verdict.0, session: call.session, locations: locations)
        return verdict.0
    }

    /// The command that approves held call `verdict` (its key and entity left to the approver).
    static func approveCommand(_ verdict: GateVerdict, session: String, locations: GateLocations) -> String {
        guard verdict.outcome == .approve else { return "" }
        return "stepguard approve --log \(ShellWord.quote(locations.log)) --session \(ShellWord.quote(session)) --call \(ShellWord.quote(verdict.step)) -p \(ShellWord.quote(locations.policies)) --key KEY --as ENTITY"
    }

    /// Records that `call` ran (or failed): an execution record joined to its decision by the
    /// host's tool-call id. A call the gate held for approval that ran anyway was approved at
    /// the host's prompt: an approval record says so before the execution.
    ///
    /// A call without a host id is joined to the session's first unfinished call derived from the
    /// same tool and input (or rewritten to that input), one that was not denied where there is
    /// one; returns the `seq` of the first record.
    @discardableResult
    public static func record(
        _ call: ToolCall, result: ToolResult, host: String, locations: GateLocations, options: GateOptions
    ) throws(GateError) -> Int {
        try inSession(call, locations: locations, options: options) { view throws(GateError) in
            let calls = try view.calls()
            var call = call
            if call.toolUseID.isEmpty {
                let digest = CallDigest.of(tool: call.tool, input: call.input)
                let open = calls.filter { !$0.executed && ($0.step.hasPrefix(CallDigest.prefix(digest)) || $0.inputDigest == digest) }
                // A denied call did not run: an identical call decided after it is the one that ended.
                let denied: Set<String> = [StepOutcome.deny.rawValue, StepOutcome.blocked.rawValue]
                call.toolUseID = (open.first { !denied.contains($0.outcome) } ?? open.first)?.step ?? derivedStep(call, calls: calls)
            }
            // A retry that signed approvals released ran as the held call it repeats.
            if let released = calls.first(where: { $0.hostCalls.contains { $0.isExactly(call.toolUseID) } }),
               !calls.contains(where: { $0.step.isExactly(call.toolUseID) }) {
                call.toolUseID = released.step
            }
            let decision = calls.first { $0.step.isExactly(call.toolUseID) }
            var events: [JSONValue] = []
            if decision?.outcome == StepOutcome.approve.rawValue && decision?.released == false {
                events.append(adding([("host", .string(host)), ("via", "host-prompt")], to: AuditEvent.approval(
                    plan: call.session, step: call.toolUseID, approver: "host:\(host)", approved: true)))
            }
            var outcome: [(String, JSONValue)] = [("succeeded", .bool(result.succeeded))]
            if let error = result.error { outcome.append(("error", .string(String(error.prefix(1000))))) }
            if result.interrupted { outcome.append(("interrupted", true)) }
            events.append(adding([("host", .string(host)), ("tool", .string(call.tool)), ("result", .object(JSONObject(outcome)))],
                to: AuditEvent.execution(
                    plan: call.session, step: call.toolUseID, principal: decision?.principal,
                    action: decision?.action, resource: decision?.resource,
                    outcome: result.succeeded ? "succeeded" : "failed")))
            return ((), events)
        }.1
    }

    /// The step id of a call its host gave no id: `call-DIGEST-n` for the n-th call of the
    /// session with that tool and input.
    static func derivedStep(_ call: ToolCall, calls: [SessionCall]) -> String {
        let prefix = CallDigest.prefix(CallDigest.of(tool: call.tool, input: call.input))
        return prefix + String(calls.filter { $0.step.hasPrefix(prefix) }.count + 1)
    }

    /// The critical section of one session: under the log's lock, its calls are read, `body`
    /// turns them into a result and the events to append, and the events are appended (with the
    /// session's index brought up to date). Returns the result and the `seq` of the first event.
    /// With `deciding`, what a decision reads of the history is gathered as the records are read.
    static func inSession<T>(
        _ call: ToolCall, locations: GateLocations, options: GateOptions, deciding: Bool = false,
        _ body: (SessionView) throws(GateError) -> (T, [JSONValue])
    ) throws(GateError) -> (T, Int) {
        try inSession(
            call.session, log: locations.log, lockTimeoutMilliseconds: options.lockTimeoutMilliseconds, now: options.recordTime,
            deciding: deciding, body)
    }

    /// The critical section of session `session` in the log at `log` (see above).
    static func inSession<T>(
        _ session: String, log path: String, lockTimeoutMilliseconds: Int, now: Date?, deciding: Bool = false,
        _ body: (SessionView) throws(GateError) -> (T, [JSONValue])
    ) throws(GateError) -> (T, Int) {
        do {
            return try AuditLog.withLock(path: path, timeoutMilliseconds: lockTimeoutMilliseconds) { log in
                let reader = SessionLog(log: log, session: session)
                let state = try reader.read(gatheringHistory: deciding)
                ProcessLifetime.keep(state)
                let (result, events) = try body(SessionView(log: reader, state: state))
                let appended = try reader.append(events, after: state, now: now)
                return (result, appended[0].seq)
            }
        } catch let error as GateError {
            throw error
        } catch let error as AuditError {
            throw .log(error)
        } catch {
            throw .log(.io(path: path, operation: "record the call", message: "\(error)"))
        }
    }

    /// Appends `events` (records of session `session`, such as the approval `stepguard approve`
    /// signs) to the gate's log at `log` as the gate appends its own: under the log's lock, each
    /// chained to the session's record before it by `session_prev`, with the session's index
    /// brought up to date. Returns the records written.
    @discardableResult
    public static func appendToSession(
        _ events: [JSONValue], session: String, log: String, now: Date? = nil, lockTimeoutMilliseconds: Int = 5000
    ) throws(GateError) -> Int {
        try inSession(session, log: log, lockTimeoutMilliseconds: lockTimeoutMilliseconds, now: now) { _ throws(GateError) in
            ((), events)
        }.1
    }

    // MARK: - Deciding

    /// Why no rule maps `call`. When rules name its tool but none applied, the tool input is
    /// not shaped as they expect (a field they read is missing, or no pattern matched), so the
    /// reason names those rules and the input's fields: a host whose tool input names a field
    /// differently is then a deny that says where to look, never an allow.
    static func unmappedReason(_ call: ToolCall, host: String, catalog: GateCatalog) -> String {
        guard catalog.hosts[host] != nil else {
            return "tools.json maps no tool of host \"\(host)\"; add \"hosts\": {\"\(host)\": {\"tools\": [...]}} to \(catalog.file)"
        }
        let rules = catalog.rulePaths(host: host, tool: call.tool)
        guard !rules.isEmpty else {
            return "no rule in \(catalog.file) maps tool \"\(call.tool)\"; add {\"tool\": \"\(call.tool)\", \"action\": ..., \"resource\": ...} to hosts.\(host).tools, or a \"default\" rule"
        }
        let fields = call.input.keys.sorted().map { "\"\($0)\"" }
        let shown = rules.count > 3 ? rules.prefix(3).joined(separator: ", ") + " and \(rules.count - 3) more" : rules.joined(separator: ", ")
        return "no rule in \(catalog.file) maps this call of tool \"\(call.tool)\": \(shown) \(rules.count == 1 ? "names" : "name") the tool but not this input"
            + " (its fields: \(fields.isEmpty ? "none" : fields.joined(separator: ", "))); change those rules' input patterns or templates to fit it, or add a rule or a \"default\""
    }

    /// Decides `call`; `approvals` gives the signed approvals that may release it when it is held
    /// (nil: a held call stays held, as in `replay`).
    static func decideLocked(
        _ call: ToolCall, host: String, policies: GatePolicies, root: String, history: SessionHistory,
        options: GateOptions, approvals: (() throws(GateError) -> SessionApprovals)? = nil
    ) throws(GateError) -> (GateVerdict, [JSONValue]) {
        let catalog = policies.catalog
        let sessionRisk = history.risk
        let principal = catalog.hosts[host]?.principal ?? EntityRef(type: "Agent", id: host)
        if let identity = options.identity, let refusal = identity.refusal(principal, policies.bundle.entities) {
            throw .identity(refusal)
        }
        try catalog.compilePatterns(host: host, tool: call.tool)
        guard let mapped = catalog.map(call, host: host, root: root) else {
            let reason = Self.unmappedReason(call, host: host, catalog: catalog)
            let verdict = GateVerdict(
                outcome: .deny, policies: [], reason: reason, warnings: [], groups: [], variant: nil, updatedInput: nil, mapped: nil, seq: 0,
                step: call.toolUseID)
            // No action and no resource: nothing was mapped, so the record says only who was
            // denied what and why.
            let record = JSONValue.object(JSONObject([
                ("kind", "decision"), ("plan", .string(call.session)), ("step", .string(call.toolUseID)),
                ("principal", .string(principal.description)),
                ("outcome", "deny"), ("reason", .string(reason)), ("label", "deny"),
                ("clock", .string((options.clock ?? Clock.now()).description)),
                ("risk", .string(sessionRisk.rawValue)), ("tier", .string(sessionRisk.tier.rawValue)),
            ]))
            return (verdict, [adding(gateMembers(call, host: host, options: options), to: record)])
        }
        let resources = GateResources(catalog: catalog, entities: policies.bundle.entities, root: root)
        let context = JSONObject([
            ("resource", resources.attributes(mapped.resource).json(mapped.resource)),
            ("host", .object(JSONObject([("name", .string(host)), ("tool", .string(call.tool)), ("cwd", .string(call.cwd))]))),
        ] + (options.identity.map { [("identity", $0.attributes)] } ?? []))
        let prepared = StepJudge.prepare(
            call: call, mapped: mapped, context: context, history: history, bundle: policies.bundle, resources: resources)
        let clock = options.clock ?? Clock.now()
        // The tier in force: the session's class so far, raised by this call when it reaches higher.
        let risk = max(sessionRisk, prepared.risk.riskClass)
        var bundle = policies.bundle
        var refusals: [String] = []
        var evaluation: StepEvaluation
        var updatedInput: JSONObject?
        // A rewrite the tool input cannot carry out exactly falls through to the next remedy:
        // its variant is taken out of the catalog and the call decided again.
        while true {
            evaluation = try StepJudge.judge(prepared, session: call.session, risk: risk, bundle: bundle, clock: clock)
            guard evaluation.outcome == .mutate, let rewrite = evaluation.rewrite else { break }
            switch carryOut(rewrite, call: call, host: host, catalog: catalog, bundle: bundle, root: root, update: options.inputUpdate) {
            case .success(let input):
                updatedInput = input
            case .failure(let refusal):
                refusals.append("rewrite \"\(rewrite.hops[0].variant)\" refused: \(refusal.message)")
                let action = rewrite.hops[0].from.action
                bundle.catalog.actions[action]?.variants.removeAll { $0.name.isExactly(rewrite.hops[0].variant) }
                continue
            }
            break
        }
        if !refusals.isEmpty && evaluation.outcome != .mutate { evaluation.reason += "; " + refusals.joined(separator: "; ") }
        var extra = gateMembers(call, host: host, options: options)
        var approvalEvents: [JSONValue] = []
        if evaluation.outcome == .approve, let approvals {
            // Signed approvals are read only for a held call, and judged as eval judges them.
            let judge = try approvals()
            let judged = try StepJudge.judge(prepared, session: call.session, risk: risk, bundle: bundle, clock: clock, approvals: judge)
            // A call no approval names is held as before, its reason unchanged.
            if judged.outcome != .approve || judged.approvals?.checks.isEmpty == false { evaluation = judged }
            if evaluation.outcome == .approve {
                // Why each approval given for it does not count, as eval warns.
                for check in evaluation.approvals?.checks ?? [] where !check.counts { evaluation.reason += "; " + check.summary }
            }
            if evaluation.outcome == .approved {
                // Released: the decision is the held call's (the one the approvals name), run under
                // this call's host id. The approvals that released it follow it in the log (again,
                // when they are there already), so the step's latest record allows it to run.
                guard let sha256 = evaluation.approval?.sha256, let target = judge.target(sha256),
                      let released = evaluation.approvals, !released.approvalIDs.isEmpty else {
                    throw .approvals(.unusable(message: "approvals released call \"\(call.toolUseID)\" without naming the held call they release"))
                }
                evaluation.id = target.step
                extra.append(("host_call_id", .string(call.toolUseID)))
                for id in released.approvalIDs {
                    guard let approval = judge.set.approval(id) else { continue }
                    approvalEvents.append(AuditEvent.approval(
                        plan: approval.plan, step: approval.step, approver: approval.approver.description, approved: true, document: approval.json))
                }
            }
        }
        let verdict = GateVerdict(
            outcome: evaluation.outcome, policies: evaluation.policies, reason: evaluation.reason, warnings: evaluation.warnings,
            groups: evaluation.approval?.groups ?? [], variant: evaluation.rewrite?.variantPath, updatedInput: updatedInput,
            mapped: mapped, seq: 0, step: evaluation.id)
        extra.append(("rule", .string(mapped.rule)))
        if !evaluation.warnings.isEmpty { extra.append(("warnings", .array(evaluation.warnings.map(JSONValue.string)))) }
        // The gate always writes its log; what else the tier demanded of this call goes into
        // the record, so that `audit show` states it for live sessions as for plans.
        let demands = bundle.tiers.report(
            risk: risk, facts: TierFacts(issues: true, auditLog: true, held: evaluation.tierHold.isEmpty ? [] : [call.toolUseID]))
        var events = [adding(extra, to: DecisionRecords.decision(evaluation, plan: call.session, clock: clock, risk: risk, demands: demands))]
            + approvalEvents
        if let mutation = DecisionRecords.mutation(evaluation, original: prepared.step.form, plan: call.session) {
            var members: [(String, JSONValue)] = [("host", .string(host))]
            if let input = updatedInput {
                members.append(("input", .object(input)))
                members.append(("input_digest", .string(CallDigest.of(tool: call.tool, input: input))))
            }
            events.append(adding(members, to: mutation))
        }
        return (verdict, events)
    }

    struct Refusal: Error { let message: String }

    /// The tool input after the input edits of every hop, when it maps back to exactly the
    /// rewritten step the policies allowed: the same action and resource, and the same value
    /// of every argument a variant sets.
    static func carryOut(
        _ rewrite: Rewrite, call: ToolCall, host: String, catalog: GateCatalog, bundle: PolicyBundle, root: String, update: InputUpdate
    ) -> Result<JSONObject, Refusal> {
        if update == .none {
            return .failure(Refusal(message: "host \"\(host)\" cannot update a tool input on this event, so the tool call cannot be rewritten"))
        }
        var input = call.input
        var variantArgs = Set<String>()
        for hop in rewrite.hops {
            guard catalog.inputEdits[hop.from.action]?[hop.variant] != nil else {
                return .failure(Refusal(message: "variant \"\(hop.variant)\" of \"\(hop.from.action)\" has no \"input\" edits in \(catalog.file), so the tool call cannot be rewritten"))
            }
            guard let next = catalog.edit(input, action: hop.from.action, variant: hop.variant) else {
                return .failure(Refusal(message: "the input edits of \"\(hop.variant)\" need a string field the call does not have"))
            }
            input = next
            for key in bundle.catalog.actions[hop.from.action]?.variant(hop.variant)?.args.keys ?? [] { variantArgs.insert(key) }
        }
        var edited = call
        edited.input = input
        let final = rewrite.final
        guard let remapped = catalog.map(edited, host: host, root: root) else {
            return .failure(Refusal(message: "no rule maps the rewritten input"))
        }
        guard remapped.action == final.action, remapped.resource == final.resource else {
            return .failure(Refusal(message: "the rewritten input maps to \(remapped.action) on \(remapped.resource) (\(remapped.rule)), not to the variant's \(final.action) on \(final.resource)"))
        }
        for key in variantArgs.sorted() where remapped.args[key] != final.args[key] {
            return .failure(Refusal(message: "the rewritten input maps to args.\(key) = \(remapped.args[key].map(CanonicalJSON.string) ?? "nothing"), not the variant's \(final.args[key].map(CanonicalJSON.string) ?? "nothing")"))
        }
        if update == .merge, let dropped = call.input.keys.first(where: { input[$0] == nil }) {
            return .failure(Refusal(message: "host \"\(host)\" merges a rewritten input over the call's, so it cannot remove \"\(dropped)\""))
        }
        return .success(input)
    }

    // MARK: - Records

    static func gateMembers(_ call: ToolCall, host: String, options: GateOptions) -> [(String, JSONValue)] {
        // The input as the host sent it, so that `replay` can decide the call again under other
        // policies and mappings.
        var members: [(String, JSONValue)] = [
            ("host", .string(host)), ("tool", .string(call.tool)), ("cwd", .string(call.cwd)), ("input", .object(call.input)),
        ]
        if options.inputUpdate != .replace { members.append(("input_update", .string(options.inputUpdate.rawValue))) }
        if options.mode == .logOnly { members.append(("mode", .string(GateMode.logOnly.rawValue))) }
        if let identity = options.identity { members.append(("identity", identity.record)) }
        return members
    }

    static func adding(_ members: [(String, JSONValue)], to event: JSONValue) -> JSONValue {
        guard case .object(var object) = event else { return event }
        for (key, value) in members { object[key] = value }
        return .object(object)
    }
}

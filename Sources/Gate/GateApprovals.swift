import Approvals
import AuditLog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue
import Workflow

/// A call of a session that the gate held for approval, as its first decision record tells it.
public struct HeldCall: Sendable {
    /// The session's record of the call: its step id (the host's call id), outcome and state.
    public var call: SessionCall
    /// The host, tool, tool input and working directory the call came with.
    public var host: String
    public var tool: String
    public var input: JSONObject
    public var cwd: String
    /// The digest an approval is bound to (see `StepJudge.prepare`), and the groups it waits for.
    public var sha256: String
    public var groups: [String]
    /// The policies that held it (empty for a tier's hold), and why.
    public var policies: [String]
    public var reason: String
    /// The risk class in force when it was decided.
    public var risk: RiskClass

    /// The step id.
    public var step: String { call.step }

    /// The held call of decision record `record`; nil when the record is not a gate's held call.
    init?(_ record: JSONObject, call: SessionCall) {
        guard record["kind"]?.stringValue == "decision", let approval = record["approval"]?.objectValue,
              let sha256 = approval["sha256"]?.stringValue, let groups = approval["groups"]?.arrayValue?.compactMap(\.stringValue),
              let host = record["host"]?.stringValue, let tool = record["tool"]?.stringValue,
              case .object(let input)? = record["input"], let cwd = record["cwd"]?.stringValue else { return nil }
        self.call = call
        self.host = host
        self.tool = tool
        self.input = input
        self.cwd = cwd
        self.sha256 = sha256
        self.groups = groups
        self.policies = record["policies"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.reason = record["reason"]?.stringValue ?? ""
        self.risk = record["risk"]?.stringValue.flatMap(RiskClass.init(rawValue:)) ?? .high
    }

    /// The tool call of session `session` as the host sent it.
    public func toolCall(session: String) -> ToolCall {
        ToolCall(session: session, toolUseID: call.step, tool: tool, input: input, cwd: cwd)
    }
}

/// The signed approvals that may release a session's held calls, judged as `eval` judges them
/// (`ApprovalSet`), and bound to one call: an approval names the held call it approves, and it
/// counts only for the session's first waiting call held with the same digest. Once that call
/// was released (or ran) the approval is spent, so one approval releases one call.
///
/// A rejection is not bound so: any valid rejection of the digest in the session denies it.
public struct SessionApprovals: ApprovalJudge {
    /// The approvals read.
    public var set: ApprovalSet
    /// The session id.
    public var session: String
    /// The session's held calls, in log order.
    public var held: [HeldCall]

    /// Creates a judge.
    public init(set: ApprovalSet, session: String, held: [HeldCall]) {
        self.set = set
        self.session = session
        self.held = held
    }

    /// The held call an approval of a call with digest `sha256` releases now: the session's first
    /// call held with that digest that was neither released nor run.
    public func target(_ sha256: String) -> HeldCall? {
        held.first { $0.sha256 == sha256 && $0.call.isOpen }
    }

    public func checks(for step: HeldStep, bundle: PolicyBundle) -> [ApprovalCheck] {
        let target = target(step.sha256)
        return set.checks(for: step, bundle: bundle).map { check in
            guard check.counts, check.decision == .approve, let approval = set.approval(check.id),
                  !(target.map { approval.step.isExactly($0.step) } ?? false) else {
                return check
            }
            var spoiled = check
            spoiled.problem = .otherCall
            spoiled.message = otherCall(approval.step, digest: step.sha256, target: target)
            return spoiled
        }
    }

    /// Why an approval of call `named` does not release a call with digest `digest` now.
    func otherCall(_ named: String, digest: String, target: HeldCall?) -> String {
        guard let call = held.first(where: { $0.step.isExactly(named) && $0.sha256 == digest }) else {
            return "it names call \"\(named)\", which is not a call of session \"\(session)\" held for this input"
        }
        if call.call.released { return "call \"\(named)\" was released by it already: an approval releases one call" }
        if call.call.executed { return "call \"\(named)\" ran already: an approval releases one call" }
        return "it approves call \"\(named)\", but call \"\(target?.step ?? "")\" was held for this input first and waits"
    }
}

/// A session's records as the gate read them under the log's lock.
struct SessionView {
    let log: SessionLog
    let state: SessionLog.State

    /// The session's calls, read from its records.
    func calls() throws(GateError) -> [SessionCall] { SessionLog.calls(try log.records(state)) }

    /// What deciding a call needs of the session's calls.
    func history() throws(GateError) -> SessionHistory { try log.history(state) }

    /// The session's held calls in `state` (its lines read), each as its first decision record
    /// tells it, in log order.
    private func heldCalls(in state: SessionLog.State) throws(GateError) -> [HeldCall] {
        let records = try log.records(state)
        // Step ids compare exactly, as `SessionLog.calls` tells calls apart.
        var first: [ExactString: Int] = [:]
        for (index, record) in records.enumerated() where record.kind == "decision" {
            if let step = record.step, first[ExactString(step)] == nil { first[ExactString(step)] = index }
        }
        var held: [HeldCall] = []
        for call in SessionLog.calls(records) where call.outcome == StepOutcome.approve.rawValue {
            guard let index = first[ExactString(call.step)], let record = try log.object(state, index), let found = HeldCall(record, call: call) else { continue }
            held.append(found)
        }
        return held
    }

    /// The judge of the session's held calls: the signed approvals of `directory` (when given)
    /// and those the session's `approval` records in the log carry. Records without a signed
    /// approval (a host's prompt) release nothing and are passed over.
    func approvals(directory: String?) throws(GateError) -> SessionApprovals {
        var set = ApprovalSet()
        do throws(ApprovalError) {
            if let directory { try set.load(directory: directory) }
        } catch {
            throw .approvals(error)
        }
        let state = try log.verified(state)
        for (index, record) in try log.records(state).enumerated() where record.kind == "approval" {
            // A record that cannot be read back may be a rejection: passing it over could release
            // the call it rejects, so the call is not decided at all.
            guard let object = try log.object(state, index) else {
                throw .log(.logDoesNotVerify(path: log.log.path, firstFault: "the approval record at byte \(state.lines[index].lowerBound) is not a JSON object"))
            }
            guard let document = object["approval"] else { continue }
            do throws(ApprovalError) {
                set.add(try SignedApproval(json: document, file: "\(log.log.path): seq \(object["seq"]?.int64Value ?? 0)"))
            } catch {
                throw .approvals(error)
            }
        }
        return SessionApprovals(set: set, session: log.session, held: try heldCalls(in: state))
    }
}

/// A word for a POSIX shell: as it is when it needs no quoting, else in single quotes.
enum ShellWord {
    static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "_./:=@%+-,".unicodeScalars.contains(scalar)
        }
        return plain ? word : "'" + word.replacing("'", with: "'\\''") + "'"
    }
}

extension Gate {
    /// The held calls of `session` in the gate's log at `log`, with the signed approvals that
    /// may release them (those of `directories` and the session's approval records), read under
    /// the log's lock as the gate reads them.
    public static func sessionApprovals(
        session: String, log: String, directories: [String] = [], lockTimeoutMilliseconds: Int = 5000
    ) throws(GateError) -> SessionApprovals {
        guard FileManager.default.fileExists(atPath: log) else {
            throw .notConfigured("\(log): no such audit log; pass the log the gate writes (.stepguard/audit.log)")
        }
        do {
            return try AuditLog.withLock(path: log, timeoutMilliseconds: lockTimeoutMilliseconds) { locked in
                let reader = SessionLog(log: locked, session: session)
                var judge = try SessionView(log: reader, state: try reader.read()).approvals(directory: nil)
                for directory in directories {
                    do throws(ApprovalError) {
                        try judge.set.load(directory)
                    } catch {
                        throw GateError.approvals(error)
                    }
                }
                return judge
            }
        } catch let error as GateError {
            throw error
        } catch let error as AuditError {
            throw .log(error)
        } catch {
            throw .log(.io(path: log, operation: "read the session", message: "\(error)"))
        }
    }

    /// The held step an approval of `held` signs, as the gate decides the call now under
    /// `policies`: the call mapped again and its digest computed as the gate computes it. A
    /// call that no longer maps, or maps to another step than the one held (the policies or the
    /// mapping changed), cannot be approved: the agent makes it again and the gate holds it anew.
    public static func heldStep(_ held: HeldCall, session: String, policies: GatePolicies, log: String, clock: Clock) throws(GateError) -> HeldStep {
        let catalog = policies.catalog
        let root = try GateLocations.resolve(policies: policies.bundle.directory.path, log: log, cwd: held.cwd, environment: [:]).root
        let call = held.toolCall(session: session)
        try catalog.compilePatterns(host: held.host, tool: held.tool)
        let stale = "have the agent make the call again, so that the gate holds it as the policies decide it now"
        guard let mapped = catalog.map(call, host: held.host, root: root) else {
            throw .notConfigured("call \"\(held.step)\" of session \"\(session)\" no longer maps to a catalog action under \(policies.bundle.directory.path); \(stale)")
        }
        let resources = GateResources(catalog: catalog, entities: policies.bundle.entities, root: root)
        let prepared = StepJudge.prepare(call: call, mapped: mapped, context: JSONObject(), history: .empty, bundle: policies.bundle, resources: resources)
        let sha256 = stepDigest(.object(prepared.step.raw))
        guard sha256 == held.sha256 else {
            throw .notConfigured("call \"\(held.step)\" of session \"\(session)\" maps to \(mapped.action) on \(mapped.resource) with sha256 \(sha256.prefix(16))… now, not to the step held with sha256 \(held.sha256.prefix(16))…; \(stale)")
        }
        return HeldStep(
            plan: PlanFacts(id: session, risk: held.risk), stepID: held.step, requester: mapped.principal, form: prepared.step.form,
            sha256: sha256, groups: zip(held.groups, policies.bundle.quorums(held.groups, policies: held.policies)).map { ApprovalGroup(name: $0, quorum: $1) },
            clock: clock)
    }
}

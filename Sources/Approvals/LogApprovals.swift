import AuditLog
import JSONValue
import Workflow

/// What `audit verify --policies DIR` adds to the log's own checks (DESIGN §8): every approval
/// record carries a signed approval that counts under DIR (signature, key, group, authority,
/// plan), and every execution of a held step has enough valid approvals before it.
public enum LogApprovals {
    /// The findings for the log at `path`, judged under `bundle`. Lines that are not records are
    /// the log check's own findings and are passed over here.
    public static func verify(logAt path: String, bundle: PolicyBundle) throws(ApprovalError) -> [AuditFinding] {
        var records: [(line: Int, object: JSONObject)] = []
        for (index, text) in try ApprovalSet.read(path).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard !text.isEmpty, let object = (try? JSONParser.parse(Array(text)))?.objectValue else { continue }
            if ["decision", "approval", "execution"].contains(object["kind"]?.stringValue ?? "") { records.append((index + 1, object)) }
        }
        // The steps the log holds, by digest: what an approval is checked against.
        var held: [String: HeldStep] = [:]
        for (_, object) in records where object["kind"]?.stringValue == "decision" {
            if let step = heldStep(object, bundle: bundle) { held[step.sha256] = step }
        }
        var findings: [AuditFinding] = []
        var counted: [String: [SignedApproval]] = [:]
        var holding: [String: HeldStep] = [:]
        for (line, object) in records {
            let plan = object["plan"]?.stringValue ?? "", step = object["step"]?.stringValue ?? ""
            let key = plan + "\u{0}" + step
            let seq = object["seq"]?.int64Value.map { Int($0) }
            func fault(_ kind: FindingKind, _ message: String) {
                findings.append(AuditFinding(kind: kind, seq: seq, line: line, plan: plan, step: step, message: message))
            }
            switch object["kind"]?.stringValue {
            case "decision":
                holding[key] = object["approval"] != nil ? heldStep(object, bundle: bundle) : nil
            case "approval":
                guard let document = object["approval"] else {
                    fault(.invalidApproval, "approval of step \"\(step)\" of plan \"\(plan)\" carries no signed approval, so it releases nothing")
                    continue
                }
                let approval: SignedApproval
                do {
                    approval = try SignedApproval(json: document, file: "\(path):\(line)")
                } catch {
                    fault(.invalidApproval, error.description)
                    continue
                }
                let outcome = approval.decision == .approve ? "approved" : "rejected"
                guard approval.plan == plan, approval.step == step, object["principal"]?.stringValue == approval.approver.description,
                      object["outcome"]?.stringValue == outcome else {
                    fault(.invalidApproval, "the record's plan, step, principal or outcome differ from the signed approval \(approval.id) it carries")
                    continue
                }
                guard var target = held[approval.sha256] else {
                    fault(.invalidApproval, "approval \(approval.id) approves a step (sha256 \(approval.sha256.prefix(16))…) that no decision record of the log holds")
                    continue
                }
                // Signature and authority at the time it was signed; expiry counts at execution.
                target.clock = approval.issuedAt
                if let (problem, message) = ApprovalSet.problem(approval, held: target, bundle: bundle) {
                    fault(.invalidApproval, "approval \(approval.id) by \(approval.approver) does not count (\(problem.rawValue)): \(message)")
                    continue
                }
                counted[key, default: []].append(approval)
            case "execution":
                guard var target = holding[key] else { continue }
                if let time = object["time"]?.stringValue, let clock = Clock(iso8601: time) { target.clock = clock }
                let checks = (counted[key] ?? []).map { approval in
                    let problem = ApprovalSet.problem(approval, held: target, bundle: bundle)
                    return ApprovalCheck(
                        id: approval.id, approver: approval.approver.description, group: approval.group, decision: approval.decision,
                        problem: problem?.0, message: problem?.1 ?? "")
                }
                let tally = ApprovalOutcome.tally(checks, held: target)
                if tally.outcome != .approved {
                    fault(.unauthorizedExecution, "held step \"\(step)\" of plan \"\(plan)\" ran without valid approvals before it: \(tally.reason)")
                }
            default:
                break
            }
        }
        return findings
    }

    /// The held step a decision record describes (its `approval` member), without its arguments,
    /// which the record does not carry.
    static func heldStep(_ object: JSONObject, bundle: PolicyBundle) -> HeldStep? {
        guard let approval = object["approval"]?.objectValue, let sha256 = approval["sha256"]?.stringValue,
              let groups = approval["groups"]?.arrayValue?.compactMap(\.stringValue),
              let plan = object["plan"]?.stringValue, let step = object["step"]?.stringValue,
              let requester = object["principal"]?.stringValue.flatMap(EntityRef.init(cedarText:)),
              let action = object["action"]?.stringValue,
              let resource = object["resource"]?.stringValue.flatMap(EntityRef.init(cedarText:)) else { return nil }
        let policies = object["policies"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let risk = object["risk"]?.stringValue.flatMap(RiskClass.init(rawValue:)) ?? .high
        let clock = object["clock"]?.stringValue.flatMap(Clock.init(iso8601:)) ?? Clock(epochSeconds: 0)
        return HeldStep(
            plan: PlanFacts(id: plan, risk: risk), stepID: step, requester: requester,
            form: StepForm(action: action, resource: resource, args: JSONObject()), sha256: sha256,
            groups: zip(groups, bundle.quorums(groups, policies: policies)).map { ApprovalGroup(name: $0, quorum: $1) }, clock: clock)
    }
}

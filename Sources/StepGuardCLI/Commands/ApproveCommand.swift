import Approvals
import AuditLog
import Credentials
import Foundation
import JSONValue
import Workflow

/// `stepguard approve --key KEY --as ENTITY PLAN --step ID`, and `approve --list PLAN`
enum ApproveCommand {
    static let spec = CommandSpec(
        name: "approve",
        summary: "sign an approval (or rejection) of one held step",
        discussion: """
            A step that a forbid with @approve("GROUP") holds waits for people in Group::"GROUP" \
            to approve it. approve signs such an approval with the approver's Ed25519 key: the \
            held step's SHA-256 digest (the one its approval checkpoint carries), the plan id, the \
            group, the approver's entity, the decision (approve, or reject with --reject), when it \
            was issued and when it expires (--ttl), and a --note. The signed approval is written \
            to the directory --out names (as ID.json) and/or appended to the audit log --audit \
            names as an approval record that carries it. eval, mutate, mint and test take it back \
            with --approvals.

            Before signing, approve checks what every command that honours an approval checks \
            again: --key is the approval_key of the --as entity in entities.json (a public JWK \
            record or SPKI PEM text), the approver is in the group, is not the agent that asked \
            for the step, and the policies permit the request principal = the approver, action = \
            Action::"stepguard.approve", resource = the held step's resource. Its context holds \
            held (the held step: id, action, resource, args, sha256, tool), requester (the agent), plan (id, \
            owner, intent, risk, tier), group, quorum (the distinct approvers the group needs, \
            from @quorum("N") beside @approve), decision, is_plan_owner (the approver is the \
            plan's owner, or in Group::"OWNER") and now. So separation of duties is written in \
            policy: the baseline pack's approvals.cedar forbids an agent approving at all, \
            anyone approving a step they asked for, and the plan owner being the sole approver \
            of an irreversible step.

            PLAN is the plan as written or the plan mutate rewrote (with the approval \
            checkpoint). With --list, nothing is signed: every held step of the plan is listed \
            with its groups, quorum, the approvals --approvals gives and who may approve it.
            """,
        usage: ["--key KEY --as ENTITY PLAN --step ID (--out DIR | --audit LOG) [options]", "--list PLAN [options]"],
        options: [
            .path("key", short: "k", help: "the approver's Ed25519 private key (PKCS#8 PEM or JWK)"),
            .value("as", valueName: "ENTITY", help: "the approver's entity, as Cedar text (User::\"alice\")"),
            .value("step", valueName: "ID", help: "the id of the held step"),
            .value("group", valueName: "GROUP", help: "the group approved for, when the step waits for several"),
            .flag("reject", help: "sign a rejection: the step is denied"),
            .duration("ttl", help: "how long the approval counts (at most 30d)", default: "24h"),
            .value("note", valueName: "TEXT", help: "a note signed with the approval"),
            .path("out", short: "o", valueName: "DIR", help: "write the signed approval to DIR/ID.json"),
            CommonOptions.policies(help: "the policy directory (required: approvals are granted only under named policies)").required(),
            OptionSpec.path("audit", valueName: "LOG", help: "append an approval record carrying the signed approval to this audit log"),
            .flag("list", help: "list the plan's held steps and who may approve them; sign nothing"),
            ApprovalOptions.option,
            CommonOptions.now,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PLAN", help: "the workflow plan (as written, or as mutate rewrote it)"),
        ],
        examples: [
            Example("stepguard approve -k alice.key --as 'User::\"alice\"' plan.json --step rotate -p policies --out approvals",
                    "approve the held step rotate"),
            Example("stepguard approve --list plan.json -p policies --approvals approvals", "what waits, and who may approve it"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "signed (with --list: listed)"),
            ExitStatusNote(.failure, "the approver may not approve the step: nothing signed"),
        ],
        run: run
    )

    /// The longest an approval may count; a longer --ttl is refused, not shortened.
    static let maxTTL: Int64 = 30 * 24 * 3600

    static func run(_ context: CommandContext) throws -> ExitCode {
        try WorkflowInputs.reportingErrors(context) {
            let args = context.arguments
            if args.flag("list") { return try list(context) }
            guard let keyPath = args.value("key") else { throw CLIError.invalidUsage("missing --key KEY: the approver's private key signs the approval") }
            guard let entityText = args.value("as") else { throw CLIError.invalidUsage("missing --as ENTITY: the approver's entity, e.g. --as 'User::\"alice\"'") }
            guard let approver = EntityRef(cedarText: entityText) else {
                throw CLIError.invalidUsage("--as: \"\(entityText)\" is not Cedar entity text; write e.g. User::\"alice\"")
            }
            guard let stepID = args.value("step") else { throw CLIError.invalidUsage("missing --step ID: the held step to approve") }
            let out = args.value("out"), audit = args.value("audit")
            guard out != nil || audit != nil else {
                throw CLIError.invalidUsage("give --out DIR and/or --audit LOG: where the signed approval goes")
            }
            let ttl = try CredentialOptions.seconds(context, "ttl") ?? 86_400
            guard ttl <= maxTTL else {
                throw CLIError.invalidUsage("--ttl: an approval counts for at most 30d; approve again when it runs out")
            }
            let key = try SigningKey.load(path: keyPath)
            let (evaluation, bundle) = try evaluate(context, approvals: false)
            guard let held = try heldStep(evaluation, stepID) else {
                let outcome = evaluation.step(stepID)!.outcome.rawValue
                throw CLIError.invalidUsage("step \"\(stepID)\" is not held for approval (its outcome is \(outcome)); only a held step is approved")
            }
            let group: String
            if let given = args.value("group") {
                group = given
            } else if held.groups.count == 1 {
                group = held.groups[0].name
            } else {
                throw CLIError.invalidUsage(
                    "step \"\(stepID)\" waits for " + held.groups.map { "\"\($0.name)\"" }.joined(separator: " and ") + "; pass --group GROUP")
            }
            let decision: ApprovalDecision = args.flag("reject") ? .reject : .approve
            if let (problem, message) = authority(approver, key: key, group: group, decision: decision, held: held, bundle: bundle) {
                return refuse(context, problem: problem, message: "\(approver) may not \(decision.rawValue) step \"\(stepID)\": \(message)")
            }
            let approval = SignedApproval.sign(
                held: held, group: group, approver: approver, decision: decision,
                expiresAt: Clock(epochSeconds: held.clock.epochSeconds + ttl), note: args.value("note") ?? "", key: key)
            var file: String?
            if let out {
                file = try write(approval, to: out)
            }
            if let audit {
                let time = args.isGiven("now") ? Date(timeIntervalSince1970: TimeInterval(held.clock.epochSeconds)) : nil
                try AuditLog.append(
                    event: AuditEvent.approval(
                        plan: approval.plan, step: approval.step, approver: approver.description, approved: decision == .approve,
                        document: approval.json),
                    to: audit, now: time)
            }
            switch context.format {
            case .json:
                context.printJSON(.object(JSONObject([
                    ("signed", .bool(true)), ("approval", approval.json),
                    ("file", file.map(JSONValue.string) ?? .null), ("audit", audit.map(JSONValue.string) ?? .null),
                ])))
            default:
                let verb = decision == .approve ? "approved" : "rejected"
                context.console.print(
                    "\(verb) step \"\(stepID)\" of plan \"\(approval.plan)\" as \(approver) for \"\(group)\": approval \(approval.id), expires \(approval.expiresAt)")
                if let file { context.note("wrote \(file)") }
                if let audit { context.note("appended the approval to \(audit)") }
            }
            return .success
        }
    }

    /// Nil when `approver`, signing with `key`, may decide `held` for `group`: the key is the
    /// approver's, and `ApproverAuthority` agrees.
    static func authority(
        _ approver: EntityRef, key: SigningKey, group: String, decision: ApprovalDecision, held: HeldStep, bundle: PolicyBundle
    ) -> (ApprovalProblem, String)? {
        switch ApproverKey.key(of: approver, in: bundle.entities) {
        case .failure(let problem):
            return (.unknownKey, problem.message(approver))
        case .success(let own) where own != key.verificationKey:
            return (.unknownKey, "--key is not \(approver)'s approval key (key \(key.verificationKey.thumbprint), entities.json has \(own.thumbprint))")
        case .success:
            return ApproverAuthority.check(approver, group: group, decision: decision, held: held, bundle: bundle).map { ($0.problem, $0.message) }
        }
    }

    static func refuse(_ context: CommandContext, problem: ApprovalProblem, message: String) -> ExitCode {
        if context.format == .json {
            context.printJSON(.object(JSONObject([
                ("signed", .bool(false)), ("problem", .string(problem.rawValue)),
                ("reason", .string(message)),
            ])))
        }
        context.error("nothing signed (\(problem.rawValue)): \(message)")
        return .failure
    }

    /// The plan evaluated against `--policies` at `--now`, with `--approvals` when `approvals`.
    static func evaluate(_ context: CommandContext, approvals: Bool) throws -> (PlanEvaluation, PolicyBundle) {
        guard let planPath = context.arguments.positional("PLAN") else {
            throw CLIError.invalidUsage("missing PLAN: give the plan the held step belongs to")
        }
        let plan = try Plan.load(planPath)
        let bundle = try PolicyBundle.load(try PolicyDirectory(path: try context.arguments.required("policies")))
        let clock = try CommonOptions.nowSeconds(context).map(Clock.init(epochSeconds:)) ?? Clock.now()
        let judge = approvals ? try ApprovalOptions.judge(context) : nil
        return (try PlanEvaluator.evaluate(plan, bundle: bundle, options: EvaluationOptions(clock: clock, approvals: judge)), bundle)
    }

    /// The held step `id`; an error naming the plan's steps when it has no such step.
    static func heldStep(_ evaluation: PlanEvaluation, _ id: String) throws -> HeldStep? {
        guard evaluation.step(id) != nil else {
            throw CLIError.invalidUsage(
                "plan \"\(evaluation.plan.id)\" has no step \"\(id)\"; its steps are "
                    + evaluation.plan.steps.map { "\"\($0.id)\"" }.joined(separator: ", "))
        }
        return evaluation.held(id)
    }

    /// Writes `DIR/ID.json` atomically, never over an existing file; returns its path.
    static func write(_ approval: SignedApproval, to directory: String) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ApprovalError.io(path: directory, message: "cannot create the approvals directory")
        }
        let path = directory + "/" + approval.id + ".json"
        try AtomicFile.write(JSONWriter.pretty(approval.json) + "\n", to: path, overwrite: false)
        return path
    }

    // MARK: - --list

    static func list(_ context: CommandContext) throws -> ExitCode {
        let (evaluation, bundle) = try evaluate(context, approvals: true)
        var rows: [(step: String, outcome: StepOutcome, group: ApprovalGroup, approvals: [ApprovalCheck], mayApprove: [String], reason: String)] = []
        for result in evaluation.steps {
            guard let held = evaluation.held(result.id) else { continue }
            for group in held.groups {
                let candidates = bundle.entities.attributes.keys.sorted().filter {
                    ApproverAuthority.check($0, group: group.name, decision: .approve, held: held, bundle: bundle) == nil
                }
                rows.append((
                    result.id, result.outcome, group, (result.approvals?.checks ?? []).filter { $0.group == group.name },
                    candidates.map(\.description), result.reason))
            }
        }
        switch context.format {
        case .json:
            context.printJSON(.object(JSONObject([
                ("plan", .string(evaluation.plan.id)),
                ("held", .array(rows.map { row in
                    .object(JSONObject([
                        ("step", .string(row.step)), ("outcome", .string(row.outcome.rawValue)), ("group", .string(row.group.name)),
                        ("quorum", row.group.quorum.map(JSONValue.int) ?? .null),
                        ("approvals", .array(row.approvals.map(\.json))),
                        ("may_approve", .array(row.mayApprove.map(JSONValue.string))), ("reason", .string(row.reason)),
                    ]))
                })),
            ])))
        default:
            var table = Table(columns: [
                Table.Column("STEP"), Table.Column("OUTCOME"), Table.Column("GROUP"), Table.Column("QUORUM"), Table.Column("COUNTED"),
                Table.Column("MAY APPROVE", isFlexible: true),
            ])
            for row in rows {
                let counted = Set(row.approvals.filter { $0.counts && $0.decision == .approve }.map(\.approver)).count
                table.append([
                    Table.Cell(row.step, [.bold]), Table.Cell(row.outcome.rawValue, WorkflowInputs.attributes(row.outcome)),
                    Table.Cell(row.group.name), Table.Cell(row.group.quorum.map(String.init) ?? "invalid"), Table.Cell(String(counted)),
                    Table.Cell(row.mayApprove.isEmpty ? "nobody" : row.mayApprove.joined(separator: ", ")),
                ])
            }
            var out = rows.isEmpty ? "" : table.render(style: context.style, maxWidth: context.console.terminalWidth) + "\n"
            for row in rows {
                for check in row.approvals where !check.counts { out += "\(row.step): \(check.summary)\n" }
            }
            out += "plan \"\(evaluation.plan.id)\": \(Set(rows.map(\.step)).count) held step\(Set(rows.map(\.step)).count == 1 ? "" : "s")\n"
            context.console.write(out)
        }
        return .success
    }
}

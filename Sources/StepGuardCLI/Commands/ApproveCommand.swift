import Approvals
import AuditLog
import Basics
import Credentials
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Gate
import JSONValue
import Workflow

/// `stepguard approve --key KEY --as ENTITY PLAN --step ID`, `approve --list PLAN`, and the same
/// for a live call the gate held: `--log LOG --session S --call ID`, `--list --log LOG --session S`
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

            A live tool call the gate held is approved from the gate's log instead of a plan: \
            --log LOG --session SESSION --call ID names it (the session id is the plan id, the \
            call id the step id, as the gate's deny message and --list --log LOG --session \
            SESSION show them). The call is mapped again under --policies and must give the \
            digest the gate held it with: the SHA-256 of its session, tool, whole input and what \
            they map to. The approval names the session's first held call with that digest that \
            has not run, and releases one call: the agent's next call with exactly that input. \
            Without --out and --audit it is appended to LOG, where the gate reads it.
            """,
        usage: [
            "--key KEY --as ENTITY PLAN --step ID (--out DIR | --audit LOG) [options]",
            "--key KEY --as ENTITY --log LOG --session SESSION --call ID [--out DIR | --audit LOG] [options]",
            "--list PLAN [options]", "--list --log LOG --session SESSION [options]",
        ],
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
            .path("log", valueName: "LOG", help: "the gate's audit log holding the held call (with --session)"),
            .value("session", valueName: "SESSION", help: "the gate session the held call belongs to"),
            .value("call", valueName: "ID", help: "the held call's id in the gate's log"),
            ApprovalOptions.option,
            CommonOptions.now,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PLAN", arity: .optional, help: "the workflow plan (as written, or as mutate rewrote it); not with --log"),
        ],
        examples: [
            Example("stepguard approve -k alice.key --as 'User::\"alice\"' plan.json --step rotate -p policies --out approvals",
                    "approve the held step rotate"),
            Example("stepguard approve --list plan.json -p policies --approvals approvals", "what waits, and who may approve it"),
            Example("stepguard approve --list --log .stepguard/audit.log --session S1 -p .stepguard/policies",
                    "the calls the gate holds in session S1"),
            Example("stepguard approve -k alice.key --as 'User::\"alice\"' --log .stepguard/audit.log --session S1 --call toolu_01 -p .stepguard/policies",
                    "approve a held live call; the agent's same call then runs"),
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
            let live = try liveSession(context)
            if args.flag("list") { return try live.map { try list(context, session: $0) } ?? list(context) }
            guard let keyPath = args.value("key") else { throw CLIError.invalidUsage("missing --key KEY: the approver's private key signs the approval") }
            guard let entityText = args.value("as") else { throw CLIError.invalidUsage("missing --as ENTITY: the approver's entity, e.g. --as 'User::\"alice\"'") }
            guard let approver = EntityRef(cedarText: entityText) else {
                throw CLIError.invalidUsage("--as: \"\(entityText)\" is not Cedar entity text; write e.g. User::\"alice\"")
            }
            var out = args.value("out"), audit = args.value("audit")
            if let live, out == nil, audit == nil { audit = live.log }
            guard out != nil || audit != nil else {
                throw CLIError.invalidUsage("give --out DIR and/or --audit LOG: where the signed approval goes")
            }
            let ttl = try CredentialOptions.seconds(context, "ttl") ?? 86_400
            guard ttl <= maxTTL else {
                throw CLIError.invalidUsage("--ttl: an approval counts for at most 30d; approve again when it runs out")
            }
            let key = try SigningKey.load(path: keyPath)
            let (held, bundle, what) = try live.map { try heldCall(context, session: $0) } ?? heldPlanStep(context)
            let group: String
            if let given = args.value("group") {
                group = given
            } else if held.groups.count == 1 {
                group = held.groups[0].name
            } else {
                throw CLIError.invalidUsage(
                    "\(what) waits for " + held.groups.map { "\"\($0.name)\"" }.joined(separator: " and ") + "; pass --group GROUP")
            }
            let decision: ApprovalDecision = args.flag("reject") ? .reject : .approve
            if let (problem, message) = authority(approver, key: key, group: group, decision: decision, held: held, bundle: bundle) {
                return refuse(context, problem: problem, message: "\(approver) may not \(decision.rawValue) \(what): \(message)")
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
                let event = AuditEvent.approval(
                    plan: approval.plan, step: approval.step, approver: approver.description, approved: decision == .approve,
                    document: approval.json)
                if let live, isSameFile(audit, live.log) {
                    // In the gate's log the approval is one of the session's records, chained as the gate chains them.
                    try Gate.appendToSession([event], session: live.session, log: live.log, now: time)
                } else {
                    try AuditLog.append(event: event, to: audit, now: time)
                }
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
                    "\(verb) \(what)\(live == nil ? " of plan \"\(approval.plan)\"" : "") as \(approver) for \"\(group)\": approval \(approval.id), expires \(approval.expiresAt)")
                if let file { context.note("wrote \(file)") }
                if let audit { context.note("appended the approval to \(audit)") }
            }
            return .success
        }
    }

    /// The held step of `PLAN --step ID`, its policies, and how messages name it.
    static func heldPlanStep(_ context: CommandContext) throws -> (HeldStep, PolicyBundle, String) {
        guard let stepID = context.arguments.value("step") else { throw CLIError.invalidUsage("missing --step ID: the held step to approve") }
        let (evaluation, bundle) = try evaluate(context, approvals: false)
        guard let held = try heldStep(evaluation, stepID) else {
            let outcome = evaluation.step(stepID)!.outcome.rawValue
            throw CLIError.invalidUsage("step \"\(stepID)\" is not held for approval (its outcome is \(outcome)); only a held step is approved")
        }
        return (held, bundle, "step \"\(stepID)\"")
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

    // MARK: - Live calls

    /// A gate session named by `--log LOG --session S`.
    struct LiveSession {
        var log: String
        var session: String
    }

    /// The gate session the command line names; nil for a plan.
    static func liveSession(_ context: CommandContext) throws -> LiveSession? {
        let args = context.arguments
        guard let log = args.value("log") else {
            for option in ["session", "call"] where args.isGiven(option) {
                throw CLIError.invalidUsage("--\(option) names a call the gate held: give --log LOG too")
            }
            return nil
        }
        guard let session = args.value("session") else {
            throw CLIError.invalidUsage("missing --session SESSION: the gate session whose held call is approved (the plan id in the log)")
        }
        if args.positional("PLAN") != nil { throw CLIError.invalidUsage("give PLAN or --log LOG --session SESSION, not both") }
        if args.isGiven("step") { throw CLIError.invalidUsage("--step names a plan's step; a held call of the gate is --call ID") }
        if !args.flag("list") && !args.isGiven("call") {
            throw CLIError.invalidUsage("missing --call ID: the held call to approve ('approve --list --log \(log) --session \(session)' lists them)")
        }
        return LiveSession(log: log, session: session)
    }

    /// The policies of `--policies`, loaded as the gate loads them.
    static func gatePolicies(_ context: CommandContext) throws -> GatePolicies {
        try GatePolicies.load(try context.arguments.required("policies"))
    }

    static func clock(_ context: CommandContext) throws -> Clock {
        try CommonOptions.nowSeconds(context).map(Clock.init(epochSeconds:)) ?? Clock.now()
    }

    /// The held call `--call ID` of `session` as the gate decides it now; an approval of a
    /// repeat of an earlier held call names the first one, which the gate releases.
    static func heldCall(_ context: CommandContext, session live: LiveSession) throws -> (HeldStep, PolicyBundle, String) {
        let id = context.arguments.value("call")!
        let judge = try Gate.sessionApprovals(session: live.session, log: live.log)
        guard let named = judge.held.first(where: { $0.step.isExactly(id) }) else {
            let waiting = judge.held.filter(\.call.isOpen).map { "\"\($0.step)\"" }
            throw CLIError.invalidUsage(
                "session \"\(live.session)\" of \(live.log) has no call \"\(id)\" held for approval; "
                    + (waiting.isEmpty ? "it holds none" : "it holds " + waiting.joined(separator: ", ")))
        }
        let waiting = judge.target(named.sha256)
        guard named.call.isOpen, let call = waiting else {
            throw CLIError.invalidUsage(
                "call \"\(id)\" of session \"\(live.session)\" " + (named.call.released ? "was released already" : "ran already")
                    + (waiting.map { "; the call held for the same input now is \"\($0.step)\"" }
                        ?? "; an approval releases one call, so approve the call the gate holds when the agent makes it again"))
        }
        let policies = try gatePolicies(context)
        let held = try Gate.heldStep(call, session: live.session, policies: policies, log: live.log, clock: try clock(context))
        if !call.step.isExactly(id) { context.note("call \"\(id)\" repeats call \"\(call.step)\", held first for the same input: the approval names it") }
        return (held, policies.bundle, "call \"\(call.step)\" of session \"\(live.session)\"")
    }

    /// `--list --log LOG --session S`: the session's waiting held calls (the first of each
    /// digest), with the approvals the log and `--approvals` give and who may approve them.
    static func list(_ context: CommandContext, session live: LiveSession) throws -> ExitCode {
        let judge = try Gate.sessionApprovals(session: live.session, log: live.log, directories: context.arguments.values("approvals"))
        let policies = try gatePolicies(context)
        let now = try clock(context)
        var seen = Set<String>()
        var rows: [ListRow] = []
        var documents: [JSONValue] = []
        var notes = ""
        for call in judge.held where call.call.isOpen && seen.insert(call.sha256).inserted {
            let repeats = judge.held.filter { $0.sha256 == call.sha256 && $0.call.isOpen }.count - 1
            let members: [(String, JSONValue)] = [
                ("tool", .string(call.tool)), ("input", .object(call.input)),
                ("action", call.call.action.map(JSONValue.string) ?? .null), ("resource", call.call.resource.map(JSONValue.string) ?? .null),
                ("sha256", .string(call.sha256)), ("repeats", .int(Int64(repeats))),
            ]
            notes += "\(call.step): \(call.tool) \(CanonicalJSON.string(.object(call.input)))\n"
            if repeats > 0 { notes += "\(call.step): made \(repeats) more time\(repeats == 1 ? "" : "s") while held; one approval releases one of them\n" }
            switch Result(catching: { () throws(GateError) in try Gate.heldStep(call, session: live.session, policies: policies, log: live.log, clock: now) }) {
            case .success(let held):
                let checks = judge.checks(for: held, bundle: policies.bundle)
                let outcome = ApprovalOutcome.tally(checks, held: held).outcome
                for group in held.groups {
                    let row = ListRow(call.step, outcome: outcome, group: group, checks: checks, held: held, reason: call.reason, bundle: policies.bundle)
                    rows.append(row)
                    documents.append(row.json(idKey: "call", members))
                }
            case .failure(let error):
                documents.append(.object(JSONObject([("call", .string(call.step))] + members + [
                    ("outcome", .string(StepOutcome.approve.rawValue)), ("reason", .string(error.description)),
                ])))
                notes += "\(call.step): cannot be approved: \(error.description)\n"
            }
        }
        switch context.format {
        case .json:
            context.printJSON(.object(JSONObject([("session", .string(live.session)), ("log", .string(live.log)), ("held", .array(documents))])))
        default:
            context.console.write(
                ListRow.render(rows, first: "CALL", context) + notes
                    + "session \"\(live.session)\": \(seen.count) held call\(seen.count == 1 ? "" : "s") waiting\n")
        }
        return .success
    }

    // MARK: - --list

    /// One row of `--list`: a held step (or call) and one group it waits for.
    struct ListRow {
        var id: String
        var outcome: StepOutcome
        var group: ApprovalGroup
        /// The approvals given for the group.
        var approvals: [ApprovalCheck]
        /// Every entity of entities.json that may approve it.
        var mayApprove: [String]
        var reason: String

        init(_ id: String, outcome: StepOutcome, group: ApprovalGroup, checks: [ApprovalCheck], held: HeldStep, reason: String, bundle: PolicyBundle) {
            self.id = id
            self.outcome = outcome
            self.group = group
            self.approvals = checks.filter { $0.group == group.name }
            self.mayApprove = bundle.entities.attributes.keys.sorted().filter {
                ApproverAuthority.check($0, group: group.name, decision: .approve, held: held, bundle: bundle) == nil
            }.map(\.description)
            self.reason = reason
        }

        func json(idKey: String, _ members: [(String, JSONValue)] = []) -> JSONValue {
            .object(JSONObject([(idKey, .string(id))] + members + [
                ("outcome", .string(outcome.rawValue)), ("group", .string(group.name)), ("quorum", group.quorum.map(JSONValue.int) ?? .null),
                ("approvals", .array(approvals.map(\.json))), ("may_approve", .array(mayApprove.map(JSONValue.string))),
                ("reason", .string(reason)),
            ]))
        }

        /// The table (first column `first`), then a line for each approval that does not count.
        static func render(_ rows: [ListRow], first: String, _ context: CommandContext) -> String {
            guard !rows.isEmpty else { return "" }
            var table = Table(columns: [
                Table.Column(first), Table.Column("OUTCOME"), Table.Column("GROUP"), Table.Column("QUORUM"), Table.Column("COUNTED"),
                Table.Column("MAY APPROVE", isFlexible: true),
            ])
            for row in rows {
                let counted = Set(row.approvals.filter { $0.counts && $0.decision == .approve }.map(\.approver)).count
                table.append([
                    Table.Cell(row.id, [.bold]), Table.Cell(row.outcome.rawValue, WorkflowInputs.attributes(row.outcome)),
                    Table.Cell(row.group.name), Table.Cell(row.group.quorum.map(String.init) ?? "invalid"), Table.Cell(String(counted)),
                    Table.Cell(row.mayApprove.isEmpty ? "nobody" : row.mayApprove.joined(separator: ", ")),
                ])
            }
            var out = table.render(style: context.style, maxWidth: context.console.terminalWidth) + "\n"
            for row in rows {
                for check in row.approvals where !check.counts { out += "\(row.id): \(check.summary)\n" }
            }
            return out
        }
    }

    static func list(_ context: CommandContext) throws -> ExitCode {
        let (evaluation, bundle) = try evaluate(context, approvals: true)
        var rows: [ListRow] = []
        for result in evaluation.steps {
            guard let held = evaluation.held(result.id) else { continue }
            for group in held.groups {
                rows.append(ListRow(
                    result.id, outcome: result.outcome, group: group, checks: result.approvals?.checks ?? [], held: held, reason: result.reason,
                    bundle: bundle))
            }
        }
        switch context.format {
        case .json:
            context.printJSON(.object(JSONObject([
                ("plan", .string(evaluation.plan.id)), ("held", .array(rows.map { $0.json(idKey: "step") })),
            ])))
        default:
            let steps = Set(rows.map(\.id)).count
            context.console.write(ListRow.render(rows, first: "STEP", context) + "plan \"\(evaluation.plan.id)\": \(steps) held step\(steps == 1 ? "" : "s")\n")
        }
        return .success
    }
}

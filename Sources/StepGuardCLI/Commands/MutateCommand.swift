#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Basics
import JSONValue
import Workflow

/// `stepguard mutate PLAN`
enum MutateCommand {
    static let spec = CommandSpec(
        name: "mutate",
        summary: "preview step mutations: the rewritten plan and a diff",
        discussion: """
            Rewrites the steps that policies ask to mutate into their safer variants, replaces \
            steps held for approval by approval checkpoints bound to the digest of the exact step, \
            and shows a unified diff against the original plan. For every rewrite it names the \
            policy that asked for it and the boundary facts that keep it inside the original \
            authorization: same principal, no higher effect, no new flags, the same resource or a \
            counterpart the original names. The rewritten plan is byte-identical across runs.

            Denied steps, and the steps that need them, are left out of the rewritten plan. \
            --format diff prints the diff alone; json is the documented stepguard.mutate/v1 \
            document; with -q, one line per change and the summary, without the diff.

            -o never writes over the plan it read, nor replaces a symbolic link, unless --force \
            asks for it: the rewritten plan is a new file beside the one that was decided.
            """,
        options: [
            CommonOptions.policies(help: "the policy directory (default: the one next to the plan, then ./policies)"),
            ApprovalOptions.option,
            .path("output", short: "o", help: "write the rewritten plan to FILE"),
            .flag("force", help: "let -o replace a symbolic link or the plan itself"),
            CommonOptions.format(.text, .json, .diff),
            CommonOptions.audit,
            CommonOptions.now,
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("PLAN", help: "the workflow plan, as JSON"),
        ],
        examples: [
            Example("stepguard mutate plans/release.json -o plans/release.safe.json",
                    "write the rewritten plan and show what changed"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "nothing to rewrite"),
            ExitStatusNote(.failure, "steps were rewritten or denied"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        if let output = context.arguments.value("output"), !context.arguments.flag("force") {
            try checkOutput(output, plan: context.arguments.positional("PLAN"))
        }
        return try WorkflowInputs.reportingErrors(context) {
            let evaluation = try WorkflowInputs.evaluate(context)
            let mutation = PlanRewriter.rewrite(evaluation)
            if let output = context.arguments.value("output") {
                try context.writeFile(mutation.rewrittenText, to: output)
                context.note("wrote the rewritten plan to \(output)")
            }
            try WorkflowInputs.appendAudit(evaluation, context)
            let tier = WorkflowInputs.tierReport(evaluation, context)
            switch context.format {
            case .json: context.printJSON(mutation.json(tier: tier))
            case .diff: context.console.write(mutation.diff)
            default: context.console.write(text(mutation, style: context.style, quiet: context.isQuiet) + TierOutput.text(tier, quiet: context.isQuiet))
            }
            return evaluation.summary.nothingToRewrite ? .success : .failure
        }
    }

    /// `-o` names neither a symbolic link nor the plan itself (the same file by device and
    /// inode, whatever the spelling).
    static func checkOutput(_ output: String, plan: String?) throws {
        var link = stat()
        guard lstat(output, &link) == 0 else { return }
        if (link.st_mode & S_IFMT) == S_IFLNK {
            throw CLIError.invalidUsage("-o \"\(output)\" is a symbolic link; name a regular file, or pass --force to replace the link")
        }
        if let plan, plan != "-", isSameFile(plan, output) {
            throw CLIError.invalidUsage("-o \"\(output)\" is the plan being rewritten; write elsewhere, or pass --force to overwrite it")
        }
    }

    /// For every change, what happened and why (under `quiet`, the headings only), then the
    /// diff (not under `quiet`) and a summary line.
    static func text(_ mutation: MutationResult, style: Style, quiet: Bool) -> String {
        let evaluation = mutation.evaluation
        let removed = Set(mutation.removed)
        var out = ""
        for step in evaluation.steps {
            let name = style.bold(step.id)
            if let rewrite = step.rewrite {
                out += "\(name): \(style.apply("rewritten", .cyan)) to \(rewrite.variantPath) by \(rewrite.hops.map(\.policy).joined(separator: ", "))\n"
                if quiet { continue }
                out += "  why: \(step.reason)\n"
                for (number, hop) in rewrite.hops.enumerated() {
                    out += "  \(rewrite.hops.count > 1 ? "hop \(number + 1): " : "")\(hop.policy) asks for variant \(hop.variant)\n"
                    out += "    from \(describe(hop.from))\n"
                    out += "    to   \(hop.to.map(describe) ?? "?")\n"
                    if let boundary = hop.boundary { out += boundaryLines(boundary) }
                }
                if !rewrite.warnings.isEmpty {
                    out += "  logged for review: \(rewrite.warnings.joined(separator: ", "))\n"
                }
                out += refused(step)
            } else if step.outcome == .approve, let approval = step.approval {
                out += "\(name): \(style.apply("held", .magenta)) for approval by \(approval.groups.joined(separator: ", ")) (\((step.policies + (step.tierHold.isEmpty ? [] : ["the tier in force"])).joined(separator: ", ")))\n"
                if quiet { continue }
                out += "  why: \(step.reason)\n"
                out += "  checkpoint bound to sha256 \(approval.sha256)\n"
                out += refused(step)
            } else if removed.contains(step.id) {
                let why = step.outcome == .deny
                    ? "denied" + (step.policies.isEmpty ? "" : " by \(step.policies.joined(separator: ", "))")
                    : "needs a removed step"
                out += "\(name): \(style.apply("removed", .red)) (\(why))\n"
                if quiet { continue }
                out += "  why: \(step.reason)\n"
                out += refused(step)
            }
        }
        if !quiet && !mutation.diff.isEmpty {
            if !out.isEmpty { out += "\n" }
            out += mutation.diff
            if !mutation.diff.hasSuffix("\n") { out += "\n" }
        }
        if !out.isEmpty { out += "\n" }
        return out + summaryLine(mutation) + "\n"
    }

    /// `2 rewritten, 1 held for approval, 2 removed` or `nothing to rewrite`.
    static func summaryLine(_ mutation: MutationResult) -> String {
        let rewritten = mutation.evaluation.steps.filter { $0.rewrite != nil }.count
        let held = mutation.evaluation.steps.filter { $0.outcome == .approve }.count
        var parts: [String] = []
        if rewritten > 0 { parts.append("\(rewritten) rewritten") }
        if held > 0 { parts.append("\(held) held for approval") }
        if !mutation.removed.isEmpty { parts.append("\(mutation.removed.count) removed") }
        let steps = mutation.evaluation.steps.count
        let head = "\(steps) step\(steps == 1 ? "" : "s"): "
        return head + (parts.isEmpty ? "nothing to rewrite" : parts.joined(separator: ", "))
    }

    /// `deploy Service::"storefront" {"version": "7.3.0"}`
    static func describe(_ form: StepForm) -> String {
        let args = form.args.isEmpty ? "" : " " + JSONWriter.compact(.object(form.args))
        return "\(form.action) \(form.resource)\(args)"
    }

    /// The boundary facts of one rewrite hop, each on its own line, problems last.
    static func boundaryLines(_ b: BoundaryFacts) -> String {
        func flags(_ list: [ActionFlag]?) -> String {
            guard let list else { return "?" }
            return list.isEmpty ? "none" : list.map(\.rawValue).joined(separator: ", ")
        }
        var out = "    boundary \(b.holds ? "holds" : "fails"):\n"
        out += "      principal \(b.principal) \(b.samePrincipal ? "unchanged" : "changed")\n"
        out += "      effect \(b.effectFrom.rawValue) -> \(b.effectTo?.rawValue ?? "?")\n"
        out += "      flags \(flags(b.flagsFrom)) -> \(flags(b.flagsTo))\n"
        out += "      resource \(b.resourceRelation ?? "outside the original's counterparts")\n"
        out += "      allowed by \(b.allowedBy.isEmpty ? "no permit" : b.allowedBy.joined(separator: ", "))\n"
        for problem in b.problems { out += "      problem: \(problem)\n" }
        return out
    }

    /// The rewrites tried and refused for a step.
    static func refused(_ step: StepEvaluation) -> String {
        var out = ""
        func walk(_ attempts: [RewriteAttempt], depth: Int) {
            for attempt in attempts {
                let indent = String(repeating: "  ", count: depth)
                if !attempt.accepted {
                    out += "\(indent)  refused: \(attempt.variant) (\(attempt.policy))\(attempt.to.map { ": " + describe($0) } ?? "")\n"
                    for problem in attempt.boundary?.problems ?? [] { out += "\(indent)    problem: \(problem)\n" }
                }
                walk(attempt.next, depth: depth + 1)
            }
        }
        walk(step.attempts, depth: 0)
        return out
    }
}

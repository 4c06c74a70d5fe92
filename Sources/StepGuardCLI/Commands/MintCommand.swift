import AuditLog
import Credentials
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue
import Workflow

/// `stepguard mint --key KEY --policies DIR --plan PLAN --step ID`
enum MintCommand {
    static let spec = CommandSpec(
        name: "mint",
        summary: "mint a credential for one allowed step of a plan",
        discussion: """
            Evaluates the step again against the policies and mints a credential only when it is \
            allowed, or rewritten (then for the rewritten step). The credential is a compact JWS \
            (alg EdDSA, typ JWT, kid the key's thumbprint) whose authorization_details (RFC 9396) \
            name exactly one step in the form that was decided: its action, resource and the digest of \
            its arguments (for a rewrite, the rewritten ones), the outcome, the plan id, the step id, \
            the digest of the step as decided and of the plan as decided. Its \
            lifetime is --ttl, capped by the allowing policy's @max_ttl and by the hard cap of one \
            hour, which --max-ttl can lower but nothing can raise (a larger --max-ttl is refused); a \
            capped lifetime is reported on stderr. The token is printed on stdout, alone on one line.

            The subject is the principal's SPIFFE ID: its spiffe_id attribute in entities.json, else \
            its entity id when that is a spiffe:// URI. The audience defaults to the tool of the \
            step's action in tools.json. A step that is denied, held or blocked gets nothing, and \
            the outcome and deciding policies are printed on stderr.

            The caller proves who it is with --identity, a SPIFFE JWT-SVID or an OIDC ID token \
            (a CI runner's), verified against --trust, a trust file naming the trust domain or \
            issuer, the audience and the keys. The identity must be the step's principal, its \
            claims are what policies read as context.identity, and the credential records it: act \
            (RFC 8693) and the SHA-256 of the token. Without --identity, mint refuses unless the \
            policy directory's .stepguard.json has {"mint": {"allowUnauthenticated": true}}, and \
            the credential then says identity method none. See docs/credentials.md.

            The policies, catalog and entities come only from --policies, the operator's directory: \
            mint never looks for them next to the plan, which the agent may have written along with \
            a policy that allows everything. The output names the directory used.

            The plan's governance tier is enforced before anything is issued: by default an \
            elevated or strict plan needs --audit, a strict one also a checkpoint of that log \
            no older than an hour, signed by the issuer key (stepguard audit checkpoint LOG -k \
            KEY) unless tiers.json names other keys, and its credentials live at most five \
            minutes. Each demand not met is a named refusal (exit 1), recorded in the log when \
            there is one; the mint record carries the demands met. See docs/workflow.md "Risk \
            and governance tier".
            """,
        options: [
            .path("key", short: "k", help: "the issuer's Ed25519 private key (PKCS#8 PEM or JWK)").required(),
            CommonOptions.policies(help: "the operator's policy directory; never looked for next to the plan").required(),
            .path("plan", help: "the workflow plan, as JSON").required(),
            .value("step", valueName: "ID", help: "the id of the step to mint for").required(),
        ] + IdentityOptions.options + [
            ApprovalOptions.option,
            .value("audience", valueName: "AUD", help: "the aud claim: the service that will accept the credential"),
            .duration("ttl", help: "lifetime of the credential", default: "5m"),
            .duration("max-ttl", help: "lower the hard cap of 1h on the lifetime (it cannot be raised)", default: "1h"),
            .value("issuer", valueName: "ISS", help: "the iss claim", default: "stepguard"),
            CommonOptions.now,
            CommonOptions.audit,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        examples: [
            Example("stepguard mint -k keys/issuer.key --policies /etc/stepguard/policies --plan plans/release.json --step deploy --audience deployer",
                    "mint a five-minute credential for the step deploy"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "minted"),
            ExitStatusNote(.failure, "the step is not allowed, or its tier's demands are not met: nothing minted"),
        ],
        run: run
    )

    /// A plan or policy that does not load is reported as every command reports it: located,
    /// with the line and a caret.
    static func run(_ context: CommandContext) throws -> ExitCode {
        do {
            return try mint(context)
        } catch let error as WorkflowError {
            WorkflowInputs.report(error, context)
            return .error
        }
    }

    static func mint(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let planPath = try args.required("plan")
        let stepID = try args.required("step")
        let now = try CredentialOptions.now(context)
        let ttl = try CredentialOptions.seconds(context, "ttl") ?? TokenMinter.defaultTTL
        let hardCap = try CredentialOptions.seconds(context, "max-ttl") ?? TokenMinter.absoluteCap
        // The key first: a missing or unsafe key is the caller's to fix before anything is decided.
        let key = try SigningKey.load(path: args.required("key"))
        let minter = try TokenMinter(key: key, hardCap: hardCap)

        var plan = try Plan.load(planPath)
        guard plan.step(stepID) != nil else {
            throw CredentialsError.invalidRequest(
                "plan \"\(plan.id)\" has no step \"\(stepID)\"; its steps are "
                    + plan.steps.map { "\"\($0.id)\"" }.joined(separator: ", "))
        }
        // Only the directory the operator names: never one found next to the plan (DESIGN §4).
        let directory = try PolicyDirectory(path: try args.required("policies"))
        let bundle = try PolicyBundle.load(directory)
        let authentication: MintAuthentication
        switch try IdentityOptions.authenticate(context, policyDirectory: directory.path, now: now) {
        case .authenticated(let result): authentication = result
        case .refused(let failure): return refuseIdentity(context, plan: plan, stepID: stepID, failure: failure)
        }
        IdentityOptions.expose(authentication, in: &plan)
        // The whole plan is evaluated, not the step alone: its outcome depends on the steps
        // before it (chain facts) and on those it needs.
        let evaluation = try PlanEvaluator.evaluate(plan, bundle: bundle, options: EvaluationOptions(clock: Clock(epochSeconds: now), approvals: try ApprovalOptions.judge(context)))
        ApprovalOptions.warn(evaluation, context)
        guard let decided = evaluation.step(stepID) else {
            throw CredentialsError.invalidRequest("step \"\(stepID)\" was not evaluated")
        }
        if case .identity(let identity) = authentication {
            do {
                try identity.authenticates(
                    principal: decided.principal.description,
                    principalSPIFFEID: try? spiffeID(of: decided.principal, entities: bundle.entities))
            } catch {
                return refuseIdentity(context, plan: plan, stepID: stepID, failure: error)
            }
        }
        let audit = args.value("audit")
        let auditTime = args.isGiven("now") ? Date(timeIntervalSince1970: TimeInterval(now)) : nil
        let planDigests = PlanDigests(evaluation)
        let content = PlanContent(plan, planDigests)
        let digests = DecidedDigests(decided, in: evaluation, plan: planDigests)
        func decision(demands: TierReport? = nil) -> JSONValue {
            DecisionRecords.decision(decided, plan: plan.id, clock: evaluation.clock, risk: evaluation.risk.riskClass,
                                     order: StepOrder(plan: plan, index: decided.index), demands: demands, decided: digests)
        }

        let risk = evaluation.risk.riskClass
        let demands = bundle.tiers.requirements(risk.tier)
        var facts = TierFacts(issues: true, auditLog: audit != nil, held: evaluation.tierHeld)
        if demands.checkpointMaxAge != nil {
            facts.checkpoint = try checkpointFreshness(log: audit, demands: demands, issuer: key, now: now)
        }
        func refuse(_ message: String, reason: String, tier: TierReport) -> ExitCode {
            if context.format == .json {
                context.printJSON(.object(JSONObject([
                    ("minted", .bool(false)),
                    ("plan", .string(plan.id)),
                    ("step", .string(decided.id)),
                    ("policy_directory", .string(directory.path)),
                    ("outcome", .string(decided.outcome.rawValue)),
                    ("policies", .array(decided.policies.map(JSONValue.string))),
                    ("reason", .string(reason)),
                    ("tier", tier.json),
                ])))
            }
            context.error(message + " (policies: \(directory.path))")
            if !context.isQuiet { context.console.diagnostic(String(TierOutput.text(tier).dropLast())) }
            return .failure
        }

        // The tier's demands before anything is issued: each one not met refuses by name. A
        // refusal is recorded when there is a log to record it in, with what the tier demanded.
        let before = bundle.tiers.report(risk: risk, facts: facts)
        if !decided.outcome.runs || !before.unmet.isEmpty {
            if let audit {
                try AuditLog.append(events: [decision(demands: before)], to: audit, now: auditTime, for: content)
            }
            guard decided.outcome.runs else { return refuse(refusalMessage(decided), reason: decided.reason, tier: before) }
            let reason = TierOutput.refusal(before)
            return refuse("nothing minted: " + reason, reason: reason, tier: before)
        }

        // What runs is what the credential authorizes: for a rewrite, the rewritten step, its
        // arguments included, bound by digest, in the plan as decided.
        guard let decidedForm = digests.form else {
            throw CredentialsError.invalidRequest("step \"\(decided.id)\" runs but has no decided form")
        }
        let action = decidedForm.form.action
        let resource = decidedForm.form.resource
        let audience: String
        if let given = args.value("audience") {
            audience = given
        } else if let tool = bundle.catalog.actions[action]?.tool, !tool.isEmpty {
            audience = tool
        } else {
            throw CLIError.invalidUsage("action \"\(action)\" names no tool in tools.json; pass --audience AUD")
        }
        let policyCap = try maxTTL(permits: decided.allowedBy, bundle: bundle)
        // The tier's cap counts as one more policy limit: the tightest wins.
        let tierCap = demands.maxTTL.flatMap { cap in (policyCap.map { cap < $0.seconds } ?? true) ? cap : nil }
        let request = MintRequest(
            issuer: args.value("issuer") ?? "stepguard",
            subject: try spiffeID(of: decided.principal, entities: bundle.entities),
            audience: audience,
            authorization: StepAuthorization(
                action: action, resource: resource.description, planID: plan.id, stepID: decided.id,
                planDigest: decidedForm.planDigest, argsDigest: decidedForm.argsDigest, outcome: decidedForm.outcome,
                stepDigest: decidedForm.stepDigest, approvals: decided.approvals?.approvalIDs ?? []),
            ttl: ttl, policyMaxTTL: tierCap ?? policyCap?.seconds, now: now, authentication: authentication)
        let minted = try minter.mint(request)
        facts.ttl = (requested: ttl, granted: minted.ttl)
        let tier = bundle.tiers.report(risk: risk, facts: facts)

        if let audit {
            // The decision goes in with the mint, so a later execution of the step finds the
            // allowing decision it needs even when no `eval --audit` ran before.
            try AuditLog.append(
                events: ApprovalOptions.records(evaluation, log: audit, step: decided.id) + [
                    decision(),
                    DecisionRecords.mint(
                        decidedForm, decided, clock: evaluation.clock, risk: evaluation.risk.riskClass, jti: minted.jti,
                        exp: minted.expiresAt, identity: authentication.record, demands: tier),
                ],
                to: audit, now: auditTime, for: content)
        }
        switch minted.cap {
        case .policy(let seconds)? where tierCap != nil:
            context.warning(
                "requested TTL \(CredentialOptions.format(seconds: ttl)) capped to \(CredentialOptions.format(seconds: seconds)) "
                    + "by the \(risk.tier.rawValue) tier (\(TierOutput.source(tier)))")
        case .policy(let seconds)?:
            context.warning(
                "requested TTL \(CredentialOptions.format(seconds: ttl)) capped to \(CredentialOptions.format(seconds: seconds)) "
                    + "by @max_ttl of permit \"\(policyCap?.policy ?? "")\"")
        case .hardCap(let seconds)?:
            context.warning(
                "requested TTL \(CredentialOptions.format(seconds: ttl)) capped to the hard limit of "
                    + "\(CredentialOptions.format(seconds: seconds)) (--max-ttl)")
        case nil:
            break
        }
        if context.format == .json {
            var cappedBy: JSONValue = .null
            if case .policy? = minted.cap { cappedBy = tierCap != nil ? "tier" : "policy" }
            if case .hardCap? = minted.cap { cappedBy = "hard_cap" }
            context.printJSON(.object(JSONObject([
                ("minted", .bool(true)),
                ("policy_directory", .string(directory.path)),
                ("token", .string(minted.token)),
                ("header", minted.header),
                ("claims", minted.claims),
                ("outcome", .string(decided.outcome.rawValue)),
                ("policies", .array(decided.policies.map(JSONValue.string))),
                ("allowed_by", .array(decided.allowedBy.map(JSONValue.string))),
                ("ttl", .int(minted.ttl)),
                ("requested_ttl", .int(minted.requestedTTL)),
                ("capped_by", cappedBy),
                ("expires_at", .string(CredentialTime.format(minted.expiresAt))),
                ("tier", tier.json),
            ])))
        } else {
            context.console.print(minted.token)
            let what = decided.outcome == .mutate
                ? "rewritten to \(action) on \(resource)" : "\(decided.outcome.rawValue): \(action) on \(resource)"
            context.note(
                "minted a credential for step \"\(decided.id)\" (\(what)) for \"\(audience)\", jti \(minted.jti), "
                    + "expires \(CredentialTime.format(minted.expiresAt)), under the policies in \"\(directory.path)\"")
            if !context.isQuiet { context.console.diagnostic(String(TierOutput.text(tier).dropLast())) }
        }
        return .success
    }

    /// How far the log's checkpoints reach that are signed by the keys `demands` trusts: those
    /// tiers.json names, else the issuer's own key (`--key`), which `audit checkpoint -k` signs
    /// with too. Every doubt (no log, a log that does not verify, a checkpoint no trusted key
    /// signed) is a missing checkpoint.
    static func checkpointFreshness(log: String?, demands: TierRequirements, issuer: SigningKey, now: Int64) throws -> CheckpointFreshness {
        guard let log else { return .missing("no audit log was given (--audit LOG)") }
        let verifiers = demands.checkpointKeys.isEmpty
            ? [try NoteVerifier(publicKey: issuer.verificationKey.publicKey.rawRepresentation)]
            : try demands.checkpointKeys.map { try AuditOptions.verifier(path: $0) }
        let coverage: SignedCoverage
        do throws(AuditError) {
            coverage = try AuditLog.signedCoverage(logAt: log, trustedKeys: verifiers)
        } catch {
            return .missing("the audit log cannot be checked: \(error)")
        }
        if let fault = coverage.fault { return .missing("the audit log does not verify: \(fault)") }
        guard let size = coverage.signedSize else {
            let key = demands.checkpointKeys.isEmpty ? "ISSUER-KEY" : "KEY (the private half of a key it names)"
            return .missing("no checkpoint signed by \(demands.checkpointSigner) matches the log; sign it first: stepguard audit checkpoint LOG -k \(key)")
        }
        let unsigned = coverage.totalRecords - size
        let oldest = coverage.firstUnsignedTime.map { max(0, now - $0 / 1000) } ?? 0
        return .signed(size: size, unsigned: unsigned, oldest: oldest, signer: demands.checkpointSigner)
    }

    /// The presented identity was not accepted: nothing is minted (exit 1), and the reason,
    /// with its stable code, is reported.
    static func refuseIdentity(_ context: CommandContext, plan: Plan, stepID: String, failure: TokenFailure) -> ExitCode {
        if context.format == .json {
            context.printJSON(.object(JSONObject([
                ("minted", .bool(false)),
                ("plan", .string(plan.id)),
                ("step", .string(stepID)),
                ("identity", .string("refused")),
                ("code", .string(failure.code)),
                ("reason", .string(failure.description)),
            ])))
        }
        context.error("nothing minted: identity refused: \(failure.description)")
        return .failure
    }

    /// `nothing minted: step "x" is deny, decided by "p": reason`.
    static func refusalMessage(_ step: StepEvaluation) -> String {
        var text = "nothing minted: step \"\(step.id)\" is \(step.outcome.rawValue)"
        if !step.policies.isEmpty {
            text += ", decided by " + step.policies.map { "\"\($0)\"" }.joined(separator: ", ")
        }
        if let approval = step.approval {
            text += " (held for approval by \(approval.groups.joined(separator: ", ")))"
        }
        if !step.reason.isEmpty { text += ": " + step.reason }
        return text
    }

    /// The `sub` claim: the principal's SPIFFE ID. Its `spiffe_id` attribute in entities.json
    /// when it has one, else its entity id when that is a SPIFFE ID itself
    /// (`Agent::"spiffe://corp.example/agents/bot"`). Either is validated; a principal with
    /// neither gets no credential, since the claim would name nobody a workload can prove to be.
    static func spiffeID(of principal: EntityRef, entities: EntityFacts) throws -> String {
        if let attribute = entities.attributes(of: principal)?["spiffe_id"] {
            guard let id = attribute.stringValue else {
                throw CredentialsError.invalidRequest(
                    "the \"spiffe_id\" attribute of \(principal) in entities.json must be a string")
            }
            try SPIFFEID.validate(id)
            return id
        }
        if SPIFFEID.looksLikeSPIFFE(principal.id) {
            try SPIFFEID.validate(principal.id)
            return principal.id
        }
        throw CredentialsError.invalidRequest(
            "principal \(principal) has no SPIFFE ID; give it a \"spiffe_id\" attribute in entities.json "
                + "or use its SPIFFE ID as the entity id")
    }

    /// The smallest `@max_ttl` among the permits that allow the step, and which permit set it.
    /// When several permits allow a step, each one's limit holds, so the tightest wins.
    static func maxTTL(permits: [String], bundle: PolicyBundle) throws -> (seconds: Int64, policy: String)? {
        var best: (seconds: Int64, policy: String)?
        for id in permits {
            guard let policy = bundle.policies.first(where: { $0.id == id && !$0.isForbid }),
                let text = policy.annotation("max_ttl")
            else { continue }
            let place = policy.location.map { "\($0): " } ?? ""
            let seconds: Int64
            do {
                seconds = try CredentialTime.parseDuration(text)
            } catch {
                throw CredentialsError.invalidTime("\(place)@max_ttl(\"\(text)\") of permit \"\(id)\" is not a duration; write e.g. 5m or 1h")
            }
            guard seconds > 0 else {
                throw CredentialsError.invalidTime("\(place)@max_ttl(\"\(text)\") of permit \"\(id)\" must be at least 1s")
            }
            if best == nil || seconds < best!.seconds { best = (seconds, id) }
        }
        return best
    }
}

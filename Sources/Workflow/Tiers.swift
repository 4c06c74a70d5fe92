import Basics
import JSONValue

/// What one governance tier demands beyond the policies (docs/workflow.md "Risk and governance
/// tier"). Each demand that is not met is a named refusal, never a warning.
public struct TierRequirements: Sendable, Equatable {
    /// `mint` and `gate` need an audit log: every decision, rewrite and denial is recorded.
    public var auditLog: Bool
    /// Before minting, a checkpoint signed by one of `checkpointKeys` must cover every record of
    /// the log older than this many seconds; nil: no checkpoint is required.
    public var checkpointMaxAge: Int64?
    /// Public keys (SPKI PEM, JWK or signed-note verifier key files) trusted to sign the log's
    /// checkpoints, resolved against the policy directory. Empty: the issuer key `mint` signs
    /// credentials with is the one trusted, so the shipped defaults work with no key file named.
    public var checkpointKeys: [String]
    /// The longest lifetime of a credential, seconds; nil: only `@max_ttl` and the hard cap.
    public var maxTTL: Int64?
    /// A step whose running action carries one of these flags is held for approval, unless a
    /// permit that allows it names the flag in `@release`.
    public var hold: [ActionFlag]
    /// Who approves a step the tier holds.
    public var holdGroup: String
    /// Why the tier differs from the shipped defaults, when it is written.
    public var reason: String?

    /// Creates requirements.
    public init(
        auditLog: Bool = false, checkpointMaxAge: Int64? = nil, checkpointKeys: [String] = [], maxTTL: Int64? = nil,
        hold: [ActionFlag] = [], holdGroup: String = TierRequirements.defaultHoldGroup, reason: String? = nil
    ) {
        self.auditLog = auditLog
        self.checkpointMaxAge = checkpointMaxAge
        self.checkpointKeys = checkpointKeys
        self.maxTTL = maxTTL
        self.hold = hold
        self.holdGroup = holdGroup
        self.reason = reason
    }

    /// The approval group of a tier hold unless the configuration names one.
    public static let defaultHoldGroup = "approvers"

    /// Whose signature the checkpoint demand accepts, in words: the keys `tiers.json` names, or
    /// else the issuer key of the `mint` that checks it.
    public var checkpointSigner: String {
        checkpointKeys.isEmpty ? "the issuer key (mint --key)" : "a key \(TierConfiguration.fileName) trusts"
    }

    /// The flags of `action` this tier holds for approval, less those that `released` names.
    public func held(flags: [ActionFlag], released: Set<ActionFlag>) -> [ActionFlag] {
        flags.filter { hold.contains($0) && !released.contains($0) }
    }

    /// How these requirements are weaker than `shipped`, one phrase each; empty when they
    /// demand at least as much.
    public func weakenings(against shipped: TierRequirements) -> [String] {
        var out: [String] = []
        if shipped.auditLog && !auditLog { out.append("no audit log required") }
        if let limit = shipped.checkpointMaxAge {
            if let age = checkpointMaxAge {
                if age > limit { out.append("checkpoint age \(Self.duration(age)) above \(Self.duration(limit))") }
            } else {
                out.append("no signed checkpoint required")
            }
        }
        if let limit = shipped.maxTTL {
            if let ttl = maxTTL {
                if ttl > limit { out.append("credential lifetime \(Self.duration(ttl)) above \(Self.duration(limit))") }
            } else {
                out.append("no credential lifetime cap")
            }
        }
        let released = shipped.hold.filter { !hold.contains($0) }
        if !released.isEmpty { out.append("\(released.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) no longer held") }
        return out
    }

    static func duration(_ seconds: Int64) -> String { DurationText.format(milliseconds: seconds * 1000) }
}

extension GovernanceTier: Comparable {
    var rank: Int {
        switch self {
        case .standard: return 0
        case .elevated: return 1
        case .strict: return 2
        }
    }

    public static func < (a: GovernanceTier, b: GovernanceTier) -> Bool { a.rank < b.rank }
}

/// What each tier demands in one policy directory: its `tiers.json`, over the shipped defaults.
public struct TierConfiguration: Sendable, Equatable {
    /// The file read; nil when the directory has none (shipped defaults).
    public var file: String?
    /// The requirements per tier.
    public var tiers: [GovernanceTier: TierRequirements]

    /// The requirements of `tier`.
    public func requirements(_ tier: GovernanceTier) -> TierRequirements { tiers[tier] ?? Self.shipped.tiers[tier]! }

    /// The shipped defaults, which match the words stepguard prints for each tier: `standard`
    /// records decisions when a log is given; `elevated` needs an audit log for `mint` and `gate`;
    /// `strict` needs that, a checkpoint signed by the issuer key covering every record older
    /// than one hour before minting, credentials of at most five minutes, and holds irreversible and
    /// privileged steps for approval.
    public static let shipped = TierConfiguration(file: nil, tiers: [
        .standard: TierRequirements(),
        .elevated: TierRequirements(auditLog: true),
        .strict: TierRequirements(auditLog: true, checkpointMaxAge: 3600, maxTTL: 300, hold: [.irreversible, .privileged]),
    ])

    /// The file name in a policy directory.
    public static let fileName = "tiers.json"

    /// Parses `tiers.json`: `{"tiers": {"strict": {"audit_log", "checkpoint": {"max_age",
    /// "keys"}, "max_ttl", "hold": {"flags", "group"}, "reason"}}}`. A tier or member left out
    /// keeps its shipped default; `null` (or `false`, an empty list) turns a demand off. Key
    /// paths are relative to `directory`.
    public static func parse(_ bytes: [UInt8], file: String, directory: String) throws(WorkflowError) -> TierConfiguration {
        let source = try JSONSource.parse(bytes, file: file)
        func fail(_ path: [JSONPathComponent], _ message: String) -> WorkflowError {
            .malformedCatalog(source.location(path), message: message)
        }
        func unknown(_ keys: [String], allowed: [String], at path: [JSONPathComponent], in what: String) throws(WorkflowError) {
            for key in keys where !allowed.contains(key) {
                let hint = EditDistance.suggestion(for: key, among: allowed).map { "did you mean \"\($0)\"? " } ?? ""
                throw fail(path + [.key(key)], "unknown key \"\(key)\" in \(what); \(hint)allowed keys are \(allowed.joined(separator: ", "))")
            }
        }
        func duration(_ value: JSONValue, at path: [JSONPathComponent]) throws(WorkflowError) -> Int64 {
            guard let text = value.stringValue, let ms = DurationText.milliseconds(text), ms >= 1000 else {
                throw fail(path, "\(CanonicalJSON.string(value)) is not a duration of at least 1s; write e.g. \"5m\" or \"1h\"")
            }
            return ms / 1000
        }
        guard case .object(let root) = source.root else {
            throw fail([], "tiers.json must be an object {\"tiers\": {...}}, found \(source.root.typeName)")
        }
        try unknown(Array(root.keys), allowed: ["description", "tiers"], at: [], in: "tiers.json")
        var configuration = shipped
        configuration.file = file
        guard let tiersValue = root["tiers"] else { return configuration }
        guard case .object(let tierObjects) = tiersValue else {
            throw fail([.key("tiers")], "\"tiers\" must be an object keyed by tier (standard, elevated, strict), found \(tiersValue.typeName)")
        }
        for (name, value) in tierObjects {
            let base: [JSONPathComponent] = [.key("tiers"), .key(name)]
            guard let tier = GovernanceTier(rawValue: name) else {
                let hint = EditDistance.suggestion(for: name, among: GovernanceTier.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"? " } ?? ""
                throw fail(base, "unknown tier \"\(name)\"; \(hint)tiers are standard, elevated, strict")
            }
            guard case .object(let object) = value else { throw fail(base, "tier \"\(name)\" must be an object, found \(value.typeName)") }
            try unknown(Array(object.keys), allowed: ["audit_log", "checkpoint", "hold", "max_ttl", "reason"], at: base, in: "tier \"\(name)\"")
            var demands = shipped.requirements(tier)
            if let value = object["audit_log"] {
                guard case .bool(let flag) = value else { throw fail(base + [.key("audit_log")], "\"audit_log\" must be true or false") }
                demands.auditLog = flag
            }
            if let value = object["max_ttl"] {
                demands.maxTTL = value == .null ? nil : try duration(value, at: base + [.key("max_ttl")])
            }
            if let value = object["checkpoint"] {
                let path = base + [.key("checkpoint")]
                switch value {
                case .null:
                    demands.checkpointMaxAge = nil
                    demands.checkpointKeys = []
                case .object(let checkpoint):
                    try unknown(Array(checkpoint.keys), allowed: ["keys", "max_age"], at: path, in: "\"checkpoint\"")
                    if let age = checkpoint["max_age"] { demands.checkpointMaxAge = try duration(age, at: path + [.key("max_age")]) }
                    if let keys = checkpoint["keys"] {
                        guard case .array(let elements) = keys else { throw fail(path + [.key("keys")], "\"keys\" must be an array of key file paths") }
                        demands.checkpointKeys = []
                        for (n, element) in elements.enumerated() {
                            guard let text = element.stringValue, !text.isEmpty else {
                                throw fail(path + [.key("keys"), .index(n)], "a checkpoint key is the path of a public key file")
                            }
                            demands.checkpointKeys.append(text.hasPrefix("/") ? text : joinPath(directory, text))
                        }
                    }
                    if demands.checkpointMaxAge == nil {
                        throw fail(path, "\"checkpoint\" needs \"max_age\": how old the newest unsigned record may be (e.g. \"1h\")")
                    }
                default:
                    throw fail(path, "\"checkpoint\" must be an object {\"max_age\", \"keys\"} or null")
                }
            }
            if let value = object["hold"] {
                let path = base + [.key("hold")]
                switch value {
                case .null:
                    demands.hold = []
                case .object(let hold):
                    try unknown(Array(hold.keys), allowed: ["flags", "group"], at: path, in: "\"hold\"")
                    if let flags = hold["flags"] {
                        guard case .array(let elements) = flags else { throw fail(path + [.key("flags")], "\"flags\" must be an array of catalog flags") }
                        demands.hold = []
                        for (n, element) in elements.enumerated() {
                            guard let text = element.stringValue, let flag = ActionFlag(rawValue: text) else {
                                throw fail(path + [.key("flags"), .index(n)], "unknown flag \(CanonicalJSON.string(element)); flags are external, irreversible, privileged, secret")
                            }
                            if !demands.hold.contains(flag) { demands.hold.append(flag) }
                        }
                        demands.hold.sort()
                    }
                    if let group = hold["group"] {
                        guard let text = group.stringValue, !text.isEmpty else { throw fail(path + [.key("group")], "\"group\" must name the approving group") }
                        demands.holdGroup = text
                    }
                default:
                    throw fail(path, "\"hold\" must be an object {\"flags\", \"group\"} or null")
                }
            }
            if let value = object["reason"] {
                guard let text = value.stringValue else { throw fail(base + [.key("reason")], "\"reason\" must be a string") }
                demands.reason = text.allSatisfy(\.isWhitespace) ? nil : text
            }
            configuration.tiers[tier] = demands
        }
        return configuration
    }
}

/// Whether one demand of the tier in force was met by one run of a command.
public struct TierRequirementStatus: Sendable, Equatable {
    /// `audit_log`, `checkpoint`, `max_ttl` or `hold`.
    public var id: String
    /// What the tier demands, in words.
    public var demand: String
    /// Met or not; nil when the demand does not apply to this command.
    public var met: Bool?
    /// What was found.
    public var detail: String

    /// Creates a status.
    public init(id: String, demand: String, met: Bool?, detail: String) {
        self.id = id
        self.demand = demand
        self.met = met
        self.detail = detail
    }

    /// `met`, `not met` or `n/a`.
    public var state: String { met.map { $0 ? "met" : "not met" } ?? "n/a" }

    /// `{"id", "demand", "met", "detail"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("demand", .string(demand)), ("met", met.map(JSONValue.bool) ?? .null), ("detail", .string(detail)),
        ]))
    }
}

/// The tier a run was governed at and what it demanded, for every report.
public struct TierReport: Sendable, Equatable {
    /// The risk class in force.
    public var risk: RiskClass
    /// Where the requirements came from: the `tiers.json` path, or `shipped defaults`.
    public var source: String
    /// One status per demand of the tier.
    public var requirements: [TierRequirementStatus]

    /// The tier in force.
    public var tier: GovernanceTier { risk.tier }

    /// Creates a report.
    public init(risk: RiskClass, source: String, requirements: [TierRequirementStatus]) {
        self.risk = risk
        self.source = source
        self.requirements = requirements
    }

    /// The demands not met.
    public var unmet: [TierRequirementStatus] { requirements.filter { $0.met == false } }

    /// `{"name", "risk", "source", "requirements": [...]}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("name", .string(tier.rawValue)), ("risk", .string(risk.rawValue)), ("source", .string(source)),
            ("requirements", .array(requirements.map(\.json))),
        ]))
    }
}

/// What a command knows when it reports on the tier's demands: which apply to it and what it found.
public struct TierFacts: Sendable {
    /// Whether the command issues something (`mint`, `gate`): the audit-log demand applies.
    public var issues: Bool
    /// Whether an audit log was given.
    public var auditLog: Bool
    /// For `mint`: the checkpoint found, or why none counts; nil for other commands.
    public var checkpoint: CheckpointFreshness?
    /// For `mint`: the requested lifetime and the one the credential got, seconds.
    public var ttl: (requested: Int64, granted: Int64)?
    /// The steps the tier held for approval.
    public var held: [String]

    /// Creates facts.
    public init(issues: Bool, auditLog: Bool, checkpoint: CheckpointFreshness? = nil, ttl: (requested: Int64, granted: Int64)? = nil, held: [String] = []) {
        self.issues = issues
        self.auditLog = auditLog
        self.checkpoint = checkpoint
        self.ttl = ttl
        self.held = held
    }
}

/// What a log's checkpoints prove about its records, as the checkpoint demand reads it.
public enum CheckpointFreshness: Sendable, Equatable {
    /// A checkpoint of `size` records signed by a trusted key matches the log; `unsigned`
    /// records follow it, the oldest of them `oldest` seconds old (0 when none). `signer` says
    /// which key that is, in words.
    case signed(size: Int, unsigned: Int, oldest: Int64, signer: String)
    /// No checkpoint signed by a trusted key matches the log, or the log does not verify.
    case missing(String)
}

extension TierConfiguration {
    /// The report of `tier`'s demands given what a command found.
    public func report(risk: RiskClass, facts: TierFacts) -> TierReport {
        let demands = requirements(risk.tier)
        var statuses: [TierRequirementStatus] = []
        if demands.auditLog {
            let given = facts.auditLog ? "an audit log was given" : "no audit log was given"
            statuses.append(TierRequirementStatus(
                id: "audit_log", demand: "mint and gate record every decision, rewrite and denial in an audit log (--audit)",
                met: facts.issues ? facts.auditLog : (facts.auditLog ? true : nil), detail: given))
        }
        if let age = demands.checkpointMaxAge {
            let demand = "a checkpoint signed by \(demands.checkpointSigner) covers every record older than \(TierRequirements.duration(age)) before minting"
            switch facts.checkpoint {
            case nil:
                statuses.append(TierRequirementStatus(id: "checkpoint", demand: demand, met: nil, detail: "checked by mint"))
            case .missing(let why)?:
                statuses.append(TierRequirementStatus(id: "checkpoint", demand: demand, met: false, detail: why))
            case .signed(let size, let unsigned, let oldest, let signer)?:
                let fresh = unsigned == 0 || oldest <= age
                let records = "\(size) record\(size == 1 ? "" : "s") signed by \(signer)"
                let detail = unsigned == 0
                    ? "a checkpoint of \(records) covers the whole log"
                    : "a checkpoint of \(records); the oldest of \(unsigned) unsigned record\(unsigned == 1 ? " is" : "s is") \(TierRequirements.duration(oldest)) old"
                statuses.append(TierRequirementStatus(id: "checkpoint", demand: demand, met: fresh, detail: detail))
            }
        }
        if let cap = demands.maxTTL {
            let demand = "credentials live at most \(TierRequirements.duration(cap))"
            if let ttl = facts.ttl {
                let detail = ttl.granted < ttl.requested
                    ? "requested \(TierRequirements.duration(ttl.requested)), granted \(TierRequirements.duration(ttl.granted))"
                    : "granted \(TierRequirements.duration(ttl.granted))"
                statuses.append(TierRequirementStatus(id: "max_ttl", demand: demand, met: ttl.granted <= cap, detail: detail))
            } else {
                statuses.append(TierRequirementStatus(id: "max_ttl", demand: demand, met: nil, detail: "applied by mint"))
            }
        }
        if !demands.hold.isEmpty {
            let flags = demands.hold.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            let detail = facts.held.isEmpty
                ? "no step needed holding" : "held for approval by \"\(demands.holdGroup)\": " + facts.held.map { "\"\($0)\"" }.joined(separator: ", ")
            statuses.append(TierRequirementStatus(
                id: "hold", demand: "steps whose action is \(flags) wait for approval unless a permit releases them (@release)",
                met: true, detail: detail))
        }
        return TierReport(risk: risk, source: file ?? "shipped defaults", requirements: statuses)
    }
}

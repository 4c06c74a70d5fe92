import JSONValue

/// What verification found wrong (or worth knowing) about a log.
public enum FindingKind: String, Sendable, CaseIterable, Comparable {
    // The records themselves.
    /// The final line has no newline or is not a record: an interrupted write.
    case torn
    /// A line that is not a record (not JSON, or without `seq`/`prev`).
    case malformed
    /// A record whose bytes no longer hash to what the next record names as `prev`.
    case modified
    /// Records absent from the middle of the log (deleted).
    case missing
    /// A record that is not part of the hash chain (added).
    case inserted
    /// A record of the chain found out of its place.
    case reordered
    /// The log ends before the size a checkpoint covers (records cut off the end).
    case truncated
    /// A record whose time is earlier than a record before it: time in the log only moves forward.
    case backdated
    // Checkpoints.
    /// A checkpoint's root hash differs from the tree of the log's first `size` records.
    case checkpointMismatch = "checkpoint-mismatch"
    /// A checkpoint is not validly signed by a trusted key.
    case checkpointSignature = "checkpoint-signature"
    /// A checkpoint file does not parse.
    case checkpointUnreadable = "checkpoint-unreadable"
    /// Two signed checkpoints that cannot both describe one log.
    case forkedCheckpoints = "forked-checkpoints"
    /// Records no checkpoint signed by a trusted key covers: nothing proves they are what was
    /// written (a notice, or a fault with `requireSigned`; a fault when no record is covered).
    case unsigned
    // Witnesses.
    /// A cosignature by a given witness key does not verify (or is dated in the future).
    case witnessSignature = "witness-signature"
    /// The checkpoint relied on carries fewer valid witness cosignatures than the quorum.
    case witnessQuorum = "witness-quorum"
    // A published tree (tlog-tiles).
    /// A tile or entry bundle the checkpoint needs is absent.
    case tileMissing = "tile-missing"
    /// A tile or entry bundle has the wrong length or does not parse.
    case tileMalformed = "tile-malformed"
    /// A hash in a tile differs from what the entries or the level below give.
    case tileMismatch = "tile-mismatch"
    // Joins between records.
    /// An execution without an allowing decision (or approval) for its step before it.
    case unauthorizedExecution = "unauthorized-execution"
    /// An execution after the expiry of the credential it used.
    case expiredCredential = "expired-credential"
    /// A credential used by a second execution.
    case replayedCredential = "replayed-credential"
    /// An execution with a credential revoked before it.
    case revokedCredential = "revoked-credential"
    /// An execution with a credential no mint record issued.
    case unknownCredential = "unknown-credential"
    /// An execution of a plan's step that names no credential (`jti`), whether or not one was
    /// minted for it.
    case missingCredential = "missing-credential"
    /// An execution that claims to be a gate call's (it carries the gate's `host` member) and
    /// names no credential, without the gate's decision of that call (same session and
    /// `tool_use_id`, same host) as its step's latest decision.
    case unjoinedExecution = "unjoined-execution"
    /// An execution whose credential was minted for another plan or step, for a plan digest or
    /// decided form other than the step's latest decision states, or before that decision.
    case misboundCredential = "misbound-credential"
    /// An execution whose recorded `plan_digest`, `step_digest` or `args_digest` differs from
    /// what was decided for its step.
    case formMismatch = "form-mismatch"
    /// An execution before the execution of a step its plan runs it after (its decision's
    /// `after`: the steps it needs, and in a sequential plan the step before it).
    case outOfOrder = "out-of-order"
    /// A record of a live session whose `session_prev` does not name the hash of the session's
    /// record before it: it was decided on a history that left a record of the session out.
    case sessionGap = "session-gap"
    /// An approval record whose signed approval is missing, does not verify or was not the
    /// approver's to give (checked against a policy directory).
    case invalidApproval = "invalid-approval"
    /// A step allowed but never executed (notice).
    case aborted
    /// Something verification did not check, and why (notice).
    case notChecked = "not-checked"

    public static func < (a: FindingKind, b: FindingKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Whether a finding fails verification.
public enum FindingSeverity: String, Sendable, Comparable {
    /// The log is not intact, or an action broke the rules: verification fails.
    case fault
    /// Reported for the record; does not fail verification.
    case notice

    public static func < (a: FindingSeverity, b: FindingSeverity) -> Bool { a == .fault && b == .notice }
}

/// One finding, located by record number (`seq`) and 1-based line in the log file.
public struct AuditFinding: Equatable, Sendable {
    public var kind: FindingKind
    public var severity: FindingSeverity
    /// The record number concerned (for `missing`, the first missing one).
    public var seq: Int?
    /// The line in the log file (for `missing`, the line where the gap shows).
    public var line: Int?
    /// How many records (for `missing` and `truncated`).
    public var count: Int?
    /// Another line involved (the decision, the first use of a credential, ...).
    public var relatedLine: Int?
    /// The checkpoint concerned, by tree size.
    public var checkpointSize: Int?
    /// The checkpoint file concerned.
    public var checkpointPath: String?
    public var plan: String?
    public var step: String?
    public var jti: String?
    /// One sentence for people.
    public var message: String

    public init(kind: FindingKind, severity: FindingSeverity = .fault, seq: Int? = nil, line: Int? = nil,
                count: Int? = nil, relatedLine: Int? = nil, checkpointSize: Int? = nil, checkpointPath: String? = nil,
                plan: String? = nil, step: String? = nil, jti: String? = nil, message: String) {
        self.kind = kind
        self.severity = severity
        self.seq = seq
        self.line = line
        self.count = count
        self.relatedLine = relatedLine
        self.checkpointSize = checkpointSize
        self.checkpointPath = checkpointPath
        self.plan = plan
        self.step = step
        self.jti = jti
        self.message = message
    }

    /// The order of a report: faults first, then by line, kind, record, checkpoint and message.
    static func reportOrder(_ a: AuditFinding, _ b: AuditFinding) -> Bool {
        (a.severity, a.line ?? Int.max, a.kind, a.seq ?? -1, a.checkpointSize ?? -1, a.message)
            < (b.severity, b.line ?? Int.max, b.kind, b.seq ?? -1, b.checkpointSize ?? -1, b.message)
    }

    /// The finding as JSON, members present only when set.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("kind", .string(kind.rawValue)), ("severity", .string(severity.rawValue)), ("message", .string(message)),
        ]
        if let seq { pairs.append(("seq", .int(Int64(seq)))) }
        if let line { pairs.append(("line", .int(Int64(line)))) }
        if let count { pairs.append(("count", .int(Int64(count)))) }
        if let relatedLine { pairs.append(("related_line", .int(Int64(relatedLine)))) }
        if let checkpointSize { pairs.append(("checkpoint_size", .int(Int64(checkpointSize)))) }
        if let checkpointPath { pairs.append(("checkpoint", .string(checkpointPath))) }
        if let plan { pairs.append(("plan", .string(plan))) }
        if let step { pairs.append(("step", .string(step))) }
        if let jti { pairs.append(("jti", .string(jti))) }
        return .object(JSONObject(pairs))
    }
}

/// How one stored checkpoint fared.
public struct CheckpointStatus: Equatable, Sendable {
    /// The note file.
    public var path: String
    public var origin: String
    public var size: Int
    public var root: Digest32
    /// `verified`, `bad-signature`, `untrusted` (no trusted key signed it) or `not-checked` (no key given).
    public var signature: String
    /// Whether the log's first `size` records have this root; nil when not checked (before a
    /// trusted starting checkpoint).
    public var matchesLog: Bool?

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("path", .string(path)), ("origin", .string(origin)), ("size", .int(Int64(size))),
            ("root", .string(root.base64)), ("signature", .string(signature)),
        ]
        pairs.append(("matches_log", matchesLog.map { .bool($0) } ?? .null))
        return .object(JSONObject(pairs))
    }
}

/// The result of verifying a log.
public struct VerificationReport: Sendable {
    /// Records examined (lines of the log, or lines after the starting checkpoint).
    public var totalRecords: Int
    /// Of those, the ones not involved in any record fault.
    public var validRecords: Int
    /// Faults and notices, ordered by line.
    public var findings: [AuditFinding]
    /// Every checkpoint found beside the log.
    public var checkpoints: [CheckpointStatus]
    /// Number of leaves in the tree over the whole file.
    public var treeSize: Int
    /// Root of that tree.
    public var root: Digest32
    /// The tree size verification started from (0, or the trusted checkpoint's size).
    public var startSize: Int
    /// Whether signatures were checked against trusted keys; without them only the hash chain
    /// and tree were, which prove nothing to someone who can edit the log.
    public var signaturesChecked: Bool

    /// The findings that fail verification.
    public var faults: [AuditFinding] { findings.filter { $0.severity == .fault } }
    /// The findings that do not.
    public var notices: [AuditFinding] { findings.filter { $0.severity == .notice } }
    /// Whether nothing failed.
    public var isIntact: Bool { !findings.contains { $0.severity == .fault } }
    /// Records no trusted signature covers (0 without keys: then nothing is signed-checked).
    public var unsignedRecords: Int { findings.first { $0.kind == .unsigned }?.count ?? 0 }

    /// `N/M records valid`, with what was not proven: unsigned records, or no key at all.
    public var summary: String {
        let base = "\(validRecords)/\(totalRecords) records valid"
        if !signaturesChecked { return base + " (hash chain only: no key given)" }
        let unsigned = unsignedRecords
        return unsigned == 0 ? base : base + ", \(unsigned) unsigned"
    }

    /// Stable JSON for machines.
    public var json: JSONValue {
        .object(JSONObject([
            ("intact", .bool(isIntact)),
            ("valid_records", .int(Int64(validRecords))),
            ("total_records", .int(Int64(totalRecords))),
            ("start_size", .int(Int64(startSize))),
            ("signatures_checked", .bool(signaturesChecked)),
            ("unsigned_records", .int(Int64(unsignedRecords))),
            ("tree_size", .int(Int64(treeSize))),
            ("root", .string(root.hex)),
            ("checkpoints", .array(checkpoints.map(\.json))),
            ("findings", .array(findings.map(\.json))),
        ]))
    }
}

import Credentials
import Crypto
import JSONValue
import Workflow

/// One signed approval (or rejection) of one held step (DESIGN §8), as `approve` writes it:
///
///     {"schema": "stepguard.approval/v1", "id": "…", "plan": "release-42", "step": "rotate",
///      "sha256": "<hex digest of the held step>", "group": "security-oncall",
///      "approver": "User::\"alice\"", "decision": "approve", "issued_at": "…Z",
///      "expires_at": "…Z", "note": "…", "kid": "<RFC 7638 thumbprint>", "signature": "<base64url>"}
///
/// The signature is Ed25519 over `stepguard.approval/v1` and a newline followed by the RFC 8785
/// canonical JSON of every member but `id` and `signature`; `id` is the first 128 bits of the
/// SHA-256 of those same bytes, in hex, so an approval cannot be renamed to another's id.
public struct SignedApproval: Sendable, Equatable {
    /// The document type, also the signature's domain separator.
    public static let schema = "stepguard.approval/v1"

    /// The approval id.
    public var id: String
    /// The plan id.
    public var plan: String
    /// The held step's id.
    public var step: String
    /// SHA-256 (hex) of the held step's canonical JSON.
    public var sha256: String
    /// The group approved for.
    public var group: String
    /// The approver's entity.
    public var approver: EntityRef
    /// Approve or reject.
    public var decision: ApprovalDecision
    /// When it was signed.
    public var issuedAt: Clock
    /// When it stops counting.
    public var expiresAt: Clock
    /// Free text from the approver.
    public var note: String
    /// The thumbprint of the key that signed.
    public var kid: String
    /// The Ed25519 signature, base64url.
    public var signature: String

    static let members: Set<String> = [
        "schema", "id", "plan", "step", "sha256", "group", "approver", "decision", "issued_at", "expires_at", "note", "kid", "signature",
    ]

    /// What the signature covers.
    var signedBytes: [UInt8] {
        let body: JSONValue = .object(JSONObject([
            ("schema", .string(Self.schema)), ("plan", .string(plan)), ("step", .string(step)), ("sha256", .string(sha256)),
            ("group", .string(group)), ("approver", .string(approver.description)), ("decision", .string(decision.rawValue)),
            ("issued_at", .string(issuedAt.description)), ("expires_at", .string(expiresAt.description)), ("note", .string(note)),
            ("kid", .string(kid)),
        ]))
        return Array((Self.schema + "\n").utf8) + CanonicalJSON.serialize(body)
    }

    /// The id the signed members give.
    var expectedID: String { Hex.encode(SHA256.hash(signedBytes).prefix(16)) }

    /// Signs an approval of `held` for `group` with `key`, the approver's.
    public static func sign(
        held: HeldStep, group: String, approver: EntityRef, decision: ApprovalDecision, expiresAt: Clock, note: String, key: SigningKey
    ) -> SignedApproval {
        var approval = SignedApproval(
            id: "", plan: held.plan.id, step: held.stepID, sha256: held.sha256, group: group, approver: approver, decision: decision,
            issuedAt: held.clock, expiresAt: expiresAt, note: note, kid: key.verificationKey.thumbprint, signature: "")
        let bytes = approval.signedBytes
        approval.id = approval.expectedID
        approval.signature = Base64.urlEncode(key.privateKey.signature(for: bytes))
        return approval
    }

    /// Whether `signature` verifies under `key` and `id` is the one the signed members give.
    public func verifies(under key: VerificationKey) -> Bool {
        guard let bytes = Base64.urlDecode(signature), id == expectedID else { return false }
        return key.publicKey.isValidSignature(bytes, for: signedBytes)
    }

    /// The document.
    public var json: JSONValue {
        .object(JSONObject([
            ("schema", .string(Self.schema)), ("id", .string(id)), ("plan", .string(plan)), ("step", .string(step)),
            ("sha256", .string(sha256)), ("group", .string(group)), ("approver", .string(approver.description)),
            ("decision", .string(decision.rawValue)), ("issued_at", .string(issuedAt.description)),
            ("expires_at", .string(expiresAt.description)), ("note", .string(note)), ("kid", .string(kid)),
            ("signature", .string(signature)),
        ]))
    }

    /// Reads a document; `file` names it in messages (`approvals/ab12.json`, `audit.jsonl:7`).
    public init(json value: JSONValue, file: String) throws(ApprovalError) {
        func fail(_ message: String) -> ApprovalError { .malformed(file: file, message: message) }
        guard let object = value.objectValue else { throw fail("an approval is a JSON object") }
        for key in object.keys where !Self.members.contains(key) {
            throw fail("unknown member \"\(key)\"; an approval has \(Self.members.sorted().joined(separator: ", "))")
        }
        func text(_ key: String) throws(ApprovalError) -> String {
            guard let value = object[key]?.stringValue else { throw fail("\"\(key)\" must be a string") }
            return value
        }
        func time(_ key: String) throws(ApprovalError) -> Clock {
            let value = try text(key)
            guard let clock = Clock(iso8601: value) else { throw fail("\"\(key)\" must be an RFC 3339 time, found \"\(value)\"") }
            return clock
        }
        guard try text("schema") == Self.schema else { throw fail("\"schema\" must be \"\(Self.schema)\"") }
        let approverText = try text("approver")
        guard let approver = EntityRef(cedarText: approverText) else {
            throw fail("\"approver\" must be Cedar entity text like User::\"alice\", found \"\(approverText)\"")
        }
        let decisionText = try text("decision")
        guard let decision = ApprovalDecision(rawValue: decisionText) else {
            throw fail("\"decision\" must be \"approve\" or \"reject\", found \"\(decisionText)\"")
        }
        self.init(
            id: try text("id"), plan: try text("plan"), step: try text("step"), sha256: try text("sha256"), group: try text("group"),
            approver: approver, decision: decision, issuedAt: try time("issued_at"), expiresAt: try time("expires_at"),
            note: try text("note"), kid: try text("kid"), signature: try text("signature"))
    }

    init(
        id: String, plan: String, step: String, sha256: String, group: String, approver: EntityRef, decision: ApprovalDecision,
        issuedAt: Clock, expiresAt: Clock, note: String, kid: String, signature: String
    ) {
        self.id = id
        self.plan = plan
        self.step = step
        self.sha256 = sha256
        self.group = group
        self.approver = approver
        self.decision = decision
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.note = note
        self.kid = kid
        self.signature = signature
    }
}

import Crypto

// C2SP tlog-cosignature, cosignature/v1 (Ed25519): a witness's note signature on a checkpoint,
// under signature type 0x04. The signed bytes are
//
//     cosignature/v1\n
//     time <POSIX seconds, decimal, no leading zeroes>\n
//     <the checkpoint's note text, final newline included>
//
// and the signature line carries base64(key ID || uint64 big-endian timestamp || signature).

/// The signature type byte of Ed25519 cosignatures in key IDs and verifier keys.
let cosignatureSignatureType: UInt8 = 0x04

/// The bytes a cosignature/v1 signature covers.
public func cosignatureMessage(checkpointText: String, time: UInt64) -> [UInt8] {
    Array("cosignature/v1\ntime \(time)\n".utf8) + Array(checkpointText.utf8)
}

/// Signs checkpoints as a witness.
public struct CosignatureSigner: Sendable {
    /// The witness's name, written on its signature lines.
    public let name: String
    private let key: Ed25519.PrivateKey

    /// A signer from a raw 32-byte Ed25519 seed.
    public init(name: String, seed: [UInt8]) throws(AuditError) {
        key = try noteSigningKey(name: name, seed: seed, role: "witness")
        self.name = name
    }

    /// The matching verifier.
    public var verifier: CosignatureVerifier {
        // The public key comes from a valid private key, so it always decodes.
        try! CosignatureVerifier(name: name, publicKey: key.publicKey.rawRepresentation)
    }

    /// The cosignature line for a checkpoint's note text at `time` (POSIX seconds).
    public func cosign(checkpointText: String, time: UInt64) -> NoteSignature {
        let signature = key.signature(for: cosignatureMessage(checkpointText: checkpointText, time: time))
        let stamp = withUnsafeBytes(of: time.bigEndian) { Array($0) }
        return NoteSignature(name: name, keyID: verifier.keyID, signature: stamp + signature)
    }
}

/// Checks the cosignatures of one witness.
public struct CosignatureVerifier: Sendable, Equatable {
    /// The witness's name.
    public let name: String
    /// The raw 32-byte Ed25519 public key.
    public let publicKey: [UInt8]
    private let key: Ed25519.PublicKey

    /// A verifier from a witness name and a raw 32-byte Ed25519 public key.
    public init(name: String, publicKey: [UInt8]) throws(AuditError) {
        try checkNoteKeyName(name, role: "witness")
        key = try noteVerifyingKey(publicKey)
        self.name = name
        self.publicKey = publicKey
    }

    /// A verifier from the C2SP verifier key `name+keyid+base64(0x04 || public key)`.
    public init(verifierKey: String) throws(AuditError) {
        let (name, key) = try parseVerifierKey(verifierKey, signatureType: cosignatureSignatureType, what: "a cosignature/v1 witness key")
        try self.init(name: name, publicKey: key)
    }

    /// SHA-256(name || 0x0A || 0x04 || public key)[:4].
    public var keyID: UInt32 { noteKeyID(name: name, signatureType: cosignatureSignatureType, publicKey: publicKey) }

    /// The verifier key `name+keyid+base64(0x04 || public key)`.
    public var verifierKey: String { formatVerifierKey(name: name, signatureType: cosignatureSignatureType, publicKey: publicKey) }

    /// The outcome of looking for this witness's cosignature on a note.
    public enum Outcome: Equatable, Sendable {
        /// A cosignature by this witness verifies; its time.
        case verified(time: UInt64)
        /// A signature line with this witness's name and key ID does not verify, and why.
        case invalid(String)
        /// No signature line has this witness's name and key ID.
        case notSigned
    }

    /// Checks the note's lines that carry this witness's name and key ID. A cosignature dated
    /// after `now` (POSIX seconds) is refused, as the spec allows: a witness cannot have
    /// observed the log in the future.
    public func check(_ note: SignedNote, now: UInt64? = nil) -> Outcome {
        var outcome = Outcome.notSigned
        for line in note.signatures where line.name == name && line.keyID == keyID {
            guard line.signature.count == 8 + Ed25519.signatureSize else {
                return .invalid("the cosignature is \(line.signature.count) bytes, a timestamp and an Ed25519 signature are \(8 + Ed25519.signatureSize)")
            }
            let time = line.signature[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard time <= UInt64(Int64.max) else { return .invalid("its timestamp exceeds 2^63 - 1") }
            let message = cosignatureMessage(checkpointText: note.text, time: time)
            guard key.isValidSignature(Array(line.signature[8...]), for: message) else {
                return .invalid("the signature does not verify")
            }
            if let now, time > now { return .invalid("it is dated \(time), after the current time \(now)") }
            outcome = .verified(time: time)
        }
        return outcome
    }
}

/// Which witnesses a verifier trusts, and how many of them must have cosigned.
public struct WitnessPolicy: Sendable, Equatable {
    /// The witnesses.
    public var witnesses: [CosignatureVerifier]
    /// How many of them must have cosigned a checkpoint for it to count.
    public var quorum: Int
    /// The current time in POSIX seconds, for refusing cosignatures dated in the future.
    public var now: UInt64?

    public init(witnesses: [CosignatureVerifier], quorum: Int, now: UInt64? = nil) {
        self.witnesses = witnesses
        self.quorum = quorum
        self.now = now
    }

    /// How a note fares under this policy.
    public struct Evaluation: Equatable, Sendable {
        /// Witnesses whose cosignature verifies.
        public var cosigned: [String]
        /// Witnesses with a cosignature line that does not verify, and why.
        public var invalid: [(name: String, reason: String)]
        /// Witnesses that did not cosign.
        public var absent: [String]
        /// Whether enough witnesses cosigned and none with an invalid line.
        public var satisfied: Bool

        public static func == (a: Evaluation, b: Evaluation) -> Bool {
            a.cosigned == b.cosigned && a.absent == b.absent && a.satisfied == b.satisfied
                && a.invalid.map(\.name) == b.invalid.map(\.name) && a.invalid.map(\.reason) == b.invalid.map(\.reason)
        }
    }

    /// Counts the valid cosignatures on `note`. A witness listed twice counts once.
    public func evaluate(_ note: SignedNote) -> Evaluation {
        var result = Evaluation(cosigned: [], invalid: [], absent: [], satisfied: false)
        var seen = Set<String>()
        for witness in witnesses where seen.insert(witness.verifierKey).inserted {
            switch witness.check(note, now: now) {
            case .verified: result.cosigned.append(witness.name)
            case .invalid(let reason): result.invalid.append((witness.name, reason))
            case .notSigned: result.absent.append(witness.name)
            }
        }
        result.satisfied = result.cosigned.count >= quorum && result.invalid.isEmpty
        return result
    }

    /// The problems with `note` under this policy, one sentence each; empty when it passes.
    public func problems(_ note: SignedNote) -> [String] {
        let evaluation = evaluate(note)
        var problems = evaluation.invalid.map { "the cosignature of witness \"\($0.name)\" is invalid: \($0.reason)" }
        if let shortfall = shortfall(evaluation) { problems.append("the checkpoint carries " + shortfall) }
        return problems
    }

    /// `1 valid witness cosignature, 2 required; not cosigned by "b"`, or nil when the quorum is met.
    private func shortfall(_ evaluation: Evaluation) -> String? {
        guard evaluation.cosigned.count < quorum else { return nil }
        let absent = evaluation.absent.isEmpty ? "" : "; not cosigned by " + evaluation.absent.map { "\"\($0)\"" }.joined(separator: ", ")
        return "\(evaluation.cosigned.count) valid witness cosignature\(evaluation.cosigned.count == 1 ? "" : "s"), \(quorum) required\(absent)"
    }

    /// Findings for a log's checkpoints: the latest trusted one is what a verifier relies on,
    /// so it must meet the quorum; a bad cosignature on any checkpoint is a fault.
    func findings(checkpoints: [StoredCheckpoint], trusted: [Bool]) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for stored in checkpoints {
            for (name, reason) in evaluate(stored.note).invalid {
                findings.append(AuditFinding(kind: .witnessSignature, checkpointSize: stored.checkpoint.size, checkpointPath: stored.path,
                                             message: "checkpoint \(stored.path) (size \(stored.checkpoint.size)): the cosignature of witness \"\(name)\" is invalid: \(reason)"))
            }
        }
        let latest = checkpoints.indices.filter { trusted[$0] }.max { checkpoints[$0].checkpoint.size < checkpoints[$1].checkpoint.size }
        guard let latest else {
            findings.append(AuditFinding(kind: .witnessQuorum, message: "no trusted checkpoint to check witness cosignatures on"))
            return findings
        }
        let stored = checkpoints[latest]
        if let shortfall = shortfall(evaluate(stored.note)) {
            findings.append(AuditFinding(kind: .witnessQuorum, checkpointSize: stored.checkpoint.size, checkpointPath: stored.path,
                                         message: "checkpoint \(stored.path) (size \(stored.checkpoint.size)) carries \(shortfall)"))
        }
        return findings
    }
}

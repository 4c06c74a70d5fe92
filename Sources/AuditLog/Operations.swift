import JSONValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of `checkpoint`.
public struct CheckpointResult: Sendable {
    /// The checkpoint body.
    public let checkpoint: Checkpoint
    /// The signed note as stored.
    public let note: SignedNote
    /// Where the note is.
    public let path: String
    /// False when a checkpoint of this size already carried our signature.
    public let created: Bool

    /// For `--format json`.
    public var json: JSONValue {
        .object(JSONObject([
            ("origin", .string(checkpoint.origin)), ("size", .int(Int64(checkpoint.size))), ("root", .string(checkpoint.root.base64)),
            ("path", .string(path)), ("created", .bool(created)), ("note", .string(note.serialized)),
        ]))
    }
}

extension AuditLog {
    /// Finding kinds that mean the records or checkpoints are damaged (as opposed to joins).
    static let integrityKinds: Set<FindingKind> = [
        .torn, .malformed, .modified, .missing, .inserted, .reordered, .truncated, .backdated, .checkpointMismatch, .forkedCheckpoints,
    ]

    /// Verifies the log at `path`; see `AuditVerifier`.
    public static func verify(logAt path: String, options: VerifyOptions = VerifyOptions()) throws(AuditError) -> VerificationReport {
        try AuditVerifier.verify(logAt: path, options: options)
    }

    /// Signs a checkpoint of the whole log at `path` and stores it beside the log.
    ///
    /// Appends are held off (shared lock) while the log is read. The log is verified first, from
    /// the latest checkpoint this signer made when there is one, and nothing is signed when its
    /// records or checkpoints show damage.
    public static func checkpoint(logAt path: String, origin: String, signer: NoteSigner) throws(AuditError) -> CheckpointResult {
        guard !origin.isEmpty, !origin.contains("\n") else {
            throw .invalidCheckpoint(path: path, reason: "the origin must be one non-empty line")
        }
        let lock = try FileHandleFD(path: path, flags: O_RDONLY)
        try lock.lockShared()
        let loaded = try CheckpointStore.load(forLog: path)
        let own = signer.verifier
        let resumable = loaded.checkpoints.last { stored in
            stored.resume != nil && stored.checkpoint.origin == origin && own.check(stored.note) == .verified
        }
        var options = VerifyOptions(trustedKeys: [own], fromCheckpoint: resumable?.checkpoint.size)
        let file = try MappedFile(path: path)
        var run = try AuditVerifier.run(bytes: file.bytes, checkpoints: loaded.checkpoints, options: options, hasher: RFC6962Hasher())
        if run.report.startSize == 0 && options.fromCheckpoint != nil {
            options.fromCheckpoint = nil
        }
        withExtendedLifetime((file, lock)) {}
        if let fault = run.report.faults.first(where: { integrityKinds.contains($0.kind) }) {
            throw .logDoesNotVerify(path: path, firstFault: fault.message)
        }
        let size = run.engine.treeSize
        guard size > 0 else { throw .invalidCheckpoint(path: path, reason: "the log is empty; append records before checkpointing") }
        let root = run.engine.range.root()
        let checkpoint = Checkpoint(origin: origin, size: size, root: root)

        if let existing = loaded.checkpoints.first(where: { $0.checkpoint.size == size && $0.checkpoint.root == root && $0.checkpoint.origin == origin }) {
            if own.check(existing.note) == .verified {
                return CheckpointResult(checkpoint: existing.checkpoint, note: existing.note, path: existing.path, created: false)
            }
        }
        guard let lastLeaf = run.engine.lastLeafHash else {
            throw .invalidCheckpoint(path: path, reason: "no record after the latest checkpoint; nothing new to sign")
        }
        let resume = ResumePoint(size: size, offset: run.engine.endOffset, lastLeaf: lastLeaf,
                                 inclusionProof: run.engine.lastLeafInclusionProof)
        // Keep other keys' signatures on an identical body.
        let others = loaded.checkpoints.first { $0.note.text == checkpoint.body }?.note.signatures ?? []
        let note = signer.sign(text: checkpoint.body, existing: others)
        let notePath = try CheckpointStore.store(note: note, resume: resume, forLog: path)
        run.report.findings.removeAll()
        return CheckpointResult(checkpoint: checkpoint, note: note, path: notePath, created: true)
    }
}

// MARK: - Inclusion proofs

/// An inclusion proof of one record against a signed checkpoint, self-contained for offline
/// checking. Stored as JSON:
///
///     {"checkpoint": "<signed note>", "leaf_hash": "<hex>", "proof": ["<hex>", ...],
///      "record": "<the record line>", "seq": 42, "tree_size": 1000,
///      "type": "stepguard-audit-inclusion-proof", "version": 1}
public struct InclusionProofFile: Equatable, Sendable {
    public static let type = "stepguard-audit-inclusion-proof"

    /// The record's number (its leaf index).
    public var seq: Int
    /// The record line exactly as in the log, without the newline.
    public var record: String
    /// SHA-256(0x00 || record).
    public var leafHash: Digest32
    /// The checkpoint's tree size.
    public var treeSize: Int
    /// RFC 9162 inclusion proof, bottom up.
    public var proof: [Digest32]
    /// The signed checkpoint note.
    public var checkpoint: String

    public init(seq: Int, record: String, leafHash: Digest32, treeSize: Int, proof: [Digest32], checkpoint: String) {
        self.seq = seq
        self.record = record
        self.leafHash = leafHash
        self.treeSize = treeSize
        self.proof = proof
        self.checkpoint = checkpoint
    }

    /// The proof file's JSON.
    public var json: JSONValue {
        .object(JSONObject([
            ("type", .string(Self.type)), ("version", .int(1)),
            ("seq", .int(Int64(seq))), ("record", .string(record)), ("leaf_hash", .string(leafHash.hex)),
            ("tree_size", .int(Int64(treeSize))), ("proof", .array(proof.map { .string($0.hex) })),
            ("checkpoint", .string(checkpoint)),
        ]))
    }

    /// Reads a proof file's JSON.
    public init(json: JSONValue, path: String = "proof") throws(AuditError) {
        func fail(_ reason: String) -> AuditError { .invalidProof(path: path, reason: reason) }
        guard json["type"]?.stringValue == Self.type else { throw fail("\"type\" must be \"\(Self.type)\"") }
        guard json["version"]?.int64Value == 1 else { throw fail("unsupported \"version\"; this reader knows version 1") }
        guard let seq = json["seq"]?.int64Value, seq >= 0 else { throw fail("\"seq\" must be a non-negative integer") }
        guard let record = json["record"]?.stringValue else { throw fail("\"record\" must be the record line as a string") }
        guard let leafText = json["leaf_hash"]?.stringValue, let leaf = Digest32(hex: leafText) else {
            throw fail("\"leaf_hash\" must be 64 hex digits")
        }
        guard let size = json["tree_size"]?.int64Value, size > 0 else { throw fail("\"tree_size\" must be a positive integer") }
        guard let items = json["proof"]?.arrayValue else { throw fail("\"proof\" must be an array of hex hashes") }
        var proof: [Digest32] = []
        for item in items {
            guard let text = item.stringValue, let hash = Digest32(hex: text) else { throw fail("\"proof\" must be an array of hex hashes") }
            proof.append(hash)
        }
        guard let note = json["checkpoint"]?.stringValue else { throw fail("\"checkpoint\" must be the signed checkpoint note") }
        self.init(seq: Int(seq), record: record, leafHash: leaf, treeSize: Int(size), proof: proof, checkpoint: note)
    }
}

/// The result of checking an inclusion proof.
public struct ProofVerification: Equatable, Sendable {
    /// Whether the record is proven to be in the signed log.
    public var valid: Bool
    /// What failed, when something did.
    public var problems: [String]
    public var seq: Int
    public var treeSize: Int
    /// The checkpoint's origin, when it parsed.
    public var origin: String?

    public var json: JSONValue {
        .object(JSONObject([
            ("valid", .bool(valid)), ("seq", .int(Int64(seq))), ("tree_size", .int(Int64(treeSize))),
            ("origin", origin.map { .string($0) } ?? .null), ("problems", .array(problems.map { .string($0) })),
        ]))
    }
}

extension AuditLog {
    /// An inclusion proof of record `seq` against the latest checkpoint that matches the log
    /// (and, when keys are given, is signed by one of them).
    public static func prove(logAt path: String, seq: Int, trustedKeys: [NoteVerifier] = []) throws(AuditError) -> InclusionProofFile {
        try withLatestCheckpoint(logAt: path, trustedKeys: trustedKeys) { (latest, run, bytes) throws(AuditError) in
            let size = latest.checkpoint.size
            guard seq >= 0, seq < size else { throw .recordOutOfRange(seq: seq, size: size) }
            let tree = MerkleTree(hasher: RFC6962Hasher(), leafHashes: Array(run.engine.leafHashes[0..<size]))
            let range = run.engine.lineRanges[seq]
            let record = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            let proof = tree.inclusionProof(index: seq, size: size)!
            return InclusionProofFile(seq: seq, record: record, leafHash: tree.leafHash(at: seq), treeSize: size,
                                      proof: proof, checkpoint: latest.note.serialized)
        }
    }

    /// Reads the log at `path` under a shared lock (appends wait), verifies it keeping every leaf
    /// hash and record position, and hands `body` the latest usable checkpoint, the verification
    /// run and the log's bytes. With `refusingDamage`, a log whose records or checkpoints show
    /// damage is refused first.
    static func withLatestCheckpoint<T>(
        logAt path: String, trustedKeys: [NoteVerifier], refusingDamage: Bool = false,
        _ body: (StoredCheckpoint, VerificationRun<RFC6962Hasher>, UnsafeRawBufferPointer) throws(AuditError) -> T
    ) throws(AuditError) -> T {
        let lock = try FileHandleFD(path: path, flags: O_RDONLY)
        try lock.lockShared()
        let loaded = try CheckpointStore.load(forLog: path)
        let file = try MappedFile(path: path)
        defer { withExtendedLifetime((file, lock)) {} }
        let run = try AuditVerifier.run(bytes: file.bytes, checkpoints: loaded.checkpoints,
                                        options: VerifyOptions(trustedKeys: trustedKeys, collectLeafHashes: true), hasher: RFC6962Hasher())
        if refusingDamage, let fault = run.report.faults.first(where: { integrityKinds.contains($0.kind) }) {
            throw .logDoesNotVerify(path: path, firstFault: fault.message)
        }
        guard let latest = latestUsableCheckpoint(loaded.checkpoints, run.report, trustedKeys: trustedKeys) else {
            throw .noCheckpoint(path: path)
        }
        return try body(latest, run, file.bytes)
    }

    /// The latest checkpoint that matches the log and, when keys are given, is signed by one of them.
    static func latestUsableCheckpoint(_ checkpoints: [StoredCheckpoint], _ report: VerificationReport,
                                       trustedKeys: [NoteVerifier]) -> StoredCheckpoint? {
        zip(checkpoints, report.checkpoints).filter { _, status in
            status.matchesLog == true && (trustedKeys.isEmpty || status.signature == "verified")
        }.max(by: { $0.0.checkpoint.size < $1.0.checkpoint.size })?.0
    }

    /// Checks an inclusion proof offline, with nothing but the proof and the trusted keys.
    /// With `witnesses`, the checkpoint must also carry their quorum of cosignatures.
    public static func verifyProof(_ file: InclusionProofFile, trustedKeys: [NoteVerifier], witnesses: WitnessPolicy? = nil) -> ProofVerification {
        var problems: [String] = []
        var origin: String?
        let line = Array(file.record.utf8)
        if AuditLog.hash(line: line) != file.leafHash {
            problems.append("the record does not hash to leaf_hash")
        }
        let recordSeq = line.withUnsafeBytes { (try? RecordScanner.scan($0))?.seq }
        if recordSeq != file.seq {
            problems.append("the record's seq is not \(file.seq)")
        }
        do {
            let note = try SignedNote.parse(Array(file.checkpoint.utf8))
            let checkpoint = try Checkpoint.parse(body: note.text)
            origin = checkpoint.origin
            if trustedKeys.isEmpty {
                problems.append("no trusted key given: the checkpoint signature cannot be checked")
            } else {
                let outcomes = trustedKeys.map { $0.check(note) }
                if outcomes.contains(.badSignature) {
                    problems.append("the checkpoint carries a signature by a trusted key that does not verify")
                } else if !outcomes.contains(.verified) {
                    problems.append("the checkpoint is not signed by a trusted key")
                }
            }
            if let witnesses { problems.append(contentsOf: witnesses.problems(note)) }
            if checkpoint.size != file.treeSize {
                problems.append("tree_size \(file.treeSize) differs from the checkpoint's size \(checkpoint.size)")
            }
            let hasher = RFC6962Hasher()
            if !MerkleProof.verifyInclusion(hasher: hasher, index: file.seq, size: checkpoint.size,
                                            leafHash: hasher.hashLeaf(line), proof: file.proof, root: checkpoint.root) {
                problems.append("the inclusion proof does not lead to the checkpoint's root hash")
            }
        } catch {
            problems.append("the checkpoint does not parse: \(error.message)")
        }
        return ProofVerification(valid: problems.isEmpty, problems: problems, seq: file.seq, treeSize: file.treeSize, origin: origin)
    }
}

import JSONValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// C2SP tlog-witness: a witness keeps, per log origin, the latest checkpoint it cosigned, and
// cosigns a new one only when a consistency proof shows it extends that one.

/// The body of a tlog-witness `add-checkpoint` request: `old <size>`, up to 63 base64
/// consistency proof lines, an empty line, and the signed checkpoint.
public struct WitnessRequest: Equatable, Sendable {
    /// The most consistency proof lines a request may carry.
    public static let maxProofLines = 63

    /// The tree size of the checkpoint the witness cosigned last (0 for none).
    public var oldSize: Int
    /// The RFC 6962 consistency proof from `oldSize` to the checkpoint's size.
    public var proof: [Digest32]
    /// The signed checkpoint; nil when a file holds only the old size and the proof.
    public var checkpoint: SignedNote?

    public init(oldSize: Int, proof: [Digest32], checkpoint: SignedNote?) {
        self.oldSize = oldSize
        self.proof = proof
        self.checkpoint = checkpoint
    }

    /// The request body.
    public var body: String {
        "old \(oldSize)\n" + proof.map { $0.base64 + "\n" }.joined() + "\n" + (checkpoint?.serialized ?? "")
    }

    /// Parses a request body, or just its old size and proof lines (then `checkpoint` is nil).
    public static func parse(_ bytes: [UInt8], path: String) throws(AuditError) -> WitnessRequest {
        func fail(_ line: Int, _ reason: String) -> AuditError { .invalidProof(path: "\(path):\(line)", reason: reason) }
        var lines = bytes.split(separator: 0x0A, maxSplits: 65, omittingEmptySubsequences: false)
        guard let first = lines.first, let text = String(validating: first, as: UTF8.self), text.hasPrefix("old ") else {
            throw fail(1, "the first line must be \"old <size>\"")
        }
        let sizeText = String(text.dropFirst(4))
        guard let oldSize = Int(sizeText), oldSize >= 0, String(oldSize) == sizeText else {
            throw fail(1, "\"\(sizeText)\" is not a tree size (a decimal without leading zeroes)")
        }
        lines.removeFirst()
        var proof: [Digest32] = []
        var lineNumber = 1
        while let line = lines.first, !line.isEmpty {
            lineNumber += 1
            guard proof.count < maxProofLines else { throw fail(lineNumber, "more than \(maxProofLines) consistency proof lines") }
            guard let decoded = StandardBase64.decode(String(decoding: line, as: UTF8.self)), let hash = Digest32(bytes: decoded) else {
                throw fail(lineNumber, "a consistency proof line is the base64 of a 32-byte hash")
            }
            proof.append(hash)
            lines.removeFirst()
        }
        if lines.isEmpty || lines.count == 1 && lines[0].isEmpty {
            // Only the old size and the proof (a final newline or none).
            return WitnessRequest(oldSize: oldSize, proof: proof, checkpoint: nil)
        }
        lines.removeFirst()
        let rest = Array(lines.joined(separator: [0x0A]))
        if rest.isEmpty { return WitnessRequest(oldSize: oldSize, proof: proof, checkpoint: nil) }
        do {
            return WitnessRequest(oldSize: oldSize, proof: proof, checkpoint: try SignedNote.parse(rest))
        } catch {
            throw fail(lineNumber + 2, "the checkpoint does not parse: \(error.message)")
        }
    }
}

/// Why a witness refused to cosign.
public struct WitnessRefusal: Equatable, Sendable, Error {
    public enum Kind: String, Sendable {
        /// No trusted log key signed the checkpoint.
        case untrusted
        /// The checkpoint is smaller than the one cosigned before.
        case rollback
        /// The checkpoint is not consistent with the one cosigned before.
        case fork
        /// The request's old size is not the size the witness cosigned last.
        case conflict
    }

    public var kind: Kind
    /// One sentence for people, naming both trees where two are involved.
    public var message: String
    /// The tree the witness cosigned last, when it has one.
    public var stored: Checkpoint?
    /// The tree it was asked to cosign.
    public var given: Checkpoint?

    /// For `--format json`.
    public var json: JSONValue {
        func tree(_ checkpoint: Checkpoint?) -> JSONValue {
            checkpoint.map { .object(JSONObject([("size", .int(Int64($0.size))), ("root", .string($0.root.base64))])) } ?? .null
        }
        return .object(JSONObject([
            ("refused", .string(kind.rawValue)), ("message", .string(message)),
            ("stored", tree(stored)), ("given", tree(given)),
        ]))
    }
}

/// A witness from plain files: its state directory holds, per log origin, the latest
/// checkpoint it cosigned.
public enum Witness {
    /// Checks `note` against the latest checkpoint cosigned for its origin and, when it
    /// extends that one, records it and returns the cosignature line.
    ///
    /// The checkpoint must be signed by one of `logKeys`. Following tlog-witness, `oldSize`
    /// must be the size cosigned last and `proof` the consistency proof from it; a smaller
    /// checkpoint is a rollback, one that the proof does not show to extend the stored tree (or
    /// of the same size with another root) a fork. Check and update happen under an exclusive
    /// lock on the state directory, so two requests cannot both build on the same state.
    public static func cosign(note: SignedNote, oldSize: Int, proof: [Digest32], logKeys: [NoteVerifier],
                              signer: CosignatureSigner, stateDirectory: String, time: UInt64) throws(AuditError) -> Result<NoteSignature, WitnessRefusal> {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.parse(body: note.text)
        } catch {
            throw .invalidCheckpoint(path: "checkpoint", reason: error.message)
        }
        if !note.isTrusted(by: logKeys) {
            return .failure(WitnessRefusal(kind: .untrusted, message: "the checkpoint of \"\(checkpoint.origin)\" is not signed by a trusted log key", given: checkpoint))
        }
        try FileSystem.makeDirectories(stateDirectory)
        let lock = try FileHandleFD(path: stateDirectory + "/.lock", flags: O_RDWR | O_CREAT)
        try lock.lockExclusive()
        let statePath = stateDirectory + "/" + stateFileName(origin: checkpoint.origin)
        var stored: Checkpoint?
        if FileSystem.exists(statePath) {
            let text = String(decoding: try FileSystem.readFile(statePath), as: UTF8.self)
            do {
                stored = try Checkpoint.parse(body: text)
            } catch {
                throw .invalidCheckpoint(path: statePath, reason: error.message)
            }
            guard stored?.origin == checkpoint.origin else {
                throw .invalidCheckpoint(path: statePath, reason: "it records the origin \"\(stored?.origin ?? "")\", not \"\(checkpoint.origin)\"")
            }
        }
        let storedSize = stored?.size ?? 0
        func describe(_ c: Checkpoint) -> String { "\(c.size) records, root \(c.root.base64)" }
        if let stored {
            if checkpoint.size < stored.size {
                return .failure(WitnessRefusal(kind: .rollback, message: "rollback refused: \"\(checkpoint.origin)\" was cosigned at \(describe(stored)); this checkpoint has \(describe(checkpoint))",
                                               stored: stored, given: checkpoint))
            }
            if checkpoint.size == stored.size && checkpoint.root != stored.root {
                return .failure(WitnessRefusal(kind: .fork, message: "fork refused: \"\(checkpoint.origin)\" was cosigned at \(describe(stored)); this checkpoint has \(describe(checkpoint))",
                                               stored: stored, given: checkpoint))
            }
        }
        guard oldSize <= checkpoint.size, oldSize == storedSize else {
            return .failure(WitnessRefusal(kind: .conflict, message: "the request starts from \(oldSize) records but the witness cosigned \"\(checkpoint.origin)\" last at \(storedSize); make the request from old size \(storedSize)",
                                           stored: stored, given: checkpoint))
        }
        let hasher = RFC6962Hasher()
        let consistent = storedSize == 0
            ? proof.isEmpty
            : MerkleProof.verifyConsistency(hasher: hasher, firstSize: storedSize, secondSize: checkpoint.size,
                                            firstRoot: stored!.root, secondRoot: checkpoint.root, proof: proof)
        guard consistent else {
            let cosigned = stored.map(describe) ?? "nothing"
            return .failure(WitnessRefusal(kind: .fork, message: "fork refused: the consistency proof does not show that \(describe(checkpoint)) extends the cosigned \(cosigned) of \"\(checkpoint.origin)\"",
                                           stored: stored, given: checkpoint))
        }
        // Persist before answering, as tlog-witness requires.
        try FileSystem.writeAtomically(Array(checkpoint.body.utf8), to: statePath)
        withExtendedLifetime(lock) {}
        return .success(signer.cosign(checkpointText: note.text, time: time))
    }

    /// The state file of an origin: the origin with every byte outside [A-Za-z0-9._-]
    /// percent-encoded, so that any origin is one safe file name.
    static func stateFileName(origin: String) -> String {
        var name = ""
        for byte in origin.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                name.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "."):
                // Never a name of only dots.
                name += name.isEmpty ? "%2E" : "."
            default:
                name += "%" + hex2(byte).uppercased()
            }
        }
        return name + ".checkpoint"
    }
}

extension AuditLog {
    /// The tlog-witness `add-checkpoint` body for the latest usable checkpoint of the log at
    /// `path`: the consistency proof from `oldSize` (the size the witness cosigned last).
    public static func witnessRequest(logAt path: String, oldSize: Int, trustedKeys: [NoteVerifier] = []) throws(AuditError) -> WitnessRequest {
        try withLatestCheckpoint(logAt: path, trustedKeys: trustedKeys) { (latest, run, _) throws(AuditError) in
            let size = latest.checkpoint.size
            guard oldSize >= 0, oldSize <= size else {
                throw .invalidCheckpoint(path: latest.path, reason: "it covers \(size) records, fewer than the old size \(oldSize)")
            }
            let tree = MerkleTree(hasher: RFC6962Hasher(), leafHashes: Array(run.engine.leafHashes[0..<size]))
            return WitnessRequest(oldSize: oldSize, proof: tree.consistencyProof(from: oldSize, to: size)!, checkpoint: latest.note)
        }
    }

    /// The `add-checkpoint` body for the checkpoint of a published tree, reading only the tiles
    /// the consistency proof needs.
    public static func witnessRequest(published directory: String, oldSize: Int) throws(AuditError) -> (request: WitnessRequest, tilesRead: [String]) {
        let published = try PublishedCheckpoint.require(directory: directory)
        let size = published.checkpoint.size
        guard oldSize >= 0, oldSize <= size else {
            throw .invalidCheckpoint(path: published.path, reason: "it covers \(size) records, fewer than the old size \(oldSize)")
        }
        var tree = TiledTree(size: size, source: .directory(directory))
        let proof = try tree.consistencyProof(from: oldSize)
        return (WitnessRequest(oldSize: oldSize, proof: proof, checkpoint: published.note), tree.tilesRead)
    }
}

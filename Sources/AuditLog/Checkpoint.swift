import JSONValue

/// A C2SP tlog-checkpoint body (c2sp.org/tlog-checkpoint): origin line, decimal tree size,
/// base64 root hash, optional extension lines.
public struct Checkpoint: Equatable, Sendable {
    /// The log's identity, first line of the body.
    public let origin: String
    /// Number of records covered.
    public let size: Int
    /// RFC 6962 tree hash of the first `size` records.
    public let root: Digest32
    /// Extension lines, kept as they are.
    public let extensions: [String]

    public init(origin: String, size: Int, root: Digest32, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// The body text, ending in a newline, as it is signed.
    public var body: String {
        ([origin, String(size), root.base64] + extensions).map { $0 + "\n" }.joined()
    }

    /// Parses a checkpoint body (the text of a signed note).
    public static func parse(body: String) throws(NoteFormatError) -> Checkpoint {
        guard body.hasSuffix("\n") else { throw NoteFormatError("a checkpoint body ends with a newline") }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw NoteFormatError("a checkpoint has an origin, a size and a root hash line") }
        guard !lines[0].isEmpty else { throw NoteFormatError("empty origin line") }
        let sizeText = lines[1]
        guard !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              sizeText == "0" || !sizeText.hasPrefix("0"), let size = Int(sizeText)
        else { throw NoteFormatError("the size line \"\(sizeText)\" is not a decimal number") }
        guard let rootBytes = StandardBase64.decode(lines[2]), let root = Digest32(bytes: rootBytes) else {
            throw NoteFormatError("the root hash line is not base64 of 32 bytes")
        }
        let extensions = Array(lines[3...])
        if extensions.contains(where: \.isEmpty) { throw NoteFormatError("empty extension line") }
        return Checkpoint(origin: lines[0], size: size, root: root, extensions: extensions)
    }
}

/// A signed checkpoint as stored beside a log, with the unsigned data that lets verification
/// resume from it without reading the records before it.
public struct StoredCheckpoint: Equatable, Sendable {
    /// Where it was read from.
    public let path: String
    /// The signed note.
    public let note: SignedNote
    /// Its parsed body.
    public let checkpoint: Checkpoint
    /// Resume data from the sidecar file, if present.
    public let resume: ResumePoint?
}

/// What is needed to verify a log from a checkpoint onwards in time proportional to the new
/// records: where record `size` starts, and the last covered leaf with its inclusion proof.
/// None of it is trusted: the proof must lead to the signed root, the leaf hash must match the
/// line before `offset`, and the record at `offset` must name that hash as `prev`.
public struct ResumePoint: Equatable, Sendable {
    /// The tree size this belongs to.
    public let size: Int
    /// Byte offset of the end of record `size - 1` (the start of record `size`).
    public let offset: Int
    /// Leaf hash of record `size - 1`.
    public let lastLeaf: Digest32
    /// Inclusion proof of record `size - 1` in the tree of `size` records.
    public let inclusionProof: [Digest32]

    public init(size: Int, offset: Int, lastLeaf: Digest32, inclusionProof: [Digest32]) {
        self.size = size
        self.offset = offset
        self.lastLeaf = lastLeaf
        self.inclusionProof = inclusionProof
    }

    var json: JSONValue {
        .object(JSONObject([
            ("size", .int(Int64(size))),
            ("offset", .int(Int64(offset))),
            ("last_leaf", .string(lastLeaf.hex)),
            ("inclusion_proof", .array(inclusionProof.map { .string($0.hex) })),
        ]))
    }

    init?(json: JSONValue) {
        guard let size = json["size"]?.int64Value, let offset = json["offset"]?.int64Value,
              let leafText = json["last_leaf"]?.stringValue, let lastLeaf = Digest32(hex: leafText),
              let proofValues = json["inclusion_proof"]?.arrayValue
        else { return nil }
        var proof: [Digest32] = []
        for value in proofValues {
            guard let text = value.stringValue, let hash = Digest32(hex: text) else { return nil }
            proof.append(hash)
        }
        self.init(size: Int(size), offset: Int(offset), lastLeaf: lastLeaf, inclusionProof: proof)
    }
}

/// Where checkpoints live: a directory `LOG.checkpoints/` beside the log, one signed note per
/// checkpoint named by its tree size (`00000000000000001000.note`), each with a sidecar
/// `00000000000000001000.resume.json`.
public enum CheckpointStore {
    /// The checkpoint directory of the log at `logPath`.
    public static func directory(forLog logPath: String) -> String { logPath + ".checkpoints" }

    static func baseName(size: Int) -> String {
        let digits = String(size)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Every checkpoint stored for the log, ordered by tree size then file name. Files that do not
    /// parse come back in `unreadable` with the reason.
    public static func load(forLog logPath: String) throws(AuditError) -> (checkpoints: [StoredCheckpoint], unreadable: [(path: String, reason: String)]) {
        let dir = directory(forLog: logPath)
        guard FileSystem.isDirectory(dir) else { return ([], []) }
        var checkpoints: [StoredCheckpoint] = []
        var unreadable: [(String, String)] = []
        for name in try FileSystem.listDirectory(dir) where name.hasSuffix(".note") {
            let path = dir + "/" + name
            let bytes = try FileSystem.readFile(path)
            do {
                let note = try SignedNote.parse(bytes)
                let checkpoint = try Checkpoint.parse(body: note.text)
                var resume: ResumePoint? = nil
                let sidecar = dir + "/" + String(name.dropLast(5)) + ".resume.json"
                if FileSystem.exists(sidecar), let data = try? FileSystem.readFile(sidecar),
                   let json = try? JSONParser.parse(data), let point = ResumePoint(json: json),
                   point.size == checkpoint.size {
                    resume = point
                }
                checkpoints.append(StoredCheckpoint(path: path, note: note, checkpoint: checkpoint, resume: resume))
            } catch {
                unreadable.append((path, error.message))
            }
        }
        checkpoints.sort { ($0.checkpoint.size, $0.path) < ($1.checkpoint.size, $1.path) }
        return (checkpoints, unreadable)
    }

    /// Writes a signed checkpoint and its resume data atomically; returns the note's path.
    static func store(note: SignedNote, resume: ResumePoint, forLog logPath: String) throws(AuditError) -> String {
        let dir = directory(forLog: logPath)
        try FileSystem.makeDirectory(dir)
        let base = dir + "/" + baseName(size: resume.size)
        // The sidecar goes first: a note without its sidecar is still usable, the reverse is not.
        try FileSystem.writeAtomically(CanonicalJSON.serialize(resume.json) + [0x0A], to: base + ".resume.json")
        try FileSystem.writeAtomically(Array(note.serialized.utf8), to: base + ".note")
        return base + ".note"
    }
}

import JSONValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of `publish`.
public struct PublishResult: Sendable {
    /// The directory published to.
    public let directory: String
    /// The checkpoint now served at `<directory>/checkpoint`.
    public let checkpoint: Checkpoint
    /// The tree size published before, when the directory held a tree.
    public let previousSize: Int?
    /// Tiles and entry bundles written, by path below the directory, in the order written.
    public let written: [String]
    /// Tiles and entry bundles that were already there and left alone.
    public let kept: Int
    /// Whether `<directory>/checkpoint` changed.
    public let checkpointWritten: Bool

    /// For `--format json`.
    public var json: JSONValue {
        .object(JSONObject([
            ("directory", .string(directory)), ("origin", .string(checkpoint.origin)),
            ("size", .int(Int64(checkpoint.size))), ("root", .string(checkpoint.root.base64)),
            ("previous_size", previousSize.map { .int(Int64($0)) } ?? .null),
            ("written", .array(written.map { .string($0) })), ("kept", .int(Int64(kept))),
            ("checkpoint_written", .bool(checkpointWritten)),
        ]))
    }
}

extension AuditLog {
    /// Publishes the log at `path` as a C2SP tlog-tiles tree in `directory`: the tiles and entry
    /// bundles of the latest checkpoint that matches the log (signed by one of `trustedKeys`
    /// when any are given), then that checkpoint as `<directory>/checkpoint`.
    ///
    /// The log is verified first and nothing is published when it shows damage. Publishing is
    /// incremental: files already in place for the tree published before are not read again,
    /// and no file is ever rewritten — one that is present but differs stops the publication.
    /// The checkpoint goes last, atomically, after everything it needs is on disk, so a reader
    /// never sees a checkpoint whose tiles are missing. A directory that holds a larger tree,
    /// or a tree this log does not extend, is refused: publishing would roll it back or fork it.
    public static func publish(logAt path: String, to directory: String, trustedKeys: [NoteVerifier] = []) throws(AuditError) -> PublishResult {
        try withLatestCheckpoint(logAt: path, trustedKeys: trustedKeys, refusingDamage: true) { (latest, run, bytes) throws(AuditError) in
            try publish(latest, leafHashes: run.engine.leafHashes, lineRanges: run.engine.lineRanges, bytes: bytes, to: directory)
        }
    }

    private static func publish(_ latest: StoredCheckpoint, leafHashes: [Digest32], lineRanges: [Range<Int>],
                                bytes: UnsafeRawBufferPointer, to directory: String) throws(AuditError) -> PublishResult {
        let size = latest.checkpoint.size
        let entries = lineRanges[0..<size].map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
        if let long = entries.firstIndex(where: { $0.count > TlogTiles.maxEntryLength }) {
            throw .publishRefused(directory: directory, reason: "record \(long) is \(entries[long].count) bytes; an entry bundle holds entries of at most \(TlogTiles.maxEntryLength) bytes")
        }
        let tree = MerkleTree(hasher: RFC6962Hasher(), leafHashes: Array(leafHashes[0..<size]))

        // What the directory holds already must be a prefix of this log's tree.
        let previous = try PublishedCheckpoint.load(directory: directory)
        if let previous {
            let old = previous.checkpoint
            guard old.origin == latest.checkpoint.origin else {
                throw .publishRefused(directory: directory, reason: "it holds the log \"\(old.origin)\", not \"\(latest.checkpoint.origin)\"")
            }
            guard old.size <= size else {
                throw .publishRefused(directory: directory, reason: "it holds \(old.size) records and this log's checkpoint covers \(size): publishing would roll it back")
            }
            let ours = old.size == 0 ? tree.hasher.emptyRoot : tree.root(size: old.size)
            guard ours == old.root else {
                throw .publishRefused(directory: directory, reason: "its checkpoint of \(old.size) records has root \(old.root.base64), but this log's first \(old.size) records have root \(ours.base64): a fork")
            }
        }
        let publishedSize = previous?.checkpoint.size ?? 0

        var written: [String] = []
        var kept = 0
        var directories = Set<String>()
        for (level, index, width) in TlogTiles.tiles(size: size) {
            let relative = TlogTiles.path(level: level, index: index, width: width)
            let full = directory + "/" + relative
            // A full tile of the tree published before is immutable and already checked: only its presence matters.
            let coveredBefore = width == TlogTiles.width
                && TlogTiles.leafRange(level: max(level, 0) + 1, hashIndex: index).upperBound <= publishedSize
            if coveredBefore && FileSystem.exists(full) {
                kept += 1
                continue
            }
            let bytes: [UInt8]
            if level < 0 {
                bytes = TlogTiles.encodeBundle(entries[(index * TlogTiles.width)..<(index * TlogTiles.width + width)])
            } else {
                let hashes = (0..<width).map { tree.subtreeHash(TlogTiles.leafRange(level: level, hashIndex: index * TlogTiles.width + $0)) }
                bytes = TlogTiles.encodeTile(hashes)
            }
            if FileSystem.exists(full) {
                guard try FileSystem.readFile(full) == bytes else {
                    throw .publishRefused(directory: directory, reason: "\(relative) is there with other contents; published files are never rewritten")
                }
                kept += 1
                continue
            }
            let parent = FileSystem.parentDirectory(of: full)
            if directories.insert(parent).inserted { try FileSystem.makeDirectories(parent) }
            try FileSystem.writeAtomically(bytes, to: full, durable: false)
            written.append(relative)
        }

        // Everything the checkpoint needs reaches the disk before the checkpoint does.
        if !written.isEmpty {
            sync()
        }
        try FileSystem.makeDirectories(directory)
        // Cosignatures a witness added to the served copy of this very checkpoint stay.
        var note = latest.note
        if let previous, previous.note.text == note.text {
            let extra = previous.note.signatures.filter { signature in !note.signatures.contains(signature) }
            note = SignedNote(text: note.text, signatures: note.signatures + extra)
        }
        let changed = previous.map { $0.note != note } ?? true
        if changed {
            try FileSystem.writeAtomically(Array(note.serialized.utf8), to: directory + "/checkpoint")
        }
        return PublishResult(directory: directory, checkpoint: latest.checkpoint, previousSize: previous?.checkpoint.size,
                             written: written, kept: kept, checkpointWritten: changed)
    }
}

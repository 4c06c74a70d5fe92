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
    /// The record the log was read and verified from: 0, or the size published before when
    /// only what came after it was read.
    public let verifiedFrom: Int

    /// For `--format json`.
    public var json: JSONValue {
        .object(JSONObject([
            ("directory", .string(directory)), ("origin", .string(checkpoint.origin)),
            ("size", .int(Int64(checkpoint.size))), ("root", .string(checkpoint.root.base64)),
            ("previous_size", previousSize.map { .int(Int64($0)) } ?? .null),
            ("written", .array(written.map { .string($0) })), ("kept", .int(Int64(kept))),
            ("checkpoint_written", .bool(checkpointWritten)), ("verified_from", .int(Int64(verifiedFrom))),
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
        let previous = try PublishedCheckpoint.load(directory: directory)
        if let previous, let result = try republish(logAt: path, to: directory, previous: previous, trustedKeys: trustedKeys) {
            return result
        }
        return try withLatestCheckpoint(logAt: path, trustedKeys: trustedKeys, refusingDamage: true) { (latest, run, bytes) throws(AuditError) in
            let size = latest.checkpoint.size
            let entries = run.engine.lineRanges[0..<size].map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
            let tree = MerkleTree(hasher: RFC6962Hasher(), leafHashes: Array(run.engine.leafHashes[0..<size]))
            return try writeTree(latest, previous: previous, to: directory, verifiedFrom: 0, subtreeHash: { tree.subtreeHash($0) },
                                 bundle: { range throws(AuditError) in try encodeBundle(entries[range], first: range.lowerBound, directory: directory) })
        }
    }

    /// Publishing on top of a tree this log already published, reading only what came after it:
    /// the log is verified from its own checkpoint of the published size (which must be
    /// trusted and carry resume data), the older hashes come from the published tiles (checked
    /// against the published root), and the older entries of the one grown bundle from the
    /// published bundle (checked against their tile hashes). Nil when any of that is not at
    /// hand: the caller then reads the whole log.
    private static func republish(logAt path: String, to directory: String, previous: PublishedCheckpoint,
                                  trustedKeys: [NoteVerifier]) throws(AuditError) -> PublishResult? {
        let published = previous.checkpoint
        guard published.size > 0 else { return nil }
        let lock = try FileHandleFD(path: path, flags: O_RDONLY)
        try lock.lockShared()
        let loaded = try CheckpointStore.load(forLog: path)
        guard loaded.checkpoints.contains(where: { stored in
            stored.checkpoint == published && stored.resume != nil && (trustedKeys.isEmpty || stored.note.isTrusted(by: trustedKeys))
        }) else { return nil }
        let file = try MappedFile(path: path)
        defer { withExtendedLifetime((file, lock)) {} }
        let run = try AuditVerifier.run(bytes: file.bytes, checkpoints: loaded.checkpoints,
                                        options: VerifyOptions(trustedKeys: trustedKeys, fromCheckpoint: published.size, collectLeafHashes: true),
                                        hasher: RFC6962Hasher())
        guard run.report.startSize == published.size else { return nil }
        if let fault = run.report.faults.first(where: { integrityKinds.contains($0.kind) }) {
            throw .logDoesNotVerify(path: path, firstFault: fault.message)
        }
        guard let latest = latestUsableCheckpoint(loaded.checkpoints, run.report, trustedKeys: trustedKeys),
              latest.checkpoint.origin == published.origin, latest.checkpoint.size >= published.size
        else { return nil }
        let size = latest.checkpoint.size
        let base = published.size

        var old = TiledTree(size: base, source: .directory(directory))
        guard (try? old.root()) == published.root else { return nil }
        // Files of the published tree are not rebuilt from here.
        for (level, index, width) in TlogTiles.tiles(size: size) where TlogTiles.isFull(level: level, index: index, width: width, within: base) {
            guard FileSystem.exists(directory + "/" + TlogTiles.path(level: level, index: index, width: width)) else { return nil }
        }
        let hasher = RFC6962Hasher()
        let newer = MerkleTree(hasher: hasher, leafHashes: Array(run.engine.leafHashes[0..<(size - base)]))
        // Perfect subtrees wholly before the published size come from its tiles, wholly after
        // it from the new records; one that straddles it from its two halves.
        func perfect(_ k: Int, _ i: Int) throws(AuditError) -> Digest32 {
            let range = (i << k)..<((i + 1) << k)
            if range.upperBound <= base { return try old.perfectHash(level: k, index: i) }
            if range.lowerBound >= base { return newer.subtreeHash((range.lowerBound - base)..<(range.upperBound - base)) }
            return hasher.hashChildren(try perfect(k - 1, 2 * i), try perfect(k - 1, 2 * i + 1))
        }
        // The published bundle that grows, its entries checked against the published hashes.
        var grown: [ArraySlice<UInt8>] = []
        if base % TlogTiles.width != 0 {
            let index = base / TlogTiles.width
            let relative = TlogTiles.bundlePath(index: index, width: base % TlogTiles.width)
            guard FileSystem.exists(directory + "/" + relative) else { return nil }
            let decoded = TlogTiles.decodeBundle(try FileSystem.readFile(directory + "/" + relative))
            guard decoded.problem == nil, decoded.entries.count == base % TlogTiles.width else { return nil }
            for (offset, entry) in decoded.entries.enumerated() {
                guard (try? old.leafHash(index * TlogTiles.width + offset)) == hasher.hashLeaf(entry) else { return nil }
            }
            grown = decoded.entries
        }
        let lines = run.engine.lineRanges.map { UnsafeRawBufferPointer(rebasing: file.bytes[$0]) }
        return try writeTree(latest, previous: previous, to: directory, verifiedFrom: base,
                             subtreeHash: { range throws(AuditError) in try MerkleProof.subtreeHash(hasher: hasher, range, perfect: perfect) },
                             bundle: { range throws(AuditError) in
                                 guard range.lowerBound >= base - grown.count else {
                                     throw .publishRefused(directory: directory, reason: "entries before record \(base - grown.count) are needed again; publish into an empty directory")
                                 }
                                 var bytes = TlogTiles.encodeBundle(grown.prefix(max(0, base - range.lowerBound)))
                                 bytes += try encodeBundle(lines[max(0, range.lowerBound - base)..<(range.upperBound - base)],
                                                           first: max(range.lowerBound, base), directory: directory)
                                 return bytes
                             })
    }

    /// A bundle's bytes, refusing an entry its length prefix cannot describe.
    private static func encodeBundle(_ entries: ArraySlice<UnsafeRawBufferPointer>, first: Int, directory: String) throws(AuditError) -> [UInt8] {
        if let long = entries.firstIndex(where: { $0.count > TlogTiles.maxEntryLength }) {
            throw .publishRefused(directory: directory, reason: "record \(first + long - entries.startIndex) is \(entries[long].count) bytes; an entry bundle holds entries of at most \(TlogTiles.maxEntryLength) bytes")
        }
        return TlogTiles.encodeBundle(entries)
    }

    /// Writes the tiles and bundles of `latest`'s tree that `directory` lacks, then the
    /// checkpoint. `subtreeHash` gives MTH of any range of the tree's leaves, `bundle` the bytes
    /// of the bundle of the records in a range.
    private static func writeTree(_ latest: StoredCheckpoint, previous: PublishedCheckpoint?, to directory: String, verifiedFrom: Int,
                                  subtreeHash: (Range<Int>) throws(AuditError) -> Digest32,
                                  bundle: (Range<Int>) throws(AuditError) -> [UInt8]) throws(AuditError) -> PublishResult {
        let size = latest.checkpoint.size

        // What the directory holds already must be a prefix of this log's tree.
        if let previous {
            let old = previous.checkpoint
            guard old.origin == latest.checkpoint.origin else {
                throw .publishRefused(directory: directory, reason: "it holds the log \"\(old.origin)\", not \"\(latest.checkpoint.origin)\"")
            }
            guard old.size <= size else {
                throw .publishRefused(directory: directory, reason: "it holds \(old.size) records and this log's checkpoint covers \(size): publishing would roll it back")
            }
            let ours = old.size == 0 ? RFC6962Hasher().emptyRoot : try subtreeHash(0..<old.size)
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
            if TlogTiles.isFull(level: level, index: index, width: width, within: publishedSize) && FileSystem.exists(full) {
                kept += 1
                continue
            }
            let bytes: [UInt8]
            if level < 0 {
                bytes = try bundle((index * TlogTiles.width)..<(index * TlogTiles.width + width))
            } else {
                var hashes: [Digest32] = []
                for offset in 0..<width {
                    hashes.append(try subtreeHash(TlogTiles.leafRange(level: level, hashIndex: index * TlogTiles.width + offset)))
                }
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
                             written: written, kept: kept, checkpointWritten: changed, verifiedFrom: verifiedFrom)
    }
}

extension AuditLog {
    /// Verifies a published tree as thoroughly as a log file: every entry bundle is read and
    /// every tile recomputed from the entries up, each missing, malformed or differing tile
    /// located by its path and hash index; then the entries, taken as the log they spell out,
    /// go through the log verifier against the published checkpoint (its signature, its root,
    /// the chain and the joins, witness cosignatures when asked for).
    ///
    /// Record-level findings keep the log verifier's line numbers: line N is entry N - 1.
    /// `options.fromCheckpoint` is ignored: a published tree carries one checkpoint.
    public static func verifyPublished(at directory: String, options: VerifyOptions = VerifyOptions()) throws(AuditError) -> VerificationReport {
        let published = try PublishedCheckpoint.require(directory: directory)
        return try verifyPublished(source: .directory(directory), checkpoint: published, options: options)
    }

    /// Verifies the tree that `source` serves against `checkpoint`.
    public static func verifyPublished(source: TileSource, checkpoint published: PublishedCheckpoint,
                                       options: VerifyOptions = VerifyOptions()) throws(AuditError) -> VerificationReport {
        let claimed = published.checkpoint.size
        let hasher = RFC6962Hasher()
        var findings: [AuditFinding] = []
        func locate(_ relative: String) -> String { source.location + "/" + relative }

        // A checkpoint may claim more records than the tree holds (a cut-off tree, or a forged
        // size): what is read is bounded by the files that are there, never by the claim.
        var size = claimed
        if claimed > 0 {
            let last = (claimed - 1) / TlogTiles.width
            let width = TlogTiles.tileWidth(level: 0, index: last, size: claimed)
            let lastBundle = TlogTiles.bundlePath(index: last, width: width)
            if try source.fetch(lastBundle) == nil, try source.fetch(TlogTiles.tilePath(level: 0, index: last, width: width)) == nil {
                var present = 0
                while present < last, try source.fetch(TlogTiles.bundlePath(index: present)) != nil { present += 1 }
                size = present * TlogTiles.width
                findings.append(AuditFinding(kind: .tileMissing, seq: size, count: claimed - size, checkpointPath: locate(lastBundle),
                                             message: "the checkpoint covers \(claimed) records but the entry bundles and level-0 tiles end after \(size); \(lastBundle) is missing"))
            }
        }

        // Entries, and the leaf hashes the published level-0 tiles should hold.
        var entries = [[UInt8]?](repeating: nil, count: size)
        var leafHashes = [Digest32](repeating: .zero, count: size)
        let bundleCount = (size + TlogTiles.width - 1) / TlogTiles.width
        for bundle in 0..<bundleCount {
            let width = TlogTiles.tileWidth(level: 0, index: bundle, size: size)
            let relative = TlogTiles.bundlePath(index: bundle, width: width)
            let first = bundle * TlogTiles.width
            guard let bytes = try source.fetch(relative) else {
                findings.append(AuditFinding(kind: .tileMissing, seq: first, count: width, checkpointPath: locate(relative),
                                             message: "entry bundle \(relative) is missing: records \(first) to \(first + width - 1) cannot be read"))
                continue
            }
            let (parsed, problem) = TlogTiles.decodeBundle(bytes)
            if let problem {
                findings.append(AuditFinding(kind: .tileMalformed, seq: first + parsed.count, checkpointPath: locate(relative),
                                             message: "entry bundle \(relative): \(problem)"))
            } else if parsed.count != width {
                findings.append(AuditFinding(kind: .tileMalformed, seq: first, count: width, checkpointPath: locate(relative),
                                             message: "entry bundle \(relative) holds \(parsed.count) entries, a tree of \(size) records needs \(width)"))
            }
            for (offset, entry) in parsed.prefix(width).enumerated() {
                let seq = first + offset
                if entry.contains(0x0A) {
                    findings.append(AuditFinding(kind: .tileMalformed, seq: seq, checkpointPath: locate(relative),
                                                 message: "entry \(offset) of \(relative) (record \(seq)) holds a newline: it is not one record line"))
                }
                entries[seq] = Array(entry)
                leafHashes[seq] = hasher.hashLeaf(entry)
            }
        }

        // Every tile against what the level below gives: level 0 against the entries, level l
        // against the roots of level l - 1's full tiles. Which side of a disagreement is
        // damaged, the signed root decides: when the entries hash up to it, a tile that differs
        // is wrong; when they do not, the entries are suspect, the level-0 tiles stand in for
        // them, and a disagreement is reported at the entry. Where an entry is missing, its
        // tile's hash stands in too, so that one loss is reported once.
        let entriesVouched = MerkleTree(hasher: hasher, leafHashes: leafHashes).root() == published.checkpoint.root
            || size == 0
        for tileIndex in 0..<bundleCount {
            let width = TlogTiles.tileWidth(level: 0, index: tileIndex, size: size)
            let relative = TlogTiles.tilePath(level: 0, index: tileIndex, width: width)
            let bundle = TlogTiles.bundlePath(index: tileIndex, width: width)
            guard let hashes = try readTile(source, relative, width: width, into: &findings) else { continue }
            for (offset, stored) in hashes.enumerated() {
                let seq = tileIndex * TlogTiles.width + offset
                if entries[seq] == nil {
                    leafHashes[seq] = stored
                } else if stored != leafHashes[seq] {
                    if entriesVouched {
                        findings.append(AuditFinding(kind: .tileMismatch, seq: seq, checkpointPath: locate(relative),
                                                     message: "hash \(offset) of \(relative) is not the leaf hash of entry \(offset) of \(bundle) (record \(seq)), which the signed root covers"))
                    } else {
                        findings.append(AuditFinding(kind: .tileMismatch, seq: seq, checkpointPath: locate(bundle),
                                                     message: "entry \(offset) of \(bundle) (record \(seq)) does not hash to hash \(offset) of \(relative)"))
                        leafHashes[seq] = stored
                    }
                }
            }
        }
        let tree = MerkleTree(hasher: hasher, leafHashes: leafHashes)
        // The higher levels of a cut-off tree are not compared: their widths follow the claim.
        for (level, index, width) in TlogTiles.tiles(size: size) where level >= 1 && size == claimed {
            let relative = TlogTiles.tilePath(level: level, index: index, width: width)
            guard let hashes = try readTile(source, relative, width: width, into: &findings) else { continue }
            for (offset, stored) in hashes.enumerated() {
                let leaves = TlogTiles.leafRange(level: level, hashIndex: index * TlogTiles.width + offset)
                if stored != tree.subtreeHash(leaves) {
                    findings.append(AuditFinding(kind: .tileMismatch, seq: leaves.lowerBound, count: leaves.count, checkpointPath: locate(relative),
                                                 message: "hash \(offset) of \(relative) is not the root of \(TlogTiles.tilePath(level: level - 1, index: index * TlogTiles.width + offset)) (records \(leaves.lowerBound) to \(leaves.upperBound - 1))"))
                }
            }
        }

        // The entries as the log they spell out, through the log verifier.
        var log: [UInt8] = []
        log.reserveCapacity(entries.reduce(0) { $0 + ($1?.count ?? 0) + 1 })
        for entry in entries {
            guard let entry else { continue }
            log.append(contentsOf: entry)
            log.append(0x0A)
        }
        var recordOptions = options
        recordOptions.fromCheckpoint = nil
        let run: Result<VerificationReport, AuditError> = log.withUnsafeBytes { bytes in
            Result { () throws(AuditError) in
                try AuditVerifier.run(bytes: bytes, checkpoints: [published.stored], options: recordOptions, hasher: hasher).report
            }
        }
        var report = try run.get()
        report.findings.append(contentsOf: findings)
        report.findings.sort(by: AuditFinding.reportOrder)
        return report
    }

    private static func readTile(_ source: TileSource, _ relative: String, width: Int, into findings: inout [AuditFinding]) throws(AuditError) -> [Digest32]? {
        let location = source.location + "/" + relative
        guard let bytes = try source.fetch(relative) else {
            findings.append(AuditFinding(kind: .tileMissing, checkpointPath: location, message: "tile \(relative) is missing"))
            return nil
        }
        guard bytes.count == width * 32, let hashes = TlogTiles.decodeTile(bytes) else {
            findings.append(AuditFinding(kind: .tileMalformed, checkpointPath: location,
                                         message: "tile \(relative) is \(bytes.count) bytes, a tile of \(width) hashes is \(width * 32)"))
            return nil
        }
        return hashes
    }

    /// Proves record `seq` from a published tree, reading only the tiles the proof needs and the
    /// one entry bundle that holds the record. The checkpoint must be signed by one of
    /// `trustedKeys` when any are given; the proof is checked against its root before it is
    /// returned, so damaged tiles are an error rather than a bad proof.
    public static func prove(published directory: String, seq: Int, trustedKeys: [NoteVerifier] = []) throws(AuditError) -> (proof: InclusionProofFile, tilesRead: [String]) {
        let published = try PublishedCheckpoint.require(directory: directory)
        return try prove(source: .directory(directory), checkpoint: published, seq: seq, trustedKeys: trustedKeys)
    }

    /// Proves record `seq` from the tree `source` serves.
    public static func prove(source: TileSource, checkpoint published: PublishedCheckpoint, seq: Int,
                             trustedKeys: [NoteVerifier] = []) throws(AuditError) -> (proof: InclusionProofFile, tilesRead: [String]) {
        if !trustedKeys.isEmpty && !published.note.isTrusted(by: trustedKeys) {
            throw .invalidCheckpoint(path: published.path, reason: "not signed by a trusted key")
        }
        let size = published.checkpoint.size
        guard seq >= 0, seq < size else { throw .recordOutOfRange(seq: seq, size: size) }
        var tree = TiledTree(size: size, source: source)
        let record = try tree.entry(seq)
        let leaf = try tree.leafHash(seq)
        let proof = try tree.inclusionProof(index: seq)
        let hasher = RFC6962Hasher()
        guard hasher.hashLeaf(record) == leaf else {
            throw .invalidTile(path: source.location + "/" + TlogTiles.bundlePath(index: seq / TlogTiles.width, width: TlogTiles.tileWidth(level: 0, index: seq / TlogTiles.width, size: size)),
                               reason: "record \(seq) does not hash to its leaf hash in the level-0 tile")
        }
        guard MerkleProof.verifyInclusion(hasher: hasher, index: seq, size: size, leafHash: leaf, proof: proof, root: published.checkpoint.root) else {
            throw .invalidTile(path: source.location, reason: "the tiles do not lead to the checkpoint's root hash")
        }
        let file = InclusionProofFile(seq: seq, record: String(decoding: record, as: UTF8.self), leafHash: leaf, treeSize: size,
                                      proof: proof, checkpoint: published.note.serialized)
        return (file, tree.tilesRead)
    }
}

import Foundation
import JSONValue
import Testing
@testable import AuditLog

/// A log of `count` decisions with a signed checkpoint of all of them, in a fresh directory.
func makeCheckpointedLog(_ count: Int, in dir: String, from start: Int = 0) throws -> String {
    let log = dir + "/audit.jsonl"
    let events = (start..<(start + count)).map { i in event("decision", plan: "p\(i)", step: "s", [("outcome", "deny")]) }
    try AuditLog.append(events: events, to: log, now: Date(timeIntervalSince1970: 1_780_000_000))
    try AuditLog.checkpoint(logAt: log, origin: "audit.example/log", signer: testSigner)
    return log
}

@Suite struct TileGeometryTests {
    @Test(arguments: [(0, "000"), (5, "005"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067"), (1_000_000, "x001/x000/000")])
    func indexEncoding(index: Int, encoded: String) {
        #expect(TlogTiles.encodeIndex(index) == encoded)
    }

    @Test func paths() {
        #expect(TlogTiles.tilePath(level: 0, index: 1234067) == "tile/0/x001/x234/067")
        #expect(TlogTiles.tilePath(level: 2, index: 3, width: 17) == "tile/2/003.p/17")
        #expect(TlogTiles.bundlePath(index: 0, width: 112) == "tile/entries/000.p/112")
    }

    /// The spec's own examples: 70,000 and 256 records.
    @Test func tilesOfATree() {
        let tiles = TlogTiles.tiles(size: 70_000)
        let levelZero = tiles.filter { $0.level == 0 }
        #expect(levelZero.filter { $0.width == 256 }.count == 273)
        #expect(levelZero.last?.width == 112)
        #expect(tiles.filter { $0.level == 1 }.map(\.width) == [256, 17])
        #expect(tiles.filter { $0.level == 2 }.map(\.width) == [1])
        #expect(tiles.filter { $0.level == -1 }.count == 274)
        #expect(!tiles.contains { $0.level >= 3 })
        let small = TlogTiles.tiles(size: 256)
        #expect(small.filter { $0.level >= 0 }.map { "\($0.level)/\($0.width)" } == ["0/256", "1/1"])
    }

    @Test func bundles() {
        let entries: [[UInt8]] = [[], Array("a".utf8), [UInt8](repeating: 7, count: 300)]
        let bytes = TlogTiles.encodeBundle(entries)
        #expect(bytes.prefix(5) == [0, 0, 0, 1, 0x61])
        #expect(bytes[5] == 0x01 && bytes[6] == 0x2C)
        let decoded = TlogTiles.decodeBundle(bytes)
        #expect(decoded.problem == nil && decoded.entries.map(Array.init) == entries)
        #expect(TlogTiles.decodeBundle(Array(bytes.dropLast())).problem?.contains("entry 2 claims 300 bytes") == true)
        #expect(TlogTiles.decodeBundle([0]).problem?.contains("cut-off length prefix") == true)
    }

    /// The proofs built from perfect subtree hashes are the in-memory tree's, and verify.
    @Test(arguments: [1, 2, 3, 7, 8, 9, 255, 256, 257, 600])
    func proofsFromPerfectHashes(size: Int) {
        let hasher = RFC6962Hasher()
        let tree = MerkleTree(hasher: hasher, leafHashes: (0..<size).map { hasher.hashLeaf(Array("leaf \($0)".utf8)) })
        let root = tree.root()
        for index in Set([0, size / 3, size / 2, size - 1]) {
            let proof = tree.inclusionProof(index: index, size: size)!
            #expect(MerkleProof.verifyInclusion(hasher: hasher, index: index, size: size, leafHash: tree.leafHash(at: index), proof: proof, root: root))
        }
        for first in Set([1, size / 2, size - 1, size]) where first > 0 {
            let proof = tree.consistencyProof(from: first, to: size)!
            #expect(MerkleProof.verifyConsistency(hasher: hasher, firstSize: first, secondSize: size, firstRoot: tree.root(size: first),
                                                  secondRoot: root, proof: proof))
        }
    }
}

@Suite struct TiledTreeTests {
    /// The spec's 70,000-record example, served from memory: the tiled tree gives the in-memory
    /// tree's root and proofs, reading a handful of tiles for each.
    @Test func proofsMatchTheTreeAndReadFewTiles() throws {
        let size = 70_000
        let hasher = RFC6962Hasher()
        let tree = MerkleTree(hasher: hasher, leafHashes: (0..<size).map { hasher.hashLeaf(Array("leaf \($0)".utf8)) })
        var files: [String: [UInt8]] = [:]
        for (level, index, width) in TlogTiles.tiles(size: size) where level >= 0 {
            files[TlogTiles.tilePath(level: level, index: index, width: width)] = TlogTiles.tile(of: tree, level: level, index: index, width: width)
        }
        let source = TileSource(location: "memory") { files[$0] }
        var whole = TiledTree(size: size, source: source)
        #expect(try whole.root() == tree.root())
        #expect(try whole.root(size: 65_536) == tree.root(size: 65_536))
        for index in [0, 255, 256, 34_567, 65_535, 69_999] {
            var tiled = TiledTree(size: size, source: source)
            #expect(try tiled.inclusionProof(index: index) == tree.inclusionProof(index: index, size: size))
            #expect(tiled.tilesRead.count <= 5, "\(tiled.tilesRead)")
        }
        for old in [1, 255, 256, 65_536, 69_000, 70_000] {
            var tiled = TiledTree(size: size, source: source)
            #expect(try tiled.consistencyProof(from: old) == tree.consistencyProof(from: old, to: size))
            #expect(tiled.tilesRead.count <= 6, "\(tiled.tilesRead)")
        }
        // A tile the tree needs and does not have is an error naming it.
        files["tile/1/000"] = nil
        var broken = TiledTree(size: size, source: TileSource(location: "memory") { files[$0] })
        #expect(throws: AuditError.invalidTile(path: "memory/tile/1/000", reason: "missing; a tree of 70000 records needs it")) {
            try broken.inclusionProof(index: 5)
        }
    }
}

@Suite struct PublishTests {
    @Test func publishedTreeVerifiesAndProves() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try makeCheckpointedLog(600, in: dir)
        let site = dir + "/site"
        let result = try AuditLog.publish(logAt: log, to: site, trustedKeys: [testSigner.verifier])
        #expect(result.checkpoint.size == 600 && result.previousSize == nil && result.kept == 0)
        #expect(result.written == ["tile/entries/000", "tile/entries/001", "tile/entries/002.p/88",
                                   "tile/0/000", "tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: site + "/tile/0/000")).count == 8192)

        let report = try AuditLog.verifyPublished(at: site, options: VerifyOptions(trustedKeys: [testSigner.verifier]))
        #expect(report.isIntact && report.summary == "600/600 records valid", "\(report.faults.map(\.message))")
        #expect(report.checkpoints.map(\.signature) == ["verified"] && report.checkpoints[0].matchesLog == true)

        // The tiled tree gives the in-memory tree's proofs, reading O(log n) tiles.
        let fromLog = try AuditLog.prove(logAt: log, seq: 300, trustedKeys: [testSigner.verifier])
        let (fromTiles, read) = try AuditLog.prove(published: site, seq: 300, trustedKeys: [testSigner.verifier])
        #expect(fromTiles == fromLog)
        #expect(read == ["tile/entries/001", "tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2"])
        #expect(AuditLog.verifyProof(fromTiles, trustedKeys: [testSigner.verifier]).valid)
    }

    @Test func republishWritesOnlyNewOrGrownTiles() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try makeCheckpointedLog(600, in: dir)
        let site = dir + "/site"
        _ = try AuditLog.publish(logAt: log, to: site)
        let fullTile = site + "/tile/0/000"
        let before = try FileManager.default.attributesOfItem(atPath: fullTile)[.systemFileNumber] as? Int

        // Nothing new: nothing written.
        let again = try AuditLog.publish(logAt: log, to: site)
        #expect(again.written.isEmpty && !again.checkpointWritten && again.kept == 7 && again.verifiedFrom == 600)

        _ = try makeCheckpointedLog(300, in: dir, from: 600)
        let grown = try AuditLog.publish(logAt: log, to: site)
        #expect(grown.previousSize == 600 && grown.checkpoint.size == 900)
        // Only the records after the published 600 were read, and the result is byte for byte
        // what publishing the whole log from scratch writes.
        #expect(grown.verifiedFrom == 600)
        let fresh = dir + "/fresh"
        let whole = try AuditLog.publish(logAt: log, to: fresh)
        #expect(whole.verifiedFrom == 0)
        for file in whole.written + ["checkpoint"] {
            #expect(FileManager.default.contents(atPath: fresh + "/" + file) == FileManager.default.contents(atPath: site + "/" + file), "\(file)")
        }
        #expect(grown.written == ["tile/entries/002", "tile/entries/003.p/132", "tile/0/002", "tile/0/003.p/132", "tile/1/000.p/3"])
        // Full tiles stay the very same files.
        #expect(try FileManager.default.attributesOfItem(atPath: fullTile)[.systemFileNumber] as? Int == before)
        let report = try AuditLog.verifyPublished(at: site, options: VerifyOptions(trustedKeys: [testSigner.verifier]))
        #expect(report.isIntact && report.summary == "900/900 records valid", "\(report.faults.map(\.message))")
        // The consistency proof a witness needs comes from the tiles.
        let (request, _) = try AuditLog.witnessRequest(published: site, oldSize: 600)
        let old = try AuditLog.witnessRequest(logAt: log, oldSize: 600)
        #expect(request.proof == old.proof && request.oldSize == 600)
    }

    /// Republishing step by step across bundle and level-1 boundaries gives the files a fresh
    /// publication gives.
    @Test(arguments: [[1, 255, 256, 257, 600], [300, 65_536 + 3]])
    func stepwiseRepublishEqualsFreshPublish(sizes: [Int]) throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let site = dir + "/site"
        var log = ""
        var done = 0
        for size in sizes {
            log = try makeCheckpointedLog(size - done, in: dir, from: done)
            done = size
            let result = try AuditLog.publish(logAt: log, to: site)
            #expect(result.checkpoint.size == size && result.verifiedFrom == (result.previousSize ?? 0))
        }
        let fresh = try AuditLog.publish(logAt: log, to: dir + "/fresh")
        for file in fresh.written + ["checkpoint"] {
            #expect(FileManager.default.contents(atPath: dir + "/fresh/" + file) == FileManager.default.contents(atPath: site + "/" + file), "\(file)")
        }
        #expect(try AuditLog.verifyPublished(at: site, options: VerifyOptions(trustedKeys: [testSigner.verifier])).isIntact)
    }

    @Test func refusesRollbackAndFork() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try makeCheckpointedLog(300, in: dir)
        let site = dir + "/site"
        _ = try AuditLog.publish(logAt: log, to: site)

        let smallerDir = dir + "/smaller"
        try FileManager.default.createDirectory(atPath: smallerDir, withIntermediateDirectories: true)
        let smaller = try makeCheckpointedLog(200, in: smallerDir)
        #expect { try AuditLog.publish(logAt: smaller, to: site) } throws: { error in
            guard case .publishRefused(_, let reason) = error as? AuditError else { return false }
            return reason.contains("roll it back")
        }

        let otherDir = dir + "/other"
        try FileManager.default.createDirectory(atPath: otherDir, withIntermediateDirectories: true)
        let other = try makeCheckpointedLog(400, in: otherDir, from: 1)
        #expect { try AuditLog.publish(logAt: other, to: site) } throws: { error in
            guard case .publishRefused(_, let reason) = error as? AuditError else { return false }
            return reason.contains("a fork")
        }
    }
}

@Suite struct ForgedSizeTests {
    /// A checkpoint claiming far more records than the tree holds is a located fault, read
    /// within the files that are there.
    @Test func aHugeClaimedSizeIsBounded() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try makeCheckpointedLog(600, in: dir)
        let site = dir + "/site"
        _ = try AuditLog.publish(logAt: log, to: site)
        let forged = testSigner.sign(text: Checkpoint(origin: "audit.example/log", size: 1 << 60, root: .zero).body)
        try Data(forged.serialized.utf8).write(to: URL(fileURLWithPath: site + "/checkpoint"))
        let report = try AuditLog.verifyPublished(at: site, options: VerifyOptions(trustedKeys: [testSigner.verifier]))
        #expect(report.faults.contains { $0.kind == .tileMissing && $0.seq == 512 }, "\(report.faults.map(\.message))")
        #expect(report.faults.contains { $0.kind == .truncated })
        #expect(report.totalRecords == 512)
    }
}

/// Damage to a published tree of 600 records, each kind caught and located.
@Suite struct TileDamageTests {
    enum Damage: String, CaseIterable {
        case deleteLevelZeroTile, truncateLevelZeroTile, flipLevelZeroHash, flipLevelOneHash
        case deleteBundle, cutBundle, changeEntry, deleteCheckpointedPartial
    }

    @Test(arguments: Damage.allCases)
    func damageIsLocated(damage: Damage) throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try makeCheckpointedLog(600, in: dir)
        let site = dir + "/site"
        _ = try AuditLog.publish(logAt: log, to: site)
        func edit(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: site + "/" + path)))
            change(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: site + "/" + path))
        }
        let expected: (FindingKind, String, Int?)
        switch damage {
        case .deleteLevelZeroTile:
            try FileManager.default.removeItem(atPath: site + "/tile/0/001")
            expected = (.tileMissing, "tile/0/001", nil)
        case .truncateLevelZeroTile:
            try edit("tile/0/001") { $0.removeLast(32) }
            expected = (.tileMalformed, "tile/0/001", nil)
        case .flipLevelZeroHash:
            try edit("tile/0/001") { $0[32 * 17] ^= 1 }
            expected = (.tileMismatch, "tile/0/001", 256 + 17)
        case .flipLevelOneHash:
            try edit("tile/1/000.p/2") { $0[40] ^= 1 }
            expected = (.tileMismatch, "tile/1/000.p/2", 256)
        case .deleteBundle:
            try FileManager.default.removeItem(atPath: site + "/tile/entries/000")
            expected = (.tileMissing, "tile/entries/000", 0)
        case .cutBundle:
            try edit("tile/entries/002.p/88") { $0.removeLast(5) }
            expected = (.tileMalformed, "tile/entries/002.p/88", 512 + 87)
        case .changeEntry:
            try edit("tile/entries/001") { bytes in
                // The first entry's plan "p256" becomes "p257".
                let at = bytes.indices.first { bytes[$0...].starts(with: Array("\"p256\"".utf8)) }!
                bytes[at + 4] = UInt8(ascii: "7")
            }
            expected = (.tileMismatch, "tile/entries/001", 256)
        case .deleteCheckpointedPartial:
            try FileManager.default.removeItem(atPath: site + "/tile/0/002.p/88")
            expected = (.tileMissing, "tile/0/002.p/88", nil)
        }
        let report = try AuditLog.verifyPublished(at: site, options: VerifyOptions(trustedKeys: [testSigner.verifier]))
        #expect(!report.isIntact)
        let located = report.faults.filter { $0.kind == expected.0 && $0.checkpointPath == site + "/" + expected.1 }
        #expect(located.count == 1, "\(report.faults.map(\.message))")
        if let seq = expected.2 { #expect(located.first?.seq == seq) }
        // One damaged tile is reported at that tile only.
        let tileFindings = report.faults.filter { [.tileMissing, .tileMalformed, .tileMismatch].contains($0.kind) }
        #expect(tileFindings.count == 1, "\(tileFindings.map(\.message))")
        if damage == .changeEntry {
            #expect(report.faults.contains { $0.kind == .modified && $0.seq == 256 })
            #expect(report.faults.contains { $0.kind == .checkpointMismatch })
        }
    }
}

// C2SP tlog-tiles (c2sp.org/tlog-tiles): the Merkle tree of a log as static files. A tile is
// 256 consecutive hashes of one tree level; level 0 holds leaf hashes, level l holds the roots
// of the full tiles of level l - 1. The rightmost tile of a level may be partial (1 to 255
// hashes). Entry bundles hold the entries themselves, each behind a big-endian uint16 length.

/// The geometry and file names of a tiled tree.
public enum TlogTiles {
    /// Hashes in a full tile, and entries in a full bundle.
    public static let width = 256
    /// Levels of the binary tree one tile spans.
    static let height = 8
    /// The largest entry a bundle's uint16 length prefix can describe.
    public static let maxEntryLength = 0xFFFF

    /// The spec's index form: 1234067 → `x001/x234/067`, 5 → `005`.
    public static func encodeIndex(_ index: Int) -> String {
        precondition(index >= 0)
        var n = index
        var text = pad3(n % 1000)
        while n >= 1000 {
            n /= 1000
            text = "x" + pad3(n % 1000) + "/" + text
        }
        return text
    }

    private static func pad3(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// `tile/<L>/<N>[.p/<W>]`: a full tile when `width` is 256.
    public static func tilePath(level: Int, index: Int, width: Int = TlogTiles.width) -> String {
        "tile/\(level)/" + encodeIndex(index) + suffix(width)
    }

    /// `tile/entries/<N>[.p/<W>]`.
    public static func bundlePath(index: Int, width: Int = TlogTiles.width) -> String {
        "tile/entries/" + encodeIndex(index) + suffix(width)
    }

    private static func suffix(_ width: Int) -> String {
        precondition(width >= 1 && width <= TlogTiles.width)
        return width == TlogTiles.width ? "" : ".p/\(width)"
    }

    /// How many hashes level `level` of a tree of `size` leaves holds: one per full 256**level leaves.
    static func hashCount(level: Int, size: Int) -> Int {
        var count = size
        for _ in 0..<level { count /= width }
        return count
    }

    /// The width of tile `index` at `level` in a tree of `size` leaves: 256 for a full tile,
    /// 1 to 255 for the partial one, 0 when the tree has no such tile.
    public static func tileWidth(level: Int, index: Int, size: Int) -> Int {
        let count = hashCount(level: level, size: size)
        return max(0, min(width, count - index * width))
    }

    /// Every tile of a tree of `size` leaves, level by level, as (level, index, width); level
    /// -1 stands for the entry bundles, which follow level 0's layout.
    static func tiles(size: Int) -> [(level: Int, index: Int, width: Int)] {
        var out: [(Int, Int, Int)] = []
        for level in -1..<64 {
            let count = hashCount(level: max(level, 0), size: size)
            if count == 0 { break }
            for index in 0..<((count + width - 1) / width) {
                out.append((level, index, min(width, count - index * width)))
            }
        }
        return out
    }

    /// Whether a tile (level -1: a bundle) is a full one of the tree of `size` leaves: once
    /// published, such a tile never changes.
    static func isFull(level: Int, index: Int, width: Int, within size: Int) -> Bool {
        width == TlogTiles.width && leafRange(level: max(level, 0) + 1, hashIndex: index).upperBound <= size
    }

    /// The path of a tile, or of an entry bundle for level -1.
    static func path(level: Int, index: Int, width: Int) -> String {
        level < 0 ? bundlePath(index: index, width: width) : tilePath(level: level, index: index, width: width)
    }

    /// The leaves a hash of a tile at `level` covers: hash `j` of that level spans
    /// [j * 256**level, (j + 1) * 256**level).
    static func leafRange(level: Int, hashIndex j: Int) -> Range<Int> {
        let span = 1 << (height * level)
        return (j * span)..<((j + 1) * span)
    }

    /// The bytes of tile `index` of `level`, `width` hashes, from an in-memory tree.
    static func tile<H: MerkleHasher>(of tree: MerkleTree<H>, level: Int, index: Int, width: Int) -> [UInt8] {
        encodeTile((0..<width).map { tree.subtreeHash(leafRange(level: level, hashIndex: index * TlogTiles.width + $0)) })
    }

    /// A tile's bytes: the hashes, concatenated.
    static func encodeTile(_ hashes: some Sequence<Digest32>) -> [UInt8] {
        var bytes: [UInt8] = []
        for hash in hashes { bytes.append(contentsOf: hash.bytes) }
        return bytes
    }

    /// A tile's hashes, or nil when its length is not a whole number of hashes.
    static func decodeTile(_ bytes: [UInt8]) -> [Digest32]? {
        guard bytes.count % 32 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 32).map { Digest32(bytes: bytes[$0..<($0 + 32)])! }
    }

    /// An entry bundle's bytes.
    static func encodeBundle<Entry: Collection>(_ entries: some Sequence<Entry>) -> [UInt8] where Entry.Element == UInt8 {
        var bytes: [UInt8] = []
        for entry in entries {
            bytes.append(UInt8(entry.count >> 8))
            bytes.append(UInt8(entry.count & 0xFF))
            bytes.append(contentsOf: entry)
        }
        return bytes
    }

    /// An entry bundle's entries, and what is wrong with it when it does not parse whole.
    static func decodeBundle(_ bytes: [UInt8]) -> (entries: [ArraySlice<UInt8>], problem: String?) {
        var entries: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 2 <= bytes.count else {
                return (entries, "entry \(entries.count) has a cut-off length prefix at byte \(offset)")
            }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard offset + 2 + length <= bytes.count else {
                return (entries, "entry \(entries.count) claims \(length) bytes but the bundle ends \(bytes.count - offset - 2) bytes later")
            }
            entries.append(bytes[(offset + 2)..<(offset + 2 + length)])
            offset += 2 + length
        }
        return (entries, nil)
    }
}

/// Where the files of a published tree come from: a directory here, or anything that maps a
/// tile path to its bytes (nil when absent). Counts what it reads, so that a proof's cost can
/// be measured and tested.
public struct TileSource {
    /// The bytes of a file of the tree by its path below the prefix, nil when there is none.
    public let fetch: (String) throws(AuditError) -> [UInt8]?
    /// Where the tree lives, for messages.
    public let location: String

    public init(location: String, fetch: @escaping (String) throws(AuditError) -> [UInt8]?) {
        self.location = location
        self.fetch = fetch
    }

    /// The tree published in `directory`.
    public static func directory(_ directory: String) -> TileSource {
        TileSource(location: directory) { (path: String) throws(AuditError) -> [UInt8]? in
            let full = directory + "/" + path
            guard FileSystem.exists(full) else { return nil }
            return try FileSystem.readFile(full)
        }
    }
}

/// A published tree read through its tiles, fetching each tile once and only when a hash in it
/// is needed: an inclusion or consistency proof reads O(log n) tiles.
public struct TiledTree {
    /// The tree size every tile width is taken from (the checkpoint's size).
    public let size: Int
    let source: TileSource
    private var cache: [String: [Digest32]] = [:]
    /// The tile paths read so far, in order.
    public private(set) var tilesRead: [String] = []

    public init(size: Int, source: TileSource) {
        self.size = size
        self.source = source
    }

    /// The hash of the perfect subtree over leaves [i << k, (i + 1) << k): one hash of a tile
    /// when k is a multiple of 8, else the root of 2**(k mod 8) hashes of one tile.
    public mutating func perfectHash(level k: Int, index i: Int) throws(AuditError) -> Digest32 {
        let tileLevel = k / TlogTiles.height
        let span = 1 << (k % TlogTiles.height)
        let first = i * span
        let tileIndex = first / TlogTiles.width
        let width = TlogTiles.tileWidth(level: tileLevel, index: tileIndex, size: size)
        let offset = first % TlogTiles.width
        guard offset + span <= width else {
            throw AuditError.invalidTile(path: TlogTiles.tilePath(level: tileLevel, index: tileIndex), reason: "a tree of \(size) records has no hash \(offset + span - 1) in this tile")
        }
        let hashes = try tile(level: tileLevel, index: tileIndex, width: width)
        let slice = Array(hashes[offset..<(offset + span)])
        return span == 1 ? slice[0] : MerkleTree(hasher: RFC6962Hasher(), leafHashes: slice).root()
    }

    /// The hashes of one tile, read and checked for length.
    mutating func tile(level: Int, index: Int, width: Int) throws(AuditError) -> [Digest32] {
        let path = TlogTiles.tilePath(level: level, index: index, width: width)
        if let cached = cache[path] { return cached }
        guard let bytes = try source.fetch(path) else {
            throw AuditError.invalidTile(path: source.location + "/" + path, reason: "missing; a tree of \(size) records needs it")
        }
        tilesRead.append(path)
        guard bytes.count == width * 32, let hashes = TlogTiles.decodeTile(bytes) else {
            throw AuditError.invalidTile(path: source.location + "/" + path, reason: "\(bytes.count) bytes, expected \(width * 32) (\(width) hashes)")
        }
        cache[path] = hashes
        return hashes
    }

    /// The tree hash of the first `size` leaves (the whole tree by default).
    public mutating func root(size n: Int? = nil) throws(AuditError) -> Digest32 {
        let n = n ?? size
        if n == 0 { return RFC6962Hasher().emptyRoot }
        return try MerkleProof.subtreeHash(hasher: RFC6962Hasher(), 0..<n) { (k, i) throws(AuditError) in try perfectHash(level: k, index: i) }
    }

    /// The inclusion proof of leaf `index` in the whole tree.
    public mutating func inclusionProof(index: Int) throws(AuditError) -> [Digest32] {
        try MerkleProof.inclusionProof(hasher: RFC6962Hasher(), index: index, size: size) { (k, i) throws(AuditError) in try perfectHash(level: k, index: i) }
    }

    /// The consistency proof from the tree of `first` leaves to the whole tree.
    public mutating func consistencyProof(from first: Int) throws(AuditError) -> [Digest32] {
        try MerkleProof.consistencyProof(hasher: RFC6962Hasher(), from: first, to: size) { (k, i) throws(AuditError) in try perfectHash(level: k, index: i) }
    }

    /// The leaf hash of record `index`.
    public mutating func leafHash(_ index: Int) throws(AuditError) -> Digest32 {
        try perfectHash(level: 0, index: index)
    }

    /// Entry `index`, from its bundle (read once per call).
    public mutating func entry(_ index: Int) throws(AuditError) -> [UInt8] {
        let bundle = index / TlogTiles.width
        let width = TlogTiles.tileWidth(level: 0, index: bundle, size: size)
        let path = TlogTiles.bundlePath(index: bundle, width: width)
        guard let bytes = try source.fetch(path) else {
            throw AuditError.invalidTile(path: source.location + "/" + path, reason: "missing; a tree of \(size) records needs it")
        }
        tilesRead.append(path)
        let (entries, problem) = TlogTiles.decodeBundle(bytes)
        if let problem { throw AuditError.invalidTile(path: source.location + "/" + path, reason: problem) }
        guard entries.count == width else {
            throw AuditError.invalidTile(path: source.location + "/" + path, reason: "holds \(entries.count) entries, expected \(width)")
        }
        return Array(entries[index % TlogTiles.width])
    }
}

/// The signed checkpoint of a published tree: `<prefix>/checkpoint`.
public struct PublishedCheckpoint: Sendable {
    /// The file it came from.
    public let path: String
    public let note: SignedNote
    public let checkpoint: Checkpoint

    /// The checkpoint of the tree in `directory`; nil when there is none.
    public static func load(directory: String) throws(AuditError) -> PublishedCheckpoint? {
        let path = directory + "/checkpoint"
        guard FileSystem.exists(path) else { return nil }
        return try parse(try FileSystem.readFile(path), path: path)
    }

    /// The checkpoint of the tree in `directory`, which must have one.
    public static func require(directory: String) throws(AuditError) -> PublishedCheckpoint {
        guard let published = try load(directory: directory) else {
            throw .invalidCheckpoint(path: directory + "/checkpoint", reason: "there is no checkpoint; is this a directory written by 'stepguard audit publish'?")
        }
        return published
    }

    /// Parses a checkpoint note read from `path`.
    public static func parse(_ bytes: [UInt8], path: String) throws(AuditError) -> PublishedCheckpoint {
        do {
            let note = try SignedNote.parse(bytes)
            return PublishedCheckpoint(path: path, note: note, checkpoint: try Checkpoint.parse(body: note.text))
        } catch {
            throw AuditError.invalidCheckpoint(path: path, reason: error.message)
        }
    }

    /// As a checkpoint stored beside a log, for the verifier.
    var stored: StoredCheckpoint {
        StoredCheckpoint(path: path, note: note, checkpoint: checkpoint, resume: nil)
    }
}

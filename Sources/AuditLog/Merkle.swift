import CHotPaths
import Crypto

// Merkle trees as RFC 6962 §2.1 defines them and RFC 9162 §2.1 restates them: the tree hash of
// n leaves splits at the largest power of two below n, so a tree of any size is a sequence of
// perfect subtrees whose sizes are the set bits of n.

/// The two hash functions of a Merkle tree: one for leaves, one for interior nodes.
///
/// The algorithms in this module take the hasher as a parameter so that they can be tested
/// and reused independently of the hash function.
public protocol MerkleHasher: Sendable {
    /// The leaf hash of one entry.
    func hashLeaf(_ data: UnsafeRawBufferPointer) -> Digest32
    /// The hash of an interior node from its two children.
    func hashChildren(_ left: Digest32, _ right: Digest32) -> Digest32
    /// The tree hash of an empty tree.
    var emptyRoot: Digest32 { get }
    /// The leaf hashes of two entries, which a hasher may compute together faster than in turn.
    func hashLeaves(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> (Digest32, Digest32)
    /// The parents of `children` taken two by two (`parents[i]` over `children[2i]` and
    /// `children[2i + 1]`; an even count), which a hasher may hash two at a time.
    func hashPairs(_ children: UnsafeBufferPointer<Digest32>, into parents: UnsafeMutableBufferPointer<Digest32>)
}

extension MerkleHasher {
    public func hashLeaves(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> (Digest32, Digest32) {
        (hashLeaf(first), hashLeaf(second))
    }

    public func hashPairs(_ children: UnsafeBufferPointer<Digest32>, into parents: UnsafeMutableBufferPointer<Digest32>) {
        for i in 0..<(children.count / 2) { parents[i] = hashChildren(children[2 * i], children[2 * i + 1]) }
    }

    /// The leaf hash of an entry given as bytes.
    public func hashLeaf<Bytes: Sequence>(_ bytes: Bytes) -> Digest32 where Bytes.Element == UInt8 {
        if let hash = bytes.withContiguousStorageIfAvailable({ hashLeaf(UnsafeRawBufferPointer($0)) }) {
            return hash
        }
        return Array(bytes).withUnsafeBytes { hashLeaf($0) }
    }
}

/// RFC 6962 hashing with SHA-256: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right),
/// empty tree = SHA-256 of the empty string.
public struct RFC6962Hasher: MerkleHasher {
    /// Whether to hash with the CPU's SHA instructions, read once: every line and node of a
    /// verification is hashed.
    let hardware: Bool

    /// The hasher; it has no state.
    public init() {
        hardware = SHA256.usesHardwareInstructions
    }

    public func hashLeaf(_ data: UnsafeRawBufferPointer) -> Digest32 {
        if hardware { return Self.prefixedHardware(0, data) }
        var sha = SHA256()
        withUnsafeBytes(of: UInt8(0)) { sha.update($0) }
        sha.update(data)
        return Self.digest(sha)
    }

    /// With the SHA instructions the two hashes' rounds are interleaved (see `CHotPaths`).
    public func hashLeaves(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> (Digest32, Digest32) {
        guard hardware else { return (hashLeaf(first), hashLeaf(second)) }
        var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            // An empty buffer may have no address; any address serves when no byte is read.
            let a = (first.baseAddress ?? UnsafeRawPointer(out)).assumingMemoryBound(to: UInt8.self)
            let b = (second.baseAddress ?? UnsafeRawPointer(out)).assumingMemoryBound(to: UInt8.self)
            stepguard_sha256_prefixed2_hw(0, a, first.count, out, b, second.count, out + 32)
            return (Digest32(loading: raw.baseAddress!), Digest32(loading: raw.baseAddress! + 32))
        }
    }

    /// With the SHA instructions two nodes are hashed at once, as two lines are.
    public func hashPairs(_ children: UnsafeBufferPointer<Digest32>, into parents: UnsafeMutableBufferPointer<Digest32>) {
        let pairs = children.count / 2
        var i = 0
        if hardware && pairs > 1 {
            // Two nodes' 64 bytes each (their children's digests as bytes), then the two digests.
            withUnsafeTemporaryAllocation(byteCount: 192, alignment: 16) { buffer in
                let base = buffer.baseAddress!
                let bytes = base.assumingMemoryBound(to: UInt8.self)
                while i + 1 < pairs {
                    for k in 0..<4 { children[2 * i + k].store(into: base + 32 * k) }
                    stepguard_sha256_prefixed2_hw(1, bytes, 64, bytes + 128, bytes + 64, 64, bytes + 160)
                    parents[i] = Digest32(loading: base + 128)
                    parents[i + 1] = Digest32(loading: base + 160)
                    i += 2
                }
            }
        }
        for j in i..<pairs { parents[j] = hashChildren(children[2 * j], children[2 * j + 1]) }
    }

    public func hashChildren(_ left: Digest32, _ right: Digest32) -> Digest32 {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            let base = buffer.baseAddress!
            base.storeBytes(of: UInt8(1), as: UInt8.self)
            left.store(into: base + 1)
            right.store(into: base + 33)
            if hardware { return Self.prefixedHardware(1, UnsafeRawBufferPointer(rebasing: buffer[1...])) }
            var sha = SHA256()
            sha.update(UnsafeRawBufferPointer(buffer))
            return Self.digest(sha)
        }
    }

    /// SHA-256 of `prefix` and `data` with the SHA instructions, straight from `data`: the
    /// streaming hasher would copy a line's first 63 bytes and its tail into its block buffer
    /// behind the prefix, which showed in the profile of verification (`memmove`).
    @inline(__always)
    private static func prefixedHardware(_ prefix: UInt8, _ data: UnsafeRawBufferPointer) -> Digest32 {
        var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            // An empty buffer may have no address; any address serves when no byte is read.
            let start = data.baseAddress ?? UnsafeRawPointer(out)
            stepguard_sha256_prefixed_hw(prefix, start.assumingMemoryBound(to: UInt8.self), data.count, out)
            return Digest32(loading: raw.baseAddress!)
        }
    }

    /// The digest through a stack buffer: one leaf or node hash per record makes a heap
    /// allocation per digest show in verification time.
    @inline(__always)
    static func digest(_ sha: SHA256) -> Digest32 {
        var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            sha.finalize(into: raw.baseAddress!)
            return Digest32(loading: raw.baseAddress!)
        }
    }

    public var emptyRoot: Digest32 {
        Digest32(bytes: SHA256.hash([UInt8]()))!
    }
}

/// The largest power of two strictly smaller than `n` (n > 1).
@inline(__always)
func largestPowerOfTwoBelow(_ n: Int) -> Int {
    precondition(n > 1)
    return 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
}

/// An in-memory Merkle tree over leaf hashes, keeping every complete subtree so that roots of
/// earlier sizes and proofs cost O(log n) node look-ups.
public struct MerkleTree<Hasher: MerkleHasher>: Sendable {
    /// The hash functions.
    public let hasher: Hasher
    // levels[k][i] is the hash of the perfect subtree over leaves [i << k, (i + 1) << k).
    private var levels: [[Digest32]] = [[]]

    /// An empty tree.
    public init(hasher: Hasher) {
        self.hasher = hasher
    }

    /// A tree over `leafHashes`, in order.
    public init(hasher: Hasher, leafHashes: [Digest32]) {
        self.hasher = hasher
        levels[0].reserveCapacity(leafHashes.count)
        for hash in leafHashes { append(leafHash: hash) }
    }

    /// Number of leaves.
    public var size: Int { levels[0].count }

    /// The leaf hash at `index`.
    public func leafHash(at index: Int) -> Digest32 { levels[0][index] }

    /// Adds one leaf.
    public mutating func append(leafHash: Digest32) {
        levels[0].append(leafHash)
        var level = 0
        while levels[level].count % 2 == 0 {
            let count = levels[level].count
            let parent = hasher.hashChildren(levels[level][count - 2], levels[level][count - 1])
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(parent)
            level += 1
        }
    }

    /// The tree hash of the first `size` leaves (the whole tree by default).
    public func root(size: Int? = nil) -> Digest32 {
        let n = size ?? self.size
        precondition(n >= 0 && n <= self.size)
        return n == 0 ? hasher.emptyRoot : subtreeHash(0..<n)
    }

    /// The tree hash MTH(D[a:b]) of a range of leaves.
    public func subtreeHash(_ range: Range<Int>) -> Digest32 {
        precondition(range.count > 0 && range.upperBound <= size)
        return MerkleProof.subtreeHash(hasher: hasher, range) { level, index in levels[level][index] }
    }

    /// The RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of the first `size` leaves.
    public func inclusionProof(index: Int, size: Int) -> [Digest32]? {
        guard size <= self.size, index >= 0, index < size else { return nil }
        return MerkleProof.inclusionProof(hasher: hasher, index: index, size: size) { level, index in levels[level][index] }
    }

    /// The RFC 9162 §2.1.4.1 consistency proof between the trees of the first `first` and
    /// the first `second` leaves (empty when `first` is 0 or equal to `second`).
    public func consistencyProof(from first: Int, to second: Int) -> [Digest32]? {
        guard first >= 0, first <= second, second <= size else { return nil }
        return MerkleProof.consistencyProof(hasher: hasher, from: first, to: second) { level, index in levels[level][index] }
    }

    /// The compact range of the first `size` leaves: the perfect subtrees it splits into, left to right.
    public func compactRange(size: Int? = nil) -> CompactRange<Hasher> {
        let n = size ?? self.size
        var nodes: [Digest32] = []
        var start = 0
        var bit = Int.bitWidth - 1
        while bit >= 0 {
            let width = 1 << bit
            if n & width != 0 {
                nodes.append(levels[bit][start >> bit])
                start += width
            }
            bit -= 1
        }
        return CompactRange(hasher: hasher, size: n, uncheckedNodes: nodes)
    }
}

/// The right edge of a Merkle tree: the roots of the perfect subtrees a tree of `size` leaves
/// splits into. Enough to append further leaves and compute every later root in O(log n)
/// memory, which is how the log is verified in one streaming pass.
public struct CompactRange<Hasher: MerkleHasher>: Sendable {
    /// The hash functions.
    public let hasher: Hasher
    /// Number of leaves covered.
    public private(set) var size: Int
    /// Perfect subtree roots, largest (leftmost) first; one per set bit of `size`.
    public private(set) var nodes: [Digest32]

    /// An empty range.
    public init(hasher: Hasher) {
        self.hasher = hasher
        self.size = 0
        self.nodes = []
        nodes.reserveCapacity(64)
    }

    init(hasher: Hasher, size: Int, uncheckedNodes: [Digest32]) {
        self.hasher = hasher
        self.size = size
        self.nodes = uncheckedNodes
    }

    /// A range from its nodes, or nil when their number does not match `size`.
    public init?(hasher: Hasher, size: Int, nodes: [Digest32]) {
        guard size >= 0, nodes.count == size.nonzeroBitCount else { return nil }
        self.init(hasher: hasher, size: size, uncheckedNodes: nodes)
    }

    /// The range of a tree of `size` leaves, rebuilt from the hash of its last leaf and that
    /// leaf's inclusion proof; nil when the proof has the wrong shape. Check `root()` against a
    /// trusted root before relying on it.
    public init?(hasher: Hasher, size: Int, lastLeafHash: Digest32, inclusionProof proof: [Digest32]) {
        guard size > 0 else { return nil }
        let inner = size.trailingZeroBitCount
        guard proof.count == inner + size.nonzeroBitCount - 1 else { return nil }
        var rightmost = lastLeafHash
        for sibling in proof[0..<inner] { rightmost = hasher.hashChildren(sibling, rightmost) }
        var nodes = Array(proof[inner...].reversed())
        nodes.append(rightmost)
        self.init(hasher: hasher, size: size, uncheckedNodes: nodes)
    }

    /// Adds one leaf.
    public mutating func append(_ leafHash: Digest32) {
        var hash = leafHash
        var s = size
        while s & 1 == 1 {
            hash = hasher.hashChildren(nodes.removeLast(), hash)
            s >>= 1
        }
        nodes.append(hash)
        size += 1
    }

    /// Adds `leaves` in order, giving the range that appending them one by one gives. The new
    /// nodes of each level are hashed together (`MerkleHasher.hashPairs`, two at a time with
    /// the SHA instructions): appended one by one, each node's hash waits for the one before.
    public mutating func append(contentsOf leaves: UnsafeBufferPointer<Digest32>) {
        guard !leaves.isEmpty else { return }
        // Level by level: the nodes to pair at this height, the index of the first among the
        // nodes of that height, and the nodes left unpaired (the new right edge, lowest first).
        var level = [Digest32]()
        level.reserveCapacity(leaves.count + 1)
        var index = size
        if index & 1 == 1 {
            level.append(nodes.removeLast())
            index -= 1
        }
        level.append(contentsOf: leaves)
        var edge: [Digest32] = []
        var parents = [Digest32](repeating: .zero, count: level.count / 2 + 1)
        while !level.isEmpty {
            let pairs = level.count / 2
            let unpaired = level.count & 1 == 1 ? level.last : nil
            parents.withUnsafeMutableBufferPointer { out in
                level.withUnsafeBufferPointer { hasher.hashPairs(UnsafeBufferPointer(rebasing: $0[0..<(2 * pairs)]), into: out) }
            }
            edge.append(unpaired ?? .zero)
            index /= 2
            level.removeAll(keepingCapacity: true)
            // The parent of this level's first node takes the left sibling waiting in the range.
            if pairs > 0 && index & 1 == 1 {
                level.append(nodes.removeLast())
                index -= 1
            }
            level.append(contentsOf: parents[0..<pairs])
        }
        size += leaves.count
        // The new edge from the top down, one node per set bit of the new size.
        for height in edge.indices.reversed() where size >> height & 1 == 1 { nodes.append(edge[height]) }
    }

    /// The tree hash of the leaves covered.
    public func root() -> Digest32 {
        guard var hash = nodes.last else { return hasher.emptyRoot }
        for node in nodes.dropLast().reversed() { hash = hasher.hashChildren(node, hash) }
        return hash
    }
}

/// Proof verification (RFC 9162 §2.1.3.2 and §2.1.4.2).
public enum MerkleProof {
    /// The root that `proof` implies for leaf `index` with hash `leafHash` in a tree of `size`
    /// leaves, or nil when the proof has the wrong length for that position.
    public static func rootFromInclusionProof<H: MerkleHasher>(
        hasher: H, index: Int, size: Int, leafHash: Digest32, proof: [Digest32]
    ) -> Digest32? {
        guard index >= 0, index < size else { return nil }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return nil }
            if fn & 1 == 1 || fn == sn {
                r = hasher.hashChildren(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = hasher.hashChildren(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// Whether `proof` shows leaf `index` with hash `leafHash` in the tree of `size` leaves with root `root`.
    public static func verifyInclusion<H: MerkleHasher>(
        hasher: H, index: Int, size: Int, leafHash: Digest32, proof: [Digest32], root: Digest32
    ) -> Bool {
        rootFromInclusionProof(hasher: hasher, index: index, size: size, leafHash: leafHash, proof: proof) == root
    }

    /// Whether `proof` shows that the tree of `firstSize` leaves with root `firstRoot` is a prefix
    /// of the tree of `secondSize` leaves with root `secondRoot`.
    public static func verifyConsistency<H: MerkleHasher>(
        hasher: H, firstSize: Int, secondSize: Int, firstRoot: Digest32, secondRoot: Digest32, proof: [Digest32]
    ) -> Bool {
        guard firstSize >= 0, firstSize <= secondSize else { return false }
        if firstSize == secondSize { return proof.isEmpty && firstRoot == secondRoot }
        if firstSize == 0 { return proof.isEmpty && firstRoot == hasher.emptyRoot }
        var path = proof
        if firstSize & (firstSize - 1) == 0 { path.insert(firstRoot, at: 0) }
        guard let head = path.first else { return false }
        var fn = firstSize - 1
        var sn = secondSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = head
        var sr = head
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = hasher.hashChildren(c, fr)
                sr = hasher.hashChildren(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = hasher.hashChildren(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == firstRoot && sr == secondRoot
    }
}

// MARK: - Proofs over any store of perfect subtree hashes

extension MerkleProof {
    /// MTH(D[a:b]) from the hashes of perfect, aligned subtrees: `perfect(k, i)` is the hash of
    /// the subtree over leaves [i << k, (i + 1) << k). An in-memory tree and a tiled tree on
    /// disk differ only in where those hashes come from.
    public static func subtreeHash<H: MerkleHasher, E: Error>(
        hasher: H, _ range: Range<Int>, perfect: (Int, Int) throws(E) -> Digest32
    ) throws(E) -> Digest32 {
        let n = range.count
        if n & (n - 1) == 0 && range.lowerBound % n == 0 {
            let level = n.trailingZeroBitCount
            return try perfect(level, range.lowerBound >> level)
        }
        let k = largestPowerOfTwoBelow(n)
        let split = range.lowerBound + k
        let left = try subtreeHash(hasher: hasher, range.lowerBound..<split, perfect: perfect)
        let right = try subtreeHash(hasher: hasher, split..<range.upperBound, perfect: perfect)
        return hasher.hashChildren(left, right)
    }

    /// The RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves, from
    /// perfect subtree hashes (see `subtreeHash(hasher:_:perfect:)`).
    public static func inclusionProof<H: MerkleHasher, E: Error>(
        hasher: H, index: Int, size: Int, perfect: (Int, Int) throws(E) -> Digest32
    ) throws(E) -> [Digest32] {
        precondition(index >= 0 && index < size)
        var proof: [Digest32] = []
        var m = index
        var range = 0..<size
        // Walk down from the root, then reverse: the proof lists siblings bottom up.
        while range.count > 1 {
            let k = largestPowerOfTwoBelow(range.count)
            let split = range.lowerBound + k
            if m < k {
                proof.append(try subtreeHash(hasher: hasher, split..<range.upperBound, perfect: perfect))
                range = range.lowerBound..<split
            } else {
                proof.append(try subtreeHash(hasher: hasher, range.lowerBound..<split, perfect: perfect))
                m -= k
                range = split..<range.upperBound
            }
        }
        return proof.reversed()
    }

    /// The RFC 9162 §2.1.4.1 consistency proof between the trees of `first` and `second`
    /// leaves, from perfect subtree hashes; empty when `first` is 0 or equals `second`.
    public static func consistencyProof<H: MerkleHasher, E: Error>(
        hasher: H, from first: Int, to second: Int, perfect: (Int, Int) throws(E) -> Digest32
    ) throws(E) -> [Digest32] {
        precondition(first >= 0 && first <= second)
        if first == 0 || first == second { return [] }
        var proof: [Digest32] = []
        var m = first
        var range = 0..<second
        var complete = true
        while m != range.count {
            let k = largestPowerOfTwoBelow(range.count)
            let split = range.lowerBound + k
            if m <= k {
                proof.append(try subtreeHash(hasher: hasher, split..<range.upperBound, perfect: perfect))
                range = range.lowerBound..<split
            } else {
                proof.append(try subtreeHash(hasher: hasher, range.lowerBound..<split, perfect: perfect))
                m -= k
                range = split..<range.upperBound
                complete = false
            }
        }
        if !complete { proof.append(try subtreeHash(hasher: hasher, range, perfect: perfect)) }
        return proof.reversed()
    }
}

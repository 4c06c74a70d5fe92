@testable import Crypto
import Testing
@testable import AuditLog

/// The leaf inputs and tree hashes published with the certificate-transparency reference
/// implementations (testonly/constants.go of the Go and C++ trees).
enum ReferenceVectors {
    static let leaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        Hex.decode("606162636465666768696a6b6c6d6e6f")!,
    ]
    static let roots: [String] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    /// Consistency proofs from the same suites: (first, second, proof).
    static let consistency: [(Int, Int, [String])] = [
        (1, 1, []),
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    ]
    /// Inclusion proofs: (leaf index, tree size, proof).
    static let inclusion: [(Int, Int, [String])] = [
        (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ]
}

private func digests(_ hex: [String]) -> [Digest32] { hex.map { Digest32(hex: $0)! } }

/// MTH straight from the RFC 6962 definition, as an independent reference.
private func referenceRoot(_ leaves: ArraySlice<Digest32>, _ hasher: RFC6962Hasher) -> Digest32 {
    if leaves.isEmpty { return hasher.emptyRoot }
    if leaves.count == 1 { return leaves.first! }
    var k = 1
    while k * 2 < leaves.count { k *= 2 }
    let split = leaves.startIndex + k
    return hasher.hashChildren(referenceRoot(leaves[..<split], hasher), referenceRoot(leaves[split...], hasher))
}

@Suite struct MerkleTests {
    let hasher = RFC6962Hasher()

    /// Leaf and node hashes, which the SHA instructions compute straight from the bytes with the
    /// prefix byte shifted in, are SHA-256 of the prefixed bytes by the portable code, at every
    /// length across the first block, whole blocks and one- and two-block tails; and they read
    /// nothing past the bytes given (what follows them in memory changes nothing).
    @Test(arguments: [0, 1, 2, 15, 16, 17, 46, 47, 54, 55, 56, 62, 63, 64, 65, 70, 78, 79, 80, 94, 95, 110, 111, 118, 119, 120,
                      126, 127, 128, 129, 190, 191, 192, 200, 255, 256, 300, 1000])
    func prefixedHashesMatchPortableSHA256(length: Int) {
        // Without the SHA instructions both sides are the portable code; which path the
        // hashers take is held to the CPU's report by CryptoTests (`SHA256Path`).
        #expect(hasher.hardware == SHA256.usesHardwareInstructions)
        if length == 0 {
            print("RFC 6962 leaf and node hashes against the portable SHA-256: \(hasher.hardware ? "SHA instructions" : "portable code on both sides: this CPU has no SHA instructions, or STEPGUARD_SHA256=portable")")
        }
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ length) }
        func portable(_ message: [UInt8]) -> String {
            var sha = SHA256(portable: ())
            sha.update(message)
            return Hex.encode(sha.finalize())
        }
        for trailing: UInt8 in [0x00, 0xFF] {
            let padded = bytes + [UInt8](repeating: trailing, count: 64)
            let leaf = padded.withUnsafeBytes { hasher.hashLeaf(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            #expect(leaf.hex == portable([0] + bytes))
        }
        let left = hasher.hashLeaf(bytes), right = hasher.hashLeaf(bytes + [1])
        #expect(hasher.hashChildren(left, right).hex == portable([1] + left.bytes + right.bytes))
    }

    /// Two leaves hashed together (their rounds interleaved with the SHA instructions) are the
    /// leaves hashed one at a time, for lengths that end their blocks together and apart, and
    /// whatever follows either in memory.
    @Test(arguments: [0, 1, 55, 62, 63, 64, 119, 127, 128, 191, 260, 1000])
    func pairedLeavesMatchSingleLeaves(length: Int) {
        #expect(hasher.hardware == SHA256.usesHardwareInstructions)
        let first = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 5) }
        for otherLength in [0, 1, 62, 63, 64, 65, 120, 127, 128, 129, 200, 260, 700] {
            let second = (0..<otherLength).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ otherLength) }
            for trailing: UInt8 in [0x00, 0xFF] {
                let tail = [UInt8](repeating: trailing, count: 64)
                let (a, b) = (first + tail).withUnsafeBytes { one in
                    (second + tail).withUnsafeBytes { two in
                        hasher.hashLeaves(UnsafeRawBufferPointer(rebasing: one[0..<length]), UnsafeRawBufferPointer(rebasing: two[0..<otherLength]))
                    }
                }
                #expect(a == hasher.hashLeaf(first), "\(length) and \(otherLength)")
                #expect(b == hasher.hashLeaf(second), "\(length) and \(otherLength)")
            }
        }
    }

    /// Nodes hashed two at a time are the nodes hashed one by one, for every count of pairs
    /// around the pairing (an odd count leaves one alone).
    @Test(arguments: 0...9)
    func pairedNodesMatchSingle(pairs: Int) {
        let children = (0..<(2 * pairs)).map { hasher.hashLeaf(Array("child \($0)".utf8)) }
        var parents = [Digest32](repeating: .zero, count: pairs)
        children.withUnsafeBufferPointer { input in
            parents.withUnsafeMutableBufferPointer { hasher.hashPairs(input, into: $0) }
        }
        #expect(parents == (0..<pairs).map { hasher.hashChildren(children[2 * $0], children[2 * $0 + 1]) })
    }

    /// Leaves appended at once give the range that appending them one by one gives, from any
    /// size the range had (every combination of set bits below 1024) and for any count.
    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7, 8, 31, 63, 64, 100, 255, 511, 1023])
    func batchedAppendMatchesOneByOne(start: Int) {
        let leaves = (0..<(start + 1100)).map { hasher.hashLeaf(Array("leaf \($0)".utf8)) }
        var before = CompactRange(hasher: hasher)
        for hash in leaves[0..<start] { before.append(hash) }
        var reference = before
        var appended = 0
        for count in Array(0...70) + [127, 128, 129, 1024, 1025] {
            while appended < count {
                reference.append(leaves[start + appended])
                appended += 1
            }
            var batched = before
            leaves.withUnsafeBufferPointer { batched.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<(start + count)])) }
            #expect(batched.size == reference.size, "\(start) + \(count)")
            #expect(batched.nodes == reference.nodes, "\(start) + \(count)")
        }
    }

    @Test(arguments: 0...8)
    func rootMatchesReference(size: Int) {
        let leafHashes = ReferenceVectors.leaves.prefix(size).map { hasher.hashLeaf($0) }
        let tree = MerkleTree(hasher: hasher, leafHashes: Array(leafHashes))
        #expect(tree.root().hex == ReferenceVectors.roots[size])
        var range = CompactRange(hasher: hasher)
        for hash in leafHashes { range.append(hash) }
        #expect(range.root().hex == ReferenceVectors.roots[size])
        // Roots of every earlier size come out of the same tree.
        let full = MerkleTree(hasher: hasher, leafHashes: ReferenceVectors.leaves.map { hasher.hashLeaf($0) })
        #expect(full.root(size: size).hex == ReferenceVectors.roots[size])
        #expect(full.compactRange(size: size).root().hex == ReferenceVectors.roots[size])
    }

    @Test func referenceProofs() {
        let tree = MerkleTree(hasher: hasher, leafHashes: ReferenceVectors.leaves.map { hasher.hashLeaf($0) })
        for (first, second, proof) in ReferenceVectors.consistency {
            #expect(tree.consistencyProof(from: first, to: second) == digests(proof), "\(first)->\(second)")
            #expect(MerkleProof.verifyConsistency(
                hasher: hasher, firstSize: first, secondSize: second,
                firstRoot: Digest32(hex: ReferenceVectors.roots[first])!,
                secondRoot: Digest32(hex: ReferenceVectors.roots[second])!, proof: digests(proof)))
        }
        for (index, size, proof) in ReferenceVectors.inclusion {
            #expect(tree.inclusionProof(index: index, size: size) == digests(proof))
            #expect(MerkleProof.verifyInclusion(
                hasher: hasher, index: index, size: size, leafHash: tree.leafHash(at: index),
                proof: digests(proof), root: Digest32(hex: ReferenceVectors.roots[size])!))
        }
    }

    /// Every proof between every pair of sizes up to 40 verifies, and a proof with any one
    /// element changed, or checked against the wrong position, does not.
    @Test func allProofsUpTo40() {
        let leafHashes = (0..<40).map { hasher.hashLeaf([UInt8(truncatingIfNeeded: $0), 7]) }
        let tree = MerkleTree(hasher: hasher, leafHashes: leafHashes)
        let roots = (0...40).map { referenceRoot(leafHashes[0..<$0], hasher) }
        for n in 0...40 { #expect(tree.root(size: n) == roots[n]) }
        for n in 1...40 {
            for m in 0..<n {
                let proof = tree.inclusionProof(index: m, size: n)!
                #expect(MerkleProof.verifyInclusion(hasher: hasher, index: m, size: n, leafHash: leafHashes[m], proof: proof, root: roots[n]))
                #expect(!MerkleProof.verifyInclusion(hasher: hasher, index: (m + 1) % n == m ? m + 1 : (m + 1) % n, size: n, leafHash: leafHashes[m], proof: proof, root: roots[n]) || n == 1)
                for i in proof.indices {
                    var bad = proof
                    bad[i] = hasher.hashLeaf([0xff])
                    #expect(!MerkleProof.verifyInclusion(hasher: hasher, index: m, size: n, leafHash: leafHashes[m], proof: bad, root: roots[n]))
                }
                let consistency = tree.consistencyProof(from: m, to: n)!
                #expect(MerkleProof.verifyConsistency(hasher: hasher, firstSize: m, secondSize: n, firstRoot: roots[m], secondRoot: roots[n], proof: consistency), "\(m)->\(n)")
                if m > 0 {
                    #expect(!MerkleProof.verifyConsistency(hasher: hasher, firstSize: m, secondSize: n, firstRoot: roots[m - 1], secondRoot: roots[n], proof: consistency))
                    for i in consistency.indices {
                        var bad = consistency
                        bad[i] = hasher.hashLeaf([0xfe])
                        #expect(!MerkleProof.verifyConsistency(hasher: hasher, firstSize: m, secondSize: n, firstRoot: roots[m], secondRoot: roots[n], proof: bad))
                    }
                }
            }
            // The compact range of size n comes back from the last leaf's inclusion proof.
            let proof = tree.inclusionProof(index: n - 1, size: n)!
            let range = CompactRange(hasher: hasher, size: n, lastLeafHash: leafHashes[n - 1], inclusionProof: proof)
            #expect(range?.nodes == tree.compactRange(size: n).nodes)
            #expect(range?.root() == roots[n])
        }
    }
}

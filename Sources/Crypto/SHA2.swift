// SHA-256, SHA-384 and SHA-512 (FIPS 180-4).
//
// Both hashers keep their partial block in a fixed-size tuple and compress straight from the
// caller's buffer, so hashing allocates nothing but the returned digest. The round functions are
// written so that the eight working variables rotate by renaming instead of by moving values,
// which lets the optimiser keep them in registers.

import CHotPaths
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash function with a streaming interface, as used by `HMAC`.
public protocol HashFunction: Sendable {
    /// Size of one compression block in bytes.
    static var blockSize: Int { get }
    /// Size of the digest in bytes.
    static var digestSize: Int { get }
    /// A hasher in its initial state.
    init()
    /// Absorbs `bytes`.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest of everything absorbed so far. The hasher itself is left unchanged.
    func finalize() -> [UInt8]
}

extension HashFunction {
    /// Absorbs any sequence of bytes (contiguous storage is hashed in place).
    @inlinable
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { self.update($0) }
        }
    }

    /// The digest of `bytes` in one call.
    @inlinable
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = Self()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

/// The streaming part both hashes share: tops up the partial block held in `buffer` (a
/// fixed-size tuple of `blockSize` bytes, `buffered` of them in use), compresses whole blocks
/// straight from the caller's bytes, and keeps what is left over.
@inline(__always)
private func absorb<Buffer>(
    _ bytes: UnsafeRawBufferPointer, blockSize: Int, buffer: inout Buffer, buffered: inout Int,
    compress: (UnsafeRawPointer, Int) -> Void
) {
    guard var src = bytes.baseAddress, bytes.count > 0 else { return }
    var remaining = bytes.count
    if buffered > 0 {
        let take = min(blockSize - buffered, remaining)
        let offset = buffered
        withUnsafeMutableBytes(of: &buffer) { dst in
            dst.baseAddress!.advanced(by: offset).copyMemory(from: src, byteCount: take)
        }
        buffered += take
        src += take
        remaining -= take
        if buffered < blockSize { return }
        let copy = buffer
        withUnsafeBytes(of: copy) { compress($0.baseAddress!, 1) }
        buffered = 0
    }
    let blocks = remaining / blockSize
    if blocks > 0 {
        compress(src, blocks)
        src += blocks * blockSize
        remaining -= blocks * blockSize
    }
    if remaining > 0 {
        let count = remaining
        withUnsafeMutableBytes(of: &buffer) { dst in
            dst.baseAddress!.copyMemory(from: src, byteCount: count)
        }
        buffered = count
    }
}

// MARK: - SHA-256

// The 64 round constants of FIPS 180-4 §4.2.2 appear as immediates in the unrolled rounds below.

@inline(__always)
private func rotr32(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}

@inline(__always)
private func round256(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32, _ bc: inout UInt32
) {
    // Sums are ordered so the terms that depend on e and a (the critical path) come last.
    let s1 = rotr32(e ^ rotr32(e ^ rotr32(e, 14), 5), 6)
    let ch = g ^ (e & (f ^ g))
    let t1 = (h &+ kw) &+ ch &+ s1
    let s0 = rotr32(a ^ rotr32(a ^ rotr32(a, 9), 11), 2)
    // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); this round's a ^ b is the next round's b ^ c.
    let ab = a ^ b
    let maj = b ^ (ab & bc)
    bc = ab
    d = d &+ t1
    h = t1 &+ maj &+ s0
}

/// Next message-schedule word, kept in a 16-word ring. Computing it inside the rounds lets it
/// fill execution slots the latency-bound round chain leaves idle.
@inline(__always)
private func schedule256(_ w: UnsafeMutablePointer<UInt32>, _ i: Int) -> UInt32 {
    let x = w[(i &+ 1) & 15], y = w[(i &+ 14) & 15]
    let s0 = rotr32(x ^ rotr32(x, 11), 7) ^ (x &>> 3)
    let s1 = rotr32(y ^ rotr32(y, 2), 17) ^ (y &>> 10)
    let next = w[i & 15] &+ s0 &+ w[(i &+ 9) & 15] &+ s1
    w[i & 15] = next
    return next
}

/// Compresses `blocks` whole 64-byte blocks starting at `data` into `state`, with the CPU's SHA
/// instructions when `hardware` is set (only ever set where they exist), else in Swift.
@inline(__always)
private func sha256Compress(
    _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
    _ data: UnsafeRawPointer, blocks: Int, hardware: Bool
) {
    if hardware {
        withUnsafeMutablePointer(to: &state) { tuple in
            tuple.withMemoryRebound(to: UInt32.self, capacity: 8) { words in
                stepguard_sha256_compress_hw(words, data.assumingMemoryBound(to: UInt8.self), blocks)
            }
        }
    } else {
        sha256CompressPortable(&state, data, blocks: blocks)
    }
}

/// Compresses `blocks` whole 64-byte blocks starting at `data` into `state`.
@inline(never)
private func sha256CompressPortable(
    _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
    _ data: UnsafeRawPointer, blocks: Int
) {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { wBuffer in
        let w = wBuffer.baseAddress!
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        var p = data
        for _ in 0..<blocks {
            for i in 0..<16 {
                w[i] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
            var bc = b ^ c
            round256(a, b, c, &d, e, f, g, &h, 0x428a2f98 &+ w[0], &bc)
            round256(h, a, b, &c, d, e, f, &g, 0x71374491 &+ w[1], &bc)
            round256(g, h, a, &b, c, d, e, &f, 0xb5c0fbcf &+ w[2], &bc)
            round256(f, g, h, &a, b, c, d, &e, 0xe9b5dba5 &+ w[3], &bc)
            round256(e, f, g, &h, a, b, c, &d, 0x3956c25b &+ w[4], &bc)
            round256(d, e, f, &g, h, a, b, &c, 0x59f111f1 &+ w[5], &bc)
            round256(c, d, e, &f, g, h, a, &b, 0x923f82a4 &+ w[6], &bc)
            round256(b, c, d, &e, f, g, h, &a, 0xab1c5ed5 &+ w[7], &bc)
            round256(a, b, c, &d, e, f, g, &h, 0xd807aa98 &+ w[8], &bc)
            round256(h, a, b, &c, d, e, f, &g, 0x12835b01 &+ w[9], &bc)
            round256(g, h, a, &b, c, d, e, &f, 0x243185be &+ w[10], &bc)
            round256(f, g, h, &a, b, c, d, &e, 0x550c7dc3 &+ w[11], &bc)
            round256(e, f, g, &h, a, b, c, &d, 0x72be5d74 &+ w[12], &bc)
            round256(d, e, f, &g, h, a, b, &c, 0x80deb1fe &+ w[13], &bc)
            round256(c, d, e, &f, g, h, a, &b, 0x9bdc06a7 &+ w[14], &bc)
            round256(b, c, d, &e, f, g, h, &a, 0xc19bf174 &+ w[15], &bc)
            round256(a, b, c, &d, e, f, g, &h, 0xe49b69c1 &+ schedule256(w, 16), &bc)
            round256(h, a, b, &c, d, e, f, &g, 0xefbe4786 &+ schedule256(w, 17), &bc)
            round256(g, h, a, &b, c, d, e, &f, 0x0fc19dc6 &+ schedule256(w, 18), &bc)
            round256(f, g, h, &a, b, c, d, &e, 0x240ca1cc &+ schedule256(w, 19), &bc)
            round256(e, f, g, &h, a, b, c, &d, 0x2de92c6f &+ schedule256(w, 20), &bc)
            round256(d, e, f, &g, h, a, b, &c, 0x4a7484aa &+ schedule256(w, 21), &bc)
            round256(c, d, e, &f, g, h, a, &b, 0x5cb0a9dc &+ schedule256(w, 22), &bc)
            round256(b, c, d, &e, f, g, h, &a, 0x76f988da &+ schedule256(w, 23), &bc)
            round256(a, b, c, &d, e, f, g, &h, 0x983e5152 &+ schedule256(w, 24), &bc)
            round256(h, a, b, &c, d, e, f, &g, 0xa831c66d &+ schedule256(w, 25), &bc)
            round256(g, h, a, &b, c, d, e, &f, 0xb00327c8 &+ schedule256(w, 26), &bc)
            round256(f, g, h, &a, b, c, d, &e, 0xbf597fc7 &+ schedule256(w, 27), &bc)
            round256(e, f, g, &h, a, b, c, &d, 0xc6e00bf3 &+ schedule256(w, 28), &bc)
            round256(d, e, f, &g, h, a, b, &c, 0xd5a79147 &+ schedule256(w, 29), &bc)
            round256(c, d, e, &f, g, h, a, &b, 0x06ca6351 &+ schedule256(w, 30), &bc)
            round256(b, c, d, &e, f, g, h, &a, 0x14292967 &+ schedule256(w, 31), &bc)
            round256(a, b, c, &d, e, f, g, &h, 0x27b70a85 &+ schedule256(w, 32), &bc)
            round256(h, a, b, &c, d, e, f, &g, 0x2e1b2138 &+ schedule256(w, 33), &bc)
            round256(g, h, a, &b, c, d, e, &f, 0x4d2c6dfc &+ schedule256(w, 34), &bc)
            round256(f, g, h, &a, b, c, d, &e, 0x53380d13 &+ schedule256(w, 35), &bc)
            round256(e, f, g, &h, a, b, c, &d, 0x650a7354 &+ schedule256(w, 36), &bc)
            round256(d, e, f, &g, h, a, b, &c, 0x766a0abb &+ schedule256(w, 37), &bc)
            round256(c, d, e, &f, g, h, a, &b, 0x81c2c92e &+ schedule256(w, 38), &bc)
            round256(b, c, d, &e, f, g, h, &a, 0x92722c85 &+ schedule256(w, 39), &bc)
            round256(a, b, c, &d, e, f, g, &h, 0xa2bfe8a1 &+ schedule256(w, 40), &bc)
            round256(h, a, b, &c, d, e, f, &g, 0xa81a664b &+ schedule256(w, 41), &bc)
            round256(g, h, a, &b, c, d, e, &f, 0xc24b8b70 &+ schedule256(w, 42), &bc)
            round256(f, g, h, &a, b, c, d, &e, 0xc76c51a3 &+ schedule256(w, 43), &bc)
            round256(e, f, g, &h, a, b, c, &d, 0xd192e819 &+ schedule256(w, 44), &bc)
            round256(d, e, f, &g, h, a, b, &c, 0xd6990624 &+ schedule256(w, 45), &bc)
            round256(c, d, e, &f, g, h, a, &b, 0xf40e3585 &+ schedule256(w, 46), &bc)
            round256(b, c, d, &e, f, g, h, &a, 0x106aa070 &+ schedule256(w, 47), &bc)
            round256(a, b, c, &d, e, f, g, &h, 0x19a4c116 &+ schedule256(w, 48), &bc)
            round256(h, a, b, &c, d, e, f, &g, 0x1e376c08 &+ schedule256(w, 49), &bc)
            round256(g, h, a, &b, c, d, e, &f, 0x2748774c &+ schedule256(w, 50), &bc)
            round256(f, g, h, &a, b, c, d, &e, 0x34b0bcb5 &+ schedule256(w, 51), &bc)
            round256(e, f, g, &h, a, b, c, &d, 0x391c0cb3 &+ schedule256(w, 52), &bc)
            round256(d, e, f, &g, h, a, b, &c, 0x4ed8aa4a &+ schedule256(w, 53), &bc)
            round256(c, d, e, &f, g, h, a, &b, 0x5b9cca4f &+ schedule256(w, 54), &bc)
            round256(b, c, d, &e, f, g, h, &a, 0x682e6ff3 &+ schedule256(w, 55), &bc)
            round256(a, b, c, &d, e, f, g, &h, 0x748f82ee &+ schedule256(w, 56), &bc)
            round256(h, a, b, &c, d, e, f, &g, 0x78a5636f &+ schedule256(w, 57), &bc)
            round256(g, h, a, &b, c, d, e, &f, 0x84c87814 &+ schedule256(w, 58), &bc)
            round256(f, g, h, &a, b, c, d, &e, 0x8cc70208 &+ schedule256(w, 59), &bc)
            round256(e, f, g, &h, a, b, c, &d, 0x90befffa &+ schedule256(w, 60), &bc)
            round256(d, e, f, &g, h, a, b, &c, 0xa4506ceb &+ schedule256(w, 61), &bc)
            round256(c, d, e, &f, g, h, a, &b, 0xbef9a3f7 &+ schedule256(w, 62), &bc)
            round256(b, c, d, &e, f, g, h, &a, 0xc67178f2 &+ schedule256(w, 63), &bc)
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
            h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
            p += 64
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}

/// SHA-256 (FIPS 180-4) with a streaming interface.
///
///     var hasher = SHA256()
///     hasher.update(chunk1)
///     hasher.update(chunk2)
///     let digest = hasher.finalize()   // 32 bytes
public struct SHA256: HashFunction {
    public static let blockSize = 64
    public static let digestSize = 32

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    )
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var buffered = 0
    private var length: UInt64 = 0
    /// Whether this hasher compresses with the CPU's SHA instructions: the path it takes.
    let hardware: Bool

    /// Whether hashers compress with the CPU's SHA instructions (the x86 SHA extensions), found
    /// at run time; the portable Swift code runs everywhere else. `STEPGUARD_SHA256=portable` in
    /// the environment turns the instructions off, to compare the two.
    public static let usesHardwareInstructions: Bool = cpuHasInstructions && !portableChosen

    /// Whether the CPU reports the SHA instructions and the SSE levels the code needs, whatever
    /// the environment chooses.
    static let cpuHasInstructions = stepguard_sha256_hw_available() != 0

    /// Whether `STEPGUARD_SHA256=portable` turns the instructions off.
    static let portableChosen: Bool = {
        guard let choice = getenv("STEPGUARD_SHA256") else { return false }
        return String(cString: choice) == "portable"
    }()

    /// A hasher in its initial state.
    public init() {
        hardware = Self.usesHardwareInstructions
    }

    /// A hasher that never uses the SHA instructions, so tests can check both paths.
    init(portable: Void) {
        hardware = false
    }

    /// Absorbs `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        let hardware = self.hardware
        absorb(bytes, blockSize: 64, buffer: &buffer, buffered: &buffered) { blocks, count in
            sha256Compress(&state, blocks, blocks: count, hardware: hardware)
        }
    }

    /// The 32-byte digest of everything absorbed so far; the hasher can keep absorbing.
    public func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            finalize(into: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = 32
        }
    }

    /// Writes the 32-byte digest of everything absorbed so far to `destination`, which must
    /// have room for 32 bytes (no alignment needed). Allocates nothing, for callers that hash
    /// many short messages (Merkle leaves and nodes); the hasher can keep absorbing.
    public func finalize(into destination: UnsafeMutableRawPointer) {
        let s = finalState()
        destination.storeBytes(of: s.0.bigEndian, toByteOffset: 0, as: UInt32.self)
        destination.storeBytes(of: s.1.bigEndian, toByteOffset: 4, as: UInt32.self)
        destination.storeBytes(of: s.2.bigEndian, toByteOffset: 8, as: UInt32.self)
        destination.storeBytes(of: s.3.bigEndian, toByteOffset: 12, as: UInt32.self)
        destination.storeBytes(of: s.4.bigEndian, toByteOffset: 16, as: UInt32.self)
        destination.storeBytes(of: s.5.bigEndian, toByteOffset: 20, as: UInt32.self)
        destination.storeBytes(of: s.6.bigEndian, toByteOffset: 24, as: UInt32.self)
        destination.storeBytes(of: s.7.bigEndian, toByteOffset: 28, as: UInt32.self)
    }

    /// The eight state words after padding, on a copy: the final block is built in a copy of
    /// the fixed-size buffer, so nothing is allocated.
    private func finalState() -> (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) {
        var state = self.state
        var block = buffer
        let used = buffered
        let bitLength = length &* 8
        withUnsafeMutableBytes(of: &block) { raw in
            let base = raw.baseAddress!
            base.storeBytes(of: 0x80, toByteOffset: used, as: UInt8.self)
            if used >= 56 {
                // No room for the length: pad this block out and compress it, then a block of
                // zeros and the length.
                (base + used + 1).initializeMemory(as: UInt8.self, repeating: 0, count: 63 - used)
                sha256Compress(&state, base, blocks: 1, hardware: hardware)
                base.initializeMemory(as: UInt8.self, repeating: 0, count: 56)
            } else {
                (base + used + 1).initializeMemory(as: UInt8.self, repeating: 0, count: 55 - used)
            }
            base.storeBytes(of: bitLength.bigEndian, toByteOffset: 56, as: UInt64.self)
            sha256Compress(&state, base, blocks: 1, hardware: hardware)
        }
        return state
    }
}

// MARK: - SHA-512

private let sha512K: [UInt64] = [
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
    0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
    0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
    0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
    0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
    0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
    0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]

@inline(__always)
private func rotr64(_ x: UInt64, _ n: UInt64) -> UInt64 {
    (x &>> n) | (x &<< (64 &- n))
}

@inline(__always)
private func round512(
    _ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: inout UInt64,
    _ e: UInt64, _ f: UInt64, _ g: UInt64, _ h: inout UInt64, _ kw: UInt64
) {
    let s1 = rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41)
    let ch = g ^ (e & (f ^ g))
    let t1 = h &+ s1 &+ ch &+ kw
    let s0 = rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39)
    let maj = (a & b) | (c & (a | b))
    d = d &+ t1
    h = t1 &+ s0 &+ maj
}

typealias SHA512State = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

@inline(never)
private func sha512Compress(_ state: inout SHA512State, _ data: UnsafeRawPointer, blocks: Int) {
    sha512K.withUnsafeBufferPointer { kBuffer in
        let k = kBuffer.baseAddress!
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 80) { wBuffer in
            let w = wBuffer.baseAddress!
            var (h0, h1, h2, h3, h4, h5, h6, h7) = state
            var p = data
            for _ in 0..<blocks {
                for i in 0..<16 {
                    w[i] = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
                }
                for i in 16..<80 {
                    let x = w[i &- 15], y = w[i &- 2]
                    let s0 = rotr64(x, 1) ^ rotr64(x, 8) ^ (x &>> 7)
                    let s1 = rotr64(y, 19) ^ rotr64(y, 61) ^ (y &>> 6)
                    w[i] = w[i &- 16] &+ s0 &+ w[i &- 7] &+ s1
                }
                var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                var i = 0
                while i < 80 {
                    round512(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                    round512(h, a, b, &c, d, e, f, &g, k[i &+ 1] &+ w[i &+ 1])
                    round512(g, h, a, &b, c, d, e, &f, k[i &+ 2] &+ w[i &+ 2])
                    round512(f, g, h, &a, b, c, d, &e, k[i &+ 3] &+ w[i &+ 3])
                    round512(e, f, g, &h, a, b, c, &d, k[i &+ 4] &+ w[i &+ 4])
                    round512(d, e, f, &g, h, a, b, &c, k[i &+ 5] &+ w[i &+ 5])
                    round512(c, d, e, &f, g, h, a, &b, k[i &+ 6] &+ w[i &+ 6])
                    round512(b, c, d, &e, f, g, h, &a, k[i &+ 7] &+ w[i &+ 7])
                    i &+= 8
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                p += 128
            }
            state = (h0, h1, h2, h3, h4, h5, h6, h7)
        }
    }
}

/// The SHA-512 compression, padding and output that SHA-512 and SHA-384 share; they differ only
/// in the initial state and in how many bytes of the final state they output (FIPS 180-4 §5.3.4,
/// §6.5).
struct SHA512Family: Sendable {
    private var state: SHA512State
    private var buffer: (SHA512State, SHA512State) = ((0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0))
    private var buffered = 0
    // Messages beyond 2^64 bytes are not a concern here; the high half of the 128-bit length
    // field is derived from the byte count's top bits.
    private var length: UInt64 = 0

    init(initialState: SHA512State) {
        state = initialState
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        absorb(bytes, blockSize: 128, buffer: &buffer, buffered: &buffered) { blocks, count in
            sha512Compress(&state, blocks, blocks: count)
        }
    }

    /// The first `count` bytes of the final state.
    func finalize(count: Int) -> [UInt8] {
        var copy = self
        let bitLengthLow = length &<< 3
        let bitLengthHigh = length &>> 61
        var tail = [UInt8](repeating: 0, count: buffered < 112 ? 128 - buffered : 256 - buffered)
        tail[0] = 0x80
        for i in 0..<8 {
            tail[tail.count - 1 - i] = UInt8(truncatingIfNeeded: bitLengthLow &>> UInt64(8 * i))
            tail[tail.count - 9 - i] = UInt8(truncatingIfNeeded: bitLengthHigh &>> UInt64(8 * i))
        }
        tail.withUnsafeBytes { copy.update($0) }
        let s = copy.state
        var out = [UInt8](repeating: 0, count: 64)
        for (i, word) in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7].enumerated() {
            for j in 0..<8 {
                out[i * 8 + j] = UInt8(truncatingIfNeeded: word &>> UInt64(56 - 8 * j))
            }
        }
        return Array(out.prefix(count))
    }
}

/// SHA-512 (FIPS 180-4) with a streaming interface; see `SHA256` for usage.
public struct SHA512: HashFunction {
    public static let blockSize = 128
    public static let digestSize = 64

    private var core = SHA512Family(initialState: (
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179
    ))

    /// A hasher in its initial state.
    public init() {}

    /// Absorbs `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        core.update(bytes)
    }

    /// The 64-byte digest of everything absorbed so far; the hasher can keep absorbing.
    public func finalize() -> [UInt8] {
        core.finalize(count: 64)
    }
}

/// SHA-384 (FIPS 180-4 §6.5): SHA-512 from another initial state, cut to 48 bytes. See `SHA256`
/// for usage.
public struct SHA384: HashFunction {
    public static let blockSize = 128
    public static let digestSize = 48

    private var core = SHA512Family(initialState: (
        0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
        0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4
    ))

    /// A hasher in its initial state.
    public init() {}

    /// Absorbs `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        core.update(bytes)
    }

    /// The 48-byte digest of everything absorbed so far; the hasher can keep absorbing.
    public func finalize() -> [UInt8] {
        core.finalize(count: 48)
    }
}

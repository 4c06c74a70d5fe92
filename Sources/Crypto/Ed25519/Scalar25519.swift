// Arithmetic modulo the group order L = 2^252 + 27742317777372353535851937790883648493.
//
// Numbers are little-endian arrays of 64-bit words. Reduction is Barrett's (Handbook of Applied
// Cryptography, algorithm 14.42) with base 2^64 and k = 4; its two final corrections are masked
// subtractions, so reducing a secret nonce or key takes the same path whatever its value.

enum Scalar25519 {
    /// L in four words.
    static let order: [UInt64] = [0x5812_631a_5cf5_d3ed, 0x14de_f9de_a2f7_9cd6, 0, 0x1000_0000_0000_0000]
    /// floor(2^512 / L) in five words.
    static let barrettMu: [UInt64] = [
        0xed9c_e5a3_0a2c_131b, 0x2106_215d_0863_29a7, 0xffff_ffff_ffff_ffeb, 0xffff_ffff_ffff_ffff, 0xf,
    ]

    /// Schoolbook product of two word arrays (every word is visited; no data-dependent branches).
    static func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: a.count + b.count)
        for i in 0..<a.count {
            var carry: UInt64 = 0
            for j in 0..<b.count {
                let p = a[i].multipliedFullWidth(by: b[j])
                let (s1, o1) = p.low.addingReportingOverflow(out[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                out[i + j] = s2
                carry = p.high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            out[i + b.count] = carry
        }
        return out
    }

    /// a - b over the first `count` words, wrapping; returns the difference and the final borrow (0 or 1).
    private static func subtract(_ a: [UInt64], _ b: [UInt64], count: Int) -> ([UInt64], UInt64) {
        var out = [UInt64](repeating: 0, count: count)
        var borrow: UInt64 = 0
        for i in 0..<count {
            let bi = i < b.count ? b[i] : 0
            let (d1, o1) = a[i].subtractingReportingOverflow(bi)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[i] = d2
            borrow = (o1 ? 1 : 0) | (o2 ? 1 : 0)
        }
        return (out, borrow)
    }

    /// x mod L for x below 2^512, given as eight words.
    static func reduce(words x: [UInt64]) -> [UInt64] {
        precondition(x.count == 8)
        let q1 = Array(x[3..<8])
        let q2 = multiply(q1, barrettMu)
        let q3 = Array(q2[5..<10])
        let r1 = Array(x[0..<5])
        let r2 = Array(multiply(q3, order)[0..<5])
        var (r, _) = subtract(r1, r2, count: 5)
        // Barrett leaves r < 3L; two masked corrections bring it below L.
        for _ in 0..<2 {
            let (t, borrow) = subtract(r, order, count: 5)
            let keep = 0 &- borrow  // all ones when r < L
            for i in 0..<5 { r[i] = (r[i] & keep) | (t[i] & ~keep) }
        }
        return Array(r[0..<4])
    }

    static func words(_ bytes: some Collection<UInt8>, count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        for (i, byte) in bytes.enumerated() { out[i / 8] |= UInt64(byte) << UInt64(8 * (i % 8)) }
        return out
    }

    static func bytes(_ words: [UInt64]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: words[i / 8] >> UInt64(8 * (i % 8))) }
        return out
    }

    /// A 64-byte little-endian number (a SHA-512 digest) reduced mod L, as 32 bytes.
    static func reduce(_ wide: [UInt8]) -> [UInt8] {
        precondition(wide.count == 64)
        return bytes(reduce(words: words(wide, count: 8)))
    }

    /// (a * b + c) mod L for 32-byte little-endian a, b, c.
    static func multiplyAdd(_ a: [UInt8], _ b: [UInt8], _ c: [UInt8]) -> [UInt8] {
        var product = multiply(words(a, count: 4), words(b, count: 4))
        let cw = words(c, count: 4)
        var carry: UInt64 = 0
        for i in 0..<8 {
            let (s1, o1) = product[i].addingReportingOverflow(i < 4 ? cw[i] : 0)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            product[i] = s2
            carry = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        }
        return bytes(reduce(words: product))
    }

    /// Whether 32 little-endian bytes are below L (RFC 8032 §5.1.7 requires it of S).
    static func isCanonical(_ s: some Collection<UInt8>) -> Bool {
        let w = words(s, count: 4)
        let (_, borrow) = subtract(w, order, count: 4)
        return borrow == 1
    }
}

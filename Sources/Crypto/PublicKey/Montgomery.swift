// Modular arithmetic for verifying RSA and ECDSA signatures: Montgomery multiplication (CIOS,
// Koç et al. 1996) over little-endian 64-bit limbs, written once on raw pointers and used by the
// fixed-size elements of the elliptic curves and by the variable-size numbers of RSA.
//
// Everything here works on public data (keys, signatures, digests), so it is written for
// correctness and speed, not for constant time.

/// 1 for true, 0 for false, without a branch: carries are data-dependent and unpredictable,
/// and a conditional jump per limb costs more than the arithmetic.
@inline(__always)
func carryBit(_ flag: Bool) -> UInt64 {
    UInt64(unsafeBitCast(flag, to: UInt8.self))
}

/// `r = a·b·R⁻¹ mod m` with `R = 2^(64·count)`, for `a, b < m < R` and odd `m`. `m0inv` is
/// `-m⁻¹ mod 2^64`; `t` is scratch of `count + 2` limbs. `r` may be `a` or `b`: it is written
/// only after they have been read in full.
@inline(__always)
func montgomeryMultiply(
    _ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>,
    _ m: UnsafePointer<UInt64>, _ m0inv: UInt64, _ count: Int, _ t: UnsafeMutablePointer<UInt64>
) {
    t.initialize(repeating: 0, count: count &+ 2)
    for i in 0..<count {
        // t += a · b[i]
        let bi = b[i]
        var carry: UInt64 = 0
        for j in 0..<count {
            let (hi, lo) = a[j].multipliedFullWidth(by: bi)
            let (s1, c1) = lo.addingReportingOverflow(t[j])
            let (s2, c2) = s1.addingReportingOverflow(carry)
            t[j] = s2
            // hi ≤ 2^64 - 2, so adding two carries cannot overflow.
            carry = hi &+ carryBit(c1) &+ carryBit(c2)
        }
        let (top, topCarry) = t[count].addingReportingOverflow(carry)
        t[count] = top
        t[count &+ 1] = carryBit(topCarry)
        // t = (t + q·m) / 2^64, with q chosen so the low limb becomes zero.
        let q = t[0] &* m0inv
        let (hi0, lo0) = q.multipliedFullWidth(by: m[0])
        let (_, c0) = lo0.addingReportingOverflow(t[0])
        carry = hi0 &+ carryBit(c0)
        for j in 1..<count {
            let (hi, lo) = q.multipliedFullWidth(by: m[j])
            let (s1, c1) = lo.addingReportingOverflow(t[j])
            let (s2, c2) = s1.addingReportingOverflow(carry)
            t[j &- 1] = s2
            carry = hi &+ carryBit(c1) &+ carryBit(c2)
        }
        let (s3, c3) = t[count].addingReportingOverflow(carry)
        t[count &- 1] = s3
        t[count] = t[count &+ 1] &+ carryBit(c3)
    }
    // t < 2m: one conditional subtraction brings it below m.
    if subtractLimbs(r, t, m, count) && t[count] == 0 {
        r.update(from: t, count: count)
    }
}

/// `r = a - b` over `count` limbs; whether it borrowed. `r` may be `a` or `b`.
@inline(__always)
func subtractLimbs(
    _ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ count: Int
) -> Bool {
    var borrow: UInt64 = 0
    for j in 0..<count {
        let (d1, b1) = a[j].subtractingReportingOverflow(b[j])
        let (d2, b2) = d1.subtractingReportingOverflow(borrow)
        r[j] = d2
        borrow = carryBit(b1) | carryBit(b2)
    }
    return borrow != 0
}

/// `r = a + b` over `count` limbs; whether it carried. `r` may be `a` or `b`.
@inline(__always)
func addLimbs(
    _ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ count: Int
) -> Bool {
    var carry: UInt64 = 0
    for j in 0..<count {
        let (s1, c1) = a[j].addingReportingOverflow(b[j])
        let (s2, c2) = s1.addingReportingOverflow(carry)
        r[j] = s2
        carry = carryBit(c1) | carryBit(c2)
    }
    return carry != 0
}

/// `r = a + b mod m` for `a, b < m`.
@inline(__always)
func modularAdd(
    _ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>,
    _ m: UnsafePointer<UInt64>, _ count: Int
) {
    let carry = addLimbs(r, a, b, count)
    // Subtract m when the sum reached it; keep the sum when that would borrow (and no carry).
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { buffer in
        let d = buffer.baseAddress!
        if !subtractLimbs(d, r, m, count) || carry { r.update(from: d, count: count) }
    }
}

/// `r = a - b mod m` for `a, b < m`.
@inline(__always)
func modularSubtract(
    _ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>,
    _ m: UnsafePointer<UInt64>, _ count: Int
) {
    if subtractLimbs(r, a, b, count) {
        _ = addLimbs(r, r, m, count)
    }
}

/// `-m⁻¹ mod 2^64` for odd `m0` (Newton's iteration doubles the correct low bits each step).
func montgomeryInverse(_ m0: UInt64) -> UInt64 {
    var inverse: UInt64 = 1
    for _ in 0..<6 { inverse = inverse &* (2 &- m0 &* inverse) }
    return 0 &- inverse
}

/// `R² mod m`, by doubling 1 modulo `m` 2·64·count times; `m` must be odd and above 1. Used
/// once per modulus, to move numbers into Montgomery form with one multiplication.
func montgomeryRSquared(_ m: [UInt64]) -> [UInt64] {
    let count = m.count
    var x = [UInt64](repeating: 0, count: count)
    x[0] = 1
    for _ in 0..<(128 * count) {
        // x = 2x mod m, with x < m before; 2x < 2m fits in count limbs and one carry bit.
        var carry: UInt64 = 0
        for j in 0..<count {
            let next = x[j] >> 63
            x[j] = x[j] << 1 | carry
            carry = next
        }
        let (d, borrowed) = subtracting(x, m)
        if carry == 1 || !borrowed { x = d }
    }
    return x
}

/// Limbs of the big-endian number `bytes`, exactly `count` of them, or nil when it does not fit.
func limbs(bigEndian bytes: some Collection<UInt8>, count: Int) -> [UInt64]? {
    var out = [UInt64](repeating: 0, count: count)
    var shift: UInt64 = 0
    var index = 0
    for byte in bytes.reversed() {
        if index == count {
            guard byte == 0 else { return nil }
            continue
        }
        out[index] |= UInt64(byte) << shift
        shift += 8
        if shift == 64 {
            shift = 0
            index += 1
        }
    }
    return out
}

/// The number in `limbs` as exactly `count` big-endian bytes, or nil when it needs more.
func bigEndianBytes(_ limbs: [UInt64], count: Int) -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: count)
    for (i, limb) in limbs.enumerated() {
        for k in 0..<8 {
            let byte = UInt8(truncatingIfNeeded: limb >> UInt64(8 * k))
            let position = count - 1 - (i * 8 + k)
            if position < 0 {
                guard byte == 0 else { return nil }
            } else {
                out[position] = byte
            }
        }
    }
    return out
}

/// `a - b` for arrays of the same length, and whether it borrowed.
func subtracting(_ a: [UInt64], _ b: [UInt64]) -> ([UInt64], Bool) {
    var r = a
    let borrowed = r.withUnsafeMutableBufferPointer { subtractLimbs($0.baseAddress!, a, b, a.count) }
    return (r, borrowed)
}

/// Whether `a < b`, both `count` limbs.
func isLess(_ a: [UInt64], _ b: [UInt64]) -> Bool {
    for j in stride(from: a.count - 1, through: 0, by: -1) where a[j] != b[j] {
        return a[j] < b[j]
    }
    return false
}

/// Number of significant bits in `limbs`.
func bitLength(_ limbs: [UInt64]) -> Int {
    for j in stride(from: limbs.count - 1, through: 0, by: -1) where limbs[j] != 0 {
        return j * 64 + (64 - limbs[j].leadingZeroBitCount)
    }
    return 0
}

/// An odd modulus of any size with what Montgomery multiplication needs; numbers are arrays
/// of exactly `count` limbs. RSA uses it, with numbers that change size with the key.
struct MontgomeryModulus: Sendable {
    let modulus: [UInt64]
    let m0inv: UInt64
    let rSquared: [UInt64]
    var count: Int { modulus.count }

    /// nil unless `modulus` is odd and above 1.
    init?(_ modulus: [UInt64]) {
        guard let low = modulus.first, low & 1 == 1, bitLength(modulus) > 1 else { return nil }
        self.modulus = modulus
        m0inv = montgomeryInverse(low)
        rSquared = montgomeryRSquared(modulus)
    }

    func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var r = [UInt64](repeating: 0, count: count)
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count + 2) { t in
            r.withUnsafeMutableBufferPointer { r in
                montgomeryMultiply(r.baseAddress!, a, b, modulus, m0inv, count, t.baseAddress!)
            }
        }
        return r
    }

    /// `base^exponent mod m` for `base < m`, the exponent as big-endian bytes.
    func power(_ base: [UInt64], exponent: [UInt8]) -> [UInt64] {
        let baseM = multiply(base, rSquared)
        var one = [UInt64](repeating: 0, count: count)
        one[0] = 1
        var accumulator = multiply(one, rSquared)
        for byte in exponent {
            for bit in stride(from: 7, through: 0, by: -1) {
                accumulator = multiply(accumulator, accumulator)
                if (byte >> UInt8(bit)) & 1 == 1 { accumulator = multiply(accumulator, baseM) }
            }
        }
        return multiply(accumulator, one)
    }
}

// Arithmetic in GF(2^255 - 19), five 51-bit limbs in UInt64.
//
// Limb bounds: `*`, `square`, `-` and `reduced()` return limbs below 2^51 + 2^13; `+` does not
// carry, so its result may reach 2^52 + 2^14. Multiplication accepts limbs up to 2^54, which
// leaves room for one addition of carried values before a multiplication. Subtraction adds 4p
// before subtracting so a subtrahend with limbs up to 2^53 never underflows.
//
// Nothing here branches on or indexes by the value of an element, except `isZero`-style
// predicates, which compute on the canonical encoding without early exits.

private let mask51: UInt64 = (1 << 51) - 1

/// A 128-bit accumulator built from `multipliedFullWidth`, portable to every platform Swift runs on.
struct Wide: Sendable {
    var lo: UInt64
    var hi: UInt64

    @inline(__always)
    init(_ a: UInt64, _ b: UInt64) {
        let p = a.multipliedFullWidth(by: b)
        lo = p.low
        hi = p.high
    }

    @inline(__always)
    mutating func add(_ a: UInt64, _ b: UInt64) {
        let p = a.multipliedFullWidth(by: b)
        let (sum, overflow) = lo.addingReportingOverflow(p.low)
        lo = sum
        hi = hi &+ p.high &+ (overflow ? 1 : 0)
    }

    @inline(__always)
    mutating func add(_ x: UInt64) {
        let (sum, overflow) = lo.addingReportingOverflow(x)
        lo = sum
        hi = hi &+ (overflow ? 1 : 0)
    }

    /// The value shifted right by 51 bits (fits in 64 bits for every sum this file forms).
    @inline(__always)
    var shifted51: UInt64 { (hi &<< 13) | (lo &>> 51) }
}

/// An element of GF(2^255 - 19).
struct FieldElement: Sendable {
    var l0: UInt64
    var l1: UInt64
    var l2: UInt64
    var l3: UInt64
    var l4: UInt64

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3; self.l4 = l4
    }

    static let zero = FieldElement(0, 0, 0, 0, 0)
    static let one = FieldElement(1, 0, 0, 0, 0)

    /// A small constant.
    init(_ value: UInt64) {
        precondition(value < 1 << 51)
        self.init(value, 0, 0, 0, 0)
    }

    /// Decodes 32 little-endian bytes, ignoring the top bit (RFC 8032 §5.1.3 step 1 keeps it for x's sign).
    /// The result may be non-canonical (a value in [p, 2^255)); `isCanonicalEncoding` tells.
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32)
        let w0 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let w1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let w2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let w3 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        self.init(
            w0 & mask51,
            ((w0 &>> 51) | (w1 &<< 13)) & mask51,
            ((w1 &>> 38) | (w2 &<< 26)) & mask51,
            ((w2 &>> 25) | (w3 &<< 39)) & mask51,
            (w3 &>> 12) & mask51
        )
    }

    init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { FieldElement(bytes: $0) }
    }

    /// Carries once so every limb is below 2^51 + 2^13 (not necessarily canonical).
    @inline(__always)
    func carried() -> FieldElement {
        var r = self
        let c0 = r.l0 &>> 51; r.l0 &= mask51; r.l1 &+= c0
        let c1 = r.l1 &>> 51; r.l1 &= mask51; r.l2 &+= c1
        let c2 = r.l2 &>> 51; r.l2 &= mask51; r.l3 &+= c2
        let c3 = r.l3 &>> 51; r.l3 &= mask51; r.l4 &+= c3
        let c4 = r.l4 &>> 51; r.l4 &= mask51; r.l0 &+= c4 &* 19
        return r
    }

    /// The canonical representative in [0, p), limbs below 2^51.
    func reduced() -> FieldElement {
        var r = carried().carried()
        // r < 2^255 + small; r >= p exactly when r + 19 >= 2^255.
        var q = (r.l0 &+ 19) &>> 51
        q = (r.l1 &+ q) &>> 51
        q = (r.l2 &+ q) &>> 51
        q = (r.l3 &+ q) &>> 51
        q = (r.l4 &+ q) &>> 51
        r.l0 &+= 19 &* q
        let c0 = r.l0 &>> 51; r.l0 &= mask51; r.l1 &+= c0
        let c1 = r.l1 &>> 51; r.l1 &= mask51; r.l2 &+= c1
        let c2 = r.l2 &>> 51; r.l2 &= mask51; r.l3 &+= c2
        let c3 = r.l3 &>> 51; r.l3 &= mask51; r.l4 &+= c3
        r.l4 &= mask51
        return r
    }

    /// The canonical 32-byte little-endian encoding.
    var bytes: [UInt8] {
        let r = reduced()
        let words: [UInt64] = [
            r.l0 | (r.l1 &<< 51),
            (r.l1 &>> 13) | (r.l2 &<< 38),
            (r.l2 &>> 26) | (r.l3 &<< 25),
            (r.l3 &>> 39) | (r.l4 &<< 12),
        ]
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: words[i / 8] &>> UInt64(8 * (i % 8))) }
        return out
    }

    /// Whether the canonical value is odd (RFC 8032 calls this the sign of x).
    var isNegative: Bool { reduced().l0 & 1 == 1 }

    /// Whether the canonical value is zero.
    var isZero: Bool {
        let r = reduced()
        return (r.l0 | r.l1 | r.l2 | r.l3 | r.l4) == 0
    }

    @inline(__always)
    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(a.l0 &+ b.l0, a.l1 &+ b.l1, a.l2 &+ b.l2, a.l3 &+ b.l3, a.l4 &+ b.l4)
    }

    @inline(__always)
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        // 4p in this radix: (2^53 - 76, 2^53 - 4, 2^53 - 4, 2^53 - 4, 2^53 - 4).
        FieldElement(
            (a.l0 &+ 0x1f_ffff_ffff_ffb4) &- b.l0,
            (a.l1 &+ 0x1f_ffff_ffff_fffc) &- b.l1,
            (a.l2 &+ 0x1f_ffff_ffff_fffc) &- b.l2,
            (a.l3 &+ 0x1f_ffff_ffff_fffc) &- b.l3,
            (a.l4 &+ 0x1f_ffff_ffff_fffc) &- b.l4
        ).carried()
    }

    @inline(__always)
    static prefix func - (a: FieldElement) -> FieldElement {
        FieldElement.zero - a
    }

    @inline(__always)
    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        let b1 = b.l1 &* 19, b2 = b.l2 &* 19, b3 = b.l3 &* 19, b4 = b.l4 &* 19
        var r0 = Wide(a.l0, b.l0); r0.add(a.l1, b4); r0.add(a.l2, b3); r0.add(a.l3, b2); r0.add(a.l4, b1)
        var r1 = Wide(a.l0, b.l1); r1.add(a.l1, b.l0); r1.add(a.l2, b4); r1.add(a.l3, b3); r1.add(a.l4, b2)
        var r2 = Wide(a.l0, b.l2); r2.add(a.l1, b.l1); r2.add(a.l2, b.l0); r2.add(a.l3, b4); r2.add(a.l4, b3)
        var r3 = Wide(a.l0, b.l3); r3.add(a.l1, b.l2); r3.add(a.l2, b.l1); r3.add(a.l3, b.l0); r3.add(a.l4, b4)
        var r4 = Wide(a.l0, b.l4); r4.add(a.l1, b.l3); r4.add(a.l2, b.l2); r4.add(a.l3, b.l1); r4.add(a.l4, b.l0)
        return carryWide(&r0, &r1, &r2, &r3, &r4)
    }

    @inline(__always)
    private static func carryWide(
        _ r0: inout Wide, _ r1: inout Wide, _ r2: inout Wide, _ r3: inout Wide, _ r4: inout Wide
    ) -> FieldElement {
        r1.add(r0.shifted51)
        let l0 = r0.lo & mask51
        r2.add(r1.shifted51)
        let l1 = r1.lo & mask51
        r3.add(r2.shifted51)
        let l2 = r2.lo & mask51
        r4.add(r3.shifted51)
        let l3 = r3.lo & mask51
        let c4 = r4.shifted51
        let l4 = r4.lo & mask51
        var out0 = l0 &+ c4 &* 19
        let out1 = l1 &+ (out0 &>> 51)
        out0 &= mask51
        return FieldElement(out0, out1, l2, l3, l4)
    }

    @inline(__always)
    func squared() -> FieldElement {
        let d0 = l0 &* 2, d1 = l1 &* 2
        let l3_19 = l3 &* 19, l4_19 = l4 &* 19
        let d4_19 = l4_19 &* 2
        var r0 = Wide(l0, l0); r0.add(d1, l4_19); r0.add(l2 &* 2, l3_19)
        var r1 = Wide(d0, l1); r1.add(l2 &* 2, l4_19); r1.add(l3, l3_19)
        var r2 = Wide(d0, l2); r2.add(l1, l1); r2.add(l3, d4_19)
        var r3 = Wide(d0, l3); r3.add(d1, l2); r3.add(l4, l4_19)
        var r4 = Wide(d0, l4); r4.add(d1, l3); r4.add(l2, l2)
        return FieldElement.carryWide(&r0, &r1, &r2, &r3, &r4)
    }

    /// self^(2^n).
    @inline(__always)
    func squared(times n: Int) -> FieldElement {
        var r = self
        for _ in 0..<n { r = r.squared() }
        return r
    }

    /// (z^(2^250 - 1), z^11), the shared start of the inversion and square-root chains.
    private func pow2250Minus1() -> (FieldElement, FieldElement) {
        let z2 = squared()
        let z9 = z2.squared(times: 2) * self
        let z11 = z9 * z2
        let z2_5_0 = z11.squared() * z9
        let z2_10_0 = z2_5_0.squared(times: 5) * z2_5_0
        let z2_20_0 = z2_10_0.squared(times: 10) * z2_10_0
        let z2_40_0 = z2_20_0.squared(times: 20) * z2_20_0
        let z2_50_0 = z2_40_0.squared(times: 10) * z2_10_0
        let z2_100_0 = z2_50_0.squared(times: 50) * z2_50_0
        let z2_200_0 = z2_100_0.squared(times: 100) * z2_100_0
        let z2_250_0 = z2_200_0.squared(times: 50) * z2_50_0
        return (z2_250_0, z11)
    }

    /// The multiplicative inverse (z^(p-2)); zero maps to zero.
    func inverted() -> FieldElement {
        let (t, z11) = pow2250Minus1()
        return t.squared(times: 5) * z11
    }

    /// z^((p-5)/8) = z^(2^252 - 3), used for square roots.
    func pow22523() -> FieldElement {
        let (t, _) = pow2250Minus1()
        return t.squared(times: 2) * self
    }

    /// Replaces self with `other` when `choice` is 1, without branching on it.
    @inline(__always)
    mutating func conditionalAssign(_ other: FieldElement, _ choice: UInt64) {
        let mask = 0 &- choice
        l0 ^= mask & (l0 ^ other.l0)
        l1 ^= mask & (l1 ^ other.l1)
        l2 ^= mask & (l2 ^ other.l2)
        l3 ^= mask & (l3 ^ other.l3)
        l4 ^= mask & (l4 ^ other.l4)
    }

    /// Whether two elements are equal as field values (variable time; use on public data only).
    static func equalValues(_ a: FieldElement, _ b: FieldElement) -> Bool {
        (a - b).isZero
    }
}

/// Field constants, derived at first use rather than spelled as opaque limbs.
enum Curve25519Constants {
    /// d = -121665 / 121666.
    static let d: FieldElement = -(FieldElement(121665) * FieldElement(121666).inverted())
    /// 2d, the multiplier in the extended-coordinates addition law.
    static let d2: FieldElement = (d + d).carried()
    /// sqrt(-1) = 2^((p-1)/4).
    static let sqrtMinusOne: FieldElement = {
        // (p-1)/4 = 2^253 - 5 = (2^252 - 3) * 2 + 1: pow22523 of 2, squared, times 2.
        let two = FieldElement(2)
        return two.pow22523().squared() * two
    }()
}

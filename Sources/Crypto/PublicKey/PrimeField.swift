// Fixed-size numbers modulo the primes of P-256, P-384 and P-521 (field and group order). An
// element is nine limbs in place, enough for 521 bits, so curve arithmetic allocates nothing;
// a field uses the low 4, 6 or 9 of them and keeps the rest zero.

/// Up to 576 bits, little-endian 64-bit limbs, stored inline.
struct Limbs576: Sendable, Equatable {
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)

    static let limbCapacity = 9

    init() {}

    init?(_ limbs: [UInt64]) {
        guard limbs.count <= Self.limbCapacity else { return nil }
        withPointer { p in
            for (i, limb) in limbs.enumerated() { p[i] = limb }
        }
    }

    @inline(__always)
    mutating func withPointer<R>(_ body: (UnsafeMutablePointer<UInt64>) -> R) -> R {
        withUnsafeMutablePointer(to: &storage) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: Self.limbCapacity) { body($0) }
        }
    }

    @inline(__always)
    func withPointer<R>(_ body: (UnsafePointer<UInt64>) -> R) -> R {
        withUnsafePointer(to: storage) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: Self.limbCapacity) { body($0) }
        }
    }

    subscript(index: Int) -> UInt64 {
        withPointer { $0[index] }
    }

    var isZero: Bool {
        withPointer { p in
            var any: UInt64 = 0
            for i in 0..<Self.limbCapacity { any |= p[i] }
            return any == 0
        }
    }

    var array: [UInt64] {
        withPointer { Array(UnsafeBufferPointer(start: $0, count: Self.limbCapacity)) }
    }

    /// Bit `index` (0 is the least significant).
    @inline(__always)
    func bit(_ index: Int) -> Bool {
        (self[index >> 6] >> UInt64(index & 63)) & 1 == 1
    }

    /// `a + b` as integers; the caller keeps the sum below 2^576.
    static func sum(_ a: Limbs576, _ b: Limbs576) -> Limbs576 {
        var r = Limbs576()
        r.withPointer { pr in
            a.withPointer { pa in
                b.withPointer { pb in _ = addLimbs(pr, pa, pb, limbCapacity) }
            }
        }
        return r
    }

    static func == (a: Limbs576, b: Limbs576) -> Bool {
        a.withPointer { pa in
            b.withPointer { pb in
                for i in 0..<limbCapacity where pa[i] != pb[i] { return false }
                return true
            }
        }
    }
}

/// Arithmetic modulo an odd prime of at most 576 bits, in Montgomery form where it multiplies.
struct PrimeField: Sendable {
    /// The prime.
    let modulus: Limbs576
    /// Limbs in use.
    let count: Int
    /// Bits in the prime.
    let bitCount: Int
    let m0inv: UInt64
    let rSquared: Limbs576
    /// 1 in Montgomery form.
    let one: Limbs576
    /// The prime minus two, the exponent that inverts (Fermat).
    private let inversionExponent: Limbs576

    init(hex: String) {
        let bytes = Hex.decode(hex)!
        let count = (bytes.count + 7) / 8
        let limbs = Crypto.limbs(bigEndian: bytes, count: count)!
        self.count = count
        modulus = Limbs576(limbs)!
        bitCount = bitLength(limbs)
        m0inv = montgomeryInverse(limbs[0])
        rSquared = Limbs576(montgomeryRSquared(limbs))!
        var two = [UInt64](repeating: 0, count: count)
        two[0] = 2
        inversionExponent = Limbs576(subtracting(limbs, two).0)!
        var unit = Limbs576()
        unit.withPointer { $0[0] = 1 }
        one = Self.multiply(unit, rSquared, modulus: modulus, m0inv: m0inv, count: count)
    }

    @inline(__always)
    private static func multiply(_ a: Limbs576, _ b: Limbs576, modulus: Limbs576, m0inv: UInt64, count: Int) -> Limbs576 {
        var r = Limbs576()
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Limbs576.limbCapacity + 2) { t in
            r.withPointer { pr in
                a.withPointer { pa in
                    b.withPointer { pb in
                        modulus.withPointer { pm in
                            // A constant limb count for each curve lets the compiler unroll the loops.
                            switch count {
                            case 4: montgomeryMultiply(pr, pa, pb, pm, m0inv, 4, t.baseAddress!)
                            case 6: montgomeryMultiply(pr, pa, pb, pm, m0inv, 6, t.baseAddress!)
                            case 9: montgomeryMultiply(pr, pa, pb, pm, m0inv, 9, t.baseAddress!)
                            default: montgomeryMultiply(pr, pa, pb, pm, m0inv, count, t.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        return r
    }

    /// `a·b·R⁻¹`: the product of two elements in Montgomery form.
    @inline(__always)
    func multiply(_ a: Limbs576, _ b: Limbs576) -> Limbs576 {
        Self.multiply(a, b, modulus: modulus, m0inv: m0inv, count: count)
    }

    @inline(__always)
    func square(_ a: Limbs576) -> Limbs576 { multiply(a, a) }

    @inline(__always)
    func add(_ a: Limbs576, _ b: Limbs576) -> Limbs576 { apply(modularAdd, a, b) }

    @inline(__always)
    func subtract(_ a: Limbs576, _ b: Limbs576) -> Limbs576 { apply(modularSubtract, a, b) }

    /// `operation(a, b)` modulo the prime, with the limb counts of P-256 and P-384 spelt out so
    /// that each is compiled for its own fixed length.
    @inline(__always)
    private func apply(
        _ operation: (UnsafeMutablePointer<UInt64>, UnsafePointer<UInt64>, UnsafePointer<UInt64>, UnsafePointer<UInt64>, Int) -> Void,
        _ a: Limbs576, _ b: Limbs576
    ) -> Limbs576 {
        var r = Limbs576()
        r.withPointer { pr in
            a.withPointer { pa in
                b.withPointer { pb in
                    modulus.withPointer { pm in
                        switch count {
                        case 4: operation(pr, pa, pb, pm, 4)
                        case 6: operation(pr, pa, pb, pm, 6)
                        default: operation(pr, pa, pb, pm, count)
                        }
                    }
                }
            }
        }
        return r
    }

    /// Into Montgomery form (`a` below the prime).
    func toMontgomery(_ a: Limbs576) -> Limbs576 { multiply(a, rSquared) }

    /// Out of Montgomery form.
    func fromMontgomery(_ a: Limbs576) -> Limbs576 {
        var unit = Limbs576()
        unit.withPointer { $0[0] = 1 }
        return multiply(a, unit)
    }

    /// The inverse of a non-zero element in Montgomery form, `a^(p-2)` (Fermat's little theorem).
    func inverse(_ a: Limbs576) -> Limbs576 {
        var result = one
        for index in stride(from: bitCount - 1, through: 0, by: -1) {
            result = square(result)
            if inversionExponent.bit(index) { result = multiply(result, a) }
        }
        return result
    }

    /// `a mod prime` for `a` below twice the prime: at most one subtraction.
    func reduceOnce(_ a: Limbs576) -> Limbs576 {
        guard !contains(a) else { return a }
        var r = Limbs576()
        r.withPointer { pr in
            a.withPointer { pa in
                modulus.withPointer { pm in _ = subtractLimbs(pr, pa, pm, count) }
            }
        }
        return r
    }

    /// Whether `a < prime`.
    func contains(_ a: Limbs576) -> Bool {
        isLess(a.array, modulus.array)
    }

    /// The number `bytes` (big-endian) if it is below the prime, else nil.
    func element(bigEndian bytes: some Collection<UInt8>) -> Limbs576? {
        guard let limbs = Crypto.limbs(bigEndian: bytes, count: Limbs576.limbCapacity),
            let value = Limbs576(limbs), contains(value)
        else { return nil }
        return value
    }

    /// `a` as big-endian bytes of the prime's size.
    func bytes(_ a: Limbs576) -> [UInt8] {
        bigEndianBytes(a.array, count: (bitCount + 7) / 8)!
    }
}

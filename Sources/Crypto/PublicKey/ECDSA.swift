// ECDSA signature verification (FIPS 186-5 §6.4.2, SEC 1 §4.1.4) over the NIST prime curves
// P-256, P-384 and P-521 (y² = x³ - 3x + b). Verify only: stepguard never holds these private keys.

/// A NIST prime curve stepguard verifies signatures on.
public enum ECDSACurve: String, Sendable, CaseIterable {
    case p256 = "P-256"
    case p384 = "P-384"
    case p521 = "P-521"

    /// Bytes in one coordinate and in each of r and s.
    public var coordinateSize: Int { parameters.field.bitCount.divided(by: 8) }

    /// The hash JOSE pairs with the curve (RFC 7518 §3.4): ES256, ES384, ES512.
    public var hash: DigestAlgorithm {
        switch self {
        case .p256: return .sha256
        case .p384: return .sha384
        case .p521: return .sha512
        }
    }

    var parameters: CurveParameters {
        switch self {
        case .p256: return CurveParameters.p256
        case .p384: return CurveParameters.p384
        case .p521: return CurveParameters.p521
        }
    }
}

extension Int {
    fileprivate func divided(by divisor: Int) -> Int { (self + divisor - 1) / divisor }
}

/// A point in Jacobian coordinates (X/Z², Y/Z³), Montgomery form; Z = 0 is the point at infinity.
struct JacobianPoint: Sendable {
    var x: Limbs576
    var y: Limbs576
    var z: Limbs576

    var isInfinity: Bool { z.isZero }

    static let infinity = JacobianPoint(x: Limbs576(), y: Limbs576(), z: Limbs576())
}

/// A curve's constants, with the field and the group order ready for Montgomery arithmetic.
final class CurveParameters: Sendable {
    let field: PrimeField
    let order: PrimeField
    /// b in Montgomery form.
    let b: Limbs576
    /// The base point, Montgomery form, Z = 1.
    let generator: JacobianPoint

    init(p: String, n: String, b: String, gx: String, gy: String) {
        field = PrimeField(hex: p)
        order = PrimeField(hex: n)
        self.b = field.toMontgomery(field.element(bigEndian: Hex.decode(b)!)!)
        generator = JacobianPoint(
            x: field.toMontgomery(field.element(bigEndian: Hex.decode(gx)!)!),
            y: field.toMontgomery(field.element(bigEndian: Hex.decode(gy)!)!),
            z: field.one)
    }

    // Constants from FIPS 186-5 / SP 800-186 §3.2.1.
    static let p256 = CurveParameters(
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")

    static let p384 = CurveParameters(
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        gx: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
        gy: "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f")

    static let p521 = CurveParameters(
        p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        b: "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
        gx: "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
        gy: "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650")

    /// Whether the affine point (Montgomery form) satisfies y² = x³ - 3x + b.
    func isOnCurve(x: Limbs576, y: Limbs576) -> Bool {
        let f = field
        let x3 = f.multiply(f.square(x), x)
        let threeX = f.add(f.add(x, x), x)
        return f.square(y) == f.add(f.subtract(x3, threeX), b)
    }

    /// 2P (dbl-2001-b, for a = -3).
    func double(_ p: JacobianPoint) -> JacobianPoint {
        if p.isInfinity || p.y.isZero { return .infinity }
        let f = field
        let delta = f.square(p.z)
        let gamma = f.square(p.y)
        let beta = f.multiply(p.x, gamma)
        let t = f.multiply(f.subtract(p.x, delta), f.add(p.x, delta))
        let alpha = f.add(f.add(t, t), t)
        let beta2 = f.add(beta, beta)
        let beta4 = f.add(beta2, beta2)
        let beta8 = f.add(beta4, beta4)
        let x3 = f.subtract(f.square(alpha), beta8)
        let yz = f.add(p.y, p.z)
        let z3 = f.subtract(f.subtract(f.square(yz), gamma), delta)
        let gamma2 = f.square(gamma)
        let g2 = f.add(gamma2, gamma2)
        let g4 = f.add(g2, g2)
        let g8 = f.add(g4, g4)
        let y3 = f.subtract(f.multiply(alpha, f.subtract(beta4, x3)), g8)
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// P + Q (add-2007-bl), with the cases the formula cannot take (either point at infinity,
    /// P = Q, P = -Q) handled explicitly, since verification must be right for every input.
    func add(_ p: JacobianPoint, _ q: JacobianPoint) -> JacobianPoint {
        if p.isInfinity { return q }
        if q.isInfinity { return p }
        let f = field
        // With Z2 = 1 (G and the public key are kept affine), Z2², U1 and S1 cost nothing.
        let affine = q.z == f.one
        let z1z1 = f.square(p.z)
        let z2z2 = affine ? f.one : f.square(q.z)
        let u1 = affine ? p.x : f.multiply(p.x, z2z2)
        let u2 = f.multiply(q.x, z1z1)
        let s1 = affine ? p.y : f.multiply(f.multiply(p.y, q.z), z2z2)
        let s2 = f.multiply(f.multiply(q.y, p.z), z1z1)
        if u1 == u2 {
            return s1 == s2 ? double(p) : .infinity
        }
        let h = f.subtract(u2, u1)
        let h2 = f.add(h, h)
        let i = f.square(h2)
        let j = f.multiply(h, i)
        let sd = f.subtract(s2, s1)
        let r = f.add(sd, sd)
        let v = f.multiply(u1, i)
        let x3 = f.subtract(f.subtract(f.square(r), j), f.add(v, v))
        let s1j = f.multiply(s1, j)
        let y3 = f.subtract(f.multiply(r, f.subtract(v, x3)), f.add(s1j, s1j))
        let z3: Limbs576
        if affine {
            z3 = f.multiply(f.add(p.z, p.z), h)
        } else {
            let zz = f.add(p.z, q.z)
            z3 = f.multiply(f.subtract(f.subtract(f.square(zz), z1z1), z2z2), h)
        }
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// u1·G + u2·Q by Shamir's trick: one pass of doublings over both scalars.
    func linearCombination(u1: Limbs576, u2: Limbs576, q: JacobianPoint) -> JacobianPoint {
        let gq = add(generator, q)
        var result = JacobianPoint.infinity
        for index in stride(from: order.bitCount - 1, through: 0, by: -1) {
            result = double(result)
            switch (u1.bit(index), u2.bit(index)) {
            case (true, true): result = add(result, gq)
            case (true, false): result = add(result, generator)
            case (false, true): result = add(result, q)
            case (false, false): break
            }
        }
        return result
    }
}

/// An ECDSA public key on P-256, P-384 or P-521.
public struct ECDSAPublicKey: Sendable {
    /// The curve.
    public let curve: ECDSACurve
    /// The affine x coordinate, big-endian, `curve.coordinateSize` bytes.
    public let x: [UInt8]
    /// The affine y coordinate, big-endian, `curve.coordinateSize` bytes.
    public let y: [UInt8]
    private let point: JacobianPoint

    /// The key from its affine coordinates (big-endian, leading zeros optional). Refused unless
    /// both are below the field prime and the point is on the curve (SEC 1 §3.2.2.1); the point
    /// at infinity has no such encoding, and the curves have cofactor 1, so that is all.
    public init(curve: ECDSACurve, x: [UInt8], y: [UInt8]) throws(CryptoError) {
        let parameters = curve.parameters
        let field = parameters.field
        guard let xValue = field.element(bigEndian: x), let yValue = field.element(bigEndian: y) else {
            throw .invalidECPoint("a coordinate is not below the \(curve.rawValue) field prime")
        }
        let xm = field.toMontgomery(xValue)
        let ym = field.toMontgomery(yValue)
        guard parameters.isOnCurve(x: xm, y: ym) else { throw .invalidECPoint("the point is not on \(curve.rawValue)") }
        self.curve = curve
        self.x = field.bytes(xValue)
        self.y = field.bytes(yValue)
        point = JacobianPoint(x: xm, y: ym, z: field.one)
    }

    /// The key from the SEC 1 uncompressed encoding `04 ‖ X ‖ Y`, as SubjectPublicKeyInfo holds it.
    public init(curve: ECDSACurve, x963Representation bytes: [UInt8]) throws(CryptoError) {
        let size = curve.coordinateSize
        guard bytes.count == 1 + 2 * size, bytes[0] == 0x04 else {
            if bytes.first == 0x02 || bytes.first == 0x03 {
                throw .invalidECPoint("compressed points are not supported; export the key uncompressed")
            }
            throw .invalidECPoint("expected an uncompressed \(curve.rawValue) point of \(1 + 2 * size) bytes")
        }
        try self.init(curve: curve, x: Array(bytes[1...size]), y: Array(bytes[(1 + size)...]))
    }

    /// Whether `signature` (IEEE P1363 / JOSE form: r ‖ s, each exactly `coordinateSize`
    /// bytes) signs `message` under the curve's JOSE hash.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        isValidSignature(rawRepresentation: signature, digest: curve.hash.hash(message))
    }

    /// Whether the P1363 `signature` (r ‖ s) signs `digest`.
    public func isValidSignature(rawRepresentation signature: [UInt8], digest: [UInt8]) -> Bool {
        let size = curve.coordinateSize
        guard signature.count == 2 * size else { return false }
        return verify(r: signature[..<size], s: signature[size...], digest: digest)
    }

    /// Whether the DER `signature` (`SEQUENCE { INTEGER r, INTEGER s }`, RFC 3279 §2.2.3, in
    /// strict DER) signs `digest`.
    public func isValidSignature(derRepresentation signature: [UInt8], digest: [UInt8]) -> Bool {
        guard let (r, s) = ECDSADER.parse(signature) else { return false }
        return verify(r: r[...], s: s[...], digest: digest)
    }

    private func verify(r rBytes: ArraySlice<UInt8>, s sBytes: ArraySlice<UInt8>, digest: [UInt8]) -> Bool {
        let parameters = curve.parameters
        let order = parameters.order
        // r and s in [1, n-1].
        guard let r = order.element(bigEndian: rBytes), let s = order.element(bigEndian: sBytes),
            !r.isZero, !s.isZero
        else { return false }
        // e: the leftmost bits of the digest, as many as n has (FIPS 186-5 §6.4.2 step 3), then
        // reduced: below 2^bits(n) < 2n, so one subtraction is enough.
        let e = Self.truncatedDigest(digest, bits: order.bitCount, order: order)
        let sInverse = order.inverse(order.toMontgomery(s))
        // (x·R)·(y·R)·R⁻¹ = x·y·R: multiply plain values by Montgomery ones to get plain results.
        let u1 = order.multiply(e, sInverse)
        let u2 = order.multiply(r, sInverse)
        let sum = parameters.linearCombination(u1: u1, u2: u2, q: point)
        guard !sum.isInfinity else { return false }
        // x mod n = r, with x = X/Z² left unreduced: X = r·Z², or X = (r + n)·Z² when r + n is
        // still below p (then x in [n, p) reduces to r). No field inversion is needed, and since
        // r < n < p for these curves, r is a field element as it is.
        let field = parameters.field
        let z2 = field.square(sum.z)
        if field.multiply(field.toMontgomery(r), z2) == sum.x { return true }
        let rPlusN = Limbs576.sum(r, order.modulus)
        guard field.contains(rPlusN) else { return false }
        return field.multiply(field.toMontgomery(rPlusN), z2) == sum.x
    }

    /// The integer of the leftmost `bits` bits of `digest`, reduced modulo the order.
    static func truncatedDigest(_ digest: [UInt8], bits: Int, order: PrimeField) -> Limbs576 {
        var bytes = digest
        if bytes.count * 8 > bits {
            bytes = Array(bytes.prefix((bits + 7) / 8))
            let excess = bytes.count * 8 - bits
            if excess > 0 {
                // Shift the whole big-endian number right by `excess` bits.
                var carry: UInt8 = 0
                for i in 0..<bytes.count {
                    let byte = bytes[i]
                    bytes[i] = byte >> UInt8(excess) | carry
                    carry = byte << UInt8(8 - excess)
                }
            }
        }
        return order.reduceOnce(Limbs576(limbs(bigEndian: bytes, count: Limbs576.limbCapacity)!)!)
    }
}

/// The DER form of an ECDSA signature, read strictly: one definite-length SEQUENCE of two
/// minimal, positive INTEGERs and nothing after it. Anything BER allows beyond that is refused,
/// since accepting several encodings of one signature makes signatures malleable.
enum ECDSADER {
    static func parse(_ der: [UInt8]) -> ([UInt8], [UInt8])? {
        var position = 0
        func length() -> Int? {
            guard position < der.count else { return nil }
            let first = der[position]
            position += 1
            if first < 0x80 { return Int(first) }
            // Signatures of these curves are under 256 bytes: one length byte at most, and only
            // for lengths that need it.
            guard first == 0x81, position < der.count, der[position] >= 0x80 else { return nil }
            position += 1
            return Int(der[position - 1])
        }
        func integer() -> [UInt8]? {
            guard position < der.count, der[position] == 0x02 else { return nil }
            position += 1
            guard let count = length(), count > 0, position + count <= der.count else { return nil }
            let bytes = Array(der[position..<(position + count)])
            position += count
            // Negative numbers and non-minimal leading zeros are not DER.
            if bytes[0] & 0x80 != 0 { return nil }
            if bytes.count > 1 && bytes[0] == 0 && bytes[1] & 0x80 == 0 { return nil }
            return bytes
        }
        guard der.first == 0x30 else { return nil }
        position = 1
        guard let total = length(), position + total == der.count else { return nil }
        guard let r = integer(), let s = integer(), position == der.count else { return nil }
        return (r, s)
    }
}

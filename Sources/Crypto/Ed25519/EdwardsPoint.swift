// The twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19).
//
// Representations (Hisil, Wong, Carter, Dawson, "Twisted Edwards curves revisited", 2008):
//   ExtendedPoint    (X : Y : Z : T) with x = X/Z, y = Y/Z, xy = T/Z
//   ProjectivePoint  (X : Y : Z), enough for doubling
//   CompletedPoint   ((X : Z), (Y : T)), the output of one addition or doubling before the
//                    final multiplications; converting it costs 3 (projective) or 4 (extended)
//   ProjectiveNiels  (Y+X, Y-X, Z, 2dT), an addend prepared for repeated use
//   AffineNiels      (y+x, y-x, 2dxy), the same with Z = 1, for precomputed tables
// The addition law with a = -1 is complete on this curve (d is not a square), so the identity and
// doublings need no special cases, which is also what lets signing avoid branches.

struct ExtendedPoint: Sendable {
    var X: FieldElement
    var Y: FieldElement
    var Z: FieldElement
    var T: FieldElement

    static let identity = ExtendedPoint(X: .zero, Y: .one, Z: .one, T: .zero)

    /// Decodes a point as RFC 8032 §5.1.3 says, refusing a y that is not below p and an x of
    /// zero with the sign bit set, so every accepted point has exactly one encoding.
    static func decode(_ encoded: some Collection<UInt8>) -> ExtendedPoint? {
        var bytes = Array(encoded)
        guard bytes.count == 32 else { return nil }
        let sign = bytes[31] >> 7
        bytes[31] &= 0x7f
        let y = FieldElement(bytes: bytes)
        guard y.bytes == bytes else { return nil }
        let yy = y.squared()
        let u = yy - .one
        let v = yy * Curve25519Constants.d + .one
        let v3 = v.squared() * v
        let v7 = v3.squared() * v
        var x = u * v3 * (u * v7).pow22523()
        let vxx = v * x.squared()
        if FieldElement.equalValues(vxx, u) {
            // x is a square root of u/v.
        } else if FieldElement.equalValues(vxx, -u) {
            x = x * Curve25519Constants.sqrtMinusOne
        } else {
            return nil
        }
        x = x.reduced()
        if x.isZero && sign == 1 { return nil }
        if (x.l0 & 1) != UInt64(sign) { x = -x }
        return ExtendedPoint(X: x, Y: y, Z: .one, T: x * y)
    }

    /// The 32-byte encoding: y with the sign of x in the top bit.
    func encoded() -> [UInt8] {
        ProjectivePoint(X: X, Y: Y, Z: Z).encoded()
    }

    @inline(__always)
    var projective: ProjectivePoint { ProjectivePoint(X: X, Y: Y, Z: Z) }

    @inline(__always)
    var projectiveNiels: ProjectiveNielsPoint {
        ProjectiveNielsPoint(yPlusX: Y + X, yMinusX: Y - X, Z: Z, T2d: T * Curve25519Constants.d2)
    }

    /// The affine form for a precomputed table (one inversion).
    var affineNiels: AffineNielsPoint {
        let zInverse = Z.inverted()
        let x = X * zInverse
        let y = Y * zInverse
        return AffineNielsPoint(
            yPlusX: (y + x).carried(), yMinusX: y - x, xy2d: x * y * Curve25519Constants.d2
        )
    }

    var negated: ExtendedPoint { ExtendedPoint(X: -X, Y: Y, Z: Z, T: -T) }

    @inline(__always)
    func doubled() -> CompletedPoint { projective.doubled() }

    @inline(__always)
    static func + (p: ExtendedPoint, q: ProjectiveNielsPoint) -> CompletedPoint {
        let a = (p.Y + p.X) * q.yPlusX
        let b = (p.Y - p.X) * q.yMinusX
        let c = q.T2d * p.T
        let d = p.Z * q.Z
        let d2 = d + d
        return CompletedPoint(X: a - b, Y: a + b, Z: d2 + c, T: d2 - c)
    }

    @inline(__always)
    static func - (p: ExtendedPoint, q: ProjectiveNielsPoint) -> CompletedPoint {
        let a = (p.Y + p.X) * q.yMinusX
        let b = (p.Y - p.X) * q.yPlusX
        let c = q.T2d * p.T
        let d = p.Z * q.Z
        let d2 = d + d
        return CompletedPoint(X: a - b, Y: a + b, Z: d2 - c, T: d2 + c)
    }

    @inline(__always)
    static func + (p: ExtendedPoint, q: AffineNielsPoint) -> CompletedPoint {
        let a = (p.Y + p.X) * q.yPlusX
        let b = (p.Y - p.X) * q.yMinusX
        let c = q.xy2d * p.T
        let d2 = p.Z + p.Z
        return CompletedPoint(X: a - b, Y: a + b, Z: d2 + c, T: d2 - c)
    }

    @inline(__always)
    static func - (p: ExtendedPoint, q: AffineNielsPoint) -> CompletedPoint {
        let a = (p.Y + p.X) * q.yMinusX
        let b = (p.Y - p.X) * q.yPlusX
        let c = q.xy2d * p.T
        let d2 = p.Z + p.Z
        return CompletedPoint(X: a - b, Y: a + b, Z: d2 - c, T: d2 + c)
    }

    static func + (p: ExtendedPoint, q: ExtendedPoint) -> ExtendedPoint {
        (p + q.projectiveNiels).extended
    }
}

struct ProjectivePoint: Sendable {
    var X: FieldElement
    var Y: FieldElement
    var Z: FieldElement

    static let identity = ProjectivePoint(X: .zero, Y: .one, Z: .one)

    @inline(__always)
    func doubled() -> CompletedPoint {
        let xx = X.squared()
        let yy = Y.squared()
        let zz = Z.squared()
        let b = zz + zz
        let aa = (X + Y).squared()
        let ySum = yy + xx
        let zDiff = yy - xx
        return CompletedPoint(X: aa - ySum, Y: ySum, Z: zDiff, T: b - zDiff)
    }

    func encoded() -> [UInt8] {
        let zInverse = Z.inverted()
        let x = X * zInverse
        let y = Y * zInverse
        var bytes = y.bytes
        bytes[31] ^= x.isNegative ? 0x80 : 0
        return bytes
    }
}

struct CompletedPoint: Sendable {
    var X: FieldElement
    var Y: FieldElement
    var Z: FieldElement
    var T: FieldElement

    @inline(__always)
    var projective: ProjectivePoint {
        ProjectivePoint(X: X * T, Y: Y * Z, Z: Z * T)
    }

    @inline(__always)
    var extended: ExtendedPoint {
        ExtendedPoint(X: X * T, Y: Y * Z, Z: Z * T, T: X * Y)
    }
}

struct ProjectiveNielsPoint: Sendable {
    var yPlusX: FieldElement
    var yMinusX: FieldElement
    var Z: FieldElement
    var T2d: FieldElement
}

struct AffineNielsPoint: Sendable {
    var yPlusX: FieldElement
    var yMinusX: FieldElement
    var xy2d: FieldElement

    static let identity = AffineNielsPoint(yPlusX: .one, yMinusX: .one, xy2d: .zero)

    @inline(__always)
    mutating func conditionalAssign(_ other: AffineNielsPoint, _ choice: UInt64) {
        yPlusX.conditionalAssign(other.yPlusX, choice)
        yMinusX.conditionalAssign(other.yMinusX, choice)
        xy2d.conditionalAssign(other.xy2d, choice)
    }

    /// Negates the point when `choice` is 1: -(x, y) = (-x, y) swaps y+x with y-x and negates 2dxy.
    @inline(__always)
    mutating func conditionalNegate(_ choice: UInt64) {
        let negated = AffineNielsPoint(yPlusX: yMinusX, yMinusX: yPlusX, xy2d: -xy2d)
        conditionalAssign(negated, choice)
    }
}

// MARK: - Scalar multiplication

enum EdwardsBasepoint {
    /// B, decoded from its RFC 8032 encoding (y = 4/5, x even).
    static let point: ExtendedPoint = {
        var encoding = [UInt8](repeating: 0x66, count: 32)
        encoding[0] = 0x58
        return ExtendedPoint.decode(encoding)!
    }()

    /// table[8 * i + j] = (j + 1) * 256^i * B for i in 0..<32, j in 0..<8: signed radix-16
    /// digits of a scalar pick one entry per pair of digits.
    static let radix16Table: [AffineNielsPoint] = {
        var table: [AffineNielsPoint] = []
        table.reserveCapacity(256)
        var base = point
        for _ in 0..<32 {
            var multiple = base
            for _ in 0..<8 {
                table.append(multiple.affineNiels)
                multiple = multiple + base
            }
            var p = base.projective
            for _ in 0..<7 { p = p.doubled().projective }
            base = p.doubled().extended
        }
        return table
    }()

    /// Odd multiples B, 3B, ..., 127B for the width-8 NAF in verification.
    static let oddMultiples: [AffineNielsPoint] = {
        var table: [AffineNielsPoint] = []
        let twice = point.doubled().extended
        var multiple = point
        for _ in 0..<64 {
            table.append(multiple.affineNiels)
            multiple = multiple + twice
        }
        return table
    }()
}

@inline(__always)
private func equalMask(_ a: UInt64, _ b: UInt64) -> UInt64 {
    // 1 when a == b, else 0, without a branch.
    let x = a ^ b
    return ((x | (0 &- x)) >> 63) ^ 1
}

/// scalar * B in constant time, for a 32-byte little-endian scalar below 2^255.
///
/// The scalar is recoded into 64 signed radix-16 digits in [-8, 8]. Each digit's table entry is
/// found by reading all eight candidates and keeping the matching one with a mask, and a negative
/// digit is applied by a masked negation, so neither memory access nor control flow depends on
/// the scalar.
func scalarMultiplyBase(_ scalar: [UInt8]) -> ExtendedPoint {
    precondition(scalar.count == 32 && scalar[31] <= 127)
    var digits = [Int8](repeating: 0, count: 64)
    for i in 0..<32 {
        digits[2 * i] = Int8(scalar[i] & 15)
        digits[2 * i + 1] = Int8(scalar[i] >> 4)
    }
    var carry: Int8 = 0
    for i in 0..<63 {
        digits[i] &+= carry
        carry = (digits[i] &+ 8) >> 4
        digits[i] &-= carry << 4
    }
    digits[63] &+= carry

    let table = EdwardsBasepoint.radix16Table
    return table.withUnsafeBufferPointer { table in
        @inline(__always)
        func select(_ row: Int, _ digit: Int8) -> AffineNielsPoint {
            let signMask = digit >> 7  // 0 or -1
            let negative = UInt64(signMask & 1)
            let magnitude = UInt64(UInt8(bitPattern: (digit ^ signMask) &- signMask))
            var chosen = AffineNielsPoint.identity
            for j in 0..<8 {
                chosen.conditionalAssign(table[row * 8 + j], equalMask(magnitude, UInt64(j + 1)))
            }
            chosen.conditionalNegate(negative)
            return chosen
        }

        var h = ExtendedPoint.identity
        for i in stride(from: 1, to: 64, by: 2) {
            h = (h + select(i / 2, digits[i])).extended
        }
        var p = h.projective
        p = p.doubled().projective
        p = p.doubled().projective
        p = p.doubled().projective
        h = p.doubled().extended
        for i in stride(from: 0, to: 64, by: 2) {
            h = (h + select(i / 2, digits[i])).extended
        }
        return h
    }
}

/// Width-w non-adjacent form of a 256-bit little-endian scalar: 256 digits, each zero or odd
/// with magnitude below 2^(w-1), no two non-zero digits closer than w. Variable time.
func nonAdjacentForm(_ scalar: [UInt8], width w: Int) -> [Int8] {
    var words = Scalar25519.words(scalar, count: 5)
    words[4] = 0
    let windowSize: UInt64 = 1 << UInt64(w)
    let windowMask = windowSize - 1
    var naf = [Int8](repeating: 0, count: 256)
    var position = 0
    var carry: UInt64 = 0
    while position < 256 {
        let index = position / 64
        let bit = UInt64(position % 64)
        var buffer = words[index] >> bit
        if bit != 0 { buffer |= words[index + 1] << (64 - bit) }
        let window = carry + (buffer & windowMask)
        if window & 1 == 0 {
            position += 1
            continue
        }
        if window < windowSize / 2 {
            carry = 0
            naf[position] = Int8(window)
        } else {
            carry = 1
            naf[position] = Int8(Int(window) - Int(windowSize))
        }
        position += w
    }
    return naf
}

/// a * A + b * B in variable time (verification only: all inputs are public).
func doubleScalarMultiplyVartime(_ a: [UInt8], _ A: ExtendedPoint, _ b: [UInt8]) -> ProjectivePoint {
    let aDigits = nonAdjacentForm(a, width: 5)
    let bDigits = nonAdjacentForm(b, width: 8)

    // A, 3A, ..., 15A.
    var aTable: [ProjectiveNielsPoint] = []
    aTable.reserveCapacity(8)
    let twiceA = A.doubled().extended
    var multiple = A
    for _ in 0..<8 {
        aTable.append(multiple.projectiveNiels)
        multiple = (multiple + twiceA.projectiveNiels).extended
    }
    let bTable = EdwardsBasepoint.oddMultiples

    var top = 255
    while top >= 0 && aDigits[top] == 0 && bDigits[top] == 0 { top -= 1 }
    var r = ProjectivePoint.identity
    var i = top
    while i >= 0 {
        var t = r.doubled()
        let da = aDigits[i], db = bDigits[i]
        if da > 0 {
            t = t.extended + aTable[Int(da) / 2]
        } else if da < 0 {
            t = t.extended - aTable[Int(-da) / 2]
        }
        if db > 0 {
            t = t.extended + bTable[Int(db) / 2]
        } else if db < 0 {
            t = t.extended - bTable[Int(-db) / 2]
        }
        r = t.projective
        i -= 1
    }
    return r
}

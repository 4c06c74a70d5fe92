// RSA signature verification (RFC 8017): RSASSA-PKCS1-v1_5 (§8.2.2) and RSASSA-PSS (§8.1.2)
// with MGF1, for moduli of 2048 to 4096 bits. Verify only.

/// The hashes signatures are made over, chosen at run time from a token's `alg`.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"

    /// Digest size in bytes.
    public var digestSize: Int {
        switch self {
        case .sha256: return SHA256.digestSize
        case .sha384: return SHA384.digestSize
        case .sha512: return SHA512.digestSize
        }
    }

    /// The digest of `bytes`.
    public func hash(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: return SHA256.hash(bytes)
        case .sha384: return SHA384.hash(bytes)
        case .sha512: return SHA512.hash(bytes)
        }
    }

    /// DER of the `DigestInfo` that precedes the digest in a PKCS #1 v1.5 signature (RFC 8017
    /// §9.2 note 1): the algorithm OID with NULL parameters, then the octet-string header.
    var digestInfoPrefix: [UInt8] {
        let oidLast: UInt8
        switch self {
        case .sha256: oidLast = 0x01
        case .sha384: oidLast = 0x02
        case .sha512: oidLast = 0x03
        }
        let size = UInt8(digestSize)
        return [0x30, 0x11 + size, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, oidLast,
                0x05, 0x00, 0x04, size]
    }

    /// MGF1 (RFC 8017 §B.2.1): `length` bytes from `seed`.
    func mgf1(seed: [UInt8], length: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length + digestSize)
        var counter: UInt32 = 0
        while out.count < length {
            let c = [UInt8(counter >> 24), UInt8(truncatingIfNeeded: counter >> 16),
                     UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter)]
            out += hash(seed + c)
            counter += 1
        }
        return Array(out.prefix(length))
    }
}

/// An RSA public key (n, e).
public struct RSAPublicKey: Sendable {
    /// Smallest modulus accepted, in bits.
    public static let minimumBits = 2048
    /// Largest modulus accepted, in bits.
    public static let maximumBits = 4096

    /// The modulus, big-endian without leading zeros.
    public let modulus: [UInt8]
    /// The public exponent, big-endian without leading zeros.
    public let exponent: [UInt8]
    /// Bits in the modulus.
    public let bitCount: Int
    private let arithmetic: MontgomeryModulus

    /// The key from its modulus and exponent (big-endian; leading zeros are dropped). The
    /// modulus must be odd and of 2048 to 4096 bits; the exponent odd, at least 3 and below it.
    public init(modulus n: [UInt8], exponent e: [UInt8]) throws(CryptoError) {
        let n = Array(n.drop(while: { $0 == 0 }))
        let e = Array(e.drop(while: { $0 == 0 }))
        let limbCount = (n.count + 7) / 8
        guard let nLimbs = limbs(bigEndian: n, count: max(limbCount, 1)) else { throw .invalidRSAKey("unreadable modulus") }
        let bits = bitLength(nLimbs)
        guard bits >= Self.minimumBits, bits <= Self.maximumBits else {
            throw .invalidRSAKey("the modulus has \(bits) bits; \(Self.minimumBits) to \(Self.maximumBits) are supported")
        }
        guard let arithmetic = MontgomeryModulus(nLimbs) else { throw .invalidRSAKey("the modulus is even") }
        guard let last = e.last, last & 1 == 1, e.count > 1 || e[0] >= 3 else {
            throw .invalidRSAKey("the public exponent must be odd and at least 3")
        }
        guard let eLimbs = limbs(bigEndian: e, count: nLimbs.count), isLess(eLimbs, nLimbs) else {
            throw .invalidRSAKey("the public exponent must be below the modulus")
        }
        modulus = n
        exponent = e
        bitCount = bits
        self.arithmetic = arithmetic
    }

    /// Bytes in a signature: the modulus length.
    public var signatureSize: Int { (bitCount + 7) / 8 }

    /// `s^e mod n` as `size` big-endian bytes (RSAVP1 and I2OSP), or nil when the signature is
    /// not `k` bytes, is not below the modulus, or the result does not fit in `size` bytes.
    private func publicOperation(_ signature: [UInt8], size: Int) -> [UInt8]? {
        guard signature.count == signatureSize,
            let s = limbs(bigEndian: signature, count: arithmetic.count), isLess(s, arithmetic.modulus)
        else { return nil }
        let m = arithmetic.power(s, exponent: exponent)
        return bigEndianBytes(m, count: size)
    }

    /// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) of a signature over `digest`. The
    /// expected encoding is built and compared whole (§8.2.2 step 4), so no parser of the
    /// decrypted block can be fooled by what it skips.
    public func isValidPKCS1v15Signature(_ signature: [UInt8], digest: [UInt8], hash: DigestAlgorithm) -> Bool {
        guard digest.count == hash.digestSize else { return false }
        let k = signatureSize
        let t = hash.digestInfoPrefix + digest
        guard k >= t.count + 11, let em = publicOperation(signature, size: k) else { return false }
        let expected = [0x00, 0x01] + [UInt8](repeating: 0xff, count: k - t.count - 3) + [0x00] + t
        return em == expected
    }

    /// RSASSA-PSS verification (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2) of a signature over
    /// `digest`, with MGF1 over the same hash and a salt of `saltLength` bytes.
    public func isValidPSSSignature(_ signature: [UInt8], digest: [UInt8], hash: DigestAlgorithm, saltLength: Int) -> Bool {
        let hLen = hash.digestSize
        guard digest.count == hLen, saltLength >= 0 else { return false }
        let emBits = bitCount - 1
        let emLen = (emBits + 7) / 8
        // When emBits is a multiple of 8 the encoded message is one byte shorter than the
        // modulus, and the leading byte of s^e must be zero: I2OSP to emLen bytes checks that.
        guard let em = publicOperation(signature, size: emLen) else { return false }
        guard emLen >= hLen + saltLength + 2, em[emLen - 1] == 0xbc else { return false }
        let maskedDB = Array(em[0..<(emLen - hLen - 1)])
        let h = Array(em[(emLen - hLen - 1)..<(emLen - 1)])
        let unusedBits = 8 * emLen - emBits
        let topMask: UInt8 = unusedBits == 0 ? 0 : ~(0xff >> UInt8(unusedBits))
        guard maskedDB[0] & topMask == 0 else { return false }
        let dbMask = hash.mgf1(seed: h, length: maskedDB.count)
        var db = zip(maskedDB, dbMask).map { $0 ^ $1 }
        db[0] &= ~topMask
        let padding = emLen - hLen - saltLength - 2
        guard db[0..<padding].allSatisfy({ $0 == 0 }), db[padding] == 0x01 else { return false }
        let salt = Array(db[(padding + 1)...])
        let mPrime = [UInt8](repeating: 0, count: 8) + digest + salt
        return hash.hash(mPrime) == h
    }
}

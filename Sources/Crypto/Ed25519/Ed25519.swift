/// Ed25519 signatures (RFC 8032 §5.1): PureEdDSA over edwards25519 with SHA-512.
public enum Ed25519 {
    /// Size of a seed (the private key as RFC 8032 and PKCS#8 store it).
    public static let seedSize = 32
    /// Size of an encoded public key.
    public static let publicKeySize = 32
    /// Size of a signature.
    public static let signatureSize = 64

    /// A signing key, derived from a 32-byte seed.
    public struct PrivateKey: Sendable {
        /// The seed this key was derived from.
        public let seed: [UInt8]
        /// The matching public key.
        public let publicKey: PublicKey
        private let scalar: [UInt8]
        private let prefix: [UInt8]

        /// Derives the key pair from a 32-byte seed (RFC 8032 §5.1.5).
        public init(seed: [UInt8]) throws(CryptoError) {
            guard seed.count == Ed25519.seedSize else {
                throw .invalidLength(what: "an Ed25519 seed", expected: Ed25519.seedSize, actual: seed.count)
            }
            let h = SHA512.hash(seed)
            var a = Array(h[0..<32])
            a[0] &= 248
            a[31] &= 127
            a[31] |= 64
            self.seed = seed
            self.scalar = a
            self.prefix = Array(h[32..<64])
            let encoded = scalarMultiplyBase(a).encoded()
            self.publicKey = PublicKey(trustedEncoding: encoded, point: nil)
        }

        /// A fresh key from the operating system's random source.
        public static func generate() throws(CryptoError) -> PrivateKey {
            try PrivateKey(seed: SecureRandom.bytes(Ed25519.seedSize))
        }

        /// The 64-byte signature of `message` (RFC 8032 §5.1.6). Deterministic: the same key and
        /// message always give the same signature.
        public func signature<Message: Sequence>(for message: Message) -> [UInt8] where Message.Element == UInt8 {
            let bytes = Array(message)
            var nonceHash = SHA512()
            nonceHash.update(prefix)
            nonceHash.update(bytes)
            let r = Scalar25519.reduce(nonceHash.finalize())
            let R = scalarMultiplyBase(r).encoded()
            var challengeHash = SHA512()
            challengeHash.update(R)
            challengeHash.update(publicKey.rawRepresentation)
            challengeHash.update(bytes)
            let k = Scalar25519.reduce(challengeHash.finalize())
            let S = Scalar25519.multiplyAdd(k, scalar, r)
            return R + S
        }
    }

    /// A verification key.
    public struct PublicKey: Sendable, Equatable {
        /// The 32-byte encoding.
        public let rawRepresentation: [UInt8]
        // -A, decoded once; nil only for keys derived locally until first use would need it.
        private let negatedPoint: ExtendedPoint?

        /// Accepts a 32-byte encoding of a curve point. Non-canonical encodings (y not below p,
        /// or x = 0 with the sign bit set) and strings that are not points are refused.
        public init(rawRepresentation: [UInt8]) throws(CryptoError) {
            guard rawRepresentation.count == Ed25519.publicKeySize else {
                throw .invalidLength(what: "an Ed25519 public key", expected: Ed25519.publicKeySize, actual: rawRepresentation.count)
            }
            guard let point = ExtendedPoint.decode(rawRepresentation) else { throw .invalidPublicKey }
            self.rawRepresentation = rawRepresentation
            self.negatedPoint = point.negated
        }

        init(trustedEncoding: [UInt8], point: ExtendedPoint?) {
            rawRepresentation = trustedEncoding
            negatedPoint = point?.negated
        }

        public static func == (a: PublicKey, b: PublicKey) -> Bool {
            a.rawRepresentation == b.rawRepresentation
        }

        /// Whether `signature` is a valid signature of `message` by this key (RFC 8032 §5.1.7).
        ///
        /// Strict: the signature must be 64 bytes, S must be below the group order L, and R must
        /// be the canonical encoding of [S]B - [k]A. The check is the cofactorless equation, so a
        /// signature either verifies here and in every other strict verifier or nowhere.
        public func isValidSignature<Message: Sequence>(
            _ signature: [UInt8], for message: Message
        ) -> Bool where Message.Element == UInt8 {
            guard signature.count == Ed25519.signatureSize else { return false }
            let R = Array(signature[0..<32])
            let S = Array(signature[32..<64])
            guard Scalar25519.isCanonical(S) else { return false }
            guard let minusA = negatedPoint ?? ExtendedPoint.decode(rawRepresentation)?.negated else { return false }
            var challengeHash = SHA512()
            challengeHash.update(R)
            challengeHash.update(rawRepresentation)
            challengeHash.update(message)
            let k = Scalar25519.reduce(challengeHash.finalize())
            let check = doubleScalarMultiplyVartime(k, minusA, S)
            return check.encoded() == R
        }
    }
}

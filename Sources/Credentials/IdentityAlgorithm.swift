import Crypto

/// The JWS algorithms an identity token may be signed with: exactly the nine the SPIFFE
/// JWT-SVID specification (§2.1) allows, RFC 7518 §3.3–3.5. `none`, the HMAC family and every
/// other name are refused before any key is looked at.
public enum IdentityAlgorithm: String, Sendable, CaseIterable {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"

    /// The hash the algorithm signs.
    public var hash: DigestAlgorithm {
        switch self {
        case .rs256, .ps256, .es256: return .sha256
        case .rs384, .ps384, .es384: return .sha384
        case .rs512, .ps512, .es512: return .sha512
        }
    }

    /// The header's `alg`, or the failure that names why it is not accepted.
    static func parse(_ alg: String) throws(TokenFailure) -> IdentityAlgorithm {
        if alg.lowercased() == "none" { throw .algNone }
        if let known = IdentityAlgorithm(rawValue: alg) { return known }
        if alg.hasPrefix("HS") {
            // A public key used as an HMAC secret would let anyone who has the key forge tokens.
            throw .algUnsupported(alg: alg, reason: "HMAC algorithms are never accepted for identity tokens")
        }
        throw .algUnsupported(alg: alg, reason: "identity tokens must use one of " + allCases.map(\.rawValue).joined(separator: ", "))
    }

    /// Whether `key` may verify this algorithm: RS and PS need an RSA key; ES256, ES384 and
    /// ES512 need P-256, P-384 and P-521 keys (RFC 7518 §3.4).
    public func allows(_ key: IdentityPublicKey) -> Bool {
        switch (self, key) {
        case (.rs256, .rsa), (.rs384, .rsa), (.rs512, .rsa), (.ps256, .rsa), (.ps384, .rsa), (.ps512, .rsa):
            return true
        case (.es256, .ec(let ec)): return ec.curve == .p256
        case (.es384, .ec(let ec)): return ec.curve == .p384
        case (.es512, .ec(let ec)): return ec.curve == .p521
        default: return false
        }
    }

    /// Whether `signature` over `signingInput` verifies under `key` (which `allows` must accept).
    /// PSS uses MGF1 over the same hash and a salt as long as the hash (RFC 7518 §3.5); ECDSA
    /// signatures are the JOSE R ‖ S form (§3.4).
    public func verify(signature: [UInt8], signingInput: [UInt8], key: IdentityPublicKey) -> Bool {
        guard allows(key) else { return false }
        let digest = hash.hash(signingInput)
        switch (self, key) {
        case (.rs256, .rsa(let rsa)), (.rs384, .rsa(let rsa)), (.rs512, .rsa(let rsa)):
            return rsa.isValidPKCS1v15Signature(signature, digest: digest, hash: hash)
        case (.ps256, .rsa(let rsa)), (.ps384, .rsa(let rsa)), (.ps512, .rsa(let rsa)):
            return rsa.isValidPSSSignature(signature, digest: digest, hash: hash, saltLength: hash.digestSize)
        case (_, .ec(let ec)):
            return ec.isValidSignature(rawRepresentation: signature, digest: digest)
        default:
            return false
        }
    }
}

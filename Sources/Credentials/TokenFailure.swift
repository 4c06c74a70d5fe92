/// Why a token was not accepted. Each case is a verdict about the token (exit 1 in the CLI), never
/// a fault of the tool; `code` is a stable identifier for machine-readable output.
public enum TokenFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The token is longer than the verifier accepts.
    case tooLarge(bytes: Int, limit: Int)
    /// Not three base64url segments of JSON, or JSON nested too deeply.
    case malformed(String)
    /// The header asks for no signature at all.
    case algNone
    /// The header names an algorithm the key cannot be used with.
    case algRefused(alg: String)
    /// The header carries something the verifier must understand but does not (`crit`, `b64`).
    case unsupportedHeader(String)
    /// No key for the token's `kid`.
    case unknownKey(kid: String?)
    /// The signature does not verify under the key.
    case badSignature
    /// `exp` has passed, by this many seconds.
    case expired(secondsAgo: Int64)
    /// `nbf` is still ahead, by this many seconds.
    case notYetValid(secondsUntil: Int64)
    /// `iat` is in the future beyond the leeway, by this many seconds.
    case issuedInFuture(seconds: Int64)
    /// `aud` does not name the expected audience.
    case audienceMismatch(expected: String, found: [String])
    /// `iss` is not the expected issuer.
    case issuerMismatch(expected: String, found: String)
    /// The token's `jti` is in the revocation list.
    case revoked(jti: String)
    /// A required claim is absent.
    case missingClaim(String)
    /// A claim has the wrong type or an unusable value.
    case invalidClaim(name: String, reason: String)
    /// An identity token's `alg` is not one of the nine accepted (HMAC and unknown names).
    case algUnsupported(alg: String, reason: String)
    /// An identity token's `alg` needs another type of key than the one its `kid` names.
    case algKeyMismatch(alg: String, key: String)
    /// A JWT-SVID's `sub` is in another trust domain than the trust bundle's.
    case trustDomainMismatch(expected: String, found: String)
    /// No principal mapping of the trust file covers the OIDC token's subject.
    case unmappedSubject(issuer: String, subject: String)
    /// The authenticated identity is not the step's principal.
    case principalMismatch(identity: String, principal: String)
    /// The credential authorizes another action, resource, step, plan or argument set than the
    /// call in hand (`field` is `action`, `resource`, `step`, `plan` or `args`).
    case callMismatch(field: String, expected: String, found: String)

    /// A stable snake_case identifier of the failure.
    public var code: String {
        switch self {
        case .tooLarge: return "too_large"
        case .malformed: return "malformed"
        case .algNone: return "alg_none"
        case .algRefused: return "alg_refused"
        case .unsupportedHeader: return "unsupported_header"
        case .unknownKey: return "unknown_key"
        case .badSignature: return "bad_signature"
        case .expired: return "expired"
        case .notYetValid: return "not_yet_valid"
        case .issuedInFuture: return "issued_in_future"
        case .audienceMismatch: return "audience_mismatch"
        case .issuerMismatch: return "issuer_mismatch"
        case .revoked: return "revoked"
        case .missingClaim: return "missing_claim"
        case .invalidClaim: return "invalid_claim"
        case .algUnsupported: return "alg_unsupported"
        case .algKeyMismatch: return "alg_key_mismatch"
        case .trustDomainMismatch: return "trust_domain_mismatch"
        case .unmappedSubject: return "unmapped_subject"
        case .principalMismatch: return "principal_mismatch"
        case .callMismatch(let field, _, _): return "\(field)_mismatch"
        }
    }

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            return "token refused: \(bytes) bytes is more than the \(limit)-byte limit"
        case .malformed(let detail):
            return "malformed token: \(detail)"
        case .algNone:
            return "alg none refused: unsigned tokens are never accepted"
        case .algRefused(let alg):
            return "alg \"\(alg)\" refused: the key is Ed25519, so only \"EdDSA\" is accepted"
        case .unsupportedHeader(let detail):
            return "unsupported header: \(detail)"
        case .unknownKey(let kid):
            if let kid { return "unknown key: no given key matches kid \"\(kid)\"; pass the issuer's public key or JWKS" }
            return "unknown key: the token has no kid and the key set has several keys"
        case .badSignature:
            return "bad signature: the token was not signed by this key or was modified"
        case .expired(let secondsAgo):
            return "expired \(secondsAgo)s ago"
        case .notYetValid(let secondsUntil):
            return "not yet valid: usable in \(secondsUntil)s"
        case .issuedInFuture(let seconds):
            return "issued \(seconds)s in the future; check the issuer's clock"
        case .audienceMismatch(let expected, let found):
            let list = found.map { "\"\($0)\"" }.joined(separator: ", ")
            return "audience mismatch: expected \"\(expected)\", token is for \(list.isEmpty ? "no audience" : list)"
        case .issuerMismatch(let expected, let found):
            return "issuer mismatch: expected \"\(expected)\", token is from \"\(found)\""
        case .revoked(let jti):
            return "revoked: jti \"\(jti)\" is in the revocation list"
        case .missingClaim(let name):
            return "missing claim \"\(name)\""
        case .invalidClaim(let name, let reason):
            return "invalid claim \"\(name)\": \(reason)"
        case .algUnsupported(let alg, let reason):
            return "alg \"\(alg)\" refused: \(reason)"
        case .algKeyMismatch(let alg, let key):
            return "alg \"\(alg)\" refused: the token's key is \(key), which \(alg) cannot use"
        case .trustDomainMismatch(let expected, let found):
            return "trust domain mismatch: the trust bundle is for \"\(expected)\", the token's subject is in \"\(found)\""
        case .unmappedSubject(let issuer, let subject):
            return "subject \"\(subject)\" of issuer \"\(issuer)\" maps to no principal; add it to \"principals\" in the trust file"
        case .principalMismatch(let identity, let principal):
            return "the authenticated identity \(identity) is not the step's principal \(principal)"
        case .callMismatch(let field, let expected, let found):
            return "\(field) mismatch: the call is \"\(expected)\", the credential is for \"\(found)\""
        }
    }
}

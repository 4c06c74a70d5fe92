import Crypto
import JSONValue

/// Limits the verifier applies before trusting anything in a token.
public enum TokenLimits {
    /// Tokens longer than this are refused unread (64 KiB).
    public static let maxTokenBytes = 65536
    /// Deepest JSON nesting accepted in a header or claims set.
    public static let maxJSONDepth = 16
    /// The largest clock leeway a verifier may be configured with, in seconds.
    public static let maxLeeway: Int64 = 300
}

/// A token split into header and claims, not verified. `token inspect` shows this.
public struct DecodedToken: Sendable {
    /// The protected header.
    public let header: JSONObject
    /// The claims set.
    public let claims: JSONObject
    /// The signature bytes.
    public let signature: [UInt8]
    let signingInput: [UInt8]

    /// Decodes a compact JWT without checking its signature or claims.
    public static func decode(_ token: String, maxBytes: Int = TokenLimits.maxTokenBytes) throws(TokenFailure) -> DecodedToken {
        let parts = try JWS.split(token, maxBytes: maxBytes)
        let header = try parseHeader(parts.header)
        let claims: JSONValue
        do {
            claims = try JSONParser.parse(parts.payload, maxDepth: TokenLimits.maxJSONDepth)
        } catch {
            throw .malformed("the claims are not valid JSON: \(error.message)")
        }
        guard let object = claims.objectValue else { throw .malformed("the claims must be a JSON object") }
        return DecodedToken(header: header, claims: object, signature: parts.signature, signingInput: parts.signingInput)
    }

    static func parseHeader(_ bytes: [UInt8]) throws(TokenFailure) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: TokenLimits.maxJSONDepth)
        } catch {
            throw .malformed("the header is not valid JSON: \(error.message)")
        }
        guard let object = value.objectValue else { throw .malformed("the header must be a JSON object") }
        return object
    }

    /// The header's `kid`, if it has one.
    static func kid(_ header: JSONObject) throws(TokenFailure) -> String? {
        guard let value = header["kid"] else { return nil }
        guard let kid = value.stringValue else { throw .malformed("\"kid\" must be a string") }
        return kid
    }

    /// The header must ask for EdDSA, the only algorithm an Ed25519 key can verify. `none` and
    /// every other name (HS256 with the public key as an HMAC secret is the classic attack) are
    /// refused before any signature is looked at.
    static func checkAlgorithm(_ header: JSONObject) throws(TokenFailure) {
        guard let algValue = header["alg"] else { throw .malformed("the header has no \"alg\"") }
        guard let alg = algValue.stringValue else { throw .malformed("\"alg\" must be a string") }
        if alg.lowercased() == "none" { throw .algNone }
        guard alg == "EdDSA" else { throw .algRefused(alg: alg) }
        if header["crit"] != nil { throw .unsupportedHeader("\"crit\" lists extensions this verifier does not implement") }
        if header["b64"] != nil { throw .unsupportedHeader("unencoded payloads (\"b64\") are not accepted") }
        for name in ["jwk", "jku", "x5u", "x5c"] where header[name] != nil {
            // A key embedded in or linked from the token proves nothing; only the configured key counts.
            throw .unsupportedHeader("\"\(name)\" is not accepted; the verifying key comes from --key or --jwks")
        }
    }
}

/// A token whose signature and claims checked out.
public struct VerifiedToken: Sendable {
    /// The protected header.
    public let header: JSONObject
    /// The full claims set.
    public let claims: JSONObject
    public let issuer: String
    public let subject: String
    public let audience: [String]
    public let issuedAt: Int64
    public let notBefore: Int64
    public let expiresAt: Int64
    public let jti: String
    /// The step the token authorizes.
    public let authorization: StepAuthorization
    /// Whether the audience was checked (it is not when the verifier was given none).
    public let audienceChecked: Bool
}

/// Verifies stepguard credentials: structure, `alg`, signature, time, audience, revocation.
public struct TokenVerifier: Sendable {
    enum Keys: Sendable {
        case single(VerificationKey)
        case set(JWKS)
    }

    let keys: Keys
    /// The audience a token must name; nil skips the check.
    public let audience: String?
    /// The issuer a token must come from; nil skips the check.
    public let issuer: String?
    /// Clock leeway in seconds for `exp`, `nbf` and `iat`.
    public let leeway: Int64
    /// Revoked `jti` values.
    public let revoked: Set<String>

    /// A verifier for one key.
    public init(key: VerificationKey, audience: String?, issuer: String? = nil, leeway: Int64 = 30, revoked: Set<String> = []) throws(CredentialsError) {
        try self.init(keys: .single(key), audience: audience, issuer: issuer, leeway: leeway, revoked: revoked)
    }

    /// A verifier for a key set; the token's `kid` picks the key.
    public init(keySet: JWKS, audience: String?, issuer: String? = nil, leeway: Int64 = 30, revoked: Set<String> = []) throws(CredentialsError) {
        try self.init(keys: .set(keySet), audience: audience, issuer: issuer, leeway: leeway, revoked: revoked)
    }

    init(keys: Keys, audience: String?, issuer: String?, leeway: Int64, revoked: Set<String>) throws(CredentialsError) {
        guard leeway >= 0, leeway <= TokenLimits.maxLeeway else {
            throw .invalidOption("leeway must be between 0s and \(TokenLimits.maxLeeway)s, got \(leeway)s")
        }
        if let audience, audience.isEmpty { throw .invalidOption("the expected audience is empty") }
        self.keys = keys
        self.audience = audience
        self.issuer = issuer
        self.leeway = leeway
        self.revoked = revoked
    }

    /// Verifies `token` at time `now` (seconds since the epoch).
    public func verify(_ token: String, now: Int64) throws(TokenFailure) -> VerifiedToken {
        let trimmed = token.trimmingTrailingNewlines()
        let parts = try JWS.split(trimmed, maxBytes: TokenLimits.maxTokenBytes)
        let header = try DecodedToken.parseHeader(parts.header)
        try DecodedToken.checkAlgorithm(header)
        if let typ = header["typ"] {
            guard let value = typ.stringValue, value.uppercased() == "JWT" else {
                throw .unsupportedHeader("\"typ\" must be \"JWT\"")
            }
        }
        let kid = try DecodedToken.kid(header)
        switch keys {
        case .single(let only):
            // With one key given, kid is only a hint: a good signature wins. When the signature
            // fails and kid names another key, saying so is more useful than "bad signature".
            guard only.publicKey.isValidSignature(parts.signature, for: parts.signingInput) else {
                if let kid, kid != only.thumbprint { throw .unknownKey(kid: kid) }
                throw .badSignature
            }
        case .set(let set):
            guard let key = set.key(forKID: kid) else { throw .unknownKey(kid: kid) }
            guard key.publicKey.isValidSignature(parts.signature, for: parts.signingInput) else { throw .badSignature }
        }

        // Only now, with the signature good, are the claims parsed and believed.
        let claimsValue: JSONValue
        do {
            claimsValue = try JSONParser.parse(parts.payload, maxDepth: TokenLimits.maxJSONDepth)
        } catch {
            throw .malformed("the claims are not valid JSON: \(error.message)")
        }
        guard let claims = claimsValue.objectValue else { throw .malformed("the claims must be a JSON object") }

        let exp = try Self.time(claims, "exp")
        let nbf = try Self.time(claims, "nbf")
        let iat = try Self.time(claims, "iat")
        if now - leeway >= exp { throw .expired(secondsAgo: now - exp) }
        if now + leeway < nbf { throw .notYetValid(secondsUntil: nbf - now) }
        if now + leeway < iat { throw .issuedInFuture(seconds: iat - now) }

        let iss = try Self.string(claims, "iss")
        if let issuer, iss != issuer { throw .issuerMismatch(expected: issuer, found: iss) }
        let sub = try Self.string(claims, "sub")
        let aud = try Self.audience(claims) ?? []
        if let audience, !aud.contains(audience) { throw .audienceMismatch(expected: audience, found: aud) }
        let jti = try Self.string(claims, "jti")
        if revoked.contains(jti) { throw .revoked(jti: jti) }
        guard let detailClaim = claims["authorization_details"] else { throw .missingClaim("authorization_details") }
        let authorization = try StepAuthorization(claim: detailClaim)

        return VerifiedToken(
            header: header, claims: claims, issuer: iss, subject: sub, audience: aud, issuedAt: iat,
            notBefore: nbf, expiresAt: exp, jti: jti, authorization: authorization, audienceChecked: audience != nil
        )
    }

    /// `aud` as a list (RFC 7519 §4.1.3: one string or an array of strings); nil when absent.
    static func audience(_ claims: JSONObject) throws(TokenFailure) -> [String]? {
        switch claims["aud"] {
        case .string(let single)?: return [single]
        case .array(let list)?:
            let audience = list.compactMap { $0.stringValue }
            guard audience.count == list.count else { throw .invalidClaim(name: "aud", reason: "must be a string or an array of strings") }
            return audience
        case nil: return nil
        default: throw .invalidClaim(name: "aud", reason: "must be a string or an array of strings")
        }
    }

    /// The latest time a token may name: 9999-12-31T23:59:59Z. Times are checked against it so
    /// that no comparison with the clock can overflow, whatever the token says.
    static let latestTime: Int64 = 253_402_300_799

    static func time(_ claims: JSONObject, _ name: String) throws(TokenFailure) -> Int64 {
        guard let value = claims[name] else { throw .missingClaim(name) }
        guard let seconds = value.int64Value else {
            throw .invalidClaim(name: name, reason: "must be a whole number of seconds since the epoch")
        }
        guard seconds >= 0, seconds <= latestTime else {
            throw .invalidClaim(name: name, reason: "\(seconds) is outside 1970-01-01 to 9999-12-31")
        }
        return seconds
    }

    static func string(_ claims: JSONObject, _ name: String) throws(TokenFailure) -> String {
        guard let value = claims[name] else { throw .missingClaim(name) }
        guard let text = value.stringValue, !text.isEmpty else { throw .invalidClaim(name: name, reason: "must be a non-empty string") }
        return text
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self[...]
        while let last = s.last, last == "\n" || last == "\r\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}

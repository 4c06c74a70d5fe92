import Crypto
import JSONValue

/// A workload identity that checked out against a trust file.
public struct VerifiedIdentity: Sendable {
    /// SPIFFE JWT-SVID or OIDC ID token.
    public let kind: TrustFile.Kind
    /// `iss`; for a JWT-SVID without one, nil.
    public let issuer: String?
    /// `sub`: a SPIFFE ID, or the OIDC subject.
    public let subject: String
    /// The algorithm and key id that verified it.
    public let algorithm: IdentityAlgorithm
    public let kid: String?
    /// `exp`, seconds since the epoch.
    public let expiresAt: Int64
    /// The whole claims set.
    public let claims: JSONObject
    /// `sha256:` and the hex SHA-256 of the token exactly as presented: the credential records
    /// which token authenticated it without carrying a bearer token of its own.
    public let tokenDigest: String
    /// OIDC: the entity the trust file maps the subject to.
    public let entity: String?

    /// The claims policies read as `context.identity`: `kind`, `issuer`, `subject`, and for a
    /// JWT-SVID `trust_domain`, then every other claim whose value is a string, a whole number
    /// or a boolean (for a CI token: `repository`, `workflow`, `ref`, `environment`, `actor`, …).
    /// The registered claims (`aud`, `exp`, `nbf`, `iat`, `jti`) were checked and are left out.
    public var attributes: JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind.rawValue))]
        if let issuer { pairs.append(("issuer", .string(issuer))) }
        pairs.append(("subject", .string(subject)))
        var reserved: Set<String> = ["kind", "issuer", "subject", "iss", "sub", "aud", "exp", "nbf", "iat", "jti"]
        if kind == .spiffe, let domain = SPIFFEID.trustDomain(of: subject) {
            pairs.append(("trust_domain", .string(domain)))
            reserved.insert("trust_domain")
        }
        for (name, value) in claims where !reserved.contains(name) {
            switch value {
            case .string, .bool: pairs.append((name, value))
            case .number where value.int64Value != nil: pairs.append((name, value))
            default: continue
            }
        }
        return .object(JSONObject(pairs))
    }

    /// The RFC 8693 §4.1 `act` claim naming the authenticated party: its `sub`, and `iss`
    /// when the token had one.
    public var actClaim: JSONValue {
        var pairs: [(String, JSONValue)] = [("sub", .string(subject))]
        if let issuer { pairs.append(("iss", .string(issuer))) }
        return .object(JSONObject(pairs))
    }
}

/// Verifies identity tokens against one trust file: a SPIFFE JWT-SVID (SPIFFE JWT-SVID
/// specification §2–4) or an OIDC ID token (OpenID Connect Core 1.0 §3.1.3.7, with RFC 7519
/// for `nbf`). Every refusal is a `TokenFailure` with a stable code.
public struct IdentityVerifier: Sendable {
    public let trust: TrustFile

    public init(trust: TrustFile) {
        self.trust = trust
    }

    /// Header parameters a JWT-SVID may carry (§2: any other MUST NOT be present).
    static let svidHeaders: Set<String> = ["alg", "kid", "typ"]
    /// Header parameters accepted on an OIDC token besides those: certificate thumbprints, which
    /// are hints and are ignored. Headers that bring their own key (`jwk`, `jku`, `x5u`, `x5c`) or
    /// demand understanding (`crit`) are refused, as is everything unknown.
    static let oidcHeaders: Set<String> = ["alg", "kid", "typ", "x5t", "x5t#S256"]

    /// Verifies `token` at `now` (seconds since the epoch).
    public func verify(_ token: String, now: Int64) throws(TokenFailure) -> VerifiedIdentity {
        let presented = token.trimmingTrailingNewlines()
        let parts = try JWS.split(presented, maxBytes: TokenLimits.maxTokenBytes)
        let header = try DecodedToken.parseHeader(parts.header)

        // The algorithm first: nothing else in the token is looked at under a refused one.
        guard let algValue = header["alg"] else { throw .malformed("the header has no \"alg\"") }
        guard let algText = algValue.stringValue else { throw .malformed("\"alg\" must be a string") }
        let algorithm = try IdentityAlgorithm.parse(algText)
        guard trust.algorithms.contains(algorithm) else {
            throw .algUnsupported(alg: algText, reason: "the trust file accepts only " + trust.algorithms.map(\.rawValue).joined(separator: ", "))
        }
        let allowed = trust.kind == .spiffe ? Self.svidHeaders : Self.oidcHeaders
        for name in header.keys where !allowed.contains(name) {
            throw .unsupportedHeader("\"\(name)\" is not accepted in " + (trust.kind == .spiffe ? "a JWT-SVID header" : "an identity token header"))
        }
        if let typ = header["typ"] {
            guard let value = typ.stringValue, ["JWT", "JOSE"].contains(value.uppercased()) else {
                throw .unsupportedHeader("\"typ\" must be \"JWT\" or \"JOSE\"")
            }
        }
        let kid = try DecodedToken.kid(header)
        let entry: TrustFile.Key
        if let kid {
            guard let match = trust.keys.first(where: { $0.kid == kid }) else { throw .unknownKey(kid: kid) }
            entry = match
        } else {
            guard trust.keys.count == 1 else { throw .unknownKey(kid: nil) }
            entry = trust.keys[0]
        }
        guard algorithm.allows(entry.key) else { throw .algKeyMismatch(alg: algText, key: entry.key.typeName) }
        if let pinned = entry.algorithm, pinned != algText {
            throw .algUnsupported(alg: algText, reason: "the key is published for \"\(pinned)\" only")
        }
        guard algorithm.verify(signature: parts.signature, signingInput: parts.signingInput, key: entry.key) else {
            throw .badSignature
        }

        // Signed by a trusted key: now the claims are read and checked.
        let claimsValue: JSONValue
        do {
            claimsValue = try JSONParser.parse(parts.payload, maxDepth: TokenLimits.maxJSONDepth)
        } catch {
            throw .malformed("the claims are not valid JSON: \(error.message)")
        }
        guard let claims = claimsValue.objectValue else { throw .malformed("the claims must be a JSON object") }

        let leeway = trust.leeway
        let exp = try TokenVerifier.time(claims, "exp")
        if now - leeway >= exp { throw .expired(secondsAgo: now - exp) }
        if claims["nbf"] != nil {
            let nbf = try TokenVerifier.time(claims, "nbf")
            if now + leeway < nbf { throw .notYetValid(secondsUntil: nbf - now) }
        }
        if trust.kind == .oidc || claims["iat"] != nil {
            let iat = try TokenVerifier.time(claims, "iat")
            if now + leeway < iat { throw .issuedInFuture(seconds: iat - now) }
        }

        // JWT-SVID §3.2: aud is required, with at least one value.
        guard let audience = try TokenVerifier.audience(claims) else { throw .missingClaim("aud") }
        guard !audience.isEmpty else { throw .invalidClaim(name: "aud", reason: "must name at least one audience") }
        guard audience.contains(trust.audience) else { throw .audienceMismatch(expected: trust.audience, found: audience) }

        let subject = try TokenVerifier.string(claims, "sub")
        var issuer: String?
        var entity: String?
        switch trust.kind {
        case .spiffe:
            do {
                try SPIFFEID.validate(subject)
            } catch {
                throw .invalidClaim(name: "sub", reason: "must be a SPIFFE ID (\(error.description))")
            }
            let domain = SPIFFEID.trustDomain(of: subject) ?? ""
            if let expected = trust.trustDomain, domain != expected {
                throw .trustDomainMismatch(expected: expected, found: domain)
            }
            if claims["iss"] != nil { issuer = try TokenVerifier.string(claims, "iss") }
        case .oidc:
            let iss = try TokenVerifier.string(claims, "iss")
            // OIDC Core §3.1.3.7 step 2: an exact match, no normalisation.
            if let expected = trust.issuer, iss != expected { throw .issuerMismatch(expected: expected, found: iss) }
            issuer = iss
            // Step 3: no audience stepguard does not trust; step 5: azp, when present, is us.
            if let other = audience.first(where: { $0 != trust.audience }) {
                throw .invalidClaim(name: "aud", reason: "also names \"\(other)\"; an identity token for stepguard must name only \"\(trust.audience)\"")
            }
            if let azp = claims["azp"] {
                guard azp.stringValue == trust.audience else {
                    throw .invalidClaim(name: "azp", reason: "must be \"\(trust.audience)\" when present")
                }
            }
            guard let mapping = trust.principals.first(where: { $0.covers(subject) }) else {
                throw .unmappedSubject(issuer: iss, subject: subject)
            }
            entity = mapping.entity
        }

        return VerifiedIdentity(
            kind: trust.kind, issuer: issuer, subject: subject, algorithm: algorithm, kid: kid, expiresAt: exp,
            claims: claims, tokenDigest: "sha256:" + Hex.encode(SHA256.hash(Array(presented.utf8))), entity: entity)
    }
}

extension VerifiedIdentity {
    /// Checks that this identity is the step's principal: for a JWT-SVID, the principal's SPIFFE
    /// ID (`principalSPIFFEID`, nil when it has none) is the token's `sub`; for an OIDC token, the
    /// trust file maps the subject to exactly that entity (`principal`, as `Type::"id"`).
    public func authenticates(principal: String, principalSPIFFEID: String?) throws(TokenFailure) {
        switch kind {
        case .spiffe:
            guard principalSPIFFEID == subject else {
                let named = principalSPIFFEID.map { "\(principal) (\($0))" } ?? "\(principal) (no SPIFFE ID)"
                throw .principalMismatch(identity: "\"\(subject)\"", principal: named)
            }
        case .oidc:
            guard entity == principal else {
                throw .principalMismatch(identity: "\"\(subject)\" (\(entity ?? "no entity"))", principal: principal)
            }
        }
    }
}

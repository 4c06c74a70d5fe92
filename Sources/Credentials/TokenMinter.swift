import Crypto
import JSONValue

/// What to mint a credential for.
public struct MintRequest: Sendable {
    /// `iss`: who mints.
    public var issuer: String
    /// `sub`: the agent; validated as a SPIFFE ID when it starts with `spiffe:`.
    public var subject: String
    /// `aud`: the one service the credential is for.
    public var audience: String
    /// The step it authorizes.
    public var authorization: StepAuthorization
    /// Requested lifetime in seconds.
    public var ttl: Int64
    /// `@max_ttl` of the permit that allowed the step, in seconds, if it has one.
    public var policyMaxTTL: Int64?
    /// Minting time, seconds since the epoch (`iat` and `nbf`).
    public var now: Int64
    /// Who asked for the credential, recorded in it (`act`, `identity`); nil records nothing.
    public var authentication: MintAuthentication?

    public init(
        issuer: String, subject: String, audience: String, authorization: StepAuthorization,
        ttl: Int64 = TokenMinter.defaultTTL, policyMaxTTL: Int64? = nil, now: Int64,
        authentication: MintAuthentication? = nil
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.authorization = authorization
        self.ttl = ttl
        self.policyMaxTTL = policyMaxTTL
        self.now = now
        self.authentication = authentication
    }
}

/// Why a lifetime was shortened.
public enum TTLCap: Equatable, Sendable {
    /// The permit's `@max_ttl`.
    case policy(seconds: Int64)
    /// The minter's hard cap.
    case hardCap(seconds: Int64)
}

/// A minted credential.
public struct MintedToken: Sendable {
    /// The compact JWT.
    public let token: String
    /// The protected header.
    public let header: JSONValue
    /// The claims.
    public let claims: JSONValue
    public let jti: String
    public let issuedAt: Int64
    public let expiresAt: Int64
    /// The lifetime granted, in seconds.
    public let ttl: Int64
    /// The lifetime asked for.
    public let requestedTTL: Int64
    /// Set when `ttl` is shorter than `requestedTTL`, saying which limit applied.
    public let cap: TTLCap?

    /// Whether the lifetime was shortened.
    public var wasCapped: Bool { cap != nil }
}

/// Mints short-lived EdDSA JWTs for one step.
public struct TokenMinter: Sendable {
    /// Lifetime when none is asked for: five minutes.
    public static let defaultTTL: Int64 = 300
    /// The hard cap on any lifetime: one hour. Nothing raises it; an operator may only lower it.
    public static let absoluteCap: Int64 = 3600

    public let key: SigningKey
    /// The cap this minter applies: the hard cap, or a lower one the operator chose.
    public let hardCap: Int64
    /// `kid`: the RFC 7638 thumbprint of the key.
    public let kid: String

    /// A minter with `key`; `hardCap` may lower the hard cap of one hour, never raise it.
    public init(key: SigningKey, hardCap: Int64 = TokenMinter.absoluteCap) throws(CredentialsError) {
        guard hardCap > 0 else { throw .invalidOption("the TTL cap must be positive") }
        guard hardCap <= Self.absoluteCap else {
            throw .invalidOption("a TTL cap of \(hardCap)s is above the hard cap of \(Self.absoluteCap)s, which can only be lowered; ask for at most 1h")
        }
        self.key = key
        self.hardCap = hardCap
        kid = key.verificationKey.thumbprint
    }

    /// The lifetime `request` gets, and which limit shortened it, if any.
    public func effectiveTTL(for request: MintRequest) -> (Int64, TTLCap?) {
        var ttl = request.ttl
        var cap: TTLCap?
        if let policy = request.policyMaxTTL, policy < ttl {
            ttl = policy
            cap = .policy(seconds: policy)
        }
        if hardCap < ttl {
            ttl = hardCap
            cap = .hardCap(seconds: hardCap)
        }
        return (ttl, cap)
    }

    /// Mints the credential. A fresh 128-bit `jti` comes from the operating system's random source.
    public func mint(_ request: MintRequest) throws(CredentialsError) -> MintedToken {
        guard !request.issuer.isEmpty else { throw .invalidRequest("the issuer is empty") }
        guard !request.subject.isEmpty else { throw .invalidRequest("the subject is empty") }
        if SPIFFEID.looksLikeSPIFFE(request.subject) { try SPIFFEID.validate(request.subject) }
        guard !request.audience.isEmpty else { throw .invalidRequest("the audience is empty") }
        guard request.ttl > 0 else { throw .invalidRequest("the TTL must be positive, got \(request.ttl)s") }
        if let policy = request.policyMaxTTL, policy <= 0 {
            throw .invalidRequest("the policy's max TTL must be positive, got \(policy)s")
        }
        let detail = request.authorization
        for (name, value) in [("action", detail.action), ("resource", detail.resource), ("plan id", detail.planID),
                              ("step id", detail.stepID), ("plan digest", detail.planDigest)] where value.isEmpty {
            throw .invalidRequest("the \(name) is empty")
        }
        let (ttl, cap) = effectiveTTL(for: request)
        let jtiBytes: [UInt8]
        do {
            jtiBytes = try SecureRandom.bytes(16)
        } catch {
            throw .io(path: "random source", message: error.description)
        }
        let jti = Base64.urlEncode(jtiBytes)
        let header: JSONValue = .object(JSONObject([("alg", "EdDSA"), ("typ", "JWT"), ("kid", .string(kid))]))
        let expiresAt = request.now + ttl
        let claims: JSONValue = .object(JSONObject([
            ("iss", .string(request.issuer)),
            ("sub", .string(request.subject)),
            ("aud", .string(request.audience)),
            ("iat", .int(request.now)),
            ("nbf", .int(request.now)),
            ("exp", .int(expiresAt)),
            ("jti", .string(jti)),
            ("authorization_details", .array([detail.json])),
        ] + (request.authentication?.claims ?? [])))
        let token = JWS.sign(header: header, payload: CanonicalJSON.serialize(claims), key: key)
        return MintedToken(
            token: token, header: header, claims: claims, jti: jti, issuedAt: request.now, expiresAt: expiresAt,
            ttl: ttl, requestedTTL: request.ttl, cap: cap
        )
    }
}

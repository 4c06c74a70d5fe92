import Crypto
import JSONValue

/// An Ed25519 JSON Web Key (RFC 8037: `kty` `OKP`, `crv` `Ed25519`).
public struct JWK: Equatable, Sendable {
    /// The public key.
    public let verificationKey: VerificationKey
    /// The private key, when the JWK carries `d`.
    public let signingKey: SigningKey?
    /// The key id, if any.
    public let kid: String?

    public static func == (a: JWK, b: JWK) -> Bool {
        a.verificationKey == b.verificationKey && a.kid == b.kid
            && a.signingKey?.privateKey.seed == b.signingKey?.privateKey.seed
    }

    /// A public JWK.
    public init(publicKey: VerificationKey, kid: String? = nil) {
        verificationKey = publicKey
        signingKey = nil
        self.kid = kid
    }

    /// A private JWK (carrying `d`); keep it secret.
    public init(privateKey: SigningKey, kid: String? = nil) {
        verificationKey = privateKey.verificationKey
        signingKey = privateKey
        self.kid = kid
    }

    /// Reads one JWK from JSON text.
    public init(json text: String) throws(CredentialsError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, maxDepth: 16)
        } catch {
            throw .malformedJWK("not JSON (\(error.description))")
        }
        try self.init(value)
    }

    /// Reads one JWK from a parsed JSON object.
    public init(_ value: JSONValue) throws(CredentialsError) {
        guard let object = value.objectValue else { throw .malformedJWK("a JWK must be a JSON object") }
        guard let kty = object["kty"]?.stringValue else { throw .malformedJWK("missing \"kty\"") }
        guard kty == "OKP" else {
            let found = ["RSA": "RSA", "EC": "an EC (ECDSA) key", "oct": "a symmetric (oct) key"][kty] ?? "key type \"\(kty)\""
            throw .wrongKeyType(found: found)
        }
        guard let crv = object["crv"]?.stringValue else { throw .malformedJWK("missing \"crv\"") }
        guard crv == "Ed25519" else { throw .wrongKeyType(found: "curve \"\(crv)\"") }
        if let alg = object["alg"] {
            guard alg.stringValue == "EdDSA" else { throw .malformedJWK("\"alg\" must be \"EdDSA\" for an Ed25519 key") }
        }
        guard let x = object["x"]?.stringValue, let xBytes = Base64.urlDecode(x), xBytes.count == 32 else {
            throw .malformedJWK("\"x\" must be 32 bytes in unpadded base64url")
        }
        let publicKey = try VerificationKey(rawRepresentation: xBytes)
        if let kidValue = object["kid"] {
            guard let kid = kidValue.stringValue else { throw .malformedJWK("\"kid\" must be a string") }
            self.kid = kid
        } else {
            kid = nil
        }
        if let dValue = object["d"] {
            guard let d = dValue.stringValue, let seed = Base64.urlDecode(d), seed.count == 32,
                let key = try? Ed25519.PrivateKey(seed: seed)
            else { throw .malformedJWK("\"d\" must be 32 bytes in unpadded base64url") }
            guard key.publicKey == publicKey.publicKey else {
                throw .malformedJWK("\"d\" and \"x\" are not the same key pair")
            }
            signingKey = SigningKey(key)
        } else {
            signingKey = nil
        }
        verificationKey = publicKey
    }

    /// The JWK as a JSON object (members in canonical order). `d` is included only when asked.
    public func json(includePrivate: Bool = false) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("kty", "OKP"), ("crv", "Ed25519"),
            ("x", .string(Base64.urlEncode(verificationKey.publicKey.rawRepresentation))),
        ]
        if includePrivate, let signingKey {
            pairs.append(("d", .string(Base64.urlEncode(signingKey.privateKey.seed))))
        }
        if let kid { pairs.append(("kid", .string(kid))) }
        pairs.append(("alg", "EdDSA"))
        pairs.append(("use", "sig"))
        return .object(JSONObject(pairs))
    }

    /// RFC 7638 thumbprint of the key.
    public var thumbprint: String { verificationKey.thumbprint }
}

/// A JSON Web Key Set (RFC 7517 §5) of Ed25519 keys.
public struct JWKS: Equatable, Sendable {
    /// The keys, in document order.
    public var keys: [JWK]

    public init(keys: [JWK]) {
        self.keys = keys
    }

    /// Reads a JWKS, or a single JWK (treated as a set of one).
    public init(json text: String) throws(CredentialsError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, maxDepth: 16)
        } catch {
            throw .malformedJWK("not JSON (\(error.description))")
        }
        guard let object = value.objectValue else { throw .malformedJWK("a JWKS must be a JSON object") }
        if object["keys"] == nil {
            keys = [try JWK(value)]
            return
        }
        guard let array = object["keys"]?.arrayValue else { throw .malformedJWK("\"keys\" must be an array") }
        var keys: [JWK] = []
        for entry in array {
            // Keys of other types may share a set; they are skipped, never used.
            if entry["kty"]?.stringValue != "OKP" || entry["crv"]?.stringValue != "Ed25519" { continue }
            keys.append(try JWK(entry))
        }
        guard !keys.isEmpty else { throw .malformedJWK("the set has no Ed25519 key") }
        self.keys = keys
    }

    /// Loads a JWKS file.
    public static func load(path: String) throws(CredentialsError) -> JWKS {
        try JWKS(json: FileIO.readText(path: path, limit: 1 << 20))
    }

    /// The set as JSON (public parts only).
    public var json: JSONValue {
        .object(JSONObject([("keys", .array(keys.map { $0.json() }))]))
    }

    /// The key a token with this `kid` names: by `kid`, else by thumbprint; with no `kid`, the
    /// only key of a one-key set.
    public func key(forKID kid: String?) -> VerificationKey? {
        guard let kid else { return keys.count == 1 ? keys[0].verificationKey : nil }
        if let match = keys.first(where: { $0.kid == kid }) { return match.verificationKey }
        return keys.first(where: { $0.kid == nil && $0.thumbprint == kid })?.verificationKey
    }
}

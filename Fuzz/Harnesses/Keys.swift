// PEM/DER keys and JWK/JWKS. Invariants: a key that reads writes back as PEM (and JWK) that
// reads as the same key, and its PEM form is byte-stable.
import Credentials
import Crypto
import JSONValue

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeys(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)

    if let key = try? SigningKey(text: text) {
        let pem = key.pem
        guard let back = try? SigningKey(text: pem) else {
            require(false, "the PEM of a private key that read does not read:\n\(pem)")
            return 0
        }
        require(back.pem == pem && back.privateKey.seed == key.privateKey.seed, "private key PEM round trip changed the key")
        require((try? SigningKey(pkcs8DER: key.pkcs8DER))?.privateKey.seed == key.privateKey.seed, "PKCS#8 DER round trip failed")
        let jwk = JWK(privateKey: key)
        let jwkText = CanonicalJSON.string(jwk.json(includePrivate: true))
        require((try? SigningKey(text: jwkText))?.privateKey.seed == key.privateKey.seed, "private JWK round trip failed: \(jwkText)")
    }
    if let key = try? VerificationKey(text: text) {
        let pem = key.pem
        require((try? VerificationKey(text: pem)) == key, "public key PEM round trip failed:\n\(pem)")
        require((try? VerificationKey(spkiDER: key.spkiDER)) == key, "SPKI DER round trip failed")
        let jwkText = CanonicalJSON.string(key.jwk.json())
        require((try? VerificationKey(text: jwkText)) == key, "public JWK round trip failed: \(jwkText)")
        _ = key.thumbprint
    }
    // The bytes as DER directly, and as the body of a PEM block.
    _ = try? SigningKey(pkcs8DER: bytes)
    _ = try? VerificationKey(spkiDER: bytes)
    _ = try? VerificationKey(rawRepresentation: bytes)
    _ = try? PEM.decode(text)
    if let set = try? JWKS(json: text) {
        let written = CanonicalJSON.string(set.json)
        // The written set carries public parts only.
        let publicParts = { (s: JWKS) in s.keys.map { "\($0.thumbprint) \($0.kid ?? "-")" } }
        require((try? JWKS(json: written)).map(publicParts) == publicParts(set), "JWKS round trip failed: \(written)")
    }
    return 0
}

// JWS/JWT decoding and verification. The first byte picks what the rest is:
//   even: a compact token, decoded and verified as given (signatures will not check, but every
//         step before the signature is exercised);
//   odd:  `HEADER \0 CLAIMS [\0 SUFFIX]`: the header and claims bytes are signed with a fixed
//         key, SUFFIX (if any) replaces the end of the token, and the result is verified, so the
//         claim checks after the signature see fuzzed input too;
//   4 (mod 8): three bytes pick `exp`, `nbf` and `iat` from the Int64 extremes and the edges of
//         the accepted range, and the claims are signed, so every time comparison sees them
//         (a time outside 1970–9999 never verifies, and nothing traps).
// Invariant: a token that verifies re-encodes from its decoded parts to exactly its own bytes
// (no second spelling of a valid token), and decoding agrees with verification.
import Credentials
import Crypto
import JSONValue

let jwtKey: SigningKey = {
    do {
        return SigningKey(try Ed25519.PrivateKey(seed: [UInt8](repeating: 7, count: 32)))
    } catch {
        fatalError("fixed key: \(error)")
    }
}()
let jwtVerifiers: [TokenVerifier] = {
    do {
        let key = jwtKey.verificationKey
        return [
            try TokenVerifier(key: key, audience: nil),
            try TokenVerifier(key: key, audience: "deployer", issuer: "stepguard", leeway: 300, revoked: ["revoked-jti"]),
            try TokenVerifier(keySet: JWKS(keys: [key.jwk]), audience: nil),
        ]
    } catch {
        fatalError("verifiers: \(error)")
    }
}()
let jwtNow: Int64 = 1_750_000_000

func trimmedEnd(_ bytes: [UInt8]) -> [UInt8] {
    var end = bytes.count
    while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D || bytes[end - 1] == 0x20 { end -= 1 }
    return Array(bytes[..<end])
}

func checkToken(_ token: String) {
    let decoded = try? DecodedToken.decode(token)
    for verifier in jwtVerifiers {
        guard let verified = try? verifier.verify(token, now: jwtNow) else { continue }
        let parts: JWS.Parts
        do {
            parts = try JWS.split(String(decoding: trimmedEnd(Array(token.utf8)), as: UTF8.self))
        } catch {
            require(false, "a verified token does not split: \(error)")
            return
        }
        let encoded = Base64.urlEncode(parts.header) + "." + Base64.urlEncode(parts.payload) + "." + Base64.urlEncode(parts.signature)
        require(Array(encoded.utf8) == trimmedEnd(Array(token.utf8)), "a verified token has a second spelling:\n\(token)\n\(encoded)")
        require(verified.authorization == (try? StepAuthorization(claim: verified.claims["authorization_details"] ?? .null)),
                "the verified authorization does not read back")
        if let decoded {
            require(decoded.claims == verified.claims && decoded.header == verified.header, "decode and verify disagree")
        }
        _ = try? JWS.verify(token, key: jwtKey.verificationKey)
    }
}

let jwtExtremes: [Int64] = [
    .min, .min + 1, -1, 0, 1, jwtNow - 300, jwtNow, jwtNow + 300, 253_402_300_799, 253_402_300_800, .max - 1, .max,
]

func checkExtremeTimes(_ bytes: [UInt8]) {
    guard bytes.count >= 3 else { return }
    let pick = bytes.prefix(3).map { jwtExtremes[Int($0) % jwtExtremes.count] }
    let claims = """
        {"iss":"stepguard","sub":"spiffe://example.org/a","aud":"deployer","exp":\(pick[0]),"nbf":\(pick[1]),"iat":\(pick[2]),\
        "jti":"j","authorization_details":[{"type":"stepguard_step","actions":["deploy"],"resource":"Service::\\"web\\"",\
        "args_digest":"sha256:00","outcome":"allow","plan_id":"p","step_id":"s","step_digest":"sha256:01","plan_digest":"sha256:02"}]}
        """
    let token = JWS.sign(protectedHeader: Array(#"{"alg":"EdDSA","typ":"JWT"}"#.utf8), payload: Array(claims.utf8), key: jwtKey)
    for verifier in jwtVerifiers {
        guard (try? verifier.verify(token, now: jwtNow)) != nil else { continue }
        require(pick.allSatisfy { $0 >= 0 && $0 <= 253_402_300_799 }, "a token with a time outside 1970–9999 verified: \(pick)")
    }
    checkToken(token)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    guard let mode = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    if mode & 7 == 4 {
        checkExtremeTimes(rest)
        return 0
    }
    if mode & 1 == 0 {
        checkToken(String(decoding: rest, as: UTF8.self))
        return 0
    }
    let pieces = rest.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    guard pieces.count >= 2 else { return 0 }
    var token = JWS.sign(protectedHeader: Array(pieces[0]), payload: Array(pieces[1]), key: jwtKey)
    if pieces.count == 3 {
        let suffix = String(decoding: pieces[2], as: UTF8.self)
        // The suffix overwrites the end of the token (keeping the length), or is appended.
        let keep = max(0, token.utf8.count - suffix.utf8.count)
        token = String(decoding: Array(token.utf8)[..<keep], as: UTF8.self) + suffix
        if mode & 2 != 0 { token += suffix }
    }
    checkToken(token)
    return 0
}

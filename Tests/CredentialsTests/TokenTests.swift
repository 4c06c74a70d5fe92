import Crypto
import Foundation
import JSONValue
import Testing
import Credentials

@Suite struct MintTests {
    let key = SigningKey(try! Ed25519.PrivateKey(seed: rfcSeed))

    @Test func mintedTokenHasTheContractClaims() throws {
        let minter = try TokenMinter(key: key)
        let minted = try minter.mint(sampleRequest())
        let decoded = try DecodedToken.decode(minted.token)
        #expect(decoded.header["alg"] == "EdDSA")
        #expect(decoded.header["typ"] == "JWT")
        #expect(decoded.header["kid"] == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        let claims = decoded.claims
        #expect(claims.keys.sorted() == ["aud", "authorization_details", "exp", "iat", "iss", "jti", "nbf", "sub"])
        #expect(claims["iss"] == "stepguard")
        #expect(claims["sub"] == "spiffe://example.org/agent/builder")
        #expect(claims["aud"] == "deployer")  // a single string, not an array
        #expect(claims["iat"]?.int64Value == 1_800_000_000)
        #expect(claims["nbf"]?.int64Value == 1_800_000_000)
        #expect(claims["exp"]?.int64Value == 1_800_000_300)
        let jti = try #require(claims["jti"]?.stringValue)
        #expect(Base64.urlDecode(jti)?.count == 16)
        #expect(try StepAuthorization(claim: #require(claims["authorization_details"])) == sampleAuthorization())
        #expect(minted.ttl == 300 && !minted.wasCapped)
        // The payload is canonical JSON, so the same claims always give the same bytes.
        let payload = try #require(Base64.urlDecode(String(minted.token.split(separator: ".")[1])))
        #expect(payload == CanonicalJSON.serialize(.object(claims)))
    }

    @Test func jtisAreFresh() throws {
        let minter = try TokenMinter(key: key)
        var seen = Set<String>()
        for _ in 0..<50 { seen.insert(try minter.mint(sampleRequest()).jti) }
        #expect(seen.count == 50)
    }

    @Test func ttlCaps() throws {
        let minter = try TokenMinter(key: key, hardCap: 3600)
        let policy = try minter.mint(sampleRequest(ttl: 900, policyMaxTTL: 120))
        #expect(policy.ttl == 120 && policy.cap == .policy(seconds: 120) && policy.requestedTTL == 900)
        #expect(policy.expiresAt == policy.issuedAt + 120)
        let hard = try minter.mint(sampleRequest(ttl: 7200))
        #expect(hard.ttl == 3600 && hard.cap == .hardCap(seconds: 3600))
        let both = try minter.mint(sampleRequest(ttl: 7200, policyMaxTTL: 5400))
        #expect(both.ttl == 3600 && both.cap == .hardCap(seconds: 3600))
        let under = try minter.mint(sampleRequest(ttl: 60, policyMaxTTL: 120))
        #expect(under.ttl == 60 && under.cap == nil)
    }

    @Test func badRequests() throws {
        let minter = try TokenMinter(key: key)
        var request = sampleRequest()
        request.subject = "spiffe://Example.org/agent"
        #expect(throws: CredentialsError.self) { try minter.mint(request) }
        request = sampleRequest(ttl: 0)
        #expect(throws: CredentialsError.self) { try minter.mint(request) }
        request = sampleRequest()
        request.audience = ""
        #expect(throws: CredentialsError.self) { try minter.mint(request) }
        request = sampleRequest()
        request.authorization.planDigest = ""
        #expect(throws: CredentialsError.self) { try minter.mint(request) }
        // A subject that is not a SPIFFE ID is passed through unvalidated.
        request = sampleRequest()
        request.subject = "User::\"alice\""
        #expect(throws: Never.self) { try minter.mint(request) }
        #expect(throws: CredentialsError.self) { try TokenMinter(key: key, hardCap: 0) }
    }
}

@Suite struct VerifyTests {
    let key = SigningKey(try! Ed25519.PrivateKey(seed: rfcSeed))
    let now: Int64 = 1_800_000_000

    func mint(_ request: MintRequest? = nil) throws -> MintedToken {
        try TokenMinter(key: key).mint(request ?? sampleRequest(now: now))
    }

    func verifier(audience: String? = "deployer", leeway: Int64 = 30, revoked: Set<String> = []) throws -> TokenVerifier {
        try TokenVerifier(key: key.verificationKey, audience: audience, leeway: leeway, revoked: revoked)
    }

    func failure(_ token: String, at time: Int64? = nil, verifier: TokenVerifier? = nil) throws -> TokenFailure? {
        let chosen = try verifier ?? self.verifier()
        do {
            _ = try chosen.verify(token, now: time ?? now)
            return nil
        } catch {
            return error
        }
    }

    @Test func validTokenVerifies() throws {
        let minted = try mint()
        let verified = try verifier().verify(minted.token, now: now + 10)
        #expect(verified.subject == "spiffe://example.org/agent/builder")
        #expect(verified.audience == ["deployer"])
        #expect(verified.jti == minted.jti)
        #expect(verified.authorization == sampleAuthorization())
        #expect(verified.audienceChecked)
        // A trailing newline (as from a file or a pipe) is tolerated.
        #expect(throws: Never.self) { try verifier().verify(minted.token + "\n", now: now) }
        // With a key set, kid selects the key.
        let other = try SigningKey.generate()
        let set = JWKS(keys: [other.verificationKey.jwk, key.verificationKey.jwk])
        let viaSet = try TokenVerifier(keySet: set, audience: "deployer")
        #expect(try viaSet.verify(minted.token, now: now).jti == minted.jti)
        let wrongSet = try TokenVerifier(keySet: JWKS(keys: [other.verificationKey.jwk]), audience: "deployer")
        #expect(try failure(minted.token, verifier: wrongSet) == .unknownKey(kid: key.verificationKey.thumbprint))
    }

    @Test func expiryAndNotBeforeWithLeeway() throws {
        let minted = try mint()  // iat = nbf = now, exp = now + 300
        #expect(try failure(minted.token, at: now + 329) == nil)
        let expired = try failure(minted.token, at: now + 342)
        #expect(expired == .expired(secondsAgo: 42))
        #expect(expired?.description == "expired 42s ago")
        #expect(try failure(minted.token, at: now + 300, verifier: verifier(leeway: 0)) == .expired(secondsAgo: 0))
        #expect(try failure(minted.token, at: now - 30) == nil)
        #expect(try failure(minted.token, at: now - 31) == .notYetValid(secondsUntil: 31))
        #expect(throws: CredentialsError.self) { try verifier(leeway: 301) }
        #expect(throws: CredentialsError.self) { try verifier(leeway: -1) }
    }

    @Test func audienceIssuerAndRevocation() throws {
        let minted = try mint()
        let mismatch = try failure(minted.token, verifier: verifier(audience: "billing"))
        #expect(mismatch == .audienceMismatch(expected: "billing", found: ["deployer"]))
        #expect(mismatch?.description.hasPrefix("audience mismatch") == true)
        let unchecked = try verifier(audience: nil).verify(minted.token, now: now)
        #expect(!unchecked.audienceChecked)
        let issuerCheck = try TokenVerifier(key: key.verificationKey, audience: "deployer", issuer: "someone-else")
        #expect(try failure(minted.token, verifier: issuerCheck) == .issuerMismatch(expected: "someone-else", found: "stepguard"))
        let revoked = try failure(minted.token, verifier: verifier(revoked: [minted.jti]))
        #expect(revoked == .revoked(jti: minted.jti))
        #expect(revoked?.description.hasPrefix("revoked") == true)
    }

    @Test func wrongKeyIsBadSignature() throws {
        let minted = try mint()
        let other = try SigningKey.generate()
        let verifier = try TokenVerifier(key: other.verificationKey, audience: "deployer")
        // kid names the real key, so the failure says the key is not the one the token names.
        #expect(try failure(minted.token, verifier: verifier) == .unknownKey(kid: key.verificationKey.thumbprint))
        // Without a kid, it is a bad signature.
        let header: JSONValue = ["alg": "EdDSA", "typ": "JWT"]
        let claims = try #require(Base64.urlDecode(String(minted.token.split(separator: ".")[1])))
        let noKid = JWS.sign(header: header, payload: claims, key: key)
        #expect(try self.verifier().verify(noKid, now: now).jti == minted.jti)
        let bad = try failure(noKid, verifier: verifier)
        #expect(bad == .badSignature)
        #expect(bad?.description.hasPrefix("bad signature") == true)
    }

    /// Re-signs the token's claims under a different header, with the same key.
    func resigned(_ token: String, header: JSONValue) throws -> String {
        let claims = try #require(Base64.urlDecode(String(token.split(separator: ".")[1])))
        return JWS.sign(header: header, payload: claims, key: key)
    }

    @Test func algorithmBinding() throws {
        let minted = try mint()
        let segments = minted.token.split(separator: ".").map(String.init)
        // alg none, with and without a signature.
        let noneHeader = Base64.urlEncode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        #expect(try failure(noneHeader + "." + segments[1] + ".") == .algNone)
        #expect(try failure(noneHeader + "." + segments[1] + "." + segments[2]) == .algNone)
        #expect(try failure(noneHeader + "." + segments[1] + ".")?.description.hasPrefix("alg none refused") == true)
        #expect(try failure(Base64.urlEncode(Array(#"{"alg":"None"}"#.utf8)) + "." + segments[1] + ".") == .algNone)
        // HS256 keyed with the public key bytes: the classic confusion attack.
        let hsHeader = Base64.urlEncode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let input = hsHeader + "." + segments[1]
        for secret in [key.verificationKey.publicKey.rawRepresentation, Array(key.verificationKey.pem.utf8)] {
            let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), key: secret)
            #expect(try failure(input + "." + Base64.urlEncode(mac)) == .algRefused(alg: "HS256"))
        }
        for alg in ["RS256", "ES256", "Ed25519", "eddsa", "HS512"] {
            let header: JSONValue = .object(JSONObject([("alg", .string(alg)), ("typ", "JWT")]))
            #expect(try failure(resigned(minted.token, header: header)) == .algRefused(alg: alg))
        }
        #expect(try failure(resigned(minted.token, header: ["typ": "JWT"])) == .malformed("the header has no \"alg\""))
        #expect(try failure(resigned(minted.token, header: ["alg": "EdDSA", "crit": ["exp"]]))?.code == "unsupported_header")
        #expect(try failure(resigned(minted.token, header: ["alg": "EdDSA", "jwk": ["kty": "OKP"]]))?.code == "unsupported_header")
        #expect(try failure(resigned(minted.token, header: ["alg": "EdDSA", "typ": "at+jwt"]))?.code == "unsupported_header")
    }

    @Test func everyByteFlipFails() throws {
        let minted = try mint()
        let bytes = Array(minted.token.utf8)
        let verifier = try verifier()
        var rejected = 0
        for index in bytes.indices where bytes[index] != UInt8(ascii: ".") {
            var copy = bytes
            // Swap for another base64url character, so the failure is not just a decoding error.
            copy[index] = copy[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let token = String(decoding: copy, as: UTF8.self)
            do {
                _ = try verifier.verify(token, now: now)
                Issue.record("accepted a token changed at byte \(index)")
            } catch {
                rejected += 1
            }
        }
        #expect(rejected == bytes.count - 2)
        print("byte flips: \(rejected)/\(bytes.count - 2) modified tokens rejected")
    }

    @Test func malformedInput() throws {
        let minted = try mint()
        let segments = minted.token.split(separator: ".").map(String.init)
        #expect(try failure("")?.code == "malformed")
        #expect(try failure(segments[0] + "." + segments[1]) == .malformed("a compact JWS has 3 segments separated by \".\", found 2"))
        #expect(try failure(minted.token + ".x")?.code == "malformed")
        #expect(try failure(segments[0] + "." + segments[1] + "." + segments[2] + "=")?.code == "malformed")
        #expect(try failure("e30." + segments[1] + "." + segments[2])?.code == "malformed")  // {} has no alg
        #expect(try failure("!!!." + segments[1] + "." + segments[2])?.code == "malformed")
        #expect(try failure(Base64.urlEncode(Array("[1]".utf8)) + "." + segments[1] + "." + segments[2])?.code == "malformed")
        #expect(try failure(Base64.urlEncode(Array("not json".utf8)) + "." + segments[1] + "." + segments[2])?.code == "malformed")
        // A 10 MB header is refused by size before anything is decoded.
        let huge = String(repeating: "A", count: 10 << 20) + "." + segments[1] + "." + segments[2]
        #expect(try failure(huge) == .tooLarge(bytes: huge.utf8.count, limit: 65536))
        // Deeply nested JSON in the header and in the claims is refused, not recursed into.
        let deep = String(repeating: "[", count: 10000) + String(repeating: "]", count: 10000)
        let deepHeader = Base64.urlEncode(Array(("{\"alg\":\"EdDSA\",\"x\":" + deep + "}").utf8))
        #expect(try failure(deepHeader + "." + segments[1] + "." + segments[2])?.code == "malformed")
        let nestedClaims = "{\"a\":" + String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 41)
        let signedDeep = JWS.sign(header: ["alg": "EdDSA"], payload: Array(nestedClaims.utf8), key: key)
        #expect(try failure(signedDeep)?.code == "malformed")
        #expect(throws: TokenFailure.self) { try DecodedToken.decode(signedDeep) }
        // Duplicate claim names are ambiguous and refused.
        let duplicate = JWS.sign(header: ["alg": "EdDSA"], payload: Array(#"{"sub":"a","sub":"b"}"#.utf8), key: key)
        #expect(try failure(duplicate)?.code == "malformed")
    }

    @Test func claimTypesAreChecked() throws {
        func signed(_ claims: JSONValue) -> String {
            JWS.sign(header: ["alg": "EdDSA", "typ": "JWT"], payload: CanonicalJSON.serialize(claims), key: key)
        }
        let good = try #require(try mint().claims.objectValue)
        func with(_ name: String, _ value: JSONValue?) -> JSONValue {
            var pairs: [(String, JSONValue)] = good.map { ($0.key, $0.value) }.filter { $0.0 != name }
            if let value { pairs.append((name, value)) }
            return .object(JSONObject(pairs))
        }
        #expect(try failure(signed(with("exp", nil))) == .missingClaim("exp"))
        #expect(try failure(signed(with("exp", "soon")))?.code == "invalid_claim")
        #expect(try failure(signed(with("exp", .double(1.8e9 + 0.5))))?.code == "invalid_claim")
        #expect(try failure(signed(with("jti", nil))) == .missingClaim("jti"))
        #expect(try failure(signed(with("aud", [1])))?.code == "invalid_claim")
        #expect(try failure(signed(with("aud", ["x", "deployer"]))) == nil)
        #expect(try failure(signed(with("authorization_details", nil))) == .missingClaim("authorization_details"))
        let two: JSONValue = .array([sampleAuthorization().json, sampleAuthorization().json])
        #expect(try failure(signed(with("authorization_details", two)))?.code == "invalid_claim")
        #expect(try failure(signed(with("iat", .int(now + 3600))))?.code == "issued_in_future")
    }
}

@Suite struct ReportTests {
    @Test func jsonForms() throws {
        let key = SigningKey(try Ed25519.PrivateKey(seed: rfcSeed))
        let minted = try TokenMinter(key: key).mint(sampleRequest(ttl: 900, policyMaxTTL: 120))
        #expect(minted.json["capped_by"] == "policy")
        #expect(minted.json["ttl"]?.int64Value == 120)
        #expect(minted.capWarning == "requested TTL 900s capped to 120s by the permit's @max_ttl")
        let verifier = try TokenVerifier(key: key.verificationKey, audience: "deployer")
        let verified = try verifier.verify(minted.token, now: 1_800_000_000)
        #expect(verified.json["valid"] == true)
        #expect(verified.json["expires_at"] == "2027-01-15T08:02:00Z")
        do {
            _ = try verifier.verify(minted.token, now: 1_800_000_162)
            Issue.record("accepted an expired token")
        } catch {
            #expect(CanonicalJSON.string(error.json) == #"{"error":{"code":"expired","message":"expired 42s ago"},"valid":false}"#)
        }
        #expect(try DecodedToken.decode(minted.token).json["verified"] == false)
    }
}

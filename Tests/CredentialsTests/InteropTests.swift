import Crypto
import Foundation
import JSONValue
import Testing
import Credentials

/// Which Python JOSE library is installed, if any: PyJWT first, joserfc otherwise.
enum PythonJOSE: String {
    case pyjwt, joserfc

    static let detected: PythonJOSE? = {
        guard available("python3") else { return nil }
        // STEPGUARD_TEST_JOSE=joserfc exercises the fallback where both are installed.
        if let forced = ProcessInfo.processInfo.environment["STEPGUARD_TEST_JOSE"], let library = PythonJOSE(rawValue: forced) {
            return library
        }
        if run("python3", ["-c", "import jwt, cryptography"])?.status == 0 { return .pyjwt }
        if run("python3", ["-c", "import joserfc"])?.status == 0 { return .joserfc }
        return nil
    }()

    /// Verifies argv[1] (token) with argv[2] (public key PEM file) for audience argv[3]; prints the claims.
    var verifyScript: String {
        switch self {
        case .pyjwt:
            return """
                import sys, json, jwt
                key = open(sys.argv[2]).read()
                claims = jwt.decode(sys.argv[1], key, algorithms=["EdDSA"], audience=sys.argv[3],
                                    options={"require": ["exp", "iat", "nbf", "iss", "sub", "aud", "jti"]})
                print(json.dumps(claims, sort_keys=True))
                """
        case .joserfc:
            return """
                import sys, json, warnings
                warnings.simplefilter("ignore")
                from joserfc import jwt
                from joserfc.jwk import OKPKey
                key = OKPKey.import_key(open(sys.argv[2]).read())
                token = jwt.decode(sys.argv[1], key, algorithms=["EdDSA"])
                jwt.JWTClaimsRegistry(aud={"essential": True, "value": sys.argv[3]}, exp={"essential": True}).validate(token.claims)
                print(json.dumps(token.claims, sort_keys=True))
                """
        }
    }

    /// Signs the JSON claims in argv[2] with the private key PEM file argv[1], header kid argv[3].
    var signScript: String {
        switch self {
        case .pyjwt:
            return """
                import sys, json, jwt
                print(jwt.encode(json.loads(sys.argv[2]), open(sys.argv[1]).read(), algorithm="EdDSA",
                                 headers={"kid": sys.argv[3], "typ": "JWT"}))
                """
        case .joserfc:
            return """
                import sys, json, warnings
                warnings.simplefilter("ignore")
                from joserfc import jwt
                from joserfc.jwk import OKPKey
                key = OKPKey.import_key(open(sys.argv[1]).read())
                print(jwt.encode({"alg": "EdDSA", "typ": "JWT", "kid": sys.argv[3]}, json.loads(sys.argv[2]), key, algorithms=["EdDSA"]))
                """
        }
    }
}

@Suite(.enabled(if: PythonJOSE.detected != nil, "python3 with PyJWT or joserfc is not available"))
struct PythonInteropTests {
    let library = PythonJOSE.detected!

    var now: Int64 { Int64(Date().timeIntervalSince1970) }

    @Test func ourTokenVerifiesInPython() throws {
        let dir = try TempDir()
        let key = try SigningKey.generate()
        let files = try key.write(prefix: dir.file("issuer"))
        let minted = try TokenMinter(key: key).mint(sampleRequest(now: now))
        let result = try #require(run("python3", ["-c", library.verifyScript, minted.token, files.publicKeyPath, "deployer"]))
        #expect(result.status == 0, "\(library.rawValue): \(result.stderr)")
        let claims = try JSONParser.parse(result.stdout)
        #expect(claims["jti"]?.stringValue == minted.jti)
        #expect(claims["sub"]?.stringValue == "spiffe://example.org/agent/builder")
        #expect(claims["authorization_details"] == .array([sampleAuthorization().json]))
        print("\(library.rawValue) verified a stepguard token: jti \(minted.jti)")

        // Python must refuse it for another audience, and when the signature is altered.
        let wrongAudience = try #require(run("python3", ["-c", library.verifyScript, minted.token, files.publicKeyPath, "billing"]))
        #expect(wrongAudience.status != 0)
        var bytes = Array(minted.token.utf8)
        bytes[bytes.count - 5] = bytes[bytes.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let altered = try #require(run("python3", ["-c", library.verifyScript, String(decoding: bytes, as: UTF8.self), files.publicKeyPath, "deployer"]))
        #expect(altered.status != 0)
    }

    @Test(.enabled(if: available("openssl"), "openssl is not installed"))
    func pythonTokenFromOpenSSLKeyVerifiesHere() throws {
        let dir = try TempDir()
        let keyPath = dir.file("python.key")
        let pubPath = dir.file("python.pub")
        #expect(run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", keyPath])?.status == 0)
        #expect(run("openssl", ["pkey", "-in", keyPath, "-pubout", "-out", pubPath])?.status == 0)
        let publicKey = try VerificationKey.load(path: pubPath)
        let issued = now
        let claims: JSONValue = .object(JSONObject([
            ("iss", "python-issuer"), ("sub", "spiffe://example.org/agent/py"), ("aud", "deployer"),
            ("iat", .int(issued)), ("nbf", .int(issued)), ("exp", .int(issued + 120)), ("jti", "py-jti-1"),
            ("authorization_details", .array([sampleAuthorization().json])),
        ]))
        let signed = try #require(run("python3", ["-c", library.signScript, keyPath, CanonicalJSON.string(claims), publicKey.thumbprint]))
        #expect(signed.status == 0, "\(library.rawValue): \(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let verifier = try TokenVerifier(key: publicKey, audience: "deployer")
        let verified = try verifier.verify(token, now: issued + 1)
        #expect(verified.jti == "py-jti-1")
        #expect(verified.issuer == "python-issuer")
        #expect(verified.authorization == sampleAuthorization())
        // Also through a JWKS holding the key, selected by the kid Python put in the header.
        let setVerifier = try TokenVerifier(keySet: JWKS(keys: [try SigningKey.generate().verificationKey.jwk, publicKey.jwk]), audience: "deployer")
        #expect(try setVerifier.verify(token, now: issued + 1).jti == "py-jti-1")

        // Any changed byte in header, payload or signature fails.
        let bytes = Array(token.utf8)
        var rejected = 0
        for index in bytes.indices where bytes[index] != UInt8(ascii: ".") {
            var copy = bytes
            copy[index] = copy[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            do {
                _ = try verifier.verify(String(decoding: copy, as: UTF8.self), now: issued + 1)
                Issue.record("accepted a Python token changed at byte \(index)")
            } catch {
                rejected += 1
            }
        }
        #expect(rejected == bytes.count - 2)
        print("\(library.rawValue) token from an openssl key verified; \(rejected) single-byte changes all rejected")
    }
}

import Crypto
import Foundation
import JSONValue
import Testing
@testable import Credentials

private let pyjwtAvailable: Bool = available("openssl") && available("python3")
    && run("python3", ["-c", "import jwt, cryptography"])?.status == 0

/// Signs with PyJWT: argv[1] private key PEM file, argv[2] algorithm, argv[3] kid, argv[4] claims
/// JSON. Prints the token, then the public key as a JWK.
private let signScript = """
    import sys, json, jwt
    from cryptography.hazmat.primitives import serialization
    from jwt.algorithms import RSAAlgorithm, ECAlgorithm
    pem = open(sys.argv[1], "rb").read()
    key = serialization.load_pem_private_key(pem, password=None)
    alg = sys.argv[2]
    print(jwt.encode(json.loads(sys.argv[4]), pem, algorithm=alg, headers={"kid": sys.argv[3]}))
    tool = RSAAlgorithm if alg[0] in "RP" else ECAlgorithm
    print(tool.to_jwk(key.public_key()))
    """

/// Tokens signed by Python's `cryptography` through PyJWT, with keys from `openssl genpkey`,
/// verify; the same tokens with one byte changed anywhere do not.
@Suite(.enabled(if: pyjwtAvailable, "openssl, python3, PyJWT and cryptography are needed"))
struct IdentityInteropTests {
    static let cases: [(IdentityAlgorithm, [String])] = [
        (.rs256, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
        (.rs384, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]),
        (.rs512, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"]),
        (.ps256, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
        (.ps384, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]),
        (.ps512, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"]),
        (.es256, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
        (.es384, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
        (.es512, ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]),
    ]

    @Test(arguments: cases)
    func pythonSignedSVIDVerifies(algorithm: IdentityAlgorithm, keyOptions: [String]) throws {
        let dir = try TempDir()
        let keyFile = dir.file("key.pem")
        let generated = try #require(run("openssl", ["genpkey"] + keyOptions + ["-out", keyFile]))
        #expect(generated.status == 0, "\(generated.stderr)")
        let publicFile = dir.file("key.pub")
        #expect(run("openssl", ["pkey", "-in", keyFile, "-pubout", "-out", publicFile])?.status == 0)

        let claims = #"{"sub":"spiffe://corp.example/agents/bot","aud":["stepguard"],"exp":1800000600,"iat":1800000000,"repo":"x"}"#
        let signed = try #require(run("python3", ["-c", signScript, keyFile, algorithm.rawValue, "k1", claims]))
        #expect(signed.status == 0, "\(signed.stderr)")
        let lines = signed.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let token = lines[0]

        // The JWK PyJWT exports and the PEM openssl writes are the same key to us.
        var jwk = try #require(try JSONParser.parse(lines[1]).objectValue)
        jwk["kid"] = "k1"
        jwk["use"] = "jwt-svid"
        let fromPEM = try IdentityPublicKey(pem: try String(contentsOfFile: publicFile, encoding: .utf8))
        let fromJWK = try IdentityPublicKey(jwk: jwk)
        #expect(fromPEM.typeName == fromJWK.typeName)
        if case .rsa(let rsa) = fromPEM, case .rsa(let other) = fromJWK {
            #expect(rsa.modulus == other.modulus && rsa.exponent == other.exponent)
            // The PKCS #1 form (BEGIN RSA PUBLIC KEY) is the same key too.
            let pkcs1 = try #require(run("openssl", ["rsa", "-in", keyFile, "-RSAPublicKey_out"]))
            guard case .rsa(let again) = try IdentityPublicKey(pem: pkcs1.stdout) else { Issue.record("not RSA"); return }
            #expect(again.modulus == rsa.modulus)
        }
        if case .ec(let ec) = fromPEM, case .ec(let other) = fromJWK {
            #expect(ec.x == other.x && ec.y == other.y && ec.curve == other.curve)
        }
        #expect(algorithm.allows(fromPEM))

        let bundle: JSONValue = .object(JSONObject([("keys", .array([.object(jwk)]))]))
        let trustText = #"{"kind":"spiffe","trust_domain":"corp.example","audience":"stepguard","bundle":"#
            + String(decoding: CanonicalJSON.serialize(bundle), as: UTF8.self) + "}"
        let trust = try TrustFile.parse(Array(trustText.utf8), file: "trust.json") { name throws(CredentialsError) in
            throw .io(path: name, message: "unused")
        }
        let verifier = IdentityVerifier(trust: trust)
        let identity = try verifier.verify(token, now: 1_800_000_100)
        #expect(identity.subject == "spiffe://corp.example/agents/bot")
        #expect(identity.algorithm == algorithm)
        #expect(identity.attributes.objectValue?["repo"]?.stringValue == "x")

        // One changed character in the header, the claims or the signature: refused.
        let bytes = Array(token.utf8)
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        for position in [3, dots[0] + 5, dots[1] + 2, bytes.count - 3] {
            var tampered = bytes
            tampered[position] = tampered[position] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(throws: TokenFailure.self, "position \(position)") {
                try verifier.verify(String(decoding: tampered, as: UTF8.self), now: 1_800_000_100)
            }
        }
    }
}

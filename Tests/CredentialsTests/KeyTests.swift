import Crypto
import Foundation
import JSONValue
import Testing
import Credentials

@Suite struct KeyTests {
    @Test func pemRoundTripAndExactDER() throws {
        let key = SigningKey(try Ed25519.PrivateKey(seed: rfcSeed))
        #expect(Hex.encode(key.pkcs8DER) == "302e020100300506032b657004220420" + Hex.encode(rfcSeed))
        #expect(Hex.encode(key.verificationKey.spkiDER) == "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let reread = try SigningKey(text: key.pem)
        #expect(reread.privateKey.seed == rfcSeed)
        #expect(try VerificationKey(text: key.verificationKey.pem) == key.verificationKey)
        #expect(key.pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(key.verificationKey.pem == "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n")
    }

    @Test func rfc7638ThumbprintOfRFC8037Key() throws {
        let jwk = try JWK(json: #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)
        #expect(jwk.thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        #expect(SigningKey(try Ed25519.PrivateKey(seed: rfcSeed)).verificationKey.thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    @Test func rfc8037A4JWSByteForByte() throws {
        let jwk = try JWK(json: #"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)
        let key = try #require(jwk.signingKey)
        let expected = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        let token = JWS.sign(header: ["alg": "EdDSA"], payload: Array("Example of Ed25519 signing".utf8), key: key)
        #expect(token == expected)
        #expect(try JWS.verify(expected, key: jwk.verificationKey) == Array("Example of Ed25519 signing".utf8))
    }

    @Test func jwkAndJWKS() throws {
        let key = try SigningKey.generate()
        let publicJWK = key.verificationKey.jwk
        #expect(publicJWK.kid == key.verificationKey.thumbprint)
        let text = CanonicalJSON.string(publicJWK.json())
        #expect(!text.contains("\"d\""))
        #expect(try JWK(json: text) == publicJWK)
        let privateText = CanonicalJSON.string(JWK(privateKey: key).json(includePrivate: true))
        #expect(try JWK(json: privateText).signingKey?.privateKey.seed == key.privateKey.seed)

        let other = try SigningKey.generate()
        let set = JWKS(keys: [publicJWK, other.verificationKey.jwk])
        let reread = try JWKS(json: CanonicalJSON.string(set.json))
        #expect(reread.keys.count == 2)
        #expect(reread.key(forKID: other.verificationKey.thumbprint) == other.verificationKey)
        #expect(reread.key(forKID: nil) == nil)
        #expect(reread.key(forKID: "nope") == nil)
        // Other key types in a set are skipped, not fatal.
        let mixed = #"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},"# + CanonicalJSON.string(publicJWK.json()) + "]}"
        #expect(try JWKS(json: mixed).keys.count == 1)
    }

    @Test(arguments: [
        (#"{"kty":"RSA","n":"x","e":"AQAB"}"#, "RSA"),
        (#"{"kty":"EC","crv":"P-256","x":"a","y":"b"}"#, "EC"),
        (#"{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#, "X25519"),
        (#"{"kty":"OKP","crv":"Ed25519","x":"short"}"#, "32 bytes"),
        (#"{"kty":"OKP","crv":"Ed25519"}"#, "32 bytes"),
        (#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":"HS256"}"#, "EdDSA"),
        (#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#, "not the same key pair"),
        ("[1,2]", "object"),
        ("{", "not JSON"),
    ])
    func badJWKs(text: String, mention: String) {
        do {
            _ = try JWK(json: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(mention), "\(error.description)")
        }
    }

    @Test func badPEM() throws {
        let key = try SigningKey.generate()
        let pem = key.pem
        // Truncated: no END line.
        let truncated = String(pem.prefix(40))
        #expect(throws: CredentialsError.self) { try SigningKey(text: truncated) }
        do {
            _ = try SigningKey(text: truncated)
        } catch {
            #expect(error.description.contains("truncated"))
        }
        // Body cut short but armour intact.
        let lines = pem.split(separator: "\n")
        let cut = "\(lines[0])\n\(lines[1].prefix(20))\n\(lines[2])\n"
        #expect(throws: CredentialsError.self) { try SigningKey(text: cut) }
        // Mismatched END.
        #expect(throws: CredentialsError.self) { try SigningKey(text: pem.replacingOccurrences(of: "END PRIVATE", with: "END PUBLIC")) }
        // Public where private is needed and the other way round.
        #expect(throws: CredentialsError.self) { try SigningKey(text: key.verificationKey.pem) }
        #expect(throws: CredentialsError.self) { try VerificationKey(text: pem) }
        #expect(throws: CredentialsError.self) { try SigningKey(text: "") }
        #expect(throws: CredentialsError.self) { try SigningKey(text: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n") }
        // Garbage DER inside good armour.
        #expect(throws: CredentialsError.self) { try SigningKey(text: PEM.encode(label: "PRIVATE KEY", der: [0x30, 0x80, 0x00])) }
        #expect(throws: CredentialsError.self) { try SigningKey(text: PEM.encode(label: "PRIVATE KEY", der: Array(key.pkcs8DER.dropLast()))) }
        #expect(throws: CredentialsError.self) { try SigningKey(text: PEM.encode(label: "PRIVATE KEY", der: key.pkcs8DER + [0])) }
    }

    @Test func wrongAlgorithmOIDIsNamed() throws {
        // An X25519 PKCS#8 key: same shape, OID 1.3.101.110.
        var der = SigningKey(try Ed25519.PrivateKey(seed: rfcSeed)).pkcs8DER
        der[11] = 0x6e
        do {
            _ = try SigningKey(pkcs8DER: der)
            Issue.record("accepted an X25519 key")
        } catch {
            #expect(error == .wrongKeyType(found: "X25519"))
        }
    }

    @Test func keygenFilesAndPermissions() throws {
        let dir = try TempDir()
        let key = try SigningKey.generate()
        let files = try key.write(prefix: dir.file("agent"))
        let attributes = try FileManager.default.attributesOfItem(atPath: files.privateKeyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try SigningKey.load(path: files.privateKeyPath).privateKey.seed == key.privateKey.seed)
        #expect(try VerificationKey.load(path: files.publicKeyPath) == key.verificationKey)
        // Never overwrite.
        #expect(throws: CredentialsError.fileExists(path: files.privateKeyPath)) { try SigningKey.generate().write(prefix: dir.file("agent")) }
        #expect(try SigningKey.load(path: files.privateKeyPath).privateKey.seed == key.privateKey.seed)
        // No temporary files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["agent.key", "agent.pub"])
        // A key readable by others is refused, with the fix in the message.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: files.privateKeyPath)
        do {
            _ = try SigningKey.load(path: files.privateKeyPath)
            Issue.record("loaded a world-readable key")
        } catch {
            #expect(error == .insecureKeyFile(path: files.privateKeyPath, mode: "0644"))
            #expect(error.description.contains("chmod 600"))
        }
        #expect(throws: CredentialsError.self) { try SigningKey.load(path: dir.file("missing.key")) }
    }
}

/// Interoperability with OpenSSL; skipped where openssl is not installed.
@Suite(.enabled(if: available("openssl"), "openssl is not installed"))
struct OpenSSLKeyTests {
    @Test func opensslKeyLoadsAndReencodesIdentically() throws {
        let dir = try TempDir()
        let keyPath = dir.file("openssl.key")
        let generated = try #require(run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", keyPath]))
        #expect(generated.status == 0, "\(generated.stderr)")
        chmod(keyPath, 0o600)
        let key = try SigningKey.load(path: keyPath)
        #expect(key.pem == (try String(contentsOfFile: keyPath, encoding: .utf8)))
        let pub = try #require(run("openssl", ["pkey", "-in", keyPath, "-pubout"]))
        #expect(pub.status == 0)
        #expect(key.verificationKey.pem == pub.stdout)
        #expect(try VerificationKey(text: pub.stdout) == key.verificationKey)
    }

    @Test func ourKeysLoadInOpenSSL() throws {
        let dir = try TempDir()
        let key = try SigningKey.generate()
        let files = try key.write(prefix: dir.file("ours"))
        let text = try #require(run("openssl", ["pkey", "-in", files.privateKeyPath, "-text", "-noout"]))
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("ED25519 Private-Key"))
        let pub = try #require(run("openssl", ["pkey", "-in", files.privateKeyPath, "-pubout"]))
        #expect(pub.stdout == key.verificationKey.pem)
        let pubIn = try #require(run("openssl", ["pkey", "-pubin", "-in", files.publicKeyPath, "-noout"]))
        #expect(pubIn.status == 0, "\(pubIn.stderr)")
    }

    @Test func rsaKeyIsNamedAsWrongType() throws {
        let dir = try TempDir()
        let keyPath = dir.file("rsa.key")
        let generated = try #require(run("openssl", ["genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:1024", "-out", keyPath]))
        #expect(generated.status == 0)
        chmod(keyPath, 0o600)
        #expect(throws: CredentialsError.wrongKeyType(found: "RSA")) { try SigningKey.load(path: keyPath) }
    }
}

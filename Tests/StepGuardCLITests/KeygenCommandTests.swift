import Foundation
import Testing
@testable import StepGuardCLI

struct KeygenCommandTests {
    typealias F = CredentialFixtures

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func writesAPrivateKeyOnlyItsOwnerCanRead() throws {
        let dir = try F.temporaryDirectory()
        let prefix = dir.appendingPathComponent("issuer").path
        let result = runCLI(["keygen", "--out", prefix])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.mode(prefix + ".key") == 0o600)
        #expect(try Self.mode(prefix + ".pub") == 0o644)
        let key = try String(contentsOfFile: prefix + ".key", encoding: .utf8)
        let pub = try String(contentsOfFile: prefix + ".pub", encoding: .utf8)
        #expect(key.hasPrefix("-----BEGIN PRIVATE KEY-----\n") && key.hasSuffix("-----END PRIVATE KEY-----\n"))
        #expect(pub.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && pub.hasSuffix("-----END PUBLIC KEY-----\n"))
        #expect(result.stdout.contains("private key  \(prefix).key  (PKCS#8 PEM, mode 0600)\n"))
        let kidLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("kid ") })
        let kid = kidLine.split(separator: " ").last.map(String.init)

        // The new key signs, and its kid is what keygen printed.
        let minted = F.mint("build", key: prefix + ".key")
        #expect(minted.status == 0, "\(minted.stderr)")
        #expect(try F.segment(minted.stdout, 0)["kid"] as? String == kid)
        let verified = runCLI(["token", "verify", "--key", prefix + ".pub", "--now", F.nowText, minted.stdout])
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    @Test func neverOverwritesAKey() throws {
        let dir = try F.temporaryDirectory()
        let prefix = dir.appendingPathComponent("issuer").path
        #expect(runCLI(["keygen", "--out", prefix]).status == 0)
        let before = try String(contentsOfFile: prefix + ".key", encoding: .utf8)
        let again = runCLI(["keygen", "--out", prefix])
        #expect(again.status == 2)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("\"\(prefix).key\" already exists"))
        #expect(try String(contentsOfFile: prefix + ".key", encoding: .utf8) == before)
    }

    @Test func anExistingPublicKeyStopsKeygenBeforeAnythingIsWritten() throws {
        let dir = try F.temporaryDirectory()
        let prefix = dir.appendingPathComponent("issuer").path
        try "keep me\n".write(toFile: prefix + ".pub", atomically: true, encoding: .utf8)
        let result = runCLI(["keygen", "--out", prefix])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\"\(prefix).pub\" already exists"))
        #expect(!FileManager.default.fileExists(atPath: prefix + ".key"))
        #expect(try String(contentsOfFile: prefix + ".pub", encoding: .utf8) == "keep me\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["issuer.pub"])
    }

    @Test func jwksOnStdoutVerifiesTokensOfTheNewKey() throws {
        let dir = try F.temporaryDirectory()
        let prefix = dir.appendingPathComponent("issuer").path
        let result = runCLI(["keygen", "--out", prefix, "--jwks"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let keys = try #require(object["keys"] as? [[String: Any]])
        #expect(keys.count == 1)
        let jwk = keys[0]
        #expect(jwk["kty"] as? String == "OKP")
        #expect(jwk["crv"] as? String == "Ed25519")
        #expect(jwk["alg"] as? String == "EdDSA")
        #expect(jwk["use"] as? String == "sig")
        #expect(jwk["d"] == nil, "the JWKS must not carry the private key")
        let kid = try #require(jwk["kid"] as? String)
        #expect(kid.count == 43)
        #expect(result.stderr.contains("kid \(kid)"))

        // x is the raw public key: the last 32 bytes of the SPKI DER in PREFIX.pub.
        let pem = try String(contentsOfFile: prefix + ".pub", encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try #require(Data(base64Encoded: body))
        var x = try #require(jwk["x"] as? String).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while x.count % 4 != 0 { x += "=" }
        #expect(try #require(Data(base64Encoded: x)) == der.suffix(32))

        let jwksFile = dir.appendingPathComponent("jwks.json").path
        try result.stdout.write(toFile: jwksFile, atomically: true, encoding: .utf8)
        let minted = F.mint("build", key: prefix + ".key")
        #expect(try F.segment(minted.stdout, 0)["kid"] as? String == kid)
        let verified = runCLI(["token", "verify", "--jwks", jwksFile, "--now", F.nowText, minted.stdout])
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    @Test func jsonFormatNamesTheFilesAndKid() throws {
        let dir = try F.temporaryDirectory()
        let prefix = dir.appendingPathComponent("k").path
        let result = runCLI(["keygen", "--out", prefix, "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["private_key"] as? String == prefix + ".key")
        #expect(object["public_key"] as? String == prefix + ".pub")
        #expect((object["kid"] as? String)?.count == 43)
    }

    @Test func missingDirectoryIsAnError() throws {
        let dir = try F.temporaryDirectory()
        let result = runCLI(["keygen", "--out", dir.appendingPathComponent("no/such/dir/k").path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("stepguard: error: cannot access"))
    }

    @Test(.enabled(if: which("openssl") != nil, "openssl is not installed"))
    func opensslReadsOurKeysAndWeReadTheirs() throws {
        let openssl = try #require(which("openssl"))
        let dir = try F.temporaryDirectory()
        let prefix = dir.appendingPathComponent("ours").path
        #expect(runCLI(["keygen", "--out", prefix]).status == 0)
        // Ours in openssl: it derives the same public key we wrote.
        let derived = try #require(runProcess(openssl, ["pkey", "-in", prefix + ".key", "-pubout"]))
        #expect(derived.status == 0, "\(derived.stderr)")
        #expect(derived.stdout == (try String(contentsOfFile: prefix + ".pub", encoding: .utf8)))

        // Theirs in stepguard: a key from openssl genpkey signs, its public half verifies.
        let theirs = dir.appendingPathComponent("theirs").path
        #expect(runProcess(openssl, ["genpkey", "-algorithm", "ed25519", "-out", theirs + ".key"])?.status == 0)
        #expect(runProcess(openssl, ["pkey", "-in", theirs + ".key", "-pubout", "-out", theirs + ".pub"])?.status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: theirs + ".key")
        let minted = F.mint("build", key: theirs + ".key")
        #expect(minted.status == 0, "\(minted.stderr)")
        let verified = runCLI(["token", "verify", "--key", theirs + ".pub", "--now", F.nowText, minted.stdout])
        #expect(verified.status == 0, "\(verified.stdout)")
        let wrong = runCLI(["token", "verify", "--key", prefix + ".pub", "--now", F.nowText, minted.stdout])
        #expect(wrong.status == 1)
    }

    @Test(arguments: [0o644, 0o640, 0o604])
    func privateKeyReadableByOthersIsRefused(mode: Int) throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(mode: mode, in: dir)
        let result = F.mint("build", key: key)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("is readable by group or others (mode 0\(String(mode, radix: 8)))"))
        #expect(result.stderr.contains("chmod 600 \"\(key)\""))
    }
}

import Foundation
import Testing
@testable import StepGuardCLI

struct TokenCommandTests {
    typealias F = CredentialFixtures

    /// A token for the rewritten deploy step, minted at the pinned time with the fixture key.
    static func mintedToken(_ step: String = "deploy-prod", extra: [String] = []) throws -> String {
        let dir = try F.temporaryDirectory()
        let result = F.mint(step, key: try F.key(in: dir), extra)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func verify(_ token: String, _ extra: [String] = [], now: String = CredentialFixtures.nowText, input: String = "")
        -> RunResult
    {
        runCLI(["token", "verify", "--key", F.publicKey, "--now", now] + extra + [token], input: input)
    }

    // MARK: verify

    @Test func validTokenTextIsGolden() throws {
        let token = try Self.mintedToken()
        let jti = try #require(try F.segment(token, 1)["jti"] as? String)
        let result = Self.verify(token, ["--audience", "deployer"], now: "2027-01-15T08:01:00Z")
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        try F.expectGolden(F.masked(result.stdout, [(jti, "<jti>")]), "token-verify-valid.txt")
    }

    @Test func validTokenAsJSON() throws {
        let token = try Self.mintedToken()
        let result = Self.verify(token, ["--audience", "deployer", "--format", "json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == true)
        #expect(object["audience_checked"] as? Bool == true)
        #expect((object["claims"] as? [String: Any])?["sub"] as? String == F.subject)
        #expect(object["expires_at"] as? String == "2027-01-15T08:05:00Z")
    }

    @Test func missingAudienceIsWarnedAbout() throws {
        let result = Self.verify(try Self.mintedToken())
        #expect(result.status == 0)
        #expect(result.stderr.contains("the audience was not checked"))
    }

    @Test func tokenFromStdin() throws {
        let token = try Self.mintedToken()
        let result = Self.verify("-", input: token + "\n")
        #expect(result.status == 0, "\(result.stdout)")
    }

    @Test func expiredIsNamedWithItsAge() throws {
        let token = try Self.mintedToken()
        // exp is 08:05:00; 42 seconds later with no leeway.
        let result = Self.verify(token, ["--leeway", "0s"], now: "2027-01-15T08:05:42Z")
        #expect(result.status == 1)
        #expect(result.stdout == "invalid: expired 42s ago\n")
        // Within the default 30s leeway it still passes; past it, it fails.
        #expect(Self.verify(token, now: "2027-01-15T08:05:20Z").status == 0)
        #expect(Self.verify(token, now: "2027-01-15T08:05:30Z").stdout == "invalid: expired 30s ago\n")
    }

    @Test func notYetValid() throws {
        let token = try Self.mintedToken()
        let result = Self.verify(token, now: "2027-01-15T07:58:00Z")
        #expect(result.status == 1)
        #expect(result.stdout == "invalid: not yet valid: usable in 120s\n")
    }

    @Test func audienceMismatch() throws {
        let result = Self.verify(try Self.mintedToken(), ["--audience", "billing"])
        #expect(result.status == 1)
        #expect(result.stdout == "invalid: audience mismatch: expected \"billing\", token is for \"deployer\"\n")
    }

    @Test func revokedAfterRevoke() throws {
        let token = try Self.mintedToken()
        let jti = try #require(try F.segment(token, 1)["jti"] as? String)
        let dir = try F.temporaryDirectory()
        let file = dir.appendingPathComponent("revoked.txt").path
        let revoke = runCLI(["token", "revoke", "--jti", jti, "--revoked", file])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(revoke.stdout == "revoked jti \(jti) in \(file)\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == jti + "\n")
        let result = Self.verify(token, ["--revoked", file])
        #expect(result.status == 1)
        #expect(result.stdout == "invalid: revoked: jti \"\(jti)\" is in the revocation list\n")

        let again = runCLI(["token", "revoke", "--jti", jti, "--revoked", file, "--format", "json"])
        #expect(again.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(object["already_revoked"] as? Bool == true)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == jti + "\n")
    }

    @Test func revokeAppendsAndAudits() throws {
        let dir = try F.temporaryDirectory()
        let file = dir.appendingPathComponent("revoked.txt").path
        let log = dir.appendingPathComponent("audit.jsonl").path
        try "# revoked credentials\nfirst-jti".write(toFile: file, atomically: true, encoding: .utf8)
        let result = runCLI(["token", "revoke", "--jti", "second-jti", "--revoked", file, "--audit", log])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "# revoked credentials\nfirst-jti\nsecond-jti\n")
        let record = try String(contentsOfFile: log, encoding: .utf8)
        #expect(record.contains("\"jti\":\"second-jti\"") && record.contains("\"kind\":\"revocation\""))
    }

    /// One `jti` in 64 that mint draws begins with a dash; it must revoke as written.
    @Test func revokeTakesAJTIThatBeginsWithADash() throws {
        let dir = try F.temporaryDirectory()
        let file = dir.appendingPathComponent("revoked.txt").path
        let result = runCLI(["token", "revoke", "--jti", "-ytzMeSBBBIeOq-q_YBF1A", "--revoked", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "-ytzMeSBBBIeOq-q_YBF1A\n")
    }

    @Test(arguments: ["", "has space", "#comment", String(repeating: "j", count: 257)])
    func revokeRefusesAJTIThatCannotBeALine(jti: String) throws {
        let dir = try F.temporaryDirectory()
        let file = dir.appendingPathComponent("revoked.txt").path
        let result = runCLI(["token", "revoke", "--jti", jti, "--revoked", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid jti"))
    }

    @Test func missingRevocationFileIsAnError() throws {
        let result = Self.verify(try Self.mintedToken(), ["--revoked", "/nonexistent/revoked.txt"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("cannot access \"/nonexistent/revoked.txt\""))
    }

    @Test func badSignature() throws {
        let token = try Self.mintedToken()
        let parts = token.split(separator: ".").map(String.init)
        // Another payload under the original signature.
        var claims = try F.segmentText(token, 1)
        claims = claims.replacingOccurrences(of: "deploy.validate", with: "deploy")
        let forged = parts[0] + "." + Self.base64url(claims) + "." + parts[2]
        let result = Self.verify(forged)
        #expect(result.status == 1)
        #expect(result.stdout == "invalid: bad signature: the token was not signed by this key or was modified\n")
    }

    @Test func anotherIssuersKeyIsNamed() throws {
        let result = runCLI(["token", "verify", "--key", F.otherPublicKey, "--now", F.nowText, try Self.mintedToken()])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("invalid: unknown key: no given key matches kid \"\(F.kid)\""))
    }

    @Test func algNoneIsRefused() throws {
        let token = try Self.mintedToken()
        let parts = token.split(separator: ".").map(String.init)
        let unsigned = Self.base64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "."
        let result = Self.verify(unsigned)
        #expect(result.status == 1)
        #expect(result.stdout == "invalid: alg none refused: unsigned tokens are never accepted\n")
        let json = Self.verify(unsigned, ["--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        #expect((object["error"] as? [String: Any])?["code"] as? String == "alg_none")
    }

    @Test func hmacAlgIsRefusedOnAnEd25519Key() throws {
        let token = try Self.mintedToken()
        let parts = token.split(separator: ".").map(String.init)
        let hs = Self.base64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2]
        let result = Self.verify(hs)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("invalid: alg \"HS256\" refused"))
    }

    @Test func everyChangedCharacterFailsVerification() throws {
        let token = try Self.mintedToken()
        var characters = Array(token)
        var accepted: [Int] = []
        for index in characters.indices where characters[index] != "." {
            let original = characters[index]
            characters[index] = original == "A" ? "B" : "A"
            if Self.verify(String(characters)).status != 1 { accepted.append(index) }
            characters[index] = original
        }
        #expect(accepted.isEmpty, "changed tokens accepted or not named at positions \(accepted)")
    }

    @Test func leewayIsBounded() throws {
        let result = Self.verify(try Self.mintedToken(), ["--leeway", "10m"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid option"))
    }

    @Test func keyAndJWKSAreExclusive() throws {
        let result = runCLI(["token", "verify", "--key", F.publicKey, "--jwks", F.publicKey, "x.y.z"])
        #expect(result.status == 2)
        let neither = runCLI(["token", "verify", "x.y.z"])
        #expect(neither.status == 2)
    }

    // MARK: inspect

    @Test func inspectSaysNothingWasVerified() throws {
        let token = try Self.mintedToken()
        let jti = try #require(try F.segment(token, 1)["jti"] as? String)
        let result = runCLI(["token", "inspect", token])
        #expect(result.status == 0)
        #expect(result.stdout.contains("NOT VERIFIED:"))
        try F.expectGolden(F.masked(result.stdout, [(jti, "<jti>")]), "token-inspect.txt")

        let json = runCLI(["token", "inspect", "--format", "json", "-"], input: token)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["verified"] as? Bool == false)
        #expect((object["header"] as? [String: Any])?["kid"] as? String == F.kid)
    }

    @Test func inspectShowsEvenAForgedToken() throws {
        let unsigned = Self.base64url("{\"alg\":\"none\"}") + "." + Self.base64url("{\"sub\":\"anyone\"}") + "."
        let result = runCLI(["token", "inspect", unsigned])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"sub\": \"anyone\""))
        #expect(result.stdout.contains("NOT VERIFIED"))
    }

    @Test func inspectRefusesDeeplyNestedClaims() throws {
        let token = Self.base64url("{\"alg\":\"EdDSA\"}") + "." + Self.base64url(Self.deepJSON(20_000)) + ".AA"
        let result = runCLI(["token", "inspect", token])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the claims are not valid JSON"))
        // verify never reads claims under a bad signature.
        #expect(Self.verify(token).stdout.hasPrefix("invalid: bad signature"))
    }

    // MARK: bad input

    static func deepJSON(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }

    /// Tokens from issue 6's bad-input list, and the words each failure must be named with.
    static let badTokens: [(String, String, String)] = [
        ("two segments", "eyJhbGciOiJFZERTQSJ9.e30", "a compact JWS has 3 segments separated by \".\", found 2"),
        ("four segments", "eyJhbGciOiJFZERTQSJ9.e30.AA.AA", "found 4"),
        ("one word", "garbage", "found 1"),
        ("empty", "", "no token on stdin"),
        ("bad base64", "eyJhbGciOiJFZERTQSJ9.e3!0.AA", "the payload segment is not unpadded base64url"),
        ("padded base64", "eyJhbGciOiJFZERTQSJ9.e30=.AA", "not unpadded base64url"),
        ("header not JSON", base64url("not json") + ".e30.AA", "the header is not valid JSON"),
        ("header an array", base64url("[1]") + ".e30.AA", "the header must be a JSON object"),
        ("deep header", base64url(deepJSON(20_000)) + ".e30.AA", "the header is not valid JSON"),
        ("huge deep header", base64url(deepJSON(1_000_000)) + ".e30.AA", "token refused"),
        ("nested header", base64url(String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40)) + ".e30.AA",
         "the header is not valid JSON"),
    ]

    @Test(arguments: badTokens)
    func badTokensAreNamedNeverACrash(name: String, token: String, words: String) throws {
        let verify = Self.verify("-", input: token)
        #expect(verify.status == 1 || verify.status == 2, "\(name)")
        #expect((verify.stdout + verify.stderr).contains(words), "\(name): \(verify.stdout)\(verify.stderr)")
        let inspect = runCLI(["token", "inspect", "-"], input: token)
        #expect(inspect.status == 2, "\(name)")
        #expect(inspect.stdout.isEmpty)
        #expect(inspect.stderr.contains(words), "\(name): \(inspect.stderr)")
    }

    @Test func tenMegabyteHeaderIsRefusedUnread() throws {
        let header = String(repeating: "A", count: 10 << 20)
        let token = header + ".e30.AA"
        let result = Self.verify("-", input: token)
        #expect(result.status == 1)
        #expect(result.stdout == "invalid: token refused: \(token.utf8.count) bytes is more than the 65536-byte limit\n")
        let json = Self.verify(token, ["--format", "json"])
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"code\": \"too_large\""))
        let inspect = runCLI(["token", "inspect", token])
        #expect(inspect.status == 2)
        #expect(inspect.stderr.contains("token refused"))
    }

    static let badKeys: [(String, String)] = [
        ("truncated.key", "has no END line (the file may be truncated)"),
        ("ec.key", "the key is an EC (ECDSA) key, but stepguard uses Ed25519 keys"),
        ("issuer.pub", "this is a public key"),
    ]

    @Test(arguments: badKeys)
    func badSigningKeysAreNamed(name: String, words: String) throws {
        let dir = try F.temporaryDirectory()
        let key = try F.key(name, in: dir)
        let result = F.mint("build", key: key)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(words), "\(result.stderr)")
    }

    static let badVerificationKeys: [(String, String)] = [
        ("truncated.key", "has no END line"),
        ("ec.pub", "the key is an EC (ECDSA) key, but stepguard uses Ed25519 keys"),
        ("ec.key", "private"),
        ("missing.pub", "cannot access"),
    ]

    @Test(arguments: badVerificationKeys)
    func badVerificationKeysAreNamed(name: String, words: String) throws {
        let path = F.directory.appendingPathComponent(name).path
        let result = runCLI(["token", "verify", "--key", path, "--now", F.nowText, try Self.mintedToken()])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(words), "\(result.stderr)")
    }

    @Test func truncatedPublicKeyIsNamed() throws {
        let dir = try F.temporaryDirectory()
        let text = try String(contentsOf: F.directory.appendingPathComponent("issuer.pub"), encoding: .utf8)
        let path = dir.appendingPathComponent("cut.pub").path
        try String(text.prefix(50)).write(toFile: path, atomically: true, encoding: .utf8)
        let result = runCLI(["token", "verify", "--key", path, "--now", F.nowText, try Self.mintedToken()])
        #expect(result.status == 2)
        #expect(result.stderr.contains("malformed PEM"))
    }

    @Test func badJWKSIsNamed() throws {
        let dir = try F.temporaryDirectory()
        let path = dir.appendingPathComponent("jwks.json").path
        try "{\"keys\": [{\"kty\": \"RSA\", \"n\": \"AQAB\", \"e\": \"AQAB\"}]}".write(toFile: path, atomically: true, encoding: .utf8)
        let result = runCLI(["token", "verify", "--jwks", path, "--now", F.nowText, try Self.mintedToken()])
        #expect(result.status == 2)
        #expect(result.stderr.contains("the set has no Ed25519 key"))
        try String(repeating: "[", count: 5000).write(toFile: path, atomically: true, encoding: .utf8)
        let deep = runCLI(["token", "verify", "--jwks", path, "--now", F.nowText, "a.b.c"])
        #expect(deep.status == 2)
        #expect(deep.stderr.contains("invalid JWK"))
    }
}

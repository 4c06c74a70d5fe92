import Foundation
import Testing
@testable import StepGuardCLI

/// Tokens against another JOSE implementation (PyJWT) and through the built executable.
struct TokenInteropTests {
    typealias F = CredentialFixtures

    /// python3 with PyJWT and its Ed25519 support, or nil.
    static let python: String? = {
        guard let python = which("python3") else { return nil }
        let probe = runProcess(python, ["-c", "import jwt, cryptography; jwt.algorithms.get_default_algorithms()['EdDSA']"])
        return probe?.status == 0 ? python : nil
    }()

    /// Decodes with PyJWT: signature, EdDSA only, audience, exp/nbf/iat at the real clock.
    static let pyjwtVerify = """
        import json, sys, jwt
        token, key, audience = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, key, algorithms=["EdDSA"], audience=audience,
                            options={"require": ["exp", "iat", "nbf", "iss", "sub", "aud", "jti"]})
        print(json.dumps({"header": header, "claims": claims}, sort_keys=True))
        """

    /// Signs with PyJWT: the claims stepguard requires, now, and the given key.
    static let pyjwtSign = """
        import sys, time, jwt
        key = open(sys.argv[1]).read()
        now = int(time.time())
        claims = {"iss": "pyjwt", "sub": "spiffe://corp.example/agents/py", "aud": "deployer",
                  "iat": now, "nbf": now, "exp": now + 120, "jti": "pyjwt-interop-1",
                  "authorization_details": [{"type": "stepguard_step", "actions": ["deploy"],
                      "resource": "Service::\\"web\\"", "plan_id": "p", "step_id": "s",
                      "args_digest": "sha256:01", "outcome": "allow", "step_digest": "sha256:02",
                      "plan_digest": "sha256:00"}]}
        print(jwt.encode(claims, key, algorithm="EdDSA", headers={"typ": "JWT"}))
        """

    @Test(.enabled(if: python != nil, "python3 with PyJWT (and cryptography) is not installed: PyJWT interop skipped"))
    func tokenFromMintVerifiesInPyJWT() throws {
        let python = try #require(Self.python)
        let dir = try F.temporaryDirectory()
        // The real clock: PyJWT checks iat, nbf and exp against it.
        let minted = runCLI(["mint", "--key", try F.key(in: dir), "--policies", F.release.path, "--plan", F.plan, "--step", "deploy-prod"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let token = minted.stdout.trimmingCharacters(in: .newlines)
        let result = try #require(runProcess(python, ["-c", Self.pyjwtVerify, token, F.publicKey, "deployer"]))
        #expect(result.status == 0, "PyJWT refused the token: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let header = try #require(object["header"] as? [String: Any])
        #expect(header["alg"] as? String == "EdDSA")
        #expect(header["kid"] as? String == F.kid)
        let claims = try #require(object["claims"] as? [String: Any])
        #expect(claims["sub"] as? String == F.subject)
        let detail = try #require((claims["authorization_details"] as? [[String: Any]])?.first)
        #expect(detail["actions"] as? [String] == ["deploy.validate"])

        // PyJWT refuses it for another audience and under another key, as it should.
        let otherAudience = try #require(runProcess(python, ["-c", Self.pyjwtVerify, token, F.publicKey, "billing"]))
        #expect(otherAudience.status != 0)
        let otherKey = try #require(runProcess(python, ["-c", Self.pyjwtVerify, token, F.otherPublicKey, "deployer"]))
        #expect(otherKey.status != 0)
    }

    @Test(.enabled(if: python != nil, "python3 with PyJWT (and cryptography) is not installed: PyJWT interop skipped"))
    func tokenFromPyJWTVerifiesWithTokenVerify() throws {
        let python = try #require(Self.python)
        let key = F.directory.appendingPathComponent("issuer.key").path
        let signed = try #require(runProcess(python, ["-c", Self.pyjwtSign, key]))
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = runCLI(["token", "verify", "--key", F.publicKey, "--audience", "deployer", token])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("valid: credential for step \"s\" of plan \"p\""))
        let wrong = runCLI(["token", "verify", "--key", F.otherPublicKey, "--audience", "deployer", token])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.hasPrefix("invalid: bad signature"))
    }

    // MARK: the built executable

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func keygenMintVerifyRevokeThroughTheExecutable() throws {
        let binary = try #require(stepguardBinary)
        let dir = try F.temporaryDirectory()
        let prefix = dir.appendingPathComponent("issuer").path
        let environment = ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"]
        let keygen = try #require(runProcess(binary, ["keygen", "--out", prefix, "--jwks"], environment: environment))
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let jwks = dir.appendingPathComponent("jwks.json").path
        try keygen.stdout.write(toFile: jwks, atomically: true, encoding: .utf8)
        let again = try #require(runProcess(binary, ["keygen", "--out", prefix], environment: environment))
        #expect(again.status == 2)
        #expect(again.stderr.contains("issuer.key\" already exists"))

        let mint = try #require(runProcess(
            binary, ["mint", "-k", prefix + ".key", "--policies", F.release.path, "--plan", F.plan, "--step", "build", "--now", F.nowText, "-q"],
            environment: environment))
        #expect(mint.status == 0, "\(mint.stderr)")
        #expect(mint.stderr.isEmpty)
        let verify = try #require(runProcess(
            binary, ["token", "verify", "--jwks", jwks, "--audience", "ci", "--now", F.nowText, "-"],
            input: mint.stdout, environment: environment))
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        let jti = try #require(try F.segment(mint.stdout.trimmingCharacters(in: .newlines), 1)["jti"] as? String)
        let revoked = dir.appendingPathComponent("revoked").path
        let revoke = try #require(runProcess(binary, ["token", "revoke", "--jti", jti, "--revoked", revoked], environment: environment))
        #expect(revoke.status == 0, "\(revoke.stdout)\(revoke.stderr)")
        let after = try #require(runProcess(
            binary, ["token", "verify", "--jwks", jwks, "--revoked", revoked, "--now", F.nowText, "-"],
            input: mint.stdout, environment: environment))
        #expect(after.status == 1, "\(after.stdout)\(after.stderr)")
        #expect(after.stdout.hasPrefix("invalid: revoked"), "\(after.stdout)\(after.stderr)")
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func deniedMintThroughTheExecutablePrintsNothing() throws {
        let binary = try #require(stepguardBinary)
        let dir = try F.temporaryDirectory()
        let mint = try #require(runProcess(
            binary, ["mint", "-k", try F.key(in: dir), "--policies", F.release.path, "--plan", F.plan, "--step", "purge-cdn", "--now", F.nowText],
            environment: ["NO_COLOR": "1"]))
        #expect(mint.status == 1)
        #expect(mint.stdout.isEmpty)
        #expect(mint.stderr.contains("nothing minted"))
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func tenMegabyteTokenOnStdinThroughTheExecutable() throws {
        let binary = try #require(stepguardBinary)
        let token = String(repeating: "A", count: 10 << 20) + ".e30.AA"
        let result = try #require(runProcess(binary, ["token", "verify", "--key", F.publicKey, "-"], input: token))
        #expect(result.status == 1)
        #expect(result.stdout.contains("token refused"))
    }
}

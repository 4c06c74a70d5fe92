import Crypto
import Foundation
import JSONValue
import Testing
@testable import Credentials

/// The repository's example policy directories, whose identity fixtures these tests verify.
enum Examples {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policies/examples")
    /// Every fixture token is issued at 2027-01-15T08:00:00Z for ten minutes.
    static let now: Int64 = 1_800_000_060

    static func token(_ example: String, _ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("\(example)/tokens/\(name).jwt"), encoding: .utf8)
    }

    static func trust(_ example: String, _ file: String) throws -> TrustFile {
        try TrustFile.load(path: root.appendingPathComponent("\(example)/trust/\(file)").path)
    }

    static var ci: TrustFile { get throws { try trust("ci-deploy", "github-actions.trust.json") } }
    static var spiffe: TrustFile { get throws { try trust("spiffe-agent", "corp.example.trust.json") } }
}

@Suite struct IdentityTokenTests {
    @Test func ciTokenOfTheMainBranchVerifies() throws {
        let identity = try IdentityVerifier(trust: try Examples.ci).verify(try Examples.token("ci-deploy", "main"), now: Examples.now)
        #expect(identity.kind == .oidc)
        #expect(identity.issuer == "https://token.actions.githubusercontent.com")
        #expect(identity.subject == "repo:acme/web:ref:refs/heads/main")
        #expect(identity.entity == "Agent::\"web-ci\"")
        #expect(identity.algorithm == .rs256)
        let attributes = try #require(identity.attributes.objectValue)
        for (name, value) in [("repository", "acme/web"), ("workflow", "deploy"), ("ref", "refs/heads/main"),
                              ("environment", "production"), ("actor", "octo-dev"), ("kind", "oidc")] {
            #expect(attributes[name]?.stringValue == value, "\(name)")
        }
        for registered in ["aud", "exp", "nbf", "iat", "jti", "iss", "sub"] {
            #expect(attributes[registered] == nil, "\(registered)")
        }
        #expect(identity.actClaim == .object(JSONObject([
            ("sub", "repo:acme/web:ref:refs/heads/main"), ("iss", "https://token.actions.githubusercontent.com"),
        ])))
        let expectedDigest = "sha256:" + Hex.encode(SHA256.hash(Array(try Examples.token("ci-deploy", "main").trimmingCharacters(in: .newlines).utf8)))
        #expect(identity.tokenDigest == expectedDigest)
    }

    @Test func svidOfTheAgentVerifies() throws {
        let identity = try IdentityVerifier(trust: try Examples.spiffe).verify(try Examples.token("spiffe-agent", "report-bot"), now: Examples.now)
        #expect(identity.kind == .spiffe)
        #expect(identity.subject == "spiffe://corp.example/agents/report-bot")
        #expect(identity.algorithm == .es256)
        #expect(identity.attributes.objectValue?["trust_domain"]?.stringValue == "corp.example")
        try identity.authenticates(principal: "Agent::\"report-bot\"", principalSPIFFEID: "spiffe://corp.example/agents/report-bot")
        #expect(throws: TokenFailure.self) {
            try identity.authenticates(principal: "Agent::\"mail-bot\"", principalSPIFFEID: "spiffe://corp.example/agents/mail-bot")
        }
        #expect(throws: TokenFailure.self) { try identity.authenticates(principal: "Agent::\"x\"", principalSPIFFEID: nil) }
    }

    /// Every refusal has its own stable code.
    @Test(arguments: [
        ("ci-deploy", "expired", "expired"),
        ("ci-deploy", "wrong-audience", "audience_mismatch"),
        ("ci-deploy", "wrong-issuer", "issuer_mismatch"),
        ("ci-deploy", "unknown-kid", "unknown_key"),
        ("ci-deploy", "alg-mismatch", "alg_unsupported"),
        ("ci-deploy", "tampered", "bad_signature"),
        ("spiffe-agent", "expired", "expired"),
        ("spiffe-agent", "wrong-audience", "audience_mismatch"),
        ("spiffe-agent", "unknown-kid", "unknown_key"),
        ("spiffe-agent", "foreign-domain", "trust_domain_mismatch"),
        ("spiffe-agent", "not-a-spiffe-id", "invalid_claim"),
        ("spiffe-agent", "no-audience", "missing_claim"),
        ("spiffe-agent", "alg-mismatch", "alg_key_mismatch"),
        ("spiffe-agent", "alg-none", "alg_none"),
        ("spiffe-agent", "alg-hmac", "alg_unsupported"),
    ])
    func refusals(example: String, token: String, code: String) throws {
        let trust = example == "ci-deploy" ? try Examples.ci : try Examples.spiffe
        let text = try Examples.token(example, token)
        #expect {
            _ = try IdentityVerifier(trust: trust).verify(text, now: Examples.now)
        } throws: { error in
            (error as? TokenFailure)?.code == code
        }
    }

    @Test func theClockDecidesExpiryWithLeeway() throws {
        let trust = try Examples.spiffe
        let token = try Examples.token("spiffe-agent", "report-bot")
        let exp: Int64 = 1_800_000_600
        #expect((try? IdentityVerifier(trust: trust).verify(token, now: exp + 29)) != nil)
        #expect(throws: TokenFailure.expired(secondsAgo: 30)) { try IdentityVerifier(trust: trust).verify(token, now: exp + 30) }
        // Issued in the future beyond the leeway.
        #expect(throws: TokenFailure.issuedInFuture(seconds: 60)) {
            try IdentityVerifier(trust: trust).verify(token, now: 1_800_000_000 - 60)
        }
    }

    @Test func ciSubjectsMapOnlyWithinTheirRepository() {
        let mapping = TrustFile.PrincipalMapping(subject: "repo:acme/web:*", entity: "Agent::\"web-ci\"")
        #expect(mapping.covers("repo:acme/web:ref:refs/heads/main"))
        #expect(mapping.covers("repo:acme/web:environment:production"))
        #expect(!mapping.covers("repo:acme/web-tools:ref:refs/heads/main"))
        #expect(!mapping.covers("repo:acme/web:"))
        #expect(!mapping.covers("repo:acme/we"))
        let exact = TrustFile.PrincipalMapping(subject: "repo:acme/web:ref:refs/heads/main", entity: "Agent::\"x\"")
        #expect(exact.covers("repo:acme/web:ref:refs/heads/main"))
        #expect(!exact.covers("repo:acme/web:ref:refs/heads/main2"))
    }
}

@Suite struct TrustFileTests {
    static func parse(_ text: String, keys: [String: String] = [:]) throws -> TrustFile {
        try TrustFile.parse(Array(text.utf8), file: "t.json") { name throws(CredentialsError) in
            guard let body = keys[name] else { throw .io(path: name, message: "no such file") }
            return (Array(body.utf8), name)
        }
    }

    static let ecKey = #"{"kty":"EC","kid":"k1","use":"jwt-svid","crv":"P-256","x":"mP9shxm5m_diQxwzcGL6W6TvaUVSBDIFQdmsu4RGbWM","y":"FdnJT2AdL2QHl7dan-o_rnFjDSlpjG3HD9qvDsFHdkc"}"#

    @Test func inlineBundleWithItsSequence() throws {
        let trust = try Self.parse(#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle":{"spiffe_sequence":7,"keys":[\#(Self.ecKey)]}}"#)
        #expect(trust.sequence == 7)
        #expect(trust.keys.count == 1 && trust.keys[0].kid == "k1")
        #expect(trust.algorithms == IdentityAlgorithm.allCases)
    }

    /// Keys for X.509-SVIDs, of unknown types or unknown uses are skipped (SPIFFE bundle §4.2).
    @Test func bundleKeysForOtherUsesAreIgnored() throws {
        let x509 = Self.ecKey.replacingOccurrences(of: "jwt-svid", with: "x509-svid").replacingOccurrences(of: "k1", with: "k2")
        let okp = #"{"kty":"OKP","crv":"Ed25519","use":"jwt-svid","kid":"k3","x":"AA"}"#
        let trust = try Self.parse(#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle":{"keys":[\#(x509),\#(okp),\#(Self.ecKey)]}}"#)
        #expect(trust.keys.map(\.kid) == ["k1"])
    }

    @Test(arguments: [
        (#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg"}"#, "1:1: missing \"bundle\""),
        (#"{"kind":"x","audience":"sg"}"#, "1:9: \"kind\" must be"),
        (#"{"kind":"spiffe","trust_domain":"Corp.Example","audience":"sg","bundle":{"keys":[]}}"#, "1:33: \"trust_domain\" is not"),
        (#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle":{"keys":[]}}"#, "1:81: the bundle has no"),
        (#"{"kind":"oidc","issuer":"https://i","audience":"sg","jwks":{"keys":[]}}"#, "the key set has no"),
        (#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle":{"keys":[]},"issuer":"x"}"#, "belongs in an OIDC"),
        (#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle":{"keys":[]},"algorithms":["HS256"]}"#, "unsupported algorithm"),
        (#"{"kind":"spiffe","trust_domain":"corp.example","audiance":"sg"}"#, "unknown member \"audiance\""),
        ("{\"kind\":\n  \"spiffe\",", "2:12:"),
    ])
    func errorsNameThePlace(text: String, expected: String) {
        #expect {
            _ = try Self.parse(text)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    /// A fault in a key file beside the trust file names that file and the key's place in it.
    @Test func keyFileFaultsPointIntoTheKeyFile() {
        let noKid = Self.ecKey.replacingOccurrences(of: #""kid":"k1","#, with: "")
        let bundle = "{\"spiffe_sequence\": 3,\n \"keys\": [\n  \(Self.ecKey),\n  \(noKid)]}"
        #expect {
            _ = try Self.parse(#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle_file":"b.json"}"#,
                               keys: ["b.json": bundle])
        } throws: { error in
            "\(error)" == "b.json:4:3: a jwt-svid key must have a \"kid\""
        }
    }

    @Test func privateKeysAndKeysWithoutKidAreRefused() {
        let withD = Self.ecKey.replacingOccurrences(of: #""kid""#, with: #""d":"AAAA","kid""#)
        #expect(throws: CredentialsError.self) {
            try Self.parse(#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle":{"keys":[\#(withD)]}}"#)
        }
        let noKid = Self.ecKey.replacingOccurrences(of: #""kid":"k1","#, with: "")
        #expect(throws: CredentialsError.self) {
            try Self.parse(#"{"kind":"spiffe","trust_domain":"corp.example","audience":"sg","bundle":{"keys":[\#(noKid)]}}"#)
        }
    }

    @Test func oidcNeedsPrincipalMappings() {
        let key = Self.ecKey.replacingOccurrences(of: "jwt-svid", with: "sig")
        #expect(throws: CredentialsError.self) {
            try Self.parse(#"{"kind":"oidc","issuer":"https://i","audience":"sg","jwks":{"keys":[\#(key)]}}"#)
        }
        #expect(throws: CredentialsError.self) {
            try Self.parse(#"{"kind":"oidc","issuer":"https://i","audience":"sg","jwks":{"keys":[\#(key)]},"principals":[{"subject":"repo:*:x","entity":"Agent::\"a\""}]}"#)
        }
        let trust = try? Self.parse(#"{"kind":"oidc","issuer":"https://i","audience":"sg","jwks_file":"k.json","principals":[{"subject":"s","entity":"Agent::\"a\""}]}"#,
                                    keys: ["k.json": #"{"keys":[\#(key)]}"#])
        #expect(trust?.principals.count == 1)
    }

    @Test func mintConfigurationIsReadFromItsSection() throws {
        #expect(try MintConfiguration.parse(Array(#"{"lint":{}}"#.utf8), file: "c").allowUnauthenticated == false)
        #expect(try MintConfiguration.parse(Array(#"{"mint":{"allowUnauthenticated":true}}"#.utf8), file: "c").allowUnauthenticated)
        #expect(throws: CredentialsError.self) { try MintConfiguration.parse(Array(#"{"mint":{"allowUnauthenticated":"yes"}}"#.utf8), file: "c") }
        #expect(throws: CredentialsError.self) { try MintConfiguration.parse(Array(#"{"mint":{"allow":true}}"#.utf8), file: "c") }
    }
}

@testable import Crypto
import Foundation
import Testing

/// One Wycheproof verification vector's verdict against its expected result. `acceptable`
/// vectors (legacy encodings a lenient verifier may take) must be refused here: stepguard
/// verifies strictly.
private func tallyVerdict(_ tally: inout VectorTally, id: Int, expected: String, accepted: Bool, comment: String) {
    switch (expected, accepted) {
    case ("valid", true): tally.validAccepted += 1
    case ("invalid", false), ("acceptable", false): tally.invalidRejected += 1
    default: tally.failures.append("tcId \(id) (\(comment)): expected \(expected), accepted \(accepted)")
    }
}

private func digestAlgorithm(_ name: String) -> DigestAlgorithm? {
    DigestAlgorithm(rawValue: name)
}

/// ECDSA over P-256, P-384 and P-521 (Wycheproof `EcdsaP1363Verify` and `EcdsaVerify` files).
@Suite struct ECDSAWycheproofTests {
    static let files: [(String, ECDSACurve, Bool)] = [
        ("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", .p256, true),
        ("wycheproof/ecdsa_secp384r1_sha384_p1363_test.json", .p384, true),
        ("wycheproof/ecdsa_secp521r1_sha512_p1363_test.json", .p521, true),
        ("wycheproof/ecdsa_secp256r1_sha256_test.json", .p256, false),
        ("wycheproof/ecdsa_secp384r1_sha384_test.json", .p384, false),
        ("wycheproof/ecdsa_secp521r1_sha512_test.json", .p521, false),
    ]

    @Test(arguments: files)
    func vectors(file: String, curve: ECDSACurve, p1363: Bool) throws {
        let document = try Fixtures.json(file)
        var tally = VectorTally()
        var count = 0
        for group in try document.objects("testGroups") {
            let key = try group.object("publicKey")
            #expect(try key.string("curve") == ["P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1"][curve.rawValue])
            let hash = try #require(digestAlgorithm(try group.string("sha")))
            #expect(hash == curve.hash)
            let publicKey = try ECDSAPublicKey(curve: curve, x: try key.hex("wx"), y: try key.hex("wy"))
            // The uncompressed form Wycheproof also gives is the same key.
            let again = try ECDSAPublicKey(curve: curve, x963Representation: try key.hex("uncompressed"))
            #expect(again.x == publicKey.x && again.y == publicKey.y)
            for test in try group.objects("tests") {
                count += 1
                let message = try test.hex("msg")
                let signature = try test.hex("sig")
                let digest = hash.hash(message)
                let accepted = p1363
                    ? publicKey.isValidSignature(rawRepresentation: signature, digest: digest)
                    : publicKey.isValidSignature(derRepresentation: signature, digest: digest)
                if p1363 {
                    #expect(accepted == publicKey.isValidSignature(signature, for: message))
                }
                tallyVerdict(&tally, id: test["tcId"] as? Int ?? -1, expected: try test.string("result"),
                             accepted: accepted, comment: test["comment"] as? String ?? "")
            }
        }
        #expect(count == document["numberOfTests"] as? Int)
        #expect(tally.failures.isEmpty, "\(tally.failures)")
        #expect(tally.validAccepted > 0 && tally.invalidRejected > 0)
        print("\(file): \(count) tests: \(tally.summary)")
    }

    /// Every bit of a valid signature, flipped, makes it invalid; so does another message.
    @Test(arguments: ECDSACurve.allCases)
    func tamperedSignaturesFail(curve: ECDSACurve) throws {
        let file = Self.files.first { $0.1 == curve && $0.2 }!.0
        let group = try Fixtures.json(file).objects("testGroups")[0]
        let key = try group.object("publicKey")
        let publicKey = try ECDSAPublicKey(curve: curve, x: try key.hex("wx"), y: try key.hex("wy"))
        let test = try #require(try group.objects("tests").first { ($0["result"] as? String) == "valid" })
        let message = try test.hex("msg")
        let signature = try test.hex("sig")
        #expect(publicKey.isValidSignature(signature, for: message))
        #expect(!publicKey.isValidSignature(signature, for: message + [0]))
        for bit in stride(from: 0, to: signature.count * 8, by: 7) {
            var tampered = signature
            tampered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!publicKey.isValidSignature(tampered, for: message), "bit \(bit)")
        }
    }

    @Test func pointsOffTheCurveAreRefused() throws {
        let generator = CurveParameters.p256.generator
        let field = CurveParameters.p256.field
        let x = field.bytes(field.fromMontgomery(generator.x))
        var y = field.bytes(field.fromMontgomery(generator.y))
        #expect((try? ECDSAPublicKey(curve: .p256, x: x, y: y)) != nil)
        y[y.count - 1] ^= 1
        #expect(throws: CryptoError.self) { try ECDSAPublicKey(curve: .p256, x: x, y: y) }
        // A coordinate at or above the prime is refused even when it reduces to a curve point.
        let p = field.bytes(field.modulus)
        #expect(throws: CryptoError.self) { try ECDSAPublicKey(curve: .p256, x: p, y: y) }
        #expect(throws: CryptoError.self) { try ECDSAPublicKey(curve: .p256, x963Representation: [0x02] + x) }
    }
}

/// RSASSA-PKCS1-v1_5 for 2048, 3072 and 4096-bit keys with SHA-256/384/512.
@Suite struct RSAPKCS1WycheproofTests {
    static let files = [2048, 3072, 4096].flatMap { bits in
        [256, 384, 512].map { "wycheproof/rsa_signature_\(bits)_sha\($0)_test.json" }
    }

    @Test(arguments: files)
    func vectors(file: String) throws {
        let document = try Fixtures.json(file)
        var tally = VectorTally()
        var count = 0
        for group in try document.objects("testGroups") {
            let hash = try #require(digestAlgorithm(try group.string("sha")))
            let key = try group.object("publicKey")
            let publicKey = try RSAPublicKey(modulus: try key.hex("modulus"), exponent: try key.hex("publicExponent"))
            #expect(publicKey.bitCount == group["keySize"] as? Int)
            for test in try group.objects("tests") {
                count += 1
                let accepted = publicKey.isValidPKCS1v15Signature(
                    try test.hex("sig"), digest: hash.hash(try test.hex("msg")), hash: hash)
                tallyVerdict(&tally, id: test["tcId"] as? Int ?? -1, expected: try test.string("result"),
                             accepted: accepted, comment: test["comment"] as? String ?? "")
            }
        }
        #expect(count == document["numberOfTests"] as? Int)
        #expect(tally.failures.isEmpty, "\(tally.failures)")
        #expect(tally.validAccepted > 0 && tally.invalidRejected > 0)
        print("\(file): \(count) tests: \(tally.summary)")
    }

    @Test func keysOutsideTheSupportedRangeAreRefused() {
        let small = [UInt8](repeating: 0xff, count: 128)  // 1024 bits
        #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: small, exponent: [1, 0, 1]) }
        let even = [UInt8](repeating: 0xff, count: 255) + [0xfe]
        #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: even, exponent: [1, 0, 1]) }
        let odd = [UInt8](repeating: 0xff, count: 256)
        #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: odd, exponent: [1]) }
        #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: odd, exponent: [2]) }
        #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: odd, exponent: odd) }
        #expect((try? RSAPublicKey(modulus: odd, exponent: [1, 0, 1])) != nil)
        let huge = [UInt8](repeating: 0xff, count: 513)
        #expect(throws: CryptoError.self) { try RSAPublicKey(modulus: huge, exponent: [1, 0, 1]) }
    }
}

/// RSASSA-PSS with MGF1 over the same hash.
@Suite struct RSAPSSWycheproofTests {
    static let files = [
        "wycheproof/rsa_pss_2048_sha256_mgf1_0_test.json",
        "wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json",
        "wycheproof/rsa_pss_2048_sha384_mgf1_48_test.json",
        "wycheproof/rsa_pss_3072_sha256_mgf1_32_test.json",
        "wycheproof/rsa_pss_4096_sha256_mgf1_32_test.json",
        "wycheproof/rsa_pss_4096_sha384_mgf1_48_test.json",
        "wycheproof/rsa_pss_4096_sha512_mgf1_32_test.json",
        "wycheproof/rsa_pss_4096_sha512_mgf1_64_test.json",
        "wycheproof/rsa_pss_misc_test.json",
    ]

    @Test(arguments: files)
    func vectors(file: String) throws {
        let document = try Fixtures.json(file)
        var tally = VectorTally()
        var count = 0
        var skipped = 0
        for group in try document.objects("testGroups") {
            let tests = try group.objects("tests")
            // The miscellaneous file mixes in SHA-1 and SHA-224 groups and MGF1 over another
            // hash than the message's; JOSE has neither, so those groups are counted as skipped.
            guard let hash = digestAlgorithm(try group.string("sha")), try group.string("mgf") == "MGF1",
                try group.string("mgfSha") == group.string("sha")
            else {
                #expect(file.hasSuffix("misc_test.json"))
                skipped += tests.count
                continue
            }
            let saltLength = try #require(group["sLen"] as? Int)
            let key = try group.object("publicKey")
            let publicKey = try RSAPublicKey(modulus: try key.hex("modulus"), exponent: try key.hex("publicExponent"))
            for test in tests {
                count += 1
                let accepted = publicKey.isValidPSSSignature(
                    try test.hex("sig"), digest: hash.hash(try test.hex("msg")), hash: hash, saltLength: saltLength)
                tallyVerdict(&tally, id: test["tcId"] as? Int ?? -1, expected: try test.string("result"),
                             accepted: accepted, comment: test["comment"] as? String ?? "")
            }
        }
        #expect(count + skipped == document["numberOfTests"] as? Int)
        #expect(tally.failures.isEmpty, "\(tally.failures)")
        #expect(tally.validAccepted > 0)
        print("\(file): \(count) tests run, \(skipped) skipped (hash outside JOSE): \(tally.summary)")
    }
}

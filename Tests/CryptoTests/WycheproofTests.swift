import Crypto
import Foundation
import Testing

/// Wycheproof vectors (github.com/C2SP/wycheproof, testvectors_v1), copied unchanged.
@Suite struct WycheproofTests {
    @Test func ed25519() throws {
        let document = try Fixtures.json("wycheproof/ed25519_test.json")
        let groups = try document.objects("testGroups")
        var tally = VectorTally()
        var count = 0
        for group in groups {
            let pk = try group.object("publicKey").hex("pk")
            let publicKey = try? Ed25519.PublicKey(rawRepresentation: pk)
            for test in try group.objects("tests") {
                count += 1
                let id = test["tcId"] as? Int ?? -1
                let message = try test.hex("msg")
                let signature = try test.hex("sig")
                let expected = try test.string("result")
                let accepted = publicKey?.isValidSignature(signature, for: message) ?? false
                switch (expected, accepted) {
                case ("valid", true): tally.validAccepted += 1
                case ("invalid", false): tally.invalidRejected += 1
                default: tally.failures.append("tcId \(id): expected \(expected), accepted \(accepted)")
                }
            }
        }
        #expect(count == document["numberOfTests"] as? Int)
        #expect(tally.failures.isEmpty, "\(tally.failures)")
        print("wycheproof ed25519_test.json: \(count) tests: \(tally.summary)")
    }
}

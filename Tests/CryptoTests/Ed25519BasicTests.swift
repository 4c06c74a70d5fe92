import Crypto
import Testing

@Suite struct Ed25519BasicTests {
    @Test func rfc8032TestOne() throws {
        let key = try Ed25519.PrivateKey(seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
        #expect(Hex.encode(key.publicKey.rawRepresentation) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = key.signature(for: [UInt8]())
        #expect(Hex.encode(signature) == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        let publicKey = try Ed25519.PublicKey(rawRepresentation: key.publicKey.rawRepresentation)
        #expect(publicKey.isValidSignature(signature, for: [UInt8]()))
        #expect(key.publicKey.isValidSignature(signature, for: [UInt8]()))
        #expect(!publicKey.isValidSignature(signature, for: [0]))
        var bad = signature
        bad[63] ^= 1
        #expect(!publicKey.isValidSignature(bad, for: [UInt8]()))
    }

    @Test func randomKeysRoundTrip() throws {
        for n in 0..<20 {
            let key = try Ed25519.PrivateKey.generate()
            let message = try SecureRandom.bytes(n * 7)
            let signature = key.signature(for: message)
            let publicKey = try Ed25519.PublicKey(rawRepresentation: key.publicKey.rawRepresentation)
            #expect(publicKey.isValidSignature(signature, for: message))
        }
    }
}

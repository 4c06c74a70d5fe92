import Crypto
import Testing

@Suite struct Base64Tests {
    /// RFC 4648 §10.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func rfc4648(plain: String, encoded: String) {
        let bytes = Array(plain.utf8)
        #expect(Base64.encode(bytes) == encoded)
        #expect(Base64.decode(encoded) == bytes)
        let unpadded = encoded.replacingOccurrences(of: "=", with: "")
        #expect(Base64.urlEncode(bytes) == unpadded)
        #expect(Base64.urlDecode(unpadded) == bytes)
    }

    @Test func urlAlphabet() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.urlEncode(bytes) == "-_-_")
        #expect(Base64.urlDecode("-_-_") == bytes)
        #expect(Base64.urlDecode("+/+/") == nil)
    }

    @Test(arguments: ["Zg=", "Zg", "Zh==", "Z===", "Zm9v=", "Zm 9v", "Zm9v\n", "====", "Zg==Zg=="])
    func strictStandardDecoding(bad: String) {
        #expect(Base64.decode(bad) == nil)
    }

    @Test(arguments: ["Zg==", "Zh", "Z", "Zm9vY", "Zm9v.", "Zm9v YmFy", "é"])
    func strictURLDecoding(bad: String) {
        #expect(Base64.urlDecode(bad) == nil)
    }

    @Test func whitespaceTolerantDecodingForPEM() {
        #expect(Base64.decodeIgnoringWhitespace("Zm9v\nYmFy\r\n") == Array("foobar".utf8))
    }

    @Test func roundTripsEveryLength() throws {
        for length in 0..<70 {
            let bytes = try SecureRandom.bytes(length)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64.urlDecode(Base64.urlEncode(bytes)) == bytes)
        }
    }
}

@Suite struct PrimitiveTests {
    @Test func constantTimeComparison() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(constantTimeEquals([], []))
    }

    @Test func randomBytesDiffer() throws {
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(try SecureRandom.bytes(0).isEmpty)
        // A megabyte in one call exercises the partial-read loop.
        #expect(try SecureRandom.bytes(1 << 20).count == 1 << 20)
    }

    @Test func hexRoundTrip() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func ed25519RejectsBadLengthsAndNonCanonicalKeys() throws {
        #expect(throws: CryptoError.self) { try Ed25519.PrivateKey(seed: [1, 2, 3]) }
        #expect(throws: CryptoError.self) { try Ed25519.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 31)) }
        // y = p (2^255 - 19) is the non-canonical spelling of y = 0.
        var nonCanonical = [UInt8](repeating: 0xff, count: 32)
        nonCanonical[0] = 0xed
        nonCanonical[31] = 0x7f
        #expect(throws: CryptoError.self) { try Ed25519.PublicKey(rawRepresentation: nonCanonical) }
        // y = 1 with the sign bit set: x would be -0.
        var minusZero = [UInt8](repeating: 0, count: 32)
        minusZero[0] = 1
        minusZero[31] = 0x80
        #expect(throws: CryptoError.self) { try Ed25519.PublicKey(rawRepresentation: minusZero) }
    }

    @Test func signaturesAreDeterministicAndBoundToKeyAndMessage() throws {
        let a = try Ed25519.PrivateKey(seed: [UInt8](repeating: 1, count: 32))
        let b = try Ed25519.PrivateKey(seed: [UInt8](repeating: 2, count: 32))
        let message = Array("step credential".utf8)
        #expect(a.signature(for: message) == a.signature(for: message))
        #expect(!b.publicKey.isValidSignature(a.signature(for: message), for: message))
        #expect(!a.publicKey.isValidSignature(a.signature(for: message), for: Array("step credentiaL".utf8)))
    }
}

// The few DER structures Ed25519 keys need (RFC 5958, RFC 5280, RFC 8410), read with a bounded
// TLV reader: definite lengths only, no length longer than the input, nesting by hand.

import Crypto

/// Object identifiers stepguard recognises in key files, to name a wrong key type precisely.
enum KeyAlgorithmOID {
    static let ed25519: [UInt8] = [0x2b, 0x65, 0x70]  // 1.3.101.112
    static let known: [([UInt8], String)] = [
        ([0x2b, 0x65, 0x70], "Ed25519"),
        ([0x2b, 0x65, 0x71], "Ed448"),
        ([0x2b, 0x65, 0x6e], "X25519"),
        ([0x2b, 0x65, 0x6f], "X448"),
        ([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01], "RSA"),
        ([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01], "an EC (ECDSA) key"),
    ]

    static func name(_ oid: [UInt8]) -> String {
        known.first { $0.0 == oid }?.1 ?? "an unsupported algorithm (OID \(Hex.encode(oid)))"
    }
}

struct DERReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = 0
        end = bytes.count
    }

    private init(bytes: [UInt8], start: Int, end: Int) {
        self.bytes = bytes
        position = start
        self.end = end
    }

    var isAtEnd: Bool { position >= end }

    func peekTag() -> UInt8? { position < end ? bytes[position] : nil }

    /// Reads one element with the given tag; returns its contents.
    mutating func read(tag: UInt8, what: String) throws(CredentialsError) -> [UInt8] {
        var inner = try readElement(tag: tag, what: what)
        return inner.rest()
    }

    /// Reads a constructed element and returns a reader over its contents.
    mutating func readElement(tag: UInt8, what: String) throws(CredentialsError) -> DERReader {
        guard position < end else { throw .malformedDER("missing \(what)") }
        guard bytes[position] == tag else {
            throw .malformedDER("expected \(what) (tag 0x\(Hex.encode([tag]))), found tag 0x\(Hex.encode([bytes[position]]))")
        }
        position += 1
        guard position < end else { throw .malformedDER("truncated \(what)") }
        var length = Int(bytes[position])
        position += 1
        if length & 0x80 != 0 {
            let count = length & 0x7f
            guard count >= 1, count <= 3 else { throw .malformedDER("unsupported length encoding in \(what)") }
            guard position + count <= end else { throw .malformedDER("truncated \(what)") }
            length = 0
            for _ in 0..<count {
                length = length << 8 | Int(bytes[position])
                position += 1
            }
            guard length >= 0x80 else { throw .malformedDER("non-minimal length in \(what)") }
        }
        guard length <= end - position else { throw .malformedDER("\(what) is longer than the data") }
        let inner = DERReader(bytes: bytes, start: position, end: position + length)
        position += length
        return inner
    }

    mutating func rest() -> [UInt8] {
        let out = Array(bytes[position..<end])
        position = end
        return out
    }
}

enum Ed25519DER {
    /// PKCS#8 PrivateKeyInfo exactly as `openssl genpkey -algorithm ed25519` writes it (RFC 8410 §7).
    static func privateKeyInfo(seed: [UInt8]) -> [UInt8] {
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + seed
    }

    /// SubjectPublicKeyInfo (RFC 8410 §4).
    static func subjectPublicKeyInfo(publicKey: [UInt8]) -> [UInt8] {
        [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + publicKey
    }

    /// AlgorithmIdentifier: the OID, and for Ed25519 no parameters (RFC 8410 §3).
    private static func algorithm(_ reader: inout DERReader) throws(CredentialsError) {
        var algorithm = try reader.readElement(tag: 0x30, what: "AlgorithmIdentifier")
        let oid = try algorithm.read(tag: 0x06, what: "algorithm OID")
        guard oid == KeyAlgorithmOID.ed25519 else { throw .wrongKeyType(found: KeyAlgorithmOID.name(oid)) }
        guard algorithm.isAtEnd else { throw .malformedDER("Ed25519 AlgorithmIdentifier must not carry parameters") }
    }

    /// The 32-byte seed from a PKCS#8 v1 or v2 (OneAsymmetricKey) structure.
    static func seed(fromPrivateKeyInfo der: [UInt8]) throws(CredentialsError) -> [UInt8] {
        var outer = DERReader(der)
        var info = try outer.readElement(tag: 0x30, what: "PrivateKeyInfo")
        guard outer.isAtEnd else { throw .malformedDER("trailing data after PrivateKeyInfo") }
        let version = try info.read(tag: 0x02, what: "version")
        guard version == [0] || version == [1] else { throw .malformedDER("unsupported PrivateKeyInfo version") }
        try algorithm(&info)
        let octets = try info.read(tag: 0x04, what: "privateKey")
        var curvePrivateKey = DERReader(octets)
        let seed = try curvePrivateKey.read(tag: 0x04, what: "CurvePrivateKey")
        guard curvePrivateKey.isAtEnd else { throw .malformedDER("trailing data in CurvePrivateKey") }
        guard seed.count == 32 else { throw .malformedDER("Ed25519 private key must be 32 bytes, found \(seed.count)") }
        // Optional [0] attributes and [1] publicKey (v2) are allowed and ignored; the public key is
        // always recomputed from the seed, so a mismatching one cannot mislead.
        while let tag = info.peekTag() {
            guard tag == 0xa0 || tag == 0x81 || tag == 0xa1 else { throw .malformedDER("unexpected element in PrivateKeyInfo") }
            _ = try info.read(tag: tag, what: "optional PrivateKeyInfo field")
        }
        return seed
    }

    /// The 32-byte public key from a SubjectPublicKeyInfo.
    static func publicKey(fromSubjectPublicKeyInfo der: [UInt8]) throws(CredentialsError) -> [UInt8] {
        var outer = DERReader(der)
        var info = try outer.readElement(tag: 0x30, what: "SubjectPublicKeyInfo")
        guard outer.isAtEnd else { throw .malformedDER("trailing data after SubjectPublicKeyInfo") }
        try algorithm(&info)
        let bits = try info.read(tag: 0x03, what: "subjectPublicKey")
        guard info.isAtEnd else { throw .malformedDER("trailing data in SubjectPublicKeyInfo") }
        guard bits.count == 33, bits[0] == 0 else { throw .malformedDER("Ed25519 public key must be 32 bytes") }
        return Array(bits[1...])
    }
}

// Public keys that sign the identity tokens stepguard accepts: RSA and ECDSA (P-256, P-384,
// P-521), read from JWK (RFC 7517, RFC 7518 §6) and from PEM (SubjectPublicKeyInfo, RFC 5280 and
// RFC 3279/5480; PKCS #1 RSAPublicKey, RFC 8017 §A.1.1).

import Crypto
import JSONValue

/// An identity issuer's verification key.
public enum IdentityPublicKey: Sendable {
    case rsa(RSAPublicKey)
    case ec(ECDSAPublicKey)

    /// How the key is named in messages: `RSA-2048`, `EC P-256`.
    public var typeName: String {
        switch self {
        case .rsa(let key): return "RSA-\(key.bitCount)"
        case .ec(let key): return "EC \(key.curve.rawValue)"
        }
    }

    /// Reads a JWK of `kty` `RSA` or `EC`. Private members are refused: a trust file holds
    /// public keys only, and a private key there means something was copied by mistake.
    public init(jwk object: JSONObject) throws(CredentialsError) {
        guard let kty = object["kty"]?.stringValue else { throw .malformedJWK("missing \"kty\"") }
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] where object[member] != nil {
            throw .malformedJWK("the key carries the private member \"\(member)\"; trust files hold public keys only")
        }
        func bytes(_ name: String) throws(CredentialsError) -> [UInt8] {
            guard let text = object[name]?.stringValue, let value = Base64.urlDecode(text), !value.isEmpty else {
                throw .malformedJWK("\"\(name)\" must be unpadded base64url")
            }
            return value
        }
        switch kty {
        case "RSA":
            let n = try bytes("n")
            let e = try bytes("e")
            // RFC 7518 §6.3.1: Base64urlUInt is the minimal big-endian form.
            guard n[0] != 0, e[0] != 0 else { throw .malformedJWK("\"n\" and \"e\" must not have leading zero bytes") }
            do {
                self = .rsa(try RSAPublicKey(modulus: n, exponent: e))
            } catch {
                throw .malformedJWK(error.description)
            }
        case "EC":
            guard let crv = object["crv"]?.stringValue else { throw .malformedJWK("missing \"crv\"") }
            guard let curve = ECDSACurve(rawValue: crv) else {
                throw .malformedJWK("curve \"\(crv)\" is not supported; use P-256, P-384 or P-521")
            }
            let x = try bytes("x")
            let y = try bytes("y")
            // RFC 7518 §6.2.1.2: each coordinate is exactly the full size of the field.
            guard x.count == curve.coordinateSize, y.count == curve.coordinateSize else {
                throw .malformedJWK("\"x\" and \"y\" of a \(crv) key must be \(curve.coordinateSize) bytes each")
            }
            do {
                self = .ec(try ECDSAPublicKey(curve: curve, x: x, y: y))
            } catch {
                throw .malformedJWK(error.description)
            }
        case "oct":
            throw .wrongKeyType(found: "a symmetric (oct) key; identity tokens are verified with public keys only")
        default:
            throw .wrongKeyType(found: "key type \"\(kty)\"")
        }
    }

    /// Reads the first public key in PEM text: `PUBLIC KEY` (SubjectPublicKeyInfo) or
    /// `RSA PUBLIC KEY` (PKCS #1).
    public init(pem text: String) throws(CredentialsError) {
        let blocks = try PEM.decode(text)
        if let block = blocks.first(where: { $0.label == "PUBLIC KEY" }) {
            try self.init(spkiDER: block.der)
        } else if let block = blocks.first(where: { $0.label == "RSA PUBLIC KEY" }) {
            self = .rsa(try Self.rsaPublicKey(pkcs1DER: block.der))
        } else if let block = blocks.first {
            throw .malformedPEM("expected a PUBLIC KEY block, found \(block.label)")
        } else {
            throw .malformedPEM("no PEM block found")
        }
    }

    static let rsaEncryptionOID: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
    static let ecPublicKeyOID: [UInt8] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]
    static let curveOIDs: [([UInt8], ECDSACurve)] = [
        ([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], .p256),  // prime256v1
        ([0x2b, 0x81, 0x04, 0x00, 0x22], .p384),  // secp384r1
        ([0x2b, 0x81, 0x04, 0x00, 0x23], .p521),  // secp521r1
    ]

    /// Reads SubjectPublicKeyInfo DER holding an RSA or a named-curve EC key.
    public init(spkiDER der: [UInt8]) throws(CredentialsError) {
        var outer = DERReader(der)
        var info = try outer.readElement(tag: 0x30, what: "SubjectPublicKeyInfo")
        guard outer.isAtEnd else { throw .malformedDER("trailing data after SubjectPublicKeyInfo") }
        var algorithm = try info.readElement(tag: 0x30, what: "AlgorithmIdentifier")
        let oid = try algorithm.read(tag: 0x06, what: "algorithm OID")
        let bits = try info.read(tag: 0x03, what: "subjectPublicKey")
        guard info.isAtEnd else { throw .malformedDER("trailing data in SubjectPublicKeyInfo") }
        guard let unused = bits.first, unused == 0 else { throw .malformedDER("the key's BIT STRING must have no unused bits") }
        let key = Array(bits.dropFirst())
        switch oid {
        case Self.rsaEncryptionOID:
            // RFC 3279 §2.3.1: the parameters are NULL.
            let parameters = try algorithm.read(tag: 0x05, what: "NULL parameters")
            guard parameters.isEmpty, algorithm.isAtEnd else { throw .malformedDER("RSA parameters must be NULL") }
            self = .rsa(try Self.rsaPublicKey(pkcs1DER: key))
        case Self.ecPublicKeyOID:
            // RFC 5480 §2.1.1: namedCurve only.
            let curveOID = try algorithm.read(tag: 0x06, what: "named curve OID")
            guard algorithm.isAtEnd else { throw .malformedDER("trailing data in the EC AlgorithmIdentifier") }
            guard let curve = Self.curveOIDs.first(where: { $0.0 == curveOID })?.1 else {
                throw .wrongKeyType(found: "an EC key on an unsupported curve; use P-256, P-384 or P-521")
            }
            do {
                self = .ec(try ECDSAPublicKey(curve: curve, x963Representation: key))
            } catch {
                throw .malformedDER(error.description)
            }
        default:
            throw .wrongKeyType(found: KeyAlgorithmOID.name(oid))
        }
    }

    /// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
    static func rsaPublicKey(pkcs1DER der: [UInt8]) throws(CredentialsError) -> RSAPublicKey {
        var outer = DERReader(der)
        var sequence = try outer.readElement(tag: 0x30, what: "RSAPublicKey")
        guard outer.isAtEnd else { throw .malformedDER("trailing data after RSAPublicKey") }
        let n = try sequence.read(tag: 0x02, what: "modulus")
        let e = try sequence.read(tag: 0x02, what: "publicExponent")
        guard sequence.isAtEnd else { throw .malformedDER("trailing data in RSAPublicKey") }
        for integer in [n, e] {
            guard let first = integer.first, first & 0x80 == 0 else { throw .malformedDER("RSA integers must be positive") }
            if integer.count > 1 && first == 0 && integer[1] & 0x80 == 0 { throw .malformedDER("non-minimal RSA integer") }
        }
        do {
            return try RSAPublicKey(modulus: n, exponent: e)
        } catch {
            throw .malformedDER(error.description)
        }
    }
}

import Crypto
import JSONValue

/// Compact JWS (RFC 7515 §7.1) with EdDSA (RFC 8037).
public enum JWS {
    /// Signs `payload` under a protected header given as exact bytes.
    public static func sign(protectedHeader: [UInt8], payload: [UInt8], key: SigningKey) -> String {
        let signingInput = Base64.urlEncode(protectedHeader) + "." + Base64.urlEncode(payload)
        let signature = key.privateKey.signature(for: Array(signingInput.utf8))
        return signingInput + "." + Base64.urlEncode(signature)
    }

    /// Signs `payload` under `header`, serialised as canonical JSON.
    public static func sign(header: JSONValue, payload: [UInt8], key: SigningKey) -> String {
        sign(protectedHeader: CanonicalJSON.serialize(header), payload: payload, key: key)
    }

    /// The three segments of a compact JWS, decoded but not verified.
    public struct Parts: Sendable {
        /// The protected header bytes.
        public let header: [UInt8]
        /// The payload bytes.
        public let payload: [UInt8]
        /// The signature bytes.
        public let signature: [UInt8]
        /// `BASE64URL(header) . BASE64URL(payload)`, the bytes the signature covers.
        public let signingInput: [UInt8]
    }

    /// Splits and decodes a compact JWS, checking only its shape.
    public static func split(_ token: String, maxBytes: Int = 65536) throws(TokenFailure) -> Parts {
        // Measured before copying, so an oversized token costs nothing but this check.
        let size = token.utf8.count
        guard size <= maxBytes else { throw .tooLarge(bytes: size, limit: maxBytes) }
        let bytes = Array(token.utf8)
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw .malformed("a compact JWS has 3 segments separated by \".\", found \(segments.count)")
        }
        let names = ["header", "payload", "signature"]
        var decoded: [[UInt8]] = []
        for (index, segment) in segments.enumerated() {
            guard index == 2 || !segment.isEmpty else { throw .malformed("the \(names[index]) segment is empty") }
            guard let value = Base64.urlDecode(bytes: segment) else {
                throw .malformed("the \(names[index]) segment is not unpadded base64url")
            }
            decoded.append(value)
        }
        let signingInput = Array(bytes[..<(segments[0].count + 1 + segments[1].count)])
        return Parts(header: decoded[0], payload: decoded[1], signature: decoded[2], signingInput: signingInput)
    }

    /// Verifies a compact JWS whose header says `alg` `EdDSA` and returns its payload.
    public static func verify(_ token: String, key: VerificationKey) throws(TokenFailure) -> [UInt8] {
        let parts = try split(token)
        let header = try DecodedToken.parseHeader(parts.header)
        try DecodedToken.checkAlgorithm(header)
        guard key.publicKey.isValidSignature(parts.signature, for: parts.signingInput) else { throw .badSignature }
        return parts.payload
    }
}

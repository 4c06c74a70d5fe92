import Crypto

// C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank line, and one
// or more lines `— <key name> base64(key ID || signature)`. Only Ed25519 keys (signature type
// 0x01) are produced and verified here.

/// One signature line of a note.
public struct NoteSignature: Equatable, Sendable {
    /// The key name.
    public let name: String
    /// The 32-bit key ID (big-endian first four bytes of the decoded signature).
    public let keyID: UInt32
    /// The signature bytes after the key ID.
    public let signature: [UInt8]

    /// The line as it appears in the note, without the newline.
    public var line: String {
        var bytes = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
        bytes.append(contentsOf: signature)
        return "\u{2014} \(name) \(StandardBase64.encode(bytes))"
    }
}

/// A text with its signatures.
public struct SignedNote: Equatable, Sendable {
    /// The signed text, including its final newline.
    public let text: String
    /// The signatures, in the order they appear.
    public let signatures: [NoteSignature]

    /// The most signatures a note may carry; more is treated as malformed.
    public static let maxSignatures = 100

    public init(text: String, signatures: [NoteSignature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The note in its wire form.
    public var serialized: String {
        text + "\n" + signatures.map { $0.line + "\n" }.joined()
    }

    /// Parses a note; the reason comes back in the error when it is not one.
    public static func parse(_ bytes: [UInt8]) throws(NoteFormatError) -> SignedNote {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw NoteFormatError("not valid UTF-8") }
        for byte in bytes where byte < 0x20 && byte != 0x0A {
            throw NoteFormatError("control character 0x\(String(byte, radix: 16)) in the note")
        }
        // The text ends at the last blank line; everything after it is signature lines.
        guard let split = lastIndexOfBlankLine(bytes) else { throw NoteFormatError("no blank line before the signatures") }
        let body = Array(bytes[..<(split + 1)])
        let signatureBlock = Array(bytes[(split + 2)...])
        guard !signatureBlock.isEmpty, signatureBlock.last == 0x0A else {
            throw NoteFormatError("the signature lines must end with a newline")
        }
        _ = text
        var signatures: [NoteSignature] = []
        for lineBytes in signatureBlock.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = String(decoding: lineBytes, as: UTF8.self)
            guard line.hasPrefix("\u{2014} ") else { throw NoteFormatError("a signature line must start with an em dash and a space") }
            let rest = line.dropFirst(2)
            guard let space = rest.firstIndex(of: " ") else { throw NoteFormatError("a signature line needs a key name and a signature") }
            let name = String(rest[..<space])
            let encoded = String(rest[rest.index(after: space)...])
            guard isValidKeyName(name) else { throw NoteFormatError("invalid key name \"\(name)\"") }
            guard let raw = StandardBase64.decode(encoded), raw.count >= 5 else {
                throw NoteFormatError("the signature of \"\(name)\" is not base64 of a key ID and a signature")
            }
            let keyID = raw[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(NoteSignature(name: name, keyID: keyID, signature: Array(raw[4...])))
            if signatures.count > maxSignatures { throw NoteFormatError("more than \(maxSignatures) signatures") }
        }
        return SignedNote(text: String(decoding: body, as: UTF8.self), signatures: signatures)
    }

    private static func lastIndexOfBlankLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 0x0A && bytes[i + 1] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    /// Key names are non-empty and contain no spaces and no `+`.
    public static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "+" }
    }
}

/// Why bytes are not a signed note.
public struct NoteFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The C2SP key ID of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
public func noteKeyID(name: String, ed25519PublicKey publicKey: [UInt8]) -> UInt32 {
    noteKeyID(name: name, signatureType: 0x01, publicKey: publicKey)
}

/// The C2SP key ID for any signature type: SHA-256(name || 0x0A || type || public key)[:4].
func noteKeyID(name: String, signatureType: UInt8, publicKey: [UInt8]) -> UInt32 {
    var sha = SHA256()
    sha.update(Array(name.utf8))
    sha.update([0x0A, signatureType])
    sha.update(publicKey)
    return sha.finalize()[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
}

/// The parts of a textual verifier key, `name+keyid+base64(type || public key)`, checked for
/// the one signature type and key length a caller accepts.
func parseVerifierKey(_ text: String, signatureType: UInt8, what: String) throws(AuditError) -> (name: String, publicKey: [UInt8]) {
    let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, parts[1].count == 8, let id = UInt32(parts[1], radix: 16),
          let raw = StandardBase64.decode(String(parts[2])), raw.count == 33
    else { throw .invalidKey("a verifier key has the form name+keyid+base64key") }
    guard raw[0] == signatureType else {
        throw .invalidKey("\"\(parts[0])\" is not \(what) (signature type 0x\(hex2(raw[0])), expected 0x\(hex2(signatureType)))")
    }
    let name = String(parts[0])
    guard SignedNote.isValidKeyName(name) else {
        throw .invalidKey("key name \"\(name)\" must be non-empty without spaces or '+'")
    }
    let key = Array(raw[1...])
    guard id == noteKeyID(name: name, signatureType: signatureType, publicKey: key) else {
        throw .invalidKey("the key ID \(parts[1]) does not match the key")
    }
    return (name, key)
}

/// The textual verifier key `name+keyid+base64(type || public key)`.
func formatVerifierKey(name: String, signatureType: UInt8, publicKey: [UInt8]) -> String {
    name + "+" + hex8(noteKeyID(name: name, signatureType: signatureType, publicKey: publicKey)) + "+"
        + StandardBase64.encode([signatureType] + publicKey)
}

func hex2(_ byte: UInt8) -> String {
    byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
}

/// Signs notes with an Ed25519 key under a key name.
public struct NoteSigner: Sendable {
    /// The key name written on signature lines.
    public let name: String
    /// The key ID derived from the name and public key.
    public let keyID: UInt32
    private let key: Ed25519.PrivateKey

    /// A signer from a raw 32-byte Ed25519 seed (the PEM wrapper is read by the credentials module).
    public init(name: String, seed: [UInt8]) throws(AuditError) {
        key = try noteSigningKey(name: name, seed: seed, role: "key")
        self.name = name
        keyID = noteKeyID(name: name, ed25519PublicKey: key.publicKey.rawRepresentation)
    }

    /// The raw 32-byte public key.
    public var publicKey: [UInt8] { key.publicKey.rawRepresentation }

    /// The matching verifier.
    public var verifier: NoteVerifier {
        // The public key comes from a valid private key, so it always decodes.
        try! NoteVerifier(name: name, publicKey: publicKey)
    }

    /// Signs `text` (which must end in a newline), keeping `existing` signatures by other keys.
    public func sign(text: String, existing: [NoteSignature] = []) -> SignedNote {
        let signature = key.signature(for: Array(text.utf8))
        var signatures = existing.filter { !($0.name == name && $0.keyID == keyID) }
        signatures.append(NoteSignature(name: name, keyID: keyID, signature: signature))
        return SignedNote(text: text, signatures: signatures)
    }
}

/// Checks note signatures made by one Ed25519 key.
public struct NoteVerifier: Sendable, Equatable {
    /// The key name, or nil for a key known only by its public half (see `init(publicKey:)`).
    public let name: String?
    /// The raw 32-byte public key.
    public let publicKey: [UInt8]
    private let key: Ed25519.PublicKey

    /// A verifier from a key name and a raw 32-byte Ed25519 public key.
    public init(name: String, publicKey: [UInt8]) throws(AuditError) {
        try checkNoteKeyName(name, role: "key")
        try self.init(name: Optional(name), publicKey: publicKey)
    }

    /// A verifier for a bare public key (as a PEM file gives it): it accepts a signature under
    /// any key name whose C2SP key ID, computed from that name and this key, matches the
    /// signature's key ID. The key ID binds the name to the key, so no other key can pass.
    public init(publicKey: [UInt8]) throws(AuditError) {
        try self.init(name: nil, publicKey: publicKey)
    }

    private init(name: String?, publicKey: [UInt8]) throws(AuditError) {
        key = try noteVerifyingKey(publicKey)
        self.name = name
        self.publicKey = publicKey
    }

    /// A verifier from the textual verifier key `name+keyid+base64(0x01 || public key)`.
    public init(verifierKey: String) throws(AuditError) {
        let (name, key) = try parseVerifierKey(verifierKey, signatureType: 0x01, what: "an Ed25519 note key")
        try self.init(name: name, publicKey: key)
    }

    /// The key ID for the key's name (for a nameless verifier, the ID under the empty name).
    public var keyID: UInt32 { noteKeyID(name: name ?? "", ed25519PublicKey: publicKey) }

    /// The textual verifier key, `name+keyid+base64(0x01 || public key)`; nil without a name.
    public var verifierKey: String? {
        guard let name else { return nil }
        return formatVerifierKey(name: name, signatureType: 0x01, publicKey: publicKey)
    }

    /// The outcome of checking a note against this key.
    public enum Outcome: Equatable, Sendable {
        /// A signature by this key verifies.
        case verified
        /// A signature names this key but does not verify.
        case badSignature
        /// No signature names this key.
        case notSigned
    }

    /// Checks the note's signatures that belong to this key (key name and key ID both).
    public func check(_ note: SignedNote) -> Outcome {
        var sawKey = false
        for signature in note.signatures {
            if let name, signature.name != name { continue }
            guard signature.keyID == noteKeyID(name: signature.name, ed25519PublicKey: publicKey) else { continue }
            sawKey = true
            if !key.isValidSignature(signature.signature, for: Array(note.text.utf8)) { return .badSignature }
        }
        return sawKey ? .verified : .notSigned
    }

    public static func == (a: NoteVerifier, b: NoteVerifier) -> Bool {
        a.name == b.name && a.publicKey == b.publicKey
    }
}

extension SignedNote {
    /// Whether one of `keys` signed the note and none of their signatures on it is bad.
    public func isTrusted(by keys: [NoteVerifier]) -> Bool {
        let outcomes = keys.map { $0.check(self) }
        return outcomes.contains(.verified) && !outcomes.contains(.badSignature)
    }
}

func hex8(_ value: UInt32) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: 8 - text.count) + text
}

/// Refuses a key name that cannot stand on a signature line; `role` says whose name it is.
func checkNoteKeyName(_ name: String, role: String) throws(AuditError) {
    guard SignedNote.isValidKeyName(name) else {
        throw .invalidKey("\(role) name \"\(name)\" must be non-empty without spaces or '+'")
    }
}

/// The Ed25519 private key of a note or cosignature signer, its name checked first.
func noteSigningKey(name: String, seed: [UInt8], role: String) throws(AuditError) -> Ed25519.PrivateKey {
    try checkNoteKeyName(name, role: role)
    do {
        return try Ed25519.PrivateKey(seed: seed)
    } catch {
        throw .invalidKey("an Ed25519 seed is 32 bytes, got \(seed.count)")
    }
}

/// The Ed25519 public key of a note or cosignature verifier.
func noteVerifyingKey(_ publicKey: [UInt8]) throws(AuditError) -> Ed25519.PublicKey {
    do {
        return try Ed25519.PublicKey(rawRepresentation: publicKey)
    } catch {
        throw .invalidKey("an Ed25519 public key is 32 bytes, got \(publicKey.count)")
    }
}

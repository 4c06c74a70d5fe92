import Crypto
import JSONValue
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An Ed25519 key that signs credentials.
public struct SigningKey: Sendable {
    /// The underlying key.
    public let privateKey: Ed25519.PrivateKey

    /// Wraps an existing key.
    public init(_ privateKey: Ed25519.PrivateKey) {
        self.privateKey = privateKey
    }

    /// A new key from the operating system's random source.
    public static func generate() throws(CredentialsError) -> SigningKey {
        do {
            return SigningKey(try Ed25519.PrivateKey.generate())
        } catch {
            throw .io(path: "random source", message: error.description)
        }
    }

    /// The matching verification key.
    public var verificationKey: VerificationKey { VerificationKey(privateKey.publicKey) }

    /// PKCS#8 DER, as `openssl genpkey -algorithm ed25519` writes it.
    public var pkcs8DER: [UInt8] { Ed25519DER.privateKeyInfo(seed: privateKey.seed) }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var pem: String { PEM.encode(label: "PRIVATE KEY", der: pkcs8DER) }

    /// Reads a private key from PKCS#8 DER.
    public init(pkcs8DER der: [UInt8]) throws(CredentialsError) {
        let seed = try Ed25519DER.seed(fromPrivateKeyInfo: der)
        do {
            self.init(try Ed25519.PrivateKey(seed: seed))
        } catch {
            throw .malformedDER(error.description)
        }
    }

    /// Reads a private key from PEM text (`PRIVATE KEY`), or from a private JWK (with `d`).
    public init(text: String) throws(CredentialsError) {
        if text.drop(while: { $0.isWhitespace }).first == "{" {
            let jwk = try JWK(json: text)
            guard let key = jwk.signingKey else { throw .malformedJWK("the JWK has no private part \"d\"") }
            self = key
            return
        }
        let blocks = try PEM.decode(text)
        if let block = blocks.first(where: { $0.label == "PRIVATE KEY" }) {
            try self.init(pkcs8DER: block.der)
            return
        }
        if let block = blocks.first {
            switch block.label {
            case "RSA PRIVATE KEY": throw .wrongKeyType(found: "RSA")
            case "EC PRIVATE KEY": throw .wrongKeyType(found: "an EC (ECDSA) key")
            case "ENCRYPTED PRIVATE KEY":
                throw .malformedPEM("the private key is encrypted; decrypt it with openssl pkey -in KEY -out PLAIN.key")
            case "PUBLIC KEY": throw .malformedPEM("this is a public key; a private key (BEGIN PRIVATE KEY) is needed to sign")
            default: throw .malformedPEM("expected a PRIVATE KEY block, found \(block.label)")
            }
        }
        throw .malformedPEM("no PEM block found")
    }

    /// Loads a private key file, refusing one that group or others may read.
    ///
    /// What the file is comes first: a directory, a FIFO or a device is named as such (and never
    /// opened, so a FIFO cannot block), and a public key is named as a public key, before any
    /// advice about permissions, which would send the user to chmod the wrong file.
    public static func load(path: String) throws(CredentialsError) -> SigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .io(path: path, message: String(cString: strerror(errno)))
        }
        switch UInt32(info.st_mode) & UInt32(S_IFMT) {
        case UInt32(S_IFREG): break
        case UInt32(S_IFDIR): throw .io(path: path, message: "is a directory; pass the private key file itself")
        default: throw .io(path: path, message: "is not a regular file (a FIFO, socket or device); pass the private key file itself")
        }
        let key = try SigningKey(text: FileIO.readText(path: path, limit: 1 << 20))
        let mode = UInt32(info.st_mode) & 0o777
        if mode & 0o077 != 0 {
            throw .insecureKeyFile(path: path, mode: "0" + String(mode, radix: 8))
        }
        return key
    }
}

/// An Ed25519 key that verifies credentials.
public struct VerificationKey: Sendable, Equatable {
    /// The underlying key.
    public let publicKey: Ed25519.PublicKey

    /// Wraps an existing key.
    public init(_ publicKey: Ed25519.PublicKey) {
        self.publicKey = publicKey
    }

    /// The key from its 32-byte encoding.
    public init(rawRepresentation: [UInt8]) throws(CredentialsError) {
        do {
            self.init(try Ed25519.PublicKey(rawRepresentation: rawRepresentation))
        } catch {
            throw .malformedDER(error.description)
        }
    }

    /// SubjectPublicKeyInfo DER.
    public var spkiDER: [UInt8] { Ed25519DER.subjectPublicKeyInfo(publicKey: publicKey.rawRepresentation) }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pem: String { PEM.encode(label: "PUBLIC KEY", der: spkiDER) }

    /// Reads SubjectPublicKeyInfo DER.
    public init(spkiDER der: [UInt8]) throws(CredentialsError) {
        try self.init(rawRepresentation: Ed25519DER.publicKey(fromSubjectPublicKeyInfo: der))
    }

    /// The public JWK, with `kid` set to the RFC 7638 thumbprint.
    public var jwk: JWK { JWK(publicKey: self, kid: thumbprint) }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url), used as `kid`.
    public var thumbprint: String {
        // RFC 7638 §3.2: the required members only, lexicographic order, no whitespace; this is
        // exactly the RFC 8785 canonical form of that object.
        let required: JSONValue = .object(JSONObject([
            ("crv", .string("Ed25519")), ("kty", .string("OKP")),
            ("x", .string(Base64.urlEncode(publicKey.rawRepresentation))),
        ]))
        return Base64.urlEncode(SHA256.hash(CanonicalJSON.serialize(required)))
    }

    /// Reads PEM (`PUBLIC KEY`) or a public JWK.
    public init(text: String) throws(CredentialsError) {
        if text.drop(while: { $0.isWhitespace }).first == "{" {
            self = try JWK(json: text).verificationKey
            return
        }
        let blocks = try PEM.decode(text)
        if let block = blocks.first(where: { $0.label == "PUBLIC KEY" }) {
            try self.init(spkiDER: block.der)
            return
        }
        if let block = blocks.first {
            switch block.label {
            case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
                throw .malformedPEM("this is a private key; pass the public key (BEGIN PUBLIC KEY), e.g. PREFIX.pub from stepguard keygen")
            case "RSA PUBLIC KEY": throw .wrongKeyType(found: "RSA")
            default: throw .malformedPEM("expected a PUBLIC KEY block, found \(block.label)")
            }
        }
        throw .malformedPEM("no PEM block found")
    }

    /// Loads a public key file (PEM or JWK).
    public static func load(path: String) throws(CredentialsError) -> VerificationKey {
        try VerificationKey(text: FileIO.readText(path: path, limit: 1 << 20))
    }
}

/// Where a newly written key pair went.
public struct KeyPairFiles: Equatable, Sendable {
    /// The private key file (PKCS#8 PEM, mode 0600).
    public let privateKeyPath: String
    /// The public key file (SPKI PEM, mode 0644).
    public let publicKeyPath: String
}

extension SigningKey {
    /// Writes `PREFIX.key` (mode 0600) and `PREFIX.pub` (mode 0644), never replacing an existing file.
    /// Each file is written to a temporary name, synced, and then hard-linked into place, which
    /// fails atomically if the name is taken, so a crash leaves either no file or a whole one.
    public func write(prefix: String) throws(CredentialsError) -> KeyPairFiles {
        let keyPath = prefix + ".key"
        let pubPath = prefix + ".pub"
        for path in [keyPath, pubPath] where FileIO.exists(path) {
            throw .fileExists(path: path)
        }
        try FileIO.createExclusively(path: keyPath, contents: Array(pem.utf8), mode: 0o600)
        do throws(CredentialsError) {
            try FileIO.createExclusively(path: pubPath, contents: Array(verificationKey.pem.utf8), mode: 0o644)
        } catch {
            unlink(keyPath)
            throw error
        }
        return KeyPairFiles(privateKeyPath: keyPath, publicKeyPath: pubPath)
    }
}

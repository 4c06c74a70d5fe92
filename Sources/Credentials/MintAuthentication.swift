import JSONValue

/// How the caller of a mint proved who it is, and what the credential records of it.
public enum MintAuthentication: Sendable {
    /// A verified identity token.
    case identity(VerifiedIdentity)
    /// No identity: allowed only where the policy directory's configuration says so.
    case unauthenticated

    /// The claims the credential gains: `act` (RFC 8693 §4.1) naming the authenticated
    /// party, and `identity` with how it authenticated (`jwt-svid`, `oidc` or `none`) and the
    /// SHA-256 of the token it presented.
    public var claims: [(String, JSONValue)] {
        switch self {
        case .identity(let identity): return [("act", identity.actClaim), ("identity", record)]
        case .unauthenticated: return [("identity", record)]
        }
    }

    /// What a credential or an audit record says of the authentication: `method` and, for a
    /// token, its `token_digest`.
    public var record: JSONValue {
        switch self {
        case .identity(let identity):
            let method = identity.kind == .spiffe ? "jwt-svid" : "oidc"
            return .object(JSONObject([("method", .string(method)), ("token_digest", .string(identity.tokenDigest))]))
        case .unauthenticated:
            return .object(JSONObject([("method", "none")]))
        }
    }
}

/// The `mint` section of a policy directory's `.stepguard.json`:
///
///     {"mint": {"allowUnauthenticated": true}}
///
/// Only the policy directory's own file counts (not one further up), so a policy directory
/// cannot be opened to unauthenticated minting by a file outside it.
public struct MintConfiguration: Sendable, Equatable {
    /// The file name, shared with the lint configuration.
    public static let fileName = ".stepguard.json"

    /// Whether `mint` may issue credentials without `--identity` (local testing).
    public var allowUnauthenticated: Bool
    /// The file read, if there was one.
    public var file: String?

    public init(allowUnauthenticated: Bool = false, file: String? = nil) {
        self.allowUnauthenticated = allowUnauthenticated
        self.file = file
    }

    /// The configuration of the policy directory at `directory`; the defaults without a file.
    public static func load(policyDirectory directory: String) throws(CredentialsError) -> MintConfiguration {
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + fileName
        guard FileIO.exists(path) else { return MintConfiguration() }
        return try parse(FileIO.readBytes(path: path, limit: 1 << 20), file: path)
    }

    /// Parses the file's JSON, reading only its `mint` section.
    public static func parse(_ bytes: [UInt8], file: String) throws(CredentialsError) -> MintConfiguration {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes, file: file)
        } catch {
            throw .invalidFile(file: file, line: error.location.line, column: error.location.column, message: error.message)
        }
        func fail(_ path: [JSONPathComponent], _ message: String) -> CredentialsError {
            let l = document.nearestLocation(of: path)
            return .invalidFile(file: file, line: l.line, column: l.column, message: message)
        }
        guard let root = document.value.objectValue else { throw fail([], "\(fileName) must be a JSON object") }
        var config = MintConfiguration(file: file)
        guard let section = root["mint"] else { return config }
        guard let mint = section.objectValue else { throw fail([.key("mint")], "\"mint\" must be an object") }
        for key in mint.keys where key != "allowUnauthenticated" {
            throw fail([.key("mint"), .key(key)], "unknown mint setting \"\(key)\"; the setting is allowUnauthenticated")
        }
        if let value = mint["allowUnauthenticated"] {
            guard case .bool(let allowed) = value else {
                throw fail([.key("mint"), .key("allowUnauthenticated")], "\"allowUnauthenticated\" must be true or false")
            }
            config.allowUnauthenticated = allowed
        }
        return config
    }
}

/// Everything that can go wrong reading keys, minting or revoking credentials. Token verification
/// failures are not errors of the tool but verdicts about a token; they are `TokenFailure`.
public enum CredentialsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A PEM file was truncated, had no or mismatched armour, or a bad base64 body.
    case malformedPEM(String)
    /// DER inside a key file did not parse.
    case malformedDER(String)
    /// The key is of another algorithm than Ed25519.
    case wrongKeyType(found: String)
    /// A private key file grants access to group or others.
    case insecureKeyFile(path: String, mode: String)
    /// A JWK or JWKS document was not a valid Ed25519 key (set).
    case malformedJWK(String)
    /// Reading or writing a file failed.
    case io(path: String, message: String)
    /// A file that must not be overwritten already exists.
    case fileExists(path: String)
    /// A duration or timestamp argument could not be read.
    case invalidTime(String)
    /// A mint request was incomplete or inconsistent.
    case invalidRequest(String)
    /// A SPIFFE ID did not follow the SPIFFE ID specification.
    case invalidSPIFFEID(id: String, reason: String)
    /// A verifier option was out of bounds.
    case invalidOption(String)
    /// A `jti` that cannot be stored in a revocation file.
    case invalidJTI(String)
    /// A trust file, the key set it names, or a configuration file is not valid; with the place of the fault.
    case invalidFile(file: String, line: Int, column: Int, message: String)
    /// Minting needs an identity and none was presented.
    case identityRequired(String)

    public var description: String {
        switch self {
        case .malformedPEM(let detail):
            return "malformed PEM: \(detail); expected a key as written by stepguard keygen or openssl genpkey -algorithm ed25519"
        case .malformedDER(let detail):
            return "malformed key data: \(detail); regenerate the key or check that the file is complete"
        case .wrongKeyType(let found):
            return "the key is \(found), but stepguard uses Ed25519 keys; make one with stepguard keygen or openssl genpkey -algorithm ed25519"
        case .insecureKeyFile(let path, let mode):
            return "private key \"\(path)\" is readable by group or others (mode \(mode)); restrict it with chmod 600 \"\(path)\""
        case .malformedJWK(let detail):
            return "invalid JWK: \(detail); expected {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":...}"
        case .io(let path, let message):
            return "cannot access \"\(path)\": \(message)"
        case .fileExists(let path):
            return "\"\(path)\" already exists; choose another name or remove it first"
        case .invalidTime(let detail):
            return "invalid time: \(detail)"
        case .invalidRequest(let detail):
            return "invalid mint request: \(detail)"
        case .invalidSPIFFEID(let id, let reason):
            return "invalid SPIFFE ID \"\(id)\": \(reason)"
        case .invalidOption(let detail):
            return "invalid option: \(detail)"
        case .invalidJTI(let detail):
            return "invalid jti: \(detail)"
        case .invalidFile(let file, let line, let column, let message):
            return "\(file):\(line):\(column): \(message)"
        case .identityRequired(let detail):
            return detail
        }
    }
}

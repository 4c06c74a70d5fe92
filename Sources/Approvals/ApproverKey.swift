import Credentials
import JSONValue
import Workflow

/// An approver's public key: the `approval_key` attribute of the approver's entity in
/// `entities.json`, either a public Ed25519 JWK written as a record
/// (`{"kty": "OKP", "crv": "Ed25519", "x": "…"}`) or SPKI PEM text (`-----BEGIN PUBLIC KEY-----…`),
/// the two forms `stepguard keygen` gives.
public enum ApproverKey {
    /// The attribute that holds the key.
    public static let attribute = "approval_key"

    /// The key of `approver`, or why there is none.
    public static func key(of approver: EntityRef, in entities: EntityFacts) -> Result<VerificationKey, KeyProblem> {
        guard let attributes = entities.attributes(of: approver) else { return .failure(.noEntity) }
        guard let value = attributes[attribute] else { return .failure(.noKey) }
        do {
            switch value {
            case .string(let pem): return .success(try VerificationKey(text: pem))
            case .object: return .success(try JWK(value).verificationKey)
            default: return .failure(.unreadable("it must be a JWK record or PEM text, found \(value.typeName)"))
            }
        } catch {
            return .failure(.unreadable(error.description))
        }
    }

    /// Why an approver has no usable key.
    public enum KeyProblem: Error, Equatable, Sendable {
        /// `entities.json` does not list the approver.
        case noEntity
        /// The entity has no `approval_key`.
        case noKey
        /// The attribute is not an Ed25519 public key.
        case unreadable(String)

        /// The message for `approver`.
        public func message(_ approver: EntityRef) -> String {
            switch self {
            case .noEntity: return "\(approver) is not in entities.json, so it has no approval key"
            case .noKey: return "\(approver) has no \"\(ApproverKey.attribute)\" attribute in entities.json"
            case .unreadable(let why): return "the \"\(ApproverKey.attribute)\" of \(approver) is not an Ed25519 public key: \(why)"
            }
        }
    }
}

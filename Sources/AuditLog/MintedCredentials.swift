import Basics
import JSONValue

/// A credential the log shows minted: its `jti`, the step it was minted for and when it expires.
public struct MintedCredential: Equatable, Sendable {
    /// The credential's `jti`.
    public var jti: String
    /// The plan (or gate session) id.
    public var plan: String
    /// The step id.
    public var step: String?
    /// Expiry, seconds since the epoch, when recorded.
    public var exp: Int64?
    /// The 1-based line of the `mint` record.
    public var line: Int
}

extension AuditLog {
    /// Every credential the `mint` records of the log at `path` show minted for `plan` (a plan id,
    /// or a gate session's id, which its records carry as `plan`), each `jti` once, in log order.
    /// A line that is not JSON is an error: a revocation must not silently miss a credential.
    public static func mintedCredentials(logAt path: String, plan: String) throws(AuditError) -> [MintedCredential] {
        let bytes: [UInt8]
        do {
            bytes = try BoundedRead.file(path, limit: 1 << 34)
        } catch {
            throw .io(path: path, operation: "read", message: error.reason)
        }
        var found: [MintedCredential] = []
        var seen = Set<String>()
        for (index, text) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            // Only mint records are parsed: the rest of a large log is skipped by a byte search.
            guard !text.isEmpty, text.firstRange(of: Array(#""kind":"mint""#.utf8)) != nil else { continue }
            let record: JSONValue
            do {
                record = try JSONParser.parse(Array(text), file: path)
            } catch {
                throw .logDoesNotVerify(path: path, firstFault: "line \(index + 1): a mint record is not JSON (\(error.description))")
            }
            guard let object = record.objectValue, object["kind"]?.stringValue == "mint", object["plan"]?.stringValue == plan,
                  let jti = object["jti"]?.stringValue, seen.insert(jti).inserted else { continue }
            found.append(MintedCredential(
                jti: jti, plan: plan, step: object["step"]?.stringValue, exp: object["exp"]?.int64Value, line: index + 1))
        }
        return found
    }
}

import Crypto
import JSONValue

/// Whom stepguard believes about workload identity: one SPIFFE trust domain's JWT-SVID keys, or
/// one OIDC issuer's keys with the audience its tokens must name. Read from a small JSON file
/// (docs/credentials.md, "Authenticating the agent"):
///
///     {"kind": "spiffe", "trust_domain": "corp.example", "audience": "stepguard",
///      "bundle_file": "corp.example.bundle.json"}
///
///     {"kind": "oidc", "issuer": "https://token.actions.githubusercontent.com",
///      "audience": "stepguard", "jwks_file": "github-actions.jwks.json",
///      "principals": [{"subject": "repo:acme/web:*", "entity": "Agent::\"web-deployer\""}]}
///
/// The keys may also be inline (`bundle` / `jwks`). Keeping them in their own file, exactly as
/// the bundle endpoint or `jwks_uri` serves them, lets an operator refresh them by replacing
/// that file.
public struct TrustFile: Sendable {
    /// What kind of identity the file trusts.
    public enum Kind: String, Sendable {
        /// SPIFFE JWT-SVIDs of one trust domain.
        case spiffe
        /// OpenID Connect ID tokens of one issuer.
        case oidc
    }

    /// An OIDC subject (exact, or a prefix ending in `:*`) and the entity it authenticates as.
    public struct PrincipalMapping: Sendable, Equatable {
        /// The `sub` value, or a prefix that ends with `:*`.
        public let subject: String
        /// The Cedar entity, as `Type::"id"`.
        public let entity: String

        /// Whether `subject` is covered. A pattern's `*` stands for the rest after its last
        /// `:`, so `repo:acme/web:*` covers `repo:acme/web:ref:refs/heads/main` but not
        /// `repo:acme/web-tools:ref:refs/heads/main`.
        public func covers(_ subject: String) -> Bool {
            if self.subject.hasSuffix(":*") {
                let prefix = self.subject.dropLast()
                return subject.hasPrefix(prefix) && subject.count > prefix.count
            }
            return subject == self.subject
        }
    }

    /// One verification key and the names it goes by.
    public struct Key: Sendable {
        /// `kid`.
        public let kid: String?
        /// The JWK's `alg`, when it pins one.
        public let algorithm: String?
        public let key: IdentityPublicKey
    }

    public let kind: Kind
    /// The file it was read from.
    public let file: String
    /// SPIFFE: the trust domain whose SVIDs the keys sign.
    public let trustDomain: String?
    /// OIDC: the issuer identifier `iss` must equal exactly.
    public let issuer: String?
    /// The audience a token must name.
    public let audience: String
    /// Algorithms accepted (all nine unless the file narrows them).
    public let algorithms: [IdentityAlgorithm]
    /// The keys, in document order.
    public let keys: [Key]
    /// SPIFFE: the bundle's `spiffe_sequence`, when it has one.
    public let sequence: Int64?
    /// OIDC: subject to entity mappings, in order; the first that covers a subject wins.
    public let principals: [PrincipalMapping]
    /// Clock leeway for `exp`, `nbf` and `iat`, seconds.
    public let leeway: Int64

    /// Reads and checks a trust file; errors carry the file, line and column.
    public static func load(path: String) throws(CredentialsError) -> TrustFile {
        let bytes = try FileIO.readBytes(path: path, limit: 1 << 20)
        return try parse(bytes, file: path) { relative throws(CredentialsError) in
            let resolved = relative.hasPrefix("/") ? relative : parentDirectory(path) + "/" + relative
            return (try FileIO.readBytes(path: resolved, limit: 1 << 20), resolved)
        }
    }

    /// Parses trust-file JSON; `readFile` reads a key file named by it (relative to the trust file).
    public static func parse(
        _ bytes: [UInt8], file: String,
        readFile: (String) throws(CredentialsError) -> ([UInt8], String)
    ) throws(CredentialsError) -> TrustFile {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes, file: file, maxDepth: 16)
        } catch {
            throw .invalidFile(file: file, line: error.location.line, column: error.location.column, message: error.message)
        }
        func fail(_ path: [JSONPathComponent], _ message: String) -> CredentialsError {
            let l = document.nearestLocation(of: path)
            return .invalidFile(file: file, line: l.line, column: l.column, message: message)
        }
        guard let root = document.value.objectValue else { throw fail([], "a trust file must be a JSON object") }
        let known = ["kind", "trust_domain", "issuer", "audience", "algorithms", "bundle", "bundle_file", "jwks",
                     "jwks_file", "principals", "leeway", "description"]
        for key in root.keys where !known.contains(key) {
            throw fail([.key(key)], "unknown member \"\(key)\"; a trust file has " + known.joined(separator: ", "))
        }
        func string(_ name: String) throws(CredentialsError) -> String? {
            guard let value = root[name] else { return nil }
            guard let text = value.stringValue, !text.isEmpty else { throw fail([.key(name)], "\"\(name)\" must be a non-empty string") }
            return text
        }
        guard let kindText = try string("kind") else { throw fail([], "missing \"kind\": \"spiffe\" or \"oidc\"") }
        guard let kind = Kind(rawValue: kindText) else { throw fail([.key("kind")], "\"kind\" must be \"spiffe\" or \"oidc\", not \"\(kindText)\"") }
        guard let audience = try string("audience") else {
            throw fail([], "missing \"audience\": the aud value tokens must carry for stepguard")
        }

        var trustDomain: String?
        var issuer: String?
        let keysName: String
        switch kind {
        case .spiffe:
            guard let domain = try string("trust_domain") else { throw fail([], "missing \"trust_domain\", e.g. \"corp.example\"") }
            do {
                try SPIFFEID.validate("spiffe://" + domain)
            } catch {
                throw fail([.key("trust_domain")], "\"trust_domain\" is not a SPIFFE trust domain name")
            }
            guard !domain.contains("/") else { throw fail([.key("trust_domain")], "\"trust_domain\" is a name, without \"spiffe://\" or a path") }
            trustDomain = domain
            for name in ["issuer", "principals", "jwks", "jwks_file"] where root[name] != nil {
                throw fail([.key(name)], "\"\(name)\" belongs in an OIDC trust file; a SPIFFE one has trust_domain and bundle or bundle_file")
            }
            keysName = "bundle"
        case .oidc:
            guard let iss = try string("issuer") else { throw fail([], "missing \"issuer\": the exact iss of the tokens") }
            issuer = iss
            for name in ["trust_domain", "bundle", "bundle_file"] where root[name] != nil {
                throw fail([.key(name)], "\"\(name)\" belongs in a SPIFFE trust file; an OIDC one has issuer and jwks or jwks_file")
            }
            keysName = "jwks"
        }

        var algorithms = IdentityAlgorithm.allCases
        if let value = root["algorithms"] {
            guard let list = value.arrayValue, !list.isEmpty else { throw fail([.key("algorithms")], "\"algorithms\" must be a non-empty array") }
            algorithms = []
            for (index, entry) in list.enumerated() {
                guard let name = entry.stringValue, let algorithm = IdentityAlgorithm(rawValue: name) else {
                    throw fail([.key("algorithms"), .index(index)],
                               "unsupported algorithm; use " + IdentityAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))
                }
                algorithms.append(algorithm)
            }
        }

        var leeway: Int64 = 30
        if let value = root["leeway"] {
            guard let text = value.stringValue, let seconds = try? CredentialTime.parseDuration(text),
                seconds >= 0, seconds <= TokenLimits.maxLeeway
            else { throw fail([.key("leeway")], "\"leeway\" must be a duration from 0s to \(TokenLimits.maxLeeway)s, e.g. \"30s\"") }
            leeway = seconds
        }

        // The keys: inline, or in a file of their own; faults in them point into whichever holds them.
        let keys: [Key]
        let sequence: Int64?
        switch (root[keysName], root[keysName + "_file"]) {
        case (let inline?, nil):
            (keys, sequence) = try readKeys(inline, kind: kind) { path, message throws(CredentialsError) in
                throw fail([.key(keysName)] + path, message)
            }
        case (nil, .string(let relative)?):
            let (keyBytes, resolved) = try readFile(relative)
            let keysDocument: JSONDocument
            do {
                keysDocument = try JSONParser.parseDocument(keyBytes, file: resolved, maxDepth: 16)
            } catch {
                throw .invalidFile(file: resolved, line: error.location.line, column: error.location.column, message: error.message)
            }
            (keys, sequence) = try readKeys(keysDocument.value, kind: kind) { path, message throws(CredentialsError) in
                let l = keysDocument.nearestLocation(of: path)
                throw .invalidFile(file: resolved, line: l.line, column: l.column, message: message)
            }
        case (nil, nil):
            throw fail([], "missing \"\(keysName)\" (inline) or \"\(keysName)_file\" (a file beside the trust file)")
        default:
            throw fail([.key(keysName)], "give \"\(keysName)\" or \"\(keysName)_file\", not both")
        }

        var principals: [PrincipalMapping] = []
        if kind == .oidc {
            guard let list = root["principals"]?.arrayValue, !list.isEmpty else {
                throw fail([.key("principals")], "\"principals\" must list which subjects are which entities, e.g. [{\"subject\": \"repo:acme/web:*\", \"entity\": \"Agent::\\\"web-deployer\\\"\"}]")
            }
            for (index, entry) in list.enumerated() {
                let path: [JSONPathComponent] = [.key("principals"), .index(index)]
                guard let object = entry.objectValue, object.keys.allSatisfy({ ["subject", "entity"].contains($0) }),
                    let subject = object["subject"]?.stringValue, !subject.isEmpty,
                    let entity = object["entity"]?.stringValue, !entity.isEmpty
                else { throw fail(path, "a principal mapping is {\"subject\": SUB, \"entity\": \"Type::\\\"id\\\"\"}") }
                if subject.contains("*") && !(subject.hasSuffix(":*") && subject.filter({ $0 == "*" }).count == 1) {
                    throw fail(path + [.key("subject")], "\"*\" may only end a subject, after \":\" (e.g. \"repo:acme/web:*\")")
                }
                guard entity.contains("::\""), entity.hasSuffix("\"") else {
                    throw fail(path + [.key("entity")], "\"entity\" must be a Cedar entity like Agent::\"web-deployer\"")
                }
                principals.append(PrincipalMapping(subject: subject, entity: entity))
            }
        }

        return TrustFile(
            kind: kind, file: file, trustDomain: trustDomain, issuer: issuer, audience: audience, algorithms: algorithms,
            keys: keys, sequence: sequence, principals: principals, leeway: leeway)
    }

    /// The usable keys of a JWKS or SPIFFE bundle. Per the SPIFFE bundle format (§4.2) keys of
    /// an unknown `kty` or `use` are ignored, and only `use` `jwt-svid` keys sign JWT-SVIDs; a
    /// JWT-SVID key must have a `kid`. For OIDC, a `use` other than `sig` is skipped.
    static func readKeys(
        _ value: JSONValue, kind: Kind, fail failAt: ([JSONPathComponent], String) throws(CredentialsError) -> Never
    ) throws(CredentialsError) -> ([Key], Int64?) {
        func fail(_ path: [JSONPathComponent], _ message: String) throws(CredentialsError) -> Never { try failAt(path, message) }
        guard let object = value.objectValue, let list = object["keys"]?.arrayValue else {
            try fail([], "the key set must be a JWKS: {\"keys\": [...]}")
        }
        var sequence: Int64?
        if let value = object["spiffe_sequence"] {
            guard let number = value.int64Value, number >= 0 else {
                try fail([.key("spiffe_sequence")], "\"spiffe_sequence\" must be a whole number")
            }
            sequence = number
        }
        var keys: [Key] = []
        var kids = Set<String>()
        for (index, entry) in list.enumerated() {
            let path: [JSONPathComponent] = [.key("keys"), .index(index)]
            func fail(_ message: String) throws(CredentialsError) -> Never { try failAt(path, message) }
            guard let jwk = entry.objectValue else { try fail("every entry of \"keys\" must be a JWK object") }
            guard let kty = jwk["kty"]?.stringValue else { try fail("a key has no \"kty\"") }
            guard kty == "RSA" || kty == "EC" else { continue }
            let use = jwk["use"]?.stringValue
            switch kind {
            case .spiffe: guard use == "jwt-svid" else { continue }
            case .oidc: guard use == nil || use == "sig" else { continue }
            }
            let kid = jwk["kid"]?.stringValue
            if kind == .spiffe && kid == nil { try fail("a jwt-svid key must have a \"kid\"") }
            if let kid {
                guard kids.insert(kid).inserted else { try fail("two keys share the kid \"\(kid)\"") }
            }
            let key: IdentityPublicKey
            do {
                key = try IdentityPublicKey(jwk: jwk)
            } catch {
                try fail("key \(kid.map { "\"\($0)\"" } ?? "without kid"): \(error.description)")
            }
            keys.append(Key(kid: kid, algorithm: jwk["alg"]?.stringValue, key: key))
        }
        guard !keys.isEmpty else {
            try fail([.key("keys")], kind == .spiffe ? "the bundle has no RSA or EC key with \"use\": \"jwt-svid\"" : "the key set has no RSA or EC signing key")
        }
        return (keys, sequence)
    }
}

/// The directory part of `path` (`.` for a bare name).
private func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

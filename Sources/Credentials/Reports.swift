import JSONValue

// Machine-readable forms of verification results, so `token verify --format json` and
// `token inspect` can print them without knowing the types' insides. Keys are stable.

extension VerifiedToken {
    /// `{"valid": true, "header": {...}, "claims": {...}, "audience_checked": bool}`
    public var json: JSONValue {
        .object(JSONObject([
            ("valid", .bool(true)),
            ("header", .object(header)),
            ("claims", .object(claims)),
            ("audience_checked", .bool(audienceChecked)),
            ("expires_at", .string(CredentialTime.format(expiresAt))),
        ]))
    }
}

extension TokenFailure {
    /// `{"valid": false, "error": {"code": "...", "message": "..."}}`
    public var json: JSONValue {
        .object(JSONObject([
            ("valid", .bool(false)),
            ("error", .object(JSONObject([("code", .string(code)), ("message", .string(description))]))),
        ]))
    }
}

extension DecodedToken {
    /// `{"verified": false, "header": {...}, "claims": {...}}`: what `token inspect` shows.
    public var json: JSONValue {
        .object(JSONObject([
            ("verified", .bool(false)),
            ("header", .object(header)),
            ("claims", .object(claims)),
        ]))
    }
}

extension MintedToken {
    /// `{"token": "...", "jti": "...", "expires_at": "...", "ttl": n, "requested_ttl": n, "capped_by": null|"policy"|"hard_cap"}`
    public var json: JSONValue {
        let cappedBy: JSONValue
        switch cap {
        case .policy?: cappedBy = "policy"
        case .hardCap?: cappedBy = "hard_cap"
        case nil: cappedBy = .null
        }
        return .object(JSONObject([
            ("token", .string(token)),
            ("jti", .string(jti)),
            ("issued_at", .string(CredentialTime.format(issuedAt))),
            ("expires_at", .string(CredentialTime.format(expiresAt))),
            ("ttl", .int(ttl)),
            ("requested_ttl", .int(requestedTTL)),
            ("capped_by", cappedBy),
        ]))
    }

    /// A one-line warning when the lifetime was shortened, for the CLI to put on stderr.
    public var capWarning: String? {
        switch cap {
        case .policy(let seconds)?:
            return "requested TTL \(requestedTTL)s capped to \(seconds)s by the permit's @max_ttl"
        case .hardCap(let seconds)?:
            return "requested TTL \(requestedTTL)s capped to the hard limit of \(seconds)s"
        case nil:
            return nil
        }
    }
}

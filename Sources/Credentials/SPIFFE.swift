/// SPIFFE IDs (SPIFFE ID specification, §2): `spiffe://trust-domain/path`.
public enum SPIFFEID {
    /// Checks `id` against the specification; throws with the rule it breaks.
    public static func validate(_ id: String) throws(CredentialsError) {
        func fail(_ reason: String) -> CredentialsError { .invalidSPIFFEID(id: id, reason: reason) }
        let bytes = Array(id.utf8)
        guard bytes.count <= 2048 else { throw fail("longer than 2048 bytes") }
        let scheme = Array("spiffe://".utf8)
        guard bytes.starts(with: scheme) else { throw fail("must start with \"spiffe://\" in lower case") }
        let rest = bytes[scheme.count...]
        let slash = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let domain = rest[rest.startIndex..<slash]
        guard !domain.isEmpty else { throw fail("the trust domain is empty") }
        for c in domain {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                throw fail("the trust domain must be lower case")
            case UInt8(ascii: ":"):
                throw fail("the trust domain must not have a port")
            case UInt8(ascii: "@"):
                throw fail("the trust domain must not have user info")
            default:
                throw fail("the trust domain may contain only a-z, 0-9, \".\", \"-\" and \"_\"")
            }
        }
        let path = rest[slash...]
        if path.isEmpty { return }
        let segments = path.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty else {
                throw fail(path.last == UInt8(ascii: "/") ? "the path must not end with \"/\"" : "the path has an empty segment")
            }
            guard !(segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8)) else {
                throw fail("the path must not contain \".\" or \"..\" segments")
            }
            for c in segment {
                switch c {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    continue
                case UInt8(ascii: "?"), UInt8(ascii: "#"):
                    throw fail("a SPIFFE ID has no query or fragment")
                default:
                    throw fail("path segments may contain only letters, digits, \".\", \"-\" and \"_\"")
                }
            }
        }
    }

    /// The trust domain name of a valid SPIFFE ID (`corp.example` of `spiffe://corp.example/x`).
    public static func trustDomain(of id: String) -> String? {
        guard id.hasPrefix("spiffe://") else { return nil }
        return String(id.dropFirst("spiffe://".count).prefix { $0 != "/" })
    }

    /// Whether `id` claims to be a SPIFFE ID (and so must be validated as one).
    public static func looksLikeSPIFFE(_ id: String) -> Bool {
        id.lowercased().hasPrefix("spiffe:")
    }
}

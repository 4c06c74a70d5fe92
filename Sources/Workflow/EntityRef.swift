import Cedar
import JSONValue

/// A Cedar entity reference as plans write it: `Type::"id"` (namespaces allowed:
/// `Ops::Service::"api"`), or the JSON form `{"type": "Service", "id": "api"}`.
public struct EntityRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The entity type, with namespaces (`Ops::Service`).
    public var type: String
    /// The entity id.
    public var id: String

    /// Creates a reference.
    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }

    /// The action entity for a catalog action name: `deploy` is `Action::"deploy"`; a name
    /// already written as an entity (`Ops::Action::"deploy"`) is taken as written.
    public static func action(_ name: String) -> EntityRef {
        if let parsed = EntityRef(cedarText: name) { return parsed }
        return EntityRef(type: "Action", id: name)
    }

    /// Parses Cedar entity text `Type::"id"`; nil when `text` is not of that form.
    public init?(cedarText text: String) {
        if let plain = EntityRef(plainCedarText: text) {
            self = plain
            return
        }
        let scalars = Array(text.unicodeScalars)
        guard let quote = scalars.firstIndex(of: "\""), quote >= 3,
              scalars[quote - 1] == ":", scalars[quote - 2] == ":" else { return nil }
        let typeText = String(String.UnicodeScalarView(scalars[0..<(quote - 2)]))
        let parts = typeText.split(separator: "::", omittingEmptySubsequences: false)
        for part in parts where !EntityRef.isIdentifier(part) { return nil }
        // The id: a Cedar string literal running to the end of the text.
        var index = quote + 1
        var id = String.UnicodeScalarView()
        var closed = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" { closed = true; index += 1; break }
            if scalar == "\\" {
                index += 1
                guard index < scalars.count else { return nil }
                switch scalars[index] {
                case "n": id.append("\n")
                case "r": id.append("\r")
                case "t": id.append("\t")
                case "0": id.append("\0")
                case "\\": id.append("\\")
                case "\"": id.append("\"")
                case "'": id.append("'")
                case "*": id.append("*")
                case "u":
                    guard index + 1 < scalars.count, scalars[index + 1] == "{" else { return nil }
                    var hex = ""
                    index += 2
                    while index < scalars.count, scalars[index] != "}" { hex.unicodeScalars.append(scalars[index]); index += 1 }
                    guard index < scalars.count, hex.count >= 1, hex.count <= 6,
                          let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else { return nil }
                    id.append(decoded)
                default: return nil
                }
                index += 1
                continue
            }
            id.append(scalar)
            index += 1
        }
        guard closed, index == scalars.count else { return nil }
        self.type = typeText
        self.id = String(id)
    }

    /// The common case read from the UTF-8 bytes without building scalar arrays (an audit log
    /// names thousands of resources this way): ASCII identifiers, an id without escapes. Nil
    /// for anything else, which the general reading decides.
    private init?(plainCedarText text: String) {
        // A string without contiguous UTF-8 (bridged) is left to the general reading.
        guard let parsed = text.utf8.withContiguousStorageIfAvailable({ bytes -> EntityRef? in
            guard let quote = bytes.firstIndex(of: 0x22), quote >= 3, bytes[quote - 1] == 0x3A, bytes[quote - 2] == 0x3A,
                  bytes.count >= quote + 2, bytes[bytes.count - 1] == 0x22 else { return nil }
            let typeEnd = quote - 2
            var partStart = 0
            var i = 0
            while i <= typeEnd {
                if i == typeEnd || (bytes[i] == 0x3A && i + 1 < typeEnd && bytes[i + 1] == 0x3A) {
                    guard i > partStart, !(0x30...0x39).contains(bytes[partStart]) else { return nil }
                    if i == typeEnd { break }
                    i += 2
                    partStart = i
                    continue
                }
                let b = bytes[i]
                guard b == 0x5F || (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) else { return nil }
                i += 1
            }
            for b in bytes[(quote + 1)..<(bytes.count - 1)] where b == 0x22 || b == 0x5C { return nil }
            return EntityRef(
                type: String(decoding: bytes[0..<typeEnd], as: UTF8.self),
                id: String(decoding: bytes[(quote + 1)..<(bytes.count - 1)], as: UTF8.self))
        }), let parsed else { return nil }
        self = parsed
    }

    static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Reads the JSON forms: `"Type::\"id\""`, `{"type": T, "id": I}`, `{"__entity": {"type": T, "id": I}}`.
    public init?(json: JSONValue) {
        switch json {
        case .string(let text):
            guard let parsed = EntityRef(cedarText: text) else { return nil }
            self = parsed
        case .object(let object):
            if let inner = object["__entity"], object.count == 1 {
                guard let parsed = EntityRef(json: inner), case .object = inner else { return nil }
                self = parsed
                return
            }
            guard object.count == 2, let type = object["type"]?.stringValue, let id = object["id"]?.stringValue,
                  !type.isEmpty,
                  type.split(separator: "::", omittingEmptySubsequences: false).allSatisfy(EntityRef.isIdentifier)
            else { return nil }
            self.type = type
            self.id = id
        default:
            return nil
        }
    }

    /// Cedar text: `Service::"api"`, with the id escaped as Cedar string literals are.
    public var description: String { type + "::" + cedarQuoted(id) }

    /// `{"type": T, "id": I}`.
    public var json: JSONValue {
        .object(JSONObject([("type", .string(type)), ("id", .string(id))]))
    }

    /// `{"__entity": {"type": T, "id": I}}`, the Cedar JSON escape for an entity value.
    public var escapedJSON: JSONValue {
        .object(JSONObject([("__entity", json)]))
    }

    /// The action name as the catalog keys it: the id for `Action::"x"`, the full text otherwise.
    public var actionName: String { type == "Action" ? id : description }

    // Types and ids compare by code points, as Cedar compares them: `File::"e\u{301}"` and
    // `File::"\u{e9}"` are two resources, with two sets of facts, as they are two entities.
    public static func == (a: EntityRef, b: EntityRef) -> Bool {
        a.id.isExactly(b.id) && a.type.isExactly(b.type)
    }

    // `String`'s hash agrees with exact equality: canonically equivalent ids merely collide.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(id)
    }

    /// Code point order, type first.
    public static func < (a: EntityRef, b: EntityRef) -> Bool {
        a.type.isExactly(b.type) ? a.id.exactlyPrecedes(b.id) : a.type.exactlyPrecedes(b.type)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON value as RFC 8259 defines it. Objects keep their members in source order; equality of
/// objects ignores member order, because JSON gives order no meaning.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// An integer number value.
    public static func int(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
    /// An integer number value.
    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(Int64(value))) }
    /// A floating-point number value.
    public static func double(_ value: Double) -> JSONValue { .number(JSONNumber(value)) }

    /// The member named `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The exact integer, when this is a number without fraction that fits in 64 bits.
    public var int64Value: Int64? {
        if case .number(let value) = self { return value.int64 }
        return nil
    }

    /// The Boolean, when this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Strings compare by their code points (RFC 8259 §8.3), not by canonical equivalence.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.isExactly(b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    /// The JSON type name, for messages: `object`, `array`, `string`, `number`, `boolean`, `null`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON number. The literal is kept as written so that integers of any size survive a round
/// trip; `int64` and `double` are the two readings callers use.
public struct JSONNumber: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The number as written in the source, or as produced by the initialiser.
    public let text: String
    /// The exact value when the literal is an integer (no fraction, no exponent) within 64 bits.
    public let int64: Int64?
    /// The nearest double.
    public let double: Double

    /// An integer.
    public init(_ value: Int64) {
        self.text = String(value)
        self.int64 = value
        self.double = Double(value)
    }

    /// A floating-point number. Integral values within 64 bits also read as `int64`.
    public init(_ value: Double) {
        self.double = value
        if value.rounded() == value, abs(value) < 9.2e18 {
            self.int64 = Int64(value)
        } else {
            self.int64 = nil
        }
        self.text = CanonicalJSON.formatNumber(value)
    }

    /// A literal already checked against the JSON number grammar.
    init(validatedLiteral text: String, isInteger: Bool) {
        self.text = text
        self.int64 = isInteger ? Int64(text) : nil
        self.double = Double(text) ?? .nan
    }

    public var description: String { text }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if let left = lhs.int64, let right = rhs.int64 { return left == right }
        if let integer = lhs.int64 ?? rhs.int64 {
            // An integer equals a number read as a double only when the double is exactly that
            // integer (`-115e15` and `-115000000000000000`), never a nearby one beyond 2^53.
            let other = lhs.int64 == nil ? lhs.double : rhs.double
            return Int64(exactly: other) == integer
        }
        return lhs.double == rhs.double
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(double)
    }
}

/// The members of a JSON object, in source order, with keyed lookup. Member names are matched
/// by their code points: `"e\u0301"` and `"\u00e9"` are two members.
public struct JSONObject: Equatable, Sendable, Sequence {
    /// Keys in source order.
    public private(set) var keys: [String]
    private var storage: [ExactString: JSONValue]

    /// An empty object.
    public init() {
        keys = []
        storage = [:]
    }

    /// An object with these members; a repeated key keeps its last value in its first position.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }

    /// The number of members.
    public var count: Int { keys.count }
    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value of `key`; assigning `nil` removes the member, assigning a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { storage[ExactString(key)] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: ExactString(key)) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: ExactString(key)) != nil {
                keys.removeAll { $0.isExactly(key) }
            }
        }
    }

    /// Appends a member; false, leaving the object as it was, when `key` is already a member.
    /// One hash lookup where `contains` then assignment would take two.
    mutating func appendNew(_ key: String, _ value: JSONValue) -> Bool {
        let k = ExactString(key)
        if let old = storage.updateValue(value, forKey: k) {
            storage[k] = old
            return false
        }
        keys.append(key)
        return true
    }

    /// Whether the object has a member `key`.
    public func contains(_ key: String) -> Bool { storage[ExactString(key)] != nil }

    /// The members in their order. (A concrete iterator: a type-erased one is a generic class
    /// whose metadata the runtime builds on first use, in every process.)
    public struct Iterator: IteratorProtocol {
        let object: JSONObject
        var index = 0

        public mutating func next() -> (key: String, value: JSONValue)? {
            guard index < object.keys.count else { return nil }
            let key = object.keys[index]
            index += 1
            return (key, object.storage[ExactString(key)]!)
        }
    }

    public func makeIterator() -> Iterator { Iterator(object: self) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.storage == rhs.storage
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

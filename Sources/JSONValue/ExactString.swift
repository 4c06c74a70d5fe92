#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Swift's `String` compares, hashes and orders by canonical equivalence: `"e\u{301}"` (e and a
// combining acute accent) equals `"\u{e9}"` (precomposed é). JSON (RFC 8259 §8.3), Cedar and
// nearly every other system compare strings by their code points, so two member names or ids
// that differ in bytes are two names. Everything that keys, deduplicates or orders strings
// taken from input goes through the functions here.

extension String {
    /// Whether the two strings are the same sequence of Unicode scalar values (the same UTF-8
    /// bytes), not merely canonically equivalent as `==` tests.
    @inlinable
    public func isExactly(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        if let same = a.withContiguousStorageIfAvailable({ pa in
            b.withContiguousStorageIfAvailable { pb in
                pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0
            }
        }), let same {
            return same
        }
        return a.elementsEqual(b)
    }

    /// Code point order (the order of the UTF-8 bytes), the order Cedar and Rust sort strings
    /// in; unlike `<`, two strings that differ in bytes are never unordered.
    @inlinable
    public func exactlyPrecedes(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Feeds the UTF-8 bytes (and a terminator, so that adjacent strings cannot run together)
    /// to `hasher`: consistent with `isExactly`, where `hash(into:)` follows `==`.
    @inlinable
    public func hashExactly(into hasher: inout Hasher) {
        if utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for byte in utf8 { hasher.combine(byte) }
        }
        hasher.combine(UInt8(0xFF))
    }
}

/// A string used as a key: equal, hashed and ordered by its Unicode scalar values, so that
/// `"e\u{301}"` and `"\u{e9}"` are two keys (see `String.isExactly`).
public struct ExactString: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The string.
    public var string: String

    /// Wraps a string.
    @inlinable
    public init(_ string: String) { self.string = string }

    @inlinable
    public init(stringLiteral value: String) { self.string = value }

    @inlinable
    public static func == (a: ExactString, b: ExactString) -> Bool { a.string.isExactly(b.string) }

    @inlinable
    public static func < (a: ExactString, b: ExactString) -> Bool { a.string.exactlyPrecedes(b.string) }

    @inlinable
    public func hash(into hasher: inout Hasher) { string.hashExactly(into: &hasher) }

    public var description: String { string }
}

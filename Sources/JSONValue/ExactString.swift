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
        // Identical representations hold identical bytes: the common case of equal small
        // strings, or of one string shared, costs a 16-byte comparison, inlined where it is
        // asked (dictionary probes ask it most); the rest is out of line.
        if MemoryLayout<String>.size == 16 {
            let x = withUnsafeBytes(of: self) { ($0.load(as: UInt64.self), $0.load(fromByteOffset: 8, as: UInt64.self)) }
            let y = withUnsafeBytes(of: other) { ($0.load(as: UInt64.self), $0.load(fromByteOffset: 8, as: UInt64.self)) }
            if x == y { return true }
        }
        return hasSameUTF8(as: other)
    }

    /// Whether the UTF-8 bytes of the two strings are the same.
    @usableFromInline
    func hasSameUTF8(as other: String) -> Bool {
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
    public func exactlyPrecedes(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        if let precedes = a.withContiguousStorageIfAvailable({ pa in
            b.withContiguousStorageIfAvailable { pb -> Bool in
                // `memcmp` compares bytes unsigned, which is code point order for UTF-8.
                let common = Swift.min(pa.count, pb.count)
                let order = common == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, common)
                return order != 0 ? order < 0 : pa.count < pb.count
            }
        }), let precedes {
            return precedes
        }
        return a.lexicographicallyPrecedes(b)
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

    // `String`'s own hash is coarser than exact equality (canonically equivalent strings
    // collide) but consistent with it, and fast.
    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(string) }

    public var description: String { string }
}

import Testing
@testable import Cedar

/// The scanner's byte-keyed cache: a key finds its own value and nothing else's, and the table
/// keeps no more than its limit.
struct ByteTableTests {
    static func find(_ table: ByteTable<Int>, _ key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { table.find($0, hash: table.hash($0)) }
    }

    static func insert(_ table: inout ByteTable<Int>, _ key: [UInt8], _ value: Int) {
        key.withUnsafeBufferPointer { table.insert($0, hash: table.hash($0), value) }
    }

    /// Keys of every length around the eight-byte words the hash reads, keys that are prefixes
    /// of others, keys one byte apart, and the bytes of canonically equivalent strings.
    static let keys: [[UInt8]] = {
        var keys: [[UInt8]] = [[], [0], [0, 0], Array("e\u{301}".utf8), Array("\u{e9}".utf8)]
        for length in 1...20 {
            let word = (0..<length).map { UInt8(0x61 + $0 % 26) }
            keys.append(word)
            var changed = word
            changed[length - 1] ^= 0x01
            keys.append(changed)
        }
        return keys
    }()

    @Test func everyKeyFindsItsOwnValue() {
        var table = ByteTable<Int>(limit: 1 << 14)
        for (value, key) in Self.keys.enumerated() {
            #expect(Self.find(table, key) == nil)
            Self.insert(&table, key, value)
        }
        for (value, key) in Self.keys.enumerated() {
            #expect(Self.find(table, key) == value, "\(key)")
        }
        #expect(Self.find(table, Array("not a key".utf8)) == nil)
    }

    @Test func manyKeysGrowTheTableAndTheLimitHolds() {
        var table = ByteTable<Int>(limit: 3_000)
        for n in 0..<5_000 { Self.insert(&table, Array("Agent::\"a\(n)\"".utf8), n) }
        var found = 0
        for n in 0..<5_000 {
            switch Self.find(table, Array("Agent::\"a\(n)\"".utf8)) {
            case nil: break
            case let value?:
                #expect(value == n)
                found += 1
            }
        }
        // The first keys are all kept (a key whose slots are taken has the slots doubled), none
        // past the limit.
        #expect(found == 3_000)
        #expect(Self.find(table, Array("Agent::\"a4999\"".utf8)) == nil)
    }
}

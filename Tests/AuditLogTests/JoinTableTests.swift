import Testing
@testable import AuditLog

/// The joins' hash table: slots stay put across growth, free slots are zero bytes, and copies
/// do not share writes.
@Suite struct JoinTableTests {
    /// The slot holding `key`, or nil (reserving a slot in a copy, which the test then drops).
    static func find<Entry>(_ key: JoinKey, in table: JoinTable<Entry>) -> Int? {
        var probe = table
        let (slot, isNew) = probe.findOrReserve(key)
        return isNew ? nil : slot
    }

    static func key(_ text: String) -> JoinKey {
        Array(text.utf8).withUnsafeBytes { JoinKey($0) }
    }

    @Test func everyKeySurvivesGrowth() {
        var table = JoinTable<StepJoin>()
        for n in 1...50_000 {
            let key = Self.key("step-\(n)")
            let (slot, isNew) = table.findOrReserve(key)
            #expect(isNew)
            table[slot] = StepJoin(key: key, line: n, lineStart: n * 10, allowed: n % 2 == 0)
        }
        #expect(table.count == 50_000)
        for n in stride(from: 1, through: 50_000, by: 7) {
            let slot = Self.find(Self.key("step-\(n)"), in: table)
            #expect(slot.map { table[$0].line } == n)
            #expect(slot.map { table[$0].lineStart } == n * 10)
            #expect(slot.map { table[$0].allowed } == (n % 2 == 0))
        }
        #expect(Self.find(Self.key("step-0"), in: table) == nil)
        #expect(table.findOrReserve(Self.key("step-9")).isNew == false)
        #expect(table.entries(where: { $0.allowed }).count == 25_000)
    }

    @Test func zeroBytesAreAFreeSlot() {
        let zeroStep = [UInt8](repeating: 0, count: MemoryLayout<StepJoin>.size).withUnsafeBytes { $0.loadUnaligned(as: StepJoin.self) }
        let zeroCredential = [UInt8](repeating: 0, count: MemoryLayout<CredentialJoin>.size).withUnsafeBytes { $0.loadUnaligned(as: CredentialJoin.self) }
        #expect(zeroStep.isFree)
        #expect(zeroCredential.isFree)
        #expect(!StepJoin(key: Self.key("s"), line: 1, lineStart: 0, allowed: false).isFree)
    }

    @Test func flagsDoNotDisturbTheLine() {
        var entry = StepJoin(key: Self.key("s"), line: 123_456_789, lineStart: 5, allowed: true)
        entry.executed = true
        #expect(entry.line == 123_456_789 && entry.allowed && entry.executed)
        entry.executed = false
        #expect(entry.line == 123_456_789 && entry.allowed && !entry.executed)
    }

    @Test func copiesAreIndependent() {
        var table = JoinTable<CredentialJoin>()
        let key = Self.key("jti-1")
        var entry = CredentialJoin(key: key)
        entry.mintLine = 3
        table[table.findOrReserve(key).slot] = entry
        var copy = table
        entry.mintLine = 9
        copy[Self.find(key, in: copy)!] = entry
        #expect(table[Self.find(key, in: table)!].mintLine == 3)
        #expect(copy[Self.find(key, in: copy)!].mintLine == 9)
    }

    @Test func keysOfTwoTextsKeepTheirBoundary() {
        func key(_ a: String, _ b: String) -> JoinKey {
            Array(a.utf8).withUnsafeBytes { first in Array(b.utf8).withUnsafeBytes { JoinKey(first, $0) } }
        }
        #expect(key("ab", "c") != key("a", "bc"))
        #expect(key("plan-1", "step-12345678") != key("plan-1", "step-12345679"))
        #expect(key("", "x") != key("x", ""))
        #expect(Self.key("abcdefgh") != Self.key("abcdefgh\u{0}"))
    }
}

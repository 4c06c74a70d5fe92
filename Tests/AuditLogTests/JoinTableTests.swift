import Testing
@testable import AuditLog

/// The joins' hash table: entries stay findable across growth, free slots are zero bytes,
/// copies do not share writes, and the documented entry sizes hold.
@Suite struct JoinTableTests {
    static func key(_ text: String) -> JoinKey {
        Array(text.utf8).withUnsafeBytes { JoinKey($0) }
    }

    /// The entry under `key`, or nil; looks through a copy, which keeps the probe's fresh
    /// entry to itself.
    static func lookup<Entry>(_ key: JoinKey, in table: JoinTable<Entry>) -> Entry? {
        var probe = table
        return probe.modify(key) { entry, isNew in isNew ? nil : entry }
    }

    @Test func everyKeySurvivesGrowth() {
        var table = JoinTable<StepJoin>()
        for n in 1...50_000 {
            let key = Self.key("step-\(n)")
            let isNew = table.modify(key) { entry, isNew in
                entry = StepJoin(key: key, line: n, lineStart: n * 10, allowed: n % 2 == 0)
                return isNew
            }
            #expect(isNew)
        }
        #expect(table.count == 50_000)
        for n in stride(from: 1, through: 50_000, by: 7) {
            let entry = Self.lookup(Self.key("step-\(n)"), in: table)
            #expect(entry?.line == n)
            #expect(entry?.lineStart == n * 10)
            #expect(entry?.allowed == (n % 2 == 0))
        }
        #expect(Self.lookup(Self.key("step-0"), in: table) == nil)
        #expect(table.modify(Self.key("step-9")) { _, isNew in isNew } == false)
        #expect(table.count == 50_000)
        #expect(table.entries(where: { $0.allowed }).count == 25_000)
    }

    @Test func aNewEntryLeftFreeIsNotAdded() {
        var table = JoinTable<StepJoin>()
        table.modify(Self.key("s")) { _, _ in }
        #expect(table.count == 0)
        #expect(Self.lookup(Self.key("s"), in: table) == nil)
    }

    @Test func zeroBytesAreAFreeSlot() {
        let zeroStep = [UInt8](repeating: 0, count: MemoryLayout<StepJoin>.size).withUnsafeBytes { $0.loadUnaligned(as: StepJoin.self) }
        let zeroCredential = [UInt8](repeating: 0, count: MemoryLayout<CredentialJoin>.size).withUnsafeBytes { $0.loadUnaligned(as: CredentialJoin.self) }
        #expect(zeroStep.isFree)
        #expect(zeroCredential.isFree)
        #expect(StepJoin(key: Self.key("s")).isFree)
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
        table.modify(key) { entry, _ in entry.mintLine = 3 }
        var copy = table
        copy.modify(key) { entry, _ in entry.mintLine = 9 }
        #expect(Self.lookup(key, in: table)?.mintLine == 3)
        #expect(Self.lookup(key, in: copy)?.mintLine == 9)
    }

    /// The sizes the documentation gives: they decide how many entries share a cache line.
    @Test func entriesAreAsSmallAsDocumented() {
        #expect(MemoryLayout<StepJoin>.stride == 48)
        #expect(MemoryLayout<CredentialJoin>.stride == 64)
        #expect(MemoryLayout<PreparedLine>.stride == 208)
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

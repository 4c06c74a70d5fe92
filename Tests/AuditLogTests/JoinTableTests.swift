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

    /// Tables reserved for any number of keys (their capacity is then no power of two, and a
    /// large one is whole huge pages of slots) find every key, before and after they grow.
    @Test(arguments: [1, 7, 1_000, 100_000])
    func reservedTablesFindEveryKey(reserved: Int) {
        var table = JoinTable<StepJoin>()
        table.reserve(reserved)
        let total = reserved * 2 + 100
        let added = (1...total).filter { n in
            let key = Self.key("step-\(n)")
            return table.modify(key) { entry, isNew in
                entry = StepJoin(key: key, line: n, lineStart: n, allowed: true)
                return isNew
            }
        }
        #expect(added.count == total && table.count == total)
        let lost = (1...total).filter { table.find(Self.key("step-\($0)"))?.line != $0 }
        #expect(lost.isEmpty, "\(lost.prefix(10))")
        #expect(table.find(Self.key("step-0")) == nil)
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

    /// An execution's order check reads its decision's `after` and `plan` where the decision's
    /// facts placed them, and answers as scanning the decision line again does: escaped names,
    /// several steps waited for, and decisions whose `after` or `plan` lies too far into the
    /// line for the offsets (which are then not kept, and the line is scanned).
    @Test(arguments: ["short", "long action", "long note"])
    func orderIsReadWhereTheDecisionPutIt(decision: String) throws {
        // A member before `after` moves both past 64 KB; one between them, only `plan`.
        let action = decision == "long action" ? String(repeating: "x", count: 70_000) : ""
        let note = decision == "long note" ? String(repeating: "y", count: 70_000) : ""
        let before = action.isEmpty ? "" : #""action":"\#(action)","#
        let between = note.isEmpty ? "" : #""note":"\#(note)","#
        let prev = String(repeating: "0", count: 64)
        let lines = [
            #"{\#(before)"after":["a\"b","c\\d","e"],"kind":"decision",\#(between)"outcome":"allow","plan":"p\"q","prev":"\#(prev)","seq":0,"step":"s"}"#,
            #"{"kind":"execution","outcome":"success","plan":"p\"q","prev":"\#(prev)","seq":1,"step":"e"}"#,
            #"{"kind":"execution","outcome":"success","plan":"p\"q","prev":"\#(prev)","seq":2,"step":"s"}"#,
        ]
        let bytes = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        let facts = Array(lines[0].utf8).withUnsafeBytes { line in
            (try? RecordScanner.scan(line)).map { JoinFacts($0, line: line, time: nil) }
        }
        #expect(try #require(facts).ordered)
        #expect((try #require(facts).orderOffsets.offsets == nil) == (action.count + note.count > 0))
        let report = try bytes.withUnsafeBytes { try AuditVerifier.verify(bytes: $0, hasher: FastTestHasher()) }
        let outOfOrder = report.findings.filter { $0.kind == .outOfOrder }
        #expect(outOfOrder.count == 1)
        #expect(outOfOrder.first?.line == 3 && outOfOrder.first?.relatedLine == 1)
        #expect(outOfOrder.first?.message.contains(#"was executed before "a"b", "c\d" had been"#) == true, "\(outOfOrder)")
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

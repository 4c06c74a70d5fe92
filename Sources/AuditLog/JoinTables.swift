import Basics
import CHotPaths
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A 128-bit key for joining records by step or credential without keeping their text.
struct JoinKey: Hashable, Sendable {
    var a: UInt64
    var b: UInt64

    init(a: UInt64, b: UInt64) {
        self.a = a
        self.b = b
    }

    /// The key of one text (a credential's `jti`).
    init(_ text: UnsafeRawBufferPointer) {
        var state = Self.seed
        Self.absorb(text, into: &state)
        self.init(a: state.a, b: state.b)
    }

    /// The key of two texts (a plan and a step): `("ab", "c")` and `("a", "bc")` differ.
    init(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        var state = Self.seed
        Self.absorb(first, into: &state)
        Self.absorb(second, into: &state)
        self.init(a: state.a, b: state.b)
    }

    private static var seed: (a: UInt64, b: UInt64) { (0xcbf2_9ce4_8422_2325, 0x9e37_79b9_7f4a_7c15) }

    /// Two independent multiply-and-shift mixes, eight bytes at a time; each text ends with
    /// its length, so where one text stops is part of the key.
    private static func absorb(_ text: UnsafeRawBufferPointer, into state: inout (a: UInt64, b: UInt64)) {
        @inline(__always) func mix(_ word: UInt64) {
            state.a = (state.a ^ word) &* 0x0000_0100_0000_01b3
            state.a ^= state.a >> 32
            state.b = (state.b &+ word) &* 0xff51_afd7_ed55_8ccd
            state.b ^= state.b >> 29
        }
        guard let base = text.baseAddress else {
            mix(0x8000_0000_0000_0000)
            return
        }
        var i = 0
        while i + 8 <= text.count {
            mix(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while i < text.count {
            last |= UInt64(text[i]) << shift
            shift += 8
            i += 1
        }
        mix(last)
        mix(0x8000_0000_0000_0000 | UInt64(text.count))
        state.b = (state.b ^ (state.a >> 31)) &* 0xc4ce_b9fe_1a85_ec53
    }
}

/// What the joins need from one record, worked out where its line is prepared, off the
/// reader's thread: its kind, whether it allows its step, its keys and its time.
///
/// Held flat (no optionals inside) because one is copied per line between threads.
struct JoinFacts: Sendable {
    enum Kind: UInt8, Sendable { case decision, approval, mint, revocation, execution, other }

    private var stepKeyValue = JoinKey(a: 0, b: 0)
    private var jtiKeyValue = JoinKey(a: 0, b: 0)
    /// A mint's expiry or an execution's time, in milliseconds since the epoch; for a decision
    /// that names an order, its `OrderOffsets`.
    private var moment: Int64 = 0
    var kind: Kind
    /// An outcome that lets the step run (`RunningOutcomes`).
    var allowing = false
    /// A decision that held its step for approval: waiting (`approve`), or released by the
    /// approvals recorded with it (`approved`, which the gate follows with them). Only such a
    /// decision is released by an approval after it.
    var holding = false
    private var present: UInt8 = 0

    private static let hasStepKey: UInt8 = 1, hasJtiKey: UInt8 = 2, hasMoment: UInt8 = 4, hasAfter: UInt8 = 8

    /// Plan and step, when the record names both.
    var stepKey: JoinKey? { present & Self.hasStepKey != 0 ? stepKeyValue : nil }
    var jtiKey: JoinKey? { present & Self.hasJtiKey != 0 ? jtiKeyValue : nil }
    /// An execution's time.
    var time: Int64? { kind == .execution && present & Self.hasMoment != 0 ? moment : nil }
    /// A mint's expiry.
    var exp: Int64? { kind == .mint && present & Self.hasMoment != 0 ? moment : nil }
    /// A decision that names steps its plan runs it after (`after`), which the join pass reads
    /// from the line again: few records carry it, and the facts stay flat.
    var ordered: Bool { present & Self.hasAfter != 0 }
    /// Where such a decision's `after` and `plan` are in its line.
    var orderOffsets: OrderOffsets { kind == .decision ? OrderOffsets(raw: UInt32(truncatingIfNeeded: moment)) : OrderOffsets() }
    /// The fingerprints of the digests of what was decided that the record carries.
    private(set) var prints = FormPrints()

    /// The facts of a line that is not a record: nothing to join.
    static var none: JoinFacts { JoinFacts(kind: .other) }

    private init(kind: Kind) { self.kind = kind }

    /// The facts of `record`, whose `time` the caller has read already.
    @inline(__always)
    init(_ record: borrowing ScannedRecord, line: UnsafeRawBufferPointer, time: Int64?) {
        func bytes(_ span: ByteSpan) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: line[span.start..<span.end]) }
        func equals(_ span: ByteSpan?, _ word: StaticString) -> Bool {
            guard let span, span.count == word.utf8CodeUnitCount else { return false }
            return memcmpBytes(line.baseAddress! + span.start, UnsafeRawPointer(word.utf8Start), span.count)
        }
        let kindSpan = record.kind
        if equals(kindSpan, "decision") { kind = .decision }
        else if equals(kindSpan, "approval") { kind = .approval }
        else if equals(kindSpan, "mint") { kind = .mint }
        else if equals(kindSpan, "revocation") { kind = .revocation }
        else if equals(kindSpan, "execution") { kind = .execution }
        else { kind = .other }
        if let plan = record.plan, let step = record.step {
            stepKeyValue = JoinKey(bytes(plan), bytes(step))
            present |= Self.hasStepKey
        }
        if let jti = record.jti {
            jtiKeyValue = JoinKey(bytes(jti))
            present |= Self.hasJtiKey
        }
        if kind == .decision || kind == .mint || kind == .execution {
            prints = FormPrints(plan: record.planDigest.map { FormPrints.print(bytes($0)) } ?? 0,
                                step: record.stepDigest.map { FormPrints.print(bytes($0)) } ?? 0,
                                args: record.argsDigest.map { FormPrints.print(bytes($0)) } ?? 0)
        }
        var moment: Int64?
        switch kind {
        case .decision:
            // `approved` lets the step run on the approvals recorded before it (`eval` and `mint`
            // write them first; `--policies` checks that they count).
            let outcome = record.outcome
            let approved = equals(outcome, "approved")
            allowing = approved || outcome.map { RunningOutcomes.decisionRuns(utf8: bytes($0)) } ?? false
            holding = approved || equals(outcome, "approve")
            if let after = record.after, after.count > 0 {
                present |= Self.hasAfter
                self.moment = Int64(OrderOffsets(after: after.start, plan: record.plan?.start).raw)
            }
        case .approval:
            allowing = record.outcome.map { RunningOutcomes.approvalRuns(utf8: bytes($0)) } ?? false
        case .mint:
            moment = record.exp.flatMap { Timestamp.parse(bytes($0)) }
        case .execution:
            moment = time
        case .revocation, .other:
            break
        }
        if let moment {
            self.moment = moment
            present |= Self.hasMoment
        }
    }
}

/// Where a decision's `after` (the byte after its `[`) and `plan` (the byte after its opening
/// quote) start in its line, so that an execution answering to the decision reads its order
/// there instead of scanning the line again; 0 where the decision names no order or an offset
/// does not fit in 16 bits, and then the line is scanned.
struct OrderOffsets: Equatable, Sendable {
    private(set) var raw: UInt32 = 0

    init() {}

    init(raw: UInt32) { self.raw = raw }

    init(after: Int, plan: Int?) {
        guard let plan, after > 0, after <= 0xFFFF, plan > 0, plan <= 0xFFFF else { return }
        raw = UInt32(after) | UInt32(plan) << 16
    }

    /// The two offsets, or nil when they were not kept.
    var offsets: (after: Int, plan: Int)? {
        raw == 0 ? nil : (Int(raw & 0xFFFF), Int(raw >> 16))
    }
}

/// 32-bit fingerprints of the digests of what was decided that a record carries (`plan_digest`,
/// `step_digest`, `args_digest`), 0 for one it does not.
///
/// They tell digests apart, they do not authenticate them: whoever writes a record can write
/// any digest in it, so 32 bits are enough to catch a record that names another form, and the
/// tables stay small.
struct FormPrints: Equatable, Sendable {
    var plan: UInt32 = 0
    var step: UInt32 = 0
    var args: UInt32 = 0

    /// The fingerprint of one digest's text; never 0, which means none. Every line of a log
    /// pays for three, so it folds eight bytes at a time with a rotation (one multiply at the
    /// end), which is enough to tell digests apart: `JoinKey`'s mixing is for table slots.
    static func print(_ text: UnsafeRawBufferPointer) -> UInt32 {
        var h = UInt64(text.count) &* 0x9e37_79b9_7f4a_7c15
        var i = 0
        if let base = text.baseAddress {
            while i + 8 <= text.count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                h = (h ^ word) &<< 23 | (h ^ word) &>> 41
                h = h &+ word
                i += 8
            }
            var last: UInt64 = 0
            var shift: UInt64 = 0
            while i < text.count {
                last |= UInt64(text[i]) &<< shift
                shift += 8
                i += 1
            }
            h ^= last
        }
        h = (h ^ h &>> 31) &* 0xbf58_476d_1ce4_e5b9
        let folded = UInt32(truncatingIfNeeded: h ^ h &>> 32)
        return folded == 0 ? 1 : folded
    }

    /// The digests of what was decided that both carry and that differ, one bit each
    /// (`plan_digest` 1, `step_digest` 2, `args_digest` 4); 0 when none does.
    func mismatch(_ other: FormPrints) -> UInt8 {
        func differs(_ a: UInt32, _ b: UInt32) -> Bool { a != 0 && b != 0 && a != b }
        return (differs(plan, other.plan) ? 1 : 0) | (differs(step, other.step) ? 2 : 0) | (differs(args, other.args) ? 4 : 0)
    }

    /// The names of the digests a `mismatch` names.
    static func names(_ mismatch: UInt8) -> String {
        [(1, "plan_digest"), (2, "step_digest"), (4, "args_digest")].filter { mismatch & $0.0 != 0 }.map(\.1).joined(separator: ", ")
    }

    /// These prints, with each digest of what was decided that they lack taken from `other`.
    func filled(from other: FormPrints) -> FormPrints {
        FormPrints(plan: plan != 0 ? plan : other.plan, step: step != 0 ? step : other.step,
                   args: args != 0 ? args : other.args)
    }
}

/// An entry of a `JoinTable`: a key and what is known under it. An entry whose bytes are all
/// zero must be free, so that fresh zero-filled memory is an empty table.
protocol JoinTableEntry {
    /// The entry a key starts from before anything is known under it.
    init(key: JoinKey)
    var key: JoinKey { get }
    var isFree: Bool { get }
}

/// An open-addressing table of entries that carry their own keys, held in one block of memory.
///
/// On a large log the joins hold millions of keys and every lookup lands on a random slot, so
/// what costs is the memory system, not the hashing. A slot holds the key and its value
/// together (one cache miss per lookup, not one per array); the block is zero-filled memory
/// from the system, in huge pages where it offers them (so that a lookup does not also miss the
/// address translation caches); operations find a slot once and then work on it; and the keys'
/// bits are already well mixed, so nothing is rehashed.
struct JoinTable<Entry: JoinTableEntry> {
    private var storage = SlotStorage<Entry>(capacity: 64)
    private(set) var count = 0

    init() {}

    /// Runs `body` on the entry under `key` (a fresh `Entry(key:)` when there is none, with
    /// `isNew` true) and keeps what it leaves; a new entry that `body` leaves free is not added.
    /// The one way to change the table, so a slot is found once per record.
    @inline(__always)
    mutating func modify<Result>(_ key: JoinKey, _ body: (_ entry: inout Entry, _ isNew: Bool) -> Result) -> Result {
        var i = slot(key)
        let isNew = storage.base[i].isFree
        // Grow past two thirds full: linear probing stays short, and neighbouring slots share
        // cache lines, so a probe of a few slots costs about one miss.
        if isNew && (count + 1) * 3 > storage.capacity * 2 {
            grow()
            i = slot(key)
        }
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        var entry = isNew ? Entry(key: key) : storage.base[i]
        let result = body(&entry, isNew)
        storage.base[i] = entry
        if isNew && !entry.isFree { count += 1 }
        return result
    }

    /// The entries in use that satisfy `predicate`, in slot order.
    func entries(where predicate: (Entry) -> Bool) -> [Entry] {
        (0..<storage.capacity).compactMap { storage.base[$0].isFree || !predicate(storage.base[$0]) ? nil : storage.base[$0] }
    }

    /// Makes room for `count` keys at once (a no-op when there is): the capacity is what they
    /// need, not the next power of two, which left tables up to three times the keys they held,
    /// all of it zeroed by the kernel on first touch (a sixth of the CPU time of verifying a
    /// log, `perf`).
    mutating func reserve(_ count: Int) {
        let capacity = count + count / 2 + 1
        if capacity > storage.capacity { rebuild(capacity: capacity) }
    }

    /// The entry under `key`, if there is one.
    func find(_ key: JoinKey) -> Entry? {
        let i = slot(key)
        return storage.base[i].isFree ? nil : storage.base[i]
    }

    /// Starts bringing `key`'s first slot into the cache, for a lookup a little later.
    @inline(__always)
    func prefetch(_ key: JoinKey) {
        stepguard_prefetch(storage.base + home(key))
    }

    /// The key's first slot: `b` as a fraction of the capacity, by a multiply (so the capacity
    /// need not be a power of two), which takes its high bits, the ones its last multiply mixed
    /// best.
    @inline(__always)
    private func home(_ key: JoinKey) -> Int {
        Int(truncatingIfNeeded: key.b.multipliedFullWidth(by: UInt64(storage.capacity)).high)
    }

    private func slot(_ key: JoinKey) -> Int {
        let capacity = storage.capacity
        let base = storage.base
        var i = home(key)
        while !base[i].isFree && base[i].key != key {
            i += 1
            if i == capacity { i = 0 }
        }
        return i
    }

    private mutating func grow() {
        rebuild(capacity: storage.capacity * 2)
    }

    private mutating func rebuild(capacity: Int) {
        let old = storage
        storage = SlotStorage(capacity: capacity)
        for i in 0..<old.capacity where !old.base[i].isFree {
            storage.base[slot(old.base[i].key)] = old.base[i]
        }
    }
}

/// Zero-filled memory for a table's slots. Large blocks come straight from the system, which
/// hands them out zeroed, with huge pages asked for on Linux; they are whole huge pages, all of
/// them slots (so the capacity may come out above the one asked for).
final class SlotStorage<Entry> {
    let base: UnsafeMutablePointer<Entry>
    let capacity: Int
    private let byteCount: Int
    private let mapped: Bool

    /// The size of a huge page, to which mapped blocks are rounded up.
    private static var hugePage: Int { 1 << 21 }

    init(capacity requested: Int) {
        #if os(Linux)
        let anonymous = MAP_ANONYMOUS
        #else
        let anonymous = MAP_ANON
        #endif
        let stride = MemoryLayout<Entry>.stride
        let wanted = requested * stride
        let rounded = (wanted + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        if wanted >= Self.hugePage, let region = mmap(nil, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | anonymous, -1, 0),
           region != MAP_FAILED {
            capacity = rounded / stride
            byteCount = rounded
            #if os(Linux)
            _ = madvise(region, byteCount, MADV_HUGEPAGE)
            #endif
            base = region.bindMemory(to: Entry.self, capacity: capacity)
            mapped = true
        } else {
            capacity = requested
            byteCount = wanted
            let region = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
            region.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
            base = region.bindMemory(to: Entry.self, capacity: capacity)
            mapped = false
        }
    }

    /// A separate block with the same entries.
    func copy() -> SlotStorage {
        let other = SlotStorage(capacity: capacity)
        other.base.update(from: base, count: capacity)
        return other
    }

    deinit {
        if mapped { munmap(base, byteCount) } else { base.deallocate() }
    }
}

/// What the joins know about one step (plan and step): its latest decision (or the approval
/// that released it), or the record that first named it, whether that decision held the step
/// for approval, whether it was executed, whether a credential was minted for it, whether its
/// plan orders it after other steps, and the digests of what was decided.
/// 48 bytes (the order offsets take what was padding).
struct StepJoin: JoinTableEntry {
    var key: JoinKey
    /// The line number (1-based; 0 when no decision named the step) in the low 59 bits, then
    /// the flags; all 0 in a free slot.
    private var lineAndFlags: UInt64
    /// Offset of that line in the log, to read its fields again for a finding.
    var lineStart: Int
    /// The digests of the step as decided: the latest decision's, or where it carries none, those
    /// of the credential minted for it after it.
    var prints = FormPrints()
    /// Where the `after` and `plan` of the record held are in its line, when it is a decision
    /// that names an order.
    var orderOffsets = OrderOffsets()

    private static let allowedBit: UInt64 = 1 << 63
    private static let executedBit: UInt64 = 1 << 62
    private static let orderedBit: UInt64 = 1 << 61
    private static let mintedBit: UInt64 = 1 << 60
    private static let heldBit: UInt64 = 1 << 59
    private static let lineMask: UInt64 = (1 << 59) - 1

    /// A step nothing is known about yet: free until a line is set.
    init(key: JoinKey) {
        self.init(key: key, line: 0, lineStart: 0, allowed: false)
    }

    init(key: JoinKey, line: Int, lineStart: Int, allowed: Bool) {
        self.key = key
        self.lineAndFlags = UInt64(line) & Self.lineMask | (allowed ? Self.allowedBit : 0)
        self.lineStart = lineStart
    }

    var isFree: Bool { lineAndFlags == 0 }
    var line: Int { Int(lineAndFlags & Self.lineMask) }
    private func flag(_ bit: UInt64) -> Bool { lineAndFlags & bit != 0 }
    private mutating func setFlag(_ bit: UInt64, _ value: Bool) {
        lineAndFlags = value ? lineAndFlags | bit : lineAndFlags & ~bit
    }
    var allowed: Bool { flag(Self.allowedBit) }
    var executed: Bool {
        get { flag(Self.executedBit) }
        set { setFlag(Self.executedBit, newValue) }
    }
    /// Whether a decision named the steps it runs after: the record this entry holds, or the
    /// one `ChainEngine.orderedElsewhere` names.
    var ordered: Bool {
        get { flag(Self.orderedBit) }
        set { setFlag(Self.orderedBit, newValue) }
    }
    /// Whether the step's latest decision held it for approval: an approval after any other
    /// decision releases nothing.
    var held: Bool {
        get { flag(Self.heldBit) }
        set { setFlag(Self.heldBit, newValue) }
    }
    /// Whether a credential was minted for the step: its executions must name one.
    var minted: Bool {
        get { flag(Self.mintedBit) }
        set { setFlag(Self.mintedBit, newValue) }
    }
}

/// What the joins know about one credential (`jti`): the line of its last mint, the expiry and
/// the step that mint gave it, whether that mint named another form than the step's latest
/// decision, its first use and its first revocation. A line number of 0 means none.
struct CredentialJoin: JoinTableEntry {
    var key: JoinKey
    /// The mint's line in the low 56 bits, and above them the digests (`FormPrints.mismatch`)
    /// in which it differed from the step's latest decision before it.
    private var mintWord: UInt64
    var mintLine: Int {
        get { Int(mintWord & Self.lineMask) }
        set { mintWord = mintWord & ~Self.lineMask | UInt64(newValue) & Self.lineMask }
    }
    var mismatch: UInt8 {
        get { UInt8(truncatingIfNeeded: mintWord >> 56) }
        set { mintWord = mintWord & Self.lineMask | UInt64(newValue) << 56 }
    }
    private static let lineMask: UInt64 = (1 << 56) - 1
    /// Milliseconds since the epoch; `Int64.min` when the mint named no readable expiry.
    var expiry: Int64
    var usedLine: Int
    var revokedLine: Int
    /// The plan and step its mint named: an execution of another step may not use it.
    var step: JoinKey

    init(key: JoinKey) {
        self.key = key
        step = JoinKey(a: 0, b: 0)
        mintWord = 0
        expiry = .min
        usedLine = 0
        revokedLine = 0
    }

    var isFree: Bool { mintLine == 0 && usedLine == 0 && revokedLine == 0 }
}


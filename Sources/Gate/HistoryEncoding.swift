import AuditLog
import Crypto
import JSONValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A session's history as the session index keeps it: the members the gate reads of each record
/// (`HistoryRecord` without `session_prev` and `history_digest`), in log order.
///
/// Each record is its nine members in a fixed order (kind, step, outcome, principal, action,
/// resource, input digest, risk, host call id), each a tag byte and what it says: 0, absent;
/// 2, the member's UTF-8 length and bytes; 1, the number of an earlier string written with tag 2
/// (counted from 0 in the order written). Only the members that repeat across a session's calls
/// (kind, outcome, principal, action, resource, risk) name earlier strings, and only one with
/// exactly the same bytes; a call's own ids are always written out. The encoding of a history
/// is therefore one sequence of bytes, and the encoding of its first records is a prefix of it.
///
/// What a gate record names as `history_digest` is the SHA-256 of the encoding of the history
/// followed by the hash of the session's record before the append (the first appended record's
/// `session_prev`): the history together with where it ends (`digest(after:)`). The encoding
/// comes first so that a call hashes it once: the digest that checks the snapshot it read goes
/// on, over the records added to it, into the digest its own records name.
struct HistoryEncoding: Equatable {
    /// The encoded records.
    private(set) var bytes: [UInt8]
    /// The repeating strings written with tag 2 so far, found by their bytes: each holds the
    /// number of the first written with them (what a later member with those bytes names).
    private var numbers: ByteRangeTable
    /// How many repeating strings were written with tag 2 (the next one's number).
    private var written = 0
    /// SHA-256 after absorbing the first `hashed` bytes (a digest absorbs the rest).
    private var absorbed = SHA256()
    private var hashed = 0

    static func == (a: HistoryEncoding, b: HistoryEncoding) -> Bool { a.bytes == b.bytes }

    /// The encoding of `records`.
    init(_ records: [HistoryRecord] = []) {
        bytes = []
        bytes.reserveCapacity(records.count * 64)
        numbers = ByteRangeTable(expected: 16)
        for record in records { append(record) }
    }

    /// `bytes` as a walk left them: `numbers` found over them, `written` strings numbered, and
    /// `absorbed` the SHA-256 state after all of them.
    fileprivate init(bytes: [UInt8], numbers: ByteRangeTable, written: Int, absorbed: SHA256) {
        self.bytes = bytes
        self.numbers = numbers
        self.written = written
        self.absorbed = absorbed
        self.hashed = bytes.count
    }

    /// The SHA-256 of the bytes followed by `last` (the hash of the history's last record, or
    /// the genesis value).
    func digest(after last: Digest32) -> Digest32 {
        var sha = absorbed
        bytes.withUnsafeBytes { sha.update(UnsafeRawBufferPointer(rebasing: $0[hashed...])) }
        return Self.digest(continuing: sha, after: last)
    }

    /// SHA-256 after absorbing encoded `bytes` (read from an index, before they are decoded):
    /// where their digest, and that of a history that goes on from them, begins.
    static func absorbing(_ bytes: ArraySlice<UInt8>) -> SHA256 {
        var sha = SHA256()
        bytes.withUnsafeBytes { sha.update($0) }
        return sha
    }

    /// The digest of the bytes `absorbed` has absorbed, followed by `last`.
    static func digest(continuing absorbed: SHA256, after last: Digest32) -> Digest32 {
        var sha = absorbed
        last.bytes.withUnsafeBytes { sha.update($0) }
        return Digest32(bytes: sha.finalize())!
    }

    /// The members of one record, in the encoding's order, and whether each repeats across calls.
    private static func members(_ record: HistoryRecord) -> [(String?, Bool)] {
        [(record.kind, true), (record.step, false), (record.outcome, true), (record.principal, true), (record.action, true),
         (record.resource, true), (record.inputDigest, false), (record.risk, true), (record.hostCallID, false)]
    }

    /// Adds `record` after the records encoded so far.
    mutating func append(_ record: HistoryRecord) {
        for (member, repeats) in Self.members(record) {
            guard var member else {
                bytes.append(0)
                continue
            }
            member.withUTF8 { utf8 in
                if repeats {
                    let found = bytes.withUnsafeBufferPointer { numbers.find(UnsafeRawBufferPointer(utf8), in: $0) }
                    if let number = found.value {
                        bytes.append(1)
                        appendNumber(Int(number))
                        return
                    }
                    bytes.append(2)
                    appendNumber(utf8.count)
                    let start = bytes.count
                    bytes.append(contentsOf: utf8)
                    let range = start..<bytes.count
                    bytes.withUnsafeBufferPointer { numbers.insert(range, value: Int32(written), at: found.slot, in: $0) }
                    written += 1
                } else {
                    bytes.append(2)
                    appendNumber(utf8.count)
                    bytes.append(contentsOf: utf8)
                }
            }
        }
    }

    /// A count or a string's number, as `BinaryWriter.count` writes it (LEB128).
    private mutating func appendNumber(_ value: Int) {
        var v = UInt64(max(0, value))
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The records `bytes` encode, and their encoding ready to have more added; nil when the
    /// bytes are not exactly `count` records so encoded. The bytes must be ones this encoding
    /// wrote (checked against a digest first): text that is not UTF-8 is not refused here.
    static func decode(_ bytes: [UInt8], count: Int) -> (records: [HistoryRecord], encoding: HistoryEncoding)? {
        decode(bytes[...], count: count)
    }

    /// The records `bytes` encode (see above).
    static func decode(_ bytes: ArraySlice<UInt8>, count: Int) -> (records: [HistoryRecord], encoding: HistoryEncoding)? {
        var records: [HistoryRecord] = []
        records.reserveCapacity(count)
        var strings: [String?] = []
        let walked = walk(bytes, count: count) { walk in
            func text(_ m: Int) -> String? {
                let member = walk.members[m]
                guard member.isPresent else { return nil }
                guard member.id >= 0 else { return walk.text(member.bytes) }
                // One string per distinct value, shared by every record naming it.
                if strings.count <= member.id { strings.append(contentsOf: repeatElement(nil, count: member.id + 1 - strings.count)) }
                if let known = strings[member.id] { return known }
                let made = walk.text(member.bytes)
                strings[member.id] = made
                return made
            }
            records.append(HistoryRecord(
                kind: text(0), step: text(1), outcome: text(2), principal: text(3), action: text(4), resource: text(5),
                inputDigest: text(6), risk: text(7), hostCallID: text(8)))
        }
        guard let walked else { return nil }
        return (records, walked)
    }

    /// One member of a record as `walk` reads it.
    struct Member {
        /// Where its bytes lie in the encoding.
        var bytes: Range<Int> = 0..<0
        /// For a member that repeats across calls, the same number for every member with the
        /// same bytes (numbered from 0 in the order first written); -1 for the others.
        var id = -1
        var isPresent = false
    }

    /// The nine members of one record, in the encoding's order (see `members(_:)`), held in
    /// place rather than in an array: the walk sets each one of every record.
    struct Members {
        var kind = Member(), step = Member(), outcome = Member(), principal = Member(), action = Member()
        var resource = Member(), inputDigest = Member(), risk = Member(), hostCallID = Member()

        subscript(_ position: Int) -> Member {
            get {
                switch position {
                case 0: return kind
                case 1: return step
                case 2: return outcome
                case 3: return principal
                case 4: return action
                case 5: return resource
                case 6: return inputDigest
                case 7: return risk
                default: return hostCallID
                }
            }
            set {
                switch position {
                case 0: kind = newValue
                case 1: step = newValue
                case 2: outcome = newValue
                case 3: principal = newValue
                case 4: action = newValue
                case 5: resource = newValue
                case 6: inputDigest = newValue
                case 7: risk = newValue
                default: hostCallID = newValue
                }
            }
        }
    }

    /// A walk over encoded records: the members of the record read last.
    struct Walk {
        let buffer: UnsafeBufferPointer<UInt8>
        /// The nine members of the record read last.
        var members: Members
        /// The bytes of each distinct repeating string so far, by its number (`Member.id`).
        var distinct: [Range<Int>]

        /// The text of `range` of the encoding.
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self) }
    }

    /// Reads the `count` records of `bytes` one by one, handing each to `body`, and returns
    /// the encoding ready to have more added; nil when the bytes are not exactly `count`
    /// records so encoded. Nothing is copied out of the bytes.
    static func walk(_ bytes: ArraySlice<UInt8>, count: Int, _ body: (inout Walk) -> Void) -> HistoryEncoding? {
        var walker = Walker()
        guard walker.walk(bytes, count: count, body) else { return nil }
        return walker.encoding(of: bytes)
    }

    /// A walk over encoded records that can go on over records added to the same bytes later
    /// (the numbers of strings carry over).
    struct Walker {
        /// Where the next record starts.
        private(set) var at = 0
        /// Each repeating string written with tag 2, by number, and the number (`Member.id`) of
        /// its bytes among the distinct ones.
        private var written: [Range<Int>] = []
        private var canonical: [Int] = []
        /// The first of `written` with each distinct bytes, found by them: the table an
        /// encoding continued from the walk numbers strings with.
        private var numbers = ByteRangeTable(expected: 64)
        private var members = Members()
        private var distinctRanges: [Range<Int>] = []

        /// The bytes of each distinct repeating string walked, by its number (`Member.id`).
        var distinct: [Range<Int>] { distinctRanges }

        /// Reads `count` more records of `bytes` (which hold, first, the bytes walked so far),
        /// handing each to `body`; false when they are not exactly `count` records so encoded,
        /// ending where `bytes` ends.
        mutating func walk(_ bytes: [UInt8], count: Int, _ body: (inout Walk) -> Void) -> Bool {
            walk(bytes[...], count: count, body)
        }

        /// Reads `count` more records of `bytes` (see above), where they lie: in the bytes an
        /// index was read into, say.
        mutating func walk(_ bytes: ArraySlice<UInt8>, count: Int, _ body: (inout Walk) -> Void) -> Bool {
            // Tables keep offsets in 32 bits; a history past 2 GiB is read the slow way.
            guard bytes.count < Int(Int32.max) else { return false }
            return bytes.withUnsafeBufferPointer { buffer -> Bool in
                var walk = Walk(buffer: buffer, members: members, distinct: distinctRanges)
                defer {
                    members = walk.members
                    distinctRanges = walk.distinct
                }
                var at = self.at
                defer { self.at = at }
                func uint() -> Int? {
                    var value = 0
                    var shift = 0
                    while at < buffer.count {
                        let b = buffer[at]
                        at += 1
                        guard shift < 56 else { return nil }
                        value |= Int(b & 0x7F) << shift
                        if b < 0x80 { return value }
                        shift += 7
                    }
                    return nil
                }
                for _ in 0..<count {
                    for m in 0..<9 {
                        let repeats = m != 1 && m != 6 && m != 8
                        guard at < buffer.count else { return false }
                        let tag = buffer[at]
                        at += 1
                        switch tag {
                        case 0:
                            walk.members[m] = Member()
                        case 1 where repeats:
                            guard let number = uint(), number < written.count else { return false }
                            walk.members[m] = Member(bytes: written[number], id: canonical[number], isPresent: true)
                        case 2:
                            guard let length = uint(), length <= buffer.count - at else { return false }
                            let range = at..<(at + length)
                            at += length
                            var id = -1
                            if repeats {
                                let found = numbers.find(range, in: buffer)
                                if let first = found.value {
                                    id = canonical[Int(first)]
                                } else {
                                    id = walk.distinct.count
                                    numbers.insert(range, value: Int32(written.count), at: found.slot, in: buffer)
                                    walk.distinct.append(range)
                                }
                                written.append(range)
                                canonical.append(id)
                            }
                            walk.members[m] = Member(bytes: range, id: id, isPresent: true)
                        default:
                            return false
                        }
                    }
                    body(&walk)
                }
                return at == buffer.count
            }
        }

        /// The encoding of the records walked in `bytes`, ready to have more added; `absorbed`
        /// is SHA-256 after absorbing the bytes (`absorbing(_:)`), when it was taken already.
        func encoding(of bytes: ArraySlice<UInt8>, absorbed: SHA256? = nil) -> HistoryEncoding {
            var copy: [UInt8] = []
            // Room for the records a call appends, so adding them does not copy the history again.
            copy.reserveCapacity(bytes.count + 4096)
            copy.append(contentsOf: bytes)
            return HistoryEncoding(bytes: copy, numbers: numbers, written: written.count, absorbed: absorbed ?? HistoryEncoding.absorbing(bytes))
        }
    }
}

/// Byte strings of one buffer, each with a value, found by their bytes (open addressing over a
/// power of two, FNV-1a): what the walks over an encoding look strings up in without making a
/// `String` of each.
struct ByteRangeTable {
    private var slots: [Int32]
    /// Each string's start and length in the buffer.
    private var starts: [Int32]
    private var lengths: [Int32]
    private var values: [Int32]

    /// How many strings it holds.
    var count: Int { starts.count }

    /// A table sized for about `expected` strings (it grows past them).
    init(expected: Int) {
        var capacity = 16
        while capacity < expected * 2 { capacity *= 2 }
        slots = [Int32](repeating: -1, count: capacity)
        starts = []
        starts.reserveCapacity(expected)
        lengths = []
        lengths.reserveCapacity(expected)
        values = []
        values.reserveCapacity(expected)
    }

    private static func hash(_ range: Range<Int>, _ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        guard !range.isEmpty, let base = buffer.baseAddress else { return hash(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return hash(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Eight bytes at a time, then one at a time (a step id is some thirty bytes).
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return Int(truncatingIfNeeded: h) }
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h = h << 31 | h >> 33
            i += 8
        }
        while i < bytes.count {
            h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3
            i += 1
        }
        // Ids that differ only in their last characters differ only in a word's high bits: mixed
        // down (MurmurHash3's finaliser), they reach the bits the table's mask keeps.
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// Whether string `entry` has the bytes of `range`.
    private func same(_ entry: Int, _ range: Range<Int>, _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        Int(lengths[entry]) == range.count
            && (range.isEmpty || memcmp(buffer.baseAddress! + Int(starts[entry]), buffer.baseAddress! + range.lowerBound, range.count) == 0)
    }

    /// The value of the string with the bytes of `range` (nil when there is none), and where
    /// `insert` puts it.
    func find(_ range: Range<Int>, in buffer: UnsafeBufferPointer<UInt8>) -> (value: Int32?, slot: Int) {
        let mask = slots.count - 1
        var slot = Self.hash(range, buffer) & mask
        while slots[slot] >= 0 {
            let entry = Int(slots[slot])
            if same(entry, range, buffer) { return (values[entry], slot) }
            slot = (slot + 1) & mask
        }
        return (nil, slot)
    }

    /// The value of the string with `bytes` (which lie outside `buffer`; nil when there is
    /// none), and where `insert` puts it.
    func find(_ bytes: UnsafeRawBufferPointer, in buffer: UnsafeBufferPointer<UInt8>) -> (value: Int32?, slot: Int) {
        let mask = slots.count - 1
        var slot = Self.hash(bytes) & mask
        while slots[slot] >= 0 {
            let entry = Int(slots[slot])
            if Int(lengths[entry]) == bytes.count
                && (bytes.isEmpty || memcmp(buffer.baseAddress! + Int(starts[entry]), bytes.baseAddress!, bytes.count) == 0)
            {
                return (values[entry], slot)
            }
            slot = (slot + 1) & mask
        }
        return (nil, slot)
    }

    /// How many slots finding each of `ranges` looks at, in all.
    func probes(for ranges: [Range<Int>], in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        let mask = slots.count - 1
        var total = 0
        for range in ranges {
            var slot = Self.hash(range, buffer) & mask
            total += 1
            while slots[slot] >= 0 && !same(Int(slots[slot]), range, buffer) {
                slot = (slot + 1) & mask
                total += 1
            }
        }
        return total
    }

    /// Adds the string of `range` with `value` at `slot`, where `find` found no such string.
    mutating func insert(_ range: Range<Int>, value: Int32, at slot: Int, in buffer: UnsafeBufferPointer<UInt8>) {
        starts.append(Int32(range.lowerBound))
        lengths.append(Int32(range.count))
        values.append(value)
        if starts.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            for entry in starts.indices { place(Int32(entry), buffer) }
        } else {
            slots[slot] = Int32(starts.count - 1)
        }
    }

    private mutating func place(_ entry: Int32, _ buffer: UnsafeBufferPointer<UInt8>) {
        let mask = slots.count - 1
        let start = Int(starts[Int(entry)])
        var slot = Self.hash(start..<(start + Int(lengths[Int(entry)])), buffer) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }
}

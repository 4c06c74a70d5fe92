// The fast path of `authorize --requests`: reads one JSON Lines request straight from its bytes
// into a Cedar request, without building a JSON tree first. It understands the common shape
// only (uids as Cedar text or `{"type", "id"}`, a schema-less context of strings, integers,
// booleans, sets, records and `__entity` / `__extn` escapes, no `\u` escapes, ASCII strings);
// anything else, valid or not, makes it give up, and the line is read again by the general
// path (`JSONParser` + `RequestReader`), which also gives the located errors. Both paths
// must build the same request for every line the fast one accepts.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSONValue

/// Reads requests from JSON Lines bytes; nil means "use the general path".
public struct RequestScanner: Sendable {
    /// Uids written as text, by their text as written (escapes and all).
    private var uids = ByteTable<EntityUID>(limit: RequestScanner.cacheLimit)
    /// Extension values (`ip`, `decimal`, ...), by the escape's object as written: batches
    /// repeat them.
    private var extensions = ByteTable<Value>(limit: RequestScanner.cacheLimit)
    private static let cacheLimit = 1 << 14
    private static let maxDepth = 64

    /// A scanner with empty caches.
    public init() {}

    /// The request on `line`, or nil when the line is not in the shape this scanner reads.
    public mutating func request(_ line: UnsafeBufferPointer<UInt8>) -> Request? {
        var cursor = Cursor(bytes: line)
        var principal: EntityUID?, action: EntityUID?, resource: EntityUID?
        var context: [ExactString: Value]?
        cursor.skipSpace()
        guard cursor.take(UInt8(ascii: "{")) else { return nil }
        cursor.skipSpace()
        if !cursor.take(UInt8(ascii: "}")) {
            repeat {
                guard let key = cursor.memberKey() else { return nil }
                if Cursor.matches(key, "principal") {
                    guard principal == nil, let uid = uid(&cursor) else { return nil }
                    principal = uid
                } else if Cursor.matches(key, "action") {
                    guard action == nil, let uid = uid(&cursor) else { return nil }
                    action = uid
                } else if Cursor.matches(key, "resource") {
                    guard resource == nil, let uid = uid(&cursor) else { return nil }
                    resource = uid
                } else if Cursor.matches(key, "context") {
                    guard context == nil, cursor.peek == UInt8(ascii: "{"),
                          case .record(let record)? = value(&cursor, depth: 0) else { return nil }
                    context = record
                } else {
                    return nil
                }
                cursor.skipSpace()
            } while cursor.take(UInt8(ascii: ","))
            guard cursor.take(UInt8(ascii: "}")) else { return nil }
        }
        cursor.skipSpace()
        guard cursor.atEnd, let principal, let action, let resource else { return nil }
        return Request(principal: principal, action: action, resource: resource, context: context ?? [:])
    }

    private mutating func uid(_ cursor: inout Cursor) -> EntityUID? {
        if cursor.peek == UInt8(ascii: "\"") {
            // Cached by the text as written, so a hit costs no unescaping.
            guard let raw = cursor.rawString() else { return nil }
            let hash = uids.hash(raw)
            if let known = uids.find(raw, hash: hash) { return known }
            guard let text = Cursor.decode(raw), let uid = try? EntityUID(json: .string(text)) else { return nil }
            uids.insert(raw, hash: hash, uid)
            return uid
        }
        return typeAndID(&cursor)
    }

    /// `{"type": T, "id": I}` in either order, nothing else.
    private func typeAndID(_ cursor: inout Cursor) -> EntityUID? {
        guard let (type, id) = Self.twoMembers(&cursor, "type", "id", value: { $0.string() }) else { return nil }
        return EntityUID(type: type, id: id)
    }

    /// An object of exactly the members `first` and `second`, in either order, each value read
    /// by `value`; nil for anything else.
    private static func twoMembers<Member>(
        _ cursor: inout Cursor, _ first: StaticString, _ second: StaticString, value: (inout Cursor) -> Member?
    ) -> (Member, Member)? {
        guard cursor.take(UInt8(ascii: "{")) else { return nil }
        var firstValue: Member?, secondValue: Member?
        repeat {
            guard let key = cursor.memberKey() else { return nil }
            guard let text = value(&cursor) else { return nil }
            if Cursor.matches(key, first), firstValue == nil {
                firstValue = text
            } else if Cursor.matches(key, second), secondValue == nil {
                secondValue = text
            } else {
                return nil
            }
            cursor.skipSpace()
        } while cursor.take(UInt8(ascii: ","))
        guard cursor.take(UInt8(ascii: "}")), let firstValue, let secondValue else { return nil }
        return (firstValue, secondValue)
    }

    private mutating func value(_ cursor: inout Cursor, depth: Int) -> Value? {
        guard depth < RequestScanner.maxDepth, let byte = cursor.peek else { return nil }
        switch byte {
        case UInt8(ascii: "\""):
            return cursor.string().map(Value.string)
        case UInt8(ascii: "t"):
            return cursor.take(word: "true") ? .bool(true) : nil
        case UInt8(ascii: "f"):
            return cursor.take(word: "false") ? .bool(false) : nil
        case UInt8(ascii: "["):
            cursor.advance()
            var items = Set<Value>()
            cursor.skipSpace()
            if cursor.take(UInt8(ascii: "]")) { return .set(items) }
            repeat {
                cursor.skipSpace()
                guard let item = value(&cursor, depth: depth + 1) else { return nil }
                items.insert(item)
                cursor.skipSpace()
            } while cursor.take(UInt8(ascii: ","))
            return cursor.take(UInt8(ascii: "]")) ? .set(items) : nil
        case UInt8(ascii: "{"):
            return object(&cursor, depth: depth)
        default:
            return cursor.integer().map(Value.long)
        }
    }

    /// A record, or an `__entity` / `__extn` escape.
    private mutating func object(_ cursor: inout Cursor, depth: Int) -> Value? {
        cursor.advance()
        var record: [ExactString: Value] = [:]
        cursor.skipSpace()
        if cursor.take(UInt8(ascii: "}")) { return .record(record) }
        var first = true
        repeat {
            guard let raw = cursor.memberKey() else { return nil }
            // No escape decodes to a letter or `_` (`\u` is left to the general path), so the
            // escape keys are recognised as written.
            let entity = Cursor.matches(raw, "__entity")
            if entity || Cursor.matches(raw, "__extn") {
                // An escape is the object's only key.
                guard first else { return nil }
                let escaped = entity ? typeAndID(&cursor).map(Value.entity) : extensionValue(&cursor)
                cursor.skipSpace()
                guard let escaped, cursor.take(UInt8(ascii: "}")) else { return nil }
                return escaped
            }
            guard let key = Cursor.decode(raw) else { return nil }
            // A repeated key is left to the general path, which names it.
            guard let item = value(&cursor, depth: depth + 1), record.updateValue(item, forKey: ExactString(key)) == nil else { return nil }
            first = false
            cursor.skipSpace()
        } while cursor.take(UInt8(ascii: ","))
        return cursor.take(UInt8(ascii: "}")) ? .record(record) : nil
    }

    /// `{"fn": F, "arg": A}` (either order), built by the engine once per distinct pair.
    private mutating func extensionValue(_ cursor: inout Cursor) -> Value? {
        // Cached by the escape's text as written, through its first `}`: the object of a cached
        // text was read whole and ended there, so the same bytes are the same object, whatever
        // follows them. (An escape with a `}` inside a string is read afresh each time.)
        let start = cursor.index
        var close = start
        while close < cursor.bytes.count && cursor.bytes[close] != UInt8(ascii: "}") { close += 1 }
        if close < cursor.bytes.count {
            let written = UnsafeBufferPointer(rebasing: cursor.bytes[start...close])
            if let known = extensions.find(written, hash: extensions.hash(written)) {
                cursor.index = close + 1
                return known
            }
        }
        guard let (function, argument) = Self.twoMembers(&cursor, "fn", "arg", value: { $0.rawString() }) else { return nil }
        guard let name = Cursor.decode(function), let text = Cursor.decode(argument) else { return nil }
        let json = JSONValue.object(JSONObject([
            ("__extn", .object(JSONObject([("fn", .string(name)), ("arg", .string(text))]))),
        ]))
        guard let value = try? Value(json: json) else { return nil }
        if cursor.index == close + 1 {
            let written = UnsafeBufferPointer(rebasing: cursor.bytes[start...close])
            extensions.insert(written, hash: extensions.hash(written), value)
        }
        return value
    }

    /// A position in the line.
    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func advance() { index += 1 }

        mutating func skipSpace() {
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A else { return }
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func take(word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            // `truex` is not a word.
            if let next = peek, isWordByte(next) { return false }
            return true
        }

        private func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
        }

        /// The body of a JSON string of printable ASCII (escapes left as written); nil for a
        /// string with other bytes or an unterminated one.
        mutating func rawString() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x22 { break }
                if byte < 0x20 || byte >= 0x80 { return nil }
                index += byte == 0x5C ? 2 : 1
            }
            guard index < bytes.count else { return nil }
            let body = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            return body
        }

        /// An object member's key as `rawString` gives it, with the space around it and the
        /// colon after it taken; nil when the line has no such key there.
        mutating func memberKey() -> UnsafeBufferPointer<UInt8>? {
            skipSpace()
            guard let key = rawString() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            return key
        }

        /// A JSON string's value; nil where `rawString` or `decode` gives nil.
        mutating func string() -> String? {
            rawString().flatMap(Cursor.decode)
        }

        /// Whether a raw string body is exactly `word` (keys never need escapes).
        static func matches(_ raw: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
            guard raw.count == word.utf8CodeUnitCount else { return false }
            for offset in 0..<raw.count where raw[offset] != word.utf8Start[offset] { return false }
            return true
        }

        /// The value of a raw string body with the simple escapes; nil for `\u` and invalid ones.
        static func decode(_ body: UnsafeBufferPointer<UInt8>) -> String? {
            guard body.contains(0x5C) else { return String(decoding: body, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(body.count)
            var i = 0
            while i < body.count {
                let byte = body[i]
                guard byte == 0x5C else {
                    out.append(byte)
                    i += 1
                    continue
                }
                guard i + 1 < body.count else { return nil }
                switch body[i + 1] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                default: return nil  // `\u` and invalid escapes: the general path
                }
                i += 2
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// A JSON integer that fits in 64 bits; nil for fractions, exponents and anything else.
        mutating func integer() -> Int64? {
            var negative = false
            if take(UInt8(ascii: "-")) { negative = true }
            guard let first = peek, first >= 0x30, first <= 0x39 else { return nil }
            // JSON forbids leading zeros.
            if first == 0x30, index + 1 < bytes.count, bytes[index + 1] >= 0x30, bytes[index + 1] <= 0x39 { return nil }
            var magnitude: UInt64 = 0
            while let byte = peek, byte >= 0x30, byte <= 0x39 {
                let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - 0x30))
                guard !overflow1, !overflow2 else { return nil }
                magnitude = sum
                index += 1
            }
            if let next = peek, next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                return nil
            }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }
    }
}

/// A cache from byte strings to values: a lookup hashes the bytes once and compares them with
/// the stored key, and makes no `String`. Keys compare byte for byte, so two texts that differ
/// in any byte are two keys. Open addressing with a short probe limit, so however keys collide,
/// a lookup stays a few comparisons: a key that finds no free slot within it has the slots
/// doubled (up to a bound), and only past that bound is it not kept (the caller reads it
/// afresh).
struct ByteTable<Element> {
    fileprivate struct Entry {
        var hash: UInt64
        var start: Int
        var count: Int
        var value: Element
    }

    /// Every key's bytes, back to back.
    private var keys: [UInt8] = []
    private var entries: [Entry] = []
    /// Entry index + 1 per slot, 0 when free; the count is a power of two.
    private var slots: [UInt32] = []
    private let limit: Int
    private let seed: UInt64
    private static var probeLimit: Int { 8 }

    /// An empty table that keeps at most `limit` keys.
    init(limit: Int) {
        self.limit = limit
        // The process's random hashing seed, so which keys collide cannot be planned from outside.
        var hasher = Hasher()
        hasher.combine(0x5CA7 as UInt64)
        seed = UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// The hash of `key` in this table.
    func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = seed ^ (UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = key.baseAddress else { return Self.mix(h) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= key.count {
            h = Self.mix(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < key.count {
            tail |= UInt64(key[i]) << shift
            shift += 8
            i += 1
        }
        return Self.mix(h ^ tail)
    }

    /// MurmurHash3's 64-bit finalizer: every output bit depends on every input bit.
    private static func mix(_ x: UInt64) -> UInt64 {
        var h = x
        h = (h ^ (h >> 33)) &* 0xff51_afd7_ed55_8ccd
        h = (h ^ (h >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return h ^ (h >> 33)
    }

    /// The value stored for `key` (whose hash is `hash`), or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Element? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<Self.probeLimit {
            let stored = Int(slots[slot])
            if stored == 0 { return nil }
            let entry = entries[stored - 1]
            if entry.hash == hash && entry.count == key.count && keys.withUnsafeBufferPointer({ all in
                key.count == 0 || memcmp(all.baseAddress! + entry.start, key.baseAddress!, key.count) == 0
            }) {
                return entry.value
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Stores `value` for `key` (not yet in the table), unless the table is full or the key's
    /// slots are taken.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, _ value: Element) {
        guard entries.count < limit else { return }
        if entries.count * 2 >= slots.count { grow() }
        var found = freeSlot(hash)
        while found == nil && slots.count < maxSlots {
            grow()
            found = freeSlot(hash)
        }
        guard let slot = found else { return }
        entries.append(Entry(hash: hash, start: keys.count, count: key.count, value: value))
        keys.append(contentsOf: key)
        slots[slot] = UInt32(entries.count)
    }

    private func freeSlot(_ hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<Self.probeLimit {
            if slots[slot] == 0 { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The most slots the table takes: sixteen per key it may keep.
    private var maxSlots: Int { max(64, limit * 16) }

    /// Doubles the slots (again while an entry finds no free slot, up to `maxSlots`) and places
    /// every entry again; an entry that still finds none is dropped from the slots (its bytes
    /// stay, unreachable, until the table is thrown away).
    private mutating func grow() {
        var count = max(64, slots.count * 2)
        while true {
            slots = Array(repeating: 0, count: count)
            var placed = true
            for (index, entry) in entries.enumerated() {
                if let slot = freeSlot(entry.hash) { slots[slot] = UInt32(index + 1) } else { placed = false }
            }
            if placed || count * 2 > maxSlots { return }
            count *= 2
        }
    }
}

extension ByteTable: Sendable where Element: Sendable {}
extension ByteTable.Entry: Sendable where Element: Sendable {}

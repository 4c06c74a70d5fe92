#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSONValue

// Reading records without building a JSON tree: verification touches millions of lines and needs
// only a handful of top-level fields from each, so the scanner validates the line's JSON syntax
// in one pass and remembers where those fields' values are. Nothing is allocated per field.

/// Where a string value sits in a line: the bytes between its quotes.
struct ByteSpan: Equatable, Sendable {
    var start: Int
    var end: Int
    /// Whether the string contains backslash escapes (so its bytes are not its text).
    var escaped: Bool

    var count: Int { end - start }

    /// The SHA-256 digest this span of `line` holds as 64 plain hex digits, or nil (escapes, or
    /// anything else).
    func digest(in line: UnsafeRawBufferPointer) -> Digest32? {
        escaped ? nil : Digest32(hexBytes: UnsafeRawBufferPointer(rebasing: line[start..<end]))
    }
}

/// The top-level fields of one record that verification and the joins use.
struct ScannedRecord: Equatable, Sendable {
    var seq: Int?
    var seqPresent = false
    var prev: ByteSpan?
    var time: ByteSpan?
    var kind: ByteSpan?
    var plan: ByteSpan?
    var step: ByteSpan?
    var jti: ByteSpan?
    var exp: ByteSpan?
    var outcome: ByteSpan?
    /// A decision's `after`: the bytes between the brackets of an array of strings (the steps
    /// its plan runs it after). `escaped` when one of them has an escape.
    var after: ByteSpan?
    /// The digests of what was decided (`plan_digest`, `step_digest`, `args_digest`):
    /// decisions and mints carry them, an execution may.
    var planDigest: ByteSpan?
    var stepDigest: ByteSpan?
    var argsDigest: ByteSpan?
    /// What the gate reads back of its own records to rebuild a session's history: who made a
    /// call, what it mapped to, how it was rewritten, the session's risk then, the host's id of
    /// a released call's retry, and the hash of the session's record before it.
    var principal: ByteSpan?
    var action: ByteSpan?
    var resource: ByteSpan?
    var inputDigest: ByteSpan?
    var risk: ByteSpan?
    var hostCallID: ByteSpan?
    var sessionPrev: ByteSpan?
    /// The digest of the session's history the gate read when it wrote the record.
    var historyDigest: ByteSpan?

    /// Whether the line had a member for `field` (of any type).
    func has(_ field: RecordField) -> Bool {
        switch field {
        case .seq: return seqPresent
        case .prev: return prev != nil
        case .time: return time != nil
        case .kind: return kind != nil
        case .plan: return plan != nil
        case .step: return step != nil
        case .jti: return jti != nil
        case .exp: return exp != nil
        case .outcome: return outcome != nil
        case .after: return after != nil
        case .planDigest: return planDigest != nil
        case .stepDigest: return stepDigest != nil
        case .argsDigest: return argsDigest != nil
        case .principal: return principal != nil
        case .action: return action != nil
        case .resource: return resource != nil
        case .inputDigest: return inputDigest != nil
        case .risk: return risk != nil
        case .hostCallID: return hostCallID != nil
        case .sessionPrev: return sessionPrev != nil
        case .historyDigest: return historyDigest != nil
        }
    }

    /// Keeps the string value of a field other than `seq`.
    mutating func set(_ field: RecordField, _ span: ByteSpan) {
        switch field {
        case .prev: prev = span
        case .time: time = span
        case .kind: kind = span
        case .plan: plan = span
        case .step: step = span
        case .jti: jti = span
        case .exp: exp = span
        case .after: after = span
        case .planDigest: planDigest = span
        case .stepDigest: stepDigest = span
        case .argsDigest: argsDigest = span
        case .principal: principal = span
        case .action: action = span
        case .resource: resource = span
        case .inputDigest: inputDigest = span
        case .risk: risk = span
        case .hostCallID: hostCallID = span
        case .sessionPrev: sessionPrev = span
        case .historyDigest: historyDigest = span
        case .seq, .outcome: outcome = span
        }
    }
}

/// Why a line is not a record.
struct ScanError: Error, Equatable {
    /// Byte offset within the line.
    var offset: Int
    var message: String
}

enum RecordScanner {
    static let maxDepth = 64

    /// Scans one line (without its newline) that must be a record: a JSON object in the
    /// canonical form (RFC 8785) the appender writes. Every reader (verify, the joins, `show`,
    /// `checkpoint`, `append`) reads a record through here, so a line is read one way or not at
    /// all: a line in any other form (whitespace, an escaped member name such as
    /// `"outc\u006fme"`, an unneeded escape, members out of order) is an error at its first
    /// byte that differs, never a record one reader sees as `allow` and another as `deny`.
    static func scan(_ line: UnsafeRawBufferPointer) throws(ScanError) -> ScannedRecord {
        var canonical = ScannedRecord()
        if scanCanonical(line, into: &canonical) { return canonical }
        if let record = scanStrict(line) { return record }
        let record = try scanGeneral(line)
        try requireCanonical(line)
        return record
    }

    /// `scan` into `record`, which it overwrites: whether the line is a record. For a reader
    /// that keeps a record per line where it works on it: on the fast path nothing is copied.
    static func scan(_ line: UnsafeRawBufferPointer, into record: inout ScannedRecord) -> Bool {
        if scanCanonical(line, into: &record) { return true }
        // Off the fast path; `scan` tries it again, which such lines can afford.
        guard let read = try? scan(line) else { return false }
        record = read
        return true
    }

    /// The record in `line` when one pass finds it in canonical form (RFC 8785 as
    /// `CanonicalJSON` writes it) with strings of printable ASCII and canonical escapes,
    /// members in ascending order at every depth and integers of at most 15 digits; nil for
    /// anything else, which the general scanner and `requireCanonical` then judge. It compares
    /// the bytes with the canonical form as it reads them, so a gate record (escaped resource
    /// text, a nested tool input) is checked without building a JSON tree and serialising it
    /// again. The record is the general scanner's for the same line: both read fields with the
    /// same code, and a test holds them to the same answers on mutated lines.
    static func scanStrict(_ line: UnsafeRawBufferPointer) -> ScannedRecord? {
        var cursor = Cursor(bytes: line, strict: true)
        return try? cursor.record()
    }

    /// Throws unless `line` is byte for byte the canonical JSON of its own value. Only lines off
    /// both fast paths (non-ASCII text, numbers that are not short integers) pay for it.
    static func requireCanonical(_ line: UnsafeRawBufferPointer) throws(ScanError) {
        let bytes = Array(line)
        let canonical: [UInt8]
        do {
            canonical = CanonicalJSON.serialize(try JSONParser.parse(bytes))
        } catch {
            throw ScanError(offset: error.location.offset, message: error.message)
        }
        guard canonical != bytes else { return }
        var offset = 0
        while offset < bytes.count, offset < canonical.count, bytes[offset] == canonical[offset] { offset += 1 }
        throw ScanError(
            offset: offset,
            message: "the record is not in canonical JSON form (RFC 8785): it differs from its canonical bytes here, so it is not read")
    }

    /// Whether the name at `b` sorts strictly after the name at `a`, byte by byte (the canonical
    /// order for the ASCII names records use; any other order leaves the line to the general
    /// scanner, which holds it to its canonical form).
    ///
    /// Compared here byte by byte: the names are a few bytes long, and a library `memcmp` per
    /// member was 5 % of the CPU time of verification (`perf`).
    @inline(__always) static func ascending(_ a: Range<Int>, _ b: Range<Int>, in line: UnsafeRawBufferPointer) -> Bool {
        let common = min(a.count, b.count)
        let base = line.baseAddress!
        var k = 0
        while k < common {
            let x = base.load(fromByteOffset: a.lowerBound + k, as: UInt8.self)
            let y = base.load(fromByteOffset: b.lowerBound + k, as: UInt8.self)
            if x != y { return x < y }
            k += 1
        }
        return a.count < b.count
    }

    /// Scans any line, whatever its form: JSON with whitespace, escapes, nesting.
    static func scanGeneral(_ line: UnsafeRawBufferPointer) throws(ScanError) -> ScannedRecord {
        var scanner = Cursor(bytes: line)
        return try scanner.record()
    }

    /// The fast path for lines in the form the appender writes (canonical JSON: no whitespace,
    /// members whose values are strings without escapes, plain non-negative integers or arrays
    /// of such strings), or nil for any other line, which the general scanner then reads. It
    /// returns a record only where the general scanner returns the same record; a test holds it
    /// to that on mutated lines.
    static func scanCanonical(_ line: UnsafeRawBufferPointer) -> ScannedRecord? {
        var record = ScannedRecord()
        return scanCanonical(line, into: &record) ? record : nil
    }

    /// `scanCanonical` into `record`, which it overwrites: whether the line is read. The record
    /// (several hundred bytes) is written where the caller keeps it rather than copied out.
    static func scanCanonical(_ line: UnsafeRawBufferPointer, into record: inout ScannedRecord) -> Bool {
        let n = line.count
        guard n >= 2, line[0] == UInt8(ascii: "{") else { return false }
        /// The closing quote of the string opened at `open`, or nil when it has an escape or no end.
        @inline(__always) func plainString(openedAt open: Int) -> Int? {
            let close = nextQuoteOrBackslash(in: line, from: open + 1)
            return close < n && line[close] == UInt8(ascii: "\"") ? close : nil
        }
        @inline(__always) func isDigit(_ i: Int) -> Bool { i < n && line[i] >= 0x30 && line[i] <= 0x39 }
        record = ScannedRecord()
        var seen: UInt32 = 0
        var i = 1
        // The previous member name: canonical members come in ascending order, each once.
        var previousKey = 0..<0
        while true {
            guard i < n, line[i] == UInt8(ascii: "\""), let keyEnd = plainString(openedAt: i) else { return false }
            let key = (i + 1)..<keyEnd
            guard previousKey.isEmpty && i == 1 || ascending(previousKey, key, in: line) else { return false }
            previousKey = key
            let field = field(named: ByteSpan(start: i + 1, end: keyEnd, escaped: false), in: line)
            i = keyEnd + 1
            guard i + 1 < n, line[i] == UInt8(ascii: ":") else { return false }
            i += 1
            if let field {
                guard seen & field.bit == 0 else { return false }
                seen |= field.bit
            }
            switch line[i] {
            case UInt8(ascii: "\""):
                guard let close = plainString(openedAt: i), field != .seq else { return false }
                if let field, field != .after { record.set(field, ByteSpan(start: i + 1, end: close, escaped: false)) }
                i = close + 1
            case 0x30...0x39:
                let start = i
                // JSON allows no leading zero; the general scanner says so.
                if line[i] == 0x30 && isDigit(i + 1) { return false }
                while isDigit(i) { i += 1 }
                if let field {
                    guard field == .seq, let value = count(start..<i, in: line) else { return false }
                    record.seqPresent = true
                    record.seq = value
                }
            case UInt8(ascii: "[") where field == nil || field == .after:
                i += 1
                let open = i
                if i < n && line[i] == UInt8(ascii: "]") {
                    i += 1
                } else {
                    while true {
                        guard i < n, line[i] == UInt8(ascii: "\""), let close = plainString(openedAt: i) else { return false }
                        i = close + 1
                        guard i < n else { return false }
                        if line[i] == UInt8(ascii: ",") {
                            i += 1
                            continue
                        }
                        guard line[i] == UInt8(ascii: "]") else { return false }
                        i += 1
                        break
                    }
                }
                if field == .after { record.after = ByteSpan(start: open, end: i - 1, escaped: false) }
            default:
                return false
            }
            guard i < n else { return false }
            if line[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            return line[i] == UInt8(ascii: "}") && i + 1 == n
        }
    }

    /// The field a member name names, compared as one machine word: the name's bytes, or for
    /// the three- and seven-letter names its opening quote and its bytes (always in the line).
    @inline(__always)
    static func field(named key: ByteSpan, in line: UnsafeRawBufferPointer) -> RecordField? {
        let base = line.baseAddress!
        switch key.count {
        case 3:
            switch UInt32(littleEndian: base.loadUnaligned(fromByteOffset: key.start - 1, as: UInt32.self)) {
            case FieldWord.seq: return .seq
            case FieldWord.jti: return .jti
            case FieldWord.exp: return .exp
            default: return nil
            }
        case 4:
            switch UInt32(littleEndian: base.loadUnaligned(fromByteOffset: key.start, as: UInt32.self)) {
            case FieldWord.prev: return .prev
            case FieldWord.time: return .time
            case FieldWord.kind: return .kind
            case FieldWord.plan: return .plan
            case FieldWord.step: return .step
            case FieldWord.risk: return .risk
            default: return nil
            }
        case 5:
            let word = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: key.start, as: UInt32.self))
            return word == FieldWord.afte && base.load(fromByteOffset: key.start + 4, as: UInt8.self) == UInt8(ascii: "r") ? .after : nil
        case 6:
            // The name with both its quotes.
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start - 1, as: UInt64.self))
            return word == FieldWord.action ? .action : nil
        case 7:
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start - 1, as: UInt64.self))
            return word == FieldWord.outcome ? .outcome : nil
        case 8:
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start, as: UInt64.self))
            return word == FieldWord.resource ? .resource : nil
        case 9:
            // The first letter, then the other eight.
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start + 1, as: UInt64.self))
            return word == FieldWord.rincipal && base.load(fromByteOffset: key.start, as: UInt8.self) == UInt8(ascii: "p") ? .principal : nil
        case 12:
            // The first eight letters, then the last four.
            let head = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start, as: UInt64.self))
            let tail = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: key.start + 8, as: UInt32.self))
            switch (head, tail) {
            case (FieldWord.input_di, FieldWord.gest): return .inputDigest
            case (FieldWord.host_cal, FieldWord.l_id): return .hostCallID
            case (FieldWord.session_, FieldWord.prev): return .sessionPrev
            default: return nil
            }
        case 14:
            // The first eight letters, then the last eight (overlapping by two).
            let head = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start, as: UInt64.self))
            let tail = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start + 6, as: UInt64.self))
            return head == FieldWord.history_ && tail == FieldWord.y_digest ? .historyDigest : nil
        case 11:
            // The first four letters, then the last eight (overlapping by one).
            let head = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: key.start, as: UInt32.self))
            let tail = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: key.start + 3, as: UInt64.self))
            switch (head, tail) {
            case (FieldWord.plan, FieldWord.nDigest): return .planDigest
            case (FieldWord.step, FieldWord.pDigest): return .stepDigest
            case (FieldWord.args, FieldWord.sDigest): return .argsDigest
            default: return nil
            }
        default:
            return nil
        }
    }

    /// A non-negative decimal integer without sign, fraction or exponent.
    static func count(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        if range.count > 1 && bytes[range.lowerBound] == 0x30 { return nil }
        var value = 0
        for j in range {
            let c = bytes[j]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }


    /// The strings of an array the scanner kept (`after`), in order, as spans of `line`.
    static func strings(in array: ByteSpan, of line: UnsafeRawBufferPointer) -> [ByteSpan] {
        var spans: [ByteSpan] = []
        var i = array.start
        // The scanner checked the array: strings, commas and whitespace only.
        while i < array.end {
            let c = line[i]
            guard c == UInt8(ascii: "\"") else {
                i += 1
                continue
            }
            let start = i + 1
            var escaped = false
            i = nextQuoteOrBackslash(in: line, from: start)
            while line[i] == 0x5C {
                escaped = true
                i = nextQuoteOrBackslash(in: line, from: i + 2)
            }
            spans.append(ByteSpan(start: start, end: i, escaped: escaped))
            i += 1
        }
        return spans
    }

    /// The text of a string value, with escapes resolved.
    static func string(_ span: ByteSpan, in line: UnsafeRawBufferPointer) -> String {
        let bytes = UnsafeRawBufferPointer(rebasing: line[span.start..<span.end])
        if !span.escaped { return String(decoding: bytes, as: UTF8.self) }
        return unescape(bytes)
    }

    static func unescape(_ bytes: UnsafeRawBufferPointer) -> String {
        if let text = unescapeShort(bytes) { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var pendingHigh: UInt32? = nil
        func appendScalar(_ value: UInt32, _ out: inout [UInt8]) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while i < bytes.count {
            let c = bytes[i]
            if c != 0x5C {
                if let high = pendingHigh { appendScalar(0xFFFD, &out); _ = high; pendingHigh = nil }
                out.append(c); i += 1; continue
            }
            let e = bytes[i + 1]
            i += 2
            var simple: UInt8? = nil
            switch e {
            case UInt8(ascii: "\""): simple = 0x22
            case UInt8(ascii: "\\"): simple = 0x5C
            case UInt8(ascii: "/"): simple = 0x2F
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            default:
                var value: UInt32 = 0
                for j in 0..<4 { value = value << 4 | UInt32(hexValue(bytes[i + j]) ?? 0) }
                i += 4
                if let high = pendingHigh {
                    pendingHigh = nil
                    if value >= 0xDC00 && value <= 0xDFFF {
                        appendScalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00), &out)
                        continue
                    }
                    appendScalar(0xFFFD, &out)
                }
                if value >= 0xD800 && value <= 0xDBFF { pendingHigh = value } else { appendScalar(value, &out) }
                continue
            }
            if pendingHigh != nil { appendScalar(0xFFFD, &out); pendingHigh = nil }
            out.append(simple!)
        }
        if pendingHigh != nil { appendScalar(0xFFFD, &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The text of string bytes whose escapes are all two bytes long (`\"`, `\\`, `\n`, …), as
    /// the resource and principal texts of records are: written straight into the string, with
    /// no buffer in between. Nil when one is a `\u` escape, which `unescape` resolves.
    static func unescapeShort(_ bytes: UnsafeRawBufferPointer) -> String? {
        var short = true
        let text = String(unsafeUninitializedCapacity: bytes.count) { out in
            var i = 0, n = 0
            while i < bytes.count {
                let c = bytes[i]
                guard c == 0x5C else {
                    out[n] = c
                    n += 1
                    i += 1
                    continue
                }
                guard i + 1 < bytes.count else {
                    short = false
                    return 0
                }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""): out[n] = 0x22
                case UInt8(ascii: "\\"): out[n] = 0x5C
                case UInt8(ascii: "/"): out[n] = 0x2F
                case UInt8(ascii: "b"): out[n] = 0x08
                case UInt8(ascii: "f"): out[n] = 0x0C
                case UInt8(ascii: "n"): out[n] = 0x0A
                case UInt8(ascii: "r"): out[n] = 0x0D
                case UInt8(ascii: "t"): out[n] = 0x09
                default:
                    short = false
                    return 0
                }
                n += 1
                i += 2
            }
            return n
        }
        return short ? text : nil
    }

    /// The offset of the first `"` or `\` at or after `from`, or the end of `bytes`.
    @inline(__always)
    static func nextQuoteOrBackslash(in bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        firstByte(in: bytes, from: from, flags: quoteOrBackslashFlags) { $0 == 0x22 || $0 == 0x5C }
    }

    /// The offset of the first byte at or after `from` that a canonical string cannot hold as
    /// it is (`"`, `\`, a control character, or a byte outside ASCII), or the end of `bytes`.
    @inline(__always)
    static func nextSpecialByte(in bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        // `(x - 0x20…) & ~x & 0x80…` flags the bytes below 0x20 (exactly at the lowest), and the
        // high bits themselves the bytes outside ASCII.
        firstByte(in: bytes, from: from, flags: { word in quoteOrBackslashFlags(word) | ((word &- 0x2020_2020_2020_2020) & ~word | word) & 0x8080_8080_8080_8080 }) {
            $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80
        }
    }

    /// The high bit of each byte of `word` that is `"` or `\` (exactly at the lowest; flags above
    /// it may be false): a byte of `x` is zero where the word holds the byte looked for, and
    /// (x - 1) & ~x & 0x80 flags it.
    @inline(__always)
    static func quoteOrBackslashFlags(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        return ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes) & 0x8080_8080_8080_8080
    }

    /// The offset of the first byte at or after `from` that `stops`, or the end of `bytes`:
    /// eight bytes at a time while they fit, by `flags` (the high bit of the byte lanes that
    /// stop, exact at the lowest), then one at a time.
    @inline(__always)
    static func firstByte(
        in bytes: UnsafeRawBufferPointer, from: Int, flags: (UInt64) -> UInt64, stops: (UInt8) -> Bool
    ) -> Int {
        let base = bytes.baseAddress!
        var i = from
        while i + 8 <= bytes.count {
            let found = flags(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < bytes.count && !stops(bytes[i]) { i += 1 }
        return i
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c &- 0x30
        case 0x61...0x66: return c &- 0x61 &+ 10
        case 0x41...0x46: return c &- 0x41 &+ 10
        default: return nil
        }
    }
}

/// The top-level members the scanner keeps.
enum RecordField: UInt8, CustomStringConvertible {
    case seq, prev, time, kind, plan, step, jti, exp, outcome, after, planDigest, stepDigest, argsDigest
    case principal, action, resource, inputDigest, risk, hostCallID, sessionPrev, historyDigest

    var bit: UInt32 { 1 << rawValue }

    var description: String {
        switch self {
        case .seq: return "seq"
        case .prev: return "prev"
        case .time: return "time"
        case .kind: return "kind"
        case .plan: return "plan"
        case .step: return "step"
        case .jti: return "jti"
        case .exp: return "exp"
        case .outcome: return "outcome"
        case .after: return "after"
        case .planDigest: return "plan_digest"
        case .stepDigest: return "step_digest"
        case .argsDigest: return "args_digest"
        case .principal: return "principal"
        case .action: return "action"
        case .resource: return "resource"
        case .inputDigest: return "input_digest"
        case .risk: return "risk"
        case .hostCallID: return "host_call_id"
        case .sessionPrev: return "session_prev"
        case .historyDigest: return "history_digest"
        }
    }
}

/// Field names as little-endian machine words (see `Cursor.knownField`); a test spells them
/// out again from the names.
enum FieldWord {
    /// `"seq`, `"jti`, `"exp`: the opening quote and three letters.
    static let seq: UInt32 = 0x7165_7322
    static let jti: UInt32 = 0x6974_6a22
    static let exp: UInt32 = 0x7078_6522
    static let prev: UInt32 = 0x7665_7270
    static let time: UInt32 = 0x656d_6974
    static let kind: UInt32 = 0x646e_696b
    static let plan: UInt32 = 0x6e61_6c70
    static let step: UInt32 = 0x7065_7473
    /// `afte`, the first four letters of `after`.
    static let afte: UInt32 = 0x6574_6661
    static let args: UInt32 = 0x7367_7261
    /// The last eight letters of `plan_digest`, `step_digest` and `args_digest`.
    static let nDigest: UInt64 = 0x7473_6567_6964_5f6e
    static let pDigest: UInt64 = 0x7473_6567_6964_5f70
    static let sDigest: UInt64 = 0x7473_6567_6964_5f73
    /// `"outcome`: the opening quote and seven letters.
    static let outcome: UInt64 = 0x656d_6f63_7475_6f22
    static let risk: UInt32 = 0x6b73_6972
    /// `"action"`: the name and both its quotes.
    static let action: UInt64 = 0x226e_6f69_7463_6122
    static let resource: UInt64 = 0x6563_7275_6f73_6572
    /// `rincipal`, the last eight letters of `principal`.
    static let rincipal: UInt64 = 0x6c61_7069_636e_6972
    /// The first eight and the last four letters of `input_digest`, `host_call_id` and
    /// `session_prev` (whose last four are `prev`).
    static let input_di: UInt64 = 0x6964_5f74_7570_6e69
    static let gest: UInt32 = 0x7473_6567
    static let host_cal: UInt64 = 0x6c61_635f_7473_6f68
    static let l_id: UInt32 = 0x6469_5f6c
    static let session_: UInt64 = 0x5f6e_6f69_7373_6573
    /// The first eight and the last eight letters of `history_digest`.
    static let history_: UInt64 = 0x5f79_726f_7473_6968
    static let y_digest: UInt64 = 0x7473_6567_6964_5f79
}

private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var i = 0
    /// Whether only the canonical form is read (`RecordScanner.scanStrict`): anything else is an
    /// error, whose caller leaves the line to the general reading.
    let strict: Bool

    init(bytes: UnsafeRawBufferPointer, strict: Bool = false) {
        self.bytes = bytes
        self.strict = strict
    }

    /// In the strict reading, a member name must be plain ASCII without escapes and follow the
    /// one before it in byte order (the canonical order for such names; no name twice).
    @inline(__always) func checkOrder(_ key: ByteSpan, after previous: ByteSpan?) throws(ScanError) {
        guard strict else { return }
        guard !key.escaped else { throw ScanError(offset: key.start, message: "escaped member name") }
        if let previous, !RecordScanner.ascending(previous.start..<previous.end, key.start..<key.end, in: bytes) {
            throw ScanError(offset: key.start, message: "member out of order")
        }
    }

    @inline(__always) var atEnd: Bool { i >= bytes.count }
    @inline(__always) func peek() -> UInt8 { bytes[i] }

    func fail(_ message: String) -> ScanError { ScanError(offset: i, message: message) }

    mutating func skipSpace() {
        if strict { return }
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { i += 1 } else { break }
        }
    }

    mutating func record() throws(ScanError) -> ScannedRecord {
        var record = ScannedRecord()
        skipSpace()
        guard !atEnd, peek() == UInt8(ascii: "{") else { throw fail("a record must be a JSON object") }
        i += 1
        skipSpace()
        if !atEnd && peek() == UInt8(ascii: "}") {
            i += 1
        } else {
            var previous: ByteSpan? = nil
            while true {
                skipSpace()
                guard !atEnd, peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let keyOffset = i
                let key = try string()
                try checkOrder(key, after: previous)
                previous = key
                skipSpace()
                guard !atEnd, peek() == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
                i += 1
                skipSpace()
                guard !atEnd else { throw fail("expected a value") }
                let field = key.escaped ? nil : RecordScanner.field(named: key, in: bytes)
                if let field {
                    if record.has(field) {
                        throw ScanError(offset: keyOffset, message: "duplicate member \"\(field)\"")
                    }
                    try readField(field, into: &record)
                } else {
                    try skipValue(depth: 1)
                }
                skipSpace()
                guard !atEnd else { throw fail("unterminated object") }
                let c = peek()
                i += 1
                if c == UInt8(ascii: "}") { break }
                guard c == UInt8(ascii: ",") else { i -= 1; throw fail("expected ',' or '}'") }
            }
        }
        skipSpace()
        guard atEnd else { throw fail("unexpected bytes after the record") }
        return record
    }

    private mutating func readField(_ field: RecordField, into record: inout ScannedRecord) throws(ScanError) {
        if field == .seq {
            record.seqPresent = true
            let start = i
            try skipValue(depth: 1)
            record.seq = RecordScanner.count(start..<i, in: bytes)
            return
        }
        if field == .after {
            // Anything but an array of strings is kept out of the joins, as below.
            if peek() == UInt8(ascii: "[") { record.after = try stringArray() } else { try skipValue(depth: 1) }
            return
        }
        guard peek() == UInt8(ascii: "\"") else {
            // A field of the wrong type is kept out of the joins; the line still hashes.
            try skipValue(depth: 1)
            return
        }
        record.set(field, try string())
    }

    /// An array starting at its opening bracket: the span between the brackets when every
    /// member is a string, nil (the array skipped) when one is not.
    private mutating func stringArray() throws(ScanError) -> ByteSpan? {
        let open = i
        i += 1
        skipSpace()
        if !atEnd && peek() == UInt8(ascii: "]") {
            i += 1
            return ByteSpan(start: open + 1, end: i - 1, escaped: false)
        }
        var escaped = false
        while true {
            skipSpace()
            guard !atEnd, peek() == UInt8(ascii: "\"") else {
                i = open
                try skipValue(depth: 1)
                return nil
            }
            escaped = try string().escaped || escaped
            skipSpace()
            guard !atEnd else { throw fail("unterminated array") }
            let d = peek()
            i += 1
            if d == UInt8(ascii: "]") { return ByteSpan(start: open + 1, end: i - 1, escaped: escaped) }
            guard d == UInt8(ascii: ",") else { i -= 1; throw fail("expected ',' or ']'") }
        }
    }

    /// A string starting at the opening quote; returns the span between the quotes.
    ///
    /// Looks for the closing quote or a backslash eight bytes at a time and at bytes one by one
    /// only around escapes: the line's hash already covers every byte, so the scanner checks
    /// structure, not each character of every string. (Most strings in a record are short, so a
    /// library search per string would cost more in calls than it saves.)
    @inline(__always)
    mutating func string() throws(ScanError) -> ByteSpan {
        if strict { return try canonicalString() }
        i += 1
        let start = i
        var escaped = false
        while true {
            i = RecordScanner.nextQuoteOrBackslash(in: bytes, from: i)
            guard i < bytes.count else { throw fail("unterminated string") }
            if bytes[i] == 0x22 {
                i += 1
                return ByteSpan(start: start, end: i - 1, escaped: escaped)
            }
            escaped = true
            guard i + 1 < bytes.count else { throw fail("unterminated escape") }
            switch bytes[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                 UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 2
            case UInt8(ascii: "u"):
                guard i + 5 < bytes.count else { throw fail("short \\u escape") }
                for j in 2..<6 where RecordScanner.hexValue(bytes[i + j]) == nil {
                    throw fail("bad \\u escape")
                }
                i += 6
            default:
                throw fail("bad escape")
            }
        }
    }

    /// A string in canonical form, starting at the opening quote: printable ASCII, and escapes
    /// only where `CanonicalJSON` writes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and
    /// `\u00xx` in lower-case hex for the other control characters). Bytes outside ASCII are left
    /// to the general reading, which checks their UTF-8.
    mutating func canonicalString() throws(ScanError) -> ByteSpan {
        i += 1
        let start = i
        var escaped = false
        while true {
            i = RecordScanner.nextSpecialByte(in: bytes, from: i)
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            if c == 0x22 {
                i += 1
                return ByteSpan(start: start, end: i - 1, escaped: escaped)
            }
            guard c == 0x5C, i + 1 < bytes.count else { throw fail("not canonical text") }
            escaped = true
            switch bytes[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 2
            case UInt8(ascii: "u"):
                // `\u00` and two lower-case hex digits naming a control character without a short escape.
                guard i + 5 < bytes.count, bytes[i + 2] == 0x30, bytes[i + 3] == 0x30,
                      bytes[i + 4] == 0x30 || bytes[i + 4] == 0x31 else { throw fail("not a canonical escape") }
                let low = bytes[i + 5]
                guard let digit = RecordScanner.hexValue(low), low < 0x41 || low > 0x46 else { throw fail("not a canonical escape") }
                let value = (bytes[i + 4] - 0x30) << 4 | digit
                guard value != 0x08, value != 0x09, value != 0x0A, value != 0x0C, value != 0x0D else {
                    throw fail("not a canonical escape")
                }
                i += 6
            default:
                throw fail("not a canonical escape")
            }
        }
    }

    mutating func skipValue(depth: Int) throws(ScanError) {
        guard depth <= RecordScanner.maxDepth else { throw fail("nested deeper than \(RecordScanner.maxDepth) levels") }
        guard !atEnd else { throw fail("expected a value") }
        let c = peek()
        switch c {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            if !atEnd && peek() == UInt8(ascii: "}") { i += 1; return }
            var previous: ByteSpan? = nil
            while true {
                skipSpace()
                guard !atEnd, peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let key = try string()
                try checkOrder(key, after: previous)
                previous = key
                skipSpace()
                guard !atEnd, peek() == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                try skipValue(depth: depth + 1)
                skipSpace()
                guard !atEnd else { throw fail("unterminated object") }
                let d = peek()
                i += 1
                if d == UInt8(ascii: "}") { return }
                guard d == UInt8(ascii: ",") else { i -= 1; throw fail("expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if !atEnd && peek() == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipSpace()
                try skipValue(depth: depth + 1)
                skipSpace()
                guard !atEnd else { throw fail("unterminated array") }
                let d = peek()
                i += 1
                if d == UInt8(ascii: "]") { return }
                guard d == UInt8(ascii: ",") else { i -= 1; throw fail("expected ',' or ']'") }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try number()
        }
    }

    mutating func literal(_ word: StaticString) throws(ScanError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, memcmpBytes(bytes.baseAddress! + i, UnsafeRawPointer(word.utf8Start), n) else {
            throw fail("invalid literal")
        }
        i += n
    }

    mutating func number() throws(ScanError) {
        if strict { return try canonicalInteger() }
        let start = i
        if !atEnd && peek() == UInt8(ascii: "-") { i += 1 }
        guard !atEnd, isDigit(peek()) else { i = start; throw fail("invalid value") }
        if peek() == 0x30 { i += 1 } else { while !atEnd && isDigit(peek()) { i += 1 } }
        if !atEnd && peek() == UInt8(ascii: ".") {
            i += 1
            guard !atEnd, isDigit(peek()) else { throw fail("digit expected after '.'") }
            while !atEnd && isDigit(peek()) { i += 1 }
        }
        if !atEnd && (peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E")) {
            i += 1
            if !atEnd && (peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-")) { i += 1 }
            guard !atEnd, isDigit(peek()) else { throw fail("digit expected in exponent") }
            while !atEnd && isDigit(peek()) { i += 1 }
        }
    }

    /// An integer as `CanonicalJSON` writes one: no leading zero, no `-0`, no fraction or
    /// exponent; at most 15 digits, which every reading holds exactly.
    mutating func canonicalInteger() throws(ScanError) {
        let start = i
        if !atEnd && peek() == UInt8(ascii: "-") { i += 1 }
        let digits = i
        while !atEnd && isDigit(peek()) { i += 1 }
        let count = i - digits
        guard count > 0, count <= 15, bytes[digits] != 0x30 || count == 1 && digits == start else {
            throw fail("not a canonical number")
        }
        if !atEnd && (peek() == UInt8(ascii: ".") || peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E")) {
            throw fail("not a canonical number")
        }
    }

    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var k = 0
    while k < count {
        if a.load(fromByteOffset: k, as: UInt8.self) != b.load(fromByteOffset: k, as: UInt8.self) { return false }
        k += 1
    }
    return true
}

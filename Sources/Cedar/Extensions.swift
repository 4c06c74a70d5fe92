import Basics
import JSONValue

// Cedar extension types: decimal, ipaddr, datetime, duration.

/// A Cedar `decimal`: a signed fixed-point number with four fractional digits, stored as the
/// value times 10,000 in 64 bits.
public struct CedarDecimal: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The value multiplied by 10,000.
    public var scaled: Int64

    /// Creates a decimal from its scaled value.
    public init(scaled: Int64) { self.scaled = scaled }

    /// Parses Cedar's decimal syntax: `-?[0-9]+\.[0-9]{1,4}`. Returns an error message on failure.
    public static func parse(_ s: String) -> Result<CedarDecimal, ExtensionError> {
        let bytes = Array(s.utf8)
        var i = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { i = 1 }
        let intStart = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        let intEnd = i
        guard intEnd > intStart, i < bytes.count, bytes[i] == UInt8(ascii: ".") else {
            return .failure(ExtensionError("decimal", "`\(s)` is not a well-formed decimal value"))
        }
        i += 1
        let fracStart = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        guard i == bytes.count, i > fracStart else {
            return .failure(ExtensionError("decimal", "`\(s)` is not a well-formed decimal value"))
        }
        if i - fracStart > 4 {
            return .failure(ExtensionError("decimal", "too many digits after the decimal in `\(s)`"))
        }
        let overflow = ExtensionError("decimal", "overflow when converting to decimal")
        // accumulate negatively so that the most negative value is representable
        var acc: Int64 = 0
        for b in bytes[intStart..<intEnd] {
            let (m, o1) = acc.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.subtractingReportingOverflow(Int64(b - 0x30))
            if o1 || o2 { return .failure(overflow) }
            acc = a
        }
        var fracDigits = Array(bytes[fracStart..<i])
        while fracDigits.count < 4 { fracDigits.append(0x30) }
        let (m, o1) = acc.multipliedReportingOverflow(by: 10_000)
        if o1 { return .failure(overflow) }
        acc = m
        var frac: Int64 = 0
        for b in fracDigits { frac = frac * 10 + Int64(b - 0x30) }
        let (a, o2) = acc.subtractingReportingOverflow(frac)
        if o2 { return .failure(overflow) }
        acc = a
        if !negative {
            if acc == Int64.min { return .failure(overflow) }
            acc = -acc
        }
        return .success(CedarDecimal(scaled: acc))
    }

    public static func < (a: CedarDecimal, b: CedarDecimal) -> Bool { a.scaled < b.scaled }

    /// `1.5000` style: the integer part, a dot and four digits.
    public var description: String {
        let neg = scaled < 0
        let mag = scaled.magnitude
        let intPart = mag / 10_000
        var frac = String(mag % 10_000)
        while frac.count < 4 { frac = "0" + frac }
        return (neg ? "-" : "") + "\(intPart).\(frac)"
    }
}

/// A Cedar `ipaddr`: an IPv4 or IPv6 address with a prefix length (32 or 128 for a single
/// address). The address is kept as written, not masked, as Cedar does: `10.0.0.1/24` and
/// `10.0.0.0/24` are different values.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// Whether this is an IPv6 address.
    public var isV6: Bool
    /// The address bits; IPv4 uses the low 32 bits of `low`.
    public var high: UInt64
    /// The low 64 address bits.
    public var low: UInt64
    /// Prefix length.
    public var prefix: UInt8

    /// Parses Cedar's `ip("...")` syntax.
    public static func parse(_ s: String) -> Result<IPAddress, ExtensionError> {
        let fail = ExtensionError("ipaddr", "invalid IP address: \(s)")
        if s.utf8.count > 43 {
            return .failure(ExtensionError("ipaddr", "error parsing IP address from string `\(s)`: string length is too large"))
        }
        // Only ASCII can be an address; checked first so that the `Character`-based splitting
        // below never meets a separator fused with a combining mark.
        guard s.utf8.allSatisfy({ $0 < 0x80 }) else { return .failure(fail) }
        let colons = s.utf8.filter { $0 == UInt8(ascii: ":") }.count
        let dots = s.utf8.filter { $0 == UInt8(ascii: ".") }.count
        if colons >= 2 && dots >= 2 {
            return .failure(ExtensionError("ipaddr", "IPv4 embedded in IPv6 is not accepted (e.g. ::ffff:127.0.0.1): `\(s)`"))
        }
        var addrPart = Substring(s)
        var prefixPart: Substring? = nil
        if let slash = s.firstIndex(of: "/") {
            addrPart = s[s.startIndex..<slash]
            prefixPart = s[s.index(after: slash)...]
        }
        var result: IPAddress
        if let v4 = parseIPv4(addrPart) {
            result = IPAddress(isV6: false, high: 0, low: UInt64(v4), prefix: 32)
        } else if let (h, l) = parseIPv6(addrPart) {
            result = IPAddress(isV6: true, high: h, low: l, prefix: 128)
        } else {
            return .failure(fail)
        }
        if let p = prefixPart {
            let maxLen = result.isV6 ? 3 : 2
            let maxValue = result.isV6 ? 128 : 32
            guard !p.isEmpty, p.utf8.count <= maxLen, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  !(p.hasPrefix("0") && p != "0"), let v = Int(p), v <= maxValue
            else {
                return .failure(ExtensionError("ipaddr", "invalid prefix in IP address `\(s)`"))
            }
            result.prefix = UInt8(v)
        }
        return .success(result)
    }

    static func parseIPv4(_ s: Substring) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.utf8.count <= 3, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            if p.utf8.count > 1 && p.hasPrefix("0") { return nil }
            guard let v = UInt32(p), v <= 255 else { return nil }
            value = value << 8 | v
        }
        return value
    }

    static func parseIPv6(_ s: Substring) -> (UInt64, UInt64)? {
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.utf8.count <= 4, let v = UInt16(g, radix: 16),
                      g.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) || ($0 >= 0x61 && $0 <= 0x66) })
                else { return nil }
                out.append(v)
            }
            return out
        }
        var all: [UInt16]
        if let range = s.firstRange(of: "::") {
            let head = s[s.startIndex..<range.lowerBound]
            let tail = s[range.upperBound...]
            if tail.contains("::") { return nil }
            guard let h = groups(head), let t = groups(tail), h.count + t.count <= 7 else { return nil }
            all = h + Array(repeating: 0, count: 8 - h.count - t.count) + t
        } else {
            guard let g = groups(s), g.count == 8 else { return nil }
            all = g
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<4 { high = high << 16 | UInt64(all[i]) }
        for i in 4..<8 { low = low << 16 | UInt64(all[i]) }
        return (high, low)
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { !isV6 }

    /// Loopback: `127.0.0.0/8` (with a prefix of at least 8) or `::1/128`.
    public var isLoopback: Bool {
        if isV6 { return high == 0 && low == 1 && prefix >= 128 }
        return (low >> 24) & 0xFF == 127 && prefix >= 8
    }

    /// Multicast: `224.0.0.0/4` or `ff00::/8` (with at least that prefix).
    public var isMulticast: Bool {
        if isV6 { return high >> 56 == 0xFF && prefix >= 8 }
        return (low >> 28) & 0xF == 0xE && prefix >= 4
    }

    /// Whether this address or range lies within `other` (always false across IPv4 and IPv6).
    public func isInRange(_ other: IPAddress) -> Bool {
        guard isV6 == other.isV6 else { return false }
        if !isV6 {
            func netmask(_ p: UInt8) -> UInt32 { p == 0 ? 0 : UInt32.max << (32 - UInt32(p)) }
            let a = UInt32(truncatingIfNeeded: low), b = UInt32(truncatingIfNeeded: other.low)
            let selfNet = a & netmask(prefix), otherNet = b & netmask(other.prefix)
            let selfBroad = a | ~netmask(prefix), otherBroad = b | ~netmask(other.prefix)
            return otherNet <= selfNet && selfBroad <= otherBroad
        }
        func mask(_ p: UInt8) -> (UInt64, UInt64) {
            let p = Int(p)
            let h: UInt64 = p >= 64 ? UInt64.max : (p == 0 ? 0 : UInt64.max << UInt64(64 - p))
            let l: UInt64 = p <= 64 ? 0 : (p >= 128 ? UInt64.max : UInt64.max << UInt64(128 - p))
            return (h, l)
        }
        func lessEq(_ a: (UInt64, UInt64), _ b: (UInt64, UInt64)) -> Bool { a.0 < b.0 || (a.0 == b.0 && a.1 <= b.1) }
        let (sh, sl) = mask(prefix), (oh, ol) = mask(other.prefix)
        let selfNet = (high & sh, low & sl), otherNet = (other.high & oh, other.low & ol)
        let selfBroad = (high | ~sh, low | ~sl), otherBroad = (other.high | ~oh, other.low | ~ol)
        return lessEq(otherNet, selfNet) && lessEq(selfBroad, otherBroad)
    }

    /// `a.b.c.d/p` or the IPv6 groups in hex with `/p`.
    public var description: String {
        if !isV6 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)/\(prefix)"
        }
        var groups: [String] = []
        for i in 0..<4 { groups.append(String((high >> UInt64(48 - 16 * i)) & 0xFFFF, radix: 16)) }
        for i in 0..<4 { groups.append(String((low >> UInt64(48 - 16 * i)) & 0xFFFF, radix: 16)) }
        return groups.joined(separator: ":") + "/\(prefix)"
    }
}

/// A Cedar `datetime`: milliseconds since the Unix epoch (UTC, no leap seconds).
public struct CedarDatetime: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var epochMilliseconds: Int64

    /// Creates a datetime.
    public init(epochMilliseconds: Int64) { self.epochMilliseconds = epochMilliseconds }

    public static func < (a: CedarDatetime, b: CedarDatetime) -> Bool { a.epochMilliseconds < b.epochMilliseconds }

    static let dayMs: Int64 = 86_400_000

    /// Parses `YYYY-MM-DD`, optionally followed by `Thh:mm:ss`, optional `.SSS`, and `Z` or `(+|-)hhmm`.
    public static func parse(_ s: String) -> Result<CedarDatetime, ExtensionError> {
        let b = Array(s.utf8)
        func digits(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<(from + n) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        func err(_ m: String) -> Result<CedarDatetime, ExtensionError> { .failure(ExtensionError("datetime", m)) }
        guard let year = digits(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              b[7] == UInt8(ascii: "-"), let day = digits(8, 2)
        else { return err("invalid date pattern in `\(s)`: a datetime starts with YYYY-MM-DD") }
        // Cedar's own grammar (offsets without a colon, exactly three fraction digits), on the
        // shared calendar.
        let dateValid = month >= 1 && month <= 12 && day >= 1 && Int64(day) <= RFC3339.daysIn(month: Int64(month), year: Int64(year))
        var ms: Int64 = 0
        var offsetSeconds: Int64 = 0
        if b.count > 10 {
            guard b.count >= 19, b[10] == UInt8(ascii: "T"), let h = digits(11, 2), b[13] == UInt8(ascii: ":"),
                  let mi = digits(14, 2), b[16] == UInt8(ascii: ":"), let sec = digits(17, 2)
            else { return err("invalid hour/minute/second pattern in `\(s)`: expected Thh:mm:ss after the date") }
            var i = 19
            var milli = 0
            if i < b.count && b[i] == UInt8(ascii: ".") {
                guard let m = digits(i + 1, 3) else { return err("invalid millisecond and/or offset pattern in `\(s)`") }
                milli = m
                i += 4
            }
            guard i < b.count else { return err("invalid millisecond and/or offset pattern in `\(s)`") }
            if b[i] == UInt8(ascii: "Z") && i + 1 == b.count {
                // UTC
            } else if (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) && i + 5 == b.count,
                      let oh = digits(i + 1, 2), let om = digits(i + 3, 2) {
                if !dateValid { return err("invalid date: \(String(decoding: b[0..<10], as: UTF8.self))") }
                if h > 23 || mi > 59 || sec > 59 { return err("invalid hour/minute/second: \(String(decoding: b[11..<19], as: UTF8.self))") }
                guard oh < 24 && om < 60 else { return err("invalid offset range: \(oh)\(om)") }
                offsetSeconds = Int64(oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            } else {
                return err("invalid millisecond and/or offset pattern in `\(s)`: end with Z, .SSSZ, (+|-)hhmm or .SSS(+|-)hhmm")
            }
            if !dateValid { return err("invalid date: \(String(decoding: b[0..<10], as: UTF8.self))") }
            if h > 23 || mi > 59 || sec > 59 { return err("invalid hour/minute/second: \(String(decoding: b[11..<19], as: UTF8.self))") }
            ms = Int64(h) * 3_600_000 + Int64(mi) * 60_000 + Int64(sec) * 1000 + Int64(milli)
        } else if !dateValid {
            return err("invalid date: \(s)")
        }
        let days = RFC3339.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let epoch = days * dayMs + ms - offsetSeconds * 1000
        return .success(CedarDatetime(epochMilliseconds: epoch))
    }

    /// The datetime at midnight UTC of the same day (rounding toward the past).
    public func toDate() -> CedarDatetime? {
        let e = epochMilliseconds
        if e < 0 {
            if e % Self.dayMs == 0 { return self }
            let (m, o) = (e / Self.dayMs - 1).multipliedReportingOverflow(by: Self.dayMs)
            return o ? nil : CedarDatetime(epochMilliseconds: m)
        }
        return CedarDatetime(epochMilliseconds: (e / Self.dayMs) * Self.dayMs)
    }

    /// Time elapsed since midnight UTC.
    public func toTime() -> CedarDuration {
        let e = epochMilliseconds
        let r = e % Self.dayMs
        return CedarDuration(milliseconds: e < 0 && r != 0 ? r + Self.dayMs : r)
    }

    /// `YYYY-MM-DDThh:mm:ss.SSSZ`.
    public var description: String {
        let days = epochMilliseconds >= 0 ? epochMilliseconds / Self.dayMs : (epochMilliseconds - Self.dayMs + 1) / Self.dayMs
        let rem = epochMilliseconds - days * Self.dayMs
        let (y, m, d) = RFC3339.civilFromDays(days)
        func pad(_ v: Int64, _ n: Int) -> String {
            var s = String(v.magnitude)
            while s.count < n { s = "0" + s }
            return (v < 0 ? "-" : "") + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3_600_000, 2)):\(pad(rem / 60_000 % 60, 2)):\(pad(rem / 1000 % 60, 2)).\(pad(rem % 1000, 3))Z"
    }
}

/// A Cedar `duration`: a signed number of milliseconds.
public struct CedarDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The length in milliseconds.
    public var milliseconds: Int64

    /// Creates a duration.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func < (a: CedarDuration, b: CedarDuration) -> Bool { a.milliseconds < b.milliseconds }

    /// Parses `-?(Nd)?(Nh)?(Nm)?(Ns)?(Nms)?` with at least one unit.
    public static func parse(_ s: String) -> Result<CedarDuration, ExtensionError> {
        let invalid = ExtensionError("duration", "invalid duration pattern `\(s)`: write quantity-unit pairs like `1d2h3m4s5ms`")
        let overflow = ExtensionError("duration", "duration `\(s)` overflows the 64-bit millisecond representation")
        let b = Array(s.utf8)
        var i = 0
        let negative = b.first == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < b.count else { return .failure(invalid) }
        // units must appear in this order, each at most once
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        var nextUnit = 0
        var total: Int64 = 0
        while i < b.count {
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start else { return .failure(invalid) }
            let numText = String(decoding: b[start..<i], as: UTF8.self)
            var unit = ""
            if i < b.count, b[i] == UInt8(ascii: "m"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "s") {
                unit = "ms"
                i += 2
            } else if i < b.count, [UInt8(ascii: "d"), UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s")].contains(b[i]) {
                unit = String(UnicodeScalar(b[i]))
                i += 1
            } else {
                return .failure(invalid)
            }
            guard let idx = units[nextUnit...].firstIndex(where: { $0.0 == unit }) else { return .failure(invalid) }
            nextUnit = idx + 1
            guard let n = Int64(numText) else { return .failure(overflow) }
            let (p, o1) = n.multipliedReportingOverflow(by: units[idx].1)
            if o1 { return .failure(overflow) }
            let (t, o2) = negative ? total.subtractingReportingOverflow(p) : total.addingReportingOverflow(p)
            if o2 { return .failure(overflow) }
            total = t
        }
        return .success(CedarDuration(milliseconds: total))
    }

    /// `Nms`.
    public var description: String { "\(milliseconds)ms" }
}

/// An error raised by an extension function (bad constructor argument, overflow).
public struct ExtensionError: Error, Equatable, Sendable {
    /// The extension (`decimal`, `ipaddr`, `datetime`, `duration`).
    public var extensionName: String
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ extensionName: String, _ message: String) {
        self.extensionName = extensionName
        self.message = message
    }
}

/// A failed extension-function call: the message, and which argument was at fault (a method's
/// receiver is argument 0) so that the evaluator can point at it.
struct ExtensionCallError: Error {
    var message: String
    var argument: Int? = nil
}

/// Cedar's extension functions: the four constructors and the methods of the extension types.
/// Policies call them as `name(...)` and `receiver.name(...)`; entity and context JSON as
/// `{"__extn": {"fn": name, "arg": a}}` or `{"__extn": {"fn": name, "args": [a, b]}}`, a method's
/// receiver being its first argument.
enum ExtensionFunction {
    case constructor(FunctionName)
    case method(MethodName)

    /// The function named `name`; nil for any other name (the set and tag methods are not
    /// extension functions).
    init?(name: String) {
        if let f = FunctionName(rawValue: name) {
            self = .constructor(f)
        } else if let m = MethodName(rawValue: name), let f = ExtensionFunction(method: m) {
            self = f
        } else {
            return nil
        }
    }

    init?(method: MethodName) {
        switch method {
        case .contains, .containsAll, .containsAny, .isEmpty, .hasTag, .getTag: return nil
        default: self = .method(method)
        }
    }

    var name: String {
        switch self {
        case .constructor(let f): return f.rawValue
        case .method(let m): return m.rawValue
        }
    }

    /// The declared parameter types, receiver first; schema-based parsing reads arguments by them.
    var parameterTypes: [SchemaType] {
        let decimal = SchemaType.extension("decimal"), ip = SchemaType.extension("ipaddr")
        let datetime = SchemaType.extension("datetime"), duration = SchemaType.extension("duration")
        switch self {
        case .constructor: return [.string]
        case .method(let m):
            switch m {
            case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual: return [decimal, decimal]
            case .isIpv4, .isIpv6, .isLoopback, .isMulticast: return [ip]
            case .isInRange: return [ip, ip]
            case .toDate, .toTime: return [datetime]
            case .toDays, .toHours, .toMinutes, .toSeconds, .toMilliseconds: return [duration]
            case .offset: return [datetime, duration]
            case .durationSince: return [datetime, datetime]
            case .contains, .containsAll, .containsAny, .isEmpty, .hasTag, .getTag: return []
            }
        }
    }

    /// The number of arguments, receiver included.
    var arity: Int {
        switch self {
        case .constructor: return 1
        case .method(let m):
            switch m {
            case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual, .isInRange, .offset, .durationSince: return 2
            default: return 1
            }
        }
    }

    /// Applies the function to `a` (a method's receiver first), with Cedar's checks and messages.
    func call(_ a: [Value]) throws(ExtensionCallError) -> Value {
        guard a.count == arity else {
            throw ExtensionCallError(
                message: "wrong number of arguments provided to extension function `\(name)`: expected \(arity), got \(a.count)")
        }
        func typeError(_ expected: String, _ i: Int) -> ExtensionCallError {
            ExtensionCallError(message: "type error: expected \(expected), got \(a[i].typeName)", argument: i)
        }
        func failure(_ message: String) -> ExtensionCallError { ExtensionCallError(message: message) }
        let method: MethodName
        switch self {
        case .constructor(let f):
            guard case .string(let s) = a[0] else { throw typeError("string", 0) }
            switch callExtensionConstructor(f, s) {
            case .success(let v): return v
            case .failure(let e): throw failure("error while evaluating `\(e.extensionName)` extension function: \(e.message)")
            }
        case .method(let m): method = m
        }
        switch method {
        case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual:
            guard case .decimal(let x) = a[0] else { throw typeError("decimal", 0) }
            guard case .decimal(let y) = a[1] else { throw typeError("decimal", 1) }
            switch method {
            case .lessThan: return .bool(x < y)
            case .lessThanOrEqual: return .bool(x <= y)
            case .greaterThan: return .bool(x > y)
            default: return .bool(x >= y)
            }
        case .isIpv4, .isIpv6, .isLoopback, .isMulticast:
            guard case .ipaddr(let ip) = a[0] else { throw typeError("ipaddr", 0) }
            switch method {
            case .isIpv4: return .bool(!ip.isV6)
            case .isIpv6: return .bool(ip.isV6)
            case .isLoopback: return .bool(ip.isLoopback)
            default: return .bool(ip.isMulticast)
            }
        case .isInRange:
            guard case .ipaddr(let ip) = a[0] else { throw typeError("ipaddr", 0) }
            guard case .ipaddr(let range) = a[1] else { throw typeError("ipaddr", 1) }
            return .bool(ip.isInRange(range))
        case .toDate, .toTime:
            guard case .datetime(let d) = a[0] else { throw typeError("datetime", 0) }
            if method == .toTime { return .duration(d.toTime()) }
            guard let date = d.toDate() else { throw failure("overflows when computing the date of \(d)") }
            return .datetime(date)
        case .offset, .durationSince:
            guard case .datetime(let d) = a[0] else { throw typeError("datetime", 0) }
            if method == .offset {
                guard case .duration(let du) = a[1] else { throw typeError("duration", 1) }
                let (r, o) = d.epochMilliseconds.addingReportingOverflow(du.milliseconds)
                if o { throw failure("overflows when adding an offset: \(d)+(\(du))") }
                return .datetime(CedarDatetime(epochMilliseconds: r))
            }
            guard case .datetime(let other) = a[1] else { throw typeError("datetime", 1) }
            let (r, o) = d.epochMilliseconds.subtractingReportingOverflow(other.epochMilliseconds)
            if o { throw failure("overflows when computing the duration between \(d) and \(other)") }
            return .duration(CedarDuration(milliseconds: r))
        case .toDays, .toHours, .toMinutes, .toSeconds, .toMilliseconds:
            guard case .duration(let d) = a[0] else { throw typeError("duration", 0) }
            let ms = d.milliseconds
            switch method {
            case .toMilliseconds: return .long(ms)
            case .toSeconds: return .long(ms / 1000)
            case .toMinutes: return .long(ms / 1000 / 60)
            case .toHours: return .long(ms / 1000 / 60 / 60)
            default: return .long(ms / 1000 / 60 / 60 / 24)
            }
        case .contains, .containsAll, .containsAny, .isEmpty, .hasTag, .getTag:
            throw failure("`\(method.rawValue)` is not an extension function")
        }
    }
}

// Cedar runtime values and their JSON form.
import JSONValue

/// A Cedar value.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    /// A set: unordered, no duplicates, compared as a set.
    case set(Set<Value>)
    /// A record: attribute names to values. Names are matched by code points.
    case record([ExactString: Value])
    case decimal(CedarDecimal)
    case ipaddr(IPAddress)
    case datetime(CedarDatetime)
    case duration(CedarDuration)

    // Strings compare by code points, as Cedar compares them (Swift's `String ==` would find
    // `"e\u{301}"` and `"\u{e9}"` equal).
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.long(let x), .long(let y)): return x == y
        case (.string(let x), .string(let y)): return x.isExactly(y)
        case (.entity(let x), .entity(let y)): return x == y
        case (.set(let x), .set(let y)): return x == y
        case (.record(let x), .record(let y)): return x == y
        case (.decimal(let x), .decimal(let y)): return x == y
        case (.ipaddr(let x), .ipaddr(let y)): return x == y
        case (.datetime(let x), .datetime(let y)): return x == y
        case (.duration(let x), .duration(let y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(0 as UInt8); hasher.combine(b)
        case .long(let n): hasher.combine(1 as UInt8); hasher.combine(n)
        case .string(let s): hasher.combine(2 as UInt8); s.hashExactly(into: &hasher)
        case .entity(let e): hasher.combine(3 as UInt8); hasher.combine(e)
        case .set(let s): hasher.combine(4 as UInt8); hasher.combine(s)
        case .record(let r): hasher.combine(5 as UInt8); hasher.combine(r)
        case .decimal(let d): hasher.combine(6 as UInt8); hasher.combine(d)
        case .ipaddr(let ip): hasher.combine(7 as UInt8); hasher.combine(ip)
        case .datetime(let d): hasher.combine(8 as UInt8); hasher.combine(d)
        case .duration(let d): hasher.combine(9 as UInt8); hasher.combine(d)
        }
    }

    /// The Cedar type name, as used in error messages.
    public var typeName: String {
        switch self {
        case .bool: return "bool"
        case .long: return "long"
        case .string: return "string"
        case .entity(let e): return "(entity of type `\(e.type)`)"
        case .set: return "set"
        case .record: return "record"
        case .decimal: return "decimal"
        case .ipaddr: return "ipaddr"
        case .datetime: return "datetime"
        case .duration: return "duration"
        }
    }

    /// Cedar expression syntax for the value; sets and records in sorted order so output is stable.
    public var description: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .long(let n): return String(n)
        case .string(let s): return cedarQuoted(s)
        case .entity(let e): return e.description
        case .set(let s): return "[" + s.map(\.description).sorted { $0.exactlyPrecedes($1) }.joined(separator: ", ") + "]"
        case .record(let r):
            return "{" + r.keys.sorted().map { "\(cedarQuoted($0.string)): \(r[$0]!.description)" }.joined(separator: ", ") + "}"
        case .decimal(let d): return "decimal(\"\(d)\")"
        case .ipaddr(let ip): return "ip(\"\(ip)\")"
        case .datetime(let d): return "datetime(\"\(d)\")"
        case .duration(let d): return "duration(\"\(d)\")"
        }
    }

    /// Reads a value from Cedar's JSON value format without a schema: numbers must be integers,
    /// arrays are sets, objects are records, and the escapes `{"__entity": {"type", "id"}}` and
    /// `{"__extn": {"fn", "arg"}}` (or `"args": [...]`) give entities and extension values.
    public init(json: JSONValue) throws(CedarError) {
        self = try Value.fromJSON(json, path: "")
    }

    /// Reads a value; the JSON path for error messages is only built when an error occurs.
    static func fromJSON(_ json: JSONValue, path: String, depth: Int = 0) throws(CedarError) -> Value {
        do {
            return try fromJSONUnlocated(json, depth: depth)
        } catch {
            guard case .entities(let m, let rel, let span) = error else { throw error }
            throw .entities(message: m, path: joinPath(path, rel), span: span)
        }
    }

    /// Like `fromJSON`, with error paths relative to `json`.
    static func fromJSONUnlocated(_ json: JSONValue, depth: Int) throws(CedarError) -> Value {
        if depth > 256 {
            throw .entities(message: "value is nested too deeply", path: "", span: nil)
        }
        switch json {
        case .null:
            throw .entities(message: "found a `null`; JSON nulls are not allowed in Cedar", path: "", span: nil)
        case .bool(let b):
            return .bool(b)
        case .number(let n):
            guard let i = n.int64 else {
                throw .entities(message: "the number \(n.text) is not a 64-bit integer; Cedar numbers are integers", path: "", span: nil)
            }
            return .long(i)
        case .string(let s):
            return .string(s)
        case .array(let items):
            var set = Set<Value>(minimumCapacity: items.count)
            for (i, item) in items.enumerated() {
                do {
                    set.insert(try fromJSONUnlocated(item, depth: depth + 1))
                } catch {
                    throw error.prefixingPath("[\(i)]")
                }
            }
            return .set(set)
        case .object(let obj):
            // An escape is an object with that single key and the escape's shape; anything else,
            // as in the reference engine, is an ordinary record.
            if obj.count == 1, case .object(let inner)? = obj["__entity"],
               let type = inner["type"]?.stringValue, let id = inner["id"]?.stringValue {
                guard isValidTypeName(type) else {
                    throw .entities(message: "failed to parse escape `__entity`: `\(type)` is not a valid entity type name", path: "__entity", span: nil)
                }
                return .entity(EntityUID(type: type, id: id))
            }
            if obj.count == 1, case .object(let inner)? = obj["__extn"], inner["fn"]?.stringValue != nil,
               inner["arg"] != nil || inner["args"] != nil {
                return try extensionValue(fromJSON: .object(inner), path: "__extn", depth: depth)
            }
            var record: [ExactString: Value] = [:]
            record.reserveCapacity(obj.count)
            for (k, v) in obj {
                if record[ExactString(k)] != nil {
                    throw .entities(message: "duplicate key `\(k)` in record", path: "", span: nil)
                }
                do {
                    record[ExactString(k)] = try fromJSONUnlocated(v, depth: depth + 1)
                } catch {
                    throw error.prefixingPath(k)
                }
            }
            return .record(record)
        }
    }

    /// Reads the object inside an `__extn` escape: `{"fn": F, "arg": A}` or `{"fn": F, "args":
    /// [A, B, ...]}`, each argument a Cedar JSON value (itself possibly an escape), and calls
    /// the extension function `F` on them, a method's receiver first. As in the reference
    /// engine, `arg` is read when both are given, and any extension function may be called.
    static func extensionValue(fromJSON json: JSONValue, path: String, depth: Int = 0) throws(CedarError) -> Value {
        guard case .object(let o) = json, let fn = o["fn"]?.stringValue else {
            throw .entities(message: "an `__extn` escape needs an object with `fn` and `arg` (or `args`)", path: path, span: nil)
        }
        let (arguments, argumentPaths) = try extensionArguments(o, path: path)
        guard let function = ExtensionFunction(name: fn) else {
            throw .entities(message: "extension function `\(fn)` does not exist", path: path, span: nil)
        }
        var args: [Value] = []
        for (a, p) in zip(arguments, argumentPaths) { args.append(try fromJSON(a, path: p, depth: depth + 1)) }
        do {
            return try function.call(args)
        } catch {
            throw .entities(message: error.message, path: path, span: nil)
        }
    }

    /// The arguments of an `__extn` call object and their JSON paths.
    static func extensionArguments(_ o: JSONObject, path: String) throws(CedarError) -> ([JSONValue], [String]) {
        if let arg = o["arg"] { return ([arg], [joinPath(path, "arg")]) }
        guard case .array(let args)? = o["args"] else {
            throw .entities(message: "an `__extn` escape needs `arg` (one argument) or `args` (a list of arguments)", path: path, span: nil)
        }
        return (args, args.indices.map { joinPath(path, "args[\($0)]") })
    }

    /// The JSON form of the value, with `__entity` / `__extn` escapes (sets and record keys in
    /// a stable order).
    public var json: JSONValue {
        switch self {
        case .bool(let b): return .bool(b)
        case .long(let n): return .int(n)
        case .string(let s): return .string(s)
        case .entity(let e): return .object(JSONObject([("__entity", e.json)]))
        case .set(let s): return .array(s.map(\.json).sorted { CanonicalJSON.string($0).exactlyPrecedes(CanonicalJSON.string($1)) })
        case .record(let r): return .object(JSONObject(r.keys.sorted().map { ($0.string, r[$0]!.json) }))
        case .decimal(let d): return extn("decimal", d.description)
        case .ipaddr(let ip): return extn("ip", ip.description)
        // The reference writes a datetime as the Unix epoch offset by its milliseconds.
        case .datetime(let d):
            return extn("offset", args: [extn("datetime", "1970-01-01"), extn("duration", CedarDuration(milliseconds: d.epochMilliseconds).description)])
        case .duration(let d): return extn("duration", d.description)
        }
    }

    private func extn(_ fn: String, _ arg: String) -> JSONValue {
        .object(JSONObject([("__extn", .object(JSONObject([("fn", .string(fn)), ("arg", .string(arg))])))]))
    }

    private func extn(_ fn: String, args: [JSONValue]) -> JSONValue {
        .object(JSONObject([("__extn", .object(JSONObject([("fn", .string(fn)), ("args", .array(args))])))]))
    }
}

/// Calls an extension constructor on a string argument.
func callExtensionConstructor(_ fn: FunctionName, _ s: String) -> Result<Value, ExtensionError> {
    switch fn {
    case .decimal: return CedarDecimal.parse(s).map { .decimal($0) }
    case .ip: return IPAddress.parse(s).map { .ipaddr($0) }
    case .datetime: return CedarDatetime.parse(s).map { .datetime($0) }
    case .duration: return CedarDuration.parse(s).map { .duration($0) }
    }
}

/// Reads an entity uid from `{"type": T, "id": I}` or `{"__entity": {...}}`.
func entityUID(fromJSON json: JSONValue, path: String) throws(CedarError) -> EntityUID {
    guard case .object(let o) = json else {
        throw .entities(message: "expected an entity uid object `{\"type\": ..., \"id\": ...}`", path: path, span: nil)
    }
    if o.count == 1, let inner = o["__entity"] {
        return try entityUID(fromJSON: inner, path: joinPath(path, "__entity"))
    }
    guard let type = o["type"]?.stringValue, let id = o["id"]?.stringValue else {
        throw .entities(message: "expected an entity uid object with string fields `type` and `id`", path: path, span: nil)
    }
    guard isValidTypeName(type) else {
        throw .entities(message: "`\(type)` is not a valid entity type name", path: path, span: nil)
    }
    return EntityUID(type: type, id: id)
}

extension EntityUID {
    /// `{"type": T, "id": I}`.
    public var json: JSONValue { .object(JSONObject([("type", .string(type)), ("id", .string(id))])) }

    /// Reads `{"type", "id"}`, `{"__entity": {...}}`, or a string in Cedar syntax `Type::"id"`.
    public init(json: JSONValue) throws(CedarError) {
        if case .string(let s) = json {
            if let fast = EntityUID.parseSimple(s) {
                self = fast
                return
            }
            do {
                self = try Parser.parseEntityUID(s)
            } catch {
                throw .request(message: "`\(s)` is not an entity uid; write it as `Type::\"id\"`")
            }
            return
        }
        self = try entityUID(fromJSON: json, path: "")
    }
}

extension EntityUID {
    /// Fast path for the common `A::B::"id"` text with no escapes or spaces; nil otherwise.
    static func parseSimple(_ s: String) -> EntityUID? {
        var utf8 = Array(s.utf8)
        guard utf8.count >= 5, utf8.last == UInt8(ascii: "\"") else { return nil }
        guard let q = utf8.firstIndex(of: UInt8(ascii: "\"")), q >= 3, q < utf8.count - 1,
              utf8[q - 1] == UInt8(ascii: ":"), utf8[q - 2] == UInt8(ascii: ":") else { return nil }
        let idBytes = utf8[(q + 1)..<(utf8.count - 1)]
        if idBytes.contains(UInt8(ascii: "\\")) || idBytes.contains(UInt8(ascii: "\"")) { return nil }
        let typeBytes = utf8[0..<(q - 2)]
        // identifiers separated by `::`
        var i = typeBytes.startIndex
        var segments: [String] = []
        while i < typeBytes.endIndex {
            let start = i
            guard isIdentStart(utf8[i]) else { return nil }
            while i < typeBytes.endIndex && isIdentContinue(utf8[i]) { i += 1 }
            let seg = String(decoding: utf8[start..<i], as: UTF8.self)
            if reservedWords.contains(seg) || seg == "__cedar" { return nil }
            segments.append(seg)
            if i == typeBytes.endIndex { break }
            guard i + 1 < typeBytes.endIndex, utf8[i] == UInt8(ascii: ":"), utf8[i + 1] == UInt8(ascii: ":") else { return nil }
            i += 2
            if i == typeBytes.endIndex { return nil }
        }
        guard !segments.isEmpty else { return nil }
        utf8.removeAll()
        return EntityUID(type: segments.joined(separator: "::"), id: String(decoding: idBytes, as: UTF8.self))
    }
}

/// Joins JSON path parts: `a` + `b` is `a.b`, `a` + `[1]` is `a[1]`.
func joinPath(_ a: String, _ b: String) -> String {
    if a.isEmpty { return b }
    if b.isEmpty { return a }
    return b.hasPrefix("[") ? a + b : a + "." + b
}

extension CedarError {
    /// For an entities error, puts `prefix` in front of its path.
    func prefixingPath(_ prefix: String) -> CedarError {
        guard case .entities(let m, let path, let span) = self else { return self }
        return .entities(message: m, path: joinPath(prefix, path), span: span)
    }
}

/// Whether `s` is a Cedar entity type name: identifiers joined by `::`, none reserved.
func isValidTypeName(_ s: String) -> Bool {
    var segmentStart = true
    var segment: [UInt8] = []
    var bytes = Array(s.utf8)
    bytes.append(UInt8(ascii: ":"))
    bytes.append(UInt8(ascii: ":"))
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b == UInt8(ascii: ":") {
            guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ":"), !segment.isEmpty else { return false }
            let word = String(decoding: segment, as: UTF8.self)
            if reservedWords.contains(word) || word == "__cedar" { return false }
            segment.removeAll(keepingCapacity: true)
            segmentStart = true
            i += 2
            continue
        }
        if segmentStart ? !isIdentStart(b) : !isIdentContinue(b) { return false }
        segment.append(b)
        segmentStart = false
        i += 1
    }
    return !s.isEmpty
}

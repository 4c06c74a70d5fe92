/// The JSON Canonicalization Scheme (RFC 8785): members sorted by their UTF-16 code units,
/// numbers in ECMAScript form, strings with the minimal escapes, no whitespace.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        write(value, into: &output)
        return output
    }

    /// The canonical text of `value`.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: serialize(value), as: UTF8.self)
    }

    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: numberText(number).utf8)
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, key) in sortedKeys(object).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(object[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Keys in RFC 8785 order: by UTF-16 code units.
    static func sortedKeys(_ object: JSONObject) -> [String] {
        object.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }

    /// Integers that a double holds exactly print as integers; everything else in ECMAScript form.
    static func numberText(_ number: JSONNumber) -> String {
        if let integer = number.int64, integer.magnitude <= 9_007_199_254_740_992 { return String(integer) }
        return formatNumber(number.double)
    }

    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// ECMAScript `Number.prototype.toString` for a finite double (ECMA-262 §6.1.6.1.20), built
    /// on the shortest round-tripping digits that Swift's description already computes.
    public static func formatNumber(_ value: Double) -> String {
        if value == 0 { return "0" }
        if !value.isFinite { return value.isNaN ? "null" : (value < 0 ? "-1e+400" : "1e+400") }
        let negative = value < 0
        let description = String(value.magnitude.description)
        var mantissa = Substring(description)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = description[..<e]
            exponent = Int(description[description.index(after: e)...]) ?? 0
        }
        var digits: [Character]
        var pointPosition: Int
        if let dot = mantissa.firstIndex(of: ".") {
            let integerPart = mantissa[..<dot]
            let fractionPart = mantissa[mantissa.index(after: dot)...]
            digits = Array(integerPart) + Array(fractionPart)
            pointPosition = integerPart.count
        } else {
            digits = Array(mantissa)
            pointPosition = digits.count
        }
        while let first = digits.first, first == "0", digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == "0", digits.count > 1 { digits.removeLast() }
        let k = digits.count
        let n = pointPosition + exponent
        let digitText = String(digits)
        var text: String
        if k <= n && n <= 21 {
            text = digitText + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            text = String(digits[0..<n]) + "." + String(digits[n...])
        } else if -6 < n && n <= 0 {
            text = "0." + String(repeating: "0", count: -n) + digitText
        } else {
            let e = n - 1
            let sign = e < 0 ? "-" : "+"
            text = String(digits[0]) + (k > 1 ? "." + String(digits[1...]) : "") + "e" + sign + String(abs(e))
        }
        return negative ? "-" + text : text
    }
}

/// Human-facing JSON: two-space indentation, keys sorted by default, one trailing newline
/// left to the caller.
public enum JSONWriter {
    /// Indented JSON text.
    public static func pretty(_ value: JSONValue, sortKeys: Bool = true) -> String {
        var output: [UInt8] = []
        writePretty(value, sortKeys: sortKeys, indent: 0, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Compact JSON on one line (keys sorted by default), for JSON Lines output.
    ///
    /// Unlike canonical JSON, integers keep every digit: a 64-bit value beyond 2^53 (an id, a
    /// counter) is printed as it was read rather than as the double nearest to it.
    public static func compact(_ value: JSONValue, sortKeys: Bool = true) -> String {
        var output: [UInt8] = []
        writeCompact(value, sortKeys: sortKeys, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func writeCompact(_ value: JSONValue, sortKeys: Bool, into output: inout [UInt8]) {
        switch value {
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeCompact(element, sortKeys: sortKeys, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let keys = sortKeys ? CanonicalJSON.sortedKeys(object) : object.keys
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                writeCompact(object[key]!, sortKeys: sortKeys, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        default:
            writeScalar(value, into: &output)
        }
    }

    /// A scalar: integers in full, everything else as canonical JSON writes it. A number read
    /// as a double that is a whole number within 64 bits is written as exactly that integer:
    /// the shortest round-trip form (`-18888888888888890` for the double -18888888888888888)
    /// would read back as a different integer.
    private static func writeScalar(_ value: JSONValue, into output: inout [UInt8]) {
        if case .number(let number) = value, let integer = number.int64 ?? Int64(exactly: number.double) {
            output.append(contentsOf: String(integer).utf8)
        } else {
            CanonicalJSON.write(value, into: &output)
        }
    }

    private static func writePretty(_ value: JSONValue, sortKeys: Bool, indent: Int, into output: inout [UInt8]) {
        func newline(_ level: Int) {
            output.append(0x0A)
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        switch value {
        case .array(let elements):
            if elements.isEmpty { output.append(contentsOf: "[]".utf8); return }
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writePretty(element, sortKeys: sortKeys, indent: indent + 1, into: &output)
            }
            newline(indent)
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty { output.append(contentsOf: "{}".utf8); return }
            output.append(UInt8(ascii: "{"))
            let keys = sortKeys ? CanonicalJSON.sortedKeys(object) : object.keys
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                CanonicalJSON.writeString(key, into: &output)
                output.append(contentsOf: ": ".utf8)
                writePretty(object[key]!, sortKeys: sortKeys, indent: indent + 1, into: &output)
            }
            newline(indent)
            output.append(UInt8(ascii: "}"))
        default:
            writeScalar(value, into: &output)
        }
    }
}

// JSON parser and writers. Invariants: canonical JSON re-parses to an equal value and
// re-serialises to the same bytes; pretty and compact output re-parse to an equal value; both
// parse entry points agree; error locations lie inside the input.
//
// Canonical JSON (RFC 8785) writes every number as the IEEE 754 double nearest to it, so after
// canonicalisation numbers are compared as doubles: an integer beyond 2^53 comes back as its
// nearest double, by design. Everything else must come back exactly.
import JSONValue

/// Equality with numbers compared as the doubles canonical JSON writes.
func equalAsCanonical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)):
        return x.double == y.double || (x.double.isNaN && y.double.isNaN)
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { equalAsCanonical($0, $1) }
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        return x.allSatisfy { member in y[member.key].map { equalAsCanonical(member.value, $0) } ?? false }
    default:
        return a == b
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let value: JSONValue
    do {
        value = try JSONParser.parse(bytes)
    } catch {
        require(error.location.line >= 1 && error.location.column >= 1, "error location \(error.location) not 1-based")
        require(error.location.offset >= 0 && error.location.offset <= bytes.count,
                "error offset \(error.location.offset) outside an input of \(bytes.count) bytes")
        do {
            _ = try JSONParser.parseDocument(bytes)
            require(false, "parseDocument accepted what parse refused: \(error)")
        } catch let second {
            require(second == error, "the two entry points disagree: \(error) vs \(second)")
        }
        return 0
    }
    let document: JSONDocument
    do {
        document = try JSONParser.parseDocument(bytes)
    } catch {
        require(false, "parseDocument refused what parse accepted: \(error)")
        return 0
    }
    require(document.value == value, "parseDocument gave a different value")
    require(document.location(of: []) != nil, "no location for the root value")

    let canonical = CanonicalJSON.serialize(value)
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(canonical)
    } catch {
        require(false, "canonical output does not parse: \(error): \(String(decoding: canonical, as: UTF8.self))")
        return 0
    }
    require(equalAsCanonical(reparsed, value), "canonical output parses to a different value: \(String(decoding: canonical, as: UTF8.self))")
    let again = CanonicalJSON.serialize(reparsed)
    require(again == canonical, "canonical output is not stable: \(String(decoding: canonical, as: UTF8.self)) then \(String(decoding: again, as: UTF8.self))")

    for text in [JSONWriter.pretty(value), JSONWriter.compact(value), JSONWriter.pretty(value, sortKeys: false)] {
        do {
            let back = try JSONParser.parse(text)
            require(back == value, "writer output parses to a different value: \(text)")
        } catch {
            require(false, "writer output does not parse: \(error): \(text)")
        }
    }
    return 0
}

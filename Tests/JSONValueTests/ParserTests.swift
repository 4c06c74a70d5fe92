import Testing
@testable import JSONValue

/// One decision of the parser where RFC 8259 leaves room or where input is malformed.
struct ParseCase: CustomStringConvertible, Sendable {
    let name: String
    let input: [UInt8]
    /// nil: accepted. Otherwise a fragment of the expected message and the expected line:column.
    let error: (fragment: String, at: String)?

    var description: String { name }

    static func accept(_ name: String, _ text: String) -> ParseCase { ParseCase(name: name, input: Array(text.utf8), error: nil) }
    static func accept(_ name: String, bytes: [UInt8]) -> ParseCase { ParseCase(name: name, input: bytes, error: nil) }
    static func reject(_ name: String, _ text: String, _ fragment: String, at: String) -> ParseCase {
        ParseCase(name: name, input: Array(text.utf8), error: (fragment, at))
    }
    static func reject(_ name: String, bytes: [UInt8], _ fragment: String, at: String) -> ParseCase {
        ParseCase(name: name, input: bytes, error: (fragment, at))
    }
}

let parseCases: [ParseCase] = [
    .accept("scalar at top level", "42"),
    .accept("surrogate pair escape", #""\ud83d\ude00""#),
    .accept("leading UTF-8 BOM is skipped", bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8)),
    .accept("large integer kept as text", "123456789012345678901234567890"),
    .accept("tiny number underflows to zero", "1e-400"),
    .accept("raw multi-byte UTF-8", "\"grüße €\""),
    .reject("lone high surrogate", #""\ud83d""#, "lone high surrogate", at: "1:2"),
    .reject("lone low surrogate", #""\ude00x""#, "lone low surrogate", at: "1:2"),
    .reject("number out of double range", "[1e400]", "out of range", at: "1:2"),
    .reject("duplicate key", "{\"a\":1,\n \"a\":2}", "duplicate key \"a\"", at: "2:2"),
    .reject("BOM after start", bytes: Array("[".utf8) + [0xEF, 0xBB, 0xBF] + Array("]".utf8), "unexpected", at: "1:2"),
    .reject("raw control character in string", "\"a\u{01}b\"", "control character 0x1", at: "1:3"),
    .reject("raw newline in string", "\"a\nb\"", "control character", at: "1:3"),
    .reject("invalid UTF-8", bytes: [0x22, 0xFF, 0x22], "invalid UTF-8", at: "1:2"),
    .reject("overlong UTF-8", bytes: [0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8", at: "1:2"),
    .reject("encoded surrogate in UTF-8", bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8", at: "1:2"),
    .reject("trailing comma", "[1,]", "expected a value", at: "1:4"),
    .reject("leading zero", "01", "leading zeros", at: "1:1"),
    .reject("single quotes", "{'a':1}", "member name in double quotes", at: "1:2"),
    .reject("unterminated string", "[\"abc", "unterminated string", at: "1:6"),
    .reject("two values", "{} {}", "exactly one value", at: "1:4"),
    .reject("empty input", "", "empty input", at: "1:1"),
    .reject("NaN literal", "NaN", "expected a value", at: "1:1"),
    .reject("bad escape", #""\x""#, "invalid escape", at: "1:2"),
    .reject("comment", "{} // note", "exactly one value", at: "1:4"),
]

@Test("parser accept/reject table", arguments: parseCases)
func parserDecision(_ testCase: ParseCase) {
    do {
        _ = try JSONParser.parse(testCase.input, file: "case.json")
        #expect(testCase.error == nil, "accepted, expected an error")
    } catch {
        guard let expected = testCase.error else {
            Issue.record("rejected: \(error)")
            return
        }
        #expect(error.message.contains(expected.fragment), "message: \(error.message)")
        #expect("\(error.location.line):\(error.location.column)" == expected.at, "\(error)")
        #expect(error.description.hasPrefix("case.json:"))
    }
}

@Test("200,000-deep nesting is a located error, not a stack overflow")
func deepNesting() {
    let input = [UInt8](repeating: UInt8(ascii: "["), count: 200_000)
    #expect(throws: JSONParseError.self) { try JSONParser.parse(input) }
    do {
        _ = try JSONParser.parse(input)
    } catch {
        #expect(error.message.contains("nesting deeper than 512"))
        #expect(error.location.column == 513)
    }
}

@Test("documents remember where each value starts")
func documentLocations() throws {
    let text = "{\n  \"steps\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"args\": {\"url\": \"x\"}}\n  ]\n}\n"
    let document = try JSONParser.parseDocument(text, file: "plan.json")
    #expect(document.location(of: [.key("steps"), .index(1), .key("args"), .key("url")])?.description == "4:33")
    #expect(document.location(of: [.key("steps"), .index(0)])?.line == 3)
    #expect(document.nearestLocation(of: [.key("steps"), .index(1), .key("missing")]).column == 5)
    #expect(renderJSONPath([.key("steps"), .index(3), .key("args"), .key("url")]) == "steps[3].args.url")
    #expect(renderJSONPath([.key("a b")]) == #"["a b"]"#)
}

@Test("integers keep their exact value; equality is numeric")
func numbers() throws {
    #expect(try JSONParser.parse("9223372036854775807").int64Value == Int64.max)
    #expect(try JSONParser.parse("9223372036854775808").int64Value == nil)
    #expect(try JSONParser.parse("1.0") == JSONParser.parse("1"))
    #expect(try JSONParser.parse("[1,2]") != JSONParser.parse("[2,1]"))
    #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) == JSONParser.parse(#"{"b":2,"a":1}"#))
}

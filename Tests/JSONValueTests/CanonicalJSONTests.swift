import Testing
@testable import JSONValue

/// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
let rfc8785Numbers: [(UInt64, String)] = [
    (0x0000000000000000, "0"), (0x8000000000000000, "0"),
    (0x0000000000000001, "5e-324"), (0x8000000000000001, "-5e-324"),
    (0x7fefffffffffffff, "1.7976931348623157e+308"), (0xffefffffffffffff, "-1.7976931348623157e+308"),
    (0x4340000000000000, "9007199254740992"), (0xc340000000000000, "-9007199254740992"),
    (0x4430000000000000, "295147905179352830000"),
    (0x44b52d02c7e14af5, "9.999999999999997e+22"), (0x44b52d02c7e14af6, "1e+23"),
    (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
    (0x444b1ae4d6e2ef4e, "999999999999999700000"), (0x444b1ae4d6e2ef4f, "999999999999999900000"),
    (0x444b1ae4d6e2ef50, "1e+21"),
    (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"), (0x3eb0c6f7a0b5ed8d, "0.000001"),
    (0x41b3de4355555553, "333333333.3333332"), (0x41b3de4355555554, "333333333.33333325"),
    (0x41b3de4355555555, "333333333.3333333"), (0x41b3de4355555556, "333333333.3333334"),
    (0x41b3de4355555557, "333333333.33333343"),
    (0xbecbf647612f3696, "-0.0000033333333333333333"),
    (0x43143ff3c1cb0959, "1424953923781206.2"),
]

@Test("RFC 8785 number serialisation", arguments: rfc8785Numbers)
func canonicalNumber(bits: UInt64, expected: String) {
    let value = Double(bitPattern: bits)
    #expect(CanonicalJSON.string(.double(value)) == expected)
}

@Test("RFC 8785 §3.2.2 example: whitespace, numbers and string escapes")
func rfc8785Example() throws {
    let input = #"""
    {
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }
    """#
    let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
    #expect(CanonicalJSON.string(try JSONParser.parse(input)) == expected)
}

@Test("RFC 8785 §3.2.3 example: members sorted by UTF-16 code units")
func rfc8785Sorting() throws {
    let input = #"""
    {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }
    """#
    let value = try JSONParser.parse(input)
    guard case .object(let object) = value else { Issue.record("not an object"); return }
    let order = CanonicalJSON.sortedKeys(object).map { $0.unicodeScalars.first!.value }
    #expect(order == [0x0D, 0x31, 0x80, 0xF6, 0x20AC, 0x1F600, 0xFB33])
}

@Test("canonical output re-parses to the same value")
func canonicalRoundTrip() throws {
    let input = #"{"b":[1,2.5,-0.0,"x\u0001"],"a":{"z":null,"y":true},"big":123456789012345678901234567890}"#
    let value = try JSONParser.parse(input)
    let canonical = CanonicalJSON.string(value)
    #expect(try JSONParser.parse(canonical) == value)
    #expect(CanonicalJSON.string(try JSONParser.parse(canonical)) == canonical)
}

@Test("pretty writer indents two spaces and sorts keys")
func prettyWriter() throws {
    let value = try JSONParser.parse(#"{"b":1,"a":[true,{}],"c":[]}"#)
    #expect(JSONWriter.pretty(value) == "{\n  \"a\": [\n    true,\n    {}\n  ],\n  \"b\": 1,\n  \"c\": []\n}")
    #expect(JSONWriter.compact(value, sortKeys: false) == #"{"b":1,"a":[true,{}],"c":[]}"#)
}

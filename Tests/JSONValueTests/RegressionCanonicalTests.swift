import Testing
import JSONValue

/// Inputs the JSON fuzz target turned up.
@Suite struct RegressionCanonicalTests {
    /// `-18888388888888885` (fuzz input): an integer beyond 2^53 is written, as RFC 8785 says,
    /// as the double nearest to it, `-18888388888888884`. The parsed value keeps the exact
    /// integer; the canonical form is stable from then on.
    @Test(arguments: [
        ("-18888388888888885", "-18888388888888884"),
        ("9007199254740993", "9007199254740992"),
        ("9007199254740992", "9007199254740992"),
        ("123456789012345678901234567890", "1.2345678901234568e+29"),
    ])
    func integersBeyondDoublePrecisionCanonicaliseToTheNearestDouble(input: String, canonical: String) throws {
        let value = try JSONParser.parse(input)
        let written = CanonicalJSON.string(value)
        #expect(written == canonical)
        let again = try JSONParser.parse(written)
        #expect(CanonicalJSON.string(again) == written)
        #expect(value.int64Value.map(String.init) == (Int64(input).map(String.init)))
    }
}

/// The human-facing writers keep integers exact, where canonical JSON may not.
@Suite struct RegressionWriterTests {
    /// `-188888888888888885` (fuzz input): pretty and compact output printed the nearest
    /// double, `-188888888888888900`, which parses to a different value.
    @Test(arguments: ["-188888888888888885", "9223372036854775807", "-9223372036854775808", "[1,{\"a\":9007199254740993}]"])
    func writersKeepSixtyFourBitIntegersExact(input: String) throws {
        let value = try JSONParser.parse(input)
        for text in [JSONWriter.pretty(value), JSONWriter.compact(value), JSONWriter.compact(value, sortKeys: false)] {
            #expect(try JSONParser.parse(text) == value, "\(text)")
        }
        #expect(JSONWriter.compact(value) == input)
    }
}

/// Numbers written differently compare by their exact value.
@Suite struct RegressionNumberEqualityTests {
    /// `-115e15` (fuzz input): pretty output writes it `-115000000000000000`, an integer
    /// literal, which compared unequal to the exponent form although both are exactly the same
    /// number.
    @Test(arguments: [("-115e15", "-115000000000000000"), ("1e17", "100000000000000000"), ("2.5e1", "25"), ("0.0", "0")])
    func sameValueWrittenTwoWaysIsEqual(left: String, right: String) throws {
        #expect(try JSONParser.parse(left) == JSONParser.parse(right))
    }

    /// Beyond 2^53 a double stands for one integer only: its nearest neighbours stay unequal.
    @Test(arguments: [("9007199254740993", "9007199254740993e0"), ("9007199254740993", "9.007199254740993e15"), ("-115000000000000001", "-115e15")])
    func nearbyIntegerIsNotEqual(left: String, right: String) throws {
        #expect(try JSONParser.parse(left) != JSONParser.parse(right))
    }

    /// `-18888888888888888.8885` (fuzz input) reads as the double -18888888888888888, whose
    /// shortest round-trip form `-18888888888888890` reads back as a different integer; the
    /// writers print the double's exact integer value instead.
    @Test func writersRoundTripExponentIntegers() throws {
        let value = try JSONParser.parse("[-115e15, 1e17, 4.5e2, -18888888888888888.8885, 1e300, 0.5]")
        #expect(JSONWriter.compact(value) == "[-115000000000000000,100000000000000000,450,-18888888888888888,1e+300,0.5]")
        for text in [JSONWriter.pretty(value), JSONWriter.compact(value), JSONWriter.compact(value, sortKeys: false)] {
            #expect(try JSONParser.parse(text) == value, "\(text)")
        }
        // Canonical JSON keeps the ECMAScript form, which is the same double, not the same text.
        let canonical = try #require(JSONParser.parse(CanonicalJSON.string(value)).arrayValue)
        func doubles(_ values: [JSONValue]?) -> [Double] {
            (values ?? []).compactMap { if case .number(let number) = $0 { number.double } else { nil } }
        }
        #expect(doubles(canonical) == doubles(value.arrayValue) && canonical.count == 6)
    }
}

import Testing
@testable import AuditLog

/// The record scanner reads strings eight bytes at a time; it must find exactly what a byte-by-
/// byte reading finds, wherever the quote or backslash falls relative to the words.
@Suite struct RecordScannerTests {
    @Test func wordSearchAgreesWithByteSearchAtEveryOffset() {
        // Bytes that stress the zero-byte trick: neighbours of the targets (0x21, 0x23, 0x5B,
        // 0x5D), 0x80 and 0xA2/0xDC (the targets with the high bit set), 0x00 and 0xFF.
        let alphabet: [UInt8] = [0x22, 0x5C, 0x21, 0x23, 0x5B, 0x5D, 0x80, 0xA2, 0xDC, 0x00, 0xFF, 0x41]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in 0..<40 {
            for _ in 0..<50 {
                var bytes: [UInt8] = []
                for _ in 0..<length {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    // Mostly plain bytes, so that matches fall at every position of a word.
                    let pick = Int(state >> 33) % (alphabet.count * 4)
                    bytes.append(pick < alphabet.count ? alphabet[pick] : 0x61)
                }
                bytes.withUnsafeBytes { buffer in
                    for from in 0...length {
                        let expected = (from..<length).first { bytes[$0] == 0x22 || bytes[$0] == 0x5C } ?? length
                        #expect(RecordScanner.nextQuoteOrBackslash(in: buffer, from: from) == expected,
                                "bytes \(bytes) from \(from)")
                    }
                }
            }
        }
    }

    @Test(arguments: [
        (#"{"kind":"mint","plan":"p","step":"s"}"#, "mint", false),
        (#"{"kind":"a\"b","plan":"p","step":"s"}"#, #"a\"b"#, true),
        (#"{"kind":"\\","plan":"p","step":"s"}"#, #"\\"#, true),
        (#"{"kind":"0123456789abcdef0123456789\u00e9","plan":"p","step":"s"}"#, #"0123456789abcdef0123456789\u00e9"#, true),
        (#"{"kind":"","plan":"p","step":"s"}"#, "", false),
    ])
    func stringSpans(line: String, kind: String, escaped: Bool) throws {
        let bytes = Array(line.utf8)
        let record = try bytes.withUnsafeBytes { buffer throws(ScanError) in try RecordScanner.scan(buffer) }
        let span = try #require(record.kind)
        #expect(String(decoding: bytes[span.start..<span.end], as: UTF8.self) == kind)
        #expect(span.escaped == escaped)
        #expect(record.plan.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } == "p")
    }

    @Test(arguments: [
        #"{"kind":"abc"#,
        #"{"kind":"abcdefghijklmnop\"#,
        #"{"kind":"a\x"}"#,
        #"{"kind":"a\u12"}"#,
        #"{"kind":"a\u12g4"}"#,
    ])
    func brokenStringsAreRejected(line: String) {
        let bytes = Array(line.utf8)
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(ScanError) in try RecordScanner.scan(buffer) } }
        #expect(throws: ScanError.self) { try result.get() }
    }
}

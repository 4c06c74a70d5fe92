import Testing
import JSONValue

/// Locations on very long lines: a minified document is one line, and every location in it
/// used to walk from the start of that line, so locating each value cost time quadratic in the
/// size of the document.
@Suite struct RegressionLocationTests {
    /// Line and column the slow, obviously right way.
    static func naive(_ bytes: [UInt8], _ offset: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for index in 0..<offset {
            if bytes[index] == 0x0A {
                line += 1
                column = 1
            } else if index + 1 >= bytes.count || bytes[index + 1] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    @Test func columnsAgreeWithCountingAcrossCheckpoints() {
        // Multi-byte scalars straddle the 1024-byte checkpoints; a few line breaks too.
        var text = ""
        for i in 0..<3000 { text += i % 7 == 0 ? "é" : (i % 11 == 0 ? "😀" : (i % 997 == 0 ? "\n" : "a")) }
        let bytes = Array(text.utf8)
        let table = LineTable(bytes)
        for offset in 0...bytes.count where bytes.indices.contains(offset) ? bytes[offset] & 0xC0 != 0x80 : true {
            let expected = Self.naive(bytes, offset)
            let found = table.location(ofOffset: offset)
            #expect(found.line == expected.line && found.column == expected.column, "offset \(offset)")
        }
    }

    @Test func everyValueOfAMinifiedDocumentIsLocatedQuickly() throws {
        // 20,000 values on one line (about 600 KB).
        let text = "[" + (0..<20_000).map { "{\"id\":\"step-\($0)\",\"n\":\($0)}" }.joined(separator: ",") + "]"
        let document = try JSONParser.parseDocument(text)
        let clock = ContinuousClock()
        var last = SourceLocation(line: 0, column: 0, offset: 0)
        let elapsed = clock.measure {
            for index in 0..<20_000 {
                last = document.location(of: [.index(index), .key("n")]) ?? last
            }
        }
        #expect(last.line == 1)
        #expect(last.column == text.utf8.count - 6)
        #expect(elapsed < .seconds(10), "locating 20,000 values took \(elapsed)")
    }
}

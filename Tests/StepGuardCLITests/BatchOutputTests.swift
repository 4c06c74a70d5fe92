import Cedar
import JSONValue
import Testing
@testable import StepGuardCLI

/// The batch writers of `authorize --requests` write what the general writers would: answer
/// lines as the canonical JSON of the answer, and terminal escaping wherever a control stands.
struct BatchOutputTests {
    static let responses: [(Response, Int)] = [
        (Response(decision: .deny, reasons: [], errors: []), 1),
        (Response(decision: .allow, reasons: ["p0", "policy with spaces"], errors: []), 9),
        (Response(decision: .deny, reasons: ["f\"q\\"], errors: [PolicyError(policyID: "p1", message: "error while evaluating policy `p1`: x")]), 10),
        (Response(decision: .allow, reasons: ["e\u{301}", "\u{e9}", "日本", "👩‍💻"], errors: []), 12_345),
        (Response(decision: .deny, reasons: ["tab\there", "bell\u{07}", "del\u{7F}", "c1\u{85}"], errors: [
            PolicyError(policyID: "a", message: "one"), PolicyError(policyID: "b\nc", message: "two\u{1B}[2J"),
        ]), Int.max),
    ]

    @Test(arguments: 0..<responses.count)
    func answerLinesAreTheCanonicalJSONOfTheAnswer(index: Int) throws {
        let (response, line) = Self.responses[index]
        var tail = Array("],\"schema\":".utf8)
        BatchAuthorizer.appendJSONString("stepguard.authorize/v1", to: &tail)
        tail += "}\n".utf8
        var out: [UInt8] = Array("before\n".utf8)
        BatchAuthorizer.appendJSONLine(response, line: line, tail: tail, to: &out)
        guard case .object(var expected) = response.json else { Issue.record("not an object"); return }
        expected["line"] = .int(Int64(line))
        expected["schema"] = .string("stepguard.authorize/v1")
        #expect(String(decoding: out, as: UTF8.self) == "before\n" + JSONWriter.compact(.object(expected)) + "\n")
    }

    @Test(arguments: [0, 1, 7, 9, 10, 99, 100, 65_535, 1_000_000_007, Int.max])
    func lineNumbersAreWrittenInDecimal(number: Int) {
        var out: [UInt8] = []
        BatchAuthorizer.appendDecimal(number, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(number))
    }

    /// Every control, at every offset of the words the scan reads eight bytes at a time, and
    /// split across two words, is escaped; what needs no escape is left as it is.
    @Test(arguments: ["\u{00}", "\u{01}", "\u{08}", "\r", "\u{1B}", "\u{1F}", "\u{7F}", "\u{80}", "\u{85}", "\u{9F}",
                      String(TerminalText.marker)])
    func controlsAreEscapedAtEveryOffset(control: String) {
        let escaped = control.unicodeScalars.first!.value
        let hex = String(escaped, radix: 16)
        let expected = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        for length in 0..<20 {
            for offset in 0...length {
                let before = String(repeating: "a", count: offset)
                let after = String(repeating: "b", count: length - offset)
                #expect(TerminalText.sanitize(before + control + after) == before + expected + after)
            }
        }
    }

    @Test(arguments: ["\n", "\t", " ", "~", "\u{A0}", "\u{C0}", "é", "\u{FDCF}", "\u{FDF0}", "\u{EFB7}", "日本", "👩‍💻", "e\u{301}"])
    func textThatNeedsNoEscapeIsLeftAlone(text: String) {
        for length in 0..<20 {
            for offset in 0...length {
                let line = String(repeating: "a", count: offset) + text + String(repeating: "b", count: length - offset)
                #expect(TerminalText.sanitize(line) == line)
            }
        }
    }
}

import Cedar
import Foundation
import JSONValue
import Testing
@testable import StepGuardCLI

/// The batch fast path must read every line it accepts exactly as the general path does, and
/// leave everything else to the general path.
struct AuthorizeScannerTests {
    static func viaScanner(_ line: String) -> Request? {
        var scanner = RequestScanner()
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { scanner.request($0) }
    }

    static func viaReader(_ line: String) -> Request? {
        var reader = RequestReader(schema: nil)
        guard let json = try? JSONParser.parse(line) else { return nil }
        return try? reader.request(json)
    }

    static func same(_ a: Request, _ b: Request) -> Bool {
        a.principal == b.principal && a.action == b.action && a.resource == b.resource && a.context == b.context
    }

    static let accepted = [
        #"{"principal": "User::\"alice\"", "action": "Action::\"read\"", "resource": "Doc::\"d\""}"#,
        #"  {"resource":{"id":"d","type":"Doc"},"principal":{"type":"User","id":"a"},"action":{"type":"Action","id":"x y"}} "#,
        #"{"principal": "A::B::\"p\"", "action": "Action::\"r\"", "resource": "R::\"q\"", "context": {}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"n":-9223372036854775808,"m":9223372036854775807,"z":0,"neg":-0}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"s":"a\"b\\c\/d\n\t\r\b\f","t":true,"f":false}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"set":[1,2,2,"x",[true],{"k":[]}],"rec":{"a":{"b":{"c":1}}}}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"e":{"__entity":{"type":"U","id":"b"}},"ip":{"__extn":{"fn":"ip","arg":"10.0.0.0/8"}},"d":{"__extn":{"arg":"1.25","fn":"decimal"}}}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"when":{"__extn":{"fn":"datetime","arg":"2024-10-15T11:35:00Z"}},"for":{"__extn":{"fn":"duration","arg":"1h30m"}}}}"#,
        #"{"principal":"U::\"id with spaces and \\\"quotes\\\"\"","action":"Action::\"r\"","resource":"R::\"\""}"#,
    ]

    @Test(arguments: accepted)
    func acceptedLinesMatchTheGeneralPath(line: String) throws {
        let fast = try #require(Self.viaScanner(line), "the scanner should read \(line)")
        let general = try #require(Self.viaReader(line))
        #expect(Self.same(fast, general))
    }

    static let declined = [
        #"{"principal":"U::\"\u0061\"","action":"Action::\"r\"","resource":"R::\"q\""}"#,
        #"{"principal":"U::\"é\"","action":"Action::\"r\"","resource":"R::\"q\""}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":1.5}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":1e3}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":9223372036854775808}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":012}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":null}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":1,"x":2}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"__extn":{"fn":"ip","arg":"1.2.3.4"}}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":{"__extn":{"fn":"ip","arg":"1.2.3.4"},"y":1}}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":{"__extn":{"fn":"ip","arg":"bogus"}}}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":truex}}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","extra":1}"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\""} x"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\""}"#,
        #"{"principal":"U::\"a\"","principal":"U::\"b\"","action":"Action::\"r\"","resource":"R::\"q\""}"#,
        #"{"principal":"U:\"a\"","action":"Action::\"r\"","resource":"R::\"q\""}"#,
        #"{"principal":{"type":"U","id":"a","x":1},"action":"Action::\"r\"","resource":"R::\"q\""}"#,
        #"["principal"]"#,
        #"{"principal":"U::\"a\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"x":[1,]}}"#,
    ]

    @Test(arguments: declined)
    func otherLinesAreLeftToTheGeneralPath(line: String) {
        #expect(Self.viaScanner(line) == nil, "the scanner should decline \(line)")
    }

    /// Random contexts, written by the JSON writer, read the same both ways.
    @Test func randomContextsMatchTheGeneralPath() throws {
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        func value(_ depth: Int) -> JSONValue {
            switch next(depth > 3 ? 5 : 8) {
            case 0: return .int(Int64(next(2000)) - 1000)
            case 1: return .string(["", "a", "x\"y", "back\\slash", "line\nbreak", "CHG-12"][next(6)])
            case 2: return .bool(next(2) == 0)
            case 3: return ["__extn": ["fn": "ip", "arg": .string(["10.1.2.3", "::1", "192.168.0.0/16"][next(3)])]]
            case 4: return ["__entity": ["type": "Agent", "id": .string("a\(next(5))")]]
            case 5: return .array((0..<next(4)).map { _ in value(depth + 1) })
            case 6: return ["__extn": ["fn": "decimal", "arg": .string(["0.5", "-12.3456", "100.0"][next(3)])]]
            default:
                return .object(JSONObject((0..<next(4)).map { ("k\($0)", value(depth + 1)) }))
            }
        }
        // One scanner reads every line, twice, as a batch does: what its caches return must be
        // what a fresh read gives.
        var scanner = RequestScanner()
        for _ in 0..<500 {
            let context = JSONValue.object(JSONObject((0..<next(5)).map { ("c\($0)", value(0)) }))
            let request: JSONValue = [
                "principal": .string(#"Agent::"a\#(next(9))""#), "action": ["type": "Action", "id": "read"],
                "resource": .string(#"Repo::"r""#), "context": context,
            ]
            let line = JSONWriter.compact(request)
            let general = try #require(Self.viaReader(line))
            for _ in 0..<2 {
                let fast = try #require(Array(line.utf8).withUnsafeBufferPointer { scanner.request($0) }, "the scanner should read \(line)")
                #expect(Self.same(fast, general), "\(line)")
            }
        }
    }

    /// The string reader takes eight bytes at a time: an escape, the closing quote or a byte it
    /// leaves to the general path, at every offset of a word, is read as the general path reads it.
    @Test func stringsOfEveryLengthWithAnEscapeAtEveryOffset() throws {
        for length in 0..<20 {
            for offset in 0...length {
                let before = String(repeating: "a", count: offset), after = String(repeating: "b", count: length - offset)
                for escape in [#"\""#, #"\\"#, #"\n"#, #"\/"#, ""] {
                    let body = before + escape + after
                    let line = #"{"principal":"U::\"p\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"s":"\#(body)","k\#(body)":1}}"#
                    let fast = try #require(Self.viaScanner(line), "the scanner should read \(line)")
                    let general = try #require(Self.viaReader(line))
                    #expect(Self.same(fast, general), "\(line)")
                }
                for other in ["é", #"\u0041"#] {
                    let line = #"{"principal":"U::\"p\"","action":"Action::\"r\"","resource":"R::\"q\"","context":{"s":"\#(before + other + after)"}}"#
                    #expect(Self.viaScanner(line) == nil, "\(line)")
                }
            }
        }
    }

    /// Lines read in turn by one scanner, each answered as a fresh read answers it (nil where the
    /// scanner leaves the line to the general path): the caches key uids and escapes by their
    /// bytes as written, and an escape's text found in the cache still has to close its object.
    static let sequences: [[String]] = [
        [
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"x":{"__extn":{"fn":"ip","arg":"1.2.3.4"}}}}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"x":{"__extn":{"fn":"ip","arg":"1.2.3.4"},"y":1}}}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"x":{"__extn":{"fn":"ip","arg":"1.2.3.4"}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"x":{"__extn":{"fn":"ip","arg":"1.2.3.5"}}}}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"x":{"__extn": { "arg" : "1.2.3.4" , "fn" : "ip" } }}}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"x":{"__extn":{"fn":"decimal","arg":"1.2.3.4"}}}}"#,
        ],
        [
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q""}"#,
            #"{"principal":"U::"a\""","action":"Action::"r"","resource":"R::"q""}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"a""}"#,
            #"{"principal":"U::""","action":"Action::"r"","resource":"R::"q\\""}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q\\""}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"U::"a""}"#,
            #"{"principal":"U::"a\u0022"","action":"Action::"r"","resource":"R::"q""}"#,
        ],
        [
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"s":{"__extn":{"fn":"ip","arg":"}"}}}}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"s":{"__extn":{"fn":"ip","arg":"::1"}},"t":{"__extn":{"fn":"ip","arg":"::1"}}}}"#,
            #"{"principal":"U::"a"","action":"Action::"r"","resource":"R::"q"","context":{"__extn":{"fn":"ip","arg":"::1"}}}"#,
        ],
    ]

    @Test(arguments: 0..<sequences.count)
    func aScannerReadingManyLinesReadsEachAsAFreshOne(index: Int) throws {
        var scanner = RequestScanner()
        for line in Self.sequences[index] + Self.sequences[index] {
            let shared = Array(line.utf8).withUnsafeBufferPointer { scanner.request($0) }
            let fresh = Self.viaScanner(line)
            #expect((shared == nil) == (fresh == nil), "\(line)")
            if let shared, let fresh { #expect(Self.same(shared, fresh), "\(line)") }
            if let shared {
                let general = try #require(Self.viaReader(line))
                #expect(Self.same(shared, general), "\(line)")
            }
        }
    }
}

import Testing
import JSONValue
@testable import AuditLog

/// The record scanner reads strings eight bytes at a time; it must find exactly what a byte-by-
/// byte reading finds, wherever the quote or backslash falls relative to the words.
@Suite struct RecordScannerTests {
    @Test func wordSearchAgreesWithByteSearchAtEveryOffset() {
        // Bytes that stress the zero-byte trick: neighbours of the targets (0x21, 0x23, 0x5B,
        // 0x5D), 0x80 and 0xA2/0xDC (the targets with the high bit set), 0x00 and 0xFF.
        // For the special bytes also the edges of the control range (0x1F, 0x20) and of ASCII (0x7F).
        let alphabet: [UInt8] = [0x22, 0x5C, 0x21, 0x23, 0x5B, 0x5D, 0x80, 0xA2, 0xDC, 0x00, 0xFF, 0x41, 0x1F, 0x20, 0x7F]
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
                        let special = (from..<length).first {
                            bytes[$0] == 0x22 || bytes[$0] == 0x5C || bytes[$0] < 0x20 || bytes[$0] >= 0x80
                        } ?? length
                        #expect(RecordScanner.nextSpecialByte(in: buffer, from: from) == special, "bytes \(bytes) from \(from)")
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
        let record = try bytes.withUnsafeBytes { buffer throws(ScanError) in try RecordScanner.scanGeneral(buffer) }
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

    /// Calls `check` with every line that replacing one byte of a line of `lines` by one of
    /// `replacements`, inserting one of them, or deleting a byte makes.
    static func forEachOneByteEdit(of lines: [[UInt8]], with replacements: [UInt8], _ check: ([UInt8]) -> Void) {
        for line in lines {
            for position in line.indices {
                for byte in replacements where byte != line[position] {
                    var changed = line
                    changed[position] = byte
                    check(changed)
                    var inserted = line
                    inserted.insert(byte, at: position)
                    check(inserted)
                }
                var deleted = line
                deleted.remove(at: position)
                check(deleted)
            }
        }
    }

    /// The fast path for canonical lines either declines or agrees with the general scanner:
    /// checked on generated records and on every one-byte change, deletion and insertion of a
    /// structural or numeric character in them.
    @Test func canonicalFastPathAgreesWithTheGeneralScanner() throws {
        let log = GeneratedLog(records: 6, hasher: FastTestHasher())
        var lines = log.lines
        lines.append(Array(#"{"a":[],"b":"","kind":"x","n":0,"seq":12,"z":["p","q"]}"#.utf8))
        lines.append(Array(#"{"kind":"x","seq":123456789012345678}"#.utf8))
        lines.append(Array(#"{"after":["a","bc"],"kind":"decision","plan":"p","seq":3,"step":"d"}"#.utf8))
        lines.append(Array(#"{"after":[],"kind":"decision","seq":4}"#.utf8))
        let replacements = Array(#""\,:{}[] 0019-.eE"#.utf8) + [0x0A, 0x00, 0xC3]
        var taken = 0, declined = 0
        func check(_ line: [UInt8]) {
            line.withUnsafeBytes { buffer in
                guard let fast = RecordScanner.scanCanonical(buffer) else {
                    declined += 1
                    return
                }
                taken += 1
                let general = Result { () throws(ScanError) in try RecordScanner.scanGeneral(buffer) }
                #expect((try? general.get()) == fast, "\(String(decoding: line, as: UTF8.self))")
            }
        }
        for line in lines {
            #expect(line.withUnsafeBytes { RecordScanner.scanCanonical($0) } != nil, "\(String(decoding: line, as: UTF8.self))")
        }
        Self.forEachOneByteEdit(of: lines, with: replacements, check)
        // Both paths were exercised: some changes keep a line canonical, most do not.
        #expect(taken > 1000 && declined > 1000, "taken \(taken), declined \(declined)")
    }

    /// Scanning into one record kept from line to line (as verification's line preparation
    /// does) reads every line as `scan` does: the same lines are records, with the same fields,
    /// whatever the line before left in the record.
    @Test func scanningIntoAReusedRecordAgreesWithScan() {
        var lines = GeneratedLog(records: 4, hasher: FastTestHasher()).lines
        lines.append(Array(#"{"after":["a","b\"c"],"host_call_id":"h","kind":"decision","plan":"p","seq":1,"step":"s"}"#.utf8))
        lines.append(Array(#"{"kind":"x","seq":2}"#.utf8))
        lines.append(Array(#"{ "kind": "x", "seq": 3 }"#.utf8))
        let replacements = Array(#""\,:{}[] 09"#.utf8) + [0xC3]
        var reused = ScannedRecord()
        var records = 0, others = 0
        Self.forEachOneByteEdit(of: lines, with: replacements) { line in
            line.withUnsafeBytes { buffer in
                let scanned = try? RecordScanner.scan(buffer)
                let read = RecordScanner.scan(buffer, into: &reused)
                #expect(read == (scanned != nil), "\(String(decoding: line, as: UTF8.self))")
                if read {
                    records += 1
                    #expect(reused == scanned, "\(String(decoding: line, as: UTF8.self))")
                } else {
                    others += 1
                }
            }
        }
        #expect(records > 100 && others > 100, "records \(records), others \(others)")
    }

    /// The strict canonical reading either declines or gives the general scanner's record for a
    /// line whose bytes are exactly its canonical form: checked on records as the gate writes them
    /// (escaped resource text, a nested tool input, arrays, numbers, control characters) and on
    /// every one-byte change, deletion and insertion of a character that matters to the form.
    @Test func strictReadingAcceptsExactlyCanonicalLines() throws {
        var lines = [
            #"{"action":"fs.read","cwd":"/w","host":"claude-code","input":{"file_path":"/w/a.py","limit":20,"n":-3,"offset":0},"kind":"decision","outcome":"allow","plan":"s1","policies":["p1","p2"],"prev":"00","principal":"Agent::\"claude-code\"","resource":"File::\"/w/a.py\"","risk":"low","seq":7,"session_prev":"ab","step":"toolu_1"}"#,
            #"{"input":{"command":"echo \"a\\b\"\n\t\u001f","nested":[{"a":true,"b":false,"c":null},[],{}]},"kind":"decision","seq":0}"#,
            #"{"after":["a","b\"c"],"host_call_id":"h","input_digest":"d","kind":"mutation","seq":1,"step":"s"}"#,
        ].map { Array($0.utf8) }
        lines += GeneratedLog(records: 3, hasher: FastTestHasher()).lines
        let replacements = Array(#""\,:{}[] 0019-.eEAaFfu/"#.utf8) + [0x0A, 0x00, 0x1F, 0x7F, 0xC3]
        var taken = 0, declined = 0
        func check(_ line: [UInt8]) {
            line.withUnsafeBytes { buffer in
                let canonical = Result { () throws(ScanError) in try RecordScanner.requireCanonical(buffer) }
                guard let strict = RecordScanner.scanStrict(buffer) else {
                    declined += 1
                    return
                }
                taken += 1
                let text = String(decoding: line, as: UTF8.self)
                #expect((try? canonical.get()) != nil, "accepted a line that is not canonical: \(text)")
                let general = Result { () throws(ScanError) in try RecordScanner.scanGeneral(buffer) }
                #expect((try? general.get()) == strict, "\(text)")
            }
        }
        for line in lines {
            #expect(line.withUnsafeBytes { RecordScanner.scanStrict($0) } != nil, "\(String(decoding: line, as: UTF8.self))")
        }
        Self.forEachOneByteEdit(of: lines, with: replacements, check)
        #expect(taken > 1000 && declined > 1000, "taken \(taken), declined \(declined)")
    }

    /// Lines the strict reading leaves to the general one are still read when canonical (text
    /// outside ASCII, long numbers) and refused when not.
    @Test(arguments: [
        (#"{"kind":"d","resource":"File::\"/w/é.py\"","seq":1}"#, true),
        (#"{"kind":"d","n":9007199254740992,"seq":1}"#, true),
        (#"{"kind":"d","n":1.5,"seq":1}"#, true),
        (#"{"kind":"d","n":1.50,"seq":1}"#, false),
        (#"{"kind":"d","t":"a\/b","seq":1}"#, false),
        (#"{"kind":"d","t":"\u00e9","seq":1}"#, false),
        (#"{"kind":"d","t":"\u001F","seq":1}"#, false),
        (#"{"input":{"b":1,"a":2},"kind":"d","seq":1}"#, false),
        (#"{"input":{"a":1,"a":2},"kind":"d","seq":1}"#, false),
    ])
    func offTheStrictPath(line: String, isRecord: Bool) {
        let bytes = Array(line.utf8)
        #expect(bytes.withUnsafeBytes { RecordScanner.scanStrict($0) } == nil)
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(ScanError) in try RecordScanner.scan(buffer) } }
        #expect(((try? result.get()) != nil) == isRecord, "\(line)")
    }

    @Test func fieldWordsSpellTheNames() {
        func word32(_ text: String) -> UInt32 { Array(text.utf8).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } }
        func word64(_ text: String) -> UInt64 { Array(text.utf8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } }
        #expect(FieldWord.seq == word32("\"seq"))
        #expect(FieldWord.jti == word32("\"jti"))
        #expect(FieldWord.exp == word32("\"exp"))
        #expect(FieldWord.prev == word32("prev"))
        #expect(FieldWord.time == word32("time"))
        #expect(FieldWord.kind == word32("kind"))
        #expect(FieldWord.plan == word32("plan"))
        #expect(FieldWord.step == word32("step"))
        #expect(FieldWord.outcome == word64("\"outcome"))
        #expect(FieldWord.afte == word32("afte"))
        #expect(FieldWord.args == word32("args"))
        #expect(FieldWord.nDigest == word64("n_digest"))
        #expect(FieldWord.pDigest == word64("p_digest"))
        #expect(FieldWord.sDigest == word64("s_digest"))
        #expect(FieldWord.risk == word32("risk"))
        #expect(FieldWord.action == word64("\"action\""))
        #expect(FieldWord.resource == word64("resource"))
        #expect(FieldWord.rincipal == word64("rincipal"))
        #expect(FieldWord.input_di == word64("input_di") && FieldWord.gest == word32("gest"))
        #expect(FieldWord.host_cal == word64("host_cal") && FieldWord.l_id == word32("l_id"))
        #expect(FieldWord.session_ == word64("session_"))
        #expect(FieldWord.history_ == word64("history_") && FieldWord.y_digest == word64("y_digest"))
    }

    /// The members the gate reads back are found on every path, and names that differ from
    /// theirs in one letter are not.
    @Test func historyFieldsAreFoundAndNoLookAlike() throws {
        let line = #"{"actioN":"x","action":"a","history_digesT":"x","history_digest":"d","host_call_iD":"x","host_call_id":"h","input_digesT":"x","input_digest":"i","kind":"k","principaL":"x","principal":"p","resourcE":"x","resource":"r","risk":"k","riskk":"x","seq":1,"session_prev":"s","session_prex":"x"}"#
        let bytes = Array(line.utf8)
        func text(_ span: ByteSpan?) -> String? { span.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } }
        let general = try bytes.withUnsafeBytes { buffer throws(ScanError) in try RecordScanner.scanGeneral(buffer) }
        let canonical = try #require(bytes.withUnsafeBytes { RecordScanner.scanCanonical($0) })
        let strict = try #require(bytes.withUnsafeBytes { RecordScanner.scanStrict($0) })
        for record in [general, canonical, strict] {
            #expect([text(record.action), text(record.hostCallID), text(record.inputDigest), text(record.principal), text(record.resource),
                     text(record.risk), text(record.sessionPrev), text(record.historyDigest)] == ["a", "h", "i", "p", "r", "k", "s", "d"])
        }
    }

    /// The digests of what was decided are found on both paths, and names that differ from
    /// theirs in one letter are not.
    @Test func digestFieldsAreFoundAndNoLookAlike() throws {
        let line = #"{"args_digesT":"x","args_digest":"a","kind":"k","plan_digest":"p","plan_digesx":"y","plan_source":"z","stepXdigest":"w","step_digest":"s"}"#
        let bytes = Array(line.utf8)
        func text(_ span: ByteSpan?) -> String? { span.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } }
        let general = try bytes.withUnsafeBytes { buffer throws(ScanError) in try RecordScanner.scanGeneral(buffer) }
        let canonical = try #require(bytes.withUnsafeBytes { RecordScanner.scanCanonical($0) })
        for record in [general, canonical] {
            #expect([text(record.planDigest), text(record.stepDigest), text(record.argsDigest)] == ["p", "s", "a"])
        }
    }

    @Test func everyKnownFieldIsFoundAndNoLookAlike() throws {
        let line = #"{"exp":"e","jti":"j","kind":"k","outcome":"o","plan":"p","prev":"v","seq":7,"step":"s","time":"t","Seq":1,"seqq":2,"outcomes":"x","outcomX":"y","pla":"z","stepp":"w"}"#
        let record = try Array(line.utf8).withUnsafeBytes { buffer throws(ScanError) in try RecordScanner.scanGeneral(buffer) }
        func text(_ span: ByteSpan?) -> String? {
            span.map { String(decoding: Array(line.utf8)[$0.start..<$0.end], as: UTF8.self) }
        }
        #expect(record.seq == 7)
        #expect([text(record.exp), text(record.jti), text(record.kind), text(record.outcome), text(record.plan),
                 text(record.prev), text(record.step), text(record.time)] == ["e", "j", "k", "o", "p", "v", "s", "t"])
        #expect(record.after == nil)
    }

    /// `after` is kept only as an array of strings, in the general form as in the canonical one,
    /// and its members are read back with their escapes resolved.
    @Test(arguments: [
        (#"{"after":["a","b\"c"],"kind":"decision"}"#, #""a","b\"c""#, ["a", "b\"c"]),
        (#"{"after":["a","b"],"kind":"decision"}"#, #""a","b""#, ["a", "b"]),
        (#"{"after":[],"kind":"decision"}"#, "", []),
        (#"{"after":"a","kind":"decision"}"#, nil, []),
        (#"{"after":["a",1],"kind":"decision"}"#, nil, []),
        (#"{"aftex":["a"],"kind":"decision"}"#, nil, []),
    ] as [(String, String?, [String])])
    func afterIsAnArrayOfStrings(line: String, members: String?, strings: [String]) throws {
        let bytes = Array(line.utf8)
        let record = try bytes.withUnsafeBytes { buffer throws(ScanError) in try RecordScanner.scan(buffer) }
        #expect(record.after.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } == members)
        #expect(record.after?.escaped ?? false == (members?.contains("\\") ?? false))
        let read = bytes.withUnsafeBytes { buffer in
            record.after.map { RecordScanner.strings(in: $0, of: buffer).map { RecordScanner.string($0, in: buffer) } } ?? []
        }
        #expect(read == strings)
    }
}

/// Hex decoding of `prev` works eight digits at a time; it must agree with the plain reading of
/// every byte value in every position.
@Suite struct HexDecodingTests {
    static func plain(_ bytes: [UInt8]) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes {
            let nibble: UInt8
            switch byte {
            case 0x30...0x39: nibble = byte - 0x30
            case 0x61...0x66: nibble = byte - 0x61 + 10
            case 0x41...0x46: nibble = byte - 0x41 + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    @Test func everyByteInEveryPosition() {
        let base = Array("0123456789abcdefABCDEF0123456789".utf8)
        for position in 0..<16 {
            for byte in 0...255 {
                var digits = Array(base[position..<(position + 16)])
                digits[position % 16] = UInt8(byte)
                let decoded = digits.withUnsafeBytes { Digest32.hexWord($0.baseAddress!) }
                #expect(decoded == Self.plain(digits), "byte \(byte) at \(position)")
            }
        }
    }

    @Test func digestsRoundTrip() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF0
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<32 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            let digest = Digest32(bytes: bytes)!
            #expect(Digest32(hex: digest.hex) == digest)
            #expect(Digest32(hex: digest.hex.uppercased()) == digest)
        }
    }

    /// One reading of a record: a line whose bytes are not its canonical form is no record to
    /// any reader, wherever it differs.
    @Test(arguments: [
        (#"{"kind":"decision","outc\u006fme":"allow","plan":"p","step":"s"}"#, 24),
        (#"{"kind":"decision", "outcome":"allow","plan":"p","step":"s"}"#, 19),
        (#"{"kind":"decision","outcome":"deny","outcome":"allow","plan":"p","step":"s"}"#, 0),
        (#"{"plan":"p","kind":"decision","step":"s"}"#, 2),
        (#"{"kind":"d\u0065cision","plan":"p","resource":"S::\"a\"","step":"s"}"#, 10),
    ])
    func nonCanonicalLinesAreNotRecords(line: String, offset: Int) {
        let bytes = Array(line.utf8)
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(ScanError) in try RecordScanner.scan(buffer) } }
        #expect(throws: ScanError.self) { try result.get() }
        if case .failure(let error) = result, offset > 0 { #expect(error.offset == offset, "\(error)") }
        let canonical = #"{"kind":"decision","plan":"p","resource":"S::\"a\"","step":"s"}"#
        #expect((try? Array(canonical.utf8).withUnsafeBytes { buffer throws(ScanError) in try RecordScanner.scan(buffer) })?.kind != nil)
    }
}

/// Escapes are resolved as a JSON parser resolves them, whichever way the text is built.
@Suite struct UnescapeTests {
    @Test(arguments: [
        #"File::\"/w/a.py\""#, #"a\\b\/c\n\r\t\b\f"#, #"\u00e9\u0041"#, #"x\ud83d\ude00y"#, #"é\"ü"#, "",
    ])
    func resolvesAsTheParserDoes(escaped: String) throws {
        let expected = try #require(try JSONParser.parse(Array("\"\(escaped)\"".utf8)).stringValue)
        let bytes = Array(escaped.utf8)
        #expect(bytes.withUnsafeBytes { RecordScanner.unescape($0) } == expected)
    }
}

import Testing
@testable import JSONValue

/// Strings written by `BinaryWriter` read back byte for byte, whether ASCII (the fast path) or
/// not, and bytes that are not UTF-8 are refused on either side of the eight-byte words.
struct BinaryTests {
    @Test(arguments: ["", "a", "seven77", "eight888", "nine99999", "File::\"/w/a.py\"", "caf\u{e9}", "e\u{301}", "\u{1F600} and more text", String(repeating: "x", count: 100) + "\u{e9}"])
    func stringsReadBackAsWritten(text: String) throws {
        var writer = BinaryWriter()
        writer.string(text)
        var reader = BinaryReader(writer.bytes)
        let read = try reader.string()
        #expect(Array(read.utf8) == Array(text.utf8))
        #expect(reader.isAtEnd)
    }

    @Test(arguments: [[0xFF], [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xC3], [0xC3, 0x28], Array(repeating: 0x61, count: 16) + [0xED, 0xA0, 0x80]])
    func bytesThatAreNotUTF8AreRefused(bytes: [UInt8]) {
        var writer = BinaryWriter()
        writer.count(bytes.count)
        writer.raw(bytes)
        var reader = BinaryReader(writer.bytes)
        #expect(throws: BinaryFormatError.self) { try reader.string() }
    }

    @Test func asciiIsFoundWordByWord() {
        for length in 0..<24 {
            for position in 0..<length {
                var bytes = Array(repeating: UInt8(0x61), count: length)
                #expect(bytes.withUnsafeBufferPointer { BinaryReader.isASCII($0) })
                bytes[position] = 0x80
                #expect(!bytes.withUnsafeBufferPointer { BinaryReader.isASCII($0) }, "length \(length), position \(position)")
            }
        }
    }
}

extension RecordScanner {
    /// The offset of the closing quote of the string whose text starts at `start` (the end of
    /// `line` when there is none).
    static func stringEnd(from start: Int, in line: UnsafeRawBufferPointer) -> Int {
        var i = nextQuoteOrBackslash(in: line, from: start)
        while i < line.count && line[i] == 0x5C { i = nextQuoteOrBackslash(in: line, from: i + 2) }
        return i
    }

    /// The string value of the top-level member `name` of a record line, or nil when it has no
    /// such member or its value is not a string. The line is a record, so its JSON is well
    /// formed; nested values are skipped over without being read.
    static func topLevelString(_ name: StaticString, in line: UnsafeRawBufferPointer) -> ByteSpan? {
        let n = line.count
        guard n > 2, line[0] == UInt8(ascii: "{") else { return nil }
        let wanted = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        // Records are in canonical form: the member, if there, reads `"NAME":"`.
        guard line.firstRange(of: [UInt8(ascii: "\"")] + Array(wanted) + Array("\":\"".utf8)) != nil else { return nil }
        /// The end (closing quote) of the string whose opening quote is at `open`.
        func stringEnd(_ open: Int) -> Int { Self.stringEnd(from: open + 1, in: line) }
        var i = 1
        while i < n && line[i] == UInt8(ascii: "\"") {
            let keyEnd = stringEnd(i)
            let key = UnsafeRawBufferPointer(rebasing: line[(i + 1)..<min(keyEnd, n)])
            i = keyEnd + 2
            guard i < n else { return nil }
            if line[i] == UInt8(ascii: "\"") {
                let end = stringEnd(i)
                if key.elementsEqual(wanted) {
                    guard end < n else { return nil }
                    return ByteSpan(start: i + 1, end: end, escaped: line[(i + 1)..<end].contains(0x5C))
                }
                i = end + 1
            } else {
                var depth = 0
                while i < n {
                    let c = line[i]
                    if c == UInt8(ascii: "\"") {
                        i = stringEnd(i) + 1
                        continue
                    }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                    if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        if depth == 0 { break }
                        depth -= 1
                    }
                    if c == UInt8(ascii: ",") && depth == 0 { break }
                    i += 1
                }
            }
            guard i < n, line[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
        return nil
    }
}

// Removal of blank lines from laid-out policy text.
//
// Layout leaves lines that hold only indentation where a comment's forced line break meets a
// regular one. They are dropped everywhere except inside string literals (whose content is
// part of the policy's meaning) and comments (which are copied verbatim).

enum FormatBlankLines {
    /// `text` without lines holding only white space (outside strings and comments), trimmed.
    static func remove(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let comment = nextComment(bytes, from: index)
            let string = nextString(bytes, from: index)
            let match: Range<Int>?
            switch (comment, string) {
            case (let c?, let s?): match = c.lowerBound <= s.lowerBound ? c : s
            case (let c?, nil): match = c
            case (nil, let s?): match = s
            case (nil, nil): match = nil
            }
            guard let m = match else {
                out += removeInteriorBlankLines(bytes[index...])
                break
            }
            out += removeInteriorBlankLines(bytes[index..<m.lowerBound])
            out += bytes[m]
            index = m.upperBound
        }
        return rustTrim(String(decoding: out, as: UTF8.self))
    }

    /// The first `//` comment at or after `from`, to the end of its line.
    private static func nextComment(_ b: [UInt8], from: Int) -> Range<Int>? {
        var i = from
        while i + 1 < b.count {
            if b[i] == 0x2F && b[i + 1] == 0x2F {
                var j = i + 2
                while j < b.count && b[j] != 0x0A { j += 1 }
                return i..<j
            }
            i += 1
        }
        return nil
    }

    /// The first complete string literal starting at or after `from`. A backslash escapes
    /// any character but a line break.
    private static func nextString(_ b: [UInt8], from: Int) -> Range<Int>? {
        var start = from
        while start < b.count {
            guard let q = b[start...].firstIndex(of: 0x22) else { return nil }
            var j = q + 1
            while j < b.count {
                let c = b[j]
                if c == 0x22 { return q..<(j + 1) }
                if c == 0x5C {
                    // `\` followed by a line break (or nothing) cannot continue the literal
                    if j + 1 >= b.count || b[j + 1] == 0x0A { break }
                    j += 2
                    // skip the rest of a multi-byte escaped character
                    while j < b.count && b[j] & 0xC0 == 0x80 { j += 1 }
                    continue
                }
                j += 1
            }
            start = q + 1
        }
        return nil
    }

    /// Drops lines of only white space, keeping a leading line break and a last line without one.
    private static func removeInteriorBlankLines(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        if s.first == 0x0A { out.append(0x0A) }
        var lineStart = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == 0x0A {
                let line = s[lineStart...i]
                if !isBlank(line) { out += line }
                lineStart = i + 1
            }
            i += 1
        }
        if lineStart < s.endIndex { out += s[lineStart..<s.endIndex] }
        return out
    }

    private static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        rustTrim(String(decoding: line, as: UTF8.self)).isEmpty
    }
}

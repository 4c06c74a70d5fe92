/// Makes text safe to write to a terminal: no control character that came from an input file
/// (a step id, a reason, an entity id, a snippet of a file) reaches stdout or stderr intact,
/// whatever the format and whether or not the stream is a terminal.
///
/// Every C0 control but newline and tab, DEL, and every C1 control is written as `\u00XX`. In
/// JSON output those can only stand inside strings (JSON's structure is ASCII), where `\u00XX`
/// is JSON's own escape, so JSON stays valid and means the same.
///
/// stepguard's own colours are written by `Style` with `marker` in place of ESC, and only a
/// marker that starts a colour (SGR) sequence becomes ESC here: text from an input cannot move
/// the cursor, set a title or clear the screen, even if it spells the marker.
public enum TerminalText {
    /// The stand-in for ESC in stepguard's own escape sequences: U+FDD0, a Unicode
    /// noncharacter, which no valid text needs (and Swift literals cannot spell).
    public static let marker = Unicode.Scalar(0xFDD0 as UInt32)!

    /// `text` with input controls escaped and stepguard's colour sequences made real.
    public static func sanitize(_ text: String) -> String {
        guard needsWork(text) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == marker, let end = colourSequenceEnd(scalars, from: index) {
                out.append("\u{1B}")
                out.append(contentsOf: scalars[(index + 1)...end])
                index = end + 1
                continue
            }
            if isControl(scalar) || scalar == marker {
                out.append(contentsOf: escaped(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
            index += 1
        }
        return String(out)
    }

    /// Whether any byte of `text` could need escaping: a scan over UTF-8 that is cheap for the
    /// common case of clean output.
    private static func needsWork(_ text: String) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable(scan) { return found }
        return Array(text.utf8).withUnsafeBufferPointer(scan)
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let count = bytes.count
        var i = 0
        // Eight bytes at a time: a word whose bytes are all printable ASCII (0x20...0x7E) needs
        // nothing, and almost every word of stepguard's output is one. Any other word (a newline,
        // a byte of a multi-byte character) is looked at byte by byte.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= count {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let below20 = (word &- 0x20 &* ones) & ~word
            let del = word ^ (0x7F &* ones)
            if (below20 | ((del &- ones) & ~del) | word) & highs == 0 {
                i += 8
                continue
            }
            for k in i..<(i + 8) where needsEscape(bytes, k) { return true }
            i += 8
        }
        while i < count {
            if needsEscape(bytes, i) { return true }
            i += 1
        }
        return false
    }

    /// Whether the byte at `i` is a control, or starts a C1 control or the marker.
    @inline(__always)
    private static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let byte = bytes[i]
        if byte < 0x20 { return byte != 0x0A && byte != 0x09 }
        if byte < 0x7F { return false }
        if byte == 0x7F { return true }
        // C1 controls are C2 80...C2 9F; the marker U+FDD0 is EF B7 90.
        if byte == 0xC2 { return i + 1 < bytes.count && (0x80...0x9F).contains(bytes[i + 1]) }
        if byte == 0xEF { return i + 2 < bytes.count && bytes[i + 1] == 0xB7 && bytes[i + 2] == 0x90 }
        return false
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 { return v != 0x0A && v != 0x09 }
        return v == 0x7F || (0x80...0x9F).contains(v)
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The index of the `m` ending `marker [ digits-and-semicolons m`, or nil.
    private static func colourSequenceEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start + 1
        guard i < scalars.count, scalars[i] == "[" else { return nil }
        i += 1
        while i < scalars.count {
            let s = scalars[i]
            if s == "m" { return i }
            guard (s >= "0" && s <= "9") || s == ";" else { return nil }
            i += 1
        }
        return nil
    }
}

extension String {
    /// Without white space or line breaks at either end, as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` trims.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !String.isTrimmedWhitespace($0) }),
              let last = scalars.lastIndex(where: { !String.isTrimmedWhitespace($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    /// Whether Foundation's `whitespacesAndNewlines` holds `scalar`: Unicode's White_Space
    /// property and, from the Unicode versions where it was a space separator, U+200B.
    public static func isTrimmedWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.value == 0x200B
    }

    /// Padded with spaces, or cut, to `length` UTF-16 code units, as `NSString`'s
    /// `padding(toLength:withPad:startingAt:)` pads with one space.
    public func padded(toLength length: Int) -> String {
        let units = utf16.count
        if units < length { return self + String(repeating: " ", count: length - units) }
        if units == length { return self }
        return String(decoding: Array(utf16.prefix(length)), as: UTF16.self)
    }
}

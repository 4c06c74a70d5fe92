extension String {
    /// Without white space or line breaks at either end, as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` trims: its set (general category Z,
    /// tab, U+000A–U+000D, U+0085) is exactly Unicode's White_Space property.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
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

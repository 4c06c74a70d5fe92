/// Filling text to a width.
public enum TextWrap {
    /// `text` broken into lines of at most `width` columns (a word longer than that gets a line
    /// of its own), the first line prefixed with `firstIndent` and the others with `indent`.
    public static func wrap(_ text: String, width: Int, indent: String = "", firstIndent: String? = nil) -> [String] {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var lines: [String] = []
        var current = firstIndent ?? indent
        var currentHasWord = false
        for word in words {
            let candidateWidth = DisplayWidth.of(current) + (currentHasWord ? 1 : 0) + DisplayWidth.of(word)
            if currentHasWord && candidateWidth > width {
                lines.append(current)
                current = indent + word
            } else {
                current += (currentHasWord ? " " : "") + word
            }
            currentHasWord = true
        }
        if currentHasWord || lines.isEmpty { lines.append(current) }
        return lines
    }
}

/// The part of a long source line to show in an error excerpt: a minified plan or a generated
/// policy can be one line of megabytes, and echoing it whole buries the message.
public enum ExcerptClip {
    /// The most columns of a line an excerpt shows.
    public static let maxScalars = 120

    /// `line` clipped to at most `maxScalars` Unicode scalars around the 1-based `column`, with
    /// `...` marking what was cut, and the column of the same place within the clipped text.
    /// A line that fits is returned as it is.
    public static func around(_ line: String, column: Int, maxScalars: Int = maxScalars) -> (text: String, column: Int) {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count > maxScalars else { return (line, column) }
        let caret = max(0, min(column - 1, scalars.count))
        let start = max(0, min(caret - maxScalars / 2, scalars.count - maxScalars))
        let end = min(scalars.count, start + maxScalars)
        var text = String(String.UnicodeScalarView(scalars[start..<end]))
        var newColumn = caret - start + 1
        if start > 0 {
            text = "..." + text
            newColumn += 3
        }
        if end < scalars.count { text += "..." }
        return (text, newColumn)
    }
}

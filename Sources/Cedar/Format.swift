// The Cedar policy formatter: the canonical layout of `cedar format`.

/// Formats Cedar policy text the way the reference `cedar format` command does (Cedar 4.x):
/// scopes on one line when they are bare (`permit (principal, action, resource)`), otherwise
/// one constraint per line; each condition on its own line, its body broken into an indented
/// block when it does not fit; operators at line ends; `//` comments kept where they were; one
/// blank line between policies and a final newline.
public enum CedarFormatter {
    /// Formats `source`, a policy file.
    ///
    /// - Parameters:
    ///   - source: Cedar policy text.
    ///   - file: the file name used in error locations.
    ///   - width: the line width to fit within.
    ///   - indent: columns per indentation level (negative counts as 0).
    /// - Returns: the formatted text, ending with a newline.
    /// - Throws: the parser's located error when `source` is not valid Cedar.
    public static func format(source: String, file: String, width: Int = 80, indent: Int = 2) throws(CedarError) -> String {
        try format(bytes: Array(source.utf8), file: file, width: width, indent: indent)
    }

    /// Formats a policy file given as raw bytes, so that text which is not valid UTF-8 is
    /// reported with its location like any other parse error.
    ///
    /// - Parameters:
    ///   - bytes: the file's content.
    ///   - file: the file name used in error locations.
    ///   - width: the line width to fit within.
    ///   - indent: columns per indentation level (negative counts as 0).
    /// - Returns: the formatted text, ending with a newline.
    /// - Throws: the parser's located error when `bytes` is not valid Cedar.
    public static func format(bytes: [UInt8], file: String, width: Int = 80, indent: Int = 2) throws(CedarError) -> String {
        let parsed = try Parser.parse(bytes, file: file)
        let indent = max(0, indent)
        return try withStackFor(parsed.tokens) { () throws(CedarError) -> String in
            var printer = FormatPrinter(file: parsed, indent: indent)
            let layout = FormatLayout(width: width)
            var pieces: [String] = []
            for policy in parsed.policies {
                let doc = printer.policy(policy)
                pieces.append(FormatBlankLines.remove(layout.render(doc)))
            }
            var out = pieces.joined(separator: "\n\n")
            out += "\n"
            for line in printer.trivia.endOfFile {
                out += line
                out += "\n"
            }
            return out
        }
    }
}

/// Renders a help document as the plain text `--help` and `stepguard help` print.
public enum HelpRenderer {
    /// Help pages are filled to this width whatever the terminal, so they match the goldens.
    public static let width = 80

    /// The page, ending in a newline.
    public static func render(_ document: HelpDocument) -> String {
        var lines: [String] = []
        lines.append("\(document.title) - \(document.summary)")
        lines.append("")
        lines.append("Usage:")
        for usage in document.usage {
            lines += TextWrap.wrap(plain(usage), width: width, indent: "      ", firstIndent: "  ")
        }
        for section in document.sections {
            lines.append("")
            switch section.body {
            case .blocks(let blocks):
                lines.append(section.title + ":")
                for (index, block) in blocks.enumerated() {
                    if index > 0 { lines.append("") }
                    switch block {
                    case .paragraph(let text):
                        lines += TextWrap.wrap(text, width: width, indent: "  ")
                    case .preformatted(let body):
                        lines += body.map { ("    " + $0).trimmingTrailingSpaces() }
                    }
                }
            case .definitions(let definitions):
                lines.append(section.title + ":")
                lines += renderDefinitions(definitions)
            case .examples(let examples):
                lines.append(section.title + ":")
                for (index, example) in examples.enumerated() {
                    if index > 0 { lines.append("") }
                    lines.append("  " + example.command)
                    lines += TextWrap.wrap(example.explanation, width: width, indent: "      ")
                }
            case .references(let references):
                lines += TextWrap.wrap(
                    references.joined(separator: ", "), width: width, indent: "  ", firstIndent: section.title + ": ")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Definition lists: terms in a column as wide as the widest short term, explanations
    /// beside them; a term too wide for the column puts its explanation on the next line.
    static func renderDefinitions(_ definitions: [Definition]) -> [String] {
        let terms = definitions.map(termText)
        let column = min(30, (terms.map(DisplayWidth.of).filter { $0 <= 28 }.max() ?? 0) + 4)
        var lines: [String] = []
        for (term, definition) in zip(terms, definitions) {
            let label = "  " + term
            if DisplayWidth.of(label) + 2 <= column {
                let padded = label + String(repeating: " ", count: column - DisplayWidth.of(label))
                lines += TextWrap.wrap(definition.text, width: width, indent: String(repeating: " ", count: column), firstIndent: padded)
            } else {
                lines.append(label)
                lines += TextWrap.wrap(definition.text, width: width, indent: String(repeating: " ", count: column))
            }
        }
        return lines
    }

    /// Long options without a short form are indented to line up with those that have one.
    static func termText(_ definition: Definition) -> String {
        let text = plain(definition.term)
        if case .literal(let first)? = definition.term.first, first.hasPrefix("--") { return "    " + text }
        return text
    }

    static func plain(_ spans: [Span]) -> String { spans.map(\.text).joined() }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}

/// Renders a help document as a man(7) page.
///
/// Only the classic man macros are used (`.TH .SH .PP .TP .RS .RE .nf .fi`) and every
/// non-ASCII character is written as a `\[uXXXX]` escape, so `groff -ww -man` and mandoc render
/// the page without a warning whatever the locale.
public enum ManPageRenderer {
    /// The page source.
    public static func render(_ document: HelpDocument, version: String) -> String {
        var out: [String] = []
        let name = document.manPageName
        out.append(".\\\" Generated from the stepguard command table; do not edit.")
        out.append(".\\\" Regenerate with: swift run stepguard __generate-docs .")
        out.append(".TH \(escape(name.uppercased())) 1 \"\" \"\(escape("stepguard " + version))\" \"stepguard manual\"")
        // No hyphenation and ragged right: option names and paths must stay whole.
        out.append(".nh")
        out.append(".ad l")
        out.append(".SH NAME")
        out.append(escape(name) + " \\- " + escape(document.summary))
        out.append(".SH SYNOPSIS")
        for (index, usage) in document.usage.enumerated() {
            if index > 0 { out.append(".br") }
            out.append(inline(usage))
        }
        for section in document.sections {
            switch section.body {
            case .blocks(let blocks):
                out.append(".SH " + escape(section.title.uppercased()))
                for block in blocks {
                    switch block {
                    case .paragraph(let text):
                        out.append(".PP")
                        out.append(escapeLine(escape(text)))
                    case .preformatted(let lines):
                        out.append(".PP")
                        out.append(".RS 4")
                        out.append(".nf")
                        out += lines.map { escapeLine(escape($0.trimmingTrailingSpaces())) }
                        out.append(".fi")
                        out.append(".RE")
                    }
                }
            case .definitions(let definitions):
                out.append(".SH " + escape(section.title.uppercased()))
                for definition in definitions {
                    out.append(".TP")
                    out.append(escapeLine(inline(definition.term)))
                    out.append(escapeLine(escape(definition.text)))
                }
            case .examples(let examples):
                out.append(".SH " + escape(section.title.uppercased()))
                for example in examples {
                    out.append(".PP")
                    out.append(escapeLine(escape(example.explanation)) + ":")
                    out.append(".RS 4")
                    out.append(".nf")
                    out.append("\\fB" + escape(example.command) + "\\fR")
                    out.append(".fi")
                    out.append(".RE")
                }
            case .references(let references):
                out.append(".SH " + escape(section.title.uppercased()))
                let rendered = references.map { reference -> String in
                    guard let open = reference.lastIndex(of: "(") else { return escape(reference) }
                    return "\\fB" + escape(String(reference[..<open])) + "\\fR" + escape(String(reference[open...]))
                }
                out.append(rendered.joined(separator: ",\n"))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Spans with font changes: literal bold, placeholders italic.
    static func inline(_ spans: [Span]) -> String {
        spans.map { span -> String in
            switch span {
            case .literal(let text): return "\\fB" + escape(text) + "\\fR"
            case .placeholder(let text): return "\\fI" + escape(text) + "\\fR"
            case .plain(let text): return escape(text)
            }
        }.joined()
    }

    /// A text line that must not be read as a request: a leading `.` or `'` is protected.
    static func escapeLine(_ line: String) -> String {
        if line.hasPrefix(".") || line.hasPrefix("'") { return "\\&" + line }
        return line
    }

    /// Backslashes, hyphens (so options survive copy and paste as ASCII) and non-ASCII
    /// characters escaped. Already-escaped font changes from `inline` must not pass through here.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\e"
            case "-": result += "\\-"
            case "\"": result += "\\(dq"
            default:
                if scalar.isASCII {
                    result.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
                }
            }
        }
        return result
    }
}

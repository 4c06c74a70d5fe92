// A small document algebra and the layout algorithm the formatter renders it with.
//
// The algebra is Wadler's (text, line breaks, nesting, groups), in the variant where a soft
// line break is an alternative between a hard break and its flat rendering. The layout
// decisions follow the greedy "best" algorithm with one subtlety that decides many Cedar
// layouts: when a group is measured, the text that follows it counts too, up to the next
// possible line break of the enclosing (already broken) content. Text width is measured in
// UTF-8 bytes, newlines inside a text included, so that string literals spanning lines are
// measured the way the reference formatter measures them.

/// A document to lay out.
indirect enum FormatDoc: Sendable {
    /// Nothing.
    case empty
    /// Literal text, printed as is.
    case text(String)
    /// A line break that is always taken.
    case hardline
    /// `broken` when the enclosing group is broken, `flat` when it fits on the line.
    case alternative(broken: FormatDoc, flat: FormatDoc)
    /// Line breaks inside `doc` indent by `by` more columns.
    case nest(Int, FormatDoc)
    /// Either all of `doc` on one line, or its line breaks taken.
    case group(FormatDoc)
    /// Documents one after the other.
    case concat([FormatDoc])

    /// A break that is a space when flat.
    static let line = FormatDoc.alternative(broken: .hardline, flat: .text(" "))
    /// A break that is nothing when flat.
    static let softline = FormatDoc.alternative(broken: .hardline, flat: .empty)
    /// One space.
    static let space = FormatDoc.text(" ")

    /// `self` followed by `other`.
    func then(_ other: FormatDoc) -> FormatDoc {
        switch (self, other) {
        case (.empty, _): return other
        case (_, .empty): return self
        case (.concat(let a), .concat(let b)): return .concat(a + b)
        case (.concat(let a), _): return .concat(a + [other])
        default: return .concat([self, other])
        }
    }

    /// `self` nested by `by` columns.
    func nested(_ by: Int) -> FormatDoc { .nest(by, self) }

    /// `self` as a group.
    var grouped: FormatDoc { .group(self) }

    /// The documents with `separator` between each pair.
    static func join(_ docs: [FormatDoc], separator: FormatDoc) -> FormatDoc {
        var parts: [FormatDoc] = []
        parts.reserveCapacity(docs.count * 2)
        for (i, d) in docs.enumerated() {
            if i > 0 { parts.append(separator) }
            parts.append(d)
        }
        return .concat(parts)
    }
}

/// Lays documents out within a line width.
struct FormatLayout {
    private struct Command {
        var indent: Int
        var flat: Bool
        var doc: FormatDoc
    }

    let width: Int

    /// Renders `doc`.
    func render(_ doc: FormatDoc) -> String {
        var out = String()
        var pos = 0
        var pending: [Command] = [Command(indent: 0, flat: false, doc: doc)]
        while var cmd = pending.popLast() {
            inner: while true {
                switch cmd.doc {
                case .empty:
                    break inner
                case .text(let s):
                    out += s
                    pos += s.utf8.count
                    break inner
                case .hardline:
                    out += "\n"
                    out += String(repeating: " ", count: max(0, cmd.indent))
                    pos = cmd.indent
                    break inner
                case .alternative(let broken, let flat):
                    cmd.doc = cmd.flat ? flat : broken
                case .nest(let by, let d):
                    cmd.indent += by
                    cmd.doc = d
                case .group(let d):
                    if !cmd.flat && fits(d, at: pos, rest: pending) {
                        cmd.flat = true
                    }
                    cmd.doc = d
                case .concat(let parts):
                    guard let first = parts.first else { break inner }
                    for part in parts.dropFirst().reversed() {
                        pending.append(Command(indent: cmd.indent, flat: cmd.flat, doc: part))
                    }
                    cmd.doc = first
                }
            }
        }
        return out
    }

    /// Whether `doc`, laid out flat from column `pos`, and the text after it up to the next
    /// break of the enclosing content, stay within the width.
    private func fits(_ doc: FormatDoc, at start: Int, rest: [Command]) -> Bool {
        var pos = start
        var stack: [FormatDoc] = [doc]
        var restIndex = rest.count
        var flat = true
        while true {
            var current: FormatDoc
            if let d = stack.popLast() {
                current = d
            } else {
                if restIndex == 0 { return true }
                restIndex -= 1
                flat = false
                current = rest[restIndex].doc
            }
            inner: while true {
                switch current {
                case .empty:
                    break inner
                case .text(let s):
                    pos += s.utf8.count
                    if pos > width { return false }
                    break inner
                case .hardline:
                    // a break inside the measured group means it cannot be flat; one after it
                    // ends the measured line
                    return !flat
                case .alternative(let broken, let flatDoc):
                    current = flat ? flatDoc : broken
                case .nest(_, let d), .group(let d):
                    current = d
                case .concat(let parts):
                    guard let first = parts.first else { break inner }
                    for part in parts.dropFirst().reversed() { stack.append(part) }
                    current = first
                }
            }
        }
    }
}

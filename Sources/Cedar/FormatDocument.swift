// A small document algebra and the layout algorithm the formatter renders it with.
//
// The algebra is Wadler's (text, line breaks, nesting, groups), in the variant where a soft
// line break is an alternative between a hard break and its flat rendering. The layout
// decisions follow the greedy "best" algorithm with one subtlety that decides many Cedar
// layouts: when a group is measured, the text that follows it counts too, up to the next
// possible line break of the enclosing (already broken) content. Text width is measured in
// UTF-8 bytes, newlines inside a text included, so that string literals spanning lines are
// measured the way the reference formatter measures them.

/// A document to lay out. Build sequences with `concat`, which drops empty parts the way
/// the layout expects (an empty part would otherwise decide the indentation after a break).
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
    /// Documents one after the other (never empty, never holding `.empty`).
    case sequence([FormatDoc])

    /// A break that is a space when flat.
    static let line = FormatDoc.alternative(broken: .hardline, flat: .text(" "))
    /// A break that is nothing when flat.
    static let softline = FormatDoc.alternative(broken: .hardline, flat: .empty)
    /// One space.
    static let space = FormatDoc.text(" ")

    /// The documents one after the other.
    static func concat(_ parts: [FormatDoc]) -> FormatDoc {
        var out: [FormatDoc] = []
        out.reserveCapacity(parts.count)
        for p in parts {
            switch p {
            case .empty: continue
            case .sequence(let inner): out.append(contentsOf: inner)
            default: out.append(p)
            }
        }
        switch out.count {
        case 0: return .empty
        case 1: return out[0]
        default: return .sequence(out)
        }
    }

    /// `self` followed by `other`.
    func then(_ other: FormatDoc) -> FormatDoc { .concat([self, other]) }

    /// `self` with its line breaks indented `by` more columns.
    func nested(_ by: Int) -> FormatDoc {
        if case .empty = self { return self }
        return by == 0 ? self : .nest(by, self)
    }

    /// `self` as a group.
    var grouped: FormatDoc {
        switch self {
        case .empty, .text, .group: return self
        default: return .group(self)
        }
    }

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
///
/// A group is laid out flat when its flat form, and what follows it up to the next break of
/// the enclosing content, fits in the remaining width. A taken line break is indented for
/// the document that comes after it, so a break that ends a nested part (the line break
/// after a trailing comment, say) lines the next token up with its own level.
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
                    pos += displayWidth(s)
                    break inner
                case .hardline:
                    if let next = pending.popLast() {
                        out += "\n" + String(repeating: " ", count: max(0, next.indent))
                        pos = next.indent
                        cmd = next
                    } else {
                        out += "\n" + String(repeating: " ", count: max(0, cmd.indent))
                        pos = cmd.indent
                        break inner
                    }
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
                case .sequence(let parts):
                    for part in parts.dropFirst().reversed() {
                        pending.append(Command(indent: cmd.indent, flat: cmd.flat, doc: part))
                    }
                    cmd.doc = parts[0]
                }
            }
        }
        return out
    }

    /// Whether `doc`, laid out flat from column `start`, and the text after it up to the next
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
                    pos += displayWidth(s)
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
                case .sequence(let parts):
                    for part in parts.dropFirst().reversed() { stack.append(part) }
                    current = parts[0]
                }
            }
        }
    }
}

/// Columns `s` takes in a terminal: ASCII one per byte (line breaks included, as the
/// reference layout counts them), East Asian wide characters and emoji two, combining and
/// zero-width characters none.
func displayWidth(_ s: String) -> Int {
    let utf8 = s.utf8
    if utf8.allSatisfy({ $0 < 0x80 }) { return utf8.count }
    var width = 0
    for scalar in s.unicodeScalars {
        width += scalarWidth(scalar)
    }
    return width
}

private func scalarWidth(_ s: Unicode.Scalar) -> Int {
    let v = s.value
    if v < 0x80 { return 1 }
    switch s.properties.generalCategory {
    case .nonspacingMark, .enclosingMark: return 0
    case .format where !(0x0600...0x0605).contains(v) && v != 0x06DD && v != 0x070F && v != 0x08E2 && v != 0x110BD:
        return 0
    default: break
    }
    if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }  // conjoining jamo
    if isWide(v) || s.properties.isEmojiPresentation { return 2 }
    return 1
}

private func isWide(_ v: UInt32) -> Bool {
    switch v {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
         0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
         0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
         0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F200...0x1F2FF,
         0x20000...0x2FFFD, 0x30000...0x3FFFD:
        return true
    default:
        return false
    }
}

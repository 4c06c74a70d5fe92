/// Shell-style wildcards over whole strings: `*` any run of characters (`/` included), `?` one
/// character, `[abc]` / `[a-z]` / `[!abc]` one of a set; `\` escapes the next character. Tool
/// names (`mcp__github__*`), resource ids (`*/.env`) and hosts (`*.example.com`) use them.
struct Glob: Sendable, Equatable {
    let pattern: String
    private let scalars: [Unicode.Scalar]

    init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
    }

    /// Whether `text` matches the whole pattern.
    func matches(_ text: String) -> Bool {
        let subject = Array(text.unicodeScalars)
        // Iterative matching with one backtrack point for the last `*`: linear in practice and
        // never recursive, whatever the pattern.
        var p = 0, s = 0
        var starP = -1, starS = 0
        while s < subject.count {
            if p < scalars.count {
                switch scalars[p] {
                case "*":
                    starP = p
                    starS = s
                    p += 1
                    continue
                case "?":
                    p += 1
                    s += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(at: p, subject[s]) {
                        if matched {
                            p = next
                            s += 1
                            continue
                        }
                    } else if subject[s] == "[" {
                        p += 1
                        s += 1
                        continue
                    }
                case "\\" where p + 1 < scalars.count:
                    if scalars[p + 1] == subject[s] {
                        p += 2
                        s += 1
                        continue
                    }
                default:
                    if scalars[p] == subject[s] {
                        p += 1
                        s += 1
                        continue
                    }
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starS += 1
            s = starS
        }
        while p < scalars.count && scalars[p] == "*" { p += 1 }
        return p == scalars.count
    }

    /// Matches a `[...]` class at `start` against `c`: whether it matched and where the pattern
    /// continues; nil when the bracket is not closed (then it is a literal `[`).
    private func matchClass(at start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < scalars.count && (scalars[i] == "!" || scalars[i] == "^") {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < scalars.count && (scalars[i] != "]" || first) {
            first = false
            let low = scalars[i]
            if i + 2 < scalars.count && scalars[i + 1] == "-" && scalars[i + 2] != "]" {
                if low.value <= c.value && c.value <= scalars[i + 2].value { matched = true }
                i += 3
            } else {
                if low == c { matched = true }
                i += 1
            }
        }
        guard i < scalars.count else { return nil }
        return (matched != negated, i + 1)
    }
}

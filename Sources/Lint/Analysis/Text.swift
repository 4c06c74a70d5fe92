import Basics
import JSONValue

/// Whether `path` matches the glob `pattern`: `*` is any run of characters within one path
/// component, `?` one character, `**` any number of whole components. A pattern without a `/`
/// matches the last component of the path anywhere in the tree.
func globMatches(_ pattern: String, _ path: String) -> Bool {
    let path = normalizePath(path)
    var pattern = pattern
    if pattern.hasPrefix("./") { pattern.removeFirst(2) }
    if pattern.hasSuffix("/") { pattern += "**" }
    if !pattern.contains("/") { pattern = "**/" + pattern }
    let p = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    let s = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    return matchComponents(p, 0, s, 0)
}

private func matchComponents(_ p: [String], _ i: Int, _ s: [String], _ j: Int) -> Bool {
    if i == p.count { return j == s.count }
    if p[i] == "**" {
        // `**` matches zero or more components; a trailing `**` also matches everything below.
        for k in j...s.count where matchComponents(p, i + 1, s, k) { return true }
        return false
    }
    guard j < s.count, matchSegment(Array(p[i].unicodeScalars), Array(s[j].unicodeScalars)) else { return false }
    return matchComponents(p, i + 1, s, j + 1)
}

private func matchSegment(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
    var p = 0, t = 0, star = -1, mark = 0
    while t < text.count {
        if p < pattern.count, pattern[p] == "*" {
            star = p; mark = t; p += 1
        } else if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
            p += 1; t += 1
        } else if star >= 0 {
            p = star + 1; mark += 1; t = mark
        } else {
            return false
        }
    }
    while p < pattern.count, pattern[p] == "*" { p += 1 }
    return p == pattern.count
}

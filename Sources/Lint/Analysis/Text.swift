/// Levenshtein distance over Unicode scalars.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The candidate closest to `word` when it is close enough to be a likely typo: at most a
/// third of the word's length (at least 1, at most 2) edits away, ignoring case. Ties go to
/// the alphabetically first candidate so suggestions are stable.
func closestMatch(_ word: String, in candidates: some Sequence<String>, limit: Int? = nil) -> String? {
    let lowered = word.lowercased()
    let bound = limit ?? min(2, max(1, word.count / 3))
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance <= bound, best == nil || distance < best!.1 || (distance == best!.1 && candidate < best!.0) {
            best = (candidate, distance)
        }
    }
    return best?.0
}

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

/// Parses a duration such as `5m`, `90s`, `1h30m` or `500ms` into milliseconds; nil when the
/// text is not a positive sequence of number-unit pairs (units `d`, `h`, `m`, `s`, `ms`).
func parseDurationMilliseconds(_ text: String) -> Int64? {
    let scalars = Array(text.unicodeScalars)
    guard !scalars.isEmpty else { return nil }
    var index = 0
    var total: Int64 = 0
    var sawPart = false
    while index < scalars.count {
        var number: Int64 = 0
        var digits = 0
        while index < scalars.count, (48...57).contains(scalars[index].value) {
            let d = Int64(scalars[index].value - 48)
            let (m, o1) = number.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            number = a
            digits += 1
            index += 1
        }
        guard digits > 0, index < scalars.count else { return nil }
        let unit: Int64
        if scalars[index] == "m", index + 1 < scalars.count, scalars[index + 1] == "s" {
            unit = 1; index += 2
        } else {
            switch scalars[index] {
            case "d": unit = 86_400_000
            case "h": unit = 3_600_000
            case "m": unit = 60_000
            case "s": unit = 1_000
            default: return nil
            }
            index += 1
        }
        let (part, o1) = number.multipliedReportingOverflow(by: unit)
        let (sum, o2) = total.addingReportingOverflow(part)
        if o1 || o2 { return nil }
        total = sum
        sawPart = true
    }
    return sawPart ? total : nil
}

/// `90000` ms as `1m30s`.
func formatMilliseconds(_ ms: Int64) -> String {
    if ms == 0 { return "0s" }
    var rest = ms
    var out = ""
    for (unit, name) in [(Int64(86_400_000), "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s"), (1, "ms")] where rest >= unit {
        out += "\(rest / unit)\(name)"
        rest %= unit
    }
    return out
}

/// Edit distances between words, and the one rule for a did-you-mean suggestion.
public enum EditDistance {
    /// How to choose between candidates at the same distance.
    public enum TieBreak: Sendable {
        /// The candidate that sorts first (`String` order), so suggestions do not depend on
        /// the order candidates were listed in.
        case alphabetical
        /// The candidate listed first, so the caller's table order decides.
        case firstListed
    }

    /// The edit distance between two sequences: insertions, deletions and substitutions each
    /// cost 1 (Levenshtein). With `transpositions`, swapping two neighbouring elements also costs
    /// 1 (optimal string alignment), so `lnit` is one edit from `lint` rather than two.
    public static func distance<C: Collection>(_ a: C, _ b: C, transpositions: Bool = false) -> Int
    where C.Element: Equatable {
        let s = Array(a), t = Array(b)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var previous2 = [Int](repeating: 0, count: t.count + 1)
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if transpositions, i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    best = min(best, previous2[j - 2] + 1)
                }
                current[j] = best
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[t.count]
    }

    /// The Levenshtein distance between two strings, counted in Unicode scalars and exact
    /// about case.
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        distance(a.unicodeScalars, b.unicodeScalars)
    }

    /// The most edits a suggestion for `word` may be away: a third of its length, at least 1
    /// and at most 3 (`@name` is not a typo of `@mode`; `enviroment` is one of `environment`).
    public static func maxSuggestionEdits(for word: String) -> Int {
        max(1, min(3, word.count / 3))
    }

    /// The did-you-mean suggestion for `word` among `candidates`: the nearest candidate within
    /// `maxSuggestionEdits(for:)`, case ignored and a swap of neighbouring characters counted as
    /// one edit; `word` itself is never suggested. Ties go by `ties`.
    public static func suggestion(for word: String, among candidates: some Sequence<String>, ties: TieBreak = .alphabetical) -> String? {
        guard !word.isEmpty else { return nil }
        let limit = maxSuggestionEdits(for: word)
        let lowered = Array(word.lowercased())
        return closest(among: candidates, ties: ties) { candidate in
            guard candidate != word else { return nil }
            let d = distance(lowered, Array(candidate.lowercased()), transpositions: true)
            return d <= limit ? d : nil
        }
    }

    /// The candidate with the smallest distance, or nil when none qualifies.
    ///
    /// `distance` returns a candidate's distance from the word being corrected, or nil when the
    /// candidate is too far (or otherwise not eligible) to be suggested.
    public static func closest(
        among candidates: some Sequence<String>, ties: TieBreak, distance: (String) -> Int?
    ) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            guard let d = distance(candidate) else { continue }
            if let current = best {
                if d > current.distance { continue }
                if d == current.distance {
                    if ties == .firstListed || candidate >= current.candidate { continue }
                }
            }
            best = (candidate, d)
        }
        return best?.candidate
    }
}

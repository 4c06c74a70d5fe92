import JSONValue

/// Did-you-mean suggestions by edit distance.
public enum Suggestion {
    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbouring characters each cost 1, so `lnit` is one edit from `lint`.
    public static func distance(_ a: String, _ b: String) -> Int {
        EditDistance.distance(Array(a.lowercased()), Array(b.lowercased()), transpositions: true)
    }

    /// The candidate nearest to `word`, when it is close enough to be what was meant: within a
    /// third of the word's length (at least 1, at most 3 edits), or a word the input is a prefix
    /// of. Ties go to the earlier candidate, so table order decides.
    public static func nearest(to word: String, among candidates: [String]) -> String? {
        guard !word.isEmpty else { return nil }
        let limit = max(1, min(3, word.count / 3))
        let best = EditDistance.closest(among: candidates, ties: .firstListed) { candidate in
            guard candidate != word else { return nil }
            let d = distance(word, candidate)
            return d <= limit ? d : nil
        }
        if let best { return best }
        let prefixed = candidates.filter { $0.hasPrefix(word) && word.count >= 2 }
        return prefixed.count == 1 ? prefixed[0] : nil
    }
}

import Basics
import JSONValue

/// Did-you-mean suggestions by edit distance.
public enum Suggestion {
    /// The candidate nearest to `word` (`EditDistance.suggestion`, ties to the earlier
    /// candidate so table order decides), else the one candidate `word` is a prefix of.
    public static func nearest(to word: String, among candidates: [String]) -> String? {
        if let best = EditDistance.suggestion(for: word, among: candidates, ties: .firstListed) { return best }
        let prefixed = candidates.filter { $0.hasPrefix(word) && word.count >= 2 }
        return prefixed.count == 1 ? prefixed[0] : nil
    }
}

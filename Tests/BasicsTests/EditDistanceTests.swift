import Testing
import Basics

struct EditDistanceTests {
    @Test(arguments: [
        ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("same", "same", 0), ("lnit", "lint", 2),
        ("flaw", "lawn", 2), ("Owner", "owner", 1), ("é", "e", 1),
    ])
    func levenshtein(a: String, b: String, expected: Int) {
        #expect(EditDistance.levenshtein(a, b) == expected)
        #expect(EditDistance.levenshtein(b, a) == expected)
        #expect(EditDistance.distance(Array(a.unicodeScalars), Array(b.unicodeScalars)) == expected)
    }

    @Test(arguments: [("lnit", "lint", 1), ("formt", "format", 1), ("kitten", "sitting", 3), ("ab", "ba", 1), ("abc", "ca", 3)])
    func withTranspositions(a: String, b: String, expected: Int) {
        #expect(EditDistance.distance(Array(a), Array(b), transpositions: true) == expected)
        #expect(EditDistance.distance(Array(b), Array(a), transpositions: true) == expected)
    }

    @Test func closestRespectsTheCallersLimit() {
        let within1: (String) -> Int? = { let d = EditDistance.levenshtein("ownr", $0); return d <= 1 ? d : nil }
        #expect(EditDistance.closest(among: ["owner", "reason"], ties: .alphabetical, distance: within1) == "owner")
        #expect(EditDistance.closest(among: ["banana"], ties: .alphabetical, distance: within1) == nil)
        #expect(EditDistance.closest(among: [], ties: .alphabetical, distance: within1) == nil)
    }

    @Test func tiesGoAlphabeticallyOrByListing() {
        let any: (String) -> Int? = { EditDistance.levenshtein("cat", $0) }
        // "bat" and "cab" are both one edit away; "cut" too.
        #expect(EditDistance.closest(among: ["cut", "cab", "bat"], ties: .alphabetical, distance: any) == "bat")
        #expect(EditDistance.closest(among: ["cut", "cab", "bat"], ties: .firstListed, distance: any) == "cut")
        // A strictly closer candidate wins regardless of order.
        #expect(EditDistance.closest(among: ["bat", "cat"], ties: .firstListed, distance: any) == "cat")
    }

    /// The one did-you-mean rule every module uses.
    @Test(arguments: [
        ("lnit", ["lint", "fmt"], "lint"),             // a swap is one edit
        ("Owner", ["owner", "reason"], "owner"),       // case is ignored
        ("enviroment", ["environment"], "environment"),
        ("name", ["mode"], nil),                      // too far for a short word
        ("x", ["y"], "y"),                            // at least one edit
        ("lint", ["lint"], nil),                      // never the word itself
        ("", ["a"], nil),
    ] as [(String, [String], String?)])
    func suggestion(word: String, candidates: [String], expected: String?) {
        #expect(EditDistance.suggestion(for: word, among: candidates) == expected)
    }

    @Test func suggestionLimitGrowsWithTheWordUpToThree() {
        #expect([1, 3, 6, 9, 12, 30].map { EditDistance.maxSuggestionEdits(for: String(repeating: "a", count: $0)) } == [1, 1, 2, 3, 3, 3])
    }
}

import Testing
import ProcessSupport
@testable import Workflow

@Suite struct DiffTests {
    @Test func equalTextsGiveNoDiff() {
        #expect(UnifiedDiff.diff(old: "a\nb\n", new: "a\nb\n", name: "plan.json") == "")
    }

    @Test func oneChangeWithContext() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        #expect(UnifiedDiff.diff(old: old, new: new, name: "plan.json") == """
        --- a/plan.json
        +++ b/plan.json
        @@ -2,7 +2,7 @@
         line 2
         line 3
         line 4
        -line 5
        +line five
         line 6
         line 7
         line 8

        """)
    }

    @Test func separateHunksAndEdges() {
        let old = (1...20).map(String.init).joined(separator: "\n") + "\n"
        var lines = (1...20).map(String.init)
        lines.remove(at: 0)
        lines.append("21")
        let diff = UnifiedDiff.diff(old: old, new: lines.joined(separator: "\n") + "\n", name: "p")
        #expect(diff == "--- a/p\n+++ b/p\n@@ -1,4 +1,3 @@\n-1\n 2\n 3\n 4\n@@ -18,3 +17,4 @@\n 18\n 19\n 20\n+21\n")
        #expect(UnifiedDiff.diff(old: "", new: "x\n", name: "p") == "--- a/p\n+++ b/p\n@@ -0,0 +1 @@\n+x\n")
    }

    /// Applying the edit script must give back the new text, and it must be minimal for
    /// inputs where the minimum is known.
    @Test(arguments: 0..<200)
    func editScriptsReproduceTheTarget(_ seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let a = (0..<Int(rng.next() % 30)).map { _ in String(rng.next() % 5) }
        let b = (0..<Int(rng.next() % 30)).map { _ in String(rng.next() % 5) }
        let edits = UnifiedDiff.edits(a, b)
        var rebuiltOld: [String] = [], rebuiltNew: [String] = []
        var changes = 0
        for edit in edits {
            switch edit {
            case .equal(let l): rebuiltOld.append(l); rebuiltNew.append(l)
            case .delete(let l): rebuiltOld.append(l); changes += 1
            case .insert(let l): rebuiltNew.append(l); changes += 1
            }
        }
        #expect(rebuiltOld == a)
        #expect(rebuiltNew == b)
        #expect(changes == a.count + b.count - 2 * lcsLength(a, b))
    }

    func lcsLength(_ a: [String], _ b: [String]) -> Int {
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }
}

@Suite struct LargeDiffTests {
    /// Large inputs take the anchored path; the script must still turn old into new exactly.
    @Test(arguments: 0..<4)
    func anchoredScriptsReproduceTheTarget(_ seed: Int) {
        var rng = SplitMix(seed: UInt64(seed) + 1000)
        let old = (0..<6_000).map { i in i % 3 == 0 ? "{" : "line \(i)" }
        var new: [String] = []
        for line in old {
            switch rng.next() % 20 {
            case 0: continue
            case 1: new.append(line); new.append("added \(rng.next() % 50)")
            case 2: new.append("changed \(rng.next() % 50)")
            default: new.append(line)
            }
        }
        var rebuiltOld: [String] = [], rebuiltNew: [String] = []
        for edit in UnifiedDiff.edits(old, new) {
            switch edit {
            case .equal(let l): rebuiltOld.append(l); rebuiltNew.append(l)
            case .delete(let l): rebuiltOld.append(l)
            case .insert(let l): rebuiltNew.append(l)
            }
        }
        #expect(rebuiltOld == old)
        #expect(rebuiltNew == new)
    }
}

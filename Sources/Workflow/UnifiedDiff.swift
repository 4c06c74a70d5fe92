/// Line-based unified diff (the format `diff -u` and `git diff` print). Small inputs get a
/// minimal edit script (Myers' linear-space O(ND) algorithm); large ones are first cut at
/// lines that occur exactly once on both sides and keep their relative order (patience
/// anchoring, as `git diff --patience`), and each gap between anchors is diffed on its own,
/// so that a 10,000-step plan with thousands of rewrites stays fast.
public enum UnifiedDiff {
    /// One line of an edit script.
    public enum Edit: Equatable, Sendable {
        case equal(String)
        case delete(String)
        case insert(String)
    }

    /// The shortest edit script turning `old` into `new`.
    public static func edits(_ old: [String], _ new: [String]) -> [Edit] {
        var ids: [String: Int] = [:]
        let a = old.map { line -> Int in
            if let id = ids[line] { return id }
            ids[line] = ids.count
            return ids.count - 1
        }
        let b = new.map { line -> Int in
            if let id = ids[line] { return id }
            ids[line] = ids.count
            return ids.count - 1
        }
        var differ = Differ(a: a, b: b)
        differ.run(0, a.count, 0, b.count)
        var edits: [Edit] = []
        var i = 0, j = 0
        // The differ marks changed lines; walking both sides in step turns marks into edits.
        while i < a.count || j < b.count {
            if i < a.count, differ.deleted[i] {
                edits.append(.delete(old[i])); i += 1
            } else if j < b.count, differ.inserted[j] {
                edits.append(.insert(new[j])); j += 1
            } else {
                edits.append(.equal(old[i])); i += 1; j += 1
            }
        }
        return edits
    }

    /// Splits text into lines (a final newline does not start an empty line).
    public static func lines(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }

    /// The unified diff of two texts, empty when they are equal. Headers are `--- a/NAME` and
    /// `+++ b/NAME`; hunks carry `context` lines of context around changes.
    public static func diff(old: String, new: String, name: String, context: Int = 3) -> String {
        let oldLines = lines(old), newLines = lines(new)
        let script = edits(oldLines, newLines)
        guard script.contains(where: { if case .equal = $0 { return false } else { return true } }) else { return "" }
        var output = "--- a/\(name)\n+++ b/\(name)\n"
        // Positions (in the script) of changed lines, grouped into hunks.
        let changed = script.indices.filter { if case .equal = script[$0] { return false } else { return true } }
        var groups: [(Int, Int)] = []
        for index in changed {
            if let last = groups.last, index - last.1 <= 2 * context + 1 {
                groups[groups.count - 1].1 = index
            } else {
                groups.append((index, index))
            }
        }
        // Line numbers before each script position.
        var oldBefore = [Int](repeating: 0, count: script.count + 1)
        var newBefore = [Int](repeating: 0, count: script.count + 1)
        for (index, edit) in script.enumerated() {
            oldBefore[index + 1] = oldBefore[index] + (edit.isInsert ? 0 : 1)
            newBefore[index + 1] = newBefore[index] + (edit.isDelete ? 0 : 1)
        }
        for (first, last) in groups {
            let start = max(0, first - context)
            let end = min(script.count - 1, last + context)
            let oldCount = oldBefore[end + 1] - oldBefore[start]
            let newCount = newBefore[end + 1] - newBefore[start]
            // An empty range is addressed by the line before it, as diff -u does.
            let oldStart = oldCount == 0 ? oldBefore[start] : oldBefore[start] + 1
            let newStart = newCount == 0 ? newBefore[start] : newBefore[start] + 1
            output += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for edit in script[start...end] {
                switch edit {
                case .equal(let line): output += " \(line)\n"
                case .delete(let line): output += "-\(line)\n"
                case .insert(let line): output += "+\(line)\n"
                }
            }
        }
        return output
    }

    static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }
}

extension UnifiedDiff.Edit {
    var isInsert: Bool { if case .insert = self { return true } else { return false } }
    var isDelete: Bool { if case .delete = self { return true } else { return false } }
}

/// Myers' divide-and-conquer diff: finds the middle snake, recurses on both halves.
private struct Differ {
    let a: [Int]
    let b: [Int]
    var deleted: [Bool]
    var inserted: [Bool]
    var forward: [Int]
    var backward: [Int]

    init(a: [Int], b: [Int]) {
        self.a = a
        self.b = b
        deleted = Array(repeating: false, count: a.count)
        inserted = Array(repeating: false, count: b.count)
        let size = 2 * (a.count + b.count) + 3
        forward = Array(repeating: 0, count: size)
        backward = Array(repeating: 0, count: size)
    }

    /// Above this many lines (both sides together) a range is anchored before it is searched.
    static let anchorThreshold = 4_000

    mutating func run(_ aStart: Int, _ aEnd: Int, _ bStart: Int, _ bEnd: Int) {
        var aStart = aStart, aEnd = aEnd, bStart = bStart, bEnd = bEnd
        // Common prefix and suffix need no search.
        while aStart < aEnd, bStart < bEnd, a[aStart] == b[bStart] { aStart += 1; bStart += 1 }
        while aStart < aEnd, bStart < bEnd, a[aEnd - 1] == b[bEnd - 1] { aEnd -= 1; bEnd -= 1 }
        if (aEnd - aStart) + (bEnd - bStart) > Self.anchorThreshold {
            let anchors = uniqueAnchors(aStart, aEnd, bStart, bEnd)
            if !anchors.isEmpty {
                var x = aStart, y = bStart
                for (i, j) in anchors {
                    run(x, i, y, j)
                    x = i + 1
                    y = j + 1
                }
                run(x, aEnd, y, bEnd)
                return
            }
        }
        if aStart == aEnd {
            for j in bStart..<bEnd { inserted[j] = true }
            return
        }
        if bStart == bEnd {
            for i in aStart..<aEnd { deleted[i] = true }
            return
        }
        let (x, y) = middleSnake(aStart, aEnd, bStart, bEnd)
        run(aStart, x, bStart, y)
        run(x, aEnd, y, bEnd)
    }

    /// Lines that occur exactly once in each range, as (index in a, index in b), reduced to the
    /// longest chain increasing on both sides (patience sorting, O(n log n)).
    func uniqueAnchors(_ aStart: Int, _ aEnd: Int, _ bStart: Int, _ bEnd: Int) -> [(Int, Int)] {
        var countA: [Int: Int] = [:], countB: [Int: Int] = [:], positionB: [Int: Int] = [:]
        for i in aStart..<aEnd { countA[a[i], default: 0] += 1 }
        for j in bStart..<bEnd {
            countB[b[j], default: 0] += 1
            positionB[b[j]] = j
        }
        var pairs: [(Int, Int)] = []
        for i in aStart..<aEnd where countA[a[i]] == 1 && countB[a[i]] == 1 { pairs.append((i, positionB[a[i]]!)) }
        guard !pairs.isEmpty else { return [] }
        // Longest increasing subsequence of the b positions, pairs already ordered by a.
        var tails: [Int] = []          // index into pairs of the smallest tail of each length
        var previous = Array(repeating: -1, count: pairs.count)
        for (k, pair) in pairs.enumerated() {
            var low = 0, high = tails.count
            while low < high {
                let mid = (low + high) / 2
                if pairs[tails[mid]].1 < pair.1 { low = mid + 1 } else { high = mid }
            }
            if low > 0 { previous[k] = tails[low - 1] }
            if low == tails.count { tails.append(k) } else { tails[low] = k }
        }
        var chain: [(Int, Int)] = []
        var k = tails.last!
        while k >= 0 {
            chain.append(pairs[k])
            k = previous[k]
        }
        return chain.reversed()
    }

    /// A point on an optimal path that splits the problem in two smaller ones.
    mutating func middleSnake(_ aStart: Int, _ aEnd: Int, _ bStart: Int, _ bEnd: Int) -> (Int, Int) {
        let n = aEnd - aStart, m = bEnd - bStart
        let delta = n - m
        let odd = delta & 1 != 0
        let offset = n + m + 1
        let maxD = (n + m + 1) / 2
        forward[offset + 1] = 0
        backward[offset + 1] = 0
        for d in 0...maxD {
            var k = -d
            while k <= d {
                var x: Int
                if k == -d || (k != d && forward[offset + k - 1] < forward[offset + k + 1]) {
                    x = forward[offset + k + 1]
                } else {
                    x = forward[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[aStart + x] == b[bStart + y] { x += 1; y += 1 }
                forward[offset + k] = x
                if odd, k - delta >= -(d - 1), k - delta <= d - 1, x + backward[offset + (delta - k)] >= n {
                    return (aStart + x, bStart + y)
                }
                k += 2
            }
            k = -d
            while k <= d {
                var x: Int
                if k == -d || (k != d && backward[offset + k - 1] < backward[offset + k + 1]) {
                    x = backward[offset + k + 1]
                } else {
                    x = backward[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[aEnd - 1 - x] == b[bEnd - 1 - y] { x += 1; y += 1 }
                backward[offset + k] = x
                if !odd, delta - k >= -d, delta - k <= d, x + forward[offset + (delta - k)] >= n {
                    return (aEnd - x, bEnd - y)
                }
                k += 2
            }
        }
        // Unreachable for non-empty inputs: the two searches always meet by maxD.
        return (aStart + n / 2, bStart + min(m, n / 2))
    }
}

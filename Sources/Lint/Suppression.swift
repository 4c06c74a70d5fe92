import Basics
import Cedar

/// An inline suppression: `// stepguard:ignore SG201 -- reason` (several ids may be listed,
/// separated by commas or spaces). Written directly before a policy it covers the whole policy;
/// at the end of a line it covers that line; on a line of its own elsewhere it covers the next line.
struct Suppression: Sendable {
    /// The rule ids it silences.
    var rules: Set<String>
    /// Why (required).
    var reason: String
    /// The lines it covers.
    var lines: ClosedRange<Int>

    func covers(_ finding: Finding) -> Bool {
        rules.contains(finding.ruleID) && lines.contains(finding.range.startLine)
    }

    static let marker = "stepguard:ignore"

    /// The valid suppressions of a file, and a finding for every malformed one.
    static func scan(_ file: PolicyFile) -> ([Suppression], [RuleHit]) {
        var policyByStart: [Int: Policy] = [:]
        for policy in file.policies { policyByStart[policy.span.start.offset] = policy }
        var found: [Suppression] = []
        var problems: [RuleHit] = []
        for (index, token) in file.tokens.enumerated() {
            for comment in token.leadingComments {
                var body = Substring(comment.text)
                if body.hasPrefix("//") { body = body.dropFirst(2) }
                body = body.drop(while: { $0 == " " || $0 == "\t" })
                guard body.hasPrefix(marker) else { continue }
                body = body.dropFirst(marker.count)
                let range = sourceRange(comment.span)
                let parts = body.split(separator: "--", maxSplits: 1, omittingEmptySubsequences: false)
                let idText = parts.first.map(String.init) ?? ""
                let reason = parts.count > 1 ? parts[1].trimmingCharacters(in: " \t") : ""
                let ids = idText.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map { String($0).uppercased() }
                if ids.isEmpty {
                    problems.append(RuleHit(
                        file: file.file, range: range, message: "suppression names no rule",
                        hint: "write `// stepguard:ignore SG201 -- why this is acceptable`"))
                    continue
                }
                if let unknown = ids.first(where: { LintRules.rule($0) == nil }) {
                    let hint = EditDistance.suggestion(for: unknown, among: LintRules.ids).map { "did you mean \"\($0)\"?" }
                    problems.append(RuleHit(file: file.file, range: range, message: "suppression names unknown rule \"\(unknown)\"", hint: hint))
                    continue
                }
                if reason.isEmpty {
                    problems.append(RuleHit(
                        file: file.file, range: range,
                        message: "suppression of \(ids.joined(separator: ", ")) gives no reason, so it does not apply",
                        hint: "add the reason after `--`: `// stepguard:ignore \(ids.joined(separator: ", ")) -- why this is acceptable`"))
                    continue
                }
                let line = comment.span.start.line
                let lines: ClosedRange<Int>
                if index > 0, file.tokens[index - 1].span.end.line == line {
                    lines = line...line
                } else if let policy = policyByStart[token.span.start.offset] {
                    lines = min(line, policy.span.start.line)...max(line, policy.span.end.line)
                } else {
                    lines = line...max(line, token.span.start.line)
                }
                found.append(Suppression(rules: Set(ids), reason: reason, lines: lines))
            }
        }
        return (found, problems)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

import Cedar

extension RuleHit {
    init(_ policy: LintPolicy, _ range: SourceRange, _ message: String, hint: String? = nil) {
        self.init(file: policy.file, range: range, message: message, hint: hint)
    }
}

/// The governance annotation keys stepguard reads (DESIGN §2).
let governanceAnnotationKeys = ["id", "owner", "reason", "control", "mutate", "approve", "mode", "max_ttl", "release"]

/// The hard cap on credential lifetime: no `@max_ttl` may exceed it.
let hardMaxTTLMilliseconds: Int64 = 3_600_000

/// The range of an annotation, or of the policy's effect keyword when it has none.
func annotationRange(_ policy: LintPolicy, _ key: String) -> SourceRange {
    policy.annotation(key).map { sourceRange($0.span) } ?? policy.headRange
}

/// A short Cedar rendering of an action scope for messages.
func describeActions(_ actions: [String]) -> String {
    actions.map { "\"\($0)\"" }.joined(separator: ", ")
}

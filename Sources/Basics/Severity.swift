/// How serious a finding is. Ordered: `info` < `warning` < `error`. One scale for every finding
/// stepguard reports — lint rules, plan findings, validation, located messages — so that every
/// renderer maps it the same way.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    case info
    case warning
    case error

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// The SARIF `level` for this severity (`error`, `warning`, `note`).
    public var sarifLevel: String {
        switch self {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    /// The GitHub workflow command for this severity (`error`, `warning`, `notice`).
    public var githubCommand: String {
        switch self {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "notice"
        }
    }
}

import Basics

/// The framework controls `@control` may name: OWASP Top 10 for Agentic Applications
/// (`ASI01`–`ASI10`), OWASP Non-Human Identities Top 10 (`NHI1`–`NHI10`), OWASP Top 10 for
/// LLM Applications (`LLM01`–`LLM10`) and NIST CSF 2.0
/// (`PR.AA`, `PR.AA-05`).
public enum ControlCatalog {
    /// A framework a control belongs to.
    public enum Framework: String, Sendable, CaseIterable {
        case owaspAgentic = "OWASP Top 10 for Agentic Applications"
        case owaspNHI = "OWASP Non-Human Identities Top 10"
        case owaspLLM = "OWASP Top 10 for LLM Applications"
        case nistCSF = "NIST Cybersecurity Framework 2.0"
    }

    /// OWASP Top 10 for Agentic Applications.
    public static let agentic: [(id: String, title: String)] = [
        ("ASI01", "Agent Goal Hijack"),
        ("ASI02", "Tool Misuse and Exploitation"),
        ("ASI03", "Identity and Privilege Abuse"),
        ("ASI04", "Agentic Supply Chain Vulnerabilities"),
        ("ASI05", "Unexpected Code Execution"),
        ("ASI06", "Memory and Context Poisoning"),
        ("ASI07", "Insecure Inter-Agent Communication"),
        ("ASI08", "Cascading Failures"),
        ("ASI09", "Human-Agent Trust Exploitation"),
        ("ASI10", "Rogue Agents"),
    ]

    /// OWASP Non-Human Identities Top 10.
    public static let nhi: [(id: String, title: String)] = [
        ("NHI1", "Improper Offboarding"),
        ("NHI2", "Secret Leakage"),
        ("NHI3", "Vulnerable Third-Party NHI"),
        ("NHI4", "Insecure Authentication"),
        ("NHI5", "Overprivileged NHI"),
        ("NHI6", "Insecure Cloud Deployment Configurations"),
        ("NHI7", "Long-Lived Secrets"),
        ("NHI8", "Environment Isolation"),
        ("NHI9", "NHI Reuse"),
        ("NHI10", "Human Use of NHI"),
    ]

    /// OWASP Top 10 for LLM Applications (2025).
    public static let llm: [(id: String, title: String)] = [
        ("LLM01", "Prompt Injection"),
        ("LLM02", "Sensitive Information Disclosure"),
        ("LLM03", "Supply Chain"),
        ("LLM04", "Data and Model Poisoning"),
        ("LLM05", "Improper Output Handling"),
        ("LLM06", "Excessive Agency"),
        ("LLM07", "System Prompt Leakage"),
        ("LLM08", "Vector and Embedding Weaknesses"),
        ("LLM09", "Misinformation"),
        ("LLM10", "Unbounded Consumption"),
    ]

    /// NIST CSF 2.0 categories (subcategories are written `CAT-NN`).
    public static let csfCategories: [(id: String, title: String)] = [
        ("GV.OC", "Organizational Context"),
        ("GV.RM", "Risk Management Strategy"),
        ("GV.RR", "Roles, Responsibilities, and Authorities"),
        ("GV.PO", "Policy"),
        ("GV.OV", "Oversight"),
        ("GV.SC", "Cybersecurity Supply Chain Risk Management"),
        ("ID.AM", "Asset Management"),
        ("ID.RA", "Risk Assessment"),
        ("ID.IM", "Improvement"),
        ("PR.AA", "Identity Management, Authentication, and Access Control"),
        ("PR.AT", "Awareness and Training"),
        ("PR.DS", "Data Security"),
        ("PR.PS", "Platform Security"),
        ("PR.IR", "Technology Infrastructure Resilience"),
        ("DE.CM", "Continuous Monitoring"),
        ("DE.AE", "Adverse Event Analysis"),
        ("RS.MA", "Incident Management"),
        ("RS.AN", "Incident Analysis"),
        ("RS.CO", "Incident Response Reporting and Communication"),
        ("RS.MI", "Incident Mitigation"),
        ("RC.RP", "Incident Recovery Plan Execution"),
        ("RC.CO", "Incident Recovery Communication"),
    ]

    /// The framework and title of a control id, nil when it is not one.
    public static func lookup(_ id: String) -> (framework: Framework, title: String)? {
        if let entry = agentic.first(where: { $0.id == id }) { return (.owaspAgentic, entry.title) }
        if let entry = nhi.first(where: { $0.id == id }) { return (.owaspNHI, entry.title) }
        if let entry = llm.first(where: { $0.id == id }) { return (.owaspLLM, entry.title) }
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let category = csfCategories.first(where: { $0.id == parts[0] }) else { return nil }
        if parts.count == 2 {
            let number = parts[1]
            guard number.count == 2, number.allSatisfy(\.isASCIIDigit), number != "00" else { return nil }
        }
        return (.nistCSF, category.title)
    }

    /// The control ids written in a `@control` value (comma or semicolon separated; an entry
    /// may contain spaces, as other frameworks' ids do: `PCI DSS 7.2`).
    public static func split(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: " \t\n") }.filter { !$0.isEmpty }
    }

    /// Whether an id is written in the form of one of the known frameworks (`ASI…`, `NHI…`,
    /// `LLM…`, `XX.YY…`): only those are checked; ids of other frameworks pass through.
    public static func claimsKnownFramework(_ id: String) -> Bool {
        let upper = id.uppercased()
        if upper.contains(" ") { return false }
        for prefix in ["ASI", "NHI", "LLM"] where upper.hasPrefix(prefix) {
            return upper.dropFirst(prefix.count).allSatisfy(\.isASCIIDigit)
        }
        let function = upper.prefix(3)
        return ["GV.", "ID.", "PR.", "DE.", "RS.", "RC."].contains(String(function))
    }

    /// A likely intended control id for a malformed one (`asi1` is `ASI01`).
    static func suggestion(for id: String) -> String? {
        let upper = id.uppercased()
        if lookup(upper) != nil { return upper }
        for (prefix, width) in [("ASI", 2), ("NHI", 0), ("LLM", 2)] where upper.hasPrefix(prefix) {
            let digits = upper.dropFirst(prefix.count)
            if let n = Int(digits), n >= 1, n <= 10 {
                let text = width == 2 ? (n < 10 ? "0\(n)" : "\(n)") : "\(n)"
                return prefix + text
            }
        }
        let parts = upper.split(separator: "-")
        if parts.count == 2, let n = Int(parts[1]), n >= 1, n <= 99 {
            let candidate = "\(parts[0])-\(n < 10 ? "0\(n)" : "\(n)")"
            if lookup(candidate) != nil { return candidate }
        }
        let all = agentic.map(\.id) + nhi.map(\.id) + llm.map(\.id) + csfCategories.map(\.id)
        return EditDistance.suggestion(for: upper, among: all)
    }

    /// Sort key: agentic, then NHI, then CSF; numerically within each.
    static func sortKey(_ id: String) -> (Int, String, Int) {
        if id.hasPrefix("ASI") { return (0, "", Int(id.dropFirst(3)) ?? 0) }
        if id.hasPrefix("NHI") { return (1, "", Int(id.dropFirst(3)) ?? 0) }
        if id.hasPrefix("LLM") { return (2, "", Int(id.dropFirst(3)) ?? 0) }
        return (3, id, 0)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

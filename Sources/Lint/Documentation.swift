import Basics
import Cedar

/// Generates `docs/rules.md` and the `--explain` text from the rules themselves, so the
/// documentation and the examples the tests run are one and the same.
public enum RulesDocumentation {
    /// How to regenerate the committed file.
    public static let regenerateCommand = "STEPGUARD_REGENERATE_DOCS=1 swift test --filter LintTests"

    /// The whole reference.
    public static func markdown() -> String {
        var out = """
            # stepguard lint rules

            <!-- Generated from Sources/Lint/Rules; do not edit. Regenerate with: \(regenerateCommand) -->

            `stepguard lint` reports findings under stable rule ids: `SG1xx` correctness, `SG2xx` \
            governance, `SG3xx` style. `stepguard lint --explain SG201` prints a rule's section \
            below. Configure rules in `.stepguard.json` (see docs/lint.md).

            | id | name | default | summary |
            |---|---|---|---|

            """
        for rule in LintRules.all {
            let severity = rule.enabledByDefault ? rule.defaultSeverity.rawValue : "off (\(rule.defaultSeverity.rawValue))"
            out += "| [\(rule.id)](#\(rule.anchor)) | \(rule.name) | \(severity) | \(rule.summary.replacing("|", with: "\\|")) |\n"
        }
        for category in RuleCategory.allCases {
            let rules = LintRules.all.filter { $0.category == category }
            guard !rules.isEmpty else { continue }
            let range: String
            switch category {
            case .correctness: range = "SG1xx"
            case .governance: range = "SG2xx"
            case .style: range = "SG3xx"
            }
            out += "\n## \(category.rawValue.capitalized) (\(range))\n"
            for rule in rules { out += "\n<a id=\"\(rule.anchor)\"></a>\n\n" + section(rule, headingLevel: 3) }
        }
        return out
    }

    /// The text `stepguard lint --explain ID` prints.
    public static func explain(_ id: String) throws(LintError) -> String {
        section(try rule(id), headingLevel: 1)
    }

    /// The rule `--explain ID` describes (ids are not case-sensitive); an unknown id is an
    /// error with the nearest id.
    public static func rule(_ id: String) throws(LintError) -> LintRule {
        guard let rule = LintRules.rule(id) else {
            throw .unknownRule(id, suggestion: EditDistance.suggestion(for: id, among: LintRules.ids))
        }
        return rule
    }

    static func section(_ rule: LintRule, headingLevel: Int) -> String {
        let hashes = String(repeating: "#", count: headingLevel)
        let enabled = rule.enabledByDefault ? "on by default" : "off by default"
        var out = "\(hashes) \(rule.id) \(rule.name)\n\n"
        out += "Severity: \(rule.defaultSeverity.rawValue) · Category: \(rule.category.rawValue) · \(enabled)\n\n"
        out += rule.summary + "\n\n" + rule.rationale + "\n"
        for example in rule.examples {
            out += "\n\(hashes)# \(example.triggers ? "Reported" : "Not reported"): \(example.title)\n"
            for file in example.files {
                out += "\n`\(file.name)`:\n\n```\(file.language)\n\(file.text)\n```\n"
            }
        }
        return out
    }
}

/// Generates `docs/controls.md`: every framework control and the policies that implement it.
public enum ControlsDocumentation {
    /// One policy's mapping.
    public struct Entry: Sendable, Equatable {
        /// The policy id.
        public var policy: String
        /// The file, as given.
        public var file: String
        /// The `@reason`.
        public var reason: String
        /// The control ids of its `@control`.
        public var controls: [String]
    }

    /// The mapping entries of the policies in `files` (path and text), in file then source order.
    public static func entries(files: [(path: String, text: String)]) throws(LintError) -> [Entry] {
        var out: [Entry] = []
        for (path, text) in files.sorted(by: { $0.path < $1.path }) {
            let parsed: PolicyFile
            do { parsed = try Parser.parse(text, file: path) } catch { throw .invalidOption("\(error)") }
            for policy in parsed.policies {
                out.append(Entry(
                    policy: policy.annotation("id") ?? policy.id, file: path, reason: policy.annotation("reason") ?? "",
                    controls: ControlCatalog.split(policy.annotation("control") ?? "")))
            }
        }
        return out
    }

    /// The document for `entries`; `title` names the policy pack.
    public static func markdown(entries: [Entry], title: String = "policies/baseline") -> String {
        var byControl: [String: [Entry]] = [:]
        for entry in entries { for control in entry.controls { byControl[control, default: []].append(entry) } }
        func policies(_ ids: [String]) -> String {
            let matched = ids.flatMap { byControl[$0] ?? [] }
            var seen = Set<String>()
            let names = matched.filter { seen.insert($0.policy).inserted }.map { "`\($0.policy)`" }
            return names.isEmpty ? "— (not covered)" : names.joined(separator: ", ")
        }
        var out = """
            # Control mapping of \(title)

            <!-- Generated from the @control annotations of \(title); do not edit. Regenerate with: \(RulesDocumentation.regenerateCommand) -->

            Every policy of the pack names the controls it implements in `@control`. Controls \
            without a policy are listed too, so gaps are visible.

            ## \(ControlCatalog.Framework.owaspAgentic.rawValue)

            | control | title | policies |
            |---|---|---|

            """
        for (id, title) in ControlCatalog.agentic { out += "| \(id) | \(title) | \(policies([id])) |\n" }
        out += "\n## \(ControlCatalog.Framework.owaspNHI.rawValue)\n\n| control | title | policies |\n|---|---|---|\n"
        for (id, title) in ControlCatalog.nhi { out += "| \(id) | \(title) | \(policies([id])) |\n" }
        out += "\n## \(ControlCatalog.Framework.owaspLLM.rawValue)\n\n| control | title | policies |\n|---|---|---|\n"
        for (id, title) in ControlCatalog.llm { out += "| \(id) | \(title) | \(policies([id])) |\n" }
        out += "\n## \(ControlCatalog.Framework.nistCSF.rawValue)\n\n| control | category | policies |\n|---|---|---|\n"
        for (category, title) in ControlCatalog.csfCategories {
            let subcategories = byControl.keys.filter { $0.hasPrefix(category + "-") }.sorted()
            let direct = byControl[category] != nil
            if !direct && subcategories.isEmpty { continue }
            if direct { out += "| \(category) | \(title) | \(policies([category])) |\n" }
            for sub in subcategories { out += "| \(sub) | \(title) | \(policies([sub])) |\n" }
        }
        let uncovered = ControlCatalog.csfCategories.filter { c in byControl.keys.allSatisfy { $0 != c.id && !$0.hasPrefix(c.id + "-") } }
        out += "\nNIST CSF 2.0 categories not covered: " + uncovered.map(\.id).joined(separator: ", ") + ".\n"
        let other = byControl.keys.filter { ControlCatalog.lookup($0) == nil }.sorted()
        if !other.isEmpty {
            out += "\n## Other controls\n\n| control | policies |\n|---|---|\n"
            for id in other { out += "| \(id) | \(policies([id])) |\n" }
        }
        out += "\n## Policies\n\n| policy | file | controls | reason |\n|---|---|---|---|\n"
        for entry in entries {
            out += "| `\(entry.policy)` | \(entry.file) | \(entry.controls.joined(separator: ", ")) | \(entry.reason.replacing("|", with: "\\|")) |\n"
        }
        return out
    }
}

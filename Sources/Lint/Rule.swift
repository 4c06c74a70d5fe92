import Basics

/// The three families of rules, told apart by the first digit of the id.
public enum RuleCategory: String, Sendable, CaseIterable {
    /// `SG1xx`: the input is wrong or does not do what it appears to do.
    case correctness
    /// `SG2xx`: the input works but breaks a governance expectation.
    case governance
    /// `SG3xx`: the input works but is hard to read or review.
    case style

    /// The category of a rule id (`SG2xx` is governance).
    public init?(ruleID: String) {
        guard ruleID.count == 5, ruleID.hasPrefix("SG") else { return nil }
        switch ruleID.dropFirst(2).first {
        case "1": self = .correctness
        case "2": self = .governance
        case "3": self = .style
        default: return nil
        }
    }
}

/// One file of a rule example.
public struct ExampleFile: Sendable, Equatable {
    /// The file name, relative to the example's directory (`policy.cedar`, `tools.json`).
    public var name: String
    /// The file text.
    public var text: String

    /// Creates an example file.
    public init(_ name: String, _ text: String) {
        self.name = name
        self.text = text
    }

    /// The fenced-code language for the documentation.
    var language: String {
        if name.hasSuffix(".cedar") { return "cedar" }
        if name.hasSuffix(".json") { return "json" }
        if name.hasSuffix(".cedarschema") { return "cedarschema" }
        return ""
    }
}

/// An example of a rule: a small set of files that triggers it, or that does not. Examples are
/// both the rule's documentation and its tests.
public struct RuleExample: Sendable, Equatable {
    /// Whether linting these files must report the rule.
    public var triggers: Bool
    /// One line on what the example shows.
    public var title: String
    /// The files; the first is the one the example is about, the others give context.
    public var files: [ExampleFile]

    /// Creates an example.
    public init(triggers: Bool, title: String, files: [ExampleFile]) {
        self.triggers = triggers
        self.title = title
        self.files = files
    }

    /// An example that must trigger the rule.
    public static func bad(_ title: String, _ files: ExampleFile...) -> RuleExample {
        RuleExample(triggers: true, title: title, files: files)
    }

    /// An example that must not trigger the rule.
    public static func good(_ title: String, _ files: ExampleFile...) -> RuleExample {
        RuleExample(triggers: false, title: title, files: files)
    }
}

/// What a rule reports before configuration gives it a severity.
struct RuleHit: Sendable {
    var file: String
    var range: SourceRange
    var message: String
    var hint: String?
}

/// A lint rule: a stable id, a default severity, documentation, examples, and the check.
public struct LintRule: Sendable {
    /// Stable id (`SG201`). Ids are never reused for a different check.
    public let id: String
    /// Short kebab-case name (`missing-owner`).
    public let name: String
    /// Severity unless configuration says otherwise.
    public let defaultSeverity: Severity
    /// Whether the rule runs without being enabled in configuration.
    public let enabledByDefault: Bool
    /// One line: what the rule reports.
    public let summary: String
    /// Why it matters and what to do about it (a paragraph of Markdown).
    public let rationale: String
    /// Triggering and non-triggering examples.
    public let examples: [RuleExample]
    /// The check; nil for rules the linter reports itself while reading inputs (parse errors,
    /// suppression comments).
    let check: (@Sendable (LintContext) -> [RuleHit])?

    init(
        id: String, name: String, severity: Severity, enabledByDefault: Bool = true, summary: String, rationale: String,
        examples: [RuleExample], check: (@Sendable (LintContext) -> [RuleHit])?
    ) {
        self.id = id
        self.name = name
        self.defaultSeverity = severity
        self.enabledByDefault = enabledByDefault
        self.summary = summary
        self.rationale = rationale
        self.examples = examples
        self.check = check
    }

    /// The rule's family.
    public var category: RuleCategory { RuleCategory(ruleID: id) ?? .correctness }

    /// The anchor of the rule in `docs/rules.md` (`sg201`).
    public var anchor: String { id.lowercased() }

    /// Whether the rule reports an input that did not load (a parse error, an invalid schema,
    /// entities file, catalog or plan). Such a finding is always an error: configuration,
    /// `--disable` and inline suppression cannot hide it, and it makes the run exit 2, because
    /// a file that does not load silently drops every policy it holds.
    public var reportsUnloadableInput: Bool {
        [LintRules.parseError.id, LintRules.schemaError.id, LintRules.invalidInput.id].contains(id)
    }
}

/// Every rule stepguard knows, in id order.
public enum LintRules {
    /// All rules, sorted by id.
    public static let all: [LintRule] = [
        parseError, schemaError, schemaValidation, invalidInput, impossiblePolicy,
        constantCondition, shadowedPolicy, failOpenForbid,
        unconstrainedPermit, missingOwner, missingID, duplicateID, unknownAnnotation,
        unguardedProductionWrite, unknownMutateVariant, mutateVariantEscapes, maxTTLInvalid, secretPermitWithoutTTL,
        planWithoutOwnerOrIntent, stepWithoutResource, unjustifiedSuppression, ineffectiveAnnotation,
        unknownControl, permitOnHistory, trustsAgentClaim, tierWeakened, missingReason,
    ].sorted { $0.id < $1.id }

    /// The rule with `id` (case-insensitive), if any.
    public static func rule(_ id: String) -> LintRule? {
        let upper = id.uppercased()
        return all.first { $0.id == upper }
    }

    /// Every rule id.
    public static var ids: [String] { all.map(\.id) }
}

/// The bounds every reader enforces, in one table: the LIMITS section of stepguard(1) and the
/// tables of docs/limits.md are generated from it, so the two cannot disagree.
///
/// The numbers are the ones the readers enforce; tests in each module check those readers at
/// their bounds.
public enum InputLimits {
    /// One bound: what it applies to, the bound, and what the user sees past it.
    public struct Bound: Equatable, Sendable {
        public var input: String
        public var bound: String
        public var error: String
    }

    /// A titled group of bounds.
    public struct Group: Equatable, Sendable {
        public var title: String
        public var bounds: [Bound]
    }

    private static func bound(_ input: String, _ bound: String, _ error: String) -> Bound {
        Bound(input: input, bound: bound, error: error)
    }

    /// Every bound, by group.
    public static let groups: [Group] = [
        Group(title: "Nesting depth", bounds: [
            bound("JSON documents (plans, catalogs, entities, test suites, requests, schemas in JSON)",
                  "512 levels of arrays and objects", "`nesting deeper than 512 levels; flatten the document`"),
            bound("JSON in a credential (header, claims) and in JWK/JWKS files", "16 levels", "`token refused` / `malformed JWK`"),
            bound("Cedar expression: brackets, parentheses, records, `if`", "200 levels",
                  "`expression is nested too deeply (more than 200 levels)`"),
            bound("Cedar expression tree (long operator chains count too)", "1,000 levels",
                  "`expression is nested too deeply (more than 1000 levels)`"),
            bound("Cedar schema types (`Set<Set<…>>`, records in records), both formats", "128 levels",
                  "`the type is nested too deeply (more than 128 levels)`"),
            bound("Cedar schema common types referring to common types", "128 levels", "`common types are nested too deeply`"),
            bound("Entity and context values read against a schema", "256 levels",
                  "`value is nested too deeply (more than 256 levels)`"),
            bound("Policy validation (type checking)", "2,000 levels",
                  "`the expression is nested too deeply to validate` (finding `tooDeep`)"),
            bound("Audit-log records", "64 levels", "`nested deeper than 64 levels` (the line is reported malformed)"),
            bound("Chained step rewrites (`@mutate` of a rewritten step)", "4", "the step falls through to the next remedy"),
        ]),
        Group(title: "Sizes and counts", bounds: [
            bound("every file a command reads whole: plans, catalogs, entities, policies, schemas, test suites, requests, proofs (`fmt`, `lint`, `validate`, `authorize` included)",
                  "32 MiB per file; nothing past the limit is read (pipes included)",
                  "`cannot read \"FILE\": the file is larger than the 32 MiB limit`"),
            bound("record streams: the request file of `authorize --requests`, the events of `audit append`; and standard input (`-`) anywhere",
                  "256 MiB (standard input also within the bound of the file it stands for)",
                  "`cannot read '-': the file is larger than the 256 MiB limit; split it`"),
            bound("steps in a plan", "100,000",
                  "`FILE:LINE:COL: the plan has N steps, more than the limit of 100000; split it into several plans` (located at `steps[100000]`)"),
            bound("policies and templates in one policy set", "100,000",
                  "`more than 100000 policies in one set; split the policy directory` (at the first policy past the limit)"),
            bound("entities in one entity file", "1,000,000", "`FILE:LINE:COL: more than 1000000 entities in one file` (at entity `[1000000]`)"),
            bound("a credential (compact JWS)", "64 KiB, measured before it is copied or decoded",
                  "`token refused: N bytes is more than the 65536-byte limit`"),
            bound("key files (PEM, JWK, JWKS)", "1 MiB per file and per PEM block", "`file is larger than 1048576 bytes`"),
            bound("revocation file", "64 MiB", "`revocation file is larger than 64 MiB`"),
            bound("a revoked `jti`", "256 bytes, no spaces or control characters", "`invalid jti`"),
            bound("signatures on one signed note (checkpoint)", "100", "the checkpoint is reported unreadable"),
            bound("clock leeway of `token verify`", "300 s", "invalid option"),
            bound("credential lifetime", "default 5 minutes; `@max_ttl` caps it; hard cap 3,600 s, which `--max-ttl` may lower and nothing raises",
                  "a larger request is capped with a warning"),
        ]),
    ]

    /// The man page section: each bound as a definition, its input as the term.
    static var manSection: HelpSection {
        var definitions: [Definition] = []
        for group in groups {
            for bound in group.bounds {
                definitions.append(Definition(term: [.plain(plain(bound.input))],
                                              text: "\(group.title.lowercased()): \(plain(bound.bound)); past it: \(plain(bound.error))."))
            }
        }
        return HelpSection(title: "Limits", body: .definitions(definitions))
    }

    /// Markdown tables, one per group, for docs/limits.md.
    public static var markdown: String {
        var lines: [String] = []
        for (index, group) in groups.enumerated() {
            if index > 0 { lines.append("") }
            lines += ["## \(group.title)", "", "| input | bound | error |", "|---|---|---|"]
            for bound in group.bounds {
                lines.append("| \(cell(bound.input)) | \(cell(bound.bound)) | \(cell(bound.error)) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Markers around the generated tables in docs/limits.md.
    public static let tableBegin = "<!-- generated: limits tables (swift run stepguard __generate-docs .) -->"
    public static let tableEnd = "<!-- end of generated limits tables -->"
    /// The guide that carries the tables.
    public static let guide = "docs/limits.md"

    /// Markdown code spans read as plain text in a man page.
    private static func plain(_ text: String) -> String { text.replacing("`", with: "") }

    private static func cell(_ text: String) -> String { text.replacing("|", with: "\\|") }
}

import Dispatch
import Lint

/// Lints generated policy directories and prints how long it took.
///
/// Arguments: `[COUNT] [DIRECTORIES]` — the number of policies (default 10,000) spread over
/// that many policy directories (default 1: one policy set, the worst case for the rules that
/// compare policies pairwise).
func runLintBenchmark(arguments: [String]) {
    let count = arguments.first.flatMap { Int($0) } ?? 10_000
    let directories = max(1, arguments.dropFirst().first.flatMap { Int($0) } ?? 1)
    let files = generateLintBenchmarkFiles(policies: count, directories: directories)
    let start = DispatchTime.now().uptimeNanoseconds
    let result = Linter.lint(files: files)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let c = result.counts
    var byRule: [String: Int] = [:]
    for finding in result.findings { byRule[finding.ruleID, default: 0] += 1 }
    let breakdown = byRule.keys.sorted().map { "\($0) \(byRule[$0]!)" }.joined(separator: ", ")
    print("lint: \(count) policies in \(directories) director\(directories == 1 ? "y" : "ies"), \(c.files) files: \(String(format: "%.3f", elapsed)) s (\(String(format: "%.0f", Double(count) / elapsed)) policies/s); findings: \(c.errors) errors, \(c.warnings) warnings, \(c.info) info (\(breakdown))")
}

/// A deterministic mix of permits and forbids with governance annotations, scopes, conditions
/// and remedies over a 40-action catalog, 100 policies per file.
func generateLintBenchmarkFiles(policies count: Int, directories: Int) -> [String: String] {
    var files: [String: String] = [:]
    let actions = (0..<40).map { "tool\($0).run" }
    var catalog = "{\"actions\": {\n"
    catalog += actions.enumerated().map { i, name in
        let effect = ["read", "write", "delete"][i % 3]
        let flags = i % 7 == 0 ? ", \"flags\": [\"secret\"]" : (i % 5 == 0 ? ", \"flags\": [\"external\"]" : "")
        let variants = i % 3 == 0 ? "" : ", \"variants\": {\"safe\": {\"action\": \"\(actions[i - i % 3])\"}}"
        return "  \"\(name)\": {\"effect\": \"\(effect)\"\(flags)\(variants)}"
    }.joined(separator: ",\n")
    catalog += "\n}}\n"
    var entities = "[\n"
    entities += (0..<50).map { i in
        "{\"uid\": {\"type\": \"Service\", \"id\": \"svc\(i)\"}, \"attrs\": {\"environment\": \"\(i % 4 == 0 ? "production" : "staging")\"}, \"parents\": []}"
    }.joined(separator: ",\n")
    entities += "\n]\n"
    let perDirectory = (count + directories - 1) / directories
    var made = 0
    for d in 0..<directories {
        let directory = "bench/set\(d)"
        files[directory + "/tools.json"] = catalog
        files[directory + "/entities.json"] = entities
        var file = 0
        while made < count && made < (d + 1) * perDirectory {
            var text = ""
            for _ in 0..<100 where made < count && made < (d + 1) * perDirectory {
                let i = made
                let action = actions[i % actions.count]
                text += "@id(\"policy-\(i)\")\n@owner(\"team-\(i % 17)\")\n@reason(\"generated policy \(i)\")\n@control(\"ASI0\(1 + i % 9), NHI\(1 + i % 10), PR.AA-05\")\n"
                if i % 2 == 0 {
                    if i % 7 == 0 { text += "@max_ttl(\"5m\")\n" }
                    text += "permit(principal in Group::\"g\(i % 50)\", action == Action::\"\(action)\", resource is Service)\n"
                    text += "when { context.history.count < \(i % 20 + 1) && (resource has tier && resource.tier == \"t\(i % 3)\") };\n\n"
                } else {
                    if i % 3 == 0 { text += "@mutate(\"safe\")\n" } else if i % 3 == 1 { text += "@approve(\"reviewers\")\n" }
                    text += "forbid(principal, action == Action::\"\(action)\", resource)\n"
                    text += "when { resource has environment && resource.environment == \"production\" && context.tool.flags.contains(\"external\") };\n\n"
                }
                made += 1
            }
            files["\(directory)/policies-\(String(file + 1000)).cedar"] = text
            file += 1
        }
    }
    return files
}

import Workflow

/// How reports state the governance tier in force and what it demanded.
enum TierOutput {
    /// `tier strict (shipped defaults): 2 of 4 demands met` and, unless `quiet`, one line per
    /// demand: `  checkpoint: not met - <demand>; <detail>`.
    /// Lines wrap at `width` when the terminal's is known (continuations indented).
    static func text(_ report: TierReport, quiet: Bool = false, width: Int?) -> String {
        let plain = text(report, quiet: quiet)
        guard let width else { return plain }
        var out = ""
        for line in plain.split(separator: "\n") {
            let lead = String(line.prefix { $0 == " " })
            for piece in TextWrap.wrap(String(line.dropFirst(lead.count)), width: width, indent: lead + "    ", firstIndent: lead) {
                out += piece + "\n"
            }
        }
        return out
    }

    /// Where the demands came from, short: `tiers.json` or `shipped defaults`.
    static func source(_ report: TierReport) -> String {
        report.source.hasSuffix("/" + TierConfiguration.fileName) ? TierConfiguration.fileName : report.source
    }

    static func text(_ report: TierReport, quiet: Bool = false) -> String {
        let metCount = report.requirements.filter { $0.met == true }.count
        let unmet = report.unmet.count
        var head = "tier \(report.tier.rawValue) (\(source(report))): "
        if report.requirements.isEmpty {
            head += "no demands beyond the policies"
        } else {
            head += "\(report.requirements.count) demand\(report.requirements.count == 1 ? "" : "s"), \(metCount) met"
            if unmet > 0 { head += ", \(unmet) not met" }
        }
        var out = head + "\n"
        if quiet { return out }
        for status in report.requirements {
            out += "  " + line(id: status.id, state: status.state, demand: status.demand, detail: status.detail) + "\n"
        }
        return out
    }

    /// One demand: `checkpoint: not met - <demand>; <detail>`, as every report spells it.
    static func line(id: String, state: String, demand: String, detail: String) -> String {
        "\(id): \(state) - \(demand); \(detail)"
    }

    /// The refusal for demands not met: `the strict tier demands ...`, naming each by id.
    static func refusal(_ report: TierReport) -> String {
        let parts = report.unmet.map { "\($0.id) (\($0.demand); \($0.detail))" }
        return "the \(report.tier.rawValue) tier (\(source(report))) is not satisfied: " + parts.joined(separator: "; ")
    }
}

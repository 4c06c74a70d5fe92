/// GitHub Actions workflow commands, one per finding:
/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=SG201::message`. Info findings
/// become `::notice`. The human report goes to stderr separately (the CLI's job).
public func renderGitHub(_ result: LintResult) -> String {
    var out = ""
    for finding in result.findings {
        let r = finding.range
        let properties = [
            "file=\(escapeProperty(finding.file))", "line=\(r.startLine)", "col=\(r.startColumn)",
            "endLine=\(r.endLine)", "endColumn=\(r.endColumn)", "title=\(escapeProperty(finding.ruleID))",
        ].joined(separator: ",")
        var message = finding.message
        if let hint = finding.hint { message += "\n" + "hint: " + hint }
        out += "::\(finding.severity.githubCommand) \(properties)::\(escapeData(message))\n"
    }
    return out
}

/// A GitHub Actions workflow command's message: `%`, CR and LF encoded (scalar by scalar, so a
/// CR LF pair is encoded too).
public func escapeData(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "%": out += "%25"
        case "\r": out += "%0D"
        case "\n": out += "%0A"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// A workflow command's property value: as a message, plus `:` and `,`.
public func escapeProperty(_ text: String) -> String {
    var out = ""
    for scalar in escapeData(text).unicodeScalars {
        switch scalar {
        case ":": out += "%3A"
        case ",": out += "%2C"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Index>? {
        guard let first = target.first else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index] == first, self[index...].hasPrefix(target) {
                return index..<self.index(index, offsetBy: target.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}

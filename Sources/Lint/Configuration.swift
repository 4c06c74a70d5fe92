import JSONValue

/// Lint configuration: which rules run at which severity, which paths are skipped, whether
/// inline suppression is honoured, and when the run fails. Read from `.stepguard.json`:
///
///     {"lint": {"rules": {"SG300": "off", "SG204": "error"}, "ignore": ["legacy/**"],
///               "allowInlineSuppression": false, "strict": true, "failLevel": "warning",
///               "annotations": ["team"]}}
public struct LintConfiguration: Sendable, Equatable {
    /// Per-rule setting: `off`, `on` (default severity), or a severity.
    public enum RuleSetting: Sendable, Equatable {
        case off
        case on
        case severity(Severity)
    }

    /// Rule settings by rule id.
    public var rules: [String: RuleSetting]
    /// Glob patterns of paths not to lint, relative to `baseDirectory`.
    public var ignore: [String]
    /// The directory ignore patterns are relative to (the configuration file's directory).
    public var baseDirectory: String
    /// Whether `// stepguard:ignore` comments suppress findings.
    public var allowInlineSuppression: Bool
    /// Warnings fail the run too (the same as `failLevel` `warning`).
    public var strict: Bool
    /// The least severity that fails the run; nil never fails.
    public var failLevel: Severity?
    /// Annotation keys used on purpose besides the governance ones (not reported as typos).
    public var annotations: [String]
    /// The configuration file, when one was read.
    public var file: String?

    /// Defaults: every default rule at its default severity, nothing ignored, inline
    /// suppression honoured, errors fail.
    public init(
        rules: [String: RuleSetting] = [:], ignore: [String] = [], baseDirectory: String = ".",
        allowInlineSuppression: Bool = true, strict: Bool = false, failLevel: Severity? = .error,
        annotations: [String] = [], file: String? = nil
    ) {
        self.rules = rules
        self.ignore = ignore
        self.baseDirectory = baseDirectory
        self.allowInlineSuppression = allowInlineSuppression
        self.strict = strict
        self.failLevel = failLevel
        self.annotations = annotations
        self.file = file
    }

    /// The name of the configuration file.
    public static let fileName = ".stepguard.json"

    /// The severity `rule` reports at, nil when it is off.
    public func severity(for rule: LintRule) -> Severity? {
        if rule.reportsUnloadableInput { return .error }
        switch rules[rule.id] {
        case .off?: return nil
        case .on?: return rule.defaultSeverity
        case .severity(let s)?: return s
        case nil: return rule.enabledByDefault ? rule.defaultSeverity : nil
        }
    }

    /// The least severity that fails the run, with `strict` applied.
    public var effectiveFailLevel: Severity? {
        guard strict else { return failLevel }
        guard let failLevel else { return .warning }
        return min(failLevel, .warning)
    }

    /// Whether `path` matches an ignore pattern.
    public func isIgnored(_ path: String) -> Bool {
        guard !ignore.isEmpty else { return false }
        // Patterns apply only below the configuration's directory.
        guard let relative = relativePath(path, to: baseDirectory) else { return false }
        return ignore.contains { globMatches($0, relative) }
    }

    /// Finds `.stepguard.json` in `directory` or the nearest ancestor and reads it; the
    /// defaults (based at `directory`) when there is none.
    public static func discover(from directory: String, fileSystem: any LintFileSystem = DiskFileSystem()) throws(LintError) -> LintConfiguration {
        var current = directory
        for _ in 0..<256 {
            let candidate = joinPath(current, fileName)
            if fileSystem.isFile(candidate) { return try load(candidate, fileSystem: fileSystem) }
            let parent = parentDirectory(current == "." ? absoluteWorkingDirectory() : current)
            if parent == current || current == "/" { break }
            current = parent
        }
        return LintConfiguration(baseDirectory: directory)
    }

    /// Reads a configuration file.
    public static func load(_ path: String, fileSystem: any LintFileSystem = DiskFileSystem()) throws(LintError) -> LintConfiguration {
        guard let bytes = fileSystem.read(path) else { throw .unreadable(path) }
        return try parse(bytes, file: path)
    }

    /// Parses configuration JSON; `file` names it in errors and sets the base directory.
    public static func parse(_ bytes: [UInt8], file: String) throws(LintError) -> LintConfiguration {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes, file: file)
        } catch {
            throw .configuration(file: file, line: error.location.line, column: error.location.column, message: error.message)
        }
        func fail(_ path: [JSONPathComponent], _ message: String) -> LintError {
            let l = document.nearestLocation(of: path)
            return .configuration(file: file, line: l.line, column: l.column, message: message)
        }
        var config = LintConfiguration(baseDirectory: parentDirectory(file), file: file)
        guard case .object(let root) = document.value else { throw fail([], "\(fileName) must be a JSON object") }
        guard let lintValue = root["lint"] else { return config }
        guard case .object(let lint) = lintValue else { throw fail([.key("lint")], "\"lint\" must be an object") }
        let known = ["rules", "ignore", "allowInlineSuppression", "strict", "failLevel", "annotations"]
        for key in lint.keys where !known.contains(key) {
            let hint = closestMatch(key, in: known).map { "did you mean \"\($0)\"? " } ?? ""
            throw fail([.key("lint"), .key(key)], "unknown lint setting \"\(key)\"; \(hint)settings are \(known.sorted().joined(separator: ", "))")
        }
        if let value = lint["rules"] {
            guard case .object(let rules) = value else { throw fail([.key("lint"), .key("rules")], "\"rules\" must be an object of rule id to \"off\", \"on\", \"error\", \"warning\" or \"info\"") }
            for (id, setting) in rules {
                let path: [JSONPathComponent] = [.key("lint"), .key("rules"), .key(id)]
                guard let rule = LintRules.rule(id) else {
                    let hint = closestMatch(id, in: LintRules.ids).map { "did you mean \"\($0)\"? " } ?? ""
                    throw fail(path, "unknown rule \"\(id)\"; \(hint)see docs/rules.md")
                }
                if rule.reportsUnloadableInput && setting != .string("on") && setting != .bool(true) && setting != .string("error") {
                    throw fail(path, "\(rule.id) reports input that does not load and is always an error; remove this setting")
                }
                switch setting {
                case .string("off"), .bool(false): config.rules[rule.id] = .off
                case .string("on"), .bool(true): config.rules[rule.id] = .on
                case .string(let text):
                    guard let severity = Severity(rawValue: text) else {
                        throw fail(path, "rule setting \"\(text)\" is not valid; use \"off\", \"on\", \"error\", \"warning\" or \"info\"")
                    }
                    config.rules[rule.id] = .severity(severity)
                default:
                    throw fail(path, "rule setting must be \"off\", \"on\", \"error\", \"warning\" or \"info\"")
                }
            }
        }
        if let value = lint["ignore"] {
            guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                throw fail([.key("lint"), .key("ignore")], "\"ignore\" must be an array of path globs")
            }
            config.ignore = array.compactMap(\.stringValue)
        }
        if let value = lint["annotations"] {
            guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                throw fail([.key("lint"), .key("annotations")], "\"annotations\" must be an array of annotation keys")
            }
            config.annotations = array.compactMap(\.stringValue)
        }
        for key in ["allowInlineSuppression", "strict"] {
            guard let value = lint[key] else { continue }
            guard let flag = value.boolValue else { throw fail([.key("lint"), .key(key)], "\"\(key)\" must be true or false") }
            if key == "strict" { config.strict = flag } else { config.allowInlineSuppression = flag }
        }
        if let value = lint["failLevel"] {
            guard let text = value.stringValue, let level = parseFailLevel(text) else {
                throw fail([.key("lint"), .key("failLevel")], "\"failLevel\" must be \"error\", \"warning\", \"info\" or \"none\"")
            }
            config.failLevel = level
        }
        return config
    }

    /// Parses a fail level: a severity, or `none` (never fail). The outer nil means invalid.
    public static func parseFailLevel(_ text: String) -> Severity?? {
        if text == "none" { return .some(nil) }
        guard let severity = Severity(rawValue: text) else { return nil }
        return .some(severity)
    }
}

/// `path` relative to `base`, nil when it does not lie below it.
func relativePath(_ path: String, to base: String) -> String? {
    let p = normalizePath(path), b = normalizePath(base)
    if b == "." { return p }
    if p == b { return "." }
    let prefix = b.hasSuffix("/") ? b : b + "/"
    if p.hasPrefix(prefix) { return String(p.dropFirst(prefix.count)) }
    // An absolute base with a relative path (or the other way round): compare absolute forms.
    let absolutePath = p.hasPrefix("/") ? p : normalizePath(absoluteWorkingDirectory() + "/" + p)
    let absoluteBase = b.hasPrefix("/") ? b : normalizePath(absoluteWorkingDirectory() + "/" + b)
    let absolutePrefix = absoluteBase.hasSuffix("/") ? absoluteBase : absoluteBase + "/"
    if absolutePath.hasPrefix(absolutePrefix) { return String(absolutePath.dropFirst(absolutePrefix.count)) }
    return nil
}

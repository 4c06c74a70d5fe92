import Basics
import Cedar
import JSONValue
import Workflow

/// A finding an inline `// stepguard:ignore` comment suppressed, with the reason it gives.
public struct SuppressedFinding: Sendable, Hashable {
    /// The finding.
    public var finding: Finding
    /// The reason written after `--`.
    public var reason: String
}

/// Totals of a lint run.
public struct LintCounts: Sendable, Equatable {
    /// Error-level findings reported.
    public var errors: Int
    /// Warning-level findings reported.
    public var warnings: Int
    /// Info-level findings reported.
    public var info: Int
    /// Findings suppressed inline.
    public var suppressed: Int
    /// Files linted.
    public var files: Int
}

/// The outcome of a lint run: findings, totals and the exit decision.
public struct LintResult: Sendable {
    /// Reported findings in stable order (file, position, rule).
    public var findings: [Finding]
    /// Findings suppressed by inline comments, in the same order.
    public var suppressed: [SuppressedFinding]
    /// Every file linted, sorted.
    public var files: [String]
    /// The text of every file linted, for excerpts.
    public var sources: [String: [UInt8]]
    /// The least severity that fails the run (nil: never fails).
    public var failLevel: Severity?

    /// Totals.
    public var counts: LintCounts {
        LintCounts(
            errors: findings.filter { $0.severity == .error }.count,
            warnings: findings.filter { $0.severity == .warning }.count,
            info: findings.filter { $0.severity == .info }.count,
            suppressed: suppressed.count, files: files.count)
    }

    /// Whether some input did not load (a parse error, an invalid schema, entities file,
    /// catalog or plan): the lint could not do its job on that file, whatever the fail level.
    public var inputDidNotLoad: Bool {
        findings.contains { LintRules.rule($0.ruleID)?.reportsUnloadableInput == true }
    }

    /// Whether some finding is at or above the fail level, or some input did not load.
    public var failed: Bool {
        if inputDidNotLoad { return true }
        guard let failLevel else { return false }
        return findings.contains { $0.severity >= failLevel }
    }

    /// The process exit status: 0 clean, 1 findings at the fail level, 2 an input did not load.
    public var exitCode: Int32 { inputDidNotLoad ? 2 : failed ? 1 : 0 }
}

/// Lints policy directories, policy files, schemas, entities, catalogs and plans.
public enum Linter {
    /// Lints the files and directories at `paths` (directories recursively; hidden entries and
    /// paths the configuration ignores are skipped). Each directory is read as every command
    /// reads a policy directory (`PolicyDirectory`): its policies, its schema, entities,
    /// catalog and tiers, a hidden policy file or an entry that is not a regular file refused
    /// by name.
    public static func lint(
        paths: [String], configuration: LintConfiguration = LintConfiguration(),
        fileSystem: any LintFileSystem = DiskFileSystem()
    ) throws(LintError) -> LintResult {
        var collection = Collection(configuration: configuration, fileSystem: fileSystem)
        try collection.collect(paths: paths)
        let inputs = collection.sortedInputs
        // A file that cannot be read, or is too large to read, stops the run: linting it as
        // empty would pass what was never looked at.
        for input in inputs {
            guard let size = fileSystem.readableSize(input.path) else { throw .unreadable(input.path) }
            if size > maxFileBytes { throw .tooLarge(input.path, limit: maxFileBytes) }
        }
        return run(inputs: inputs, directories: collection.directories, configuration: configuration, fileSystem: fileSystem)
    }

    /// The largest file read (32 MiB), as for plans and policy directories.
    public static let maxFileBytes = 32 << 20

    /// Lints in-memory files keyed by path (`dir/policy.cedar`). A directory that the policy
    /// directory rules refuse (a hidden policy file) gives its files no context.
    public static func lint(files: [String: String], configuration: LintConfiguration = LintConfiguration()) -> LintResult {
        let fileSystem = MemoryFileSystem(files)
        var inputs: [InputFile] = []
        for path in files.keys.sorted() {
            let normalized = normalizePath(path)
            if configuration.isIgnored(normalized) { continue }
            if let kind = InputKind(path: normalized) { inputs.append(InputFile(path: normalized, kind: kind, explicit: true)) }
        }
        var collection = Collection(configuration: configuration, fileSystem: fileSystem)
        for input in inputs { try? collection.list(parentDirectory(input.path)) }
        try? collection.findPlanDirectories(for: inputs)
        return run(inputs: inputs, directories: collection.directories, configuration: configuration, fileSystem: fileSystem)
    }

    // MARK: - Collecting inputs

    struct InputFile: Sendable {
        var path: String
        var kind: InputKind
        /// Named on the command line (rather than found in a directory).
        var explicit: Bool
    }

    enum InputKind: Sendable, Equatable {
        case policy, schema, entities, catalog, tiers, json

        init?(path: String) {
            let name = baseName(path)
            if name.hasSuffix(".cedar") { self = .policy }
            else if name.hasSuffix(".cedarschema") || name.hasSuffix(".cedarschema.json") { self = .schema }
            else if name == "entities.json" { self = .entities }
            else if name == "tools.json" { self = .catalog }
            else if name == TierConfiguration.fileName { self = .tiers }
            else if name == LintConfiguration.fileName { return nil }
            else if name.hasSuffix(".json") { self = .json }
            else { return nil }
        }

        /// Whether the file gives its directory's policies their context (or is a policy).
        var isPolicyDirectoryFile: Bool { self != .json }
    }

    /// The inputs of a run and the listing of every directory they belong to.
    struct Collection {
        let configuration: LintConfiguration
        let fileSystem: any LintFileSystem
        var inputs: [String: InputFile] = [:]
        /// Each directory read, as `PolicyDirectory` lists it.
        var directories: [String: PolicyDirectory] = [:]
        /// Directories walked, by the path their links resolve to: a link back up the tree is
        /// not walked twice.
        var walked = Set<String>()

        var sortedInputs: [InputFile] { inputs.keys.sorted().map { inputs[$0]! } }

        /// Lists `directory` by the policy-directory rules, once.
        @discardableResult
        mutating func list(_ directory: String) throws(LintError) -> PolicyDirectory {
            if let listing = directories[directory] { return listing }
            guard let names = fileSystem.list(directory) else { throw .unreadable(directory) }
            let tests = joinPath(directory, "tests")
            let testNames = fileSystem.isDirectory(tests) ? fileSystem.list(tests) : nil
            let fileSystem = self.fileSystem
            do {
                var listing = try PolicyDirectory(path: directory, names: names, testNames: testNames, isRegularFile: { fileSystem.isFile($0) })
                // Paths as lint writes them (`a.cedar`, not `./a.cedar`).
                listing.policyFiles = listing.policyFiles.map(normalizePath)
                listing.testFiles = listing.testFiles.map(normalizePath)
                for path in [\PolicyDirectory.schemaFile, \.entitiesFile, \.catalogFile, \.tiersFile] {
                    listing[keyPath: path] = listing[keyPath: path].map(normalizePath)
                }
                directories[directory] = listing
                return listing
            } catch {
                throw .refused(error.message)
            }
        }

        mutating func collect(paths: [String]) throws(LintError) {
            for raw in paths.isEmpty ? ["."] : paths {
                let path = normalizePath(raw)
                if fileSystem.isDirectory(path) {
                    try walk(path, depth: 0)
                } else if fileSystem.isFile(path) {
                    guard let kind = InputKind(path: path) else { throw .unsupportedFile(raw) }
                    // A policy file named alone is linted with its directory's schema, entities
                    // and catalog, so that directory is read as a policy directory.
                    if kind.isPolicyDirectoryFile { try list(parentDirectory(path)) }
                    if !configuration.isIgnored(path) { inputs[path] = InputFile(path: path, kind: kind, explicit: true) }
                } else if fileSystem.exists(path) {
                    throw .refused("\"\(raw)\" is not a regular file or a directory; pass policy files or directories to lint")
                } else {
                    throw .missingPath(raw)
                }
            }
            try findPlanDirectories(for: Array(inputs.values))
        }

        /// Walks `directory`: the files its listing reads, the other `*.json` files (plans, test
        /// suites) and `*.cedarschema` files (checked on their own), then its subdirectories.
        mutating func walk(_ directory: String, depth: Int) throws(LintError) {
            guard depth < 64, walked.insert(fileSystem.resolved(directory)).inserted else { return }
            let listing = try list(directory)
            guard let names = fileSystem.list(directory) else { throw .unreadable(directory) }
            var files = listing.policyFiles + [listing.schemaFile, listing.entitiesFile, listing.catalogFile, listing.tiersFile].compactMap { $0 }
            var subdirectories: [String] = []
            for name in names.sorted() where !name.hasPrefix(".") && !PolicyDirectory.isDirectoryFile(name) {
                let path = joinPath(directory, name)
                if fileSystem.isDirectory(path) {
                    subdirectories.append(path)
                } else if let kind = InputKind(path: path), kind == .json || kind == .schema {
                    // Read like the directory's own files: a link is followed, anything other
                    // than a regular file is refused, never opened.
                    guard fileSystem.isFile(path) else { throw .refused(PolicyDirectory.notRegularFileMessage(path)) }
                    files.append(path)
                }
            }
            for path in files where !configuration.isIgnored(path) && inputs[path] == nil {
                if let kind = InputKind(path: path) { inputs[path] = InputFile(path: path, kind: kind, explicit: false) }
            }
            for path in subdirectories where !configuration.isIgnored(path) {
                try walk(path, depth: depth + 1)
            }
        }

        /// Lists the directory whose catalog each plan-like JSON input may use: the nearest at or
        /// above it with a `tools.json`.
        mutating func findPlanDirectories(for inputs: [InputFile]) throws(LintError) {
            for input in inputs where input.kind == .json {
                var current = parentDirectory(input.path)
                for _ in 0..<32 {
                    if fileSystem.isFile(joinPath(current, "tools.json")) {
                        try list(current)
                        break
                    }
                    let parent = parentDirectory(current)
                    if parent == current { break }
                    current = parent
                }
            }
        }
    }

    // MARK: - Running

    static func run(inputs: [InputFile], directories: [String: PolicyDirectory], configuration: LintConfiguration, fileSystem: any LintFileSystem) -> LintResult {
        var loader = Loader(configuration: configuration, fileSystem: fileSystem, directories: directories)
        loader.load(inputs)
        for index in loader.sets.indices { loader.sets[index].prepare() }
        let context = LintContext(sets: loader.sets, policies: loader.policies, plans: loader.plans, configuration: configuration)

        var raw: [(LintRule, RuleHit)] = loader.hits
        for rule in LintRules.all {
            guard let check = rule.check, configuration.severity(for: rule) != nil else { continue }
            for hit in check(context) { raw.append((rule, hit)) }
        }

        // Inline suppression comments of every policy file.
        var suppressions: [String: [Suppression]] = [:]
        for (file, policyFile) in loader.parsedFiles {
            let (found, problems) = Suppression.scan(policyFile)
            for problem in problems { raw.append((LintRules.unjustifiedSuppression, problem)) }
            if configuration.allowInlineSuppression { suppressions[file] = found }
        }

        var findings: [Finding] = []
        var suppressed: [SuppressedFinding] = []
        var seen = Set<Finding>()
        for (rule, hit) in raw {
            guard let severity = configuration.severity(for: rule) else { continue }
            let finding = Finding(ruleID: rule.id, severity: severity, file: hit.file, range: hit.range, message: hit.message, hint: hit.hint)
            guard seen.insert(finding).inserted else { continue }
            if rule.id != LintRules.unjustifiedSuppression.id, !rule.reportsUnloadableInput,
               let match = suppressions[hit.file]?.first(where: { $0.covers(finding) }) {
                suppressed.append(SuppressedFinding(finding: finding, reason: match.reason))
            } else {
                findings.append(finding)
            }
        }
        findings.sort()
        suppressed.sort { $0.finding < $1.finding }
        return LintResult(
            findings: findings, suppressed: suppressed, files: inputs.map(\.path).sorted(),
            sources: loader.sources, failLevel: configuration.effectiveFailLevel)
    }
}

/// Reads and parses the inputs into the model the rules work on.
struct Loader {
    let configuration: LintConfiguration
    let fileSystem: any LintFileSystem
    /// Every directory of the run, listed as every command lists a policy directory.
    let directories: [String: PolicyDirectory]

    var sets: [PolicySetModel] = []
    var setIndexByDirectory: [String: Int] = [:]
    var policies: [LintPolicy] = []
    var plans: [LintPlan] = []
    var parsedFiles: [(String, PolicyFile)] = []
    var sources: [String: [UInt8]] = [:]
    /// Findings made while reading (parse errors, invalid files).
    var hits: [(LintRule, RuleHit)] = []

    init(configuration: LintConfiguration, fileSystem: any LintFileSystem, directories: [String: PolicyDirectory]) {
        self.configuration = configuration
        self.fileSystem = fileSystem
        self.directories = directories
    }

    mutating func report(_ rule: LintRule, _ file: String, _ range: SourceRange, _ message: String, hint: String? = nil) {
        hits.append((rule, RuleHit(file: file, range: range, message: message, hint: hint)))
    }

    mutating func setIndex(for directory: String) -> Int {
        if let index = setIndexByDirectory[directory] { return index }
        sets.append(PolicySetModel(directory: directory))
        setIndexByDirectory[directory] = sets.count - 1
        return sets.count - 1
    }

    mutating func load(_ inputs: [Linter.InputFile]) {
        var bytesByPath: [String: [UInt8]] = [:]
        for input in inputs {
            let bytes = fileSystem.read(input.path) ?? []
            bytesByPath[input.path] = bytes
            sources[input.path] = bytes
        }
        let inputPaths = Set(inputs.map(\.path))

        // Context files first: every directory with policies gets its schema, catalog and entities.
        let policyDirectories = Set(inputs.filter { $0.kind == .policy || $0.kind == .catalog || $0.kind == .schema || $0.kind == .entities || $0.kind == .tiers }.map { parentDirectory($0.path) })
        for directory in policyDirectories.sorted() {
            let index = setIndex(for: directory)
            loadContextFiles(directory: directory, index: index, inputs: inputPaths, bytes: bytesByPath)
        }

        // A schema file that is not its directory's schema is checked on its own: no command
        // validates policies against it.
        for input in inputs where input.kind == .schema && directories[parentDirectory(input.path)]?.schemaFile != input.path {
            do {
                _ = try Schema.load(source: bytesByPath[input.path] ?? [], file: input.path)
            } catch {
                report(LintRules.schemaError, input.path, error.span.map(sourceRange) ?? .fileStart, error.message)
            }
        }

        // Policies, in file name order per directory.
        for input in inputs where input.kind == .policy {
            let bytes = bytesByPath[input.path] ?? []
            let index = setIndex(for: parentDirectory(input.path))
            do {
                let file = try Parser.parse(bytes, file: input.path)
                parsedFiles.append((input.path, file))
                for policy in file.policies {
                    policies.append(LintPolicy(policy: policy, file: input.path, setIndex: index, order: sets[index].policyIndices.count))
                    sets[index].policyIndices.append(policies.count - 1)
                }
            } catch {
                let range = error.span.map(sourceRange) ?? .fileStart
                var message = error.message
                if case .parse(_, _, let expected) = error, !expected.isEmpty, !message.contains("expected") {
                    message += "; expected \(expected.joined(separator: " or "))"
                }
                report(LintRules.parseError, input.path, range, message)
            }
        }

        // Other JSON: plans and test suites.
        for input in inputs where input.kind == .json {
            loadJSON(input, bytes: bytesByPath[input.path] ?? [])
        }
    }

    /// Reads the schema, catalog, tiers and entities of `directory`, the files its listing
    /// names; problems are reported on files that are inputs of the run.
    mutating func loadContextFiles(directory: String, index: Int, inputs: Set<String>, bytes: [String: [UInt8]]) {
        guard let listing = directories[directory] else { return }
        func read(_ path: String) -> [UInt8]? { bytes[path] ?? fileSystem.read(path) }
        if let path = listing.schemaFile, let source = read(path) {
            do {
                sets[index].schema = try Schema.load(source: source, file: path)
            } catch {
                if inputs.contains(path) { report(LintRules.schemaError, path, error.span.map(sourceRange) ?? .fileStart, error.message) }
            }
        }
        if let catalogPath = listing.catalogFile, let source = read(catalogPath) {
            do {
                sets[index].catalog = try ActionCatalog.parse(source, file: catalogPath)
            } catch {
                if inputs.contains(catalogPath) { report(LintRules.invalidInput, catalogPath, workflowRange(error, source), error.message) }
            }
        }
        if let tiersPath = listing.tiersFile, let source = read(tiersPath) {
            do {
                sets[index].tiers = try TierConfiguration.parse(source, file: tiersPath, directory: directory)
                sets[index].tiersDocument = try? JSONParser.parseDocument(source, file: tiersPath)
                sets[index].tiersBytes = source
            } catch {
                if inputs.contains(tiersPath) { report(LintRules.invalidInput, tiersPath, workflowRange(error, source), error.message) }
            }
        }
        if let entitiesPath = listing.entitiesFile, let source = read(entitiesPath) {
            // Through the schema when the directory has one, as every command reads it.
            do {
                if let schema = sets[index].schema {
                    sets[index].entities = try schema.entities(jsonBytes: source, file: entitiesPath)
                } else {
                    sets[index].entities = try Entities(jsonBytes: source, file: entitiesPath)
                }
            } catch {
                if inputs.contains(entitiesPath) {
                    var message = error.message
                    if case .entities(_, let path, let span) = error, span == nil, !path.isEmpty { message = "\(path): \(message)" }
                    report(LintRules.invalidInput, entitiesPath, error.span.map(sourceRange) ?? .fileStart, message)
                }
            }
        }
    }

    func workflowRange(_ error: WorkflowError, _ bytes: [UInt8]) -> SourceRange {
        guard let location = error.location else { return .fileStart }
        // Recover the byte offset of line:column to measure the token there.
        var line = 1, offset = 0
        while offset < bytes.count, line < location.line {
            if bytes[offset] == 0x0A { line += 1 }
            offset += 1
        }
        var column = 1
        while offset < bytes.count, column < location.column, bytes[offset] != 0x0A {
            offset += 1
            while offset < bytes.count, (bytes[offset] & 0xC0) == 0x80 { offset += 1 }
            column += 1
        }
        return jsonTokenRange(bytes, SourceLocation(line: location.line, column: location.column, offset: offset))
    }

    /// The policy set whose catalog a plan in `directory` uses: the nearest directory at or
    /// above it that has policies or a `tools.json`.
    mutating func setIndex(forPlanIn directory: String) -> Int? {
        var current = directory
        for _ in 0..<32 {
            if let index = setIndexByDirectory[current] { return index }
            if directories[current]?.catalogFile != nil {
                let index = setIndex(for: current)
                loadContextFiles(directory: current, index: index, inputs: [], bytes: [:])
                return index
            }
            let parent = parentDirectory(current)
            if parent == current { break }
            current = parent
        }
        return nil
    }

    mutating func loadJSON(_ input: Linter.InputFile, bytes: [UInt8]) {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes, file: input.path)
        } catch {
            report(LintRules.invalidInput, input.path, jsonTokenRange(bytes, error.location), error.message)
            return
        }
        guard case .object(let root) = document.value else {
            if input.explicit {
                report(LintRules.invalidInput, input.path, .fileStart, "not a plan, action catalog, entity file or test suite: a plan is an object with \"steps\"")
            }
            return
        }
        if root["steps"] != nil {
            let directory = parentDirectory(input.path)
            let setIndex = setIndex(forPlanIn: directory)
            plans.append(LintPlan(file: input.path, document: document, bytes: bytes, setIndex: setIndex))
            checkPlanLoads(plans[plans.count - 1], bytes: bytes)
        } else if root["tests"] != nil {
            // A policy test suite; it reads its plans relative to its own path on disk.
            if fileSystem is DiskFileSystem {
                do {
                    _ = try PolicyTestSuite.load(input.path)
                } catch {
                    let range = error.location?.file == input.path ? workflowRange(error, bytes) : .fileStart
                    report(LintRules.invalidInput, input.path, range, error.message)
                }
            }
        } else if input.explicit {
            report(LintRules.invalidInput, input.path, .fileStart, "not a plan, action catalog, entity file or test suite: a plan is an object with \"steps\"")
        }
    }

    /// Reports what keeps a plan from loading, except what the plan rules report themselves
    /// (a step without a resource).
    mutating func checkPlanLoads(_ plan: LintPlan, bytes: [UInt8]) {
        do {
            let parsed = try Plan.parse(bytes, file: plan.file)
            if let setIndex = plan.setIndex, let catalog = sets[setIndex].catalog {
                try parsed.checkActions(catalog)
            }
        } catch {
            if case .malformedPlan(let location, _) = error, isMissingResource(plan, location) { return }
            report(LintRules.invalidInput, plan.file, workflowRange(error, bytes), error.message)
        }
    }

    func isMissingResource(_ plan: LintPlan, _ location: FileLocation) -> Bool {
        guard case .array(let steps)? = plan.document.value["steps"] else { return false }
        for (index, step) in steps.enumerated() where location.path == renderJSONPath([.key("steps"), .index(index)]) {
            if case .object(let object) = step, object["resource"] == nil { return true }
        }
        return false
    }
}

import Foundation
import JSONValue

/// The files of a policy directory, found but not yet read.
public struct PolicyDirectory: Sendable, Equatable {
    /// The directory.
    public var path: String
    /// `*.cedar` files, in name order.
    public var policyFiles: [String]
    /// `schema.cedarschema` or `schema.cedarschema.json`, when present (passed through to schema support).
    public var schemaFile: String?
    /// `entities.json`, when present.
    public var entitiesFile: String?
    /// `tools.json`, when present.
    public var catalogFile: String?
    /// `tests/*.json`, in name order.
    public var testFiles: [String]
    /// `tiers.json` (what each governance tier demands), when present.
    public var tiersFile: String?

    /// A listing given file by file (for policies held in memory).
    public init(path: String, policyFiles: [String], schemaFile: String?, entitiesFile: String?, catalogFile: String?, testFiles: [String], tiersFile: String? = nil) {
        self.path = path
        self.policyFiles = policyFiles
        self.schemaFile = schemaFile
        self.entitiesFile = entitiesFile
        self.catalogFile = catalogFile
        self.testFiles = testFiles
        self.tiersFile = tiersFile
    }

    /// Lists the files of the directory at `path`.
    public init(path: String) throws(WorkflowError) {
        guard isDirectory(path) else {
            throw .policyDirectory(message: "policy directory \"\(path)\" does not exist; pass --policies DIR")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw .unreadable(file: path, message: "cannot list the directory")
        }
        self.path = path
        // A hidden policy or schema (`.zz-hotfix.cedar`) is refused by name: no command reads
        // it and none may pass over it in silence, or one command would enforce what another
        // never showed. Other hidden entries (`.stepguard.json`, `.git`) are not policy files.
        // An entry the directory would read that is not a regular file (a FIFO, a device, a
        // socket, a directory named like a policy) is refused by name, never opened: reading
        // one could block, or could read what no one reviewed.
        if let hidden = names.first(where: Self.isHiddenPolicyFile) {
            throw .policyDirectory(message: Self.hiddenPolicyFileMessage(joinPath(path, hidden)))
        }
        let visible = names.filter { !$0.hasPrefix(".") }
        let wanted = visible.filter {
            $0.hasSuffix(".cedar") || ["schema.cedarschema", "schema.cedarschema.json", "entities.json", "tools.json", TierConfiguration.fileName].contains($0)
        }
        for name in wanted where !isRegularFile(joinPath(path, name)) {
            throw .policyDirectory(message: "\"\(joinPath(path, name))\" is not a regular file; a policy directory holds only files")
        }
        self.policyFiles = wanted.filter { $0.hasSuffix(".cedar") }.map { joinPath(path, $0) }
        let present = Set(wanted)
        func file(_ name: String) -> String? { present.contains(name) ? joinPath(path, name) : nil }
        self.schemaFile = file("schema.cedarschema") ?? file("schema.cedarschema.json")
        self.entitiesFile = file("entities.json")
        self.catalogFile = file("tools.json")
        self.tiersFile = file(TierConfiguration.fileName)
        let testsDirectory = joinPath(path, "tests")
        if isDirectory(testsDirectory), let testNames = try? FileManager.default.contentsOfDirectory(atPath: testsDirectory) {
            let suites = testNames.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { joinPath(testsDirectory, $0) }
            for suite in suites where !isRegularFile(suite) {
                throw .policyDirectory(message: "\"\(suite)\" is not a regular file; a policy directory holds only files")
            }
            self.testFiles = suites
        } else {
            self.testFiles = []
        }
    }

    /// Whether `name` is a hidden file named like a policy or a schema, which every command
    /// refuses by name (DESIGN §2: one view of the policy directory).
    public static func isHiddenPolicyFile(_ name: String) -> Bool {
        name.hasPrefix(".") && (name.hasSuffix(".cedar") || name.hasSuffix(".cedarschema") || name.hasSuffix(".cedarschema.json"))
    }

    /// The refusal of a hidden policy file at `path`.
    public static func hiddenPolicyFileMessage(_ path: String) -> String {
        "\"\(path)\" is a hidden policy file; no command reads hidden files, so rename it to be read or remove it"
    }

    /// The policy directory to use for `plan` when none is given: the plan's own directory when
    /// it is a policy directory (holds `tools.json`), else `policies/` next to the plan, else
    /// `./policies` (relative to the working directory).
    public static func defaultPath(forPlan plan: String) -> String? {
        let own = parentDirectory(plan)
        if isFile(joinPath(own, "tools.json")) { return own }
        let candidates = [joinPath(own, "policies"), "policies"]
        return candidates.first(where: isDirectory)
    }

    /// The directory given, or the default one for `plan`; an error naming both places otherwise.
    public static func resolve(_ explicit: String?, forPlan plan: String) throws(WorkflowError) -> PolicyDirectory {
        if let explicit { return try PolicyDirectory(path: explicit) }
        guard let found = defaultPath(forPlan: plan) else {
            let nextTo = joinPath(parentDirectory(plan), "policies")
            throw .policyDirectory(message: "no policy directory: looked for \"\(nextTo)\" and \"./policies\"; pass --policies DIR")
        }
        return try PolicyDirectory(path: found)
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Basics
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
            names = try DirectoryListing.names(path)
        } catch {
            throw .unreadable(file: path, message: "cannot list the directory")
        }
        let testsDirectory = joinPath(path, "tests")
        let testNames = isDirectory(testsDirectory) ? try? DirectoryListing.names(testsDirectory) : nil
        try self.init(path: path, names: names, testNames: testNames, isRegularFile: isRegularFile)
    }

    /// Chooses the files of the directory at `path` from its entry names (and those of its
    /// `tests/` directory, nil when there is none) — the one rule by which every command, `lint`
    /// included, reads a policy directory, whatever lists it. `isRegularFile` tells, following
    /// symbolic links, whether a path is a regular file.
    public init(path: String, names: [String], testNames: [String]?, isRegularFile: (String) -> Bool) throws(WorkflowError) {
        let names = names.sorted()
        self.path = path
        // A hidden policy or schema (`.zz-hotfix.cedar`) is refused by name: no command reads
        // it and none may pass over it in silence, or one command would enforce what another
        // never showed. Other hidden entries (`.stepguard.json`, `.git`) are not policy files.
        // An entry the directory would read that is not a regular file (a FIFO, a device, a
        // socket, a directory named like a policy) is refused by name, never opened: reading
        // one could block, or could read what no one reviewed. A symbolic link is read as the
        // file it points to.
        if let hidden = names.first(where: Self.isHiddenPolicyFile) {
            throw .policyDirectory(message: Self.hiddenPolicyFileMessage(joinPath(path, hidden)))
        }
        let wanted = names.filter { !$0.hasPrefix(".") && Self.isDirectoryFile($0) }
        for name in wanted where !isRegularFile(joinPath(path, name)) {
            throw .policyDirectory(message: Self.notRegularFileMessage(joinPath(path, name)))
        }
        self.policyFiles = wanted.filter { $0.hasSuffix(".cedar") }.map { joinPath(path, $0) }
        let present = Set(wanted)
        func file(_ name: String) -> String? { present.contains(name) ? joinPath(path, name) : nil }
        self.schemaFile = Self.schemaNames.lazy.compactMap(file).first
        self.entitiesFile = file("entities.json")
        self.catalogFile = file("tools.json")
        self.tiersFile = file(TierConfiguration.fileName)
        let testsDirectory = joinPath(path, "tests")
        let suites = (testNames ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { joinPath(testsDirectory, $0) }
        for suite in suites where !isRegularFile(suite) {
            throw .policyDirectory(message: Self.notRegularFileMessage(suite))
        }
        self.testFiles = suites
    }

    /// The names a directory's schema may have, the first present being the schema: another
    /// `*.cedarschema` file beside them is not the directory's schema.
    public static let schemaNames = ["schema.cedarschema", "schema.cedarschema.json"]

    /// Whether a policy directory reads the entry `name`: a policy, the schema, the entities,
    /// the catalog or the tiers.
    public static func isDirectoryFile(_ name: String) -> Bool {
        name.hasSuffix(".cedar") || schemaNames.contains(name)
            || ["entities.json", "tools.json", TierConfiguration.fileName].contains(name)
    }

    /// The refusal of an entry that a policy directory would read and that is not a regular file.
    public static func notRegularFileMessage(_ path: String) -> String {
        "\"\(path)\" is not a regular file; a policy directory holds only files"
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

import Basics
import JSONValue
import Workflow

/// Where a gate finds its policies and its log, and the project they govern.
///
/// Without flags, both are found from the event's `cwd`: the nearest `.stepguard/` directory
/// at or above it holds `policies/` and `audit.log`, and its parent is the project root (what
/// `in_project` is measured against). `STEPGUARD_POLICIES` and `STEPGUARD_LOG` name them
/// instead; flags win over both.
public struct GateLocations: Sendable, Equatable {
    /// The policy directory.
    public var policies: String
    /// The audit log.
    public var log: String
    /// The project root.
    public var root: String
    /// The directory of signed approvals that may release held calls, besides the approval
    /// records of the log; nil for none.
    public var approvals: String? = nil
    /// The compiled-policy cache: beside the log, where the gate keeps its own state.
    public var policyCache: String { log + ".policies.cache" }

    /// The environment variable naming the policy directory.
    public static let policiesVariable = "STEPGUARD_POLICIES"
    /// The environment variable naming the audit log.
    public static let logVariable = "STEPGUARD_LOG"
    /// The environment variable naming the approvals directory.
    public static let approvalsVariable = "STEPGUARD_APPROVALS"
    /// The directory looked for from `cwd` upwards.
    public static let directoryName = ".stepguard"

    /// Resolves the locations for an event whose working directory is `cwd`. The approvals
    /// directory is `approvals`, else `STEPGUARD_APPROVALS`, else `.stepguard/approvals/` when it
    /// exists in the `.stepguard/` directory the policies were found in (never one found from
    /// `cwd` for policies the operator named).
    public static func resolve(
        policies: String?, log: String?, approvals: String? = nil, cwd: String, environment: Environment
    ) throws(GateError) -> GateLocations {
        let found = nearestDirectory(from: cwd)
        let root = found.map { parent($0) } ?? cwd
        func pick(_ flag: String?, _ variable: String, _ file: String) -> String? {
            if let flag { return flag }
            if let value = environment[variable], !value.isEmpty { return value }
            return found.map { $0 + "/" + file }
        }
        guard let policyPath = pick(policies, policiesVariable, "policies") else {
            throw .notConfigured("no policy directory for \"\(cwd)\": no \(directoryName)/ directory at or above it, \(policiesVariable) is not set, and --policies was not given; run 'stepguard gate install' in the project and add \(directoryName)/policies/")
        }
        guard let logPath = pick(log, logVariable, "audit.log") else {
            throw .notConfigured("no audit log for \"\(cwd)\": no \(directoryName)/ directory at or above it, \(logVariable) is not set, and --log was not given")
        }
        var approvalsPath = approvals ?? environment[approvalsVariable].flatMap { $0.isEmpty ? nil : $0 }
        if approvalsPath == nil, let found, policyPath == found + "/policies", FileBytes.isDirectory(found + "/approvals") {
            approvalsPath = found + "/approvals"
        }
        return GateLocations(policies: policyPath, log: logPath, root: root, approvals: approvalsPath)
    }

    /// The nearest `.stepguard` directory at or above `cwd`.
    static func nearestDirectory(from cwd: String) -> String? {
        var directory = PathText.absolute(cwd, cwd: "/")
        while true {
            let candidate = (directory == "/" ? "" : directory) + "/" + directoryName
            if FileBytes.isDirectory(candidate) { return candidate }
            if directory == "/" { return nil }
            directory = parent(directory)
        }
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}

/// A loaded policy directory with the gate's mapping.
public struct GatePolicies: Sendable {
    /// Policies, catalog and entities.
    public var bundle: PolicyBundle
    /// The mapping, attribute rules and input edits of `tools.json`.
    public var catalog: GateCatalog
    /// Where it was loaded from through the compiled-policy cache, and the entities that cache
    /// reads as they are asked for (nil when loaded from the files).
    var cached: (directory: String, cache: String, entities: CompiledEntities)?

    /// Loads the policy directory at `path`.
    public static func load(_ path: String) throws(GateError) -> GatePolicies {
        let bundle: PolicyBundle
        do {
            bundle = try PolicyBundle.load(path: path)
        } catch {
            throw .policies(error)
        }
        let catalog = try GateCatalog.load(bundle.catalog.file, catalog: bundle.catalog)
        return GatePolicies(bundle: bundle, catalog: catalog)
    }

    /// Loads the policy directory at `path` through the compiled-policy cache at `cache` (see
    /// `PolicyCache`), the mapping with it: on a hit nothing is parsed, and the mapping's
    /// regular expressions, checked when the cache was written, are compiled only when used. A
    /// miss loads the files, checks the mapping too, and writes the cache; `miss` says why.
    /// With `rebuild`, the files are loaded whatever the cache holds.
    ///
    /// With `deciding`, the policies are read from the cache only for the actions deciding that
    /// call can ask about (`reachableActions`); any other question sends the call back to be
    /// decided with every policy (`reloaded()`).
    public static func load(
        _ path: String, cache: String, rebuild: String? = nil, deciding: (call: ToolCall, host: String, root: String)? = nil
    ) throws(GateError) -> (policies: GatePolicies, miss: PolicyCache.Miss?) {
        do {
            let actions = deciding.map { deciding in
                { (catalog: ActionCatalog, mapping: GateCatalog) in
                    reachableActions(deciding.call, host: deciding.host, root: deciding.root, catalog: catalog, mapping: mapping)
                }
            }
            // A call consults its own host's mapping alone.
            let extra = CatalogInCache(host: deciding?.host)
            let loaded = try PolicyCache.load(path, cache: cache, extra: extra, rebuild: rebuild, actions: actions)
            var policies = GatePolicies(bundle: loaded.bundle, catalog: loaded.extra)
            if let entities = loaded.entities { policies.cached = (path, cache, entities) }
            return (policies, loaded.miss)
        } catch let error as GateError {
            throw error
        } catch let error as WorkflowError {
            throw .policies(error)
        } catch {
            throw .notConfigured("\(error)")
        }
    }

    /// The policies to decide again with, when deciding with these could not be trusted: when a
    /// part of the compiled-policy cache read while deciding was damaged, the directory loaded
    /// again from its files (and the cache written again); when the bundle, read for some
    /// actions alone, was asked about another, every policy. Nil when neither happened.
    func reloaded() throws(GateError) -> GatePolicies? {
        guard let cached else { return nil }
        if let damage = cached.entities.damage {
            return try Self.load(cached.directory, cache: cached.cache, rebuild: damage).policies
        }
        if !bundle.askedOutsideScope.isEmpty { return try Self.load(cached.directory, cache: cached.cache).policies }
        return nil
    }

    /// Every action deciding `call` of `host` can ask the policies about: the action it maps to,
    /// every action its rewrites can reach (the variants of that action, and theirs, whatever
    /// the depth), and the actions stepguard asks about itself (an approver's, a delegation).
    /// Nil when the call does not map (its patterns do not compile, or no rule maps it): the
    /// call is then decided with every policy.
    static func reachableActions(_ call: ToolCall, host: String, root: String, catalog: ActionCatalog, mapping: GateCatalog) -> [String]? {
        guard (try? mapping.compilePatterns(host: host, tool: call.tool)) != nil, let mapped = mapping.map(call, host: host, root: root) else {
            return nil
        }
        var reached = [mapped.action]
        var seen: Set<String> = [mapped.action]
        var next = 0
        while next < reached.count {
            for variant in catalog.actions[reached[next]]?.variants ?? [] {
                let target = variant.action ?? reached[next]
                if seen.insert(target).inserted { reached.append(target) }
            }
            next += 1
        }
        return reached + PolicyCache.ownActions
    }
}

/// The gate's mapping, kept in the compiled-policy cache beside the bundle.
struct CatalogInCache: PolicyCacheExtra {
    /// The only host whose mapping is read from the cache (a call of that host); nil for all.
    var host: String?

    func build(_ bundle: PolicyBundle, _ contents: PolicyDirectoryContents) throws -> (value: GateCatalog, bytes: [UInt8]) {
        let catalog = try GateCatalog.parse(contents.catalog.bytes, file: contents.catalog.file, catalog: bundle.catalog)
        var w = BinaryWriter()
        catalog.write(to: &w)
        return (catalog, w.bytes)
    }

    func read(_ bytes: [UInt8], catalog: ActionCatalog) throws -> GateCatalog {
        var r = BinaryReader(bytes)
        let catalog = try GateCatalog.read(&r, host: host)
        guard r.isAtEnd else { throw r.fail("trailing bytes") }
        return catalog
    }
}

// The one file that talks to the Cedar engine: everything else in the module works with its
// own request and verdict types, so the engine can change behind this seam.
import Cedar
import JSONValue

/// Decides requests with the Cedar authorizer. Permits and forbids are held in two sets so
/// that one request yields both lists: Cedar's own answer names only the forbids when one
/// fires, and the outcome precedence needs to know whether a permit holds as well.
struct CedarEngine: DecisionEngine {
    let policies: [PolicySummary]
    let permits: PolicySet
    let forbids: PolicySet
    let entities: Entities

    init(policyFiles: [(text: String, file: String)], entitiesBytes: [UInt8]?, entitiesFile: String?) throws(WorkflowError) {
        let set: PolicySet
        do {
            set = try PolicySet(sources: policyFiles)
        } catch {
            throw .malformedPolicy(error.span.map(CedarEngine.location), message: error.message)
        }
        var summaries: [PolicySummary] = []
        for (order, policy) in set.evaluable.enumerated() {
            summaries.append(PolicySummary(
                id: policy.id, isForbid: policy.effect == .forbid,
                annotations: policy.annotations.map { PolicySummary.Annotation(key: $0.key, value: $0.value) },
                location: CedarEngine.location(policy.span), order: order))
        }
        policies = summaries
        do {
            permits = try PolicySet(policies: set.evaluable.filter { $0.effect == .permit })
            forbids = try PolicySet(policies: set.evaluable.filter { $0.effect == .forbid })
        } catch {
            throw .malformedPolicy(error.span.map(CedarEngine.location), message: error.message)
        }
        if let entitiesBytes, let entitiesFile {
            do {
                entities = try Entities(jsonBytes: entitiesBytes, file: entitiesFile)
            } catch {
                let where_ = error.span.map(CedarEngine.location) ?? FileLocation(file: entitiesFile, line: 1, column: 1, path: "")
                throw .malformedEntities(where_, message: error.message)
            }
        } else {
            entities = Entities()
        }
    }

    static func location(_ span: SourceSpan) -> FileLocation {
        FileLocation(file: span.file, line: span.start.line, column: span.start.column)
    }

    static func uid(_ entity: EntityRef) -> EntityUID { EntityUID(type: entity.type, id: entity.id) }

    func decide(_ request: EngineRequest) throws(WorkflowError) -> EngineVerdict {
        var context: [String: Value] = [:]
        for (key, value) in request.context {
            do {
                context[key] = try Value(json: value)
            } catch {
                throw .invalidRequest(FileLocation(file: "", line: 0, column: 0), message: "context.\(key): \(error.message)")
            }
        }
        let cedarRequest = Request(
            principal: CedarEngine.uid(request.principal), action: CedarEngine.uid(request.action),
            resource: CedarEngine.uid(request.resource), context: context)
        let forbidden = Authorizer.isAuthorized(cedarRequest, policies: forbids, entities: entities)
        let permitted = Authorizer.isAuthorized(cedarRequest, policies: permits, entities: entities)
        let errors = (forbidden.errors + permitted.errors).map { PolicyEvaluationError(policy: $0.policyID, message: $0.message) }
        let order = Dictionary(uniqueKeysWithValues: policies.map { ($0.id, $0.order) })
        return EngineVerdict(
            permits: permitted.decision == .allow ? permitted.reasons : [],
            forbids: forbidden.reasons,
            errors: errors.sorted { (order[$0.policy] ?? 0) < (order[$1.policy] ?? 0) })
    }
}

extension PolicyBundle {
    /// Loads a policy directory: policies (`*.cedar` in name order), `entities.json`,
    /// `tools.json` (required). The schema file is not read here; `directory.schemaFile`
    /// passes its path on.
    public static func load(_ directory: PolicyDirectory) throws(WorkflowError) -> PolicyBundle {
        guard let catalogFile = directory.catalogFile else {
            throw .policyDirectory(message: "\"\(directory.path)\" has no tools.json; add the action catalog (see docs/workflow.md)")
        }
        if directory.policyFiles.isEmpty {
            throw .policyDirectory(message: "\"\(directory.path)\" has no *.cedar policy files; add policies or pass --policies DIR")
        }
        let catalog = try ActionCatalog.load(catalogFile)
        var sources: [(text: String, file: String)] = []
        for file in directory.policyFiles {
            sources.append((text: String(decoding: try readFile(file), as: UTF8.self), file: file))
        }
        var entityFacts = EntityFacts()
        var entityBytes: [UInt8]?
        if let file = directory.entitiesFile {
            let bytes = try readFile(file)
            entityFacts = try EntityFacts(source: try JSONSource.parse(bytes, file: file))
            entityBytes = bytes
        }
        let engine = try CedarEngine(policyFiles: sources, entitiesBytes: entityBytes, entitiesFile: directory.entitiesFile)
        return PolicyBundle(directory: directory, catalog: catalog, entities: entityFacts, engine: engine)
    }

    /// Loads the policy directory at `path`.
    public static func load(path: String) throws(WorkflowError) -> PolicyBundle {
        try load(try PolicyDirectory(path: path))
    }
}

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
    let orderByID: [String: Int]
    let historyReads: ChainFields
    let doneReads: ChainFields

    /// With a schema, entities are read through it (typed attributes, as `validate` and
    /// `authorize --schema` read them).
    init(policyFiles: [(text: String, file: String)], entitiesBytes: [UInt8]?, entitiesFile: String?, schema: Schema? = nil) throws(WorkflowError) {
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
        historyReads = ChainFields.read(of: "history", in: policyFiles.map(\.text))
        doneReads = ChainFields.read(of: "done", in: policyFiles.map(\.text))
        orderByID = Dictionary(summaries.map { ($0.id, $0.order) }, uniquingKeysWith: { first, _ in first })
        do {
            permits = try PolicySet(policies: set.evaluable.filter { $0.effect == .permit })
            forbids = try PolicySet(policies: set.evaluable.filter { $0.effect == .forbid })
        } catch {
            throw .malformedPolicy(error.span.map(CedarEngine.location), message: error.message)
        }
        if let entitiesBytes, let entitiesFile {
            do throws(CedarError) {
                if let schema {
                    entities = try schema.entities(jsonBytes: entitiesBytes, file: entitiesFile)
                } else {
                    entities = try Entities(jsonBytes: entitiesBytes, file: entitiesFile)
                }
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

    func prepare(_ value: JSONValue) throws(WorkflowError) -> PreparedValue {
        do {
            return PreparedValue(value: try Value(json: value))
        } catch {
            throw .invalidRequest(FileLocation(file: "", line: 0, column: 0), message: error.message)
        }
    }

    func decide(_ request: EngineRequest) -> EngineVerdict {
        let context = request.context.mapValues(\.value)
        let cedarRequest = Request(
            principal: CedarEngine.uid(request.principal), action: CedarEngine.uid(request.action),
            resource: CedarEngine.uid(request.resource), context: context)
        let forbidden = Authorizer.isAuthorized(cedarRequest, policies: forbids, entities: entities)
        let permitted = Authorizer.isAuthorized(cedarRequest, policies: permits, entities: entities)
        let errors = forbidden.errors.map { PolicyEvaluationError(policy: $0.policyID, message: $0.message, isForbid: true) }
            + permitted.errors.map { PolicyEvaluationError(policy: $0.policyID, message: $0.message, isForbid: false) }
        let order = orderByID
        return EngineVerdict(
            permits: permitted.decision == .allow ? permitted.reasons : [],
            forbids: forbidden.reasons,
            errors: errors.sorted { (order[$0.policy] ?? 0) < (order[$1.policy] ?? 0) })
    }
}

/// A context value in the engine's form.
struct PreparedValue: Sendable {
    let value: Value
}

extension PolicyBundle {
    /// Loads a policy directory: policies (`*.cedar` in name order), `entities.json` (read
    /// through the schema when the directory has one), `tools.json` (required).
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
        var schema: Schema?
        if let file = directory.schemaFile {
            let bytes = try readFile(file)
            do throws(CedarError) {
                schema = try Schema.load(source: bytes, file: file)
            } catch {
                throw .malformedSchema(error.span.map(CedarEngine.location), message: error.message)
            }
        }
        let engine = try CedarEngine(
            policyFiles: sources, entitiesBytes: entityBytes, entitiesFile: directory.entitiesFile, schema: schema)
        return PolicyBundle(directory: directory, catalog: catalog, entities: entityFacts, engine: engine)
    }

    /// Builds a bundle from texts already in memory (generated policy sets, benchmarks,
    /// embedding). File names are used in locations.
    public static func make(
        policies: [(text: String, file: String)], entities: (text: String, file: String)?, catalog: (text: String, file: String),
        directory: String = "<memory>"
    ) throws(WorkflowError) -> PolicyBundle {
        let catalogValue = try ActionCatalog.parse(Array(catalog.text.utf8), file: catalog.file)
        var facts = EntityFacts()
        if let entities {
            facts = try EntityFacts(source: try JSONSource.parse(Array(entities.text.utf8), file: entities.file))
        }
        let engine = try CedarEngine(policyFiles: policies, entitiesBytes: entities.map { Array($0.text.utf8) }, entitiesFile: entities?.file)
        let listing = PolicyDirectory(
            path: directory, policyFiles: policies.map(\.file), schemaFile: nil, entitiesFile: entities?.file,
            catalogFile: catalog.file, testFiles: [])
        return PolicyBundle(directory: listing, catalog: catalogValue, entities: facts, engine: engine)
    }

    /// Loads the policy directory at `path`.
    public static func load(path: String) throws(WorkflowError) -> PolicyBundle {
        try load(try PolicyDirectory(path: path))
    }
}

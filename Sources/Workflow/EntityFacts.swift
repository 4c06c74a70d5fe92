import JSONValue

/// What the workflow module reads from the entities itself: the attributes that feed chain
/// facts, risk and counterpart resolution. The policy engine reads the same file on its own.
public struct EntityFacts: Sendable {
    private var table: [EntityRef: JSONObject] = [:]
    /// When set, the attributes come from the compiled-policy cache, read per entity as asked for.
    private var source: CompiledEntities?

    /// Attributes by entity, as written in `entities.json`: every entity, so a store read from
    /// the cache is read whole. A question about one entity asks `attributes(of:)`.
    public var attributes: [EntityRef: JSONObject] { source?.allFacts ?? table }

    /// The attributes of `entity`, nil when `entities.json` does not list it.
    public func attributes(of entity: EntityRef) -> JSONObject? {
        if let source { return source.facts(entity) }
        return table[entity]
    }

    /// No entities.
    public init() {}

    /// The facts the compiled-policy cache holds, read as they are asked for.
    init(source: CompiledEntities) { self.source = source }

    /// Reads the entity file `bytes`, parsed once: the facts, and the JSON for the policy engine.
    static func read(_ bytes: [UInt8], file: String) throws(WorkflowError) -> (EntityFacts, (json: JSONValue, bytes: [UInt8], file: String)) {
        try JSONSource.reading(bytes, file: file) { source throws(WorkflowError) in
            (try EntityFacts(source: source), (json: source.root, bytes: bytes, file: file))
        }
    }

    /// Reads Cedar entity JSON (an array of `{"uid", "attrs", "parents"}`).
    init(source: JSONSource) throws(WorkflowError) {
        func fail(_ path: [JSONPathComponent], _ message: String) -> WorkflowError {
            .malformedEntities(source.location(path), message: message)
        }
        guard case .array(let elements) = source.root else {
            throw fail([], "entities.json must be an array of entities {\"uid\", \"attrs\", \"parents\"}, found \(source.root.typeName)")
        }
        for (index, element) in elements.enumerated() {
            guard case .object(let object) = element else { throw fail([.index(index)], "each entity must be an object with \"uid\"") }
            guard let uidValue = object["uid"] else { throw fail([.index(index)], "entity has no \"uid\"; add {\"type\": ..., \"id\": ...}") }
            guard let uid = EntityRef(json: uidValue), !(uidValue.stringValue != nil) else {
                throw fail([.index(index), .key("uid")], "\"uid\" must be {\"type\": ..., \"id\": ...}")
            }
            if table[uid] != nil { throw fail([.index(index), .key("uid")], "entity \(uid) is defined twice; merge the two") }
            var attrs = JSONObject()
            if let attrsValue = object["attrs"] {
                guard case .object(let members) = attrsValue else { throw fail([.index(index), .key("attrs")], "\"attrs\" must be an object") }
                attrs = members
            }
            table[uid] = attrs
        }
    }

    /// The `labels` attribute (a set of strings), empty when absent.
    public func labels(of entity: EntityRef) -> [String] {
        guard let value = attributes(of: entity)?["labels"] else { return [] }
        if let array = value.arrayValue { return array.compactMap(\.stringValue) }
        if let text = value.stringValue { return [text] }
        return []
    }

    /// The `sensitivity` attribute (0 public … 4 secret), 0 when absent.
    public func sensitivity(of entity: EntityRef) -> Int64 {
        attributes(of: entity)?["sensitivity"]?.int64Value ?? 0
    }

    /// The `environment` attribute, when present.
    public func environment(of entity: EntityRef) -> String? {
        attributes(of: entity)?["environment"]?.stringValue
    }

    /// The entity `entity` names in `attribute`, when that attribute is an entity reference.
    public func counterpart(of entity: EntityRef, attribute: String) -> EntityRef? {
        guard let value = attributes(of: entity)?[attribute] else { return nil }
        return Self.entityValue(value)
    }

    /// The attribute of `entity` that names `target` (directly or inside a set), when any.
    public func attributeNaming(_ target: EntityRef, in entity: EntityRef) -> String? {
        guard let attrs = attributes(of: entity) else { return nil }
        for key in attrs.keys.sorted() {
            let value = attrs[key]!
            if Self.entityValue(value) == target { return key }
            if let array = value.arrayValue, array.contains(where: { Self.entityValue($0) == target }) { return key }
        }
        return nil
    }

    static func entityValue(_ value: JSONValue) -> EntityRef? {
        guard case .object(let object) = value else { return nil }
        if object["__entity"] != nil || (object.count == 2 && object["type"] != nil && object["id"] != nil) {
            return EntityRef(json: value)
        }
        return nil
    }
}

// Schema declarations as written (names not yet resolved), and their resolution into `Schema`.
//
// Name resolution follows Cedar's rules: an unqualified name `X` used inside namespace `NS`
// means `NS::X` when that is declared, else `X` from the empty namespace, else the built-in
// type `X`; a common type wins over an entity type of the same name; `__cedar::X` always
// means the built-in.

/// A name as written, with where it was written.
struct SchemaRawName: Sendable {
    var text: String
    var span: SourceSpan
}

/// A type as written.
indirect enum SchemaRawTypeKind: Sendable {
    /// A name that may be a common type, an entity type or a built-in (`EntityOrCommon`).
    case name(String)
    /// A common type reference only (JSON `{"type": "Name"}`).
    case commonName(String)
    /// An entity type reference only (JSON `{"type": "Entity", "name": ...}`).
    case entityName(String)
    /// An extension type (JSON `{"type": "Extension", "name": ...}`).
    case extensionName(String)
    /// `Bool`, `Long` or `String` written with the JSON keywords.
    case primitive(SchemaType)
    case set(SchemaRawType)
    case record([SchemaRawAttribute], additional: Bool)
}

struct SchemaRawType: Sendable {
    var kind: SchemaRawTypeKind
    var span: SourceSpan
}

struct SchemaRawAttribute: Sendable {
    var name: String
    var type: SchemaRawType
    var required: Bool
    var annotations: [String: String]
    var span: SourceSpan
}

struct SchemaRawCommonType: Sendable {
    var name: String
    var type: SchemaRawType
    var annotations: [String: String]
    var span: SourceSpan
}

struct SchemaRawEntity: Sendable {
    var name: String
    var memberOf: [SchemaRawName]
    /// The shape: a record type or a reference to a common type that is one.
    var shape: SchemaRawType?
    var tags: SchemaRawType?
    var enumValues: [String]?
    var annotations: [String: String]
    var span: SourceSpan
}

/// A reference to an action: `"view"`, `Action::"view"`, `NS::Action::"view"`.
struct SchemaRawActionRef: Sendable {
    /// The entity type as written (`Action`, `NS::Action`); nil when only the id is written.
    var type: String?
    var id: String
    var span: SourceSpan
}

struct SchemaRawAppliesTo: Sendable {
    var principals: [SchemaRawName]
    var resources: [SchemaRawName]
    var context: SchemaRawType?
    var span: SourceSpan
}

struct SchemaRawAction: Sendable {
    var name: String
    var memberOf: [SchemaRawActionRef]
    var appliesTo: SchemaRawAppliesTo?
    var annotations: [String: String]
    var span: SourceSpan
}

struct SchemaRawNamespace: Sendable {
    /// `""` for the empty namespace.
    var name: String
    var annotations: [String: String]
    var span: SourceSpan
    var commonTypes: [SchemaRawCommonType] = []
    var entities: [SchemaRawEntity] = []
    var actions: [SchemaRawAction] = []
}

/// Everything a schema file declares, before resolution.
struct SchemaFragment: Sendable {
    var namespaces: [SchemaRawNamespace] = []
}

/// Built-in type names and what they mean.
let schemaBuiltinTypes: [String: SchemaType] = [
    "Bool": .bool, "Long": .long, "String": .string,
    "ipaddr": .extension("ipaddr"), "decimal": .extension("decimal"),
    "datetime": .extension("datetime"), "duration": .extension("duration"),
]

/// Names a common type may not have (they are keywords of the JSON schema format).
let schemaReservedCommonTypeNames: Set<String> = [
    "Bool", "Boolean", "Entity", "Extension", "Long", "Record", "Set", "String",
]

/// Identifiers that Cedar reserves and that cannot name a namespace, type or attribute path element.
let schemaReservedIdentifiers: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has"]

func schemaQualify(_ ns: String, _ name: String) -> String { ns.isEmpty ? name : "\(ns)::\(name)" }

/// Resolves a fragment into a schema, reporting the first problem found (in source order).
struct SchemaResolver {
    let fragment: SchemaFragment
    var commonTypes: [String: (SchemaRawCommonType, ns: String)] = [:]
    var entityNames: Set<String> = []
    /// Entity types of the declared actions (`Action`, `NS::Action`): valid as attribute types.
    var actionTypeNames: Set<String> = []
    var resolvedCommon: [String: SchemaType] = [:]
    var resolving: [String] = []
    /// Bounds the depth of nested types (and of common types referring to common types).
    let maxDepth = 128

    init(fragment: SchemaFragment) {
        self.fragment = fragment
    }

    private func fail(_ message: String, _ span: SourceSpan) -> CedarError {
        .parse(message: message, span: span, expected: [])
    }

    mutating func resolve() throws(CedarError) -> Schema {
        // Merge namespaces of the same name is not allowed, except for the empty one, which may be
        // spread over several places of a Cedar-format file.
        var seenNamespaces: [String: SourceSpan] = [:]
        var namespaceAnnotations: [String: [String: String]] = [:]
        for ns in fragment.namespaces {
            if let prev = seenNamespaces[ns.name], !ns.name.isEmpty {
                throw fail("namespace \(quoted(ns.name)) is declared twice (first at \(prev)); merge the two declarations", ns.span)
            }
            seenNamespaces[ns.name] = ns.span
            if ns.name.split(separator: ":").contains(where: { $0 == "__cedar" }) {
                throw fail("the namespace name \(quoted(ns.name)) uses the reserved name `__cedar`", ns.span)
            }
            namespaceAnnotations[ns.name, default: [:]].merge(ns.annotations) { a, _ in a }
        }

        // Declared names, with duplicate and shadowing checks.
        var declaredAt: [String: SourceSpan] = [:]
        for ns in fragment.namespaces {
            for ct in ns.commonTypes {
                if schemaReservedCommonTypeNames.contains(ct.name) {
                    throw fail("\(quoted(ct.name)) is a reserved name and cannot name a common type; choose another name", ct.span)
                }
                if ct.name == "__cedar" {
                    throw fail("the common type name `__cedar` is reserved", ct.span)
                }
                let full = schemaQualify(ns.name, ct.name)
                if let prev = declaredAt["type " + full] {
                    throw fail("common type \(quoted(full)) is declared twice (first at \(prev))", ct.span)
                }
                declaredAt["type " + full] = ct.span
                commonTypes[full] = (ct, ns.name)
            }
            for e in ns.entities {
                if e.name == "__cedar" { throw fail("the entity type name `__cedar` is reserved", e.span) }
                if e.name == "Action" {
                    throw fail("`Action` cannot name an entity type: it is the entity type of actions; declare actions with `action`", e.span)
                }
                let full = schemaQualify(ns.name, e.name)
                if let prev = declaredAt["entity " + full] {
                    throw fail("entity type \(quoted(full)) is declared twice (first at \(prev))", e.span)
                }
                declaredAt["entity " + full] = e.span
                entityNames.insert(full)
            }
            var actionNames: [String: SourceSpan] = [:]
            if !ns.actions.isEmpty { actionTypeNames.insert(schemaQualify(ns.name, "Action")) }
            for a in ns.actions {
                if let prev = actionNames[a.name] {
                    throw fail("action \(quoted(a.name)) is declared twice in namespace \(quoted(ns.name)) (first at \(prev))", a.span)
                }
                actionNames[a.name] = a.span
            }
        }
        // A namespaced declaration may not shadow one of the empty namespace.
        var emptyNamespaceNames: Set<String> = []
        for ns in fragment.namespaces where ns.name.isEmpty {
            for ct in ns.commonTypes { emptyNamespaceNames.insert(ct.name) }
            for e in ns.entities { emptyNamespaceNames.insert(e.name) }
        }
        for ns in fragment.namespaces where !ns.name.isEmpty {
            for ct in ns.commonTypes where emptyNamespaceNames.contains(ct.name) {
                throw fail("common type \(quoted(schemaQualify(ns.name, ct.name))) shadows \(quoted(ct.name)) declared in the empty namespace; rename one of them", ct.span)
            }
            for e in ns.entities where emptyNamespaceNames.contains(e.name) {
                throw fail("entity type \(quoted(schemaQualify(ns.name, e.name))) shadows \(quoted(e.name)) declared in the empty namespace; rename one of them", e.span)
            }
        }

        // Common types, in declaration order so that errors point at the first bad one.
        for ns in fragment.namespaces {
            for ct in ns.commonTypes {
                _ = try resolveCommon(schemaQualify(ns.name, ct.name), span: ct.span)
            }
        }

        var entityTypes: [String: EntityTypeDecl] = [:]
        for ns in fragment.namespaces {
            for e in ns.entities {
                let full = schemaQualify(ns.name, e.name)
                var parents: [String] = []
                for p in e.memberOf {
                    let r = try resolveEntityName(p.text, ns: ns.name, span: p.span)
                    if !parents.contains(r) { parents.append(r) }
                }
                var shape = RecordType.empty
                if let s = e.shape {
                    let t = try resolveType(s, ns: ns.name, depth: 0)
                    guard case .record(let r) = t else {
                        throw fail("the shape of entity type \(quoted(full)) must be a record type, not `\(t)`", s.span)
                    }
                    shape = r
                }
                var tags: SchemaType?
                if let t = e.tags { tags = try resolveType(t, ns: ns.name, depth: 0) }
                if let values = e.enumValues {
                    if values.isEmpty {
                        throw fail("enumerated entity type \(quoted(full)) must list at least one id", e.span)
                    }
                }
                entityTypes[full] = EntityTypeDecl(
                    name: full, memberOfTypes: parents, shape: shape, tags: tags, enumValues: e.enumValues,
                    annotations: e.annotations, span: e.span)
            }
        }

        var actions: [EntityUID: ActionDecl] = [:]
        var declaredActions: Set<EntityUID> = []
        for ns in fragment.namespaces {
            for a in ns.actions { declaredActions.insert(EntityUID(type: schemaQualify(ns.name, "Action"), id: a.name)) }
        }
        for ns in fragment.namespaces {
            let actionType = schemaQualify(ns.name, "Action")
            for a in ns.actions {
                let uid = EntityUID(type: actionType, id: a.name)
                var parents: [EntityUID] = []
                for ref in a.memberOf {
                    let p = try resolveActionRef(ref, ns: ns.name, declared: declaredActions)
                    if !parents.contains(p) { parents.append(p) }
                }
                var decl = ActionDecl(uid: uid, memberOf: parents, annotations: a.annotations, span: a.span)
                if let at = a.appliesTo {
                    decl.hasAppliesTo = true
                    for p in at.principals {
                        let r = try resolveEntityName(p.text, ns: ns.name, span: p.span)
                        if !decl.principalTypes.contains(r) { decl.principalTypes.append(r) }
                    }
                    for p in at.resources {
                        let r = try resolveEntityName(p.text, ns: ns.name, span: p.span)
                        if !decl.resourceTypes.contains(r) { decl.resourceTypes.append(r) }
                    }
                    if let c = at.context {
                        let t = try resolveType(c, ns: ns.name, depth: 0)
                        guard case .record(let r) = t else {
                            throw fail("the context of action \(quoted(a.name)) must be a record type, not `\(t)`", c.span)
                        }
                        decl.context = r
                    }
                }
                actions[uid] = decl
            }
        }
        // Cycles in the action hierarchy make `in` meaningless. One depth-first walk over all
        // actions (iterative, so long chains cannot exhaust the stack).
        var state: [EntityUID: Bool] = [:]  // false: on the current path, true: done
        for root in actions.keys.sorted() where state[root] == nil {
            var stack: [(EntityUID, Int)] = [(root, 0)]
            state[root] = false
            while let (node, next) = stack.last {
                let parents = actions[node]?.memberOf ?? []
                if next < parents.count {
                    stack[stack.count - 1].1 += 1
                    let p = parents[next]
                    switch state[p] {
                    case false?:
                        throw fail("action \(p) is (transitively) a member of itself; remove the cycle from the action hierarchy", actions[p]!.span)
                    case true?:
                        continue
                    case nil:
                        state[p] = false
                        stack.append((p, 0))
                    }
                } else {
                    state[node] = true
                    stack.removeLast()
                }
            }
        }
        return Schema(entityTypes: entityTypes, actions: actions, namespaces: namespaceAnnotations)
    }

    private func quoted(_ s: String) -> String { "`\(s)`" }

    /// The candidates an unqualified name may mean, in priority order.
    private func candidates(_ name: String, ns: String) -> [String] {
        if name.contains("::") || ns.isEmpty { return [name] }
        return [schemaQualify(ns, name), name]
    }

    mutating func resolveEntityName(_ name: String, ns: String, span: SourceSpan) throws(CedarError) -> String {
        for c in candidates(name, ns: ns) where entityNames.contains(c) { return c }
        throw fail(undeclared(name, ns: ns, what: "an entity type"), span)
    }

    private func undeclared(_ name: String, ns: String, what: String) -> String {
        let c = candidates(name, ns: ns)
        if c.count == 2 {
            return "neither `\(c[0])` nor `\(c[1])` has been declared as \(what); declare it or fix the name"
        }
        return "`\(c[0])` has not been declared as \(what); declare it or fix the name"
    }

    mutating func resolveActionRef(_ ref: SchemaRawActionRef, ns: String, declared: Set<EntityUID>) throws(CedarError) -> EntityUID {
        var options: [EntityUID] = []
        if let t = ref.type {
            if t.contains("::") || ns.isEmpty {
                options = [EntityUID(type: t, id: ref.id)]
            } else {
                options = [EntityUID(type: schemaQualify(ns, t), id: ref.id), EntityUID(type: t, id: ref.id)]
            }
        } else {
            options = [EntityUID(type: schemaQualify(ns, "Action"), id: ref.id)]
            if !ns.isEmpty { options.append(EntityUID(type: "Action", id: ref.id)) }
        }
        for o in options where declared.contains(o) { return o }
        throw fail("action \(options[0]) is used as an action group but has not been declared; declare it", ref.span)
    }

    mutating func resolveCommon(_ full: String, span: SourceSpan) throws(CedarError) -> SchemaType {
        if let t = resolvedCommon[full] { return t }
        guard let (ct, ns) = commonTypes[full] else {
            throw fail("`\(full)` has not been declared as a common type", span)
        }
        if resolving.contains(full) {
            throw fail("common type `\(full)` refers to itself (\((resolving + [full]).joined(separator: " -> "))); common types cannot be recursive", ct.span)
        }
        if resolving.count >= maxDepth {
            throw fail("common types are nested too deeply (more than \(maxDepth) levels)", ct.span)
        }
        resolving.append(full)
        let t = try resolveType(ct.type, ns: ns, depth: resolving.count)
        resolving.removeLast()
        resolvedCommon[full] = t
        return t
    }

    mutating func resolveType(_ raw: SchemaRawType, ns: String, depth: Int) throws(CedarError) -> SchemaType {
        if depth > maxDepth {
            throw fail("the type is nested too deeply (more than \(maxDepth) levels)", raw.span)
        }
        switch raw.kind {
        case .primitive(let t):
            return t
        case .extensionName(let n):
            let base = n.hasPrefix("__cedar::") ? String(n.dropFirst(9)) : n
            guard let t = schemaBuiltinTypes[base], case .extension = t else {
                throw fail("`\(n)` is not an extension type; the extension types are `decimal`, `datetime`, `duration` and `ipaddr`", raw.span)
            }
            return t
        case .set(let e):
            return .set(try resolveType(e, ns: ns, depth: depth + 1))
        case .record(let attrs, let additional):
            var out: [String: AttributeDecl] = [:]
            for a in attrs {
                // As in the reference implementation, a repeated attribute takes the last declaration.
                out[a.name] = AttributeDecl(
                    type: try resolveType(a.type, ns: ns, depth: depth + 1), required: a.required, annotations: a.annotations)
            }
            return .record(RecordType(attributes: out, additionalAttributes: additional))
        case .entityName(let n):
            for c in candidates(n, ns: ns) where entityNames.contains(c) || actionTypeNames.contains(c) { return .entity(c) }
            throw fail(undeclared(n, ns: ns, what: "an entity type"), raw.span)
        case .commonName(let n):
            if n.hasPrefix("__cedar::"), let b = schemaBuiltinTypes[String(n.dropFirst(9))] { return b }
            for c in candidates(n, ns: ns) where commonTypes[c] != nil {
                return try resolveCommon(c, span: raw.span)
            }
            if !n.contains("::"), let b = schemaBuiltinTypes[n] { return b }
            throw fail(undeclared(n, ns: ns, what: "a common type"), raw.span)
        case .name(let n):
            if n.hasPrefix("__cedar::") {
                if let b = schemaBuiltinTypes[String(n.dropFirst(9))] { return b }
                throw fail("`\(n)` is not a built-in type; the built-in types are \(schemaBuiltinTypes.keys.sorted().map { "`\($0)`" }.joined(separator: ", "))", raw.span)
            }
            for c in candidates(n, ns: ns) {
                if commonTypes[c] != nil { return try resolveCommon(c, span: raw.span) }
                if entityNames.contains(c) || actionTypeNames.contains(c) { return .entity(c) }
            }
            if !n.contains("::"), let b = schemaBuiltinTypes[n] { return b }
            throw fail(undeclared(n, ns: ns, what: "a common type or entity type"), raw.span)
        }
    }
}

// Parser for the JSON schema format (`.cedarschema.json`).

import JSONValue

/// Reads a JSON schema document into a `SchemaFragment`, with located errors.
struct SchemaJSONReader {
    let document: JSONDocument
    let file: String
    static let maxTypeDepth = 128

    func span(_ path: [JSONPathComponent]) -> SourceSpan {
        let l = document.nearestLocation(of: path)
        let p = SourcePosition(line: l.line, column: l.column, offset: l.offset)
        return SourceSpan(file: file, start: p, end: p)
    }

    func fail(_ message: String, _ path: [JSONPathComponent]) -> CedarError {
        let where_ = path.isEmpty ? "" : "at `\(renderJSONPath(path))`: "
        return .parse(message: where_ + message, span: span(path), expected: [])
    }

    func object(_ v: JSONValue, _ path: [JSONPathComponent], _ what: String) throws(CedarError) -> JSONObject {
        guard case .object(let o) = v else { throw fail("\(what) must be a JSON object, not \(v.typeName)", path) }
        return o
    }

    func string(_ v: JSONValue, _ path: [JSONPathComponent], _ what: String) throws(CedarError) -> String {
        guard case .string(let s) = v else { throw fail("\(what) must be a string, not \(v.typeName)", path) }
        return s
    }

    func array(_ v: JSONValue, _ path: [JSONPathComponent], _ what: String) throws(CedarError) -> [JSONValue] {
        guard case .array(let a) = v else { throw fail("\(what) must be a JSON array, not \(v.typeName)", path) }
        return a
    }

    func bool(_ v: JSONValue, _ path: [JSONPathComponent], _ what: String) throws(CedarError) -> Bool {
        guard case .bool(let b) = v else { throw fail("\(what) must be `true` or `false`, not \(v.typeName)", path) }
        return b
    }

    func onlyKeys(_ o: JSONObject, _ allowed: [String], _ path: [JSONPathComponent], _ what: String) throws(CedarError) {
        for k in o.keys where !allowed.contains(k) {
            let list = allowed.map { "`\($0)`" }.joined(separator: ", ")
            throw fail("unknown field `\(k)` in \(what); expected one of \(list)", path + [.key(k)])
        }
    }

    func annotations(_ o: JSONObject, _ path: [JSONPathComponent]) throws(CedarError) -> [String: String] {
        guard let v = o["annotations"] else { return [:] }
        let p = path + [.key("annotations")]
        let obj = try object(v, p, "`annotations`")
        var out: [String: String] = [:]
        for (k, value) in obj {
            if value.isNull {
                out[k] = ""
            } else {
                out[k] = try string(value, p + [.key(k)], "an annotation value")
            }
        }
        return out
    }

    func read() throws(CedarError) -> SchemaFragment {
        let root = try object(document.value, [], "a JSON schema")
        var fragment = SchemaFragment()
        for (nsName, nsValue) in root {
            let path: [JSONPathComponent] = [.key(nsName)]
            if !nsName.isEmpty {
                for part in nsName.split(separator: "::", omittingEmptySubsequences: false).map(String.init) where !isSchemaIdentifier(part) || schemaReservedIdentifiers.contains(part) {
                    throw fail("`\(nsName)` is not a valid namespace name: write identifiers separated by `::`", path)
                }
            }
            let ns = try object(nsValue, path, "a namespace")
            try onlyKeys(ns, ["commonTypes", "entityTypes", "actions", "annotations"], path, "a namespace")
            var raw = SchemaRawNamespace(name: nsName, annotations: try annotations(ns, path), span: span(path))
            guard let entities = ns["entityTypes"] else { throw fail("missing field `entityTypes` in namespace `\(nsName)`", path) }
            guard let actions = ns["actions"] else { throw fail("missing field `actions` in namespace `\(nsName)`", path) }
            if let common = ns["commonTypes"] {
                let p = path + [.key("commonTypes")]
                for (name, def) in try object(common, p, "`commonTypes`") {
                    let tp = p + [.key(name)]
                    guard isSchemaIdentifier(name), !schemaReservedIdentifiers.contains(name) else {
                        throw fail("`\(name)` is not a valid common type name: use an identifier", tp)
                    }
                    let defObj = try object(def, tp, "a common type definition")
                    raw.commonTypes.append(SchemaRawCommonType(
                        name: name, type: try type(def, tp, depth: 1, allowAttributeFields: false, allowAnnotations: true),
                        annotations: try annotations(defObj, tp), span: span(tp)))
                }
            }
            let ep = path + [.key("entityTypes")]
            for (name, def) in try object(entities, ep, "`entityTypes`") {
                raw.entities.append(try entity(name, def, ep + [.key(name)]))
            }
            let ap = path + [.key("actions")]
            for (name, def) in try object(actions, ap, "`actions`") {
                raw.actions.append(try action(name, def, ap + [.key(name)]))
            }
            fragment.namespaces.append(raw)
        }
        return fragment
    }

    func entity(_ name: String, _ def: JSONValue, _ path: [JSONPathComponent]) throws(CedarError) -> SchemaRawEntity {
        guard isSchemaIdentifier(name), !schemaReservedIdentifiers.contains(name) else {
            throw fail("`\(name)` is not a valid entity type name: use an identifier (the namespace goes in the namespace key)", path)
        }
        // An empty array reads as an empty definition, as the reference reader accepts it.
        let o = def == .array([]) ? JSONObject() : try object(def, path, "an entity type definition")
        var e = SchemaRawEntity(name: name, memberOf: [], shape: nil, tags: nil, enumValues: nil, annotations: try annotations(o, path), span: span(path))
        if let values = o["enum"] {
            try onlyKeys(o, ["enum", "annotations"], path, "an enumerated entity type")
            var out: [String] = []
            for (i, v) in try array(values, path + [.key("enum")], "`enum`").enumerated() {
                let s = try string(v, path + [.key("enum"), .index(i)], "an enumerated id")
                if !out.contains(where: { $0.isExactly(s) }) { out.append(s) }
            }
            if out.isEmpty { throw fail("`enum` must list at least one id", path + [.key("enum")]) }
            e.enumValues = out
            return e
        }
        try onlyKeys(o, ["memberOfTypes", "shape", "tags", "annotations"], path, "an entity type")
        if let m = o["memberOfTypes"] {
            let mp = path + [.key("memberOfTypes")]
            for (i, v) in try array(m, mp, "`memberOfTypes`").enumerated() {
                e.memberOf.append(SchemaRawName(text: try string(v, mp + [.index(i)], "an entity type name"), span: span(mp + [.index(i)])))
            }
        }
        if let s = o["shape"] { e.shape = try type(s, path + [.key("shape")], depth: 1, allowAttributeFields: false) }
        if let t = o["tags"] { e.tags = try type(t, path + [.key("tags")], depth: 1, allowAttributeFields: false) }
        return e
    }

    func action(_ name: String, _ def: JSONValue, _ path: [JSONPathComponent]) throws(CedarError) -> SchemaRawAction {
        let o = def == .array([]) ? JSONObject() : try object(def, path, "an action definition")
        try onlyKeys(o, ["memberOf", "appliesTo", "attributes", "annotations"], path, "an action")
        var a = SchemaRawAction(name: name, memberOf: [], appliesTo: nil, annotations: try annotations(o, path), span: span(path))
        if let m = o["memberOf"], !m.isNull {
            let mp = path + [.key("memberOf")]
            for (i, v) in try array(m, mp, "`memberOf`").enumerated() {
                let rp = mp + [.index(i)]
                let ro = try object(v, rp, "an action reference")
                try onlyKeys(ro, ["id", "type"], rp, "an action reference")
                guard let id = ro["id"] else { throw fail("missing field `id` in the action reference", rp) }
                var t: String?
                if let tv = ro["type"], !tv.isNull { t = try string(tv, rp + [.key("type")], "`type`") }
                a.memberOf.append(SchemaRawActionRef(type: t, id: try string(id, rp + [.key("id")], "`id`"), span: span(rp)))
            }
        }
        if let attrs = o["attributes"], !attrs.isNull {
            let ao = try object(attrs, path + [.key("attributes")], "`attributes`")
            if !ao.isEmpty { throw fail("action attributes are not supported; remove `attributes`", path + [.key("attributes")]) }
        }
        if let at = o["appliesTo"], !at.isNull {
            let ap = path + [.key("appliesTo")]
            let ao = try object(at, ap, "`appliesTo`")
            try onlyKeys(ao, ["principalTypes", "resourceTypes", "context"], ap, "`appliesTo`")
            func names(_ key: String) throws(CedarError) -> [SchemaRawName] {
                guard let v = ao[key] else { throw fail("missing field `\(key)` in `appliesTo`", ap) }
                var out: [SchemaRawName] = []
                for (i, n) in try array(v, ap + [.key(key)], "`\(key)`").enumerated() {
                    out.append(SchemaRawName(text: try string(n, ap + [.key(key), .index(i)], "an entity type name"), span: span(ap + [.key(key), .index(i)])))
                }
                return out
            }
            var applies = SchemaRawAppliesTo(principals: try names("principalTypes"), resources: try names("resourceTypes"), context: nil, span: span(ap))
            if let c = ao["context"] { applies.context = try type(c, ap + [.key("context")], depth: 1, allowAttributeFields: false) }
            a.appliesTo = applies
        }
        return a
    }

    func type(
        _ v: JSONValue, _ path: [JSONPathComponent], depth: Int, allowAttributeFields: Bool, allowAnnotations: Bool = false
    ) throws(CedarError) -> SchemaRawType {
        if depth > Self.maxTypeDepth { throw fail("types are nested too deeply (more than \(Self.maxTypeDepth) levels)", path) }
        let o = try object(v, path, "a type")
        guard let tv = o["type"] else { throw fail("missing field `type`", path) }
        let t = try string(tv, path + [.key("type")], "`type`")
        // Only attribute declarations and common type definitions carry annotations.
        let extra = allowAttributeFields ? ["required", "annotations"] : (allowAnnotations ? ["annotations"] : [])
        let here = span(path)
        func named() throws(CedarError) -> String {
            guard let n = o["name"] else { throw fail("missing field `name` for a type of kind `\(t)`", path) }
            return try string(n, path + [.key("name")], "`name`")
        }
        switch t {
        case "String", "Long", "Boolean":
            try onlyKeys(o, ["type"] + extra, path, "a `\(t)` type")
            return SchemaRawType(kind: .primitive(t == "String" ? .string : t == "Long" ? .long : .bool), span: here)
        case "Set":
            try onlyKeys(o, ["type", "element"] + extra, path, "a `Set` type")
            guard let e = o["element"] else { throw fail("missing field `element` for a `Set` type", path) }
            return SchemaRawType(kind: .set(try type(e, path + [.key("element")], depth: depth + 1, allowAttributeFields: false)), span: here)
        case "Record":
            try onlyKeys(o, ["type", "attributes", "additionalAttributes"] + extra, path, "a `Record` type")
            var attrs: [SchemaRawAttribute] = []
            guard let av = o["attributes"] else { throw fail("missing field `attributes` for a `Record` type", path) }
            do {
                let ap = path + [.key("attributes")]
                for (name, def) in try object(av, ap, "`attributes`") {
                    let p = ap + [.key(name)]
                    let t = try type(def, p, depth: depth + 1, allowAttributeFields: true)
                    let defObj = try object(def, p, "an attribute")
                    var required = true
                    if let r = defObj["required"] { required = try bool(r, p + [.key("required")], "`required`") }
                    attrs.append(SchemaRawAttribute(name: name, type: t, required: required, annotations: try annotations(defObj, p), span: span(p)))
                }
            }
            var additional = false
            if let a = o["additionalAttributes"] { additional = try bool(a, path + [.key("additionalAttributes")], "`additionalAttributes`") }
            if additional {
                // Cedar 4 rejects open records in schemas; so do we, so that a schema means the same
                // thing to both.
                throw fail("`additionalAttributes: true` is not supported: declare every attribute (optional ones with `\"required\": false`)", path + [.key("additionalAttributes")])
            }
            return SchemaRawType(kind: .record(attrs, additional: additional), span: here)
        case "Entity":
            try onlyKeys(o, ["type", "name"] + extra, path, "an `Entity` type")
            return SchemaRawType(kind: .entityName(try named()), span: here)
        case "Extension":
            try onlyKeys(o, ["type", "name"] + extra, path, "an `Extension` type")
            return SchemaRawType(kind: .extensionName(try named()), span: here)
        case "EntityOrCommon":
            try onlyKeys(o, ["type", "name"] + extra, path, "an `EntityOrCommon` type")
            return SchemaRawType(kind: .name(try named()), span: here)
        default:
            try onlyKeys(o, ["type"] + extra, path, "a common type reference")
            return SchemaRawType(kind: .commonName(t), span: here)
        }
    }
}

extension Schema {
    /// Parses a schema written in the JSON schema format (`.cedarschema.json`).
    ///
    /// Errors are `CedarError.parse` located at the offending JSON value.
    public static func parseJSON(_ source: [UInt8], file: String = "") throws(CedarError) -> Schema {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(source, file: file)
        } catch {
            let p = SourcePosition(line: error.location.line, column: error.location.column, offset: error.location.offset)
            throw CedarError.parse(message: error.message, span: SourceSpan(file: file, start: p, end: p), expected: [])
        }
        let fragment = try SchemaJSONReader(document: document, file: file).read()
        var resolver = SchemaResolver(fragment: fragment)
        return try resolver.resolve()
    }

    /// Parses a schema written in the JSON schema format.
    public static func parseJSON(_ source: String, file: String = "") throws(CedarError) -> Schema {
        try parseJSON(Array(source.utf8), file: file)
    }
}

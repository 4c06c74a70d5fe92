import Basics
import Crypto
import JSONValue

/// How much an action can change: `read` < `write` < `delete`.
public enum ActionEffect: String, Sendable, Comparable, CaseIterable {
    case read, write, delete

    var rank: Int {
        switch self {
        case .read: return 0
        case .write: return 1
        case .delete: return 2
        }
    }

    public static func < (a: ActionEffect, b: ActionEffect) -> Bool { a.rank < b.rank }
}

/// What else an action does that policies and the boundary check care about.
public enum ActionFlag: String, Sendable, Comparable, CaseIterable {
    /// Sends data outside the organisation.
    case external
    /// Cannot be undone.
    case irreversible
    /// Needs elevated rights.
    case privileged
    /// Reads or writes secret material.
    case secret

    public static func < (a: ActionFlag, b: ActionFlag) -> Bool { a.rawValue < b.rawValue }
}

/// Where a variant points the step.
public enum VariantResource: Sendable, Equatable {
    /// `"$resource.<attribute>"`: the entity the original resource names in that attribute.
    case counterpart(attribute: String)
    /// A fixed entity; the boundary check still requires the original resource to name it.
    case literal(EntityRef)
}

/// A named safer form of an action.
public struct ActionVariant: Sendable {
    /// The variant name, as `@mutate("NAME")` refers to it.
    public var name: String
    /// The action the rewritten step runs (the same action when nil).
    public var action: String?
    /// The resource the rewritten step acts on (the same resource when nil).
    public var resource: VariantResource?
    /// Arguments to set; `null` removes an argument.
    public var args: JSONObject
    /// Where the variant is defined.
    public var location: FileLocation
}

/// One action of the catalog.
public struct CatalogAction: Sendable {
    /// The action name (`deploy`).
    public var name: String
    /// The tool that carries it out (defaults to the action name), for `context.history.tools`.
    public var tool: String
    /// How much it can change.
    public var effect: ActionEffect
    /// Its flags, sorted.
    public var flags: [ActionFlag]
    /// Its variants, in file order.
    public var variants: [ActionVariant]
    /// Where the action is defined.
    public var location: FileLocation

    /// Variant by name.
    public func variant(_ name: String) -> ActionVariant? { variants.first { $0.name == name } }
}

/// The action catalog (`tools.json`): what every action does and its safer variants.
public struct ActionCatalog: Sendable {
    /// Actions by name. No two names are canonically equivalent (`parse` refuses such a pair),
    /// so a lookup finds at most one action; `action(named:)` also checks the bytes.
    public var actions: [String: CatalogAction]
    /// The file it came from.
    public var file: String

    /// The action spelt exactly `name` (code point for code point, as Cedar compares action
    /// ids), nil for any other spelling.
    public func action(named name: String) -> CatalogAction? {
        guard let action = actions[name], action.name.isExactly(name) else { return nil }
        return action
    }

    /// Loads and checks a catalog file.
    public static func load(_ path: String) throws(WorkflowError) -> ActionCatalog {
        try parse(try readFile(path), file: path)
    }

    /// Parses and checks catalog JSON.
    public static func parse(_ bytes: [UInt8], file: String) throws(WorkflowError) -> ActionCatalog {
        let source = try JSONSource.parse(bytes, file: file)
        func fail(_ path: [JSONPathComponent], _ message: String) -> WorkflowError {
            .malformedCatalog(source.location(path), message: message)
        }
        guard case .object(let root) = source.root else {
            throw fail([], "tools.json must be an object {\"actions\": {...}}, found \(source.root.typeName)")
        }
        // `hosts` (tool-call mapping) and `resources` (attribute rules) are read by the gate.
        for key in root.keys where !["actions", "description", "hosts", "resources"].contains(key) {
            throw fail([.key(key)], "unknown catalog key \"\(key)\"; tools.json holds \"actions\" and optionally \"description\", \"hosts\" and \"resources\"")
        }
        guard let actionsValue = root["actions"] else { throw fail([], "tools.json has no \"actions\"; add \"actions\": {\"<name>\": {\"effect\": \"read\"}}") }
        guard case .object(let actionObjects) = actionsValue else {
            throw fail([.key("actions")], "\"actions\" must be an object keyed by action name, found \(actionsValue.typeName)")
        }
        var actions: [String: CatalogAction] = [:]
        for (name, value) in actionObjects {
            let base: [JSONPathComponent] = [.key("actions"), .key(name)]
            guard !name.isEmpty else { throw fail(base, "action names must not be empty") }
            if let other = actions[name] {
                // Two JSON members, but one key for `String`: Cedar would see two actions.
                throw fail(base, "action names \"\(other.name)\" and \"\(name)\" differ only in Unicode normalization; rename one")
            }
            if name == ApprovalCheckpoint.action { throw fail(base, "\"\(name)\" is built in; choose another action name") }
            guard case .object(let object) = value else { throw fail(base, "action \"\(name)\" must be an object with \"effect\", found \(value.typeName)") }
            let allowed: Set<String> = ["effect", "flags", "variants", "tool", "description"]
            for key in object.keys where !allowed.contains(key) {
                let hint = EditDistance.suggestion(for: key, among: allowed).map { "did you mean \"\($0)\"? " } ?? ""
                throw fail(base + [.key(key)], "unknown key \"\(key)\" in action \"\(name)\"; \(hint)allowed keys are \(allowed.sorted().joined(separator: ", "))")
            }
            guard let effectText = object["effect"]?.stringValue else {
                throw fail(object["effect"] == nil ? base : base + [.key("effect")], "action \"\(name)\" needs \"effect\": \"read\", \"write\" or \"delete\"")
            }
            guard let effect = ActionEffect(rawValue: effectText) else {
                throw fail(base + [.key("effect")], "unknown effect \"\(effectText)\"; use \"read\", \"write\" or \"delete\"")
            }
            var flags = Set<ActionFlag>()
            if let flagsValue = object["flags"] {
                guard case .array(let elements) = flagsValue else { throw fail(base + [.key("flags")], "\"flags\" must be an array of strings") }
                for (n, element) in elements.enumerated() {
                    guard let text = element.stringValue, let flag = ActionFlag(rawValue: text) else {
                        throw fail(base + [.key("flags"), .index(n)], "unknown flag \(CanonicalJSON.string(element)); flags are external, irreversible, privileged, secret")
                    }
                    flags.insert(flag)
                }
            }
            var tool = name
            if let toolValue = object["tool"] {
                guard let text = toolValue.stringValue, !text.isEmpty else { throw fail(base + [.key("tool")], "\"tool\" must be a non-empty string") }
                tool = text
            }
            var variants: [ActionVariant] = []
            if let variantsValue = object["variants"] {
                guard case .object(let variantObjects) = variantsValue else {
                    throw fail(base + [.key("variants")], "\"variants\" must be an object keyed by variant name")
                }
                for (variantName, variantValue) in variantObjects {
                    let path = base + [.key("variants"), .key(variantName)]
                    guard case .object(let v) = variantValue else { throw fail(path, "variant \"\(variantName)\" must be an object") }
                    // `input`: the edits of a host's tool input that carry the rewrite out (read by the gate).
                    for key in v.keys where !["action", "resource", "args", "input", "description"].contains(key) {
                        throw fail(path + [.key(key)], "unknown key \"\(key)\" in variant \"\(variantName)\"; a variant sets \"action\", \"resource\", \"args\" and \"input\"")
                    }
                    var variantAction: String?
                    if let a = v["action"] {
                        guard let text = a.stringValue, !text.isEmpty else { throw fail(path + [.key("action")], "variant \"action\" must be an action name") }
                        variantAction = EntityRef.action(text).actionName
                    }
                    var resource: VariantResource?
                    if let r = v["resource"] {
                        if let text = r.stringValue, text.hasPrefix("$resource.") {
                            let attribute = String(text.dropFirst("$resource.".count))
                            guard !attribute.isEmpty, !attribute.contains(".") else {
                                throw fail(path + [.key("resource")], "\"\(text)\" must name one attribute of the resource: \"$resource.<attribute>\"")
                            }
                            resource = .counterpart(attribute: attribute)
                        } else if let entity = EntityRef(json: r) {
                            resource = .literal(entity)
                        } else {
                            throw fail(path + [.key("resource")], "variant \"resource\" must be \"$resource.<attribute>\" or an entity \"Type::\\\"id\\\"\"")
                        }
                    }
                    var args = JSONObject()
                    if let a = v["args"] {
                        guard case .object(let members) = a else { throw fail(path + [.key("args")], "variant \"args\" must be an object") }
                        args = members
                    }
                    if variantAction == nil && resource == nil && args.isEmpty {
                        throw fail(path, "variant \"\(variantName)\" changes nothing; set \"action\", \"resource\" or \"args\"")
                    }
                    variants.append(ActionVariant(name: variantName, action: variantAction, resource: resource, args: args, location: source.location(path)))
                }
            }
            actions[name] = CatalogAction(
                name: name, tool: tool, effect: effect, flags: flags.sorted(), variants: variants, location: source.location(base))
        }
        // Variant actions must exist too.
        for action in actions.values {
            for variant in action.variants {
                if let target = variant.action, actions[target] == nil {
                    let path: [JSONPathComponent] = [.key("actions"), .key(action.name), .key("variants"), .key(variant.name), .key("action")]
                    throw .unknownAction(source.location(path), action: target, suggestion: EditDistance.suggestion(for: target, among: actions.keys))
                }
            }
        }
        return ActionCatalog(actions: actions, file: file)
    }
}

/// SHA-256 (lower-case hex) of the canonical JSON (RFC 8785) of a step.
public func stepDigest(_ step: JSONValue) -> String {
    Hex.encode(SHA256.hash(CanonicalJSON.serialize(step)))
}

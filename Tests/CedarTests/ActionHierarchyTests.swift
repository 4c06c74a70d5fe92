import Foundation
import Testing
import JSONValue
@testable import Cedar

/// Action entities in entity data read against a schema: after the transitive closure of the
/// data's hierarchy, an action's ancestors must be exactly the schema's (also closed). Each
/// verdict is the reference engine's (cedar-policy 4.12).
@Suite struct ActionHierarchyTests {
    static let schema = """
        entity User;
        entity Doc;
        action top;
        action mid in [top];
        action leaf in [mid] appliesTo { principal: [User], resource: [Doc] };
        """

    static func action(_ id: String, _ parents: [String], attrs: String = "{}", tags: String = "{}") -> String {
        let p = parents.map { #"{"type": "Action", "id": "\#($0)"}"# }.joined(separator: ", ")
        return #"{"uid": {"type": "Action", "id": "\#(id)"}, "attrs": \#(attrs), "parents": [\#(p)], "tags": \#(tags)}"#
    }

    /// nil when the reference accepts the data; else the start of its message.
    @Test(arguments: [
        ("direct groups only", [action("leaf", ["mid"]), action("mid", ["top"]), action("top", [])], nil),
        ("every ancestor listed", [action("leaf", ["mid", "top"]), action("mid", ["top"]), action("top", [])], nil),
        ("only the action, every ancestor", [action("leaf", ["mid", "top"])], nil),
        ("a group's group alone", [action("leaf", ["top"]), action("mid", ["top"]), action("top", [])], "definition of action"),
        ("no groups", [action("leaf", []), action("mid", ["top"]), action("top", [])], "definition of action"),
        ("direct group not in the data", [action("leaf", ["mid"])], "definition of action"),
        ("a group too many", [action("mid", ["top", "leaf"])], "definition of action"),
        ("a cycle", [action("leaf", ["mid", "top"]), action("mid", ["top", "leaf"]), action("top", [])], "the entity parents have a cycle"),
        ("itself as parent", [action("leaf", ["leaf", "mid"])], "the entity parents have a cycle"),
        ("attributes", [action("leaf", ["mid", "top"], attrs: #"{"x": 1}"#)], "definition of action"),
        ("tags", [action("top", [], tags: #"{"x": 1}"#)], "definition of action"),
        ("undeclared action", [action("other", [])], "found action entity Action::\"other\", but it was not declared"),
    ])
    func actionsInEntityData(_ name: String, _ entities: [String], _ rejection: String?) throws {
        let schema = try Schema.parse(Self.schema, file: "s.cedarschema")
        let text = "[" + entities.joined(separator: ",\n") + "]"
        do {
            let store = try schema.entities(jsonBytes: Array(text.utf8), file: "e.json")
            #expect(rejection == nil, "\(name): accepted, the reference rejects it")
            // the store holds the schema's hierarchy
            #expect(store.isDescendant(EntityUID(type: "Action", id: "leaf"), of: EntityUID(type: "Action", id: "top")))
        } catch {
            guard let rejection else {
                Issue.record("\(name): rejected (\(error.message)), the reference accepts it")
                return
            }
            #expect(error.message.contains(rejection), "\(name): \(error.message)")
        }
    }
}

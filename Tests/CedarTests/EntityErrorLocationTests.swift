import Testing
@testable import Cedar

/// Errors found after the entity data was read — a cycle in the hierarchy, an entity given
/// twice — carry the place in the data where they are, whatever the reader dropped or added
/// on the way (action entities come from the schema, not from the data).
@Suite("Entity errors located in the data")
struct EntityErrorLocationTests {
    /// A cycle between `G::"a"` (line 3) and `G::"b"` (line 4), after an action entity on line 2.
    static let cycle = """
        [
          {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []},
          {"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "b"}]},
          {"uid": {"type": "G", "id": "b"}, "attrs": {}, "parents": [{"type": "G", "id": "a"}]}
        ]
        """

    static let schema = "entity G in [G]; entity U; action \"read\" appliesTo { principal: U, resource: U };"

    static func expectCycleAtLine3(_ read: () throws(CedarError) -> Entities) {
        do {
            _ = try read()
            Issue.record("the cycle was accepted")
        } catch {
            #expect(error.message == #"the entity parents have a cycle containing G::"a"; Cedar requires an acyclic hierarchy"#)
            guard case .entities(_, let path, let span) = error else { Issue.record("\(error)"); return }
            #expect(path == "[1].parents")
            #expect(span?.file == "e.json")
            #expect(span?.start.line == 3)
            #expect(span?.start.column == 61)
        }
    }

    @Test func aCycleIsLocatedAtTheParentsOfTheEntityItNames() {
        Self.expectCycleAtLine3 { () throws(CedarError) in try Entities(jsonBytes: Array(Self.cycle.utf8), file: "e.json") }
    }

    /// The schema reader drops the data's action entities before building the store; the
    /// location still counts entities as the data lists them.
    @Test func aCycleIsLocatedThroughTheSchemaReader() throws {
        let schema = try Schema.parse(Self.schema)
        Self.expectCycleAtLine3 { () throws(CedarError) in try schema.entities(jsonBytes: Array(Self.cycle.utf8), file: "e.json") }
    }

    @Test func aDuplicateIsLocatedThroughTheSchemaReader() throws {
        let schema = try Schema.parse(Self.schema)
        let data = """
            [
              {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []},
              {"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": []},
              {"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "b"}]}
            ]
            """
        do {
            _ = try schema.entities(jsonBytes: Array(data.utf8), file: "e.json")
            Issue.record("the duplicate was accepted")
        } catch {
            #expect(error.message.hasPrefix(#"duplicate entity G::"a""#))
            #expect(error.span?.start.line == 4, "\(error)")
        }
    }

    /// A store built from values, not from a file, names the entity by its index in the list.
    @Test func aCycleInAListNamesTheIndex() {
        let a = EntityUID(type: "G", id: "a"), b = EntityUID(type: "G", id: "b")
        do {
            _ = try Entities([Entity(uid: b, parents: [a]), Entity(uid: a, parents: [b])])
            Issue.record("the cycle was accepted")
        } catch {
            guard case .entities(_, let path, nil) = error else { Issue.record("\(error)"); return }
            #expect(path == "[1].parents")
        }
    }
}

// Cedar entity JSON, schema-less and against a schema. Invariants: every parent is an ancestor,
// ancestry is transitive, `ancestors(of:)` agrees with `isDescendant`, and a fixed policy set
// evaluates over the entities without a crash.
import Cedar
import JSONValue

let entityFixtures: (schema: Schema, policies: PolicySet) = {
    do {
        let schema = try Schema.parse(readFixture("Tests/CedarTests/Fixtures/schema/agents.cedarschema"), file: "agents.cedarschema")
        let policies = try PolicySet(text: """
            permit (principal in Gov::Team::"t", action, resource) when { principal.labels.contains("x") };
            permit (principal, action, resource is Gov::Repo in Gov::Team::"t") when { resource.sensitivity > 2 };
            forbid (principal, action, resource) when { principal has net && principal.net.ip.isLoopback() };
            forbid (principal, action, resource) when { principal.hasTag("k") && principal.getTag("k") == "v" };
            permit (principal, action, resource) when { resource in principal || principal in resource };
            """, file: "policies.cedar")
        return (schema, policies)
    } catch {
        fatalError("fixtures do not load: \(error)")
    }
}()

func checkAncestry(_ entities: Entities) {
    let all = entities.all
    for entity in all.prefix(64) {
        let ancestors = entities.ancestors(of: entity.uid)
        for parent in entity.parents {
            require(entities.isDescendant(entity.uid, of: parent), "\(entity.uid) is not a descendant of its parent \(parent)")
            if let ancestors { require(ancestors.contains(parent), "the ancestors of \(entity.uid) miss its parent \(parent)") }
            if let grand = entities.ancestors(of: parent), let ancestors {
                require(grand.isSubset(of: ancestors), "ancestry of \(entity.uid) is not transitive through \(parent)")
            }
        }
        if let ancestors {
            for a in ancestors.prefix(64) {
                require(entities.isDescendant(entity.uid, of: a), "ancestors(of:) and isDescendant disagree on \(entity.uid) in \(a)")
            }
        }
    }
    let uids = all.prefix(8).map(\.uid)
    for p in uids {
        for r in uids {
            let request = Request(principal: p, action: EntityUID(type: "Gov::Action", id: "deploy"), resource: r)
            _ = Authorizer.isAuthorized(request, policies: entityFixtures.policies, entities: entities)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntities(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    do {
        checkAncestry(try Entities(jsonBytes: bytes, file: "entities.json"))
    } catch {
        _ = error.description
    }
    do {
        checkAncestry(try entityFixtures.schema.entities(jsonBytes: bytes, file: "entities.json"))
    } catch {
        _ = error.description
    }
    return 0
}

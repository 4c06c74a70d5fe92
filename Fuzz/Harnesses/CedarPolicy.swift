// Cedar policy parser, formatter, validator and evaluator. Invariants: every text that parses
// formats; formatted text parses and formats to itself; formatting keeps the meaning (the same
// decisions, reasons and errors for a fixed set of requests); validation and evaluation finish.
import Cedar
import JSONValue

let cedarFixtures: (entities: Entities, schema: Schema, requests: [Request]) = {
    let entities: Entities
    let schema: Schema
    do {
        entities = try Entities(
            jsonBytes: readFixture("Tests/CedarTests/Fixtures/cedar-integration/sample-data/sandbox_a/entities.json"),
            file: "entities.json")
        schema = try Schema.parse(readFixture("Tests/CedarTests/Fixtures/schema/agents.cedarschema"), file: "agents.cedarschema")
    } catch {
        fatalError("fixtures do not load: \(error)")
    }
    let context: [String: Value] = [
        "authenticated": .bool(true), "step": .long(3), "name": .string("deploy"),
        "labels": .set([.string("prod"), .string("pii")]),
        "owner": .entity(EntityUID(type: "User", id: "alice")),
        "nested": .record(["n": .long(Int64.max), "s": .string("")]),
    ]
    let requests = [
        Request(principal: EntityUID(type: "User", id: "alice"), action: EntityUID(type: "Action", id: "view"),
                resource: EntityUID(type: "Photo", id: "VacationPhoto94.jpg"), context: context),
        Request(principal: EntityUID(type: "User", id: "bob"), action: EntityUID(type: "Action", id: "edit"),
                resource: EntityUID(type: "Album", id: "jane_vacation"), context: [:]),
        Request(principal: EntityUID(type: "Gov::Agent", id: "bot"), action: EntityUID(type: "Gov::Action", id: "deploy"),
                resource: EntityUID(type: "Gov::Repo", id: "r"), context: context),
    ]
    return (entities, schema, requests)
}()

func decisions(_ policies: [Policy]) -> [Response]? {
    guard let set = try? PolicySet(policies: policies.filter { !$0.isTemplate }) else { return nil }
    return cedarFixtures.requests.map { Authorizer.isAuthorized($0, policies: set, entities: cedarFixtures.entities) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCedarPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let parsed: PolicyFile
    do {
        parsed = try Parser.parse(bytes, file: "fuzz.cedar")
    } catch {
        _ = error.description
        return 0
    }
    // Parsed text is valid UTF-8 (the lexer checks), so the String is the same bytes.
    let text = String(decoding: bytes, as: UTF8.self)
    _ = Validator.check(policies: parsed.policies, schema: cedarFixtures.schema)
    let before = decisions(parsed.policies)

    let formatted: String
    do {
        formatted = try CedarFormatter.format(source: text, file: "fuzz.cedar")
    } catch {
        require(false, "parsed but does not format: \(error)")
        return 0
    }
    let reparsed: PolicyFile
    do {
        reparsed = try Parser.parse(formatted, file: "formatted.cedar")
    } catch {
        require(false, "formatted text does not parse: \(error)\n--- formatted ---\n\(formatted)")
        return 0
    }
    require(reparsed.policies.count == parsed.policies.count,
            "formatting changed the number of policies from \(parsed.policies.count) to \(reparsed.policies.count)")
    for (a, b) in zip(parsed.policies, reparsed.policies) {
        require(a.effect == b.effect && a.isTemplate == b.isTemplate && a.annotations.count == b.annotations.count
                && a.conditions.count == b.conditions.count, "formatting changed policy \(a.id)")
    }
    do {
        let twice = try CedarFormatter.format(source: formatted, file: "formatted.cedar")
        require(twice == formatted, "formatting is not idempotent\n--- once ---\n\(formatted)--- twice ---\n\(twice)")
    } catch {
        require(false, "formatted text does not format: \(error)")
    }
    let after = decisions(reparsed.policies)
    if let before, let after {
        for (x, y) in zip(before, after) {
            require(x.decision == y.decision && x.reasons == y.reasons && x.errors.map(\.message) == y.errors.map(\.message),
                    "formatting changed a decision: \(x) vs \(y)\n--- formatted ---\n\(formatted)")
        }
    } else {
        require(before == nil && after == nil, "formatting changed whether the policies form a set")
    }
    return 0
}

// Cedar schemas in both formats. Input starting with `{` (after blanks) is read as the JSON
// format, anything else as the Cedar schema format. Invariants: a schema written in the JSON
// format reads back equal and writes the same bytes again; validating a fixed policy set and
// reading fixed entities against any accepted schema finish without a crash.
import Cedar
import JSONValue

let schemaFixtures: (policies: [Policy], entities: [UInt8]) = {
    let text = readFixture("Tests/CedarTests/Fixtures/validator/random1-policies.txt")
    var policies: [Policy] = []
    // One policy per line; lines that do not parse on their own are skipped.
    for line in text.split(separator: UInt8(ascii: "\n")) {
        if let file = try? Parser.parse(Array(line), file: "policies.cedar") { policies += file.policies }
    }
    let entities = Array("""
        [{"uid": {"type": "Gov::Agent", "id": "a"}, "attrs": {"owner": {"__entity": {"type": "Gov::Team", "id": "t"}},
          "spiffe": "spiffe://x/a", "labels": ["x"], "net": {"ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}}},
          "parents": [{"type": "Gov::Team", "id": "t"}], "tags": {"k": "v"}},
         {"uid": {"type": "Gov::Team", "id": "t"}, "attrs": {}, "parents": []}]
        """.utf8)
    return (policies, entities)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCedarSchema(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let isJSON = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "{")
    let schema: Schema
    do {
        schema = isJSON ? try Schema.parseJSON(bytes, file: "fuzz.cedarschema.json") : try Schema.parse(bytes, file: "fuzz.cedarschema")
    } catch {
        _ = error.description
        return 0
    }
    let written = CanonicalJSON.serialize(schema.json)
    do {
        let back = try Schema.parseJSON(written, file: "written.cedarschema.json")
        require(back == schema, "the JSON form reads back as a different schema:\n\(String(decoding: written, as: UTF8.self))")
        let again = CanonicalJSON.serialize(back.json)
        require(again == written, "the JSON form is not stable:\n\(String(decoding: written, as: UTF8.self))\n\(String(decoding: again, as: UTF8.self))")
    } catch {
        require(false, "the JSON form of an accepted schema is refused: \(error)\n\(String(decoding: written, as: UTF8.self))")
    }
    _ = Validator.check(policies: schemaFixtures.policies, schema: schema)
    _ = try? schema.entities(jsonBytes: schemaFixtures.entities, file: "entities.json")
    return 0
}

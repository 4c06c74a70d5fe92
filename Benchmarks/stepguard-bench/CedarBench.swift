// Cedar authorization benchmark: a generated agent-governance workload of N policies and
// M requests, written to files (so another engine can be fed the same workload) and timed here.
import Cedar
import Foundation
import JSONValue

/// Deterministic generator (SplitMix64) so a seed always gives the same workload.
private struct BenchRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
}

/// The generated workload.
struct CedarWorkload {
    var policies: String
    var entities: JSONValue
    var requests: [JSONValue]
}

/// The schema the generated entities, requests and policies follow: agents in (nested) groups,
/// resources in (nested) folders, read-like and mutating action groups, and a request context
/// carrying the risk score, source address, amount and change ticket.
let cedarBenchSchema = """
    type RequestContext = { risk: Long, src: ipaddr, amount: decimal, ticket?: String };
    entity Group in [Group];
    entity Agent in [Group] { level: Long, owner: String, trusted: Bool, labels: Set<String> };
    entity Folder in [Folder] { env: String };
    entity Resource in [Folder] {
      env: String,
      sensitivity: Long,
      labels: Set<String>,
      owner: Agent,
      name: String
    };
    action reading, mutating;
    action read, export, clone in [reading]
      appliesTo { principal: [Agent], resource: [Resource], context: RequestContext };
    action write, delete, deploy, push, apply, exec, approve in [mutating]
      appliesTo { principal: [Agent], resource: [Resource], context: RequestContext };

    """

private let benchActions = ["read", "write", "delete", "export", "deploy", "clone", "push", "apply", "exec", "approve"]
private let benchEnvs = ["prod", "staging", "dev"]
private let benchLabels = ["pii", "finance", "infra", "public", "ml", "secret"]

/// Builds `policyCount` policies and `requestCount` requests over agents, groups, folders and
/// resources, in the style of an agent governance pack.
func makeCedarWorkload(policyCount: Int, requestCount: Int, seed: UInt64) -> CedarWorkload {
    var r = BenchRandom(state: seed)
    let agents = 200, groups = 20, folders = 50, resources = 2000
    var ents: [JSONValue] = []
    func uid(_ t: String, _ id: String) -> JSONValue { ["type": .string(t), "id": .string(id)] }
    for g in 0..<groups {
        let parents: [JSONValue] = g >= 4 ? [uid("Group", "g\(g % 4)")] : []
        ents.append(["uid": uid("Group", "g\(g)"), "attrs": [:], "parents": .array(parents)])
    }
    for a in 0..<agents {
        let attrs: JSONValue = .object(JSONObject([
            ("level", .int(Int64(r.int(6)))), ("owner", .string(r.pick(["sec", "platform", "data", "ml"]))),
            ("trusted", .bool(r.chance(0.5))),
            ("labels", .array([.string(r.pick(benchLabels)), .string(r.pick(benchLabels))])),
        ]))
        let parents: [JSONValue] = [uid("Group", "g\(r.int(groups))"), uid("Group", "g\(r.int(groups))")]
        ents.append(["uid": uid("Agent", "a\(a)"), "attrs": attrs, "parents": .array(parents)])
    }
    for f in 0..<folders {
        let parents: [JSONValue] = f >= 10 ? [uid("Folder", "f\(f % 10)")] : []
        ents.append(["uid": uid("Folder", "f\(f)"), "attrs": ["env": .string(benchEnvs[f % 3])], "parents": .array(parents)])
    }
    for i in 0..<resources {
        let attrs: JSONValue = .object(JSONObject([
            ("env", .string(r.pick(benchEnvs))), ("sensitivity", .int(Int64(r.int(4)))),
            ("labels", .array([.string(r.pick(benchLabels))])),
            ("owner", ["__entity": uid("Agent", "a\(r.int(agents))")]),
            ("name", .string(r.pick(["app", "db-main", "secrets/key", "logs/app", "ml/model"]))),
        ]))
        ents.append(["uid": uid("Resource", "r\(i)"), "attrs": attrs, "parents": .array([uid("Folder", "f\(r.int(folders))")])])
    }
    for a in benchActions {
        let parent = ["read", "export", "clone"].contains(a) ? "reading" : "mutating"
        ents.append(["uid": uid("Action", a), "attrs": [:], "parents": .array([uid("Action", parent)])])
    }
    ents.append(["uid": uid("Action", "reading"), "attrs": [:], "parents": []])
    ents.append(["uid": uid("Action", "mutating"), "attrs": [:], "parents": []])

    var policies: [String] = []
    let conditions = [
        "resource.env == \"prod\"", "context.risk < 5", "principal.level >= 2", "resource.sensitivity <= principal.level",
        "principal.labels.contains(\"pii\")", "context.src.isInRange(ip(\"10.0.0.0/8\"))", "resource.owner == principal",
        "resource.name like \"secrets/*\"", "context has ticket && context.ticket like \"CHG-*\"", "principal.trusted",
        "resource.labels.containsAny(principal.labels)", "context.amount.lessThan(decimal(\"100.0\"))",
    ]
    for i in 0..<policyCount {
        let effect = r.chance(0.3) ? "forbid" : "permit"
        let principal: String
        switch r.int(4) {
        case 0: principal = "principal == Agent::\"a\(r.int(agents))\""
        case 1, 2: principal = "principal in Group::\"g\(r.int(groups))\""
        default: principal = "principal is Agent"
        }
        let action: String
        switch r.int(3) {
        case 0: action = "action == Action::\"\(r.pick(benchActions))\""
        case 1: action = "action in [Action::\"\(r.pick(benchActions))\", Action::\"\(r.pick(benchActions))\"]"
        default: action = "action in Action::\"\(r.pick(["reading", "mutating"]))\""
        }
        let resource: String
        switch r.int(3) {
        case 0: resource = "resource in Folder::\"f\(r.int(folders))\""
        case 1: resource = "resource == Resource::\"r\(r.int(resources))\""
        default: resource = "resource is Resource in Folder::\"f\(r.int(10))\""
        }
        var text = "@id(\"bench-\(i)\")\n\(effect)(\(principal), \(action), \(resource))"
        for _ in 0..<(1 + r.int(2)) {
            text += "\n\(r.chance(0.8) ? "when" : "unless") { \(r.pick(conditions)) }"
        }
        policies.append(text + ";")
    }
    var requests: [JSONValue] = []
    for _ in 0..<requestCount {
        var ctx: [(String, JSONValue)] = [
            ("risk", .int(Int64(r.int(10)))),
            ("src", ["__extn": ["fn": "ip", "arg": .string(r.chance(0.5) ? "10.1.2.3" : "192.168.1.9")]]),
            ("amount", ["__extn": ["fn": "decimal", "arg": .string(r.chance(0.5) ? "12.5" : "250.0")]]),
        ]
        if r.chance(0.5) { ctx.append(("ticket", .string(r.chance(0.5) ? "CHG-1" : "INC-2"))) }
        requests.append(.object(JSONObject([
            ("principal", .string("Agent::\"a\(r.int(agents))\"")),
            ("action", .string("Action::\"\(r.pick(benchActions))\"")),
            ("resource", .string("Resource::\"r\(r.int(resources))\"")),
            ("context", .object(JSONObject(ctx))),
        ])))
    }
    return CedarWorkload(policies: policies.joined(separator: "\n\n") + "\n", entities: .array(ents), requests: requests)
}

/// `stepguard-bench cedar [--policies N] [--requests M] [--seed S] [--out DIR] [--repeat K]`:
/// generates the workload, writes it to DIR when given (policies.cedar, schema.cedarschema,
/// entities.json, requests.jsonl), then times in-process authorization of every request and prints the
/// throughput. Returns the process exit status.
public func runCedarBenchmark(arguments: [String]) -> Int32 {
    var policyCount = 100, requestCount = 20_000, seed: UInt64 = 1, repeatCount = 3
    var outDir: String? = nil
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        let v = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch a {
        case "--policies": policyCount = Int(v) ?? policyCount; i += 1
        case "--requests": requestCount = Int(v) ?? requestCount; i += 1
        case "--seed": seed = UInt64(v) ?? seed; i += 1
        case "--repeat": repeatCount = max(1, Int(v) ?? repeatCount); i += 1
        case "--out": outDir = v; i += 1
        case "cedar": break
        default:
            FileHandle.standardError.write(Data("usage: stepguard-bench cedar [--policies N] [--requests M] [--seed S] [--repeat K] [--out DIR]\n".utf8))
            return 2
        }
        i += 1
    }
    let w = makeCedarWorkload(policyCount: policyCount, requestCount: requestCount, seed: seed)
    if let outDir {
        let d = URL(fileURLWithPath: outDir)
        let lines = w.requests.map { JSONWriter.compact($0) }.joined(separator: "\n") + "\n"
        do {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try Data(w.policies.utf8).write(to: d.appendingPathComponent("policies.cedar"))
            try Data(cedarBenchSchema.utf8).write(to: d.appendingPathComponent("schema.cedarschema"))
            try Data(JSONWriter.compact(w.entities).utf8).write(to: d.appendingPathComponent("entities.json"))
            try Data(lines.utf8).write(to: d.appendingPathComponent("requests.jsonl"))
        } catch {
            FileHandle.standardError.write(Data("cedar benchmark: cannot write the workload to \(outDir): \(error)\n".utf8))
            return 2
        }
    }
    do {
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let policies = try PolicySet(text: w.policies, file: "policies.cedar")
        let entStart = DispatchTime.now().uptimeNanoseconds
        let entities = try Entities(json: w.entities)
        let entMs = Double(DispatchTime.now().uptimeNanoseconds - entStart) / 1e6
        var requests: [Request] = []
        requests.reserveCapacity(w.requests.count)
        for r in w.requests {
            guard case .record(let ctx) = try Value(json: r["context"] ?? [:]) else { continue }
            requests.append(Request(principal: try EntityUID(json: r["principal"]!), action: try EntityUID(json: r["action"]!),
                                    resource: try EntityUID(json: r["resource"]!), context: ctx))
        }
        let loadMs = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e6
        var best = Double.infinity
        var allows = 0
        for _ in 0..<repeatCount {
            allows = 0
            let t0 = DispatchTime.now().uptimeNanoseconds
            for req in requests where Authorizer.isAuthorized(req, policies: policies, entities: entities).decision == .allow {
                allows += 1
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let perSecond = Double(requests.count) / best
        print("cedar: \(policyCount) policies, \(requests.count) requests, \(allows) allowed; load \(String(format: "%.1f", loadMs)) ms (entities \(String(format: "%.1f", entMs)) ms)")
        print("cedar: \(String(format: "%.0f", perSecond)) requests/s, \(String(format: "%.2f", best * 1e6 / Double(requests.count))) µs/request (best of \(repeatCount))")
        return 0
    } catch {
        FileHandle.standardError.write(Data("cedar benchmark: \(error)\n".utf8))
        return 2
    }
}

// Gate benchmark inputs: a project whose .stepguard/ holds the coding-agent example's mapping
// with a generated policy set and entities, and an audit log of many records in which one
// session already made its earlier calls; plus the PreToolUse event of that session's next call.
// Benchmarks/gate/run.sh times `stepguard gate` on them as a whole process.
import AuditLog
import Foundation
import JSONValue

/// Writes the inputs. Arguments: `--out DIR` (required), `--policies N` (generated policies on
/// top of the example's), `--entities N`, `--session-steps N` (earlier calls of the session),
/// `--log-records N` (records in the log, the session's included), `--example DIR` (the
/// coding-agent example, default policies/examples/coding-agent).
func runGateBenchmark(arguments: [String]) -> Int32 {
    guard let options = BenchOptions(
            arguments, benchmark: "gate", known: ["--out", "--policies", "--entities", "--session-steps", "--log-records", "--example"]),
          let policyCount = options.int("--policies", 100), let entityCount = options.int("--entities", 100),
          let sessionSteps = options.int("--session-steps", 1000), let logRecords = options.int("--log-records", 1_000_000)
    else { return 2 }
    let out = options.text("--out")
    let example = options.text("--example") ?? "policies/examples/coding-agent"
    guard let out else {
        FileHandle.standardError.write(Data("gate benchmark: --out DIR is required\n".utf8))
        return 2
    }
    do {
        try writeGateInputs(
            out: out, example: example, policies: policyCount, entities: entityCount, sessionSteps: sessionSteps,
            logRecords: max(logRecords, sessionSteps))
    } catch {
        FileHandle.standardError.write(Data("gate benchmark: \(error)\n".utf8))
        return 2
    }
    return 0
}

/// The session whose next call is timed.
let gateBenchSession = "bench-session"

private func writeGateInputs(out: String, example: String, policies policyCount: Int, entities entityCount: Int,
                             sessionSteps: Int, logRecords: Int) throws {
    let fm = FileManager.default
    let project = URL(fileURLWithPath: out).standardizedFileURL.path
    let directory = project + "/.stepguard/policies"
    try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try? fm.removeItem(atPath: project + "/.stepguard/audit.log")
    try? fm.removeItem(atPath: project + "/.stepguard/audit.log.sessions")

    // The example's catalog, with one generated action per ten generated policies.
    let catalogText = try String(contentsOfFile: example + "/tools.json", encoding: .utf8)
    guard case .object(var catalog) = try JSONParser.parse(catalogText), case .object(var actions)? = catalog["actions"] else {
        throw GateBenchError("\(example)/tools.json has no actions")
    }
    let generatedActions = max(1, policyCount / 10)
    // (one generated action per ten policies)
    for a in 0..<generatedActions {
        actions["gen.op\(a)"] = .object(JSONObject([("effect", .string(a % 3 == 0 ? "read" : "write")), ("tool", .string("gen\(a % 7)"))]))
    }
    catalog["actions"] = .object(actions)
    try (JSONWriter.pretty(.object(catalog), sortKeys: false) + "\n").write(toFile: directory + "/tools.json", atomically: true, encoding: .utf8)
    try? fm.removeItem(atPath: directory + "/policies.cedar")
    try? fm.removeItem(atPath: directory + "/tests")
    try fm.copyItem(atPath: example + "/policies.cedar", toPath: directory + "/policies.cedar")
    // The example's policies count towards the total.
    let exampleText = try String(contentsOfFile: example + "/policies.cedar", encoding: .utf8)
    let generatedCount = max(0, policyCount - (exampleText.components(separatedBy: "@id(").count - 1))

    // Generated policies: permits and forbids over the generated actions, their conditions on
    // the resource's facts and the session's history, as a large organisation's set would be.
    var text = ""
    for n in 0..<generatedCount {
        let action = "gen.op\(n % generatedActions)"
        switch n % 4 {
        case 0:
            text += "@id(\"gen-permit-\(n)\")\npermit (principal == Agent::\"claude-code\", action == Action::\"\(action)\", resource)\nwhen { context.resource.sensitivity < \(n % 5) };\n\n"
        case 1:
            text += "@id(\"gen-forbid-\(n)\")\n@reason(\"generated forbid \(n)\")\nforbid (principal, action == Action::\"\(action)\", resource is File)\nwhen { context.history.labels.contains(\"label\(n % 13)\") };\n\n"
        case 2:
            text += "@id(\"gen-forbid-\(n)\")\nforbid (principal, action == Action::\"\(action)\", resource)\nwhen { context has resource && context.resource has environment && context.resource.environment == \"env\(n % 5)\" };\n\n"
        default:
            text += "@id(\"gen-permit-\(n)\")\npermit (principal in Group::\"team\(n % 8)\", action == Action::\"\(action)\", resource in Folder::\"f\(n % 50)\");\n\n"
        }
    }
    try text.write(toFile: directory + "/generated.cedar", atomically: true, encoding: .utf8)

    // Entities: files of the project in folders, with labels and sensitivity.
    var entities: [JSONValue] = []
    func uid(_ type: String, _ id: String) -> JSONValue { .object(JSONObject([("type", .string(type)), ("id", .string(id))])) }
    for f in 0..<50 { entities.append(.object(JSONObject([("uid", uid("Folder", "f\(f)")), ("attrs", .object(JSONObject())), ("parents", .array([]))]))) }
    for e in 0..<entityCount {
        let attrs = JSONObject([
            ("labels", .array([.string("label\(e % 13)")])), ("sensitivity", .int(Int64(e % 4))),
        ])
        entities.append(.object(JSONObject([
            ("uid", uid("File", "\(project)/src/file\(e).py")), ("attrs", .object(attrs)), ("parents", .array([uid("Folder", "f\(e % 50)")])),
        ])))
    }
    try (JSONWriter.compact(.array(entities), sortKeys: false) + "\n").write(toFile: directory + "/entities.json", atomically: true, encoding: .utf8)

    // The log: other sessions' records with the session's earlier calls spread evenly among them.
    let log = project + "/.stepguard/audit.log"
    fm.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    var buffer: [UInt8] = []
    buffer.reserveCapacity(8 << 20)
    var prev = AuditLog.genesis
    let every = max(1, logRecords / max(1, sessionSteps))
    var sessionWritten = 0
    // As the gate writes them: the tool input and cwd, and each session's records chained.
    var sessionLast: [String: Digest32] = [:]
    for seq in 0..<logRecords {
        let ours = seq % every == every - 1 && sessionWritten < sessionSteps
        let plan = ours ? gateBenchSession : "other-\(seq % 997)"
        let step = ours ? "toolu_earlier\(sessionWritten)" : "toolu_\(seq)"
        if ours { sessionWritten += 1 }
        let file = "\(project)/src/file\(seq % max(1, entityCount)).py"
        let event = JSONValue.object(JSONObject([
            ("kind", "decision"), ("plan", .string(plan)), ("step", .string(step)), ("principal", "Agent::\"claude-code\""),
            ("action", "fs.read"), ("resource", .string("File::\"\(file)\"")),
            ("outcome", "allow"), ("policies", ["agent-works-in-project"]), ("host", "claude-code"), ("tool", "Read"),
            ("cwd", .string(project)), ("input", .object(JSONObject([("file_path", .string(file))]))),
            (AuditLog.sessionPrevField, .string((sessionLast[plan] ?? AuditLog.genesis).hex)),
        ]))
        let line = try AuditLog.recordLine(event: event, seq: seq, prev: prev, time: "2026-01-01T00:00:00Z")
        prev = AuditLog.hash(line: line)
        sessionLast[plan] = prev
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        if buffer.count > (8 << 20) - 4096 {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(buffer))
    try handle.close()

    // The next call of the session.
    let event = JSONValue.object(JSONObject([
        ("session_id", .string(gateBenchSession)), ("transcript_path", "/tmp/transcript.jsonl"), ("cwd", .string(project)),
        ("permission_mode", "default"), ("hook_event_name", "PreToolUse"), ("tool_name", "Read"),
        ("tool_input", .object(JSONObject([("file_path", .string("\(project)/src/file1.py"))]))), ("tool_use_id", "toolu_next"),
    ]))
    try (JSONWriter.compact(event, sortKeys: false) + "\n").write(toFile: project + "/event.json", atomically: true, encoding: .utf8)
    print("wrote \(project): \(policyCount) policies, \(entityCount) entities, \(logRecords) log records (\(sessionWritten) of session \(gateBenchSession))")
}

struct GateBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// Replay benchmark input: a Claude Code transcript (JSON Lines) of many sessions of a coding
// agent in /work/app, each call answered by a tool result, for the coding-agent example's
// policies. Benchmarks/replay/run.sh times `stepguard replay` on it.
import Foundation
import JSONValue

/// Writes the transcript. Arguments: `--out FILE` (required), `--sessions N` (default 1,000),
/// `--calls N` (calls per session, default 100).
func runReplayBenchmark(arguments: [String]) -> Int32 {
    guard let options = BenchOptions(arguments, benchmark: "replay", known: ["--out", "--sessions", "--calls"]),
          let sessions = options.int("--sessions", 1000), let calls = options.int("--calls", 100)
    else { return 2 }
    let out = options.text("--out")
    guard let out else {
        FileHandle.standardError.write(Data("replay benchmark: --out FILE is required\n".utf8))
        return 2
    }
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: out) else {
        FileHandle.standardError.write(Data("replay benchmark: cannot write \(out)\n".utf8))
        return 2
    }
    var buffer = ""
    for session in 0..<sessions {
        let id = String(format: "%08x-0000-4000-8000-%012x", session, session)
        for call in 0..<calls {
            let (tool, input) = replayBenchCall(session: session, call: call)
            let toolUseID = "toolu_\(session)_\(call)"
            let time = replayBenchTime(session: session, call: call)
            let common: [(String, JSONValue)] = [("sessionId", .string(id)), ("cwd", "/work/app"), ("timestamp", .string(time))]
            buffer += JSONWriter.compact(.object(JSONObject([("type", "assistant")] + common + [
                ("message", .object(JSONObject([
                    ("role", "assistant"),
                    ("content", .array([.object(JSONObject([
                        ("type", "tool_use"), ("id", .string(toolUseID)), ("name", .string(tool)), ("input", .object(input)),
                    ]))])),
                ]))),
            ])), sortKeys: false) + "\n"
            buffer += JSONWriter.compact(.object(JSONObject([("type", "user")] + common + [
                ("message", .object(JSONObject([
                    ("role", "user"),
                    ("content", .array([.object(JSONObject([("type", "tool_result"), ("tool_use_id", .string(toolUseID)), ("content", "ok")]))])),
                ]))),
            ])), sortKeys: false) + "\n"
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer = ""
            }
        }
    }
    handle.write(Data(buffer.utf8))
    try? handle.close()
    return 0
}

/// The time of a call: sessions a minute apart, calls five seconds apart.
private func replayBenchTime(session: Int, call: Int) -> String {
    let seconds = 1_796_000_000 + session * 60 + call * 5
    let date = Date(timeIntervalSince1970: TimeInterval(seconds))
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}

/// The call at `call` of a session: mostly reads, searches, edits and commands, with every
/// outcome of the example among them (a dependency, a force push, a CI change, a production
/// apply, a deploybot delete, a delete outside the project) and, in every other session, a
/// secret read followed by egress that the chain rule stops.
private func replayBenchCall(session: Int, call: Int) -> (String, JSONObject) {
    func input(_ pairs: [(String, String)]) -> JSONObject { JSONObject(pairs.map { ($0.0, JSONValue.string($0.1)) }) }
    if session % 2 == 0 && call == 60 { return ("Read", input([("file_path", "/work/app/.env")])) }
    switch call % 20 {
    case 0, 1, 2: return ("Read", input([("file_path", "/work/app/src/module\(call % 7).py")]))
    case 3: return ("Grep", input([("pattern", "def total"), ("path", "src")]))
    case 4, 5: return ("Edit", input([("file_path", "/work/app/src/module\(call % 5).py"), ("old_string", "a"), ("new_string", "b")]))
    case 6: return ("Bash", input([("command", "python -m pytest tests/")]))
    case 7: return ("WebFetch", input([("url", "https://docs.python.org/3/library/decimal.html"), ("prompt", "rounding")]))
    case 8: return ("Bash", input([("command", "pip install pytest-randomly")]))
    case 9: return ("Bash", input([("command", "git push --force origin main")]))
    case 10: return ("Write", input([("file_path", "/work/app/.github/workflows/ci.yml"), ("content", "name: ci\n")]))
    case 11: return ("Bash", input([("command", "curl -s https://status.example.com/api/v2/summary.json")]))
    case 12: return ("Bash", input([("command", "kubectl --context prod-eu apply -f deploy/app.yaml")]))
    case 13: return ("mcp__deploybot__list_environments", JSONObject())
    case 14: return ("mcp__deploybot__delete_environment", input([("name", "staging-\(call % 4)")]))
    case 15: return ("Bash", input([("command", "rm -rf /var/cache/app-build")]))
    case 16: return ("TodoWrite", JSONObject([("todos", .array([]))]))
    case 17: return ("Glob", input([("pattern", "**/*.py")]))
    default: return ("Bash", input([("command", "git status")]))
    }
}

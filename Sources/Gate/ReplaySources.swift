import Basics
import JSONValue
import Workflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The recordings `stepguard replay` reads, each a JSON Lines file.
public enum RecordingKind: String, Sendable, CaseIterable {
    /// A Claude Code transcript (the JSONL behind a hook event's `transcript_path`): the
    /// assistant messages' `tool_use` blocks, in order, and the `tool_result` blocks that answer them.
    case transcript
    /// A stepguard audit log: the gate's decision records, re-decided.
    case log
    /// Hook events of a host, one per line, in the shape its hook receives them.
    case events

    /// The kind of a recording whose first record is `first`: a log record carries `seq` and
    /// `prev`, a hook event `hook_event_name`, a transcript line `type` and `sessionId`.
    public static func detect(_ first: JSONValue) -> RecordingKind? {
        if first["seq"] != nil && first["prev"] != nil && first["kind"] != nil { return .log }
        if first["hook_event_name"] != nil { return .events }
        if first["type"]?.stringValue != nil && ["sessionId", "message", "uuid", "leafUuid"].contains(where: { first[$0] != nil }) { return .transcript }
        return nil
    }
}

/// Reads recorded tool calls.
public enum Recording {
    /// The calls of the recording at `path` (`-` for stdin), of `kind` (detected from its first
    /// record when nil). `host` names the adapter for hook events; transcripts are Claude Code's,
    /// and log records name their host.
    public static func read(_ path: String, kind: RecordingKind?, host: String) throws(GateError) -> (RecordingKind, [RecordedCall]) {
        let file = path == "-" ? "<stdin>" : path
        var lines: [(number: Int, value: JSONValue)] = []
        try LineStream.forEach(path) { (number, bytes) throws(GateError) in
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
            do throws(JSONParseError) {
                lines.append((number, try JSONParser.parse(Array(bytes), file: file)))
            } catch {
                throw .malformedRecording(FileLocation(file: file, line: number, column: error.location.column), message: "not JSON: \(error.message)")
            }
        }
        guard let first = lines.first else { return (kind ?? .events, []) }
        guard let kind = kind ?? RecordingKind.detect(first.value) else {
            throw .malformedRecording(FileLocation(file: file, line: first.number, column: 1), message:
                "cannot tell what this recording is: its first record is not a transcript line, an audit log record or a hook event; name it with --input transcript|log|events")
        }
        switch kind {
        case .transcript: return (kind, try transcript(lines, file: file))
        case .log: return (kind, try log(lines, file: file))
        case .events: return (kind, try events(lines, file: file, host: host))
        }
    }

    /// Claude Code's transcript: every `tool_use` block of an assistant message, in order (a
    /// message streamed over several lines repeats none: the first block with an id counts),
    /// at the line's session, `cwd` and `timestamp`; it ran when a `tool_result` block answers it.
    static func transcript(_ lines: [(number: Int, value: JSONValue)], file: String) throws(GateError) -> [RecordedCall] {
        var calls: [RecordedCall] = []
        var index: [String: Int] = [:]
        var answered = Set<String>()
        for (number, line) in lines {
            guard case .array(let blocks)? = line["message"]?["content"] else { continue }
            let type = line["type"]?.stringValue
            for (position, block) in blocks.enumerated() {
                let at = FileLocation(file: file, line: number, column: 1, path: "message.content[\(position)]")
                switch (type, block["type"]?.stringValue) {
                case ("assistant", "tool_use"):
                    guard let id = block["id"]?.stringValue, !id.isEmpty else { throw .malformedRecording(at, message: "a tool_use block needs a string \"id\"") }
                    if index[id] != nil { continue }
                    guard let name = block["name"]?.stringValue, !name.isEmpty else { throw .malformedRecording(at, message: "tool_use \"\(id)\" needs a string \"name\"") }
                    guard case .object(let input)? = block["input"] else { throw .malformedRecording(at, message: "tool_use \"\(id)\" needs an object \"input\"") }
                    guard let session = line["sessionId"]?.stringValue, !session.isEmpty else {
                        throw .malformedRecording(at, message: "the line of tool_use \"\(id)\" has no \"sessionId\"")
                    }
                    guard let cwd = line["cwd"]?.stringValue, cwd.hasPrefix("/") else {
                        throw .malformedRecording(at, message: "the line of tool_use \"\(id)\" has no absolute \"cwd\"")
                    }
                    index[id] = calls.count
                    calls.append(RecordedCall(
                        call: ToolCall(session: session, toolUseID: id, tool: name, input: input, cwd: cwd), host: ClaudeCode.name,
                        location: at, clock: line["timestamp"]?.stringValue.flatMap(Clock.init(iso8601:)), ran: false))
                case ("user", "tool_result"):
                    if let id = block["tool_use_id"]?.stringValue { answered.insert(id) }
                default:
                    continue
                }
            }
        }
        for (id, position) in index where answered.contains(id) { calls[position].ran = true }
        return calls
    }

    /// An audit log: the first decision record of each call the gate decided (one with `host`,
    /// `tool`, `cwd` and `input`), in log order, at its recorded `clock`; it ran when an
    /// approval or an execution record of the same call follows. Records of plans (`eval`,
    /// `mint`) are passed over.
    static func log(_ lines: [(number: Int, value: JSONValue)], file: String) throws(GateError) -> [RecordedCall] {
        var calls: [RecordedCall] = []
        var index: [String: Int] = [:]
        for (number, record) in lines {
            guard let kind = record["kind"]?.stringValue, let plan = record["plan"]?.stringValue,
                  let step = record["step"]?.stringValue, let host = record["host"]?.stringValue else { continue }
            let key = plan + "\u{0}" + step
            let at = FileLocation(file: file, line: number, column: 1, path: record["seq"]?.int64Value.map { "seq \($0)" } ?? "")
            switch kind {
            case "decision":
                if index[key] != nil { continue }
                guard let tool = record["tool"]?.stringValue, let cwd = record["cwd"]?.stringValue else {
                    throw .malformedRecording(at, message: "a gate decision record needs \"tool\" and \"cwd\"")
                }
                guard case .object(let input)? = record["input"] else {
                    throw .malformedRecording(at, message: "the decision of call \"\(step)\" does not record the tool input, so it cannot be decided again; it was written by a gate that did not record inputs")
                }
                let logged = record["outcome"]?.stringValue.map { outcome in
                    LoggedDecision(
                        outcome: outcome, label: record["label"]?.stringValue ?? outcome,
                        policies: record["policies"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                }
                index[key] = calls.count
                calls.append(RecordedCall(
                    call: ToolCall(session: plan, toolUseID: step, tool: tool, input: input, cwd: cwd), host: host, location: at,
                    clock: record["clock"]?.stringValue.flatMap(Clock.init(iso8601:)), ran: false, logged: logged))
            case "execution":
                if let position = index[key] { calls[position].ran = true }
            case "approval":
                if let position = index[key], RunningOutcomes.approvalRuns(record["outcome"]?.stringValue ?? "") { calls[position].ran = true }
            default:
                continue
            }
        }
        return calls
    }

    /// Hook events read by `host`'s adapter: each pre-call event is a call, in order; it ran when
    /// a post-call event of the same call follows.
    static func events(_ lines: [(number: Int, value: JSONValue)], file: String, host: String) throws(GateError) -> [RecordedCall] {
        guard let adapter = eventReaders[host] else {
            throw .notConfigured("no hook event reader for host \"\(host)\"; use one of \(eventReaders.keys.sorted().joined(separator: ", "))")
        }
        var calls: [RecordedCall] = []
        var index: [String: Int] = [:]
        for (number, value) in lines {
            let at = FileLocation(file: file, line: number, column: 1)
            let event: HookEvent
            do {
                event = try adapter(Array(JSONWriter.compact(value, sortKeys: false).utf8))
            } catch {
                if case .malformedEvent(let message) = error { throw .malformedRecording(at, message: message) }
                throw error
            }
            switch event {
            case .preToolUse(let call):
                let key = call.session + "\u{0}" + call.toolUseID
                if index[key] != nil { continue }
                index[key] = calls.count
                calls.append(RecordedCall(call: call, host: host, location: at, clock: nil, ran: false))
            case .postToolUse(let call, _):
                if let position = index[call.session + "\u{0}" + call.toolUseID] { calls[position].ran = true }
            }
        }
        return calls
    }

    /// The hosts whose hook events a recording may hold, by name.
    static let eventReaders: [String: @Sendable ([UInt8]) throws(GateError) -> HookEvent] = [
        ClaudeCode.name: { bytes throws(GateError) in try ClaudeCode.event(bytes) },
    ]
}

/// The lines of a file (or of stdin for `-`), read in chunks, so a recording of any size is
/// read without holding it twice.
enum LineStream {
    static func forEach(_ path: String, _ body: (Int, ArraySlice<UInt8>) throws(GateError) -> Void) throws(GateError) {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .unreadable(path: path, message: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        defer { if fd != 0 { close(fd) } }
        if fd != 0 {
            var info = stat()
            if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                throw .unreadable(path: path, message: "is a directory, expected a JSON Lines file")
            }
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var number = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { posixReadLine(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                number += 1
                try body(number, pending[start..<newline])
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty {
            number += 1
            try body(number, pending[...])
        }
    }
}

private func posixReadLine(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

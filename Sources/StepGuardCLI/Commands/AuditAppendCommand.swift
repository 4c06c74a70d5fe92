import AuditLog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue

/// `stepguard audit append LOG`
enum AuditAppendCommand {
    static let spec = CommandSpec(
        name: "append",
        summary: "append an event to an audit log",
        discussion: """
            Reads an event as JSON and appends it as a record, filling in seq, time and prev. The \
            input is one JSON object, or JSON Lines with one event per line; each event is appended \
            on its own. Every append holds an exclusive lock on the log, is flushed to disk before \
            the lock is released, and refuses to extend a log whose last line is torn or whose \
            tail does not chain; nothing is appended then (exit 2, as for every command that \
            appends: eval, mutate and mint with --audit, and gate).

            --repair drops a torn last line, after saying on stderr what it drops, and touches \
            nothing before it, then appends the events given: from --event, or from stdin when \
            stdin is not a terminal and carries any. With nothing to append it only repairs; it \
            never waits on a terminal for input, and never drops an event it was given.

            Time in the log only moves forward: the time is read once the lock is held, and a \
            time earlier than the last record's (a clock set back, or --now) is refused, with \
            nothing appended (exit 2).
            """,
        options: [
            .path("event", help: "the event as JSON; - reads stdin", default: "-"),
            .flag("repair", help: "drop a torn last line before appending"),
            CommonOptions.now,
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log (created when absent)"),
        ],
        examples: [
            Example("stepguard audit append audit.jsonl --event event.json", "append one event"),
            Example("stepguard audit append audit.jsonl --repair", "drop an interrupted last line"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "appended"),
            ExitStatusNote(.error, "bad usage or a malformed event; the log's tail is torn or does not chain, or the time would go back: nothing appended"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        let args = context.arguments
        let log = try args.requiredPositional("LOG")
        let now = try AuditOptions.now(context)
        let repair = args.flag("repair")
        // A repair never waits on a terminal for input, but whatever is piped in is appended
        // after it, never dropped.
        let eventPath: String? = repair && !args.isGiven("event") && context.console.inputIsTerminal ? nil : (args.value("event") ?? "-")
        var events: [JSONValue] = []
        if let eventPath {
            let bytes = try context.readInput(eventPath, limit: FileReader.maxStreamBytes)
            let blank = !bytes.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
            if blank && !(repair && !args.isGiven("event")) {
                throw CLIError.invalidUsage(eventPath == "-" ? "no event on stdin; give one JSON object" : "\(eventPath) is empty; give one JSON object")
            }
            if !blank {
                events = try AuditOptions.events(bytes, file: eventPath == "-" ? "<stdin>" : eventPath)
            }
            // Check every event before appending any, so that a bad one in a batch appends nothing.
            for event in events {
                _ = try AuditLog.recordLine(event: event, seq: 0, prev: AuditLog.genesis, time: Timestamp.format(now ?? Date()))
            }
        }

        if repair && FileManager.default.fileExists(atPath: log) {
            let result = try AuditLog.repair(path: log)
            if let line = result.line, result.changed {
                context.warning("\(log):\(line): dropped the torn last line (\(result.dropped.count) bytes): \(excerpt(result.dropped))")
            } else {
                context.note("\(log): the last line is whole; nothing to repair")
            }
        }

        for (index, event) in events.enumerated() {
            let record: AppendedRecord
            do throws(AuditError) {
                record = try AuditLog.append(event: event, to: log, now: now)
            } catch {
                switch error {
                case .tornTail, .brokenTail:
                    context.fail(error)
                    context.note(index == 0 ? "nothing appended" : "appended \(index) of \(events.count) events; the rest not")
                    return .error
                default:
                    throw error
                }
            }
            if context.format == .json {
                context.printJSONLine(record.json)
            } else {
                context.console.print("appended seq \(record.seq)")
            }
            // Each line is a receipt for a record already on disk: a caller that is killed or
            // kills us still knows exactly which events were appended.
            context.console.flush()
        }
        return .success
    }

    /// The dropped bytes as one quoted line for the message: a JSON string (the log's own
    /// escaping), cut short when long.
    static func excerpt(_ bytes: [UInt8], limit: Int = 120) -> String {
        let quoted = JSONWriter.compact(.string(String(decoding: bytes.prefix(limit), as: UTF8.self)))
        return bytes.count > limit ? quoted + " (first \(limit) of \(bytes.count) bytes)" : quoted
    }
}

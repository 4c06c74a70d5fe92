/// `stepguard audit append LOG`
enum AuditAppendCommand {
    static let spec = CommandSpec(
        name: "append",
        summary: "append an event to an audit log",
        discussion: """
            Reads one event as JSON and appends it as a record, filling in seq, time and prev. The \
            append holds an exclusive lock on the log, is flushed to disk before it returns, and \
            refuses to extend a log whose last line is torn or whose tail does not verify; \
            --repair drops a torn last line after saying what it drops.
            """,
        options: [
            .path("event", help: "the event as JSON; - reads stdin", default: "-"),
            .flag("repair", help: "drop a torn last line before appending"),
            CommonOptions.format(.text, .json),
            CommonOptions.color,
            CommonOptions.quiet,
        ],
        positionals: [
            PositionalSpec("LOG", help: "the audit log (created when absent)"),
        ],
        examples: [
            Example("stepguard audit append audit.jsonl --event event.json", "append one event"),
        ],
        exitStatus: [
            ExitStatusNote(.success, "appended"),
            ExitStatusNote(.failure, "the log's tail is torn or tampered: nothing appended"),
        ],
        run: run
    )

    static func run(_ context: CommandContext) throws -> ExitCode {
        context.unavailable()
    }
}

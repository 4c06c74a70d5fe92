import Basics
/// Option rows most commands share, so they read and behave the same everywhere.
public enum CommonOptions {
    /// `--format FORMAT` offering `formats`, default `text`.
    public static func format(_ formats: OutputFormat...) -> OptionSpec {
        .choice("format", formats.map(\.rawValue), valueName: "FORMAT", help: "output format", default: "text")
    }

    /// `--color WHEN`.
    public static let color = OptionSpec.choice(
        "color", ColorMode.allCases.map(\.rawValue), valueName: "WHEN",
        help: "colour the output", default: "auto")

    /// `-q, --quiet`.
    public static let quiet = OptionSpec.flag("quiet", short: "q", help: "print only failures and the summary")

    /// `--policies DIR`, where a command finds `*.cedar`, the schema, entities and the catalog.
    public static func policies(
        valueName: String = "DIR", help: String = "the policy directory", default defaultValue: String? = nil
    ) -> OptionSpec {
        .path("policies", short: "p", valueName: valueName, help: help, default: defaultValue)
    }

    /// `--audit LOG`: append the command's records to an audit log.
    public static let audit = OptionSpec.path(
        "audit", valueName: "LOG", help: "append a record of every decision to this audit log")

    /// `--now TIME`: a pinned clock.
    public static let now = OptionSpec.value(
        "now", valueName: "TIME", help: "take this RFC 3339 time as the current time (freeze windows, tests)")

    /// `--now` in milliseconds since the epoch, nil when not given: an RFC 3339 date-time, a date
    /// (`RFC3339.instant`) or whole seconds since the epoch. Every command reads it this one way.
    static func nowMilliseconds(_ context: CommandContext) throws(CLIError) -> Int64? {
        guard let text = context.arguments.value("now") else { return nil }
        if let milliseconds = RFC3339.instant(text) { return milliseconds }
        // Seconds since the epoch, within years 0000–9999 as RFC 3339 writes them: arithmetic on
        // a clock near the Int64 extremes would overflow.
        if let seconds = Int64(text), seconds >= -62_167_219_200, seconds <= 253_402_300_799 {
            return seconds * 1000
        }
        throw CLIError.invalidUsage(
            "--now: \"\(text)\" is not a time; write an RFC 3339 time (2026-05-28T20:26:41Z), a date (2026-05-28) "
                + "or seconds since the epoch")
    }

    /// `nowMilliseconds` in whole seconds (a fraction dropped).
    static func nowSeconds(_ context: CommandContext) throws(CLIError) -> Int64? {
        try nowMilliseconds(context).map { $0 >= 0 ? $0 / 1000 : ($0 - 999) / 1000 }
    }
}

import Basics
import Credentials
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reading the options the credential commands share: times, whole-second durations, tokens.
enum CredentialOptions {
    /// `--now` as seconds since the epoch, else the current time.
    static func now(_ context: CommandContext) throws -> Int64 {
        try CommonOptions.nowSeconds(context) ?? Int64(Date().timeIntervalSince1970.rounded(.down))
    }

    /// A duration option in whole seconds. Tokens carry seconds (NumericDate), so a duration
    /// with milliseconds would be silently rounded; it is refused instead.
    static func seconds(_ context: CommandContext, _ long: String, allowZero: Bool = false) throws -> Int64? {
        guard let text = context.arguments.value(long) else { return nil }
        guard let milliseconds = DurationText.milliseconds(text) else {
            throw CLIError.invalidUsage("--\(long): \"\(text)\" is not a duration; write e.g. 30s, 5m or 1h")
        }
        guard milliseconds % 1000 == 0 else {
            throw CLIError.invalidUsage("--\(long): \"\(text)\" is not a whole number of seconds")
        }
        guard allowZero || milliseconds > 0 else {
            throw CLIError.invalidUsage("--\(long) must be at least 1s")
        }
        return milliseconds / 1000
    }

    /// `90000` seconds → `1d1h`: durations in messages, in the notation the options take.
    static func format(seconds: Int64) -> String {
        DurationText.format(milliseconds: seconds * 1000)
    }

    /// The token given as an argument, or read from stdin for `-`; surrounding whitespace dropped.
    static func token(_ context: CommandContext) throws -> String {
        guard let argument = context.arguments.positional("TOKEN") else {
            throw CLIError.invalidUsage("missing TOKEN; give the token, or - to read it from stdin")
        }
        let text: String
        if argument == "-" {
            text = String(decoding: try context.readInput("-"), as: UTF8.self)
        } else {
            text = argument
        }
        let token = text.trimmingWhitespace()
        guard !token.isEmpty else {
            throw CLIError.invalidUsage(argument == "-" ? "no token on stdin" : "the token is empty")
        }
        return token
    }
}

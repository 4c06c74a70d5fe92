import AuditLog
import Basics
import Credentials
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue

/// Reading what the audit commands share: keys, the clock, events.
enum AuditOptions {
    /// The checkpoint signer for `--key KEY`: an Ed25519 private key file (PKCS#8 PEM or JWK),
    /// loaded as `mint` loads its key (a file others may read is refused), signing under `name`.
    static func signer(keyPath: String, name: String) throws -> NoteSigner {
        let key = try SigningKey.load(path: keyPath)
        return try NoteSigner(name: name, seed: key.privateKey.seed)
    }

    /// The trusted checkpoint keys for `--key PUB` (repeatable): SPKI PEM or JWK files as
    /// `token verify` reads them, or a file holding a signed-note verifier key
    /// (`name+keyid+base64`).
    static func verifiers(_ context: CommandContext) throws -> [NoteVerifier] {
        try context.arguments.values("key").map { path in try verifier(path: path) }
    }

    static func verifier(path: String) throws -> NoteVerifier {
        do {
            let key = try VerificationKey.load(path: path)
            return try NoteVerifier(publicKey: key.publicKey.rawRepresentation)
        } catch let error as CredentialsError {
            // A verifier key is one line of three '+'-separated parts; anything else keeps the
            // key loader's message, which says what a key file should hold.
            guard let data = FileManager.default.contents(atPath: path) else { throw error }
            let text = String(decoding: data, as: UTF8.self).trimmingWhitespace()
            guard !text.contains("\n"), text.split(separator: "+", omittingEmptySubsequences: false).count == 3 else {
                throw error
            }
            return try NoteVerifier(verifierKey: text)
        }
    }

    /// `--witness KEY` (repeatable): a witness's cosignature/v1 verifier key, given as the
    /// `name+keyid+base64` text itself or as a file holding it.
    static let witness = OptionSpec.value(
        "witness", valueName: "VKEY", help: "a witness verifier key, or a file holding one").repeatable()

    /// `--quorum N`: how many of the witnesses must have cosigned.
    static let quorum = OptionSpec.integer(
        "quorum", help: "how many --witness cosignatures a checkpoint needs (default: all)")

    /// The witness policy of `--witness` and `--quorum`; nil without `--witness`.
    static func witnessPolicy(_ context: CommandContext) throws -> WitnessPolicy? {
        let args = context.arguments
        let values = args.values("witness")
        guard !values.isEmpty else {
            if args.isGiven("quorum") { throw CLIError.invalidUsage("--quorum needs --witness: give the witnesses whose cosignatures count") }
            return nil
        }
        guard !args.values("key").isEmpty else {
            throw CLIError.invalidUsage("--witness needs --key PUB: cosignatures count only on a checkpoint the log's key signed")
        }
        var witnesses: [CosignatureVerifier] = []
        for value in values {
            var text = value
            if !value.contains("+"), FileManager.default.fileExists(atPath: value) {
                text = String(decoding: try FileReader.read(value, limit: 4096), as: UTF8.self)
                    .trimmingWhitespace()
            }
            witnesses.append(try CosignatureVerifier(verifierKey: text))
        }
        let quorum = args.isGiven("quorum") ? args.integer("quorum") : witnesses.count
        guard let quorum, quorum >= 1, quorum <= witnesses.count else {
            throw CLIError.invalidUsage("--quorum takes a number from 1 to the \(witnesses.count) witness\(witnesses.count == 1 ? "" : "es") given")
        }
        let clock = context.command.option(long: "now") != nil ? try self.now(context) ?? Date() : Date()
        let now = UInt64(max(0, Int64(clock.timeIntervalSince1970)))
        return WitnessPolicy(witnesses: witnesses, quorum: quorum, now: now)
    }

    /// `--now` (read as by every command); nil: the clock, read when it is used.
    static func now(_ context: CommandContext) throws -> Date? {
        guard let ms = try CommonOptions.nowMilliseconds(context) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(ms) / 1000)
    }

    /// The events in `bytes`: one JSON value (an object, possibly spread over several lines), or
    /// JSON Lines, one event per line. Errors are located in `file`.
    static func events(_ bytes: [UInt8], file: String) throws -> [JSONValue] {
        let whole: JSONParseError
        do {
            return [try JSONParser.parse(bytes, file: file)]
        } catch {
            whole = error
        }
        // Not one value: JSON Lines, when its first line is a value on its own. Otherwise the
        // error about the whole input is the one that locates the mistake.
        var events: [JSONValue] = []
        var lineNumber = 0
        var offset = 0
        var isFirst = true
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            defer { offset += line.count + 1 }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                events.append(try JSONParser.parse(Array(line), file: file))
            } catch {
                if isFirst { throw whole }
                let at = error.location
                throw JSONParseError(
                    file: file, location: SourceLocation(line: lineNumber, column: at.column, offset: offset + at.offset),
                    message: error.message)
            }
            isFirst = false
        }
        guard !events.isEmpty else { throw whole }
        return events
    }
}

// The batch path of `stepguard authorize --requests`: policies and entities are loaded once,
// then every JSON Lines request is answered in turn into one output buffer.
import Cedar
import JSONValue

/// Answers JSON Lines requests against one loaded policy set.
struct BatchAuthorizer {
    let policies: PolicySet
    let entities: Entities
    let schema: Schema?

    /// Output is handed to the console in chunks of about this many bytes.
    static let chunkSize = 1 << 16

    /// What a batch did.
    struct Tally {
        var answered = 0
        var allowed = 0
        var unreadable = 0
    }

    /// Answers every non-blank line of `bytes`; a line that is not a valid request is reported
    /// with its line number (and column) and the rest are still answered. Exit status: 0 when
    /// every line was answered, 2 otherwise.
    func run(batch bytes: [UInt8], file: String, context: CommandContext) -> ExitCode {
        let json = context.format == .json
        if json { context.failures.notePrintedLines() }
        let documentSchema = context.jsonSchema
        var reader = CedarRequestReader(schema: schema)
        // The scanner reads contexts without a schema; with one, every line takes the general path.
        var scanner: CedarRequestScanner? = schema == nil ? CedarRequestScanner() : nil
        var tally = Tally()
        var out = ""
        out.reserveCapacity(BatchAuthorizer.chunkSize + 4096)
        bytes.withUnsafeBufferPointer { all in
            var lineNumber = 0
            var start = 0
            let count = all.count
            while start < count {
                var end = start
                while end < count && all[end] != 0x0A { end += 1 }
                lineNumber += 1
                var last = end
                if last > start && all[last - 1] == 0x0D { last -= 1 }
                let line = UnsafeBufferPointer(rebasing: all[start..<last])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                let outcome: Result<Response, LineProblem>
                if let request = scanner?.request(line) {
                    outcome = .success(Authorizer.isAuthorized(request, policies: policies, entities: entities))
                } else {
                    outcome = answer(Array(line), reader: &reader)
                }
                switch outcome {
                case .success(let response):
                    tally.answered += 1
                    if response.decision == .allow { tally.allowed += 1 }
                    if json {
                        out += BatchAuthorizer.jsonLine(response, line: lineNumber, schema: documentSchema)
                    } else {
                        out += BatchAuthorizer.textLine(lineNumber, response, style: context.style, quiet: context.isQuiet)
                    }
                case .failure(let problem):
                    tally.unreadable += 1
                    let error = CedarInputError(
                        file: file, line: lineNumber, column: problem.column, message: problem.message,
                        sourceLine: String(decoding: line, as: UTF8.self))
                    context.console.write(out)
                    out.removeAll(keepingCapacity: true)
                    context.report(error)
                    if json {
                        out += JSONRenderer.line(context.versioned(.object(JSONObject([
                            ("error", .object(JSONObject([
                                ("file", .string(file)), ("line", .int(Int64(lineNumber))),
                                ("column", .int(Int64(problem.column))), ("message", .string(problem.message)),
                            ]))),
                            ("line", .int(Int64(lineNumber))),
                        ]))))
                    } else {
                        out += "\(lineNumber): error: \(problem.message)\n"
                    }
                }
                if out.utf8.count >= BatchAuthorizer.chunkSize {
                    context.console.write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        context.console.write(out)
        var summary = "\(tally.answered) request\(tally.answered == 1 ? "" : "s") answered: "
            + "\(tally.allowed) allowed, \(tally.answered - tally.allowed) denied"
        if tally.unreadable > 0 { summary += "; \(tally.unreadable) line\(tally.unreadable == 1 ? "" : "s") not answered" }
        context.note(summary)
        return tally.unreadable == 0 ? .success : .error
    }

    struct LineProblem: Error {
        var column: Int
        var message: String
    }

    private func answer(_ line: [UInt8], reader: inout CedarRequestReader) -> Result<Response, LineProblem> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            return .failure(LineProblem(column: error.location.column, message: error.message))
        }
        let request: Request
        do {
            request = try reader.request(value)
        } catch {
            // Rare: parse the line again keeping positions, to point at the offending field.
            let column = (try? JSONParser.parseDocument(line))?.nearestLocation(of: error.path).column ?? 1
            return .failure(LineProblem(column: column, message: error.message))
        }
        return .success(Authorizer.isAuthorized(request, policies: policies, entities: entities))
    }

    /// `{"decision":"allow","errors":[{"message":...,"policy":...}],"line":N,"reasons":[...],
    /// "schema":...}` and a newline: the canonical (sorted-key) form of `Response.json` with the
    /// request's input line and the document's `schema`, written directly because a batch
    /// prints one per request.
    static func jsonLine(_ response: Response, line: Int, schema: String) -> String {
        var out = response.decision == .allow ? "{\"decision\":\"allow\",\"errors\":[" : "{\"decision\":\"deny\",\"errors\":["
        for (index, error) in response.errors.enumerated() {
            if index > 0 { out += "," }
            out += "{\"message\":"
            appendJSONString(error.message, to: &out)
            out += ",\"policy\":"
            appendJSONString(error.policyID, to: &out)
            out += "}"
        }
        out += "],\"line\":"
        out += String(line)
        out += ",\"reasons\":["
        for (index, reason) in response.reasons.enumerated() {
            if index > 0 { out += "," }
            appendJSONString(reason, to: &out)
        }
        out += "],\"schema\":"
        appendJSONString(schema, to: &out)
        out += "}\n"
        return out
    }

    /// Appends `text` as a JSON string; plain ASCII is copied, anything else is escaped by the
    /// JSON writer.
    static func appendJSONString(_ text: String, to out: inout String) {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        if plain {
            out += "\""
            out += text
            out += "\""
        } else {
            out += JSONWriter.compact(.string(text))
        }
    }

    /// `12: allow (policy0, policy4)`, followed by `; error: ...` for each erroring policy.
    static func textLine(_ lineNumber: Int, _ response: Response, style: Style, quiet: Bool) -> String {
        var out = "\(lineNumber): " + AuthorizeCommand.decisionWord(response.decision, style: style)
        if !quiet {
            if !response.reasons.isEmpty { out += " (" + response.reasons.joined(separator: ", ") + ")" }
            for error in response.errors { out += "; error: \(error.message)" }
        }
        out += "\n"
        return out
    }
}

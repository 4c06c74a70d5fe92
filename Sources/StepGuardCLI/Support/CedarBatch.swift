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
        // Every answer line ends alike: the `schema` member is written once here, not per line.
        var jsonTail = Array("],\"schema\":".utf8)
        BatchAuthorizer.appendJSONString(context.jsonSchema, to: &jsonTail)
        jsonTail.append(contentsOf: "}\n".utf8)
        var reader = RequestReader(schema: schema)
        // The scanner reads contexts without a schema; with one, every line takes the general path.
        var scanner: RequestScanner? = schema == nil ? RequestScanner() : nil
        var tally = Tally()
        // Answers are gathered as bytes: appending to a `String` costs more per call than a
        // short answer line has bytes.
        var out: [UInt8] = []
        out.reserveCapacity(BatchAuthorizer.chunkSize + 4096)
        func flush() {
            context.console.write(String(decoding: out, as: UTF8.self))
            out.removeAll(keepingCapacity: true)
        }
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
                        BatchAuthorizer.appendJSONLine(response, line: lineNumber, tail: jsonTail, to: &out)
                    } else {
                        out += BatchAuthorizer.textLine(lineNumber, response, style: context.style, quiet: context.isQuiet).utf8
                    }
                case .failure(let problem):
                    tally.unreadable += 1
                    let error = CedarInputError(
                        file: file, line: lineNumber, column: problem.column, message: problem.message,
                        sourceLine: String(decoding: line, as: UTF8.self))
                    flush()
                    context.report(error)
                    if json {
                        out += JSONRenderer.line(context.versioned(.object(JSONObject([
                            ("error", .object(JSONObject([
                                ("file", .string(file)), ("line", .int(Int64(lineNumber))),
                                ("column", .int(Int64(problem.column))), ("message", .string(problem.message)),
                            ]))),
                            ("line", .int(Int64(lineNumber))),
                        ])))).utf8
                    } else {
                        out += "\(lineNumber): error: \(problem.message)\n".utf8
                    }
                }
                if out.count >= BatchAuthorizer.chunkSize { flush() }
            }
        }
        flush()
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

    private func answer(_ line: [UInt8], reader: inout RequestReader) -> Result<Response, LineProblem> {
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

    /// Appends `{"decision":"allow","errors":[{"message":...,"policy":...}],"line":N,"reasons":[...],`
    /// then `tail` (`],"schema":...}` and a newline): the canonical (sorted-key) form of
    /// `Response.json` with the request's input line and the document's `schema`, written
    /// directly because a batch prints one per request.
    static func appendJSONLine(_ response: Response, line: Int, tail: [UInt8], to out: inout [UInt8]) {
        append(response.decision == .allow ? "{\"decision\":\"allow\",\"errors\":[" : "{\"decision\":\"deny\",\"errors\":[", to: &out)
        for (index, error) in response.errors.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append("{\"message\":", to: &out)
            appendJSONString(error.message, to: &out)
            append(",\"policy\":", to: &out)
            appendJSONString(error.policyID, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        append("],\"line\":", to: &out)
        appendDecimal(line, to: &out)
        append(",\"reasons\":[", to: &out)
        for (index, reason) in response.reasons.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(reason, to: &out)
        }
        out += tail
    }

    /// Appends the decimal digits of a non-negative `value`.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of any Int
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = UInt(value.magnitude)
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Appends the bytes of a literal (copied at once, where a `String`'s would go one by one).
    @inline(__always)
    static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `text` as a JSON string; plain ASCII is copied, anything else is escaped by the
    /// JSON writer.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        let plain = text.utf8.withContiguousStorageIfAvailable {
            $0.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        }
        if plain == true {
            out.append(UInt8(ascii: "\""))
            out += text.utf8
            out.append(UInt8(ascii: "\""))
        } else {
            out += JSONWriter.compact(.string(text)).utf8
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

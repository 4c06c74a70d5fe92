import JSONValue

/// The version member every `--format json` document carries, so a consumer can tell which
/// shape it holds before reading it: `"schema": "stepguard.<command>/v1"`, where `<command>` is
/// the command path joined with `-` (`stepguard.eval/v1`, `stepguard.audit-verify/v1`).
///
/// A shape changes incompatibly only with a new version (`/v2`); adding a member is compatible.
/// Formats defined elsewhere (SARIF, JWKS, a host's hook answer) are printed as their standard
/// says and carry no such member.
public enum JSONSchema {
    /// The name of the member.
    public static let member = "schema"

    /// The schema of every error document (exit 2 under `--format json`), whichever command failed.
    public static let error = "stepguard.error/v1"

    /// `stepguard.audit-verify/v1` for the command path `["audit", "verify"]`.
    public static func name(commandPath: [String]) -> String {
        "stepguard." + commandPath.joined(separator: "-") + "/v1"
    }

    /// `document` with its `schema` member set to `schema`. Every stepguard document is an
    /// object; anything else is wrapped as `{"schema": ..., "result": value}` so that it still
    /// carries its version.
    public static func stamp(_ document: JSONValue, schema: String) -> JSONValue {
        var object: JSONObject
        if case .object(let members) = document {
            object = members
        } else {
            object = JSONObject([("result", document)])
        }
        object[member] = .string(schema)
        return .object(object)
    }
}

extension CommandContext {
    /// This command's schema name: `stepguard.<command path joined with ->/v1`.
    public var jsonSchema: String { JSONSchema.name(commandPath: arguments.commandPath) }

    /// `document` as this command's versioned JSON document (see `JSONSchema`). Use it for a
    /// document that goes somewhere other than stdout (a file named by `--out`).
    public func versioned(_ document: JSONValue) -> JSONValue {
        JSONSchema.stamp(document, schema: jsonSchema)
    }

    /// Prints this command's JSON document on stdout, with its `schema` member.
    public func printJSON(_ document: JSONValue) {
        console.write(JSONRenderer.document(versioned(document)))
    }

    /// Prints the document an option of this command selects instead of its own
    /// (`OptionDocument`): `"schema": "stepguard.<command>-<name>/v1"`.
    public func printJSON(_ document: JSONValue, named name: String) {
        let schema = JSONSchema.name(commandPath: arguments.commandPath + [name])
        console.write(JSONRenderer.document(JSONSchema.stamp(document, schema: schema)))
    }

    /// Prints one JSON Lines record of this command on stdout, with its `schema` member.
    public func printJSONLine(_ record: JSONValue) {
        failures.notePrintedLines()
        console.write(JSONRenderer.line(versioned(record)))
    }

    /// Prints a JSON document whose format a standard defines (SARIF, JWKS) exactly as given.
    public func printStandardJSON(_ document: JSONValue) {
        console.write(JSONRenderer.document(document))
    }
}

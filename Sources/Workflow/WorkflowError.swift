import JSONValue

/// A place in an input file: `file:line:col`, plus the JSON path when the file is JSON.
public struct FileLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The file as the caller named it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column (Unicode scalars).
    public var column: Int
    /// The JSON path of the value (`steps[3].args.url`), empty for the document root or non-JSON files.
    public var path: String

    /// Creates a location.
    public init(file: String, line: Int, column: Int, path: String = "") {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    /// `file:line:col`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// Everything that can stop the workflow module from doing its job: unreadable or malformed
/// inputs. A policy saying "no" is never an error; it is an outcome.
public enum WorkflowError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file that could not be read.
    case unreadable(file: String, message: String)
    /// A file that is not valid JSON.
    case malformedJSON(JSONParseError)
    /// A plan that is JSON but not a valid plan.
    case malformedPlan(FileLocation, message: String)
    /// A step (or a catalog variant) naming an action the catalog does not know.
    case unknownAction(FileLocation, action: String, suggestion: String?)
    /// A step whose `needs` names a step the plan does not have.
    case missingNeed(FileLocation, step: String, need: String, suggestion: String?)
    /// Steps that need each other in a circle.
    case needsCycle(FileLocation, cycle: [String])
    /// Two steps with the same id.
    case duplicateStepID(FileLocation, id: String, first: FileLocation)
    /// An action catalog (`tools.json`) that is not valid.
    case malformedCatalog(FileLocation, message: String)
    /// An entity file that is not valid.
    case malformedEntities(FileLocation, message: String)
    /// A policy file that does not parse, or a policy set that cannot be assembled.
    case malformedPolicy(FileLocation?, message: String)
    /// No policy directory could be found or it lacks a required file.
    case policyDirectory(message: String)
    /// A test suite that is not valid.
    case malformedSuite(FileLocation, message: String)
    /// A step whose request could not be built (a value the policy engine cannot represent).
    case invalidRequest(FileLocation, message: String)

    /// Where the problem is, when it is in a file.
    public var location: FileLocation? {
        switch self {
        case .unreadable, .policyDirectory: return nil
        case .malformedJSON(let error):
            return FileLocation(file: error.file ?? "<input>", line: error.location.line, column: error.location.column)
        case .malformedPlan(let l, _), .unknownAction(let l, _, _), .missingNeed(let l, _, _, _),
             .needsCycle(let l, _), .duplicateStepID(let l, _, _), .malformedCatalog(let l, _),
             .malformedEntities(let l, _), .malformedSuite(let l, _), .invalidRequest(let l, _):
            return l
        case .malformedPolicy(let l, _): return l
        }
    }

    /// The message without the location prefix.
    public var message: String {
        switch self {
        case .unreadable(let file, let message):
            return "cannot read \"\(file)\": \(message); check the path and permissions"
        case .malformedJSON(let error): return error.message
        case .malformedPlan(_, let message), .malformedCatalog(_, let message), .malformedEntities(_, let message),
             .malformedPolicy(_, let message), .policyDirectory(let message), .malformedSuite(_, let message),
             .invalidRequest(_, let message):
            return message
        case .unknownAction(_, let action, let suggestion):
            let hint = suggestion.map { "did you mean \"\($0)\"? " } ?? ""
            return "unknown action \"\(action)\"; \(hint)add it to tools.json or fix the name"
        case .missingNeed(_, let step, let need, let suggestion):
            let hint = suggestion.map { "did you mean \"\($0)\"? " } ?? ""
            return "step \"\(step)\" needs \"\(need)\", which is not a step of this plan; \(hint)fix the id or remove it from needs"
        case .needsCycle(_, let cycle):
            let names = cycle.map { "\"\($0)\"" }.joined(separator: " -> ")
            return "steps need each other in a cycle: \(names); remove one of these needs"
        case .duplicateStepID(_, let id, let first):
            return "duplicate step id \"\(id)\" (first used at \(first.line):\(first.column)); give every step a unique id"
        }
    }

    /// `file:line:col: message`, or the message alone when there is no location.
    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}

/// The closest candidate by edit distance, for did-you-mean hints: at most a third of the
/// word's length (at least 1) edits away, exact about case; ties go to the alphabetically first.
public func closestMatch(_ word: String, in candidates: some Sequence<String>) -> String? {
    let limit = max(1, word.count / 3)
    return EditDistance.closest(among: candidates, ties: .alphabetical) { candidate in
        let distance = EditDistance.levenshtein(word, candidate)
        return distance <= limit ? distance : nil
    }
}

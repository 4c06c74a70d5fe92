#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Basics
import JSONValue
import Workflow

/// One tool call as a host announced it, whatever the host.
public struct ToolCall: Sendable, Equatable {
    /// The host's session id: the plan id of the calls it decides.
    public var session: String
    /// The host's id of this call, joining its decision to its execution; empty when the host
    /// gives none, and the gate derives one (`CallDigest`).
    public var toolUseID: String
    /// The host's tool name (`Bash`, `mcp__github__create_issue`).
    public var tool: String
    /// The tool's input as the host sent it.
    public var input: JSONObject
    /// The working directory the host reported.
    public var cwd: String

    /// Creates a call.
    public init(session: String, toolUseID: String, tool: String, input: JSONObject, cwd: String) {
        self.session = session
        self.toolUseID = toolUseID
        self.tool = tool
        self.input = input
        self.cwd = cwd
    }
}

/// A tool call as the catalog sees it: a step's action, resource and args.
public struct MappedCall: Sendable, Equatable {
    /// Who calls.
    public var principal: EntityRef
    /// The catalog action.
    public var action: String
    /// The resource, filled in from the rule's template.
    public var resource: EntityRef
    /// The args, filled in from the rule's templates.
    public var args: JSONObject
    /// Which rule mapped it (`hosts.claude-code.tools[3]`, `hosts.claude-code.default`).
    public var rule: String
}

/// What policies and chain facts know of a resource: from `entities.json` when it lists the
/// resource, else from the `resources` attribute rules of `tools.json`.
public struct ResourceAttributes: Sendable, Equatable {
    /// Labels (`secret`, `ci-config`), sorted.
    public var labels: [String] = []
    /// 0 public … 4 secret.
    public var sensitivity: Int64 = 0
    /// `production`, `staging`, …, when known.
    public var environment: String?
    /// Whether the resource lies outside the organisation (a URL on the internet).
    public var external = false
    /// For a resource whose id is an absolute path: whether it lies inside the project.
    public var inProject: Bool?

    /// Creates facts.
    public init(labels: [String] = [], sensitivity: Int64 = 0, environment: String? = nil, external: Bool = false, inProject: Bool? = nil) {
        self.labels = labels
        self.sensitivity = sensitivity
        self.environment = environment
        self.external = external
        self.inProject = inProject
    }

    /// As policies see it in `context.resource` (with the resource's type and id).
    public func json(_ resource: EntityRef) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("type", .string(resource.type)), ("id", .string(resource.id)),
            ("labels", .array(labels.map(JSONValue.string))), ("sensitivity", .int(sensitivity)),
            ("external", .bool(external)),
        ]
        if let environment { pairs.append(("environment", .string(environment))) }
        if let inProject { pairs.append(("in_project", .bool(inProject))) }
        return .object(JSONObject(pairs))
    }
}

/// One edit of a tool input field that carries out a rewrite.
public enum InputEdit: Sendable, Equatable {
    /// Set the field to a value.
    case set(field: String, value: JSONValue)
    /// Remove the field.
    case remove(field: String)
    /// Replace every occurrence of a substring in a string field.
    case replace(field: String, text: String, with: String)
    /// Replace every match of a regular expression in a string field (`$1` names a group).
    case pattern(field: String, regex: Pattern, with: String)

    /// The field edited.
    public var field: String {
        switch self {
        case .set(let field, _), .remove(let field), .replace(let field, _, _), .pattern(let field, _, _): return field
        }
    }

    /// Applies the edit; nil when the field is not a string where the edit needs one.
    func apply(to input: JSONObject) -> JSONObject? {
        var out = input
        switch self {
        case .set(let field, let value):
            out[field] = value
        case .remove(let field):
            out[field] = nil
        case .replace(let field, let text, let replacement):
            guard let value = input[field]?.stringValue else { return nil }
            out[field] = .string(value.replacing(text, with: replacement))
        case .pattern(let field, let regex, let template):
            guard let value = input[field]?.stringValue, let replaced = regex.replace(in: value, with: template) else { return nil }
            out[field] = .string(replaced)
        }
        return out
    }
}

/// A regular expression, as `NSRegularExpression` reads and applies it (its syntax: lookahead,
/// named groups, lazy quantifiers; matched by Unicode scalar, `\b` between word and non-word
/// characters), run by the standard library's `Regex`, with the names of its named groups. It is
/// compiled when first used: reading `tools.json` compiles each pattern to check it, but a
/// mapping read back from the compiled-policy cache compiles only the patterns a call meets,
/// since most calls never try a pattern.
public final class Pattern: @unchecked Sendable, Equatable {
    // `compiled` is set once, under `lock`; a compiled `Regex` is immutable.
    let source: String
    let groupNames: [String]
    /// Where the pattern is written, for a pattern compiled when first used.
    let location: FileLocation?
    private let lock = ThreadLock()
    private var compiled: Regex<AnyRegexOutput>??

    /// The pattern `source`, written at `location`; it is compiled when first used, and
    /// `regex` is nil if it does not compile.
    init(checked source: String, location: FileLocation?) {
        self.source = source
        self.location = location
        self.groupNames = Self.groupNames(source)
    }

    /// The names of the named groups `(?<name>...)` in `source`, in order (lookbehinds `(?<=`
    /// and `(?<!` are not groups), read from its bytes: every call that reads the mapping back
    /// from the cache reads them.
    static func groupNames(_ source: String) -> [String] {
        let bytes = Array(source.utf8)
        var names: [String] = []
        var i = 0
        while i + 3 <= bytes.count {
            guard bytes[i] == UInt8(ascii: "("), bytes[i + 1] == UInt8(ascii: "?"), bytes[i + 2] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            let start = i + 3
            i = start
            guard start < bytes.count, bytes[start] != UInt8(ascii: "="), bytes[start] != UInt8(ascii: "!"),
                  let close = bytes[start...].firstIndex(of: UInt8(ascii: ">"))
            else { continue }
            names.append(String(decoding: bytes[start..<close], as: UTF8.self))
        }
        return names
    }

    /// The compiled expression; nil when the source is not a valid regular expression.
    var regex: Regex<AnyRegexOutput>? {
        lock.lock()
        defer { lock.unlock() }
        if let compiled { return compiled }
        // ICU's defaults: a match advances by Unicode scalar (ICU by code point, not by
        // grapheme), and `\b` is the boundary between word and non-word characters.
        let made = (try? Regex(Pattern.endAnchors(source))).map { $0.matchingSemantics(.unicodeScalar).wordBoundaryKind(.simple) }
        compiled = .some(made)
        return made
    }

    /// The named groups of the first match, or nil when nothing matches (or the pattern does
    /// not compile; `GateCatalog.compilePatterns` turns that into an error before mapping).
    func firstMatch(_ text: String) -> [String: String]? {
        guard let regex, let found = try? regex.firstMatch(in: text) else { return nil }
        var groups: [String: String] = [:]
        for name in groupNames {
            if let value = found.output[name]?.substring { groups[name] = String(value.unicodeScalars) }
        }
        return groups
    }

    /// `text` with every match replaced; nil when the pattern does not compile.
    func replace(in text: String, with template: String) -> String? {
        guard let regex else { return nil }
        var out = String.UnicodeScalarView()
        var copied = text.startIndex
        for found in text.matches(of: regex) {
            out.append(contentsOf: text.unicodeScalars[copied..<found.range.lowerBound])
            Pattern.expand(template, found.output, into: &out)
            copied = found.range.upperBound
        }
        out.append(contentsOf: text.unicodeScalars[copied...])
        return String(out)
    }

    /// `source` with each `$` anchor written as what ICU reads it as: the end of the text, or
    /// before one line terminator (ICU's: LF, VT, FF, CR, CR LF, NEL, LS, PS) that ends it;
    /// `Regex` reads `$` as the very end only. A `$` escaped, quoted (`\Q…\E`) or in a
    /// character class is a character and stays; a pattern that turns on multi-line mode
    /// (`(?m)`) anywhere, where both read `$` as the end of any line, stays as it is.
    static func endAnchors(_ source: String) -> String {
        let scalars = Array(source.unicodeScalars)
        var multiLine = false
        for (i, c) in scalars.enumerated() where c == "(" && i + 1 < scalars.count && scalars[i + 1] == "?" {
            var j = i + 2
            while j < scalars.count, scalars[j].properties.isAlphabetic || scalars[j] == "-" {
                if scalars[j] == "m" { multiLine = true }
                j += 1
            }
        }
        if multiLine || !scalars.contains("$") { return source }
        var out = String.UnicodeScalarView()
        var i = 0
        var classDepth = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\", i + 1 < scalars.count {
                if scalars[i + 1] == "Q" {
                    var end = i + 2
                    while end < scalars.count && !(scalars[end] == "\\" && end + 1 < scalars.count && scalars[end + 1] == "E") { end += 1 }
                    let stop = min(scalars.count, end + 2)
                    out.append(contentsOf: scalars[i..<stop])
                    i = stop
                } else {
                    out.append(contentsOf: scalars[i...i + 1])
                    i += 2
                }
                continue
            }
            if classDepth > 0 {
                if c == "[" { classDepth += 1 } else if c == "]" { classDepth -= 1 }
                out.append(c)
            } else if c == "[" {
                classDepth = 1
                out.append(c)
                // A `]` first in the class (after an optional `^`) is one of its characters.
                if i + 1 < scalars.count, scalars[i + 1] == "^" { i += 1; out.append(scalars[i]) }
                if i + 1 < scalars.count, scalars[i + 1] == "]" { i += 1; out.append(scalars[i]) }
            } else if c == "$" {
                out.append(contentsOf: #"(?=(?:\r\n|[\n\x{B}\x{C}\r\x{85}\x{2028}\x{2029}])?\z)"#.unicodeScalars)
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(out)
    }

    /// `template` for one match, read as `NSRegularExpression` reads it: `$` and digits name a
    /// group (as many digits as the largest group number has; an unknown or unmatched group is
    /// empty), `$` without digits is itself, and a backslash takes the next character as it is.
    static func expand(_ template: String, _ groups: AnyRegexOutput, into out: inout String.UnicodeScalarView) {
        var digits = 1
        var magnitude = 10
        while magnitude < groups.count && digits < 20 {
            digits += 1
            magnitude *= 10
        }
        var rest = template.unicodeScalars[...]
        while let c = rest.popFirst() {
            if c == "\\" {
                if let next = rest.popFirst() { out.append(next) }
            } else if c == "$", let first = rest.first, ("0"..."9").contains(first) {
                var number = 0
                var taken = 0
                while taken < digits, let d = rest.first, ("0"..."9").contains(d) {
                    number = number * 10 + Int(d.value - 0x30)
                    rest.removeFirst()
                    taken += 1
                }
                if number < groups.count, let value = groups[number].substring { out.append(contentsOf: value.unicodeScalars) }
            } else {
                out.append(c)
            }
        }
    }

    public static func == (a: Pattern, b: Pattern) -> Bool { a.source.isExactly(b.source) }
}

/// A string with `{name}` / `{name|filter}` placeholders: `cwd`, `root` (the project root),
/// `tool`, `session`, `input.FIELD` (a field of the tool input), or a named group of the
/// rule's input patterns; filters `path` (absolute against `cwd`, `.` and `..` resolved, `~`
/// expanded) and `host` (the host of a URL, lower-cased).
struct Template: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case value(name: String, filter: String?)
    }

    let parts: [Part]

    static let builtins: Set<String> = ["cwd", "root", "tool", "session"]
    static let filters: Set<String> = ["path", "host"]

    /// Parses `text`; the message names what is wrong.
    static func parse(_ text: String, groups: Set<String>) -> Result<Template, TemplateError> {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c == "{" {
                guard let close = text[index...].firstIndex(of: "}") else {
                    return .failure(TemplateError("unclosed \"{\" in \"\(text)\""))
                }
                let inner = text[text.index(after: index)..<close]
                let pieces = inner.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard pieces.count <= 2, let name = pieces.first, !name.isEmpty else {
                    return .failure(TemplateError("\"{\(inner)}\" is not a placeholder; write {name} or {name|filter}"))
                }
                let filter = pieces.count == 2 ? pieces[1] : nil
                if let filter, !filters.contains(filter) {
                    return .failure(TemplateError("unknown filter \"\(filter)\"; use \"path\" or \"host\""))
                }
                guard builtins.contains(name) || name.hasPrefix("input.") || groups.contains(name) else {
                    let known = (builtins.sorted() + ["input.FIELD"] + groups.sorted()).joined(separator: ", ")
                    return .failure(TemplateError("unknown placeholder \"{\(name)}\"; use one of \(known)"))
                }
                if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                parts.append(.value(name: name, filter: filter))
                index = text.index(after: close)
            } else {
                literal.append(c)
                index = text.index(after: index)
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        return .success(Template(parts: parts))
    }

    /// The text with every placeholder filled; nil when a value is missing.
    func render(_ values: TemplateValues) -> String? {
        var out = ""
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .value(let name, let filter):
                guard var value = values.lookup(name) else { return nil }
                switch filter {
                case "path": value = PathText.absolute(value, cwd: values.call.cwd)
                case "host": guard let host = PathText.host(ofURL: value) else { return nil }; value = host
                default: break
                }
                out += value
            }
        }
        return out
    }
}

struct TemplateError: Error { let message: String; init(_ message: String) { self.message = message } }

/// What a template can name for one call.
struct TemplateValues {
    let call: ToolCall
    let root: String
    let groups: [String: String]

    func lookup(_ name: String) -> String? {
        switch name {
        case "cwd": return call.cwd
        case "root": return root
        case "tool": return call.tool
        case "session": return call.session
        default:
            if name.hasPrefix("input.") {
                var value: JSONValue? = .object(call.input)
                for key in name.dropFirst("input.".count).split(separator: ".") { value = value?[String(key)] }
                switch value {
                case .string(let text)?: return text
                case .number(let number)?: return number.text
                case .bool(let flag)?: return flag ? "true" : "false"
                default: return nil
                }
            }
            return groups[name]
        }
    }
}

/// Paths and URLs as the mapping reads them.
enum PathText {
    /// `path` made absolute against `cwd`, with `~` expanded and `.`/`..` resolved lexically
    /// (a symlink is not followed: the gate decides before anything touches the disk).
    static func absolute(_ path: String, cwd: String) -> String {
        // Most paths a call names, and every root, are normalised already: said as they are.
        isNormalisedASCII(path) ? path : normalised(path, cwd: cwd)
    }

    /// `absolute`, worked out component by component.
    static func normalised(_ path: String, cwd: String) -> String {
        var text = path
        if text == "~" || text.hasPrefix("~/") {
            let home = Environment.process["HOME"] ?? "/"
            text = home + text.dropFirst()
        }
        if !text.hasPrefix("/") { text = cwd + "/" + text }
        var parts: [Substring] = []
        for part in text.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is ASCII (so its characters are its bytes), absolute, and normalised as
    /// `absolute` makes it: `/`, or `/` and components none of which is empty, `.` or `..`.
    static func isNormalisedASCII(_ path: String) -> Bool {
        var utf8 = path.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "/") else { return false }
        var length = 0, dots = 0, any = false
        while let byte = utf8.next() {
            guard byte < 0x80 else { return false }
            any = true
            if byte == UInt8(ascii: "/") {
                if length == 0 || (length == dots && dots <= 2) { return false }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        // "/" alone, or a last component that is not empty, `.` or `..`.
        return !any || (length > 0 && !(length == dots && dots <= 2))
    }

    /// Whether `path` (absolute, normalised) is `root` or inside it.
    static func isInside(_ path: String, root: String) -> Bool {
        let base = absolute(root, cwd: "/")
        return path == base || path.hasPrefix(base == "/" ? "/" : base + "/")
    }

    /// The host of a URL (`https://user@Paste.Example:443/x` → `paste.example`); a text without
    /// a scheme is read as `host[:port][/path]`.
    static func host(ofURL url: String) -> String? {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            rest = rest[rest.startIndex...close]
        } else if let colon = rest.lastIndex(of: ":") {
            rest = rest[..<colon]
        }
        let host = rest.lowercased()
        return host.isEmpty ? nil : host
    }
}

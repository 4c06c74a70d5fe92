// Recursive-descent parser for Cedar policies, with bounded nesting.
import JSONValue

/// The result of parsing one policy file: the policies in source order, and the tokens (with
/// their comments) for tools that need the written form.
public struct PolicyFile: Sendable {
    /// The file name given to the parser.
    public var file: String
    /// The UTF-8 source.
    public var source: [UInt8]
    /// Every token, ending with `.endOfInput` (whose leading comments are the trailing ones).
    public var tokens: [Token]
    /// Policies and templates in source order. Their `id` is the positional `policyN` of the file;
    /// a `PolicySet` assigns the final ids.
    public var policies: [Policy]
}

/// Limits that keep hostile input from exhausting the stack.
public struct ParserLimits: Sendable {
    /// Maximum nesting of brackets, parentheses, records and `if` within one expression.
    public var maxNesting: Int
    /// Maximum depth of an expression tree (long operator chains count too).
    public var maxTreeDepth: Int

    /// Creates limits.
    public init(maxNesting: Int = 200, maxTreeDepth: Int = 1_000) {
        self.maxNesting = maxNesting
        self.maxTreeDepth = maxTreeDepth
    }

    /// The defaults: 200 levels of nesting, trees up to 1,000 deep.
    public static let `default` = ParserLimits()
}

/// Parses Cedar policy text.
public enum Parser {
    /// Parses every policy and template of a file.
    public static func parse(_ source: [UInt8], file: String, limits: ParserLimits = .default) throws(CedarError) -> PolicyFile {
        let tokens = try Lexer.tokenize(source, file: file)
        let policies = try withStackFor(tokens) { () throws(CedarError) -> [Policy] in
            var p = ParserState(tokens: tokens, file: file, limits: limits)
            return try cedarErrors { try p.parsePolicies() }
        }
        return PolicyFile(file: file, source: source, tokens: tokens, policies: policies)
    }

    /// Parses every policy and template of a text.
    public static func parse(_ text: String, file: String, limits: ParserLimits = .default) throws(CedarError) -> PolicyFile {
        try parse(Array(text.utf8), file: file, limits: limits)
    }

    /// Parses a single expression (as written in a `when` clause).
    public static func parseExpression(_ text: String, file: String = "", limits: ParserLimits = .default) throws(CedarError) -> Expr {
        let tokens = try Lexer.tokenize(Array(text.utf8), file: file)
        return try withStackFor(tokens) { () throws(CedarError) -> Expr in
            var p = ParserState(tokens: tokens, file: file, limits: limits)
            return try cedarErrors {
                let e = try p.parseExpr()
                try p.expectEnd()
                return e.expr
            }
        }
    }

    /// Parses an entity uid written as a Cedar literal, `Type::"id"` (namespaces allowed).
    public static func parseEntityUID(_ text: String, file: String = "") throws(CedarError) -> EntityUID {
        let tokens = try Lexer.tokenize(Array(text.utf8), file: file)
        var p = ParserState(tokens: tokens, file: file, limits: .default)
        return try cedarErrors {
            let (uid, _) = try p.parseEntityUIDLiteral(what: "an entity uid like `User::\"alice\"`")
            try p.expectEnd()
            return uid
        }
    }

    /// Parses an entity type name such as `User` or `Acme::User`.
    public static func parseName(_ text: String, file: String = "") throws(CedarError) -> String {
        let tokens = try Lexer.tokenize(Array(text.utf8), file: file)
        var p = ParserState(tokens: tokens, file: file, limits: .default)
        return try cedarErrors {
            let (name, _) = try p.parseTypeName()
            try p.expectEnd()
            return name
        }
    }
}

/// Words that cannot be used as identifiers (attribute names, record keys, type names).
let reservedWords: Set<String> = ["true", "false", "if", "then", "else", "in", "has", "like", "is"]

/// An expression under construction with the depth of its tree.
struct PExpr {
    var expr: Expr
    var depth: Int
    var span: SourceSpan { expr.span }
}

/// The text between the quotes of a string token. Cut by bytes: a combining mark right after
/// the opening quote forms one `Character` with it, and dropping the first `Character` would
/// drop the mark too.
func stringLiteralBody(_ token: String) -> Substring {
    let utf8 = token.utf8
    guard utf8.count >= 2 else { return token[...] }
    return token[utf8.index(after: utf8.startIndex)..<utf8.index(before: utf8.endIndex)]
}

/// Unescapes a Cedar string literal body (without quotes). With `pattern`, `\*` yields a literal
/// star and unescaped `*` a wildcard.
func unescapeCedar(_ raw: Substring, pattern: Bool) -> (elements: [PatternElement], error: String?) {
    var out: [PatternElement] = []
    var cur = String.UnicodeScalarView()
    func flush() {
        if !cur.isEmpty {
            out.append(.literal(String(cur)))
            cur = String.UnicodeScalarView()
        }
    }
    var it = raw.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    func next() -> Unicode.Scalar? {
        if let p = pending { pending = nil; return p }
        return it.next()
    }
    while let c = next() {
        if c == "*" && pattern {
            flush()
            if out.last != .wildcard { out.append(.wildcard) }
            continue
        }
        if c != "\\" {
            cur.append(c)
            continue
        }
        guard let e = next() else { return (out, "the input `\\` is not a valid escape") }
        switch e {
        case "n": cur.append("\n")
        case "r": cur.append("\r")
        case "t": cur.append("\t")
        case "\\": cur.append("\\")
        case "0": cur.append("\0")
        case "'": cur.append("'")
        case "\"": cur.append("\"")
        case "*" where pattern: cur.append("*")
        case "x":
            guard let h1 = next(), let h2 = next(), let v1 = hexValue(h1), let v2 = hexValue(h2), v1 <= 7 else {
                return (out, "the input `\\x` is not a valid escape: use `\\x` with two hex digits up to 7F")
            }
            let scalar = Unicode.Scalar(UInt8(v1 * 16 + v2))
            if pattern && scalar == "*" {
                flush()
                if out.last != .wildcard { out.append(.wildcard) }
            } else {
                cur.append(scalar)
            }
        case "u":
            guard next() == "{" else { return (out, "the input `\\u` is not a valid escape: write `\\u{XXXX}`") }
            var value: UInt32 = 0
            var digits = 0
            var closed = false
            while let h = next() {
                if h == "}" { closed = true; break }
                guard let v = hexValue(h), digits < 6 else {
                    return (out, "the input `\\u` is not a valid escape: write `\\u{XXXX}` with 1 to 6 hex digits")
                }
                value = value * 16 + UInt32(v)
                digits += 1
            }
            guard closed, digits > 0, let scalar = Unicode.Scalar(value) else {
                return (out, "the input `\\u` is not a valid escape: write `\\u{XXXX}` with 1 to 6 hex digits naming a character")
            }
            if pattern && scalar == "*" {
                flush()
                if out.last != .wildcard { out.append(.wildcard) }
            } else {
                cur.append(scalar)
            }
        default:
            return (out, "the input `\\\(e)` is not a valid escape")
        }
    }
    flush()
    return (out, nil)
}

private func hexValue(_ c: Unicode.Scalar) -> Int? {
    switch c.value {
    case 0x30...0x39: return Int(c.value - 0x30)
    case 0x41...0x46: return Int(c.value - 0x41 + 10)
    case 0x61...0x66: return Int(c.value - 0x61 + 10)
    default: return nil
    }
}

/// Runs internal code that throws untyped errors (smaller stack frames on deep recursion) and
/// narrows them to `CedarError`.
func cedarErrors<T>(_ body: () throws -> T) throws(CedarError) -> T {
    do {
        return try body()
    } catch let e as CedarError {
        throw e
    } catch {
        throw .parse(message: "\(error)", span: .none, expected: [])
    }
}

struct ParserState {
    let tokens: [Token]
    let file: String
    let limits: ParserLimits
    var index = 0
    var nesting = 0
    /// When parsing a condition, which clause (slots are not allowed there).
    var conditionKind: ConditionKind? = nil

    init(tokens: [Token], file: String, limits: ParserLimits) {
        self.tokens = tokens
        self.file = file
        self.limits = limits
    }

    // MARK: token helpers

    var current: Token { tokens[index] }
    var kind: TokenKind { tokens[index].kind }
    func peek(_ k: Int = 1) -> Token { tokens[min(index + k, tokens.count - 1)] }

    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func isWord(_ w: String) -> Bool { current.kind == .identifier && current.text == w }

    func describe(_ t: Token) -> String {
        t.kind == .endOfInput ? "end of input" : "`\(t.text)`"
    }

    func fail(_ message: String, _ span: SourceSpan, expected: [String] = []) -> CedarError {
        .parse(message: message, span: span, expected: expected)
    }

    func unexpected(_ expected: [String], _ t: Token? = nil) -> CedarError {
        let tok = t ?? current
        let words = expected.count <= 1 ? (expected.first ?? "something else")
            : expected.dropLast().joined(separator: ", ") + " or " + expected.last!
        return .parse(message: "unexpected \(describe(tok)); expected \(words)", span: tok.span, expected: expected)
    }

    @discardableResult
    mutating func expect(_ kind: TokenKind, _ what: String) throws -> Token {
        guard current.kind == kind else { throw unexpected([what]) }
        return advance()
    }

    func expectEnd() throws {
        guard current.kind == .endOfInput else { throw unexpected(["end of input"]) }
    }

    func span(_ a: SourceSpan, _ b: SourceSpan) -> SourceSpan { a.merged(with: b) }

    func make(_ kind: ExprKind, _ span: SourceSpan, _ children: Int...) throws -> PExpr {
        let d = (children.max() ?? 0) + 1
        if d > limits.maxTreeDepth {
            throw fail("expression is nested too deeply (more than \(limits.maxTreeDepth) levels); split it into smaller conditions", span)
        }
        return PExpr(expr: Expr(kind, span: span), depth: d)
    }

    // MARK: policies

    mutating func parsePolicies() throws -> [Policy] {
        var out: [Policy] = []
        while current.kind != .endOfInput {
            var p = try parsePolicy()
            p.indexInFile = out.count
            p.id = "policy\(out.count)"
            out.append(p)
        }
        return out
    }

    mutating func parsePolicy() throws -> Policy {
        let startSpan = current.span
        var annotations: [Annotation] = []
        // A set, not a search of `annotations`: thousands of annotations must not cost quadratic time.
        var annotationKeys = Set<String>()
        while current.kind == .at {
            let at = advance()
            guard current.kind == .identifier else { throw unexpected(["an annotation name"]) }
            let keyTok = advance()
            if !annotationKeys.insert(keyTok.text).inserted {
                throw fail("duplicate annotation: @\(keyTok.text); keep only one", keyTok.span)
            }
            var value = ""
            var hasValue = false
            var end = keyTok.span
            if current.kind == .leftParen {
                _ = advance()
                guard current.kind == .string else { throw unexpected(["a string value for the annotation"]) }
                let s = advance()
                value = try unescapeString(s)
                hasValue = true
                end = try expect(.rightParen, "`)`").span
            }
            annotations.append(Annotation(key: keyTok.text, value: value, hasValue: hasValue, span: span(at.span, end)))
        }
        guard current.kind == .identifier else { throw unexpected(["`permit`", "`forbid`"]) }
        let effectTok = advance()
        let effect: Effect
        switch effectTok.text {
        case "permit": effect = .permit
        case "forbid": effect = .forbid
        default:
            throw fail("unexpected `\(effectTok.text)`; a policy starts with `permit` or `forbid`", effectTok.span,
                       expected: ["`permit`", "`forbid`"])
        }
        try expect(.leftParen, "`(`")
        let principal = try parsePrincipalOrResource(.principal)
        guard current.kind == .comma else {
            if current.kind == .rightParen { throw fail("this policy is missing the `action` variable in the scope", current.span, expected: ["`,`"]) }
            throw unexpected(["`,`"])
        }
        _ = advance()
        let action = try parseActionScope()
        guard current.kind == .comma else {
            if current.kind == .rightParen { throw fail("this policy is missing the `resource` variable in the scope", current.span, expected: ["`,`"]) }
            throw unexpected(["`,`"])
        }
        _ = advance()
        let resource = try parsePrincipalOrResource(.resource)
        if current.kind == .comma {
            _ = advance()
            if current.kind != .rightParen {
                throw fail("this policy has an extra element in the scope: \(describe(current)); the scope is `principal, action, resource`", current.span)
            }
        }
        try expect(.rightParen, "`)`")
        var conditions: [Condition] = []
        while current.kind == .identifier {
            let kw = advance()
            let kind: ConditionKind
            switch kw.text {
            case "when": kind = .when
            case "unless": kind = .unless
            default: throw fail("invalid policy condition: `\(kw.text)`; expected `when` or `unless`", kw.span, expected: ["`when`", "`unless`"])
            }
            try expect(.leftBrace, "`{`")
            if current.kind == .rightBrace {
                throw fail("`\(kw.text)` condition clause cannot be empty; write an expression between the braces", current.span)
            }
            conditionKind = kind
            let body = try parseExpr()
            conditionKind = nil
            let close = try expect(.rightBrace, "`}`")
            conditions.append(Condition(kind: kind, body: body.expr, span: span(kw.span, close.span)))
        }
        guard current.kind == .semicolon else {
            throw unexpected(conditions.isEmpty ? ["`when`", "`unless`", "`;`"] : ["`when`", "`unless`", "`;`"])
        }
        let semi = advance()
        return Policy(
            id: "", effect: effect, annotations: annotations, principal: principal, action: action,
            resource: resource, conditions: conditions, span: span(startSpan, semi.span), effectSpan: effectTok.span)
    }

    mutating func expectVariable(_ v: Variable) throws -> Token {
        guard current.kind == .identifier else {
            if current.kind == .rightParen {
                throw fail("this policy is missing the `\(v.rawValue)` variable in the scope", current.span, expected: ["`\(v.rawValue)`"])
            }
            throw unexpected(["`\(v.rawValue)`"])
        }
        if current.text != v.rawValue {
            if ["principal", "action", "resource", "context"].contains(current.text) {
                throw fail("found the variable `\(current.text)` where the variable `\(v.rawValue)` must be used", current.span, expected: ["`\(v.rawValue)`"])
            }
            throw unexpected(["`\(v.rawValue)`"])
        }
        let t = advance()
        if current.kind == .colon {
            throw fail("type constraints using `:` are not supported; use `\(v.rawValue) is Type`", current.span)
        }
        return t
    }

    mutating func parsePrincipalOrResource(_ v: Variable) throws -> ScopeConstraint {
        let varTok = try expectVariable(v)
        var end = varTok.span
        var typeName: String? = nil
        if isWord("is") {
            _ = advance()
            let (name, s) = try parseTypeName()
            typeName = name
            end = s
        }
        let op: TokenKind?
        if current.kind == .equal || isWord("in") {
            op = current.kind == .equal ? .equal : .leftBracket  // leftBracket marks `in`
            _ = advance()
        } else if [.less, .lessEqual, .greater, .greaterEqual, .notEqual, .assign].contains(current.kind) {
            throw fail("scope constraints must use `in` or `==`, not `\(current.text)`", current.span, expected: ["`in`", "`==`"])
        } else {
            op = nil
        }
        guard let op else {
            let kind: ScopeConstraintKind = typeName.map { .is($0) } ?? .any
            return ScopeConstraint(kind, span: span(varTok.span, end))
        }
        if op == .equal && typeName != nil {
            throw fail("`is` cannot be combined with `==` in the scope; use `is ... in`", current.span)
        }
        let (ref, refSpan) = try parseScopeEntity(v)
        let kind: ScopeConstraintKind
        if let typeName {
            kind = .isIn(typeName, ref)
        } else {
            kind = op == .equal ? .equals(ref) : .in(ref)
        }
        return ScopeConstraint(kind, span: span(varTok.span, refSpan))
    }

    /// An entity literal or the matching slot, possibly in parentheses.
    mutating func parseScopeEntity(_ v: Variable) throws -> (EntityReference, SourceSpan) {
        if current.kind == .leftParen {
            let open = advance()
            let (r, _) = try parseScopeEntity(v)
            let close = try expect(.rightParen, "`)`")
            return (r, span(open.span, close.span))
        }
        if current.kind == .slot {
            let t = advance()
            let wanted = v == .principal ? SlotID.principal : SlotID.resource
            guard t.text == wanted.rawValue else {
                throw fail("expected an entity uid or matching template slot, found \(t.text) instead of \(wanted.rawValue)", t.span)
            }
            return (.slot(wanted), t.span)
        }
        if current.kind == .leftBracket {
            throw fail("expected a single entity uid or template slot, found a set of entity uids", current.span)
        }
        let (uid, s) = try parseEntityUIDLiteral(what: "an entity uid like `User::\"alice\"` or a template slot")
        return (.entity(uid), s)
    }

    mutating func parseActionScope() throws -> ActionConstraint {
        let varTok = try expectVariable(.action)
        if isWord("is") {
            throw fail("`is` cannot appear in the action scope", current.span)
        }
        let isEq: Bool
        if current.kind == .equal {
            isEq = true
        } else if isWord("in") {
            isEq = false
        } else if [.less, .lessEqual, .greater, .greaterEqual, .notEqual, .assign].contains(current.kind) {
            throw fail("scope constraints must use `in` or `==`, not `\(current.text)`", current.span, expected: ["`in`", "`==`"])
        } else {
            return ActionConstraint(.any, span: varTok.span)
        }
        _ = advance()
        var parens = 0
        while current.kind == .leftParen { _ = advance(); parens += 1 }
        let kind: ActionConstraintKind
        var end: SourceSpan
        if current.kind == .leftBracket {
            if isEq { throw fail("expected a single entity uid after `==`, found a set of entity uids", current.span) }
            _ = advance()
            var list: [EntityUID] = []
            while current.kind != .rightBracket {
                let (uid, s) = try parseEntityUIDLiteral(what: "an action uid like `Action::\"read\"`")
                try checkActionType(uid, s)
                list.append(uid)
                if current.kind == .comma { _ = advance() } else { break }
            }
            end = try expect(.rightBracket, "`]`").span
            kind = .inList(list)
        } else {
            if current.kind == .slot {
                throw fail("template slots are not allowed in the action scope", current.span)
            }
            let (uid, s) = try parseEntityUIDLiteral(what: "an action uid like `Action::\"read\"`")
            try checkActionType(uid, s)
            end = s
            kind = isEq ? .equals(uid) : .in(uid)
        }
        for _ in 0..<parens { end = try expect(.rightParen, "`)`").span }
        return ActionConstraint(kind, span: span(varTok.span, end))
    }

    func checkActionType(_ uid: EntityUID, _ s: SourceSpan) throws {
        let base = uid.type.split(separator: ":").last.map(String.init) ?? uid.type
        if base != "Action" {
            throw fail("expected an entity uid with type `Action` in the action scope, found \(uid)", s)
        }
    }

    /// `A::B::"id"`.
    mutating func parseEntityUIDLiteral(what: String) throws -> (EntityUID, SourceSpan) {
        guard current.kind == .identifier else { throw unexpected([what]) }
        let first = current.span
        var path: [String] = []
        while true {
            guard current.kind == .identifier else { throw unexpected([what]) }
            let t = advance()
            try checkIdentifier(t)
            path.append(t.text)
            guard current.kind == .doubleColon else { throw unexpected(["`::`"]) }
            _ = advance()
            if current.kind == .string {
                let s = advance()
                let id = try unescapeString(s)
                let type = path.joined(separator: "::")
                try checkReservedNamespace(path, span(first, s.span))
                return (EntityUID(type: type, id: id), span(first, s.span))
            }
            if current.kind == .leftBrace {
                throw fail("invalid entity literal: write `\(path.joined(separator: "::"))::\"id\"`", current.span)
            }
        }
    }

    /// `A::B`.
    mutating func parseTypeName() throws -> (String, SourceSpan) {
        guard current.kind == .identifier else { throw unexpected(["an entity type name"]) }
        let first = current.span
        var end = first
        var path: [String] = []
        while true {
            let t = advance()
            try checkIdentifier(t)
            path.append(t.text)
            end = t.span
            if current.kind == .doubleColon && peek().kind == .identifier {
                _ = advance()
                continue
            }
            if current.kind == .doubleColon {
                throw fail("expected an entity type name, found an entity literal", current.span)
            }
            break
        }
        try checkReservedNamespace(path, span(first, end))
        return (path.joined(separator: "::"), span(first, end))
    }

    func checkIdentifier(_ t: Token) throws {
        if reservedWords.contains(t.text) {
            throw fail("this identifier is reserved and cannot be used: \(t.text)", t.span)
        }
    }

    func checkReservedNamespace(_ path: [String], _ s: SourceSpan) throws {
        if path.contains("__cedar") {
            throw fail("the name `\(path.joined(separator: "::"))` contains `__cedar`, which is reserved", s)
        }
    }

    func unescapeString(_ t: Token) throws -> String {
        let body = stringLiteralBody(t.text)
        if !body.utf8.contains(0x5C) { return String(body) }
        let (elements, error) = unescapeCedar(body, pattern: false)
        if let error { throw fail(error, t.span) }
        var s = ""
        for case .literal(let l) in elements { s += l }
        return s
    }

    // MARK: expressions

    mutating func parseExpr() throws -> PExpr {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > limits.maxNesting {
            throw fail("expression is nested too deeply (more than \(limits.maxNesting) levels); split it into smaller parts", current.span)
        }
        if isWord("if") {
            let ifTok = advance()
            let c = try parseExpr()
            guard isWord("then") else { throw unexpected(["`then`"]) }
            _ = advance()
            let t = try parseExpr()
            guard isWord("else") else { throw unexpected(["`else`"]) }
            _ = advance()
            let e = try parseExpr()
            return try make(.ifThenElse(c.expr, t.expr, e.expr), span(ifTok.span, e.span), c.depth, t.depth, e.depth)
        }
        return try parseOr()
    }

    mutating func parseOr() throws -> PExpr {
        var lhs = try parseAnd()
        while current.kind == .or {
            _ = advance()
            let rhs = try parseAnd()
            lhs = try make(.or(lhs.expr, rhs.expr), span(lhs.span, rhs.span), lhs.depth, rhs.depth)
        }
        return lhs
    }

    mutating func parseAnd() throws -> PExpr {
        var lhs = try parseRelation()
        while current.kind == .and {
            _ = advance()
            let rhs = try parseRelation()
            lhs = try make(.and(lhs.expr, rhs.expr), span(lhs.span, rhs.span), lhs.depth, rhs.depth)
        }
        return lhs
    }

    func relOp(_ t: Token) -> BinaryOp? {
        switch t.kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        case .identifier where t.text == "in": return .in
        default: return nil
        }
    }

    mutating func parseRelation() throws -> PExpr {
        let lhs = try parseAdd()
        if current.kind == .assign {
            throw fail("`=` is not a valid operator in Cedar; use `==` to compare", current.span, expected: ["`==`"])
        }
        if let op = relOp(current) {
            _ = advance()
            let rhs = try parseAdd()
            if relOp(current) != nil || current.kind == .assign {
                throw fail("multiple relational operators (>, ==, in, etc.) must be used with parentheses to make ordering explicit", current.span)
            }
            return try make(.binary(op, lhs.expr, rhs.expr), span(lhs.span, rhs.span), lhs.depth, rhs.depth)
        }
        if isWord("has") {
            _ = advance()
            return try parseHasRHS(lhs)
        }
        if isWord("like") {
            _ = advance()
            guard current.kind == .string, !isAccessStart(peek()), ![.plus, .minus, .star, .slash, .percent].contains(peek().kind) else {
                let rhs = try parseAdd()
                throw fail("right hand side of a `like` expression must be a pattern literal, but got `\(text(of: rhs.span))`", rhs.span)
            }
            let s = advance()
            let (elements, error) = unescapeCedar(stringLiteralBody(s.text), pattern: true)
            if let error { throw fail(error, s.span) }
            return try make(.like(lhs.expr, pattern: elements), span(lhs.span, s.span), lhs.depth)
        }
        if isWord("is") {
            _ = advance()
            let (name, nameSpan) = try parseTypeName()
            if isWord("in") {
                _ = advance()
                let target = try parseAdd()
                return try make(.isType(lhs.expr, type: name, in: target.expr), span(lhs.span, target.span), lhs.depth, target.depth)
            }
            return try make(.isType(lhs.expr, type: name, in: nil), span(lhs.span, nameSpan), lhs.depth)
        }
        return lhs
    }

    func isAccessStart(_ t: Token) -> Bool {
        t.kind == .dot || t.kind == .leftBracket || t.kind == .leftParen
    }

    func text(of s: SourceSpan) -> String {
        var parts: [String] = []
        for t in tokens where t.span.start.offset >= s.start.offset && t.span.end.offset <= s.end.offset && t.kind != .endOfInput {
            parts.append(t.text)
        }
        return parts.joined()
    }

    mutating func parseHasRHS(_ lhs: PExpr) throws -> PExpr {
        if current.kind == .string {
            let s = advance()
            if isAccessStart(current) {
                throw fail("invalid RHS of a `has` operation: expected an attribute name or a string", current.span)
            }
            let name = try unescapeString(s)
            return try make(.has(lhs.expr, path: [name], quoted: true), span(lhs.span, s.span), lhs.depth)
        }
        guard current.kind == .identifier else { throw unexpected(["an attribute name"]) }
        var path: [String] = []
        var end = current.span
        while true {
            guard current.kind == .identifier else { throw unexpected(["an attribute name"]) }
            let t = advance()
            try checkIdentifier(t)
            path.append(t.text)
            end = t.span
            if current.kind == .dot {
                _ = advance()
                continue
            }
            if current.kind == .leftBracket || current.kind == .leftParen || current.kind == .doubleColon {
                throw fail("invalid RHS of a `has` operation: expected an attribute name or a path `a.b.c`", current.span)
            }
            break
        }
        return try make(.has(lhs.expr, path: path, quoted: false), span(lhs.span, end), lhs.depth)
    }

    mutating func parseAdd() throws -> PExpr {
        var lhs = try parseMult()
        while current.kind == .plus || current.kind == .minus {
            let op: BinaryOp = advance().kind == .plus ? .add : .sub
            let rhs = try parseMult()
            lhs = try make(.binary(op, lhs.expr, rhs.expr), span(lhs.span, rhs.span), lhs.depth, rhs.depth)
        }
        return lhs
    }

    mutating func parseMult() throws -> PExpr {
        var lhs = try parseUnary()
        while true {
            switch current.kind {
            case .star:
                _ = advance()
                let rhs = try parseUnary()
                lhs = try make(.binary(.mul, lhs.expr, rhs.expr), span(lhs.span, rhs.span), lhs.depth, rhs.depth)
            case .slash:
                throw fail("division is not supported", current.span)
            case .percent:
                throw fail("remainder/modulo is not supported", current.span)
            default:
                return lhs
            }
        }
    }

    mutating func parseUnary() throws -> PExpr {
        guard current.kind == .bang || current.kind == .minus else { return try parseMember() }
        let opKind = current.kind
        let first = current.span
        let firstIndex = index
        var count = 0
        while current.kind == opKind {
            _ = advance()
            count += 1
        }
        if count > 4 {
            throw fail("too many occurrences of `\(opKind.rawValue)`; at most 4 in a row", first)
        }
        var remaining = count
        var inner: PExpr
        if opKind == .minus && current.kind == .integer && !isAccessStart(peek()) {
            let t = advance()
            guard let magnitude = UInt64(t.text), magnitude <= UInt64(Int64.max) + 1 else {
                throw fail("integer literal `-\(t.text)` is too large (the smallest long is -9223372036854775808)", span(first, t.span))
            }
            let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            // the literal takes the last minus sign
            let minusSpan = tokens[index - 2].span
            inner = try make(.literal(.long(value)), span(minusSpan, t.span))
            remaining -= 1
        } else {
            inner = try parseMember()
        }
        let op: UnaryOp = opKind == .bang ? .not : .neg
        for i in 0..<remaining {
            let s = SourceSpan(file: file, start: tokens[firstIndex + remaining - 1 - i].span.start, end: inner.span.end)
            inner = try make(.unary(op, inner.expr), s, inner.depth)
        }
        return inner
    }

    mutating func parseMember() throws -> PExpr {
        var e = try parsePrimary()
        while true {
            switch current.kind {
            case .dot:
                _ = advance()
                guard current.kind == .identifier else { throw unexpected(["an attribute or method name"]) }
                let name = advance()
                if current.kind == .leftParen {
                    guard let method = MethodName(rawValue: name.text) else {
                        throw fail("`\(name.text)` is not a valid method", name.span)
                    }
                    let (args, argsDepth, close) = try parseArguments()
                    let arity: Int? = switch method {
                    case .contains, .containsAll, .containsAny, .hasTag, .getTag: 1
                    case .isEmpty: 0
                    default: nil
                    }
                    if let arity, arity != args.count {
                        throw fail("call to `\(name.text)` requires exactly \(arity) argument\(arity == 1 ? "" : "s"), but got \(args.count) argument\(args.count == 1 ? "" : "s")", span(name.span, close))
                    }
                    e = try make(.methodCall(e.expr, method, args), span(e.span, close), e.depth, argsDepth)
                } else {
                    try checkIdentifier(name)
                    e = try make(.attribute(e.expr, name.text), span(e.span, name.span), e.depth)
                }
            case .leftBracket:
                _ = advance()
                guard current.kind == .string, peek().kind == .rightBracket else {
                    throw fail("invalid string literal: an index must be a string literal like `[\"key\"]`", current.span)
                }
                let s = advance()
                let key = try unescapeString(s)
                let close = advance()
                e = try make(.index(e.expr, key), span(e.span, close.span), e.depth)
            case .leftParen:
                throw fail("function calls must be of the form `<name>(arg1, arg2, ...)`", current.span)
            default:
                return e
            }
        }
    }

    mutating func parseArguments() throws -> ([Expr], Int, SourceSpan) {
        try expect(.leftParen, "`(`")
        var args: [Expr] = []
        var depth = 0
        while current.kind != .rightParen {
            let a = try parseExpr()
            args.append(a.expr)
            depth = max(depth, a.depth)
            if current.kind == .comma { _ = advance() } else { break }
        }
        let close = try expect(.rightParen, "`)` or `,`")
        return (args, depth, close.span)
    }

    mutating func parsePrimary() throws -> PExpr {
        let t = current
        switch t.kind {
        case .integer:
            _ = advance()
            guard let v = Int64(t.text) else {
                throw fail("integer literal `\(t.text)` is too large (the largest long is 9223372036854775807)", t.span)
            }
            return try make(.literal(.long(v)), t.span)
        case .string:
            _ = advance()
            return try make(.literal(.string(try unescapeString(t))), t.span)
        case .slot:
            _ = advance()
            guard let slot = SlotID(rawValue: t.text) else {
                throw fail("`\(t.text)` is not a valid template slot; use `?principal` or `?resource`", t.span)
            }
            if let c = conditionKind {
                throw fail("found template slot \(t.text) in a `\(c.rawValue)` clause; slots may only appear in the scope", t.span)
            }
            return try make(.slot(slot), t.span)
        case .leftParen:
            _ = advance()
            let inner = try parseExpr()
            let close = try expect(.rightParen, "`)`")
            return try make(.parenthesized(inner.expr), span(t.span, close.span), inner.depth)
        case .leftBracket:
            _ = advance()
            nesting += 1
            defer { nesting -= 1 }
            var items: [Expr] = []
            var depth = 0
            while current.kind != .rightBracket {
                let a = try parseExpr()
                items.append(a.expr)
                depth = max(depth, a.depth)
                if current.kind == .comma { _ = advance() } else { break }
            }
            let close = try expect(.rightBracket, "`]` or `,`")
            return try make(.set(items), span(t.span, close.span), depth)
        case .leftBrace:
            _ = advance()
            nesting += 1
            defer { nesting -= 1 }
            var entries: [RecordEntry] = []
            var seen = Set<ExactString>()
            var depth = 0
            while current.kind != .rightBrace {
                let keyTok = current
                let key: String
                let quoted: Bool
                if keyTok.kind == .string {
                    key = try unescapeString(keyTok)
                    quoted = true
                } else if keyTok.kind == .identifier {
                    try checkIdentifier(keyTok)
                    key = keyTok.text
                    quoted = false
                } else {
                    throw unexpected(["a record key (an identifier or a string)"])
                }
                _ = advance()
                guard current.kind == .colon else { throw unexpected(["`:`"]) }
                _ = advance()
                let v = try parseExpr()
                if !seen.insert(ExactString(key)).inserted {
                    throw fail("duplicate key `\(key)` in record literal", keyTok.span)
                }
                entries.append(RecordEntry(key: key, keyIsString: quoted, value: v.expr, keySpan: keyTok.span))
                depth = max(depth, v.depth)
                if current.kind == .comma { _ = advance() } else { break }
            }
            let close = try expect(.rightBrace, "`}` or `,`")
            return try make(.record(entries), span(t.span, close.span), depth)
        case .identifier:
            return try parseNameExpr()
        default:
            throw unexpected(["an expression"])
        }
    }

    mutating func parseNameExpr() throws -> PExpr {
        let first = advance()
        switch first.text {
        case "true": return try make(.literal(.bool(true)), first.span)
        case "false": return try make(.literal(.bool(false)), first.span)
        case "if": throw fail("`if` expressions must be wrapped in parentheses here", first.span)
        default: break
        }
        var path = [first.text]
        var pathTokens = [first]
        var end = first.span
        while current.kind == .doubleColon {
            _ = advance()
            if current.kind == .identifier {
                let t = advance()
                path.append(t.text)
                pathTokens.append(t)
                end = t.span
                continue
            }
            if current.kind == .string {
                for pt in pathTokens { try checkIdentifier(pt) }
                let s = advance()
                try checkReservedNamespace(path, span(first.span, s.span))
                let uid = EntityUID(type: path.joined(separator: "::"), id: try unescapeString(s))
                return try make(.entity(uid), span(first.span, s.span))
            }
            if current.kind == .leftBrace {
                throw fail("invalid entity literal: write `\(path.joined(separator: "::"))::\"id\"`", current.span)
            }
            throw unexpected(["an identifier", "an entity id string"])
        }
        let name = path.joined(separator: "::")
        if current.kind == .leftParen {
            guard path.count == 1, let fn = FunctionName(rawValue: name) else {
                if path.count == 1, MethodName(rawValue: name) != nil {
                    throw fail("`\(name)` is a method, not a function; write `value.\(name)(...)`", span(first.span, end))
                }
                throw fail("`\(name)` is not a valid function", span(first.span, end))
            }
            let (args, depth, close) = try parseArguments()
            return try make(.call(fn, args), span(first.span, close), depth)
        }
        if path.count == 1, let v = Variable(rawValue: name) {
            return try make(.variable(v), first.span)
        }
        throw fail("invalid variable: \(name); expected `principal`, `action`, `resource`, `context`, an entity literal or a function call", span(first.span, end))
    }
}

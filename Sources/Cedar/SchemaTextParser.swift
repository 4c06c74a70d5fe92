// Parser for the Cedar schema format (`.cedarschema`).
//
// Grammar (Cedar 4):
//   Schema    := { Annotation* ( 'namespace' Path '{' { Annotation* Decl } '}' | Decl ) }
//   Decl      := Entity | Action | TypeDecl
//   Entity    := 'entity' Idents ( 'enum' '[' STRs ']'
//                | ['in' EntTypes] [['='] '{' [AttrDecls] '}'] ['tags' Type] ) ';'
//   Action    := 'action' Names ['in' (QualName | '[' QualNames ']')]
//                ['appliesTo' '{' AppDecls '}'] ['attributes' '{' '}'] ';'
//   TypeDecl  := 'type' Ident '=' Type ';'
//   AppDecls  := ('principal' | 'resource') ':' EntTypes | 'context' ':' (Path | RecType), comma separated
//   Type      := Path | 'Set' '<' Type '>' | '{' [AttrDecls] '}'
//   AttrDecls := Annotation* Name ['?'] ':' Type, comma separated, trailing comma allowed
//   Annotation:= '@' AnyIdent [ '(' STR ')' ]
import JSONValue

/// A token of the Cedar schema format.
struct SchemaToken: Sendable {
    enum Kind: Sendable, Equatable {
        case identifier, string, number
        case punct(String)
        case end
    }
    var kind: Kind
    /// Source text; for a string, the unescaped value.
    var text: String
    var span: SourceSpan

    /// How the token is named in an error message.
    var display: String {
        switch kind {
        case .end: return "the end of the file"
        case .string: return cedarQuoted(text)
        case .identifier, .number: return "`\(text)`"
        case .punct(let p): return "`\(p)`"
        }
    }

    func isKeyword(_ k: String) -> Bool { kind == .identifier && text == k }
    func isPunct(_ p: String) -> Bool { kind == .punct(p) }
}

/// Splits schema text into tokens, skipping whitespace and `//` comments.
struct SchemaLexer {
    let bytes: [UInt8]
    let file: String
    var offset = 0
    var line = 1
    var column = 1

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var position: SourcePosition { SourcePosition(line: line, column: column, offset: offset) }

    mutating func advance() {
        let b = bytes[offset]
        offset += 1
        if b == 0x0A {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
    }

    func error(_ message: String, _ start: SourcePosition, _ end: SourcePosition? = nil) -> CedarError {
        .parse(message: message, span: SourceSpan(file: file, start: start, end: end ?? start), expected: [])
    }

    mutating func tokenize() throws(CedarError) -> [SchemaToken] {
        if let bad = schemaFirstInvalidUTF8(bytes) {
            var l = SchemaLexer(bytes: bytes, file: file)
            while l.offset < bad { l.advance() }
            throw error("the schema is not valid UTF-8 text", l.position)
        }
        var out: [SchemaToken] = []
        while true {
            skipTrivia()
            let start = position
            guard offset < bytes.count else {
                out.append(SchemaToken(kind: .end, text: "", span: SourceSpan(file: file, start: start, end: start)))
                return out
            }
            let b = bytes[offset]
            if isIdentStart(b) {
                while offset < bytes.count && isIdentContinue(bytes[offset]) { advance() }
                out.append(token(.identifier, start))
            } else if b >= 0x30 && b <= 0x39 {
                while offset < bytes.count && bytes[offset] >= 0x30 && bytes[offset] <= 0x39 { advance() }
                out.append(token(.number, start))
            } else if b == 0x22 {
                out.append(try lexString(start))
            } else if b == 0x3A && offset + 1 < bytes.count && bytes[offset + 1] == 0x3A {
                advance(); advance()
                out.append(token(.punct("::"), start))
            } else if let p = Self.punctuation[b] {
                advance()
                out.append(token(.punct(p), start))
            } else {
                var end = self
                end.advance()
                let scalar = String(decoding: bytes[start.offset..<end.offset], as: UTF8.self)
                throw error("unexpected character \(cedarQuoted(scalar)) in the schema", start, end.position)
            }
        }
    }

    static let punctuation: [UInt8: String] = [
        0x2C: ",", 0x3B: ";", 0x3A: ":", 0x7B: "{", 0x7D: "}", 0x5B: "[", 0x5D: "]",
        0x3C: "<", 0x3E: ">", 0x3D: "=", 0x3F: "?", 0x40: "@", 0x28: "(", 0x29: ")",
    ]

    func token(_ kind: SchemaToken.Kind, _ start: SourcePosition) -> SchemaToken {
        SchemaToken(
            kind: kind, text: String(decoding: bytes[start.offset..<offset], as: UTF8.self),
            span: SourceSpan(file: file, start: start, end: position))
    }

    func isIdentStart(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
    func isIdentContinue(_ b: UInt8) -> Bool { isIdentStart(b) || (b >= 0x30 && b <= 0x39) }

    mutating func skipTrivia() {
        while offset < bytes.count {
            let b = bytes[offset]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C {
                advance()
            } else if b == 0x2F && offset + 1 < bytes.count && bytes[offset + 1] == 0x2F {
                while offset < bytes.count && bytes[offset] != 0x0A && bytes[offset] != 0x0D { advance() }
            } else {
                return
            }
        }
    }

    mutating func lexString(_ start: SourcePosition) throws(CedarError) -> SchemaToken {
        advance()  // opening quote
        var value: [UInt8] = []
        while true {
            guard offset < bytes.count else {
                throw error("unterminated string: add the closing `\"`", start, position)
            }
            let b = bytes[offset]
            if b == 0x22 {
                advance()
                break
            }
            if b == 0x5C {
                let escStart = position
                advance()
                guard offset < bytes.count else { throw error("unterminated string: add the closing `\"`", start, position) }
                let e = bytes[offset]
                advance()
                switch e {
                case 0x6E: value.append(0x0A)
                case 0x72: value.append(0x0D)
                case 0x74: value.append(0x09)
                case 0x30: value.append(0x00)
                case 0x5C, 0x22, 0x27: value.append(e)
                case 0x75:
                    guard offset < bytes.count, bytes[offset] == 0x7B else {
                        throw error("invalid escape `\\u`: write a Unicode escape as `\\u{hex}`", escStart, position)
                    }
                    advance()
                    var hex = ""
                    while offset < bytes.count, bytes[offset] != 0x7D, hex.count <= 6 {
                        hex.unicodeScalars.append(Unicode.Scalar(bytes[offset]))
                        advance()
                    }
                    guard offset < bytes.count, bytes[offset] == 0x7D, (1...6).contains(hex.count),
                        let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v)
                    else {
                        throw error("invalid Unicode escape `\\u{\(hex)}`", escStart, position)
                    }
                    advance()
                    value.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw error("invalid escape `\\\(String(decoding: [e], as: UTF8.self))` in string", escStart, position)
                }
                continue
            }
            value.append(b)
            advance()
        }
        return SchemaToken(kind: .string, text: String(decoding: value, as: UTF8.self), span: SourceSpan(file: file, start: start, end: position))
    }
}

/// Recursive-descent parser producing a `SchemaFragment`.
struct SchemaTextParser {
    var tokens: [SchemaToken]
    var index = 0
    let file: String
    /// Bounds the nesting of types so hostile input cannot exhaust the stack.
    static let maxTypeDepth = 128

    init(tokens: [SchemaToken], file: String) {
        self.tokens = tokens
        self.file = file
    }

    var current: SchemaToken { tokens[index] }
    var next: SchemaToken { tokens[min(index + 1, tokens.count - 1)] }

    mutating func bump() -> SchemaToken {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func unexpected(_ expected: [String], _ context: String) -> CedarError {
        let list: String
        if expected.count <= 1 {
            list = expected.first ?? "something else"
        } else {
            list = expected.dropLast().joined(separator: ", ") + " or " + expected.last!
        }
        return .parse(
            message: "expected \(list)\(context.isEmpty ? "" : " " + context), found \(current.display)",
            span: current.span, expected: expected)
    }

    mutating func expectPunct(_ p: String, _ context: String) throws(CedarError) -> SchemaToken {
        guard current.isPunct(p) else { throw unexpected(["`\(p)`"], context) }
        return bump()
    }

    func spanFrom(_ start: SourceSpan) -> SourceSpan {
        let prev = tokens[max(0, index - 1)]
        return SourceSpan(file: file, start: start.start, end: max(prev.span.end, start.start))
    }

    mutating func parseSchema() throws(CedarError) -> SchemaFragment {
        var empty = SchemaRawNamespace(name: "", annotations: [:], span: current.span)
        var named: [SchemaRawNamespace] = []
        while current.kind != .end {
            let start = current.span
            let annotations = try parseAnnotations()
            if current.isKeyword("namespace") {
                _ = bump()
                let path = try parsePath("after `namespace`")
                _ = try expectPunct("{", "to open the namespace body")
                var ns = SchemaRawNamespace(name: path.text, annotations: annotations, span: start)
                while !current.isPunct("}") {
                    if current.kind == .end { throw unexpected(["a declaration", "`}`"], "in namespace `\(path.text)`") }
                    let declAnnotations = try parseAnnotations()
                    try parseDecl(into: &ns, annotations: declAnnotations)
                }
                _ = bump()
                ns.span = spanFrom(start)
                named.append(ns)
            } else {
                try parseDecl(into: &empty, annotations: annotations)
            }
        }
        var fragment = SchemaFragment()
        if !empty.commonTypes.isEmpty || !empty.entities.isEmpty || !empty.actions.isEmpty {
            fragment.namespaces.append(empty)
        }
        fragment.namespaces.append(contentsOf: named)
        return fragment
    }

    mutating func parseAnnotations() throws(CedarError) -> [String: String] {
        var out: [String: String] = [:]
        while current.isPunct("@") {
            let at = bump()
            guard current.kind == .identifier else { throw unexpected(["an annotation name"], "after `@`") }
            let key = bump().text
            var value = ""
            if current.isPunct("(") {
                _ = bump()
                guard current.kind == .string else { throw unexpected(["a string"], "as the value of annotation `@\(key)`") }
                value = bump().text
                _ = try expectPunct(")", "to close annotation `@\(key)`")
            }
            if out[key] != nil {
                throw CedarError.parse(message: "duplicate annotation `@\(key)`; keep only one", span: spanFrom(at.span), expected: [])
            }
            out[key] = value
        }
        return out
    }

    mutating func parseDecl(into ns: inout SchemaRawNamespace, annotations: [String: String]) throws(CedarError) {
        if current.isKeyword("entity") {
            ns.entities.append(contentsOf: try parseEntity(annotations))
        } else if current.isKeyword("action") {
            ns.actions.append(contentsOf: try parseAction(annotations))
        } else if current.isKeyword("type") {
            ns.commonTypes.append(try parseTypeDecl(annotations))
        } else {
            throw unexpected(["`entity`", "`action`", "`type`", "`namespace`"], "to start a declaration")
        }
    }

    /// An identifier that Cedar does not reserve.
    mutating func parseIdent(_ context: String) throws(CedarError) -> SchemaRawName {
        guard current.kind == .identifier else { throw unexpected(["an identifier"], context) }
        if schemaReservedIdentifiers.contains(current.text) {
            throw CedarError.parse(
                message: "`\(current.text)` is a reserved word and cannot be used as a name here", span: current.span,
                expected: [])
        }
        let t = bump()
        return SchemaRawName(text: t.text, span: t.span)
    }

    /// `Ident { '::' Ident }`.
    mutating func parsePath(_ context: String) throws(CedarError) -> SchemaRawName {
        let first = try parseIdent(context)
        var text = first.text
        while current.isPunct("::") && next.kind == .identifier {
            _ = bump()
            text += "::" + (try parseIdent("after `::`")).text
        }
        return SchemaRawName(text: text, span: spanFrom(first.span))
    }

    /// `Path | '[' [Path {',' Path}] ']'`.
    mutating func parseEntTypes(_ context: String) throws(CedarError) -> [SchemaRawName] {
        if current.isPunct("[") {
            _ = bump()
            var out: [SchemaRawName] = []
            if current.isPunct("]") {
                _ = bump()
                return out
            }
            while true {
                out.append(try parsePath(context))
                if current.isPunct(",") {
                    _ = bump()
                    continue
                }
                _ = try expectPunct("]", "to close the list of entity types")
                return out
            }
        }
        return [try parsePath(context)]
    }

    mutating func parseEntity(_ annotations: [String: String]) throws(CedarError) -> [SchemaRawEntity] {
        let start = bump().span  // `entity`
        var names: [SchemaRawName] = [try parseIdent("after `entity`")]
        while current.isPunct(",") {
            _ = bump()
            names.append(try parseIdent("in the list of entity type names"))
        }
        var memberOf: [SchemaRawName] = []
        var shape: SchemaRawType?
        var tags: SchemaRawType?
        var enumValues: [String]?
        if current.isKeyword("enum") {
            _ = bump()
            _ = try expectPunct("[", "after `enum`")
            var values: [String] = []
            while true {
                guard current.kind == .string else { throw unexpected(["a string"], "in the list of enumerated ids") }
                values.append(bump().text)
                if current.isPunct(",") {
                    _ = bump()
                    continue
                }
                _ = try expectPunct("]", "to close the list of enumerated ids")
                break
            }
            var seen: Set<ExactString> = []
            enumValues = values.filter { seen.insert(ExactString($0)).inserted }
        } else {
            if current.isKeyword("in") {
                _ = bump()
                memberOf = try parseEntTypes("as a parent entity type")
            }
            if current.isPunct("=") || current.isPunct("{") {
                let shapeStart = current.span
                if current.isPunct("=") { _ = bump() }
                guard current.isPunct("{") else { throw unexpected(["`{`"], "to open the attribute declarations") }
                let attrs = try parseRecordBody(depth: 1)
                shape = SchemaRawType(kind: .record(attrs, additional: false), span: spanFrom(shapeStart))
            }
            if current.isKeyword("tags") {
                _ = bump()
                tags = try parseType(depth: 1)
            }
        }
        guard current.isPunct(";") else {
            var expected = ["`;`"]
            if enumValues == nil {
                if memberOf.isEmpty && shape == nil && tags == nil { expected += ["`in`", "`{`", "`enum`"] }
                if shape == nil && tags == nil { expected += ["`{`"] }
                if tags == nil { expected += ["`tags`"] }
            }
            var unique: [String] = []
            for e in expected where !unique.contains(e) { unique.append(e) }
            throw unexpected(unique, "in the declaration of entity type `\(names[0].text)`")
        }
        _ = bump()
        let span = spanFrom(start)
        return names.map {
            SchemaRawEntity(
                name: $0.text, memberOf: memberOf, shape: shape, tags: tags, enumValues: enumValues,
                annotations: annotations, span: span)
        }
    }

    /// `Ident | STR`.
    mutating func parseName(_ context: String) throws(CedarError) -> SchemaRawName {
        if current.kind == .string {
            let t = bump()
            return SchemaRawName(text: t.text, span: t.span)
        }
        return try parseIdent(context)
    }

    /// `Name | Path '::' STR`.
    mutating func parseQualName() throws(CedarError) -> SchemaRawActionRef {
        let start = current.span
        if current.kind == .string {
            let t = bump()
            return SchemaRawActionRef(type: nil, id: t.text, span: t.span)
        }
        let first = try parseIdent("as an action group")
        var parts = [first.text]
        while current.isPunct("::") {
            _ = bump()
            if current.kind == .string {
                let id = bump().text
                return SchemaRawActionRef(type: parts.joined(separator: "::"), id: id, span: spanFrom(start))
            }
            parts.append(try parseIdent("after `::`").text)
        }
        guard parts.count == 1 else {
            throw unexpected(["`::` followed by a string"], "to name an action of another namespace (`NS::Action::\"id\"`)")
        }
        return SchemaRawActionRef(type: nil, id: first.text, span: first.span)
    }

    mutating func parseAction(_ annotations: [String: String]) throws(CedarError) -> [SchemaRawAction] {
        let start = bump().span  // `action`
        var names = [try parseName("after `action`")]
        while current.isPunct(",") {
            _ = bump()
            names.append(try parseName("in the list of action names"))
        }
        var memberOf: [SchemaRawActionRef] = []
        if current.isKeyword("in") {
            _ = bump()
            if current.isPunct("[") {
                _ = bump()
                while true {
                    memberOf.append(try parseQualName())
                    if current.isPunct(",") {
                        _ = bump()
                        continue
                    }
                    _ = try expectPunct("]", "to close the list of action groups")
                    break
                }
            } else {
                memberOf.append(try parseQualName())
            }
        }
        var appliesTo: SchemaRawAppliesTo?
        if current.isKeyword("appliesTo") {
            appliesTo = try parseAppliesTo(action: names[0].text)
        }
        if current.isKeyword("attributes") {
            _ = bump()
            _ = try expectPunct("{", "after `attributes`")
            _ = try expectPunct("}", "(action attributes are not supported; leave `attributes {}` empty or remove it)")
        }
        guard current.isPunct(";") else {
            var expected = ["`;`"]
            if appliesTo == nil { expected.insert("`appliesTo`", at: 0) }
            if appliesTo == nil && memberOf.isEmpty { expected.insert("`in`", at: 0) }
            throw unexpected(expected, "in the declaration of action `\(names[0].text)`")
        }
        _ = bump()
        let span = spanFrom(start)
        return names.map {
            SchemaRawAction(name: $0.text, memberOf: memberOf, appliesTo: appliesTo, annotations: annotations, span: span)
        }
    }

    mutating func parseAppliesTo(action: String) throws(CedarError) -> SchemaRawAppliesTo {
        let start = bump().span  // `appliesTo`
        _ = try expectPunct("{", "after `appliesTo`")
        var principals: [SchemaRawName]?
        var resources: [SchemaRawName]?
        var context: SchemaRawType?
        var first = true
        while !current.isPunct("}") || first {
            first = false
            let keyToken = current
            if current.isKeyword("principal") || current.isKeyword("resource") {
                let isPrincipal = current.isKeyword("principal")
                _ = bump()
                _ = try expectPunct(":", "after `\(keyToken.text)`")
                let listStart = current.span
                let types = try parseEntTypes("as a \(keyToken.text) entity type")
                if types.isEmpty {
                    throw CedarError.parse(
                        message: "for action `\(action)`, `\(keyToken.text)` is `[]`, which is invalid: list at least one entity type",
                        span: spanFrom(listStart), expected: [])
                }
                if (isPrincipal ? principals : resources) != nil {
                    throw CedarError.parse(
                        message: "for action `\(action)`, `\(keyToken.text)` is declared twice", span: keyToken.span, expected: [])
                }
                if isPrincipal { principals = types } else { resources = types }
            } else if current.isKeyword("context") {
                _ = bump()
                _ = try expectPunct(":", "after `context`")
                if context != nil {
                    throw CedarError.parse(message: "for action `\(action)`, `context` is declared twice", span: keyToken.span, expected: [])
                }
                if current.isPunct("{") {
                    let recStart = current.span
                    let attrs = try parseRecordBody(depth: 1)
                    context = SchemaRawType(kind: .record(attrs, additional: false), span: spanFrom(recStart))
                } else {
                    let p = try parsePath("as the context type")
                    context = SchemaRawType(kind: .name(p.text), span: p.span)
                }
            } else {
                throw unexpected(["`principal`", "`resource`", "`context`"], "in `appliesTo`")
            }
            if current.isPunct(",") {
                _ = bump()
            } else if !current.isPunct("}") {
                throw unexpected(["`,`", "`}`"], "in `appliesTo`")
            }
        }
        _ = bump()
        let span = spanFrom(start)
        guard let p = principals else {
            throw CedarError.parse(
                message: "missing `principal` declaration for action `\(action)`: add `principal: [EntityType]` to `appliesTo`",
                span: span, expected: [])
        }
        guard let r = resources else {
            throw CedarError.parse(
                message: "missing `resource` declaration for action `\(action)`: add `resource: [EntityType]` to `appliesTo`",
                span: span, expected: [])
        }
        return SchemaRawAppliesTo(principals: p, resources: r, context: context, span: span)
    }

    mutating func parseTypeDecl(_ annotations: [String: String]) throws(CedarError) -> SchemaRawCommonType {
        let start = bump().span  // `type`
        let name = try parseIdent("after `type`")
        _ = try expectPunct("=", "after the common type name `\(name.text)`")
        let t = try parseType(depth: 1)
        _ = try expectPunct(";", "after the definition of common type `\(name.text)`")
        return SchemaRawCommonType(name: name.text, type: t, annotations: annotations, span: spanFrom(start))
    }

    mutating func checkDepth(_ depth: Int) throws(CedarError) {
        if depth > Self.maxTypeDepth {
            throw CedarError.parse(
                message: "types are nested too deeply (more than \(Self.maxTypeDepth) levels)", span: current.span, expected: [])
        }
    }

    mutating func parseType(depth: Int) throws(CedarError) -> SchemaRawType {
        try checkDepth(depth)
        let start = current.span
        if current.isKeyword("Set") && next.isPunct("<") {
            _ = bump()
            _ = bump()
            let element = try parseType(depth: depth + 1)
            _ = try expectPunct(">", "to close `Set<`")
            return SchemaRawType(kind: .set(element), span: spanFrom(start))
        }
        if current.isPunct("{") {
            let attrs = try parseRecordBody(depth: depth + 1)
            return SchemaRawType(kind: .record(attrs, additional: false), span: spanFrom(start))
        }
        guard current.kind == .identifier else { throw unexpected(["a type"], "") }
        // `__cedar::Long` and friends are paths whose first element is reserved for built-ins.
        if current.text == "__cedar" {
            var text = bump().text
            while current.isPunct("::") {
                _ = bump()
                text += "::" + (try parseIdent("after `::`")).text
            }
            return SchemaRawType(kind: .name(text), span: spanFrom(start))
        }
        let p = try parsePath("as a type")
        return SchemaRawType(kind: .name(p.text), span: p.span)
    }

    /// `'{' [AttrDecls] '}'`.
    mutating func parseRecordBody(depth: Int) throws(CedarError) -> [SchemaRawAttribute] {
        try checkDepth(depth)
        _ = try expectPunct("{", "to open a record type")
        var out: [SchemaRawAttribute] = []
        while !current.isPunct("}") {
            let start = current.span
            let annotations = try parseAnnotations()
            guard current.kind == .identifier || current.kind == .string else {
                throw unexpected(["an attribute name", "`}`"], "in the record type")
            }
            let name = try parseName("as an attribute name")
            var required = true
            if current.isPunct("?") {
                _ = bump()
                required = false
            }
            _ = try expectPunct(":", "after attribute `\(name.text)`")
            let t = try parseType(depth: depth + 1)
            out.append(SchemaRawAttribute(name: name.text, type: t, required: required, annotations: annotations, span: spanFrom(start)))
            if current.isPunct(",") {
                _ = bump()
            } else if !current.isPunct("}") {
                throw unexpected(["`,`", "`}`"], "after the declaration of attribute `\(name.text)`")
            }
        }
        _ = bump()
        return out
    }
}

/// The byte offset of the first invalid UTF-8 sequence, or nil when `bytes` is valid UTF-8.
func schemaFirstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        if b < 0x80 {
            i += 1
            continue
        }
        let need: Int
        var value: UInt32
        let minimum: UInt32
        if b & 0xE0 == 0xC0 {
            need = 1; value = UInt32(b & 0x1F); minimum = 0x80
        } else if b & 0xF0 == 0xE0 {
            need = 2; value = UInt32(b & 0x0F); minimum = 0x800
        } else if b & 0xF8 == 0xF0 {
            need = 3; value = UInt32(b & 0x07); minimum = 0x10000
        } else {
            return i
        }
        if i + need >= n { return i }
        for k in 1...need {
            let c = bytes[i + k]
            if c & 0xC0 != 0x80 { return i }
            value = (value << 6) | UInt32(c & 0x3F)
        }
        if value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) { return i }
        i += need + 1
    }
    return nil
}

extension Schema {
    /// Parses a schema written in the Cedar schema format (`.cedarschema`).
    ///
    /// Errors are `CedarError.parse` with the location of the offending text.
    public static func parse(_ source: [UInt8], file: String = "") throws(CedarError) -> Schema {
        var lexer = SchemaLexer(bytes: source, file: file)
        let tokens = try lexer.tokenize()
        var parser = SchemaTextParser(tokens: tokens, file: file)
        let fragment = try parser.parseSchema()
        var resolver = SchemaResolver(fragment: fragment)
        return try resolver.resolve()
    }

    /// Parses a schema written in the Cedar schema format (`.cedarschema`).
    public static func parse(_ source: String, file: String = "") throws(CedarError) -> Schema {
        try parse(Array(source.utf8), file: file)
    }

    /// Parses a schema file, choosing the format by name: JSON for names ending in `.json`,
    /// the Cedar schema format otherwise.
    public static func load(source: [UInt8], file: String) throws(CedarError) -> Schema {
        if file.lowercased().hasSuffix(".json") {
            return try parseJSON(source, file: file)
        }
        return try parse(source, file: file)
    }
}

// Translation of parsed policies into layout documents.
//
// The document mirrors the concrete grammar's levels (or, and, relation, sum, product, unary,
// member access, primary), because that is where the canonical layout puts its groups and
// break points: a sum or product is a group whose operands break after the operator; `||` and
// `&&` chains break at every operator of the enclosing group; member accesses and calls break
// before each `.x`, `(..)` or `[..]`; parentheses and set literals indent their content by
// one column, records and calls by one level. Comments are asked for token by token in source
// order (see `FormatTrivia`), so every comment lands next to the token it was written at.

struct FormatPrinter {
    let tokens: [Token]
    var trivia: FormatTrivia
    let indent: Int

    init(file: PolicyFile, indent: Int) {
        tokens = file.tokens.filter { $0.kind != .endOfInput }
        trivia = FormatTrivia(tokens: file.tokens, source: file.source)
        self.indent = indent
    }

    // MARK: comments

    private static func leadingDoc(_ lines: [String]) -> FormatDoc {
        if lines.isEmpty { return .empty }
        return .concat([.hardline, .join(lines.map { FormatDoc.text($0) }, separator: .hardline), .hardline])
    }

    private static func trailingDoc(_ comment: String, next: FormatDoc) -> FormatDoc {
        comment.isEmpty ? next : .concat([.space, .text(comment), .hardline])
    }

    /// `doc` with the comments that surround its token.
    private static func commented(_ doc: FormatDoc, _ c: FormatComment, next: FormatDoc = .empty) -> FormatDoc {
        Self.leadingDoc(c.leading).then(doc).then(Self.trailingDoc(c.trailing, next: next))
    }

    // MARK: tokens

    private func start(_ e: Expr) -> Int { e.span.start.offset }
    private func end(_ e: Expr) -> Int { e.span.end.offset }

    /// Index of the token starting at `offset` (the token after it when none starts there).
    private func tokenIndex(at offset: Int) -> Int {
        trivia.token(startingAt: offset) ?? trivia.token(after: offset) ?? 0
    }

    /// Index of the token ending at `offset`.
    private func tokenIndex(endingAt offset: Int) -> Int {
        trivia.token(endingAt: offset) ?? max(0, tokenIndex(at: offset) - 1)
    }

    /// Index of the first token after `offset`.
    private func tokenIndex(after offset: Int) -> Int {
        trivia.token(after: offset) ?? 0
    }

    private func text(_ i: Int) -> String { i < tokens.count ? tokens[i].text : "" }
    private func kind(_ i: Int) -> TokenKind { i < tokens.count ? tokens[i].kind : .endOfInput }
    private func tokenStart(_ i: Int) -> Int { tokens[i].span.start.offset }
    private func tokenEnd(_ i: Int) -> Int { tokens[i].span.end.offset }

    /// A keyword or identifier with its comments.
    private mutating func ident(_ i: Int) -> FormatDoc {
        Self.commented(.text(text(i)), trivia.take(i))
    }

    /// A literal token (string, number, boolean) with its comments.
    private mutating func literal(_ i: Int) -> FormatDoc {
        var t = text(i)
        if kind(i) == .integer, let v = UInt64(t) { t = String(v) }
        return Self.commented(.text(t), trivia.take(i))
    }

    /// A name `A::B::C` written from token `first` to token `last`.
    private mutating func name(_ first: Int, _ last: Int) -> FormatDoc {
        var parts: [FormatDoc] = [ident(first)]
        var i = first
        while i + 2 <= last {
            let sep = trivia.afterEnd(tokenEnd(i))
            parts.append(Self.commented(.text("::"), sep))
            parts.append(ident(i + 2))
            i += 2
        }
        return .concat(parts)
    }

    /// An entity uid `A::B::"id"` from token `first` to its string token `last`.
    private mutating func entityRef(_ first: Int, _ last: Int) -> FormatDoc {
        let path = name(first, max(first, last - 2))
        let sep = trivia.afterEnd(tokenEnd(max(first, last - 2)))
        return .concat([path, Self.commented(.text("::"), sep), literal(last)])
    }

    /// The last token of a type name starting at `first` (`A`, `A::B`, ...).
    private func typeNameEnd(_ first: Int) -> Int {
        var j = first
        while kind(j + 1) == .doubleColon && kind(j + 2) == .identifier { j += 2 }
        return j
    }

    // MARK: policies

    mutating func policy(_ p: Policy) -> FormatDoc {
        var parts: [FormatDoc] = []
        for a in p.annotations { parts.append(annotation(a)) }
        let effectStart = p.effectSpan.start.offset
        let effectLeading = trivia.leadingAtStart(effectStart)
        let effect = ident(tokenIndex(at: effectStart))
        let principal = variableDef(p.principal.span)
        let action = variableDef(p.action.span)
        let resource = variableDef(p.resource.span)
        let firstComma = trivia.afterEnd(p.principal.span.end.offset)
        let secondComma = trivia.afterEnd(p.action.span.end.offset)
        let scope: FormatDoc
        if principal.bare && action.bare && resource.bare {
            scope = FormatDoc.concat([
                principal.doc, Self.commented(.text(","), firstComma, next: .space),
                action.doc, Self.commented(.text(","), secondComma, next: .space),
                resource.doc,
            ]).nested(indent).grouped
        } else {
            scope = .concat([
                FormatDoc.concat([
                    .hardline, principal.doc, Self.commented(.text(","), firstComma, next: .hardline),
                    action.doc, Self.commented(.text(","), secondComma, next: .hardline),
                    resource.doc,
                ]).nested(indent),
                .hardline,
            ])
        }
        var conditions: [FormatDoc] = []
        for c in p.conditions { conditions.append(condition(c)) }
        let open = Self.commented(.text("("), trivia.afterEnd(p.effectSpan.end.offset))
        let close = Self.commented(.text(")"), trivia.afterEnd(p.resource.span.end.offset),
                              next: p.conditions.isEmpty ? .empty : .hardline)
        let semicolon = Self.commented(.text(";"), trivia.atEnd(p.span.end.offset))
        parts.append(Self.leadingDoc(effectLeading).then(FormatDoc.concat([effect, .line, open]).grouped))
        parts.append(scope)
        parts.append(close)
        parts.append(.join(conditions, separator: .hardline))
        parts.append(semicolon)
        return .concat(parts)
    }

    private mutating func annotation(_ a: Annotation) -> FormatDoc {
        let at = tokenIndex(at: a.span.start.offset)
        let key = at + 1
        let keyDoc = ident(key)
        let atDoc = Self.commented(.text("@"), trivia.take(at))
        guard a.hasValue else { return .concat([atDoc, keyDoc, .hardline]) }
        let open = Self.commented(.text("("), trivia.afterEnd(tokenEnd(key)))
        let value = literal(key + 2)
        let close = Self.commented(.text(")"), trivia.atEnd(a.span.end.offset), next: .hardline)
        return .concat([atDoc, keyDoc, open, value, close])
    }

    /// One scope element (`principal`, `action in [...]`, `resource is T in E`); `bare` when
    /// it is the variable alone.
    private mutating func variableDef(_ span: SourceSpan) -> (doc: FormatDoc, bare: Bool) {
        let v = tokenIndex(at: span.start.offset)
        let last = tokenIndex(endingAt: span.end.offset)
        let startComment = trivia.take(v)
        let variable = FormatDoc.text(text(v))
        var next = v + 1
        var typeDoc = FormatDoc.empty
        var typeEnd: Int? = nil
        if next <= last && kind(next) == .identifier && text(next) == "is" {
            let isComment = trivia.afterEnd(tokenEnd(v))
            let first = next + 1
            let lastName = typeNameEnd(first)
            let entityType = name(first, lastName).grouped
            let typeComment = trivia.take(first)
            typeDoc = FormatDoc.concat([
                FormatDoc.concat([.line, Self.commented(.text("is"), isComment)]).grouped,
                FormatDoc.concat([.line, Self.commented(entityType, typeComment)]),
            ]).nested(indent).grouped
            typeEnd = lastName
            next = lastName + 1
        }
        guard next <= last else {
            return (Self.commented(variable, startComment).then(typeDoc), typeEnd == nil)
        }
        let op = next
        let opComment = trivia.afterEnd(tokenEnd(typeEnd ?? v))
        let head = FormatDoc.concat([
            variable, Self.trailingDoc(startComment.trailing, next: .empty), typeDoc, .line,
            Self.commented(.text(text(op)), opComment),
        ]).grouped
        let rhs = scopeExpr(op + 1, last)
        let doc = FormatDoc.concat([head, FormatDoc.concat([.line, rhs]).nested(indent)]).grouped
        return (Self.leadingDoc(startComment.leading).then(doc), false)
    }

    /// The entity (or slot, or list of entities) on the right of a scope constraint, tokens
    /// `first` through `last`.
    private mutating func scopeExpr(_ first: Int, _ last: Int) -> FormatDoc {
        switch kind(first) {
        case .leftParen where kind(last) == .rightParen && last > first:
            let open = Self.commented(.text("("), trivia.take(first))
            let inner = scopeExpr(first + 1, last - 1)
            let close = Self.commented(.text(")"), trivia.take(last))
            return FormatDoc.concat([open, inner.nested(1), close]).grouped
        case .leftBracket:
            var elements: [(Int, Int)] = []
            var i = first + 1
            while i < last {
                var j = i
                while j + 1 < last && kind(j + 1) != .comma { j += 1 }
                elements.append((i, j))
                i = j + 2
            }
            var content: [FormatDoc] = []
            for (k, el) in elements.enumerated() {
                if k > 0 {
                    let comma = trivia.afterEnd(tokenEnd(elements[k - 1].1))
                    content.append(Self.commented(.text(","), comma))
                    content.append(.line)
                }
                content.append(scopeExpr(el.0, el.1))
            }
            let open = Self.commented(.text("["), trivia.take(first))
            let close = Self.commented(.text("]"), trivia.take(last))
            return FormatDoc.concat([open, FormatDoc.concat(content).nested(1), close]).grouped
        case .slot:
            return literal(first).grouped
        default:
            return entityRef(first, last).grouped
        }
    }

    private mutating func condition(_ c: Condition) -> FormatDoc {
        let keyword = tokenIndex(at: c.span.start.offset)
        let braceComment = trivia.afterEnd(tokenEnd(keyword))
        let closeComment = trivia.atEnd(c.span.end.offset)
        let keywordComment = trivia.take(keyword)
        let close = Self.commented(.text("}"), closeComment)
        let keywordDoc = ident(keyword)
        let bodyLeading = trivia.leadingAtStart(start(c.body))
        let body = expr(c.body)
        let block = FormatDoc.concat([
            FormatDoc.concat([
                Self.trailingDoc(braceComment.trailing, next: .line), Self.leadingDoc(bodyLeading), body.grouped,
            ]).nested(indent),
            .line, close,
        ]).grouped
        return Self.leadingDoc(keywordComment.leading).then(FormatDoc.concat([
            keywordDoc, Self.trailingDoc(keywordComment.trailing, next: .line),
            Self.leadingDoc(braceComment.leading), .text("{"), block,
        ]).grouped)
    }

    // MARK: expressions

    /// An expression: `if`-`then`-`else` or an `||` chain.
    private mutating func expr(_ e: Expr) -> FormatDoc {
        guard case .ifThenElse(let c, let t, let f) = e.kind else { return or(e) }
        let ifComment = trivia.atStart(start(e))
        let thenComment = trivia.afterEnd(end(c))
        let elseComment = trivia.afterEnd(end(t))
        let ifPart = Self.commented(.text("if"), ifComment).then(FormatDoc.concat([.line, expr(c)]).nested(indent))
        let thenPart = Self.commented(.text("then"), thenComment).then(FormatDoc.concat([.line, expr(t)]).nested(indent))
        let elsePart = Self.commented(.text("else"), elseComment).then(FormatDoc.concat([.line, expr(f)]).nested(indent))
        return FormatDoc.concat([ifPart, .line, thenPart, .line, elsePart]).grouped
    }

    private mutating func or(_ e: Expr) -> FormatDoc {
        var operands: [Expr] = []
        var cur = e
        while case .or(let l, let r) = cur.kind {
            operands.append(r)
            cur = l
        }
        operands.append(cur)
        operands.reverse()
        var parts: [FormatDoc] = []
        for operand in operands.dropLast() {
            let opComment = trivia.afterEnd(end(operand))
            parts.append(and(operand))
            parts.append(.space)
            parts.append(Self.commented(.text("||"), opComment, next: .line))
        }
        parts.append(and(operands[operands.count - 1]))
        return .concat(parts)
    }

    private mutating func and(_ e: Expr) -> FormatDoc {
        var operands: [Expr] = []
        var cur = e
        while case .and(let l, let r) = cur.kind {
            operands.append(r)
            cur = l
        }
        operands.append(cur)
        operands.reverse()
        var parts: [FormatDoc] = []
        for operand in operands.dropLast() {
            let opComment = trivia.afterEnd(end(operand))
            parts.append(relation(operand))
            parts.append(.space)
            parts.append(Self.commented(.text("&&"), opComment, next: .line))
        }
        parts.append(relation(operands[operands.count - 1]))
        return .concat(parts)
    }

    private mutating func relation(_ e: Expr) -> FormatDoc {
        switch e.kind {
        case .binary(let op, let l, let r) where op.isRelational:
            let lhs = sum(l)
            let opComment = trivia.afterEnd(end(l))
            return .concat([lhs, .space, Self.commented(.text(op.rawValue), opComment), .space, sum(r)])
        case .has(let target, _, _):
            let lhs = sum(target)
            let hasComment = trivia.afterEnd(end(target))
            let field = hasField(tokenIndex(after: end(target)) + 1, tokenIndex(endingAt: end(e)))
            return FormatDoc.concat([lhs, .line, Self.commented(.text("has"), hasComment), .line, field.nested(indent)]).grouped
        case .like(let target, _):
            let lhs = sum(target)
            let likeComment = trivia.afterEnd(end(target))
            let pattern = literal(tokenIndex(endingAt: end(e))).grouped
            return FormatDoc.concat([lhs, .line, Self.commented(.text("like"), likeComment), .line, pattern.nested(indent)]).grouped
        case .isType(let target, _, let inExpr):
            let lhs = sum(target)
            let isComment = trivia.afterEnd(end(target))
            let first = tokenIndex(after: end(target)) + 1
            let last = typeNameEnd(first)
            let type = name(first, last).grouped
            var parts: [FormatDoc] = [lhs, .space, Self.commented(.text("is"), isComment), .space, type.nested(indent)]
            if let inExpr {
                let inComment = trivia.afterEnd(tokenEnd(last))
                parts += [.line, Self.commented(.text("in"), inComment), .space, sum(inExpr).nested(indent)]
            }
            return FormatDoc.concat(parts).grouped
        default:
            return sum(e)
        }
    }

    /// The attribute after `has`: a string, or a name with `.field` accesses.
    private mutating func hasField(_ first: Int, _ last: Int) -> FormatDoc {
        if kind(first) == .string { return literal(first).grouped }
        let item = ident(first)
        var accesses: [FormatDoc] = []
        var i = first + 1
        while i + 1 <= last {
            let dot = Self.commented(.text("."), trivia.take(i))
            accesses.append(dot.then(ident(i + 1)))
            i += 2
        }
        return FormatDoc.concat([item, FormatDoc.join(accesses, separator: .softline).nested(indent)]).grouped
    }

    private mutating func sum(_ e: Expr) -> FormatDoc {
        var rest: [(BinaryOp, Expr)] = []
        var cur = e
        while case .binary(let op, let l, let r) = cur.kind, op == .add || op == .sub {
            rest.append((op, r))
            cur = l
        }
        rest.reverse()
        var parts: [FormatDoc] = [product(cur)]
        var prev = cur
        for (op, r) in rest {
            let opComment = trivia.afterEnd(end(prev))
            parts += [.space, Self.commented(.text(op.rawValue), opComment), .line, product(r)]
            prev = r
        }
        return FormatDoc.concat(parts).grouped
    }

    private mutating func product(_ e: Expr) -> FormatDoc {
        var rest: [Expr] = []
        var cur = e
        while case .binary(.mul, let l, let r) = cur.kind {
            rest.append(r)
            cur = l
        }
        rest.reverse()
        var parts: [FormatDoc] = [unary(cur)]
        var prev = cur
        for r in rest {
            let opComment = trivia.afterEnd(end(prev))
            parts += [.space, Self.commented(.text("*"), opComment), .line, unary(r)]
            prev = r
        }
        return FormatDoc.concat(parts).grouped
    }

    private mutating func unary(_ e: Expr) -> FormatDoc {
        var ops: [UnaryOp] = []
        var cur = e
        while case .unary(let op, let inner) = cur.kind {
            ops.append(op)
            cur = inner
        }
        var numberToken: Int? = nil
        if case .literal(.long) = cur.kind {
            let first = tokenIndex(at: start(cur))
            if kind(first) == .minus {
                // a negative literal is a negation of a number, as written
                ops.append(.neg)
                numberToken = tokenIndex(endingAt: end(cur))
            }
        }
        if ops.isEmpty { return member(cur) }
        let itemStart = numberToken.map(tokenStart) ?? start(cur)
        let comments = trivia.inRange(start(e), itemStart)
        var parts: [FormatDoc] = []
        for (i, op) in ops.enumerated() {
            parts.append(Self.commented(.text(op.rawValue), i < comments.count ? comments[i] : .none))
        }
        if let numberToken {
            parts.append(literal(numberToken).grouped)
        } else {
            parts.append(member(cur))
        }
        return .concat(parts)
    }

    private enum Access {
        case field(dot: Int)
        case index(open: Int, close: Int)
        case call(open: Int, close: Int, args: [Expr])
    }

    private mutating func member(_ e: Expr) -> FormatDoc {
        var accesses: [Access] = []
        var cur = e
        loop: while true {
            switch cur.kind {
            case .attribute(let x, _):
                accesses.append(.field(dot: tokenIndex(after: end(x))))
                cur = x
            case .index(let x, _):
                accesses.append(.index(open: tokenIndex(after: end(x)), close: tokenIndex(endingAt: end(cur))))
                cur = x
            case .methodCall(let x, _, let args):
                let dot = tokenIndex(after: end(x))
                accesses.append(.call(open: dot + 2, close: tokenIndex(endingAt: end(cur)), args: args))
                accesses.append(.field(dot: dot))
                cur = x
            default:
                break loop
            }
        }
        accesses.reverse()
        let item: FormatDoc
        if case .call(_, let args) = cur.kind {
            let fn = tokenIndex(at: start(cur))
            item = ident(fn)
            accesses.insert(.call(open: fn + 1, close: tokenIndex(endingAt: end(cur)), args: args), at: 0)
        } else {
            item = primary(cur)
        }
        var docs: [FormatDoc] = []
        for a in accesses { docs.append(access(a)) }
        return FormatDoc.concat([item, FormatDoc.join(docs, separator: .softline).nested(indent)]).grouped
    }

    private mutating func access(_ a: Access) -> FormatDoc {
        switch a {
        case .field(let dot):
            let d = Self.commented(.text("."), trivia.take(dot))
            return d.then(ident(dot + 1))
        case .index(let open, let close):
            let o = Self.commented(.text("["), trivia.take(open))
            let key = literal(open + 1).grouped
            let c = Self.commented(.text("]"), trivia.take(close))
            return .concat([o, key, c])
        case .call(let open, let close, let args):
            let o = Self.commented(.text("("), trivia.take(open))
            if args.isEmpty { return .concat([o, Self.commented(.text(")"), trivia.take(close))]) }
            var content: [FormatDoc] = []
            for (k, arg) in args.enumerated() {
                if k > 0 {
                    content.append(Self.commented(.text(","), trivia.afterEnd(end(args[k - 1]))))
                    content.append(.line)
                }
                content.append(expr(arg))
            }
            let body = FormatDoc.concat([.softline, .concat(content)]).nested(indent)
            let c = Self.commented(.text(")"), trivia.take(close))
            return .concat([o, body, .softline, c])
        }
    }

    private mutating func primary(_ e: Expr) -> FormatDoc {
        switch e.kind {
        case .literal, .slot:
            return literal(tokenIndex(at: start(e)))
        case .variable:
            return ident(tokenIndex(at: start(e)))
        case .entity:
            return entityRef(tokenIndex(at: start(e)), tokenIndex(endingAt: end(e)))
        case .parenthesized(let inner):
            let open = Self.commented(.text("("), trivia.atStart(start(e)))
            let body = expr(inner)
            let close = Self.commented(.text(")"), trivia.atEnd(end(e)))
            return FormatDoc.concat([open, body.nested(1), close]).grouped
        case .set(let items):
            var content: [FormatDoc] = []
            for (k, item) in items.enumerated() {
                if k > 0 {
                    content.append(Self.commented(.text(","), trivia.afterEnd(end(items[k - 1]))))
                    content.append(.line)
                }
                content.append(expr(item))
            }
            let open = Self.commented(.text("["), trivia.atStart(start(e)))
            let close = Self.commented(.text("]"), trivia.atEnd(end(e)))
            return .concat([open, FormatDoc.concat(content).nested(1), close])
        case .record(let entries):
            var content: [FormatDoc] = []
            for (k, entry) in entries.enumerated() {
                if k > 0 {
                    content.append(Self.commented(.text(","), trivia.afterEnd(end(entries[k - 1].value))))
                    content.append(.line)
                }
                content.append(recordEntry(entry))
            }
            let open = Self.commented(.text("{"), trivia.atStart(start(e)))
            let close = Self.commented(.text("}"), trivia.atEnd(end(e)))
            if entries.isEmpty { return .concat([open, close]) }
            let body = FormatDoc.concat([FormatDoc.concat([.line, .concat(content)]).nested(indent), .line]).grouped
            return .concat([open, body, close])
        default:
            // lower-precedence forms only reach here through parentheses, which are kept
            return expr(e)
        }
    }

    private mutating func recordEntry(_ entry: RecordEntry) -> FormatDoc {
        let keyToken = tokenIndex(at: entry.keySpan.start.offset)
        let key = (entry.keyIsString ? literal(keyToken) : ident(keyToken)).grouped
        let value = expr(entry.value)
        let colon = Self.commented(.text(":"), trivia.afterEnd(entry.keySpan.end.offset))
        return .concat([key, colon, .space, value])
    }
}

extension BinaryOp {
    /// Comparison and membership operators (the relation level of the grammar).
    var isRelational: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .in: return true
        case .add, .sub, .mul: return false
        }
    }
}

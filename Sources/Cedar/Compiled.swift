// The binary form of parsed policies and of an entity store, for a cache of compiled policy
// directories: reading it back skips lexing, parsing, JSON and the ancestor closure. Reading
// checks every tag, count and string, so a damaged form is an error, never a trap; what it
// says is only as good as the key the cache checked before reading it.
import JSONValue

/// Writes and reads policies and entities in a compact binary form.
public enum CompiledForm {
    /// The deepest expression written; a policy set with a deeper one has no compiled form
    /// (reading it back would need the parser's large stack).
    public static let maxDepth = 200

    /// Writes `policies` (ids, annotations, scopes, conditions and every span), each one on its
    /// own after a table of their lengths, so that one can be read without the others (see
    /// `PolicyTable`); false when an expression is nested deeper than `maxDepth`.
    public static func write(_ policies: [Policy], to w: inout BinaryWriter) -> Bool {
        var forms: [[UInt8]] = []
        forms.reserveCapacity(policies.count)
        for p in policies {
            var one = BinaryWriter()
            guard writePolicy(p, &one) else { return false }
            forms.append(one.bytes)
        }
        w.count(forms.count)
        for form in forms { w.count(form.count) }
        for form in forms { w.raw(form) }
        return true
    }

    /// Writes one entity of a store: its uid, attributes, parents, tags and ancestors.
    public static func write(_ e: Entity, to w: inout BinaryWriter) {
        writeUID(e.uid, &w)
        writeMap(e.attributes, &w)
        w.count(e.parents.count)
        for p in e.parents { writeUID(p, &w) }
        writeMap(e.tags, &w)
        w.bool(e.ancestorsComplete)
        w.count(e.ancestors.count)
        for a in e.ancestors.sorted() { writeUID(a, &w) }
    }

    /// Reads an entity `write(_:to:)` wrote, ancestor set included.
    public static func readEntity(_ r: inout BinaryReader) throws(BinaryFormatError) -> Entity {
        var e = Entity(uid: try readUID(&r))
        e.attributes = try readMap(&r)
        let parents = try r.count()
        e.parents.reserveCapacity(parents)
        for _ in 0..<parents { e.parents.append(try readUID(&r)) }
        e.tags = try readMap(&r)
        e.ancestorsComplete = try r.bool()
        let ancestors = try r.count()
        e.ancestors.reserveCapacity(ancestors)
        for _ in 0..<ancestors { e.ancestors.insert(try readUID(&r)) }
        return e
    }

    // MARK: Policies

    static func writePolicy(_ p: Policy, _ w: inout BinaryWriter) -> Bool {
        let file = p.span.file
        w.string(file)
        w.string(p.id)
        w.byte(p.effect == .permit ? 0 : 1)
        w.count(p.annotations.count)
        for a in p.annotations {
            w.string(a.key)
            w.string(a.value)
            w.bool(a.hasValue)
            writeSpan(a.span, file, &w)
        }
        writeScope(p.principal, file, &w)
        writeSpan(p.action.span, file, &w)
        switch p.action.kind {
        case .any: w.byte(0)
        case .equals(let uid): w.byte(1); writeUID(uid, &w)
        case .in(let uid): w.byte(2); writeUID(uid, &w)
        case .inList(let uids):
            w.byte(3)
            w.count(uids.count)
            for u in uids { writeUID(u, &w) }
        }
        writeScope(p.resource, file, &w)
        w.count(p.conditions.count)
        for c in p.conditions {
            w.byte(c.kind == .when ? 0 : 1)
            writeSpan(c.span, file, &w)
            guard writeExpr(c.body, file, &w, depth: 0) else { return false }
        }
        writeSpan(p.span, file, &w)
        writeSpan(p.effectSpan, file, &w)
        w.count(p.indexInFile)
        w.optionalString(p.templateID)
        return true
    }

    static func readPolicy(_ r: inout BinaryReader) throws(BinaryFormatError) -> Policy {
        let file = try r.string()
        let id = try r.string()
        let effect: Effect
        switch try r.byte() {
        case 0: effect = .permit
        case 1: effect = .forbid
        default: throw r.fail("unknown effect")
        }
        var annotations: [Annotation] = []
        for _ in 0..<(try r.count()) {
            let key = try r.string(), value = try r.string(), hasValue = try r.bool()
            annotations.append(Annotation(key: key, value: value, hasValue: hasValue, span: try readSpan(&r, file)))
        }
        let principal = try readScope(&r, file)
        let actionSpan = try readSpan(&r, file)
        let actionKind: ActionConstraintKind
        switch try r.byte() {
        case 0: actionKind = .any
        case 1: actionKind = .equals(try readUID(&r))
        case 2: actionKind = .in(try readUID(&r))
        case 3:
            var uids: [EntityUID] = []
            for _ in 0..<(try r.count()) { uids.append(try readUID(&r)) }
            actionKind = .inList(uids)
        default: throw r.fail("unknown action constraint")
        }
        let resource = try readScope(&r, file)
        var conditions: [Condition] = []
        for _ in 0..<(try r.count()) {
            let kind: ConditionKind = try r.bool() ? .unless : .when
            let span = try readSpan(&r, file)
            conditions.append(Condition(kind: kind, body: try readExpr(&r, file, depth: 0), span: span))
        }
        let span = try readSpan(&r, file)
        let effectSpan = try readSpan(&r, file)
        return Policy(
            id: id, effect: effect, annotations: annotations, principal: principal,
            action: ActionConstraint(actionKind, span: actionSpan), resource: resource, conditions: conditions,
            span: span, effectSpan: effectSpan, indexInFile: Int(try r.uint() & 0xFFFF_FFFF), templateID: try r.optionalString())
    }

    // A span usually lies in its policy's file: that case costs one byte more than its positions.
    static func writeSpan(_ s: SourceSpan, _ file: String, _ w: inout BinaryWriter) {
        if s.file.isExactly(file) {
            w.byte(0)
        } else {
            w.byte(1)
            w.string(s.file)
        }
        for p in [s.start, s.end] {
            w.count(p.line)
            w.count(p.column)
            w.count(p.offset)
        }
    }

    static func readSpan(_ r: inout BinaryReader, _ file: String) throws(BinaryFormatError) -> SourceSpan {
        let name: String
        switch try r.byte() {
        case 0: name = file
        case 1: name = try r.string()
        default: throw r.fail("unknown span form")
        }
        func position(_ r: inout BinaryReader) throws(BinaryFormatError) -> SourcePosition {
            SourcePosition(line: Int(try r.uint() & 0xFFFF_FFFF), column: Int(try r.uint() & 0xFFFF_FFFF), offset: Int(try r.uint() & 0xFFFF_FFFF_FFFF))
        }
        let start = try position(&r)
        return SourceSpan(file: name, start: start, end: try position(&r))
    }

    static func writeUID(_ uid: EntityUID, _ w: inout BinaryWriter) {
        w.string(uid.type)
        w.string(uid.id)
    }

    static func readUID(_ r: inout BinaryReader) throws(BinaryFormatError) -> EntityUID {
        let type = try r.string()
        return EntityUID(type: type, id: try r.string())
    }

    static func writeReference(_ ref: EntityReference, _ w: inout BinaryWriter) {
        switch ref {
        case .entity(let uid): w.byte(0); writeUID(uid, &w)
        case .slot(let slot): w.byte(slot == .principal ? 1 : 2)
        }
    }

    static func readReference(_ r: inout BinaryReader) throws(BinaryFormatError) -> EntityReference {
        switch try r.byte() {
        case 0: return .entity(try readUID(&r))
        case 1: return .slot(.principal)
        case 2: return .slot(.resource)
        default: throw r.fail("unknown entity reference")
        }
    }

    static func writeScope(_ s: ScopeConstraint, _ file: String, _ w: inout BinaryWriter) {
        writeSpan(s.span, file, &w)
        switch s.kind {
        case .any: w.byte(0)
        case .equals(let ref): w.byte(1); writeReference(ref, &w)
        case .in(let ref): w.byte(2); writeReference(ref, &w)
        case .is(let type): w.byte(3); w.string(type)
        case .isIn(let type, let ref): w.byte(4); w.string(type); writeReference(ref, &w)
        }
    }

    static func readScope(_ r: inout BinaryReader, _ file: String) throws(BinaryFormatError) -> ScopeConstraint {
        let span = try readSpan(&r, file)
        let kind: ScopeConstraintKind
        switch try r.byte() {
        case 0: kind = .any
        case 1: kind = .equals(try readReference(&r))
        case 2: kind = .in(try readReference(&r))
        case 3: kind = .is(try r.string())
        case 4:
            let type = try r.string()
            kind = .isIn(type, try readReference(&r))
        default: throw r.fail("unknown scope constraint")
        }
        return ScopeConstraint(kind, span: span)
    }

    static func writeExpr(_ e: Expr, _ file: String, _ w: inout BinaryWriter, depth: Int) -> Bool {
        guard depth <= maxDepth else { return false }
        writeSpan(e.span, file, &w)
        func sub(_ x: Expr, _ w: inout BinaryWriter) -> Bool { writeExpr(x, file, &w, depth: depth + 1) }
        func list(_ xs: [Expr], _ w: inout BinaryWriter) -> Bool {
            w.count(xs.count)
            for x in xs where !sub(x, &w) { return false }
            return true
        }
        switch e.kind {
        case .literal(.bool(let b)): w.byte(b ? 1 : 0)
        case .literal(.long(let n)): w.byte(2); w.int(n)
        case .literal(.string(let s)): w.byte(3); w.string(s)
        case .variable(let v): w.byte(4); w.string(v.rawValue)
        case .slot(let s): w.byte(5); w.bool(s == .resource)
        case .entity(let uid): w.byte(6); writeUID(uid, &w)
        case .ifThenElse(let a, let b, let c): w.byte(7); return sub(a, &w) && sub(b, &w) && sub(c, &w)
        case .and(let a, let b): w.byte(8); return sub(a, &w) && sub(b, &w)
        case .or(let a, let b): w.byte(9); return sub(a, &w) && sub(b, &w)
        case .unary(let op, let a): w.byte(10); w.string(op.rawValue); return sub(a, &w)
        case .binary(let op, let a, let b): w.byte(11); w.string(op.rawValue); return sub(a, &w) && sub(b, &w)
        case .has(let a, let path, let quoted):
            w.byte(12)
            w.count(path.count)
            for p in path { w.string(p) }
            w.bool(quoted)
            return sub(a, &w)
        case .like(let a, let pattern):
            w.byte(13)
            w.count(pattern.count)
            for element in pattern {
                switch element {
                case .wildcard: w.byte(0)
                case .literal(let s): w.byte(1); w.string(s)
                }
            }
            return sub(a, &w)
        case .isType(let a, let type, let inner):
            w.byte(14)
            w.string(type)
            w.bool(inner != nil)
            return sub(a, &w) && (inner.map { sub($0, &w) } ?? true)
        case .attribute(let a, let name): w.byte(15); w.string(name); return sub(a, &w)
        case .index(let a, let name): w.byte(16); w.string(name); return sub(a, &w)
        case .methodCall(let a, let method, let args): w.byte(17); w.string(method.rawValue); return sub(a, &w) && list(args, &w)
        case .call(let function, let args): w.byte(18); w.string(function.rawValue); return list(args, &w)
        case .set(let elements): w.byte(19); return list(elements, &w)
        case .record(let entries):
            w.byte(20)
            w.count(entries.count)
            for entry in entries {
                w.string(entry.key)
                w.bool(entry.keyIsString)
                writeSpan(entry.keySpan, file, &w)
                guard sub(entry.value, &w) else { return false }
            }
        case .parenthesized(let a): w.byte(21); return sub(a, &w)
        }
        return true
    }

    static func readExpr(_ r: inout BinaryReader, _ file: String, depth: Int) throws(BinaryFormatError) -> Expr {
        guard depth <= maxDepth else { throw r.fail("expression nested too deeply") }
        let span = try readSpan(&r, file)
        func sub(_ r: inout BinaryReader) throws(BinaryFormatError) -> Expr { try readExpr(&r, file, depth: depth + 1) }
        func list(_ r: inout BinaryReader) throws(BinaryFormatError) -> [Expr] {
            var out: [Expr] = []
            for _ in 0..<(try r.count()) { out.append(try sub(&r)) }
            return out
        }
        let kind: ExprKind
        switch try r.byte() {
        case 0: kind = .literal(.bool(false))
        case 1: kind = .literal(.bool(true))
        case 2: kind = .literal(.long(try r.int()))
        case 3: kind = .literal(.string(try r.string()))
        case 4: kind = .variable(try r.named(Variable.self))
        case 5: kind = .slot(try r.bool() ? .resource : .principal)
        case 6: kind = .entity(try readUID(&r))
        case 7:
            let a = try sub(&r), b = try sub(&r)
            kind = .ifThenElse(a, b, try sub(&r))
        case 8:
            let a = try sub(&r)
            kind = .and(a, try sub(&r))
        case 9:
            let a = try sub(&r)
            kind = .or(a, try sub(&r))
        case 10:
            let op = try r.named(UnaryOp.self)
            kind = .unary(op, try sub(&r))
        case 11:
            let op = try r.named(BinaryOp.self)
            let a = try sub(&r)
            kind = .binary(op, a, try sub(&r))
        case 12:
            var path: [String] = []
            for _ in 0..<(try r.count()) { path.append(try r.string()) }
            let quoted = try r.bool()
            kind = .has(try sub(&r), path: path, quoted: quoted)
        case 13:
            var pattern: [PatternElement] = []
            for _ in 0..<(try r.count()) {
                switch try r.byte() {
                case 0: pattern.append(.wildcard)
                case 1: pattern.append(.literal(try r.string()))
                default: throw r.fail("unknown pattern element")
                }
            }
            kind = .like(try sub(&r), pattern: pattern)
        case 14:
            let type = try r.string()
            let hasInner = try r.bool()
            let a = try sub(&r)
            kind = .isType(a, type: type, in: hasInner ? try sub(&r) : nil)
        case 15:
            let name = try r.string()
            kind = .attribute(try sub(&r), name)
        case 16:
            let name = try r.string()
            kind = .index(try sub(&r), name)
        case 17:
            let method = try r.named(MethodName.self)
            let a = try sub(&r)
            kind = .methodCall(a, method, try list(&r))
        case 18:
            let function = try r.named(FunctionName.self)
            kind = .call(function, try list(&r))
        case 19: kind = .set(try list(&r))
        case 20:
            var entries: [RecordEntry] = []
            for _ in 0..<(try r.count()) {
                let key = try r.string(), keyIsString = try r.bool(), keySpan = try readSpan(&r, file)
                entries.append(RecordEntry(key: key, keyIsString: keyIsString, value: try sub(&r), keySpan: keySpan))
            }
            kind = .record(entries)
        case 21: kind = .parenthesized(try sub(&r))
        default: throw r.fail("unknown expression")
        }
        return Expr(kind, span: span)
    }

    // MARK: Values

    static func writeMap(_ map: [ExactString: Value], _ w: inout BinaryWriter) {
        w.count(map.count)
        for key in map.keys.sorted() {
            w.string(key.string)
            writeValue(map[key]!, &w)
        }
    }

    static func readMap(_ r: inout BinaryReader) throws(BinaryFormatError) -> [ExactString: Value] {
        let n = try r.count()
        var out: [ExactString: Value] = [:]
        out.reserveCapacity(n)
        for _ in 0..<n {
            let key = ExactString(try r.string())
            guard out.updateValue(try readValue(&r, depth: 0), forKey: key) == nil else { throw r.fail("member \"\(key)\" twice") }
        }
        return out
    }

    // Entity data bounds nesting when it is read from JSON; the same bound holds here.
    static func writeValue(_ v: Value, _ w: inout BinaryWriter) {
        switch v {
        case .bool(let b): w.byte(b ? 1 : 0)
        case .long(let n): w.byte(2); w.int(n)
        case .string(let s): w.byte(3); w.string(s)
        case .entity(let uid): w.byte(4); writeUID(uid, &w)
        case .set(let elements):
            w.byte(5)
            w.count(elements.count)
            for e in elements { writeValue(e, &w) }
        case .record(let members): w.byte(6); writeMap(members, &w)
        case .decimal(let d): w.byte(7); w.int(d.scaled)
        case .ipaddr(let ip):
            w.byte(8)
            w.bool(ip.isV6)
            w.uint(ip.high)
            w.uint(ip.low)
            w.byte(ip.prefix)
        case .datetime(let d): w.byte(9); w.int(d.epochMilliseconds)
        case .duration(let d): w.byte(10); w.int(d.milliseconds)
        }
    }

    static func readValue(_ r: inout BinaryReader, depth: Int) throws(BinaryFormatError) -> Value {
        guard depth <= JSONParser.defaultMaxDepth else { throw r.fail("value nested too deeply") }
        switch try r.byte() {
        case 0: return .bool(false)
        case 1: return .bool(true)
        case 2: return .long(try r.int())
        case 3: return .string(try r.string())
        case 4: return .entity(try readUID(&r))
        case 5:
            let n = try r.count()
            var elements = Set<Value>(minimumCapacity: n)
            for _ in 0..<n { elements.insert(try readValue(&r, depth: depth + 1)) }
            return .set(elements)
        case 6:
            let n = try r.count()
            var members: [ExactString: Value] = [:]
            members.reserveCapacity(n)
            for _ in 0..<n {
                let key = ExactString(try r.string())
                guard members.updateValue(try readValue(&r, depth: depth + 1), forKey: key) == nil else { throw r.fail("member \"\(key)\" twice") }
            }
            return .record(members)
        case 7: return .decimal(CedarDecimal(scaled: try r.int()))
        case 8:
            let isV6 = try r.bool(), high = try r.uint(), low = try r.uint(), prefix = try r.byte()
            guard prefix <= (isV6 ? 128 : 32) else { throw r.fail("prefix out of range") }
            return .ipaddr(IPAddress(isV6: isV6, high: high, low: low, prefix: prefix))
        case 9: return .datetime(CedarDatetime(epochMilliseconds: try r.int()))
        case 10: return .duration(CedarDuration(milliseconds: try r.int()))
        default: throw r.fail("unknown value tag")
        }
    }
}

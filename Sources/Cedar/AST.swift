// The abstract syntax tree of Cedar policies.
//
// The tree keeps enough of the written form (parentheses, `.a` versus `["a"]`, `in X` versus
// `in [X]`, the span of every node) for a formatter to reproduce a policy and for a validator
// to point at the exact sub-expression it complains about. Comments are not part of the tree:
// they ride as trivia on the tokens of `PolicyFile.tokens`, and node spans say which tokens a
// node covers. Types here are public and stable: new cases and fields may be added, existing
// ones are not renamed.
import JSONValue

/// A Cedar entity identifier: an entity type (possibly namespaced, `A::B::User`) and an id.
public struct EntityUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Entity type name, namespace included, joined with `::` (`Acme::User`).
    public var type: String { didSet { digest = EntityUID.digest(type, id) } }
    /// Entity id (any string).
    public var id: String { didSet { digest = EntityUID.digest(type, id) } }
    /// The hash of type and id, taken once when the uid is made: a request hashes and compares
    /// the same few uids many times (the entity store, ancestor sets, the scope index), and two
    /// uids whose digests differ are unequal without reading either string.
    @usableFromInline var digest: Int

    /// Creates an entity uid.
    public init(type: String, id: String) {
        self.type = type
        self.id = id
        digest = EntityUID.digest(type, id)
    }

    // `String`'s hash agrees with exact equality (equal bytes hash alike; canonically
    // equivalent strings merely collide). The hasher's key is random per process, so which
    // uids collide cannot be chosen from outside.
    private static func digest(_ type: String, _ id: String) -> Int {
        var hasher = Hasher()
        hasher.combine(id)
        hasher.combine(type)
        return hasher.finalize()
    }

    // Ids compare by code points, as Cedar compares them: `User::"e\u{301}"` and
    // `User::"\u{e9}"` are two entities although Swift's `==` finds the ids equivalent.
    @inlinable
    public static func == (a: EntityUID, b: EntityUID) -> Bool {
        a.digest == b.digest && a.id.isExactly(b.id) && a.type.isExactly(b.type)
    }

    /// Code point order, type first, as the reference engine orders uids.
    public static func < (a: EntityUID, b: EntityUID) -> Bool {
        a.type.isExactly(b.type) ? a.id.exactlyPrecedes(b.id) : a.type.exactlyPrecedes(b.type)
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    // Dictionaries and sets of uids ask for this rather than `hash(into:)`. The digest is
    // already a keyed hash, so a table's seed is folded in by a 64-bit finalizer (MurmurHash3's
    // fmix64) instead of a second run of the hasher; every bit of the result depends on every
    // bit of digest and seed, so tables with different seeds place uids independently.
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        var h = UInt64(truncatingIfNeeded: digest) ^ UInt64(truncatingIfNeeded: seed)
        h = (h ^ (h >> 33)) &* 0xff51_afd7_ed55_8ccd
        h = (h ^ (h >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return Int(truncatingIfNeeded: h ^ (h >> 33))
    }

    /// Cedar literal form, `Type::"id"`, with the id escaped as Cedar prints it.
    public var description: String { "\(type)::\(cedarQuoted(id))" }
}

/// `permit` or `forbid`.
public enum Effect: String, Sendable, Hashable {
    case permit
    case forbid
}

/// One of the four request variables.
public enum Variable: String, Sendable, Hashable {
    case principal
    case action
    case resource
    case context
}

/// A template slot: `?principal` or `?resource`.
public enum SlotID: String, Sendable, Hashable {
    case principal = "?principal"
    case resource = "?resource"
}

/// `@key("value")`, or `@key` alone (its value is then the empty string).
public struct Annotation: Equatable, Sendable {
    /// The annotation name (`id`, `owner`, ...).
    public var key: String
    /// The unescaped value; `""` when written without a value.
    public var value: String
    /// Whether the annotation was written with a parenthesised value.
    public var hasValue: Bool
    /// The whole annotation, `@` through `)`.
    public var span: SourceSpan

    /// Creates an annotation.
    public init(key: String, value: String, hasValue: Bool = true, span: SourceSpan = .none) {
        self.key = key
        self.value = value
        self.hasValue = hasValue
        self.span = span
    }
}

/// The right-hand side of a principal or resource scope constraint: a literal entity or a slot.
public enum EntityReference: Equatable, Sendable {
    case entity(EntityUID)
    case slot(SlotID)
}

/// A principal or resource scope constraint.
public enum ScopeConstraintKind: Equatable, Sendable {
    /// `principal`
    case any
    /// `principal == E`
    case equals(EntityReference)
    /// `principal in E`
    case `in`(EntityReference)
    /// `principal is T`
    case `is`(String)
    /// `principal is T in E`
    case isIn(String, EntityReference)
}

/// A principal or resource scope constraint with its source span.
public struct ScopeConstraint: Equatable, Sendable {
    /// The constraint.
    public var kind: ScopeConstraintKind
    /// The text of the constraint, from the variable through the entity.
    public var span: SourceSpan

    /// Creates a constraint.
    public init(_ kind: ScopeConstraintKind, span: SourceSpan = .none) {
        self.kind = kind
        self.span = span
    }

    /// The slot this constraint uses, if any.
    public var slot: SlotID? {
        switch kind {
        case .equals(.slot(let s)), .in(.slot(let s)), .isIn(_, .slot(let s)): return s
        default: return nil
        }
    }
}

/// The action scope constraint.
public enum ActionConstraintKind: Equatable, Sendable {
    /// `action`
    case any
    /// `action == A`
    case equals(EntityUID)
    /// `action in A`
    case `in`(EntityUID)
    /// `action in [A, B]` (the list form, kept distinct from `in A` for formatting)
    case inList([EntityUID])
}

/// The action scope constraint with its source span.
public struct ActionConstraint: Equatable, Sendable {
    /// The constraint.
    public var kind: ActionConstraintKind
    /// The text of the constraint.
    public var span: SourceSpan

    /// Creates a constraint.
    public init(_ kind: ActionConstraintKind, span: SourceSpan = .none) {
        self.kind = kind
        self.span = span
    }
}

/// `when` or `unless`.
public enum ConditionKind: String, Sendable, Hashable {
    case when
    case unless
}

/// A `when { ... }` or `unless { ... }` clause.
public struct Condition: Equatable, Sendable {
    /// `when` or `unless`.
    public var kind: ConditionKind
    /// The expression between the braces.
    public var body: Expr
    /// The clause, keyword through closing brace.
    public var span: SourceSpan

    /// Creates a condition.
    public init(kind: ConditionKind, body: Expr, span: SourceSpan = .none) {
        self.kind = kind
        self.body = body
        self.span = span
    }
}

/// A literal value in an expression.
public enum Literal: Equatable, Sendable {
    case bool(Bool)
    case long(Int64)
    case string(String)
}

/// Unary operators. Repeated operators (`!!x`, `--x`) nest.
public enum UnaryOp: String, Sendable, Hashable {
    case not = "!"
    case neg = "-"
}

/// Binary operators other than `&&` and `||` (which short-circuit and have their own cases).
public enum BinaryOp: String, Sendable, Hashable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case `in` = "in"
    case add = "+"
    case sub = "-"
    case mul = "*"
}

/// One element of a `like` pattern.
public enum PatternElement: Equatable, Sendable {
    /// A run of literal characters.
    case literal(String)
    /// `*`: any sequence of characters.
    case wildcard
}

/// Methods callable as `e.name(args)`. Arity of the built-in set and tag methods is checked
/// when parsing; extension methods are checked when evaluated, as Cedar does.
public enum MethodName: String, Sendable, Hashable, CaseIterable {
    case contains, containsAll, containsAny, isEmpty, hasTag, getTag
    case lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual
    case isIpv4, isIpv6, isLoopback, isMulticast, isInRange
    case toDate, toTime, toDays, toHours, toMinutes, toSeconds, toMilliseconds, offset, durationSince
}

/// Extension functions callable as `name(args)`.
public enum FunctionName: String, Sendable, Hashable, CaseIterable {
    case ip, decimal, datetime, duration
}

/// A `key: value` entry of a record literal.
public struct RecordEntry: Equatable, Sendable {
    /// The key (unescaped when written as a string).
    public var key: String
    /// Whether the key was written as a string literal (`"a b": 1`) rather than an identifier.
    public var keyIsString: Bool
    /// The value expression.
    public var value: Expr
    /// The span of the key.
    public var keySpan: SourceSpan

    /// Creates an entry.
    public init(key: String, keyIsString: Bool = false, value: Expr, keySpan: SourceSpan = .none) {
        self.key = key
        self.keyIsString = keyIsString
        self.value = value
        self.keySpan = keySpan
    }
}

/// An expression with its source span.
public struct Expr: Equatable, Sendable {
    /// What the expression is.
    public var kind: ExprKind
    /// The text it was parsed from.
    public var span: SourceSpan

    /// Creates an expression.
    public init(_ kind: ExprKind, span: SourceSpan = .none) {
        self.kind = kind
        self.span = span
    }
}

/// Expression forms.
public indirect enum ExprKind: Equatable, Sendable {
    /// `true`, `42`, `"text"`. A negated integer literal (`-5`) is folded into the literal.
    case literal(Literal)
    /// `principal`, `action`, `resource`, `context`.
    case variable(Variable)
    /// `?principal` / `?resource` (only valid in a template's scope).
    case slot(SlotID)
    /// `Type::"id"`.
    case entity(EntityUID)
    /// `if c then a else b`.
    case ifThenElse(Expr, Expr, Expr)
    /// `a && b`.
    case and(Expr, Expr)
    /// `a || b`.
    case or(Expr, Expr)
    /// `!a`, `-a`.
    case unary(UnaryOp, Expr)
    /// `a == b`, `a in b`, `a + b`, ...
    case binary(BinaryOp, Expr, Expr)
    /// `e has a` (one element) or `e has a.b.c` (the attribute path). `quoted` is true when written
    /// as a string literal (`e has "a b"`).
    case has(Expr, path: [String], quoted: Bool)
    /// `e like "pattern"`.
    case like(Expr, pattern: [PatternElement])
    /// `e is T` or `e is T in x`.
    case isType(Expr, type: String, in: Expr?)
    /// `e.attr`.
    case attribute(Expr, String)
    /// `e["attr"]`.
    case index(Expr, String)
    /// `e.method(args)`.
    case methodCall(Expr, MethodName, [Expr])
    /// `function(args)`.
    case call(FunctionName, [Expr])
    /// `[a, b]`.
    case set([Expr])
    /// `{a: 1, "b": 2}`.
    case record([RecordEntry])
    /// `( e )`: kept so a formatter can reproduce what was written.
    case parenthesized(Expr)
}

/// A policy or template as written, with the id its policy set gave it.
public struct Policy: Sendable {
    /// The policy id (`@id` value or positional `policyN`, per the policy set's id scheme; for a
    /// linked policy, the link id).
    public var id: String
    /// `permit` or `forbid`.
    public var effect: Effect
    /// Annotations in source order.
    public var annotations: [Annotation]
    /// The principal scope constraint.
    public var principal: ScopeConstraint
    /// The action scope constraint.
    public var action: ActionConstraint
    /// The resource scope constraint.
    public var resource: ScopeConstraint
    /// `when`/`unless` clauses in source order.
    public var conditions: [Condition]
    /// The whole policy, first annotation through `;`.
    public var span: SourceSpan
    /// The span of the effect keyword.
    public var effectSpan: SourceSpan
    /// Index of this policy among the policies of its file (0-based).
    public var indexInFile: Int
    /// For a policy linked from a template: the template's id.
    public var templateID: String?

    /// Creates a policy.
    public init(
        id: String, effect: Effect, annotations: [Annotation] = [],
        principal: ScopeConstraint = ScopeConstraint(.any), action: ActionConstraint = ActionConstraint(.any),
        resource: ScopeConstraint = ScopeConstraint(.any), conditions: [Condition] = [],
        span: SourceSpan = .none, effectSpan: SourceSpan = .none, indexInFile: Int = 0, templateID: String? = nil
    ) {
        self.id = id
        self.effect = effect
        self.annotations = annotations
        self.principal = principal
        self.action = action
        self.resource = resource
        self.conditions = conditions
        self.span = span
        self.effectSpan = effectSpan
        self.indexInFile = indexInFile
        self.templateID = templateID
    }

    /// The file the policy was parsed from.
    public var file: String { span.file }

    /// The value of the first annotation named `key`, if any.
    public func annotation(_ key: String) -> String? {
        annotations.first(where: { $0.key == key })?.value
    }

    /// Annotations as ordered `(key, value)` pairs.
    public var annotationPairs: [(key: String, value: String)] { annotations.map { ($0.key, $0.value) } }

    /// The slots the scope uses; non-empty means this is a template.
    public var slots: [SlotID] {
        var out: [SlotID] = []
        if let s = principal.slot { out.append(s) }
        if let s = resource.slot { out.append(s) }
        return out
    }

    /// Whether this is a template (it has slots and is only evaluated once linked).
    public var isTemplate: Bool { !slots.isEmpty }
}

/// Cedar's quoting of a string, as the reference prints ids and strings (Rust's
/// `str::escape_debug`): quotes, backslash and `\t \r \n \0` escaped by name; control, format,
/// separator (other than the space), private-use, surrogate and unassigned characters, and a
/// combining mark at the start, escaped as `\u{hex}`.
public func cedarQuoted(_ s: String) -> String {
    var out = "\""
    var first = true
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "'": out += "\\'"
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\0": out += "\\0"
        default:
            if isEscapedByRust(scalar, first: first) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        first = false
    }
    return out + "\""
}

/// Whether Rust's `escape_debug` writes `scalar` as `\u{hex}`: it is not printable (general
/// category Cc, Cf, Cs, Co, Cn, Zl, Zp or Zs, the space excepted), or it is a grapheme extender
/// at the start of the string.
func isEscapedByRust(_ scalar: Unicode.Scalar, first: Bool) -> Bool {
    if scalar.value >= 0x20 && scalar.value < 0x7F { return false }
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return true
    default:
        return first && scalar.properties.isGraphemeExtend
    }
}

// Findings of the validator.

/// What kind of problem the validator found. Raw values are stable identifiers for reports.
public enum ValidationErrorKind: String, Sendable, Hashable, CaseIterable {
    /// An entity type the schema does not declare (`Usr::"alice"`, `resource is Fle`).
    case unrecognizedEntityType = "unrecognized-entity-type"
    /// An action the schema does not declare.
    case unrecognizedActionID = "unrecognized-action"
    /// No action of the scope applies to the principal and resource types of the scope.
    case invalidActionApplication = "invalid-action-application"
    /// An operand of the wrong type (`"a" + 1`, `principal like "x"`).
    case unexpectedType = "unexpected-type"
    /// Operands whose types must agree do not (`1 == "a"`, `[1, "a"]`).
    case incompatibleTypes = "incompatible-types"
    /// An attribute that does not exist on the type (`principal.nmae`).
    case unsafeAttributeAccess = "attribute-not-found"
    /// An optional attribute read without a `has` guard.
    case unsafeOptionalAttributeAccess = "unsafe-optional-attribute-access"
    /// `getTag` without a `hasTag` guard.
    case unsafeTagAccess = "unsafe-tag-access"
    /// `getTag` on an entity type that declares no tags.
    case noTagsAllowed = "no-tags-allowed"
    /// An extension function called with the wrong number of arguments.
    case wrongNumberOfArguments = "wrong-number-of-arguments"
    /// An extension constructor whose literal argument is not valid (`ip("bogus")`).
    case extensionArgument = "invalid-extension-argument"
    /// An extension constructor called with a non-literal argument (strict mode).
    case nonLiteralExtensionConstructor = "non-literal-extension-constructor"
    /// `[]` written in a policy (strict mode cannot type it).
    case emptySetForbidden = "empty-set-forbidden"
    /// An entity of an enumerated entity type with an id the schema does not list.
    case invalidEnumEntity = "invalid-enum-entity"
    /// A policy that can never apply to any request the schema allows (a warning).
    case impossiblePolicy = "impossible-policy"
    /// An expression nested too deeply to check.
    case tooDeep = "expression-too-deep"
}

/// One finding of the validator: which policy, where, what kind, and a message in plain words.
public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The id of the policy the finding is about.
    public var policyID: String
    /// Where in the policy text (the offending sub-expression, or the whole policy).
    public var span: SourceSpan
    /// What kind of problem it is.
    public var kind: ValidationErrorKind
    /// The message, as Cedar words it (without the policy id).
    public var message: String
    /// A hint on how to fix it, when there is one.
    public var help: String?

    /// Creates a finding.
    public init(policyID: String, span: SourceSpan, kind: ValidationErrorKind, message: String, help: String? = nil) {
        self.policyID = policyID
        self.span = span
        self.kind = kind
        self.message = message
        self.help = help
    }

    /// Whether the finding is only a warning (it does not make validation fail).
    public var isWarning: Bool { kind == .impossiblePolicy }

    /// `file:line:col: for policy `id`, message`, followed by the hint when there is one.
    public var description: String {
        var s = "\(span): for policy `\(policyID)`, \(message)"
        if let help { s += " (\(help))" }
        return s
    }
}

/// The outcome of validating a policy set: the errors (validation fails when there is one) and
/// the warnings.
public struct ValidationReport: Sendable, Equatable {
    /// Errors in a stable order (file, position, policy, kind, message).
    public var errors: [ValidationError]
    /// Warnings in the same order.
    public var warnings: [ValidationError]

    /// Whether the policies validate.
    public var passed: Bool { errors.isEmpty }
}

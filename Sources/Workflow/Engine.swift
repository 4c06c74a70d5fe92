import JSONValue

/// A policy as the workflow module sees it: id, effect, governance annotations, location.
public struct PolicySummary: Sendable, Equatable {
    /// The policy id (`@id`, or positional `policyN`).
    public var id: String
    /// Whether the policy is a `forbid` (otherwise a `permit`).
    public var isForbid: Bool
    /// Annotations in source order.
    public var annotations: [Annotation]
    /// Where the policy starts.
    public var location: FileLocation?
    /// Position in the whole policy set (file name order, then position in the file).
    public var order: Int

    /// One `@key("value")` annotation.
    public struct Annotation: Sendable, Equatable {
        /// The annotation name.
        public var key: String
        /// Its value (empty for a bare `@key`).
        public var value: String

        /// Creates an annotation.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Creates a summary.
    public init(id: String, isForbid: Bool, annotations: [Annotation], location: FileLocation?, order: Int) {
        self.id = id
        self.isForbid = isForbid
        self.annotations = annotations
        self.location = location
        self.order = order
    }

    /// The first value of annotation `key`.
    public func annotation(_ key: String) -> String? { annotations.first { $0.key == key }?.value }

    /// `@mutate("VARIANT")` on a forbid.
    public var mutateVariant: String? { isForbid ? annotation("mutate") : nil }
    /// `@approve("GROUP")` on a forbid.
    public var approveGroup: String? { isForbid ? annotation("approve") : nil }
    /// `@mode("log_only")` on a forbid: reported, not enforced.
    public var isLogOnly: Bool { isForbid && annotation("mode") == "log_only" }
    /// `@reason("...")`.
    public var reason: String? { annotation("reason") }
}

/// A request the engine decides.
struct EngineRequest: Sendable {
    var principal: EntityRef
    var action: EntityRef
    var resource: EntityRef
    /// Context members, each converted once by `DecisionEngine.prepare`.
    var context: [String: PreparedValue]
}

/// A policy that could not be evaluated for a request. A permit is skipped, as Cedar does; a
/// forbid holds (DESIGN §6), so that a typo in a forbid never lets the step it guards through.
public struct PolicyEvaluationError: Sendable, Equatable {
    /// The policy.
    public var policy: String
    /// What went wrong.
    public var message: String
    /// Whether the policy is a forbid.
    public var isForbid: Bool

    /// Creates an error record.
    public init(policy: String, message: String, isForbid: Bool) {
        self.policy = policy
        self.message = message
        self.isForbid = isForbid
    }

    /// What the error did to step `step`, for findings and warnings.
    public func summary(step: String) -> String {
        isForbid
            ? "forbid \"\(policy)\" raised an error on step \"\(step)\" and holds: \(message)"
            : "policy \"\(policy)\" was skipped for step \"\(step)\": \(message)"
    }
}

/// Which policies a request satisfied.
struct EngineVerdict: Sendable {
    /// Satisfied permits, in policy order.
    var permits: [String]
    /// Satisfied forbids, in policy order.
    var forbids: [String]
    /// Policies that raised an error.
    var errors: [PolicyEvaluationError]
}

/// The seam between the workflow logic and the policy engine.
protocol DecisionEngine: Sendable {
    var policies: [PolicySummary] { get }
    /// Converts a JSON value (Cedar escapes `__entity`, `__extn` allowed) into the engine's own
    /// form. Chain facts that many steps share are converted once and reused.
    func prepare(_ value: JSONValue) throws(WorkflowError) -> PreparedValue
    /// A set of names in the engine's form, as `prepare` gives a JSON array of strings.
    func prepare(names: [String]) -> PreparedValue
    /// Chain facts in the engine's form, as `prepare(facts.json)` gives them, from the sets of
    /// their names already prepared: most steps of a plan share those.
    func prepare(chain facts: ChainFacts, actions: PreparedValue, tools: PreparedValue, labels: PreparedValue) -> PreparedValue
    func decide(_ request: EngineRequest) -> EngineVerdict
    /// The members of `context.history` and `context.done` that the policies which may apply
    /// to `action` on `resource` read (an over-approximation).
    func chainReads(action: String, resource: EntityRef) -> ChainReads
    /// Whether `entity` is `group` or below it in the entity hierarchy (Cedar's `in`).
    func isMember(_ entity: EntityRef, of group: EntityRef) -> Bool
}

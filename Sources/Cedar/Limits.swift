/// Bounds on the size of what the engine accepts, so that no input makes it run out of memory
/// or time without a word. Nesting is bounded separately (`ParserLimits`, and the depth limits
/// of the schema and value readers); these bound counts.
public enum CedarLimits {
    /// The most policies and templates one policy set may hold. Every request looks at the
    /// candidate policies its scope index returns; a set this large is generated, not written.
    public static let maxPolicies = 100_000
    /// The most entities one entity file may hold.
    public static let maxEntities = 1_000_000
}

/// Bounds on what the workflow module reads, so that no input makes stepguard run out of
/// memory or time without a word. Past a bound the reader throws a located error (exit 2).
public enum WorkflowLimits {
    /// The largest plan, catalog, entity, policy or test-suite file read (32 MiB). Real files are
    /// kilobytes; a file this size is a mistake or an attack, and parsing it would hold several
    /// times its size in memory.
    public static let maxFileBytes = 32 << 20
    /// The most steps a plan may have. Every step is decided against every candidate policy and
    /// carries the facts of the steps before it; 100,000 steps take minutes, not hours.
    public static let maxSteps = 100_000
}

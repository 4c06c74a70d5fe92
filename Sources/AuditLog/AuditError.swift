/// Why an audit log operation could not be carried out.
///
/// These are failures to do the job (exit 2 in the CLI); faults found in a log are not errors
/// but `AuditFinding`s in a `VerificationReport`.
public enum AuditError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed on a file.
    case io(path: String, operation: String, message: String)
    /// The event handed to `append` is not usable.
    case invalidEvent(String)
    /// The last line of the log has no newline or does not parse: an interrupted write.
    case tornTail(path: String, line: Int, byteCount: Int)
    /// The end of the log does not chain: the last record does not follow the one before it.
    case brokenTail(path: String, line: Int, reason: String)
    /// The time given to a new record is earlier than the last record's: time in the log only
    /// moves forward, so a record cannot be backdated (say, to hide a use after expiry).
    case timeGoesBackwards(path: String, line: Int, last: String, now: String)
    /// A checkpoint file could not be parsed.
    case invalidCheckpoint(path: String, reason: String)
    /// A signing or verifying key is not usable.
    case invalidKey(String)
    /// A proof file could not be parsed.
    case invalidProof(path: String, reason: String)
    /// The log has no checkpoint to prove against.
    case noCheckpoint(path: String)
    /// The requested record is not covered.
    case recordOutOfRange(seq: Int, size: Int)
    /// The log's records do not verify, so the operation refuses to build on them.
    case logDoesNotVerify(path: String, firstFault: String)
    /// Signing failed.
    case signingFailed(String)
    /// A tile or entry bundle of a published tree is missing or malformed.
    case invalidTile(path: String, reason: String)
    /// Publishing would roll back or fork the tree already published in the directory.
    case publishRefused(directory: String, reason: String)
    /// The log's lock was not obtained within the time allowed (another writer holds it).
    case lockTimeout(path: String, milliseconds: Int)
    /// A decision of the plan id was recorded earlier for other content: another plan under the
    /// same id, which nothing may record into the same log.
    case planIDReused(path: String, line: Int, plan: String, detail: String)
    /// A line that holds the plan id's `"plan"` member is not a record, so whether it is a
    /// decision of other content cannot be told: the log is damaged there.
    case unreadablePlanRecord(path: String, line: Int, plan: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, operation, message):
            return "\(path): cannot \(operation): \(message)"
        case let .invalidEvent(reason):
            return "invalid event: \(reason)"
        case let .tornTail(path, line, count):
            return "\(path):\(line): the last line is incomplete (\(count) bytes without a newline or not a record); run 'stepguard audit append --repair' to drop it"
        case let .brokenTail(path, line, reason):
            return "\(path):\(line): the end of the log does not chain (\(reason)); run 'stepguard audit verify' to locate the damage"
        case let .timeGoesBackwards(path, line, last, now):
            return "\(path):\(line): the last record's time \(last) is later than \(now): time in the log only moves forward; nothing was appended (check the clock or the --now value)"
        case let .invalidCheckpoint(path, reason):
            return "\(path): not a valid checkpoint: \(reason)"
        case let .invalidKey(reason):
            return "invalid key: \(reason)"
        case let .invalidProof(path, reason):
            return "\(path): not a valid proof: \(reason)"
        case let .noCheckpoint(path):
            return "\(path): the log has no checkpoint; run 'stepguard audit checkpoint' first"
        case let .recordOutOfRange(seq, size):
            return "record \(seq) is not covered: the latest checkpoint covers records 0 to \(size - 1); run 'stepguard audit checkpoint' to cover newer records"
        case let .logDoesNotVerify(path, firstFault):
            return "\(path): the log does not verify (\(firstFault)); run 'stepguard audit verify' for the full report"
        case let .signingFailed(reason):
            return "signing failed: \(reason)"
        case let .invalidTile(path, reason):
            return "\(path): \(reason); run 'stepguard audit verify --tiles' on the directory to locate the damage"
        case let .publishRefused(directory, reason):
            return "\(directory): not published: \(reason)"
        case let .planIDReused(path, line, plan, detail):
            return "\(path):\(line): plan id \"\(plan)\" was decided here for other content (\(detail)); nothing was appended: give this plan a new plan id (its \"plan\" member), or record it in another log"
        case let .unreadablePlanRecord(path, line, plan, reason):
            return "\(path):\(line): a line naming plan id \"\(plan)\" is not a record (\(reason)), so whether the id was decided there for other content cannot be told; nothing was appended: the log is damaged there, run 'stepguard audit verify' to locate the damage"
        case let .lockTimeout(path, milliseconds):
            return "\(path): the log's lock was not obtained within \(milliseconds) ms; another writer holds it, or a stale process does (find it with 'fuser \(path)')"
        }
    }
}

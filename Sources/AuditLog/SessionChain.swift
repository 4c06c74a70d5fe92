/// The chain of a live session's records: each record the gate writes names, as `session_prev`,
/// the hash of the session's record before it (the genesis value for its first). The gate reads
/// a session through an index that lists where its records are; a record the index left out
/// would be missing from the history the gate decided on, so the decision the gate then wrote
/// names a record that is not the session's last. `audit verify` checks, per session in log
/// order, that every record carrying `session_prev` names the hash of the session's actual
/// previous record (`session-gap`).

/// What the session chain needs from one record, worked out where its line is prepared.
struct SessionLink: Sendable {
    /// The record's plan (the session), as a key of its bytes.
    var plan = JoinKey(a: 0, b: 0)
    /// The hash its `session_prev` names.
    var named = Digest32.zero
    var state: State = .none

    enum State: UInt8, Sendable {
        /// Not a record of any plan.
        case none
        /// A record of a plan, without `session_prev`.
        case unlinked
        /// A record of a plan naming a hash as `session_prev`.
        case linked
        /// A record of a plan whose `session_prev` is not 64 hex digits.
        case unreadable
    }

    init() {}

    @inline(__always)
    init(_ record: borrowing ScannedRecord, line: UnsafeRawBufferPointer) {
        guard let plan = record.plan else { return }
        self.plan = JoinKey(UnsafeRawBufferPointer(rebasing: line[plan.start..<plan.end]))
        guard let span = record.sessionPrev else {
            state = .unlinked
            return
        }
        if let digest = span.digest(in: line) {
            named = digest
            state = .linked
        } else {
            state = .unreadable
        }
    }
}

/// The last record of one plan seen so far: its hash, or where its line is when it was only
/// scanned (the records a trusted checkpoint covers are not hashed), and its line number.
struct SessionTail: JoinTableEntry {
    var key: JoinKey
    /// The line number, 1-based; 0 in a free slot.
    var line: Int
    var hash = Digest32.zero
    /// When not zero, the hash is not known yet: it is that of the bytes `start..<end` of the log.
    var start = 0
    var end = 0

    init(key: JoinKey) {
        self.key = key
        self.line = 0
    }

    var isFree: Bool { line == 0 }
}

/// The per-plan check of `session_prev`, fed every record in log order.
struct SessionChain {
    private var tails = JoinTable<SessionTail>()

    /// Notes record `link` of line `lineNumber` (whose bytes are `line`, at `start` in `log`,
    /// with leaf hash `hash`, nil when it was not hashed) and returns the finding when its
    /// `session_prev` does not name the hash of its plan's record before it.
    mutating func observe<Hasher: MerkleHasher>(
        _ link: SessionLink, hash: Digest32?, seq: Int?, lineNumber: Int, line: UnsafeRawBufferPointer, start: Int,
        log: UnsafeRawBufferPointer, hasher: Hasher
    ) -> AuditFinding? {
        guard link.state != .none else { return nil }
        let before = tails.modify(link.plan) { tail, isNew -> (line: Int, hash: Digest32)? in
            var previous: (line: Int, hash: Digest32)? = nil
            if !isNew {
                if tail.end != 0 {
                    tail.hash = hasher.hashLeaf(UnsafeRawBufferPointer(rebasing: log[tail.start..<tail.end]))
                    tail.end = 0
                }
                previous = (tail.line, tail.hash)
            }
            tail.line = lineNumber
            if let hash {
                tail.hash = hash
            } else {
                tail.start = start
                tail.end = start + line.count
            }
            return previous
        }
        guard link.state == .linked || link.state == .unreadable else { return nil }
        let expected = before?.hash ?? AuditLog.genesis
        guard link.state == .unreadable || link.named != expected else { return nil }
        let scanned = try? RecordScanner.scan(line)
        let plan = scanned?.plan.map { RecordScanner.string($0, in: line) } ?? ""
        let step = scanned?.step.map { RecordScanner.string($0, in: line) }
        let what: String
        if link.state == .unreadable {
            what = "its session_prev is not 64 hex digits"
        } else if let before {
            what = "its session_prev does not name the session's record before it (line \(before.line)): it was decided on a history that left out a record of the session, or the session's records were changed"
        } else {
            what = "its session_prev names a record before it, but it is the session's first record in the log"
        }
        return AuditFinding(
            kind: .sessionGap, seq: seq, line: lineNumber, relatedLine: before?.line, plan: plan, step: step,
            message: "line \(lineNumber): record \(seq.map(String.init) ?? "?") of session \"\(plan)\": \(what)")
    }
}

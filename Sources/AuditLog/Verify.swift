import Basics
import CHotPaths
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How to verify.
public struct VerifyOptions: Sendable {
    /// Keys whose signatures make a checkpoint trusted. Empty: signatures are not checked.
    public var trustedKeys: [NoteVerifier]
    /// Verify only what comes after the checkpoint of this tree size, trusting it.
    public var fromCheckpoint: Int?
    /// Keep every leaf hash (for proofs); costs 32 bytes per record.
    public var collectLeafHashes: Bool
    /// Bytes per window of line preparation, and how many other threads prepare windows (nil:
    /// the spare cores). The result never depends on them; tests vary them to show that.
    var preparationWindow: Int? = nil
    var preparationWorkers: Int? = nil
    /// With trusted keys: records after the last checkpoint a trusted key signed are a fault,
    /// not a notice (for CI, where every record should be covered by a signature).
    public var requireSigned: Bool

    /// Witnesses whose cosignatures the latest trusted checkpoint must carry, and how many.
    public var witnesses: WitnessPolicy?

    public init(trustedKeys: [NoteVerifier] = [], fromCheckpoint: Int? = nil, collectLeafHashes: Bool = false, requireSigned: Bool = false) {
        self.trustedKeys = trustedKeys
        self.fromCheckpoint = fromCheckpoint
        self.collectLeafHashes = collectLeafHashes
        self.requireSigned = requireSigned
    }
}

/// Verifies audit logs: line hashes, the hash chain, the Merkle tree against every checkpoint,
/// checkpoint signatures, and the joins between records.
public enum AuditVerifier {
    /// Verifies the log at `path` against the checkpoints stored beside it.
    public static func verify(logAt path: String, options: VerifyOptions = VerifyOptions()) throws(AuditError) -> VerificationReport {
        try verifyDetailed(logAt: path, options: options).report
    }

    static func verifyDetailed(logAt path: String, options: VerifyOptions) throws(AuditError) -> VerificationRun<RFC6962Hasher> {
        // A shared lock: an append in progress is never mistaken for a torn line.
        let lock = try FileHandleFD(path: path, flags: O_RDONLY)
        try lock.lockShared()
        let loaded = try CheckpointStore.load(forLog: path)
        let file = try MappedFile(path: path)
        var run = try run(bytes: file.bytes, checkpoints: loaded.checkpoints, options: options, hasher: RFC6962Hasher())
        for (notePath, reason) in loaded.unreadable {
            run.report.findings.append(AuditFinding(kind: .checkpointUnreadable, checkpointPath: notePath,
                                                    message: "checkpoint \(notePath) does not parse: \(reason)"))
        }
        withExtendedLifetime((file, lock)) {}
        return run
    }

    /// Verifies a log held in memory against `checkpoints`.
    public static func verify(bytes: UnsafeRawBufferPointer, checkpoints: [StoredCheckpoint] = [],
                              options: VerifyOptions = VerifyOptions()) throws(AuditError) -> VerificationReport {
        try run(bytes: bytes, checkpoints: checkpoints, options: options, hasher: RFC6962Hasher()).report
    }

    /// Verifies a log held in memory whose chain and tree use `hasher` instead of RFC 6962 SHA-256.
    public static func verify<Hasher: MerkleHasher>(bytes: UnsafeRawBufferPointer, checkpoints: [StoredCheckpoint] = [],
                                                    options: VerifyOptions = VerifyOptions(), hasher: Hasher) throws(AuditError) -> VerificationReport {
        try run(bytes: bytes, checkpoints: checkpoints, options: options, hasher: hasher).report
    }

    static func run<Hasher: MerkleHasher>(bytes: UnsafeRawBufferPointer, checkpoints: [StoredCheckpoint],
                                          options: VerifyOptions, hasher: Hasher) throws(AuditError) -> VerificationRun<Hasher> {
        var findings: [AuditFinding] = []
        var statuses = checkpoints.map { stored in
            CheckpointStatus(path: stored.path, origin: stored.checkpoint.origin, size: stored.checkpoint.size,
                             root: stored.checkpoint.root, signature: "not-checked", matchesLog: nil)
        }
        // Signatures first: a checkpoint only counts as trusted when a trusted key signed it.
        var trusted = [Bool](repeating: options.trustedKeys.isEmpty, count: checkpoints.count)
        if !options.trustedKeys.isEmpty {
            for (i, stored) in checkpoints.enumerated() {
                let outcomes = options.trustedKeys.map { $0.check(stored.note) }
                if outcomes.contains(.badSignature) {
                    statuses[i].signature = "bad-signature"
                    findings.append(AuditFinding(kind: .checkpointSignature, checkpointSize: stored.checkpoint.size, checkpointPath: stored.path,
                                                 message: "checkpoint \(stored.path) (size \(stored.checkpoint.size)) carries a signature by a trusted key that does not verify"))
                } else if outcomes.contains(.verified) {
                    statuses[i].signature = "verified"
                    trusted[i] = true
                } else {
                    statuses[i].signature = "untrusted"
                    findings.append(AuditFinding(kind: .checkpointSignature, checkpointSize: stored.checkpoint.size, checkpointPath: stored.path,
                                                 message: "checkpoint \(stored.path) (size \(stored.checkpoint.size)) is not signed by any trusted key"))
                }
            }
        } else {
            // Without a key nothing here is proven: anyone who can edit the log can recompute
            // the chain and the tree.
            findings.append(AuditFinding(kind: .notChecked, severity: .notice,
                                         message: "no --key given: only the hash chain and tree were checked, which anyone who can edit the log can recompute; pass the log's public key to check what was signed"))
        }

        if let policy = options.witnesses {
            findings.append(contentsOf: policy.findings(checkpoints: checkpoints, trusted: trusted))
        }

        // Where to start: the beginning, or a trusted checkpoint's resume point.
        var engine = ChainEngine(bytes: bytes, hasher: hasher, collectLeafHashes: options.collectLeafHashes)
        engine.preparationWindow = options.preparationWindow ?? LinePreparation<Hasher>.defaultWindowSize
        engine.preparationWorkers = options.preparationWorkers ?? LinePreparation<Hasher>.defaultWorkers
        var startSize = 0
        if let from = options.fromCheckpoint {
            guard let index = checkpoints.indices.first(where: { checkpoints[$0].checkpoint.size == from && trusted[$0] }) else {
                throw AuditError.invalidCheckpoint(path: CheckpointStore.baseName(size: from) + ".note",
                                                   reason: "no trusted checkpoint of size \(from) beside the log")
            }
            if let resumed = resume(engine: &engine, bytes: bytes, from: checkpoints[index]) {
                startSize = from
                engine = resumed
            } else {
                findings.append(AuditFinding(kind: .notChecked, severity: .notice, checkpointSize: from,
                                             message: "cannot resume from checkpoint \(from) (resume data missing or not matching); verified the whole log instead"))
            }
        }

        // Checkpoints the streaming pass compares against, by size.
        var expected: [Int: [Int]] = [:]
        for (i, stored) in checkpoints.enumerated() where stored.checkpoint.size >= startSize {
            expected[stored.checkpoint.size, default: []].append(i)
        }
        engine.checkpointSizes = expected.keys.sorted()
        engine.run()

        for (size, indices) in expected {
            for i in indices {
                if let root = engine.rootsAtSize[size] {
                    statuses[i].matchesLog = root == checkpoints[i].checkpoint.root
                } else if size > engine.treeSize {
                    statuses[i].matchesLog = false
                }
            }
        }
        findings.append(contentsOf: engine.findings)
        findings.append(contentsOf: checkpointFindings(checkpoints: checkpoints, statuses: statuses, trusted: trusted, engine: engine, startSize: startSize))
        if !options.trustedKeys.isEmpty {
            findings += unsignedFindings(checkpoints: checkpoints, statuses: statuses, trusted: trusted, startSize: startSize,
                                         fromCheckpoint: options.fromCheckpoint != nil, treeSize: engine.treeSize, requireSigned: options.requireSigned)
        }

        findings.sort(by: AuditFinding.reportOrder)
        let report = VerificationReport(
            totalRecords: engine.lineCount, validRecords: engine.lineCount - engine.invalidLines.count,
            findings: findings, checkpoints: statuses, treeSize: engine.treeSize, root: engine.range.root(), startSize: startSize,
            signaturesChecked: !options.trustedKeys.isEmpty)
        return VerificationRun(report: report, engine: engine)
    }

    /// Sets the engine up to continue after a trusted checkpoint, or returns nil when its resume
    /// data does not check out.
    private static func resume<Hasher: MerkleHasher>(engine: inout ChainEngine<Hasher>, bytes: UnsafeRawBufferPointer, from stored: StoredCheckpoint) -> ChainEngine<Hasher>? {
        let checkpoint = stored.checkpoint
        if checkpoint.size == 0 { return engine }
        guard let point = stored.resume, point.size == checkpoint.size, point.offset > 0, point.offset <= bytes.count,
              let range = CompactRange(hasher: engine.hasher, size: point.size, lastLeafHash: point.lastLeaf, inclusionProof: point.inclusionProof),
              range.root() == checkpoint.root,
              bytes[point.offset - 1] == 0x0A
        else { return nil }
        // The record just before the offset must be the checkpoint's last leaf.
        var start = point.offset - 1
        while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
        let lastLine = UnsafeRawBufferPointer(rebasing: bytes[start..<(point.offset - 1)])
        guard engine.hasher.hashLeaf(lastLine) == point.lastLeaf else { return nil }
        if let record = try? RecordScanner.scan(lastLine), let span = record.time,
           let time = Timestamp.parse(UnsafeRawBufferPointer(rebasing: lastLine[span.start..<span.end])) {
            engine.latestTime = (time, point.size)
        }
        var resumed = engine
        // The joins still read the records the checkpoint covers (scanned, not hashed): an
        // execution after it answers to decisions and mints before it, and must never be judged
        // on less than the whole log.
        resumed.joinPrefix(upTo: point.offset, checkpointSize: point.size)
        resumed.start(offset: point.offset, lineBase: point.size, range: range, lastHash: point.lastLeaf, nextSeq: point.size)
        return resumed
    }

    /// What no trusted signature covers. A log no trusted checkpoint matches proves nothing and
    /// is a fault; records after the last one are reported as unsigned.
    private static func unsignedFindings(checkpoints: [StoredCheckpoint], statuses: [CheckpointStatus], trusted: [Bool], startSize: Int,
                                         fromCheckpoint: Bool, treeSize: Int, requireSigned: Bool) -> [AuditFinding] {
        let signedSizes = checkpoints.indices.filter { trusted[$0] && statuses[$0].matchesLog == true }.map { checkpoints[$0].checkpoint.size }
        let resumedFromTrusted = fromCheckpoint && startSize > 0
        guard let signed = (signedSizes + (resumedFromTrusted ? [startSize] : [])).max() else {
            let what = treeSize == 0 ? "the log is empty and" : "the log's \(treeSize) records are there, but"
            return [AuditFinding(kind: .unsigned, count: treeSize,
                                 message: "\(what) no checkpoint signed by a trusted key matches it: nothing in it is proven; sign one with 'stepguard audit checkpoint' and keep its checkpoint files beside the log")]
        }
        guard signed < treeSize else { return [] }
        let count = treeSize - signed
        let range = count == 1 ? "record \(signed)" : "records \(signed) to \(treeSize - 1)"
        return [AuditFinding(kind: .unsigned, severity: requireSigned ? .fault : .notice, count: count, checkpointSize: signed,
                             message: "\(range) (\(count)) come after the last signed checkpoint (size \(signed)): no signature covers them yet; run 'stepguard audit checkpoint' to sign them")]
    }

    private static func checkpointFindings<Hasher: MerkleHasher>(checkpoints: [StoredCheckpoint], statuses: [CheckpointStatus], trusted: [Bool],
                                                                 engine: ChainEngine<Hasher>, startSize: Int) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        let records = engine.treeSize
        // Truncation: the log ends before what a checkpoint covers.
        if let longest = checkpoints.indices.filter({ checkpoints[$0].checkpoint.size > records }).max(by: { checkpoints[$0].checkpoint.size < checkpoints[$1].checkpoint.size }) {
            let size = checkpoints[longest].checkpoint.size
            findings.append(AuditFinding(kind: .truncated, seq: records, line: engine.lineBase + engine.lineCount + 1, count: size - records,
                                         checkpointSize: size, checkpointPath: checkpoints[longest].path,
                                         message: "the log ends after \(records) records but checkpoint \(checkpoints[longest].path) covers \(size): records \(records) to \(size - 1) were cut off"))
        }
        // Root mismatches, narrowed to the records between the last matching checkpoint and this one.
        var lastGood = startSize
        let ordered = checkpoints.indices.sorted { checkpoints[$0].checkpoint.size < checkpoints[$1].checkpoint.size }
        for i in ordered where statuses[i].matchesLog != nil {
            let size = checkpoints[i].checkpoint.size
            if statuses[i].matchesLog == true {
                lastGood = max(lastGood, size)
            } else if size <= records {
                let low = min(lastGood, size)
                findings.append(AuditFinding(kind: .checkpointMismatch, checkpointSize: size, checkpointPath: checkpoints[i].path,
                                             message: "checkpoint \(checkpoints[i].path) (size \(size)) does not match the log: a record between \(low) and \(size - 1) differs from what was signed"))
            }
        }
        // Forks: two trusted checkpoints no single log can satisfy.
        for (a, i) in ordered.enumerated() {
            for j in ordered[(a + 1)...] where trusted[i] && trusted[j] {
                let first = checkpoints[i].checkpoint, second = checkpoints[j].checkpoint
                let forked: Bool
                if first.size == second.size {
                    forked = first.root != second.root
                } else {
                    // The later one matching the log fixes the earlier one's only possible root.
                    forked = statuses[j].matchesLog == true && statuses[i].matchesLog == false
                }
                if forked {
                    findings.append(AuditFinding(kind: .forkedCheckpoints, checkpointSize: second.size, checkpointPath: checkpoints[j].path,
                                                 message: "checkpoints \(checkpoints[i].path) (size \(first.size)) and \(checkpoints[j].path) (size \(second.size)) are not consistent: they describe different histories"))
                }
            }
        }
        return findings
    }
}

/// What a verification pass leaves behind for checkpointing and proving.
struct VerificationRun<Hasher: MerkleHasher> {
    var report: VerificationReport
    var engine: ChainEngine<Hasher>
}

/// One line of the log as the chain check sees it.
struct ChainEntry {
    var line: Int
    var start: Int
    var end: Int
    var seq: Int?
    var prev: Digest32?
    var hash: Digest32
    var parsed: Bool
    /// The record's time in milliseconds, `Int64.min` when it has none that reads.
    var time: Int64 = .min
}

/// The single streaming pass over the records.
struct ChainEngine<Hasher: MerkleHasher> {
    let bytes: UnsafeRawBufferPointer
    let hasher: Hasher

    // Where the pass starts.
    var offset = 0
    var lineBase = 0

    // Chain state.
    var lastHash = AuditLog.genesis
    var nextSeq = 0
    var lastAccepted: ChainEntry?
    var range: CompactRange<Hasher>
    /// Siblings consumed by the last leaf's append: the inner part of its inclusion proof.
    var mergedSiblings: [Digest32] = []
    var mergedCount = 0
    var lastLeafHash: Digest32?
    /// Leaf hashes of the lines read that are not yet in `range` (see `addPendingLeaves`).
    private var pendingLeaves: [Digest32] = []
    var treeSize: Int { range.size }

    var lineCount = 0
    /// Byte offset just past the last newline-terminated line.
    var endOffset = 0
    var invalidLines = Set<Int>()
    var findings: [AuditFinding] = []
    // Records found out of place, by hash, with their finding; and gaps waiting for them.
    var displaced: [Digest32: Int] = [:]
    var pendingMissing: [Digest32: Int] = [:]

    // Checkpoint roots wanted while streaming.
    /// Tree sizes whose roots are wanted, ascending, and the first that may still come: walked
    /// in order, since a per-record set lookup showed in the profile.
    var checkpointSizes: [Int] = []
    private var nextWanted = 0
    var rootsAtSize: [Int: Digest32] = [:]

    // How lines are prepared (see LinePreparation).
    var preparationWindow = LinePreparation<Hasher>.defaultWindowSize
    var preparationWorkers = LinePreparation<Hasher>.defaultWorkers

    // Leaf hashes and record positions, when asked for.
    let collectLeafHashes: Bool
    var leafHashes: [Digest32] = []
    var lineRanges: [Range<Int>] = []

    /// The time of the last record of the chain with one, and its line: the next is not earlier.
    var latestTime: (milliseconds: Int64, line: Int) = (.min, 0)
    /// `latestTime` before the last record was accepted, for when that record turns out inserted.
    var timeBeforeLastAccept: (milliseconds: Int64, line: Int) = (.min, 0)

    // Joins.
    var steps = JoinTable<StepJoin>()
    var credentials = JoinTable<CredentialJoin>()
    /// The decision that named the steps a step runs after (its line number and where the line
    /// starts), for the steps whose `StepJoin` holds another record: mostly it is the record
    /// the entry holds, and a table of every step would cost a lookup and memory per step.
    var orderedElsewhere: [JoinKey: (line: Int, start: Int)] = [:]
    /// The latest decision of each step that an approval came after (line 0 when no decision
    /// came before); the `StepJoin` holds the approval when the decision held the step, the
    /// decision otherwise. An execution without a credential answers to the decision, and
    /// approvals are few, so they pay for this table and decisions do not.
    var approvedDecisions: [JoinKey: (line: Int, start: Int)] = [:]
    /// Each session's last record, for `session_prev`.
    var sessions = SessionChain()

    init(bytes: UnsafeRawBufferPointer, hasher: Hasher, collectLeafHashes: Bool) {
        self.bytes = bytes
        self.hasher = hasher
        self.range = CompactRange(hasher: hasher)
        self.collectLeafHashes = collectLeafHashes
    }

    mutating func start(offset: Int, lineBase: Int, range: CompactRange<Hasher>, lastHash: Digest32, nextSeq: Int) {
        self.offset = offset
        self.lineBase = lineBase
        self.range = range
        self.lastHash = lastHash
        self.nextSeq = nextSeq
    }

    // MARK: Streaming

    /// How many lines ahead the join lookups are started.
    static var prefetchDistance: Int { 6 }

    mutating func run() {
        while nextWanted < checkpointSizes.count && checkpointSizes[nextWanted] < range.size { nextWanted += 1 }
        noteRootIfWanted()
        endOffset = offset
        var pending: ChainEntry? = nil
        // What each line needs alone (its hash, its scan) is prepared window by window on other
        // cores, ahead of this loop; the loop keeps what needs the lines in order: the chain,
        // the tree and the joins.
        let preparation = LinePreparation(bytes: bytes, from: offset, hasher: hasher,
                                          windowSize: preparationWindow, workers: preparationWorkers)
        defer { preparation.finish() }
        windows: for window in 0..<preparation.windowCount {
            let lines = preparation.take(window)
            for index in lines.indices {
                // On a large log the join tables hold millions of keys and each lookup is a
                // cache miss; starting the lookups of a record a few lines ahead overlaps them
                // with the work on the lines before it (about 5 % of the CPU time on 1 GB).
                if index + Self.prefetchDistance < lines.count {
                    let ahead = lines[index + Self.prefetchDistance]
                    let facts = ahead.facts
                    if let key = facts.stepKey { steps.prefetch(key) }
                    if let key = facts.jtiKey { credentials.prefetch(key) }
                    // The order a decision names is read at its step's execution, a line or a
                    // few later; a worker read the line, so on this core it is a cache miss
                    // (4 % of the CPU time of verifying 256 MB, `perf`).
                    if let (after, plan) = facts.orderOffsets.offsets {
                        stepguard_prefetch_read(bytes.baseAddress! + ahead.start + after)
                        stepguard_prefetch_read(bytes.baseAddress! + ahead.start + plan)
                    }
                }
                let line = lines[index]
                let entry = makeEntry(line)
                if !line.terminated {
                    // No newline: an interrupted write. It takes no part in the chain.
                    if let pending { process(pending, next: nil) }
                    pending = nil
                    lineCount += 1
                    invalidLines.insert(entry.line)
                    findings.append(AuditFinding(kind: .torn, line: entry.line,
                                                 message: "line \(entry.line) is an incomplete record (\(line.end - line.start) bytes, no newline): an interrupted write; 'stepguard audit append --repair' drops it"))
                    break windows
                }
                lineCount += 1
                addLeaf(entry)
                if let previous = pending { process(previous, next: entry) }
                pending = entry
                endOffset = line.end + 1
            }
            preparation.recycle(consume lines)
            if window == 0 { presizeJoins(sampledBytes: endOffset - offset) }
        }
        addPendingLeaves()
        if let pending {
            if !pending.parsed && pending.line == lineBase + lineCount {
                // A whole final line that is not a record is what a torn write with a newline looks like.
                invalidLines.insert(pending.line)
                findings.append(AuditFinding(kind: .torn, line: pending.line,
                                             message: "the last line (\(pending.line)) is not a record: an interrupted or corrupted write; 'stepguard audit append --repair' drops it"))
            } else {
                process(pending, next: nil)
            }
        }
        finishJoins()
    }

    /// Sizes the join tables for the whole log at the rate of keys its first window held, and
    /// a tenth more, so that they do not grow step by step: each step takes fresh memory, which
    /// the kernel zeroes, and that zeroing was a fifth of the CPU time of verifying 256 MB
    /// (`perf`). Sized once they zero about half as much; a log whose later records name more
    /// keys still grows.
    private mutating func presizeJoins(sampledBytes: Int) {
        guard sampledBytes > 0, bytes.count - offset > 2 * sampledBytes else { return }
        let scale = 1.1 * Double(bytes.count - offset) / Double(sampledBytes)
        steps.reserve(Int(Double(steps.count) * scale))
        credentials.reserve(Int(Double(credentials.count) * scale))
    }

    // Inlined: called for every line, and a call passes the prepared line and the entry by copy.
    @inline(__always)
    private mutating func makeEntry(_ prepared: PreparedLine) -> ChainEntry {
        let lineNumber = lineBase + lineCount + 1
        guard prepared.isRecord else {
            return ChainEntry(line: lineNumber, start: prepared.start, end: prepared.end, seq: nil, prev: nil, hash: prepared.hash, parsed: false)
        }
        let line = UnsafeRawBufferPointer(rebasing: bytes[prepared.start..<prepared.end])
        join(prepared.facts, seq: prepared.seq, lineNumber: lineNumber, line: line, start: prepared.start)
        if let gap = sessions.observe(prepared.session, hash: prepared.hash, seq: prepared.seq, lineNumber: lineNumber, line: line,
                                      start: prepared.start, log: bytes, hasher: hasher) { findings.append(gap) }
        return ChainEntry(line: lineNumber, start: prepared.start, end: prepared.end, seq: prepared.seq, prev: prepared.prev,
                          hash: prepared.hash, parsed: true, time: prepared.time)
    }

    /// How many leaves wait in `pendingLeaves` at most before they are added to the tree.
    static var leafBatch: Int { 1024 }

    private mutating func addLeaf(_ entry: ChainEntry) {
        pendingLeaves.append(entry.hash)
        lastLeafHash = entry.hash
        if collectLeafHashes {
            leafHashes.append(entry.hash)
            lineRanges.append(entry.start..<entry.end)
        }
        if pendingLeaves.count == Self.leafBatch
            || nextWanted < checkpointSizes.count && checkpointSizes[nextWanted] == range.size + pendingLeaves.count {
            addPendingLeaves()
        }
    }

    /// Adds the leaves waiting in `pendingLeaves` to the tree: all but the last at once, whose
    /// nodes are hashed two at a time (a node hashed as its leaf comes waits for the one
    /// before), then the last alone, remembering which siblings its append merges: for the
    /// log's final leaf they are the inner part of its inclusion proof, which checkpoints store
    /// for resuming.
    private mutating func addPendingLeaves() {
        guard let last = pendingLeaves.last else { return }
        pendingLeaves.withUnsafeBufferPointer { range.append(contentsOf: UnsafeBufferPointer(rebasing: $0.dropLast())) }
        pendingLeaves.removeAll(keepingCapacity: true)
        mergedCount = 0
        var s = range.size
        var i = range.nodes.count - 1
        while s & 1 == 1 {
            if mergedSiblings.count == mergedCount { mergedSiblings.append(range.nodes[i]) } else { mergedSiblings[mergedCount] = range.nodes[i] }
            mergedCount += 1
            i -= 1
            s >>= 1
        }
        range.append(last)
        noteRootIfWanted()
    }

    /// Keeps the root at the current size when a checkpoint of that size is to be compared.
    @inline(__always)
    private mutating func noteRootIfWanted() {
        guard nextWanted < checkpointSizes.count, checkpointSizes[nextWanted] == range.size else { return }
        rootsAtSize[range.size] = range.root()
        nextWanted += 1
    }

    /// The inclusion proof of the last leaf in the tree so far.
    var lastLeafInclusionProof: [Digest32] {
        let outer = range.nodes.dropLast().reversed()
        return Array(mergedSiblings[0..<mergedCount]) + outer
    }

    // MARK: Chain classification

    private mutating func accept(_ x: ChainEntry) {
        // Each record of the chain is dated no earlier than the record it follows; a record out
        // of the chain is reported as such, and its time proves nothing either way.
        timeBeforeLastAccept = latestTime
        if x.time != .min {
            if x.time < latestTime.milliseconds {
                invalidate(x)
                findings.append(AuditFinding(kind: .backdated, seq: x.seq, line: x.line, relatedLine: latestTime.line,
                                             message: "line \(x.line): record \(x.seq ?? nextSeq) is dated \(Timestamp.format(milliseconds: x.time)), before \(Timestamp.format(milliseconds: latestTime.milliseconds)) of the record before it on line \(latestTime.line): time in the log only moves forward"))
            }
            latestTime = (x.time, x.line)
        }
        lastHash = x.hash
        nextSeq = (x.seq ?? nextSeq) + 1
        lastAccepted = x
    }

    private mutating func invalidate(_ x: ChainEntry) {
        invalidLines.insert(x.line)
    }

    private mutating func report(_ finding: AuditFinding) -> Int {
        findings.append(finding)
        return findings.count - 1
    }

    private mutating func markDisplaced(_ x: ChainEntry) {
        invalidate(x)
        let what = x.parsed ? "record \(x.seq.map(String.init) ?? "?")" : "a line that is not a record"
        let index = report(AuditFinding(kind: x.parsed ? .inserted : .malformed, seq: x.seq, line: x.line,
                                        message: "line \(x.line): \(what) is not part of the hash chain (inserted)"))
        if x.parsed && displaced.count < 100_000 { displaced[x.hash] = index }
    }

    private mutating func reportModified(_ x: ChainEntry, seq: Int?, reason: String) {
        invalidate(x)
        let seqText = seq.map { "record \($0)" } ?? "a record"
        if findings.last.map({ $0.kind == .modified && $0.line == x.line }) == true { return }
        findings.append(AuditFinding(kind: x.parsed ? .modified : .malformed, seq: seq, line: x.line,
                                     message: "line \(x.line): \(seqText) was modified (\(reason))"))
    }

    /// Decides about `x` knowing the line after it.
    private mutating func process(_ x: ChainEntry, next z: ChainEntry?) {
        if x.parsed, x.prev == lastHash, x.seq == nextSeq {
            accept(x)
            return
        }
        // A record the chain is missing from an earlier gap: it was moved later.
        if x.parsed, let index = pendingMissing.removeValue(forKey: x.hash) {
            invalidate(x)
            reconcileMissing(index, with: x)
            return
        }
        // The next line continues the chain as if `x` were not there: `x` was added.
        if let z, z.parsed, z.prev == lastHash, z.seq == nextSeq {
            markDisplaced(x)
            return
        }
        if x.parsed, let s = x.seq, s == nextSeq, z == nil || z!.prev == x.hash {
            // `x` is where it belongs and the chain goes on from it, but it does not name the
            // hash of the record before it: that record's bytes changed.
            if let previous = lastAccepted {
                reportModified(previous, seq: previous.seq, reason: "record \(s) on line \(x.line) names a different hash for it")
            } else {
                reportModified(x, seq: s, reason: "its prev is not the hash of the record before it")
            }
            accept(x)
            return
        }
        if let z, z.parsed, let zs = z.seq, let zp = z.prev, zs == nextSeq + 1, zp != x.hash, zp != lastHash {
            // The next record expects a different record in this place: `x` was altered (or replaced).
            reportModified(x, seq: nextSeq, reason: "its bytes do not hash to the prev named by line \(z.line)")
            lastHash = zp
            nextSeq += 1
            lastAccepted = nil
            return
        }
        guard x.parsed, let s = x.seq else {
            invalidate(x)
            findings.append(AuditFinding(kind: .malformed, line: x.line, message: "line \(x.line) is not a record"))
            return
        }
        // Two records claiming the same place: the one the chain continues from is genuine.
        if let previous = lastAccepted, s == previous.seq, x.prev == previous.prev {
            if let z, z.prev == x.hash {
                invalidate(previous)
                latestTime = timeBeforeLastAccept
                findings.append(AuditFinding(kind: .inserted, seq: previous.seq, line: previous.line,
                                             message: "line \(previous.line): record \(s) is not part of the hash chain (inserted before the genuine record \(s) on line \(x.line))"))
                accept(x)
            } else {
                invalidate(x)
                findings.append(AuditFinding(kind: .inserted, seq: s, line: x.line,
                                             message: "line \(x.line): a second record \(s) is not part of the hash chain (inserted)"))
            }
            return
        }
        if s > nextSeq {
            let count = s - nextSeq
            if count == 1, let index = displaced.removeValue(forKey: x.prev!) {
                // The record missing here turned up earlier in the file: moved, not deleted.
                findings[index].kind = .reordered
                findings[index].message = "line \(findings[index].line!): record \(nextSeq) is out of order: it belongs before record \(s) on line \(x.line)"
                findings[index].relatedLine = x.line
            } else {
                let index = report(AuditFinding(kind: .missing, seq: nextSeq, line: x.line, count: count,
                                                message: count == 1
                                                    ? "before line \(x.line): record \(nextSeq) is missing (deleted)"
                                                    : "before line \(x.line): records \(nextSeq) to \(s - 1) are missing (\(count) deleted)"))
                if pendingMissing.count < 100_000 { pendingMissing[x.prev!] = index }
            }
            accept(x)
            return
        }
        if s < nextSeq {
            markDisplaced(x)
            return
        }
        // In its place, but neither linked from the chain nor linked to by the next record.
        reportModified(x, seq: s, reason: "it does not chain to the records around it")
        if let z, z.seq == s + 1, let zp = z.prev { lastHash = zp } else { lastHash = x.hash }
        nextSeq = s + 1
        lastAccepted = nil
    }

    private mutating func reconcileMissing(_ index: Int, with x: ChainEntry) {
        let gap = findings[index]
        let seq = x.seq!
        if gap.count == 1 {
            findings[index] = AuditFinding(kind: .reordered, seq: seq, line: x.line, relatedLine: gap.line,
                                           message: "line \(x.line): record \(seq) is out of order: it belongs before line \(gap.line!)")
        } else {
            findings[index].count = gap.count! - 1
            findings[index].message = "before line \(gap.line!): \(gap.count! - 1) of records \(gap.seq!) to \(gap.seq! + gap.count! - 1) are missing (deleted)"
            findings.append(AuditFinding(kind: .reordered, seq: seq, line: x.line, relatedLine: gap.line,
                                         message: "line \(x.line): record \(seq) is out of order: it belongs before line \(gap.line!)"))
        }
    }

    // MARK: Joins

    private func text(_ span: ByteSpan?, _ line: UnsafeRawBufferPointer) -> String? {
        span.map { RecordScanner.string($0, in: line) }
    }

    /// Joins the records before byte `end` (those the trusted checkpoint of `size` records
    /// covers) without reporting on them: they were verified when that checkpoint was. A line
    /// among them that is not a record (as the streaming pass reads one: it scans, with `seq`
    /// and a plain hex `prev`) is a fault at its line, never passed over: what it held could be
    /// the decision or revocation an execution after the checkpoint answers to.
    mutating func joinPrefix(upTo end: Int, checkpointSize size: Int) {
        let kept = findings.count
        var unreadable: [AuditFinding] = []
        var start = 0
        var lineNumber = 0
        while start < end {
            let newline = memchr(bytes.baseAddress! + start, 0x0A, end - start)
            let stop = newline.map { UnsafeRawPointer($0) - bytes.baseAddress! } ?? end
            lineNumber += 1
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<stop])
            do throws(ScanError) {
                let record = try RecordScanner.scan(line)
                guard let seq = record.seq, record.prev?.digest(in: line) != nil else {
                    throw ScanError(offset: 0, message: "it has no \(record.seq == nil ? "seq" : "prev hash")")
                }
                let time = record.time.flatMap { Timestamp.parse(UnsafeRawBufferPointer(rebasing: line[$0.start..<$0.end])) }
                join(JoinFacts(record, line: line, time: time), seq: seq, lineNumber: lineNumber, line: line, start: start)
                _ = sessions.observe(SessionLink(record, line: line), hash: nil, seq: seq, lineNumber: lineNumber, line: line,
                                     start: start, log: bytes, hasher: hasher)
            } catch {
                unreadable.append(AuditFinding(kind: .malformed, line: lineNumber, checkpointSize: size,
                                               message: "line \(lineNumber): a line that is not a record (\(error.message)), covered by the trusted checkpoint of \(size) records: the joins cannot read it, so executions after the checkpoint are judged without it; verify the whole log to locate the damage"))
            }
            start = stop + 1
        }
        findings.removeSubrange(kept...)
        findings += unreadable
    }

    private mutating func join(_ facts: JoinFacts, seq: Int, lineNumber: Int, line: UnsafeRawBufferPointer, start: Int) {
        switch facts.kind {
        case .decision, .approval:
            guard let key = facts.stepKey else { return }
            // The order comes from the first decision that names one, whatever its outcome (a
            // held step runs on its approval).
            let (ordered, replaced) = steps.modify(key) { step, isNew -> ((line: Int, start: Int)?, (line: Int, start: Int)) in
                let replaced = (line: step.line, start: step.lineStart)
                // An approval releases only a step its latest decision held: after one that
                // allowed, denied or rewrote the step (or with none before it), the step stays
                // what that decision said, however old or well signed the approval is.
                if facts.kind == .approval && (isNew || !step.held) { return (nil, replaced) }
                // The latest decision is the one an execution answers to: a later deny overrides
                // an earlier allow. An execution seen before it keeps its mark.
                var keep: (line: Int, start: Int)? = nil
                if !isNew && step.ordered {
                    // The record replaced may be the one that named the order.
                    keep = (step.line, step.lineStart)
                }
                let (executed, wasOrdered, minted, prints) = (step.executed, step.ordered, step.minted, step.prints)
                step = StepJoin(key: key, line: lineNumber, lineStart: start, allowed: facts.allowing)
                // Approvals after the held decision are judged together (the last one's outcome
                // stands here; `--policies` counts them), so the step stays held for them.
                step.held = facts.kind == .decision ? facts.holding : true
                step.executed = executed
                step.ordered = wasOrdered || facts.ordered
                step.minted = minted
                step.orderOffsets = facts.orderOffsets
                // A decision states what it decided (its digests, none in an older log); an
                // approval releases the form its step's decision held.
                step.prints = facts.kind == .decision ? facts.prints : prints
                return (keep, replaced)
            }
            if let ordered, orderedElsewhere[key] == nil { orderedElsewhere[key] = ordered }
            if facts.kind == .approval {
                // The decision the first approval after it came after; later approvals keep it.
                if approvedDecisions[key] == nil { approvedDecisions[key] = replaced }
            } else if !approvedDecisions.isEmpty {
                approvedDecisions[key] = nil
            }
        case .mint:
            guard let key = facts.jtiKey else { return }
            // The step's executions must name a credential from now on, and this one must be
            // for what the step's latest decision decided: where that decision states no
            // digests, the credential's stand for it.
            let mismatch = facts.stepKey.map { stepKey in
                steps.modify(stepKey) { step, _ -> UInt8 in
                    step.minted = true
                    let mismatch = facts.prints.mismatch(step.prints)
                    step.prints = step.prints.filled(from: facts.prints)
                    return mismatch
                }
            } ?? 0
            credentials.modify(key) { credential, _ in
                credential.mintLine = lineNumber
                credential.mismatch = mismatch
                credential.expiry = facts.exp ?? .min
                credential.step = facts.stepKey ?? JoinKey(a: 0, b: 0)
            }
        case .revocation:
            guard let key = facts.jtiKey else { return }
            credentials.modify(key) { credential, _ in
                if credential.revokedLine == 0 { credential.revokedLine = lineNumber }
            }
        case .execution:
            joinExecution(facts, seq: seq, lineNumber: lineNumber, line: line)
        case .other:
            return
        }
    }

    private mutating func joinExecution(_ facts: JoinFacts, seq: Int, lineNumber: Int, line: UnsafeRawBufferPointer) {
        // The texts are only needed for findings, which are rare: the line is scanned again
        // for them rather than carrying its fields along or allocating them for every record.
        func field(_ path: KeyPath<ScannedRecord, ByteSpan?>) -> String? {
            (try? RecordScanner.scan(line)).flatMap { $0[keyPath: path] }.map { RecordScanner.string($0, in: line) }
        }
        var plan: String? { field(\.plan) }
        var step: String? { field(\.step) }
        var jti: String? { field(\.jti) }
        // The joins always see the whole log (from a checkpoint, its prefix is joined first), so
        // a missing counterpart is evidence, and a fault.
        var decisionLine = 0
        var decisionStart = 0
        var minted = false
        if let key = facts.stepKey {
            // A step no record named before: an entry without a decision (line 0), executed.
            let joined = steps.modify(key) { step, _ in
                step.executed = true
                return step
            }
            let (allowed, line) = (joined.allowed, joined.line)
            decisionLine = line
            decisionStart = joined.lineStart
            minted = joined.minted
            if !allowed {
                let latest = line == 0 ? "without an allowing decision before it" : "although its latest decision (line \(line)) does not allow it"
                findings.append(AuditFinding(kind: .unauthorizedExecution, seq: seq, line: lineNumber,
                                             plan: plan, step: step,
                                             message: "line \(lineNumber): step \"\(step ?? "")\" of plan \"\(plan ?? "")\" was executed \(latest)"))
            }
            let differs = facts.prints.mismatch(joined.prints)
            if differs != 0 {
                let decided = line == 0 ? "its credential was minted for" : "was decided for it (latest decision: line \(line))"
                findings.append(AuditFinding(kind: .formMismatch, seq: seq, line: lineNumber, relatedLine: line == 0 ? nil : line,
                                             plan: plan, step: step,
                                             message: "line \(lineNumber): step \"\(step ?? "")\" of plan \"\(plan ?? "")\" was executed in another form than \(decided): its \(FormPrints.names(differs)) differs"))
            }
            if joined.ordered {
                let held = (line: joined.line, start: joined.lineStart)
                let decision = orderedElsewhere.isEmpty ? held : orderedElsewhere[key] ?? held
                let waited = unexecutedPrerequisites(decidedAt: decision.start,
                                                     offsets: decision.start == held.start ? joined.orderOffsets : OrderOffsets())
                if !waited.isEmpty {
                    let names = waited.map { "\"\($0)\"" }.joined(separator: ", ")
                    findings.append(AuditFinding(kind: .outOfOrder, seq: seq, line: lineNumber, relatedLine: decision.line,
                                                 plan: plan, step: step,
                                                 message: "line \(lineNumber): step \"\(step ?? "")\" of plan \"\(plan ?? "")\" was executed before \(names) had been, which its plan runs it after (decision on line \(decision.line))"))
                }
            }
        } else {
            findings.append(AuditFinding(kind: .unauthorizedExecution, seq: seq, line: lineNumber,
                                         message: "line \(lineNumber): an execution that names no plan and step"))
        }
        guard let key = facts.jtiKey else {
            if let stepKey = facts.stepKey {
                joinWithoutCredential(stepKey, decision: (decisionLine, decisionStart), minted: minted, seq: seq, lineNumber: lineNumber, line: line)
            }
            return
        }
        // What was known before this use; the table keeps the first use.
        let credential = credentials.modify(key) { credential, _ in
            let before = credential
            if credential.usedLine == 0 { credential.usedLine = lineNumber }
            return before
        }
        if credential.usedLine != 0 {
            findings.append(AuditFinding(kind: .replayedCredential, seq: seq, line: lineNumber, relatedLine: credential.usedLine,
                                         plan: plan, step: step, jti: jti,
                                         message: "line \(lineNumber): credential \"\(jti ?? "")\" used again (first used on line \(credential.usedLine)): replay"))
        }
        if credential.revokedLine != 0 {
            findings.append(AuditFinding(kind: .revokedCredential, seq: seq, line: lineNumber, relatedLine: credential.revokedLine,
                                         plan: plan, step: step, jti: jti,
                                         message: "line \(lineNumber): credential \"\(jti ?? "")\" used after its revocation on line \(credential.revokedLine)"))
        }
        guard credential.mintLine != 0 else {
            findings.append(AuditFinding(kind: .unknownCredential, seq: seq, line: lineNumber,
                                         plan: plan, step: step, jti: jti,
                                         message: "line \(lineNumber): credential \"\(jti ?? "")\" was never minted in this log"))
            return
        }
        if let key = facts.stepKey, credential.step != key {
            findings.append(AuditFinding(kind: .misboundCredential, seq: seq, line: lineNumber, relatedLine: credential.mintLine,
                                         plan: plan, step: step, jti: jti,
                                         message: "line \(lineNumber): credential \"\(jti ?? "")\" was minted for another step (line \(credential.mintLine)), not step \"\(step ?? "")\" of plan \"\(plan ?? "")\""))
        } else if decisionLine > credential.mintLine {
            findings.append(AuditFinding(kind: .misboundCredential, seq: seq, line: lineNumber, relatedLine: credential.mintLine,
                                         plan: plan, step: step, jti: jti,
                                         message: "line \(lineNumber): credential \"\(jti ?? "")\" was minted (line \(credential.mintLine)) before the step's latest decision (line \(decisionLine))"))
        } else if credential.mismatch != 0 {
            let what = credential.mismatch & 1 != 0 ? "another plan under the same id, or another decided form" : "another decided form"
            findings.append(AuditFinding(kind: .misboundCredential, seq: seq, line: lineNumber, relatedLine: credential.mintLine,
                                         plan: plan, step: step, jti: jti,
                                         message: "line \(lineNumber): credential \"\(jti ?? "")\" was minted (line \(credential.mintLine)) for \(what) than the step's latest decision (line \(decisionLine)) states: its \(FormPrints.names(credential.mismatch)) differs"))
        }
        if credential.expiry != .min, let time = facts.time, time > credential.expiry {
            findings.append(AuditFinding(kind: .expiredCredential, seq: seq, line: lineNumber, relatedLine: credential.mintLine,
                                         plan: plan, step: step, jti: jti,
                                         message: "line \(lineNumber): credential \"\(jti ?? "")\" used \(Self.duration(time - credential.expiry)) after it expired (minted on line \(credential.mintLine))"))
        }
    }

    /// An execution that names no credential. Only a gate call's execution may: it carries the
    /// gate's `host` member, and its step (the session and the host's `tool_use_id`) was last
    /// decided by the gate, for the same host, whose decision then binds it. Which of the two it
    /// is comes from the records' own members, never from what is missing: an execution
    /// without `host` is a plan's and needs its credential, and one that claims to be a gate
    /// call's without the gate's decision of that call is not joined to anything.
    private mutating func joinWithoutCredential(_ key: JoinKey, decision latest: (line: Int, start: Int), minted: Bool, seq: Int, lineNumber: Int,
                                                line: UnsafeRawBufferPointer) {
        // The texts are read again only for a finding, as in `joinExecution`.
        func name(_ path: KeyPath<ScannedRecord, ByteSpan?>) -> String {
            (try? RecordScanner.scan(line)).flatMap { $0[keyPath: path] }.map { RecordScanner.string($0, in: line) } ?? ""
        }
        guard let host = RecordScanner.topLevelString("host", in: line) else {
            let (plan, step) = (name(\.plan), name(\.step))
            let why = minted
                ? "although one was minted for it"
                : "which an execution of a plan's step must name (only a gate call's execution, bound to the gate's decision of the call, runs without one)"
            findings.append(AuditFinding(kind: .missingCredential, seq: seq, line: lineNumber, plan: plan, step: step,
                                         message: "line \(lineNumber): step \"\(step)\" of plan \"\(plan)\" was executed without naming a credential (jti), \(why)"))
            return
        }
        let released = approvedDecisions.isEmpty ? nil : approvedDecisions[key]
        let decision = released ?? latest
        var decidedHost: String? = nil
        var unreleased: String? = nil
        if decision.line != 0 {
            // Both lines are canonical records: the same text is the same bytes.
            let decided = self.line(startingAt: decision.start)
            // Its members are read as every reader reads them; only `host`, which the joins
            // need for gate calls alone, is looked up apart.
            let record = try? RecordScanner.scan(decided)
            if let kind = record?.kind, decided[kind.start..<kind.end].elementsEqual("decision".utf8),
               let span = RecordScanner.topLevelString("host", in: decided) {
                if decided[span.start..<span.end].elementsEqual(line[host.start..<host.end]) {
                    // An approval after the gate's decision releases only a call that decision
                    // held (or let run): one it denied stays denied whatever approval follows.
                    guard released != nil else { return }
                    let text = record?.outcome.map { RecordScanner.string($0, in: decided) } ?? ""
                    if RunningOutcomes.decisionRuns(text) || text == "approve" || text == RunningOutcomes.approval { return }
                    unreleased = text
                } else {
                    decidedHost = RecordScanner.string(span, in: decided)
                }
            }
        }
        let hostName = RecordScanner.string(host, in: line)
        let (plan, step) = (name(\.plan), name(\.step))
        let claim = "line \(lineNumber): an execution without a credential (jti) claims to be gate call \"\(step)\" of session \"\(plan)\" (host \"\(hostName)\")"
        guard decision.line != 0 else {
            findings.append(AuditFinding(kind: .unjoinedExecution, seq: seq, line: lineNumber, plan: plan, step: step,
                                         message: claim + ", but no decision of that call came before it"))
            return
        }
        let why = unreleased.map { "the gate's decision of that call was \"\($0)\": it held nothing an approval after it could release" }
            ?? decidedHost.map { "the gate decided that call for host \"\($0)\"" }
            ?? "its latest decision is not a gate decision: an execution of a plan's step names its credential"
        findings.append(AuditFinding(kind: .unjoinedExecution, seq: seq, line: lineNumber, relatedLine: decision.line, plan: plan, step: step,
                                     message: claim + ", but \(why) (line \(decision.line))"))
    }

    /// The steps named in the `after` of the decision whose line starts at `start` that no
    /// execution of the same plan has come before (in the order named). With the decision's
    /// `offsets` only its `after` and `plan` are read; without them the line is scanned.
    private func unexecutedPrerequisites(decidedAt start: Int, offsets: OrderOffsets) -> [String] {
        let line: UnsafeRawBufferPointer, plan: ByteSpan, after: ByteSpan
        if let (afterStart, planStart) = offsets.offsets {
            // The line was scanned as a canonical record when it was joined: `plan` is a string
            // and `after` an array of strings, without whitespace.
            line = UnsafeRawBufferPointer(rebasing: self.bytes[start...])
            plan = ByteSpan(start: planStart, end: RecordScanner.stringEnd(from: planStart, in: line), escaped: false)
            var end = afterStart
            while line[end] == UInt8(ascii: "\"") {
                end = RecordScanner.stringEnd(from: end + 1, in: line) + 1
                if line[end] == UInt8(ascii: ",") { end += 1 }
            }
            after = ByteSpan(start: afterStart, end: end, escaped: false)
        } else {
            line = self.line(startingAt: start)
            guard let record = try? RecordScanner.scan(line), let span = record.plan, let array = record.after else { return [] }
            (plan, after) = (span, array)
        }
        func bytes(_ span: ByteSpan) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: line[span.start..<span.end]) }
        return RecordScanner.strings(in: after, of: line).compactMap { prerequisite in
            steps.find(JoinKey(bytes(plan), bytes(prerequisite)))?.executed == true ? nil : RecordScanner.string(prerequisite, in: line)
        }
    }

    /// The line of the log that starts at `start`, without its newline.
    private func line(startingAt start: Int) -> UnsafeRawBufferPointer {
        let rest = bytes.count - start
        let end = memchr(bytes.baseAddress! + start, 0x0A, rest).map { $0 - UnsafeMutableRawPointer(mutating: bytes.baseAddress!) } ?? bytes.count
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    private mutating func finishJoins() {
        // Slot order is arbitrary; the report sorts findings by line.
        for state in steps.entries(where: { $0.allowed && !$0.executed }) {
            let line = self.line(startingAt: state.lineStart)
            let record = try? RecordScanner.scan(line)
            let plan = record.flatMap { text($0.plan, line) }
            let step = record.flatMap { text($0.step, line) }
            findings.append(AuditFinding(kind: .aborted, severity: .notice, seq: record?.seq, line: state.line,
                                         plan: plan, step: step,
                                         message: "line \(state.line): step \"\(step ?? "")\" of plan \"\(plan ?? "")\" was allowed but never executed (aborted)"))
        }
    }

    static func duration(_ ms: Int64) -> String {
        if ms < 1000 { return "\(ms)ms" }
        let seconds = ms / 1000
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m\(seconds % 60)s" }
        return "\(seconds / 3600)h\(seconds / 60 % 60)m"
    }
}

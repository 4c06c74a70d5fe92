#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Basics
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of a log with everything that can be known about it alone.
///
/// Flat and small (208 bytes): one is written per line by a worker and read by the reader.
struct PreparedLine: Sendable {
    /// Offset of the line's first byte.
    var start: Int
    /// Offset just past the line's last byte: its newline, or the end of the file.
    var end: Int
    /// The line's leaf hash.
    var hash: Digest32
    /// The decoded `prev` of the record; zero when the line is not one (see `isRecord`).
    var prev: Digest32
    /// The record's `seq`; -1 when the line is not a record with a `seq` and a plain hex `prev`.
    var seq: Int
    /// The record's `time` in milliseconds since the epoch; `Int64.min` when it has none that reads.
    var time: Int64
    /// What the joins need from the record.
    var facts: JoinFacts
    /// What the session chain needs from it.
    var session: SessionLink
    /// Whether a newline ends the line (only a torn final line has none).
    var terminated: Bool

    var isRecord: Bool { seq >= 0 }
}

/// Splits a log into lines, hashes and scans them, window by window and ahead of the reader.
///
/// Hashing and scanning a line need nothing from any other line, and they are most of the work
/// of a verification; the chain, the tree and the joins need the lines in order. So the bytes
/// are cut into fixed windows (a line belongs to the window it starts in), spare cores prepare
/// the windows in order a bounded distance ahead, and the reader takes them in order, preparing
/// a window itself when no one has started it. With one core it is the plain sequential pass.
final class LinePreparation<Hasher: MerkleHasher>: @unchecked Sendable {
    /// Bytes per window by default: large enough that handing a window over costs nothing next
    /// to preparing it, small enough that the windows ahead stay a few megabytes.
    static var defaultWindowSize: Int { 1 << 20 }

    /// Spare cores, the default number of workers.
    static var defaultWorkers: Int { ProcessInfo.processInfo.activeProcessorCount - 1 }

    /// How many windows there are.
    let windowCount: Int
    private let windowSize: Int

    // The log is read-only while it is being verified (the caller holds a shared lock and a
    // map of it), so the workers read it without synchronisation.
    private let base: UnsafeRawPointer?
    private let count: Int
    private let from: Int
    private let hasher: Hasher
    private let lookahead: Int

    private let condition = ThreadCondition()
    private var results: [[PreparedLine]?]
    /// Buffers the reader is done with, reused so that each window does not take fresh memory.
    private var spare: [[PreparedLine]] = []
    /// Windows below this index have been claimed, by a worker or by the reader.
    private var nextUnclaimed = 0
    /// Windows below this index have been taken by the reader.
    private var taken = 0
    private var stopped = false
    private let workers = DispatchGroup()

    /// Starts preparing the lines of `bytes` from offset `from` (the start of a line).
    init(bytes: UnsafeRawBufferPointer, from: Int, hasher: Hasher,
         windowSize: Int = defaultWindowSize, workers requested: Int = defaultWorkers) {
        base = UnsafeRawPointer(bytes.baseAddress)
        count = bytes.count
        self.from = from
        self.hasher = hasher
        let size = max(1, windowSize)
        self.windowSize = size
        let remaining = base != nil ? max(0, count - from) : 0
        windowCount = remaining / size + (remaining % size == 0 ? 0 : 1)
        results = Array(repeating: nil, count: windowCount)
        let workerCount = max(0, min(requested, 7, windowCount - 1))
        lookahead = 4 * (workerCount + 1)
        for _ in 0..<workerCount {
            DispatchQueue.global().async(group: workers) { self.work() }
        }
    }

    /// The lines of window `index`; windows must be taken in order, each once.
    ///
    /// While the window is not ready the reader prepares windows itself (this one if no one
    /// has claimed it, else the next unclaimed one) rather than wait, so all threads stay busy
    /// whichever side is slower.
    func take(_ index: Int) -> [PreparedLine] {
        condition.lock()
        while results[index] == nil {
            if index >= nextUnclaimed {
                nextUnclaimed = index + 1
                prepareClaimed(index)
            } else if nextUnclaimed < windowCount && nextUnclaimed < index + lookahead {
                nextUnclaimed += 1
                prepareClaimed(nextUnclaimed - 1)
            } else {
                condition.wait()
            }
        }
        let lines = results[index]!
        results[index] = nil
        taken = index + 1
        condition.broadcast()
        condition.unlock()
        return lines
    }

    /// Hands back the buffer of a window the reader is done with, for a later window to reuse.
    func recycle(_ lines: consuming [PreparedLine]) {
        condition.lock()
        if spare.count < lookahead + 2 { spare.append(lines) }
        condition.unlock()
    }

    /// Stops the workers and waits for them: after this the bytes may go away.
    func finish() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        workers.wait()
    }

    private func work() {
        condition.lock()
        defer { condition.unlock() }
        while true {
            while !stopped && nextUnclaimed < windowCount && nextUnclaimed >= taken + lookahead {
                condition.wait()
            }
            guard !stopped && nextUnclaimed < windowCount else { return }
            nextUnclaimed += 1
            prepareClaimed(nextUnclaimed - 1)
        }
    }

    /// Prepares a window this thread has claimed and hands it over. Called, and returns, with
    /// the lock held; the lock is released while the window is prepared.
    private func prepareClaimed(_ index: Int) {
        var lines = spare.popLast() ?? []
        condition.unlock()
        prepare(index, into: &lines)
        condition.lock()
        results[index] = lines
        condition.broadcast()
    }

    /// Puts the lines that start in window `index` in `lines`, replacing what it held.
    private func prepare(_ index: Int, into lines: inout [PreparedLine]) {
        lines.removeAll(keepingCapacity: true)
        guard let base else { return }
        let windowStart = from + index * windowSize
        let windowEnd = windowSize >= count - windowStart ? count : windowStart + windowSize
        var position = windowStart
        if index > 0 {
            // The window's first line starts after the first newline at or after the byte
            // before it; the line that newline ends belongs to an earlier window.
            guard let newline = memchr(base + windowStart - 1, 0x0A, count - windowStart + 1) else { return }
            position = UnsafeRawPointer(newline) - base + 1
        }
        // Room for records of a few hundred bytes without regrowing the array.
        lines.reserveCapacity((windowEnd - position) / 192 + 1)
        // Lines are hashed two at a time where the window has two left, which the hasher may
        // do faster than one after the other. Each line is scanned into the same record.
        var record = ScannedRecord()
        while position < windowEnd {
            let newline = memchr(base + position, 0x0A, count - position)
            let end = newline.map { UnsafeRawPointer($0) - base } ?? count
            let line = UnsafeRawBufferPointer(start: base + position, count: end - position)
            guard newline != nil, end + 1 < windowEnd else {
                appendLine(line, start: position, terminated: newline != nil, hash: hasher.hashLeaf(line), record: &record, to: &lines)
                position = end + 1
                continue
            }
            let nextStart = end + 1
            let nextNewline = memchr(base + nextStart, 0x0A, count - nextStart)
            let nextEnd = nextNewline.map { UnsafeRawPointer($0) - base } ?? count
            let next = UnsafeRawBufferPointer(start: base + nextStart, count: nextEnd - nextStart)
            let (hash, nextHash) = hasher.hashLeaves(line, next)
            appendLine(line, start: position, terminated: true, hash: hash, record: &record, to: &lines)
            appendLine(next, start: nextStart, terminated: nextNewline != nil, hash: nextHash, record: &record, to: &lines)
            position = nextEnd + 1
        }
    }

    /// Appends the prepared line at `start`, which is `line`, whose hash is `hash`, to `lines`;
    /// `record` is where the line is scanned. Record and prepared line are a few hundred bytes
    /// each: scanned in place and built in the append, neither is copied on the way (copies
    /// were 8 % of the CPU time of verification, `perf`).
    @inline(never)
    private func appendLine(_ line: UnsafeRawBufferPointer, start: Int, terminated: Bool, hash: Digest32,
                            record: inout ScannedRecord, to lines: inout [PreparedLine]) {
        let end = start + line.count
        guard RecordScanner.scan(line, into: &record), let seq = record.seq, let prev = record.prev?.digest(in: line)
        else {
            lines.append(PreparedLine(start: start, end: end, hash: hash, prev: .zero, seq: -1, time: .min, facts: .none, session: SessionLink(),
                                      terminated: terminated))
            return
        }
        let time = record.time.flatMap { Timestamp.parse(UnsafeRawBufferPointer(rebasing: line[$0.start..<$0.end])) }
        lines.append(PreparedLine(start: start, end: end, hash: hash, prev: prev, seq: seq, time: time ?? .min,
                                  facts: JoinFacts(record, line: line, time: time), session: SessionLink(record, line: line), terminated: terminated))
    }
}

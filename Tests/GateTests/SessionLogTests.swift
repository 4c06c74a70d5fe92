import AuditLog
import Foundation
import JSONValue
import ProcessSupport
import Testing
@testable import Gate

/// The per-session index: it says where a session's records are, the log says what they are.
struct SessionLogTests {
    func decision(_ plan: String, _ step: String, _ outcome: String = "allow") -> JSONValue {
        ["kind": "decision", "plan": .string(plan), "step": .string(step), "action": "fs.read", "resource": "File::\"/x\"",
         "outcome": .string(outcome)]
    }

    /// Reads session `a` under the lock and appends `events`, as the gate does.
    func readThenAppend(_ log: String, _ events: [JSONValue]) throws -> [String] {
        try read(log, then: events).steps
    }

    /// The steps of session `a` and whether its index was used, appending `events` after.
    func read(_ log: String, then events: [JSONValue] = []) throws -> (steps: [String], indexed: Bool) {
        try AuditLog.withLock(path: log, timeoutMilliseconds: 1000) { locked in
            let session = SessionLog(log: locked, session: "a")
            let state = try session.read()
            if !events.isEmpty { _ = try session.append(events, after: state, now: nil) }
            return (SessionLog.calls(try session.records(state)).map(\.step), state.indexed)
        }
    }

    /// The index of session `a` beside `log`: where it is, and what it says.
    func index(_ log: String) throws -> (path: String, index: SessionLog.Index) {
        let path = try AuditLog.withLock(path: log, timeoutMilliseconds: 1000) { SessionLog(log: $0, session: "a").indexPath }
        return (path, try #require(SessionLog.Index.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), session: "a")))
    }

    func temporaryLog() throws -> (URL, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory, directory.appendingPathComponent("audit.log").path)
    }

    /// A held call that signed approvals released later is one call that ran (it enters the
    /// session's history), no longer waits, and answers to the retry's host id.
    @Test func aReleasedHeldCallRanUnderTheRetrysId() {
        let calls = SessionLog.calls([
            ["kind": "decision", "step": "c1", "outcome": "approve", "action": "fs.write", "resource": "File::\"/x\""],
            ["kind": "decision", "step": "c2", "outcome": "approve", "action": "fs.write", "resource": "File::\"/x\""],
            ["kind": "decision", "step": "c1", "outcome": "approved", "host_call_id": "c3"],
        ])
        #expect(calls.map(\.step) == ["c1", "c2"])
        #expect(calls[0].released && calls[0].ran && !calls[0].isOpen && calls[0].hostCalls == ["c3"])
        #expect(!calls[1].released && !calls[1].ran && calls[1].isOpen)
        // A second decision of a step that is not a release changes nothing.
        let again = SessionLog.calls([
            ["kind": "decision", "step": "c1", "outcome": "approve"], ["kind": "decision", "step": "c1", "outcome": "allow"],
        ])
        #expect(again.count == 1 && again[0].isOpen && !again[0].ran)
    }

    @Test func indexFollowsTheLogAndIsRebuiltWhenItDisagrees() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        try AuditLog.append(events: [decision("b", "b1"), decision("a", "a1"), decision("b", "b2")], to: log)
        #expect(try readThenAppend(log, [decision("a", "a2")]) == ["a1"])
        // Another writer appends after the index was written.
        try AuditLog.append(events: [decision("b", "b3"), decision("a", "a3")], to: log)
        #expect(try readThenAppend(log, [decision("a", "a4")]) == ["a1", "a2", "a3"])

        let indexDirectory = log + ".sessions"
        let indexFile = try #require(try FileManager.default.contentsOfDirectory(atPath: indexDirectory).first)
        let indexPath = indexDirectory + "/" + indexFile
        let good = try #require(SessionLog.Index.decode(Array(try Data(contentsOf: URL(fileURLWithPath: indexPath))), session: "a"))
        #expect(good.lines.count == 4)
        let all = ["a1", "a2", "a3", "a4"]
        func install(_ index: SessionLog.Index, session: String = "a") throws {
            try Data(index.encoded(session: session)).write(to: URL(fileURLWithPath: indexPath))
        }

        // The index as written is used, and gives the log's answer.
        #expect(try readThenAppend(log, []) == all)
        // Lines that do not hold the session's records: the log is read again.
        var wrong = good
        let firstLine = try #require(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").first)
        wrong.lines.insert(0..<(firstLine.utf8.count + 1), at: 0)
        try install(wrong)
        #expect(try readThenAppend(log, []) == all)
        // A range that is not a whole line: one byte off at either end, or two lines in one.
        for damage in [{ (r: Range<Int>) in (r.lowerBound + 1)..<r.upperBound }, { r in r.lowerBound..<(r.upperBound - 1) },
                       { r in (r.lowerBound - 1)..<r.upperBound }, { r in r.lowerBound..<(r.upperBound + 1) }] {
            var shifted = good
            shifted.lines[1] = damage(shifted.lines[1])
            try install(shifted)
            #expect(try readThenAppend(log, []) == all)
        }
        // Lines out of order, twice, or past the length the index covers.
        var reordered = good
        reordered.lines.swapAt(0, 1)
        try install(reordered)
        #expect(try readThenAppend(log, []) == all)
        var twice = good
        twice.lines.insert(good.lines[0], at: 0)
        try install(twice)
        #expect(try readThenAppend(log, []) == all)
        var shorter = good
        shorter.end = good.lines[2].upperBound
        try install(shorter)
        #expect(try readThenAppend(log, []) == all)
        // An index whose last record is not the log's, or another session's index.
        var otherHash = good
        otherHash.hash[0] ^= 1
        try install(otherHash)
        #expect(try readThenAppend(log, []) == all)
        try install(good, session: "b")
        #expect(try readThenAppend(log, []) == all)
        // Garbage, a truncated index, or no index at all.
        try "not an index".write(toFile: indexPath, atomically: true, encoding: .utf8)
        #expect(try readThenAppend(log, []) == all)
        try Data(good.encoded(session: "a").dropLast()).write(to: URL(fileURLWithPath: indexPath))
        #expect(try readThenAppend(log, []) == all)
        try FileManager.default.removeItem(atPath: indexPath)
        #expect(try readThenAppend(log, [decision("a", "a5")]) == all)
        #expect(try readThenAppend(log, []) == all + ["a5"])
        #expect(SessionLog.Index.decode(Array(try Data(contentsOf: URL(fileURLWithPath: indexPath))), session: "a")?.lines.count == 5)
    }

    /// The index cannot leave out a record of the session: the records it lists chain by
    /// `session_prev`, so one left out between two of them makes the gate read the log again,
    /// and the last one it lists ends what it covers, so one left out after them is in the part
    /// of the log scanned every time. Either way the history is whole.
    @Test func anIndexThatLeavesOutARecordIsNotTrusted() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        for step in ["a1", "a2", "a3", "a4"] {
            _ = try read(log, then: [decision("a", step)])
            try AuditLog.append(events: [decision("b", "b-" + step)], to: log)
        }
        let all = ["a1", "a2", "a3", "a4"]
        #expect(try read(log) == (all, true))
        // Each record the gate wrote names the hash of the session's record before it.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let ours = lines.filter { $0.contains(#""plan":"a""#) }
        #expect(ours[0].contains(#""session_prev":"\#(AuditLog.genesis.hex)""#))
        for (earlier, later) in zip(ours, ours.dropFirst()) {
            #expect(later.contains(#""session_prev":"\#(AuditLog.hash(line: Array(earlier.utf8)).hex)""#))
        }
        let (path, good) = try index(log)
        func install(_ index: SessionLog.Index) throws { try Data(index.encoded(session: "a")).write(to: URL(fileURLWithPath: path)) }

        // A record in the middle left out: the chain breaks, the log is read again.
        var middle = good
        middle.lines.remove(at: 1)
        try install(middle)
        #expect(try read(log) == (all, false))
        // The first left out: the first listed does not name the genesis value.
        var first = good
        first.lines.remove(at: 0)
        try install(first)
        #expect(try read(log) == (all, false))
        // The last left out, the covered length kept: the index no longer ends on its last line.
        var last = good
        last.lines.removeLast()
        try install(last)
        #expect(try read(log) == (all, false))
        // The last left out and the covered length cut back to the line before, with that line's
        // hash: the index is used, and the scan from there finds the record.
        let previous = good.lines[good.lines.count - 2]
        let text = Array(try Data(contentsOf: URL(fileURLWithPath: log)))
        last.end = previous.upperBound
        last.hash = AuditLog.hash(line: text[previous.lowerBound..<(previous.upperBound - 1)]).bytes
        try install(last)
        #expect(try read(log) == (all, true))
        // A record of the session that does not chain (an older writer) is read by the scan after
        // the covered length, and enters the snapshot the next append vouches for.
        try install(good)
        try AuditLog.append(events: [decision("a", "a5")], to: log)
        #expect(try read(log, then: [decision("a", "a6")]) == (all + ["a5"], true))
        #expect(try read(log) == (all + ["a5", "a6"], true))
        // Without the snapshot the ranges are read, and that record breaks their chain: the log is
        // read again.
        var (_, ranges) = try index(log)
        ranges.snapshot = nil
        try install(ranges)
        #expect(try read(log) == (all + ["a5", "a6"], false))
    }

    /// The snapshot is the history the gate read, and the log vouches for it only through the
    /// records of the last append: an earlier record of the session changed in place later (same
    /// length) is read as the gate read it, while a change to a record of the last append (its
    /// hash no longer the index's) has the log read again, as it now is.
    @Test func theSnapshotHoldsWhatTheGateRead() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        try AuditLog.append(events: [decision("b", "b1"), decision("a", "a1", "deny"), decision("b", "b2")], to: log)
        #expect(try readThenAppend(log, [decision("a", "a2")]) == ["a1"])
        func outcomes() throws -> ([String], fromSnapshot: Bool) {
            try AuditLog.withLock(path: log, timeoutMilliseconds: 1000) { locked in
                let reader = SessionLog(log: locked, session: "a")
                let state = try reader.read()
                return (SessionLog.calls(try reader.records(state)).map(\.outcome), !state.linesRead)
            }
        }
        #expect(try outcomes() == (["deny", "allow"], true))
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let changed = text.replacingOccurrences(of: "\"outcome\":\"deny\"", with: "\"outcome\":\"warn\"")
        try changed.write(toFile: log, atomically: false, encoding: .utf8)
        #expect(try outcomes() == (["deny", "allow"], true))
        try changed.replacingOccurrences(of: "\"outcome\":\"allow\",\"plan\":\"a\"", with: "\"outcome\":\"alloW\",\"plan\":\"a\"")
            .write(toFile: log, atomically: false, encoding: .utf8)
        #expect(try outcomes() == (["warn", "alloW"], false))
    }

    /// A snapshot that is not the one the log vouches for (a record changed in it, or another
    /// session's), or an index that leaves out the first record of the last append, is not used:
    /// the history is read from the lines instead, as the log has it.
    @Test func aSnapshotTheLogDoesNotVouchForIsNotUsed() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try read(log, then: [decision("a", "a1", "deny")])
        try AuditLog.append(events: [decision("b", "b1")], to: log)
        // The last append holds two records: a decision and its execution.
        _ = try read(log, then: [decision("a", "a2"), ["kind": "execution", "plan": "a", "step": "a2"]])
        let (path, good) = try index(log)
        #expect(good.snapshot?.count == 1 && good.lines.count == 3)
        func install(_ index: SessionLog.Index) throws { try Data(index.encoded(session: "a")).write(to: URL(fileURLWithPath: path)) }
        func state() throws -> (outcomes: [String], executed: [Bool], fromSnapshot: Bool) {
            try AuditLog.withLock(path: log, timeoutMilliseconds: 1000) { locked in
                let reader = SessionLog(log: locked, session: "a")
                let state = try reader.read()
                let calls = SessionLog.calls(try reader.records(state))
                return (calls.map(\.outcome), calls.map(\.executed), !state.linesRead)
            }
        }
        #expect(try state() == (["deny", "allow"], [false, true], true))

        // The denial rewritten as an allow in the snapshot.
        var forged = good
        var records = try #require(good.snapshot.flatMap { HistoryEncoding.decode($0.bytes, count: 1) }?.records)
        records[0].outcome = "allow"
        forged.snapshot?.bytes = HistoryEncoding(records).bytes[...]
        try install(forged)
        #expect(try state() == (["deny", "allow"], [false, true], false))
        // The snapshot with the hash of another record as its last.
        var otherLast = good
        otherLast.snapshot?.last = AuditLog.genesis
        try install(otherLast)
        #expect(try state() == (["deny", "allow"], [false, true], false))
        // An index that names another hash for the record it ends on.
        var otherEnd = good
        otherEnd.hash[0] ^= 1
        try install(otherEnd)
        #expect(try state() == (["deny", "allow"], [false, true], false))
        // The decision of the last append left out: its execution alone names the snapshot, but
        // does not chain from it.
        var hidden = good
        hidden.lines.remove(at: 1)
        try install(hidden)
        #expect(try state() == (["deny", "allow"], [false, true], false))
        // Snapshot bytes that are not records, or fewer records than it says.
        var garbage = good
        garbage.snapshot?.bytes = [9, 9, 9]
        try install(garbage)
        #expect(try state() == (["deny", "allow"], [false, true], false))
        var short = good
        short.snapshot?.count = 0
        try install(short)
        #expect(try state() == (["deny", "allow"], [false, true], false))
        try install(good)
        #expect(try state() == (["deny", "allow"], [false, true], true))
    }

    /// The ranges of a history read from the snapshot are checked before a whole record is read
    /// from them: ranges that do not hold the snapshot's records stop the call, and the index is
    /// removed so that the next call reads the log.
    @Test func rangesAreCheckedBeforeRecordsAreReadFromThem() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        for step in ["a1", "a2", "a3"] {
            _ = try read(log, then: [decision("a", step)])
            try AuditLog.append(events: [decision("b", "b-" + step)], to: log)
        }
        _ = try read(log, then: [decision("a", "a4")])
        let (path, good) = try index(log)
        func check() throws -> Bool {
            try AuditLog.withLock(path: log, timeoutMilliseconds: 1000) { locked in
                let reader = SessionLog(log: locked, session: "a")
                let state = try reader.read()
                #expect(!state.linesRead)
                do {
                    let read = try reader.verified(state)
                    let first = try reader.object(read, 0)
                    return read.linesRead && first?["step"]?.stringValue == "a1"
                } catch {
                    return false
                }
            }
        }
        #expect(try check())
        // The first range moved to the next line, another session's record.
        var moved = good
        moved.lines[0] = good.lines[0].upperBound..<good.lines[1].lowerBound
        try Data(moved.encoded(session: "a")).write(to: URL(fileURLWithPath: path))
        #expect(try check() == false)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try read(log) == (["a1", "a2", "a3", "a4"], false))
    }

    /// The index is written in place, but never through a link planted at its name: the file a
    /// hard or symbolic link names keeps its bytes, and the index is made anew beside it.
    @Test(arguments: ["hard", "symbolic", "fifo"])
    func theIndexIsNeverWrittenThroughALink(kind: String) throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try read(log, then: [decision("a", "a1")])
        let (path, _) = try index(log)
        let victim = directory.appendingPathComponent("victim.txt").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.removeItem(atPath: path)
        if kind == "hard" {
            try FileManager.default.linkItem(atPath: victim, toPath: path)
        } else if kind == "fifo" {
            // Opened for writing without a reader, a FIFO would block the call.
            #expect(mkfifo(path, 0o644) == 0)
        } else {
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        }
        #expect(try read(log, then: [decision("a", "a2")]).steps == ["a1"])
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect((attributes[.referenceCount] as? NSNumber)?.intValue == 1)
        #expect(try read(log) == (["a1", "a2"], true))
        // Written over in place from then on, shorter or longer, it reads back whole.
        _ = try read(log, then: [decision("a", "a3"), decision("a", "a4")])
        #expect(try index(log).index.lines.count == 4)
        #expect(try read(log) == (["a1", "a2", "a3", "a4"], true))
    }

    /// No appender but the gate's own writes what the index trusts: an event naming its own
    /// `session_prev` or `history_digest` is refused (else one forged record could vouch for an
    /// index with an empty history), whatever its plan; the gate's appends still carry both.
    @Test func onlyTheGateWritesWhatTheIndexTrusts() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try read(log, then: [decision("a", "a1")])
        for key in ["session_prev", "history_digest"] {
            var event = try #require(decision("a", "a2").objectValue)
            event[key] = .string(String(repeating: "0", count: 64))
            #expect(throws: AuditError.self) { try AuditLog.append(events: [.object(event)], to: log) }
            event["plan"] = "b"
            #expect(throws: AuditError.self) { try AuditLog.append(events: [.object(event)], to: log) }
        }
        _ = try read(log, then: [decision("a", "a2")])
        let last = try #require(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").last)
        #expect(last.contains("\"session_prev\":") && last.contains("\"history_digest\":"))
        #expect(try read(log) == (["a1", "a2"], true))
    }

    /// Whatever mix of records a session's log holds (the gate's appends of one to three
    /// records, other sessions', records of the session appended by other writers without a
    /// digest), the history read through the index is the one read from the whole log.
    @Test(arguments: [1, 2, 3, 4])
    func theHistoryThroughTheIndexIsTheLogs(seed: UInt64) throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SplitMix(seed: seed)
        let kinds = ["decision", "mutation", "approval", "execution"]
        let outcomes = ["allow", "deny", "approve", "approved", "warn", "mutate"]
        for n in 0..<60 {
            func event(_ plan: String) -> JSONValue {
                var members: [(String, JSONValue)] = [
                    ("kind", .string(kinds[Int(random.next() % 4)])), ("plan", .string(plan)),
                    // Two spellings of one character are two step ids, as they are two resources.
                    ("step", .string(["s\(random.next() % 12)", "s\u{e9}", "se\u{301}"][Int(random.next() % 3)])),
                    ("outcome", .string(outcomes[Int(random.next() % 6)])),
                    ("action", .string(["fs.read", "net.egress", "fs.write"][Int(random.next() % 3)])),
                    ("resource", .string(["File::\"/w/a\"", "Url::\"https://x\"", "File::\"/w/\u{e9}\"", "File::\"/w/e\u{301}\""][Int(random.next() % 4)])),
                ]
                if random.next() % 3 == 0 { members.append(("risk", .string(["low", "high"][Int(random.next() % 2)]))) }
                if random.next() % 2 == 0 { members.append(("principal", .string("Agent::\"p\(random.next() % 3)\""))) }
                if random.next() % 5 == 0 { members.append(("host_call_id", .string("h\(n)"))) }
                return .object(JSONObject(members))
            }
            switch random.next() % 5 {
            case 0: try AuditLog.append(events: [event("b")], to: log)
            case 1: try AuditLog.append(events: [event("a")], to: log)
            default:
                let batch = (0..<Int(1 + random.next() % 3)).map { _ in event("a") }
                _ = try read(log, then: batch)
            }
            let (throughIndex, records, history, gathered, whole) = try AuditLog.withLock(path: log, timeoutMilliseconds: 1000) { locked in
                let reader = SessionLog(log: locked, session: "a")
                let state = try reader.read()
                let deciding = try reader.read(gatheringHistory: true)
                // A snapshot read for a decision comes with the history gathered in its walk.
                #expect(deciding.history != nil || deciding.linesRead)
                return (
                    state, try reader.records(state), try reader.history(state), try reader.history(deciding),
                    try #require(try locked.records(ofPlan: "a", from: 0)))
            }
            func members(_ r: HistoryRecord) -> [String?] { [r.kind, r.step, r.outcome, r.principal, r.action, r.resource, r.inputDigest, r.risk, r.hostCallID] }
            #expect(records.map(members) == whole.records.map { members($0.record) }, "seed \(seed), event \(n)")
            // What a decision reads straight from the encoding is what the calls of the records say.
            let calls = SessionLog.calls(whole.records.map(\.record))
            #expect(history == SessionHistory(calls: calls), "seed \(seed), event \(n)")
            #expect(gathered == SessionHistory(calls: calls), "seed \(seed), event \(n)")
            #expect(SessionHistory(encoded: throughIndex.encoding.bytes, count: throughIndex.count) == SessionHistory(calls: calls))
            #expect(throughIndex.lines == whole.records.map { $0.offset..<$0.end })
            #expect(throughIndex.lastHash == (whole.lastHash ?? AuditLog.genesis))
        }
    }

    /// The encoding keeps every string's bytes (two spellings of one character stay two), names
    /// only earlier strings of members that repeat, and encodes a history's first records as a
    /// prefix of the whole.
    @Test func theEncodingKeepsBytesAndIsPrefixClosed() throws {
        let records: [HistoryRecord] = [
            ["kind": "decision", "step": "t1", "outcome": "allow", "resource": "File::\"/w/\u{e9}\""],
            ["kind": "decision", "step": "t1", "outcome": "allow", "resource": "File::\"/w/e\u{301}\"", "risk": "low"],
            ["kind": "execution", "step": "t2", "resource": "File::\"/w/\u{e9}\"", "host_call_id": "t1"],
        ]
        let whole = HistoryEncoding(records)
        let decoded = try #require(HistoryEncoding.decode(whole.bytes, count: 3))
        func bytes(_ r: HistoryRecord) -> [[UInt8]?] { [r.kind, r.step, r.outcome, r.resource, r.risk, r.hostCallID].map { $0.map { Array($0.utf8) } } }
        #expect(decoded.records.map(bytes) == records.map(bytes))
        #expect(whole.bytes.starts(with: HistoryEncoding(Array(records.prefix(2))).bytes))
        var continued = try #require(HistoryEncoding.decode(HistoryEncoding(Array(records.prefix(2))).bytes, count: 2)).encoding
        continued.append(records[2])
        #expect(continued.bytes == whole.bytes)
        #expect(HistoryEncoding.decode(whole.bytes, count: 2) == nil && HistoryEncoding.decode(whole.bytes, count: 4) == nil)
        // A history that ends on a record naming a string numbered beyond the bytes left.
        let many = (0..<40).map { n -> HistoryRecord in ["kind": "decision", "step": "t\(n)", "resource": "File::\"/w/\(n % 20)\""] }
        let tail: [HistoryRecord] = [["kind": "decision", "step": "u", "outcome": "allow", "resource": "File::\"/w/19\"", "risk": "low"]]
        #expect(HistoryEncoding.decode(HistoryEncoding(many + tail).bytes, count: 41)?.records.map(\.resource) == (many + tail).map(\.resource))
        #expect(whole.digest(after: AuditLog.genesis) != whole.digest(after: AuditLog.hash(line: Array("x".utf8))))
    }

    @Test func aLineThatIsNotARecordStopsTheRead() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        try AuditLog.append(events: [decision("a", "a1")], to: log)
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data("garbage\n".utf8))
        try handle.close()
        #expect(throws: GateError.self) { try readThenAppend(log, []) }
    }

    @Test func callsJoinDecisionsRewritesAndExecutions() {
        let records: [HistoryRecord] = [
            ["kind": "decision", "step": "t1", "outcome": "mutate", "action": "git.push", "resource": "Repo::\"r\""],
            ["kind": "mutation", "step": "t1", "outcome": "lease", "action": "git.push.lease", "resource": "Repo::\"r\""],
            ["kind": "decision", "step": "t2", "outcome": "approve", "action": "fs.write", "resource": "File::\"/w\""],
            ["kind": "decision", "step": "t3", "outcome": "deny", "action": "fs.delete", "resource": "File::\"/etc\""],
            ["kind": "approval", "step": "t2", "outcome": "approved"],
            ["kind": "execution", "step": "t2"],
        ]
        let calls = SessionLog.calls(records)
        #expect(calls.map(\.step) == ["t1", "t2", "t3"])
        #expect(calls.map(\.ran) == [true, true, false])
        #expect(calls[0].action == "git.push.lease")
    }

    /// A finished call without a host id joins the first unfinished identical call that was not
    /// denied: a denied call did not run.
    @Test func aCallWithoutAnIdJoinsTheIdenticalCallThatRan() throws {
        let (directory, log) = try temporaryLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = JSONObject([("command", "curl https://example.com")])
        let prefix = CallDigest.prefix(CallDigest.of(tool: "run_shell_command", input: input))
        try AuditLog.append(events: [decision("a", prefix + "1", "deny"), decision("a", prefix + "2", "allow")], to: log)
        let call = ToolCall(session: "a", toolUseID: "", tool: "run_shell_command", input: input, cwd: "/w")
        let locations = GateLocations(policies: "/unused", log: log, root: "/w")
        try Gate.record(call, result: ToolResult(succeeded: true, error: nil, interrupted: false), host: "gemini", locations: locations, options: GateOptions())
        try Gate.record(call, result: ToolResult(succeeded: true, error: nil, interrupted: false), host: "gemini", locations: locations, options: GateOptions())
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let executions = text.split(separator: "\n").filter { $0.contains("\"kind\":\"execution\"") }
        #expect(executions.count == 2)
        #expect(executions.first?.contains("\"step\":\"\(prefix)2\"") == true, "\(text)")
        // With the call that ran finished, the next report joins the only one left.
        #expect(executions.last?.contains("\"step\":\"\(prefix)1\"") == true, "\(text)")
    }
}

/// Records written as the dictionaries of members they hold.
extension HistoryRecord: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        let members = Dictionary(uniqueKeysWithValues: elements)
        self.init(
            kind: members["kind"], step: members["step"], outcome: members["outcome"], principal: members["principal"],
            action: members["action"], resource: members["resource"], inputDigest: members["input_digest"], risk: members["risk"],
            hostCallID: members["host_call_id"])
    }
}

/// The byte-string table the history walks use holds to a dictionary: every string found once
/// added, with its value, across growth from a small start, for strings of every length.
@Test(arguments: [1, 2, 3])
func theByteRangeTableHoldsToADictionary(seed: UInt64) {
    var random = SplitMix(seed: seed)
    var buffer: [UInt8] = []
    var ranges: [Range<Int>] = []
    for _ in 0..<3000 {
        // Few distinct strings of each short length, so many repeat.
        let length = Int(random.next() % 40)
        let start = buffer.count
        for _ in 0..<length { buffer.append(UInt8(random.next() % 3)) }
        ranges.append(start..<buffer.count)
    }
    buffer.withUnsafeBufferPointer { bytes in
        var table = ByteRangeTable(expected: 4)
        var model: [[UInt8]: Int32] = [:]
        for range in ranges {
            let key = Array(bytes[range])
            let found = table.find(range, in: bytes)
            #expect(found.value == model[key])
            if found.value == nil {
                model[key] = Int32(model.count)
                table.insert(range, value: Int32(model.count - 1), at: found.slot, in: bytes)
            }
            #expect(table.count == model.count)
        }
        for range in ranges { #expect(table.find(range, in: bytes).value == model[Array(bytes[range])]) }
    }
}

/// Step ids that differ only in their last digits (as hosts number their calls) spread over the
/// table: looking each of 4,000 up takes few probes, not a scan of a cluster.
@Test func numberedIdsSpreadOverTheTable() {
    let ids = (0..<4000).map { Array("toolu_earlier\($0)".utf8) }
    var buffer: [UInt8] = []
    var ranges: [Range<Int>] = []
    for id in ids {
        ranges.append(buffer.count..<(buffer.count + id.count))
        buffer += id
    }
    buffer.withUnsafeBufferPointer { bytes in
        var table = ByteRangeTable(expected: ids.count)
        for (n, range) in ranges.enumerated() {
            let found = table.find(range, in: bytes)
            table.insert(range, value: Int32(n), at: found.slot, in: bytes)
        }
        #expect(table.probes(for: ranges, in: bytes) < ranges.count * 2)
    }
}

extension SessionLog.Index {
    /// The index's bytes as the gate writes them (its two parts one after the other), for tests
    /// that install an index of their own.
    func encoded(session: String) -> [UInt8] {
        let (head, snapshot) = parts(session: session)
        return head + snapshot
    }
}

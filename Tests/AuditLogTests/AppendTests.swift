import Dispatch
import Foundation
import JSONValue
import Testing
@testable import AuditLog

/// A fresh directory under the system temporary directory, removed by the caller.
func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "stepguard-audit-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func event(_ kind: String, plan: String = "p1", step: String = "s1", _ extra: [(String, JSONValue)] = []) -> JSONValue {
    var pairs: [(String, JSONValue)] = [("kind", .string(kind)), ("plan", .string(plan)), ("step", .string(step))]
    pairs.append(contentsOf: extra)
    return .object(JSONObject(pairs))
}

func readLines(_ path: String) -> [String] {
    let text = try! String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

@Suite struct AppendTests {
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    @Test func appendFillsSeqTimePrevCanonically() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        let first = try AuditLog.append(event: event("decision", [("outcome", "allow"), ("policies", ["p-b", "p-a"]), ("action", "deploy")]), to: log, now: t0)
        let second = try AuditLog.append(event: event("mint", [("jti", "j1"), ("exp", .int(1_780_000_300))]), to: log, now: t0.addingTimeInterval(1.25))
        #expect(first.seq == 0)
        #expect(second.seq == 1)
        let lines = readLines(log)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[0] == #"{"action":"deploy","kind":"decision","outcome":"allow","plan":"p1","policies":["p-b","p-a"],"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":0,"step":"s1","time":"2026-05-28T20:26:40Z"}"#)
        #expect(lines[1].contains(#""prev":"\#(first.hash.hex)""#))
        #expect(lines[1].contains(#""exp":"2026-05-28T20:31:40Z""#))
        #expect(lines[1].contains(#""time":"2026-05-28T20:26:41.250Z""#))
        #expect(first.hash == AuditLog.hash(line: Array(lines[0].utf8)))
    }

    @Test func badEventsAreRefused() {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        #expect(throws: AuditError.self) { try AuditLog.append(event: ["kind": "launch"], to: log) }
        #expect(throws: AuditError.self) { try AuditLog.append(event: event("decision", [("outcome", "allow"), ("seq", 4)]), to: log) }
        #expect(throws: AuditError.self) { try AuditLog.append(event: event("mint"), to: log) }
        #expect(throws: AuditError.self) { try AuditLog.append(event: .array([]), to: log) }
        #expect(throws: AuditError.self) { try AuditLog.append(event: event("execution", [("policies", "x")]), to: log) }
    }

    @Test func tornLastLineIsRefusedAndRepaired() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        for i in 0..<3 { try AuditLog.append(event: event("execution", step: "s\(i)"), to: log, now: t0) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: log))
        // An interrupted write: half a record, no newline.
        let handle = FileHandle(forWritingAtPath: log)!
        handle.seekToEndOfFile()
        handle.write(Data(#"{"kind":"execution","plan":"p1","#.utf8))
        handle.closeFile()
        #expect(throws: AuditError.tornTail(path: log, line: 4, byteCount: 32)) {
            try AuditLog.append(event: event("execution"), to: log, now: t0)
        }
        let torn = try AuditLog.verify(logAt: log)
        let damage = torn.faults.filter { AuditLog.integrityKinds.contains($0.kind) }
        #expect(damage.map(\.kind) == [.torn] && damage.first?.line == 4, "\(damage.map(\.message))")
        #expect(torn.summary == "3/4 records valid (hash chain only: no key given)")
        let result = try AuditLog.repair(path: log)
        #expect(result.line == 4)
        #expect(String(decoding: result.dropped, as: UTF8.self) == #"{"kind":"execution","plan":"p1","#)
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == whole)
        #expect(try AuditLog.repair(path: log).changed == false)
        let next = try AuditLog.append(event: event("execution"), to: log, now: t0)
        #expect(next.seq == 3)
        #expect(try AuditLog.verify(logAt: log).faults.filter { AuditLog.integrityKinds.contains($0.kind) }.isEmpty)

        // A whole final line that is not a record (say, zeros left by a crash) is torn too.
        let handle2 = FileHandle(forWritingAtPath: log)!
        handle2.seekToEndOfFile()
        handle2.write(Data([0, 0, 0, 0x0A]))
        handle2.closeFile()
        #expect(try AuditLog.verify(logAt: log).faults.contains { $0.kind == .torn && $0.line == 5 })
        #expect(throws: AuditError.self) { try AuditLog.append(event: event("execution"), to: log, now: t0) }
        #expect(try AuditLog.repair(path: log).dropped == [0, 0, 0, 0x0A])
        #expect(try AuditLog.append(event: event("execution"), to: log, now: t0).seq == 4)
    }

    @Test func tamperedTailIsRefused() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        for i in 0..<3 { try AuditLog.append(event: event("execution", step: "s\(i)"), to: log, now: t0) }
        var lines = readLines(log)
        lines[1] = lines[1].replacingOccurrences(of: "\"s1\"", with: "\"s9\"")
        try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
        #expect(throws: AuditError.brokenTail(path: log, line: 3, reason: "the last record's prev does not match the hash of the record before it")) {
            try AuditLog.append(event: event("execution"), to: log, now: t0)
        }
    }

    @Test func concurrentAppendersLoseNothing() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/audit.jsonl"
        let writers = 8
        let perWriter = 2000
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for i in 0..<perWriter {
                // Each call of a gate session is decided, then executed: the joins must come out
                // clean too.
                let step = "s\(i / 2)"
                let next = i % 2 == 0
                    ? event("decision", plan: "w\(writer)", step: step, [("outcome", "allow"), ("host", "claude-code")])
                    : event("execution", plan: "w\(writer)", step: step, [("host", "claude-code")])
                do {
                    try AuditLog.append(event: next, to: log)
                } catch {
                    failures.increment()
                }
            }
        }
        #expect(failures.value == 0)
        let lines = readLines(log).dropLast()
        #expect(lines.count == writers * perWriter)
        let report = try AuditVerifier.verify(logAt: log)
        #expect(report.faults.count == 0, "\(report.faults.prefix(3).map(\.message))")
        #expect(report.validRecords == writers * perWriter)
        #expect(report.totalRecords == writers * perWriter)
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

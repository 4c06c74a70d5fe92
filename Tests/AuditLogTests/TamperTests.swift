import Foundation
import JSONValue
import Testing
@testable import AuditLog

/// A fast non-cryptographic stand-in for SHA-256, so that the 100,000-record tests stay quick in
/// debug builds. The fault classifier never looks at hash values beyond equality, so what these
/// tests show holds for any hash function; SHA-256 itself is covered by the reference vectors
/// and by the file-based tests.
struct FastTestHasher: MerkleHasher {
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    private static func digest(_ data: UnsafeRawBufferPointer, domain: UInt64) -> Digest32 {
        var a: UInt64 = domain, b: UInt64 = ~domain, c: UInt64 = 0x1234, d: UInt64 = UInt64(data.count)
        var i = 0
        while i + 8 <= data.count {
            let w = data.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            a = mix(a ^ w); b = (b &+ w) &* 0xff51_afd7_ed55_8ccd; c ^= a &+ b; d = d &+ (w ^ c)
            i += 8
        }
        var tail: UInt64 = 0
        while i < data.count { tail = tail << 8 | UInt64(data[i]); i += 1 }
        a = mix(a ^ tail ^ d); b = mix(b ^ a); c = mix(c ^ b); d = mix(d ^ c)
        return Digest32(w0: a, w1: b, w2: c, w3: d)
    }

    func hashLeaf(_ data: UnsafeRawBufferPointer) -> Digest32 { Self.digest(data, domain: 0) }

    func hashChildren(_ left: Digest32, _ right: Digest32) -> Digest32 {
        let words = [left.w0, left.w1, left.w2, left.w3, right.w0, right.w1, right.w2, right.w3]
        return words.withUnsafeBytes { Self.digest($0, domain: 1) }
    }

    var emptyRoot: Digest32 { Digest32(w0: 1, w1: 2, w2: 3, w3: 4) }
}

/// A log built in memory as `append` would write it: each step is decided, most are minted and
/// executed, a few are denied.
struct GeneratedLog {
    var lines: [[UInt8]] = []
    static let startMillis: Int64 = 1_780_000_000_000

    /// The event behind record `index`.
    static func event(_ index: Int) -> (plan: String, step: String, kind: String, jti: String, denied: Bool, expSeconds: Int64) {
        let stepNumber = index / 3
        let denied = stepNumber % 17 == 5
        let kinds = denied ? ["decision", "decision", "decision"] : ["decision", "mint", "execution"]
        return ("plan-\(stepNumber / 20)", "step-\(stepNumber % 20)", kinds[index % 3], "jti-\(stepNumber)", denied,
                (startMillis + Int64(index) * 1000 + 300_000) / 1000)
    }

    static func time(_ index: Int) -> String { Timestamp.format(milliseconds: startMillis + Int64(index) * 1000) }

    /// Record `index` written directly in canonical member order (checked against
    /// `AuditLog.recordLine` in a test).
    static func line(_ index: Int, prev: Digest32) -> [UInt8] {
        let e = event(index)
        let text: String
        switch e.kind {
        case "decision":
            text = #"{"action":"deploy","kind":"decision","outcome":"\#(e.denied ? "deny" : "allow")","plan":"\#(e.plan)","policies":["baseline-permit","no-prod-writes"],"prev":"\#(prev.hex)","principal":"spiffe://example.org/agent/builder","resource":"service/\#(e.step)","seq":\#(index),"step":"\#(e.step)","time":"\#(time(index))"}"#
        case "mint":
            text = #"{"exp":"\#(Timestamp.format(milliseconds: e.expSeconds * 1000))","jti":"\#(e.jti)","kind":"mint","plan":"\#(e.plan)","prev":"\#(prev.hex)","seq":\#(index),"step":"\#(e.step)","time":"\#(time(index))"}"#
        default:
            text = #"{"jti":"\#(e.jti)","kind":"execution","outcome":"success","plan":"\#(e.plan)","prev":"\#(prev.hex)","seq":\#(index),"step":"\#(e.step)","time":"\#(time(index))"}"#
        }
        return Array(text.utf8)
    }

    /// The same record built through the public API.
    static func lineThroughAPI(_ index: Int, prev: Digest32) throws -> [UInt8] {
        let e = event(index)
        var pairs: [(String, JSONValue)] = [("kind", .string(e.kind)), ("plan", .string(e.plan)), ("step", .string(e.step))]
        switch e.kind {
        case "decision":
            pairs += [("action", "deploy"), ("outcome", .string(e.denied ? "deny" : "allow")), ("policies", ["baseline-permit", "no-prod-writes"]),
                      ("principal", "spiffe://example.org/agent/builder"), ("resource", .string("service/\(e.step)"))]
        case "mint":
            pairs += [("jti", .string(e.jti)), ("exp", .int(e.expSeconds))]
        default:
            pairs += [("jti", .string(e.jti)), ("outcome", "success")]
        }
        return try AuditLog.recordLine(event: .object(JSONObject(pairs)), seq: index, prev: prev, time: time(index))
    }

    init<Hasher: MerkleHasher>(records: Int, hasher: Hasher) {
        lines.reserveCapacity(records)
        var prev = AuditLog.genesis
        for index in 0..<records {
            let line = Self.line(index, prev: prev)
            prev = hasher.hashLeaf(line)
            lines.append(line)
        }
    }

    static func bytes(_ lines: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines { out.append(contentsOf: line); out.append(0x0A) }
        return out
    }

    /// A checkpoint over the first `size` lines, signed by the test key.
    static func checkpoint<Hasher: MerkleHasher>(_ lines: [[UInt8]], size: Int, hasher: Hasher, resume: Bool = false) -> StoredCheckpoint {
        let tree = MerkleTree(hasher: hasher, leafHashes: lines[0..<size].map { hasher.hashLeaf($0) })
        let checkpoint = Checkpoint(origin: "audit.example/log", size: size, root: tree.root())
        let point = ResumePoint(size: size, offset: lines[0..<size].reduce(0) { $0 + $1.count + 1 }, lastLeaf: tree.leafHash(at: size - 1),
                                inclusionProof: tree.inclusionProof(index: size - 1, size: size)!)
        return StoredCheckpoint(path: "mem/\(size).note", note: testSigner.sign(text: checkpoint.body), checkpoint: checkpoint,
                                resume: resume ? point : nil)
    }
}

/// Record faults only: checkpoint mismatches follow from them and joins depend on content.
func recordFaults(_ report: VerificationReport) -> [AuditFinding] {
    report.faults.filter { AuditLog.integrityKinds.contains($0.kind) && $0.kind != .checkpointMismatch }
}

@Suite(.serialized) struct TamperTests {
    static let size = 100_000
    static let hasher = FastTestHasher()
    static let log = GeneratedLog(records: size, hasher: hasher)
    static let checkpoints = [
        GeneratedLog.checkpoint(log.lines, size: 50_000, hasher: hasher, resume: true),
        GeneratedLog.checkpoint(log.lines, size: size, hasher: hasher),
    ]
    /// Positions spread over the log, away from both ends and far enough apart to be independent.
    static let sample = [1, 777, 31_313, 49_999, 50_020, 73_421, 99_990]

    func verify(_ lines: [[UInt8]], from: Int? = nil) throws -> VerificationReport {
        let bytes = GeneratedLog.bytes(lines)
        let options = VerifyOptions(trustedKeys: [testSigner.verifier], fromCheckpoint: from)
        return try bytes.withUnsafeBytes { try AuditVerifier.verify(bytes: $0, checkpoints: Self.checkpoints, options: options, hasher: Self.hasher) }
    }

    func located(_ faults: [AuditFinding], _ kind: FindingKind, seq: Int? = nil, line: Int) -> Bool {
        faults.contains { $0.kind == kind && $0.line == line && (seq == nil || $0.seq == seq) }
    }

    @Test func generatedRecordsAreWhatAppendWrites() throws {
        var prev = AuditLog.genesis
        for index in 0..<120 {
            let line = GeneratedLog.line(index, prev: prev)
            #expect(line == (try GeneratedLog.lineThroughAPI(index, prev: prev)), "record \(index)")
            prev = AuditLog.hash(line: line)
        }
    }

    @Test func intactLogVerifies() throws {
        let report = try verify(Self.log.lines)
        #expect(report.faults.isEmpty, "\(report.faults.prefix(3).map(\.message))")
        #expect(report.summary == "100000/100000 records valid")
        #expect(report.checkpoints.allSatisfy { $0.matchesLog == true && $0.signature == "verified" })
        // The last record is a decision whose mint and execution lie beyond the end.
        #expect(report.notices.map(\.kind) == [.aborted] && report.notices.first?.line == Self.size, "\(report.notices.prefix(3).map(\.message))")
    }

    @Test func modificationsAreLocated() throws {
        var lines = Self.log.lines
        for j in Self.sample {
            let text = String(decoding: lines[j], as: UTF8.self)
            let altered = text.replacingOccurrences(of: "\"step-", with: "\"stop-")
            #expect(altered != text)
            lines[j] = Array(altered.utf8)
        }
        let report = try verify(lines)
        let faults = recordFaults(report)
        #expect(faults.count == Self.sample.count, "\(faults.map(\.message))")
        for j in Self.sample {
            #expect(located(faults, .modified, seq: j, line: j + 1), "record \(j): \(faults.map(\.message))")
        }
        #expect(report.validRecords == Self.size - Self.sample.count)
        #expect(report.faults.filter { $0.kind == .checkpointMismatch }.count == 2)
    }

    @Test func deletionsAreLocated() throws {
        var lines = Self.log.lines
        for j in Self.sample.reversed() { lines.remove(at: j) }
        let report = try verify(lines)
        let faults = recordFaults(report).filter { $0.kind != .truncated }
        #expect(faults.count == Self.sample.count, "\(faults.map(\.message))")
        for (k, j) in Self.sample.enumerated() {
            #expect(located(faults, .missing, seq: j, line: j - k + 1), "record \(j): \(faults.map(\.message))")
        }
        // No checkpoint matches the log any more, so no signature covers a record.
        #expect(report.summary == "99993/99993 records valid, 99993 unsigned")
    }

    @Test func insertionsAreLocated() throws {
        var lines = Self.log.lines
        for (n, j) in Self.sample.enumerated().reversed() {
            // The best forgery (right seq, right prev for its place), a copy of another record, or noise.
            let forged = try AuditLog.recordLine(event: .object(JSONObject([("kind", "execution"), ("plan", "plan-x"), ("step", "step-x")])),
                                                 seq: j, prev: Self.hasher.hashLeaf(lines[j - 1]), time: "2026-06-01T00:00:00Z")
            lines.insert([forged, lines[j / 2], Array(#"{"kind":"noise"}"#.utf8)][n % 3], at: j)
        }
        let report = try verify(lines)
        let faults = recordFaults(report).filter { $0.kind != .truncated }
        #expect(faults.count == Self.sample.count, "\(faults.map(\.message))")
        for (k, j) in Self.sample.enumerated() {
            #expect(located(faults, k % 3 == 2 ? .malformed : .inserted, line: j + k + 1), "at \(j): \(faults.map(\.message))")
        }
        #expect(report.validRecords == Self.size && report.totalRecords == Self.size + Self.sample.count)
    }

    @Test func swapsAreLocated() throws {
        var lines = Self.log.lines
        for j in Self.sample { lines.swapAt(j, j + 1) }
        // And one record moved far away.
        let moved = lines.remove(at: 10_000)
        lines.insert(moved, at: 60_000)
        let faults = recordFaults(try verify(lines))
        #expect(faults.count == Self.sample.count + 1, "\(faults.map(\.message))")
        for j in Self.sample {
            // Lines between the far move's two ends sit one line earlier.
            let shift = j > 10_000 && j < 60_000 ? -1 : 0
            #expect(faults.contains { $0.kind == .reordered && [j + 1 + shift, j + 2 + shift].contains($0.line ?? 0) }, "at \(j): \(faults.map(\.message))")
        }
        #expect(located(faults, .reordered, seq: 10_000, line: 60_001), "\(faults.map(\.message))")
    }

    @Test(arguments: [1, 500])
    func tailTruncationIsLocated(cut: Int) throws {
        let report = try verify(Array(Self.log.lines.dropLast(cut)))
        let faults = recordFaults(report)
        #expect(faults.count == 1, "\(faults.map(\.message))")
        #expect(faults.first?.kind == .truncated && faults.first?.seq == Self.size - cut && faults.first?.count == cut
                    && faults.first?.line == Self.size - cut + 1, "\(faults.map(\.message))")
    }

    @Test func fromCheckpointReadsOnlyNewRecords() throws {
        let report = try verify(Self.log.lines, from: 50_000)
        #expect(report.startSize == 50_000)
        #expect(report.summary == "50000/50000 records valid")
        #expect(report.faults.isEmpty, "\(report.faults.prefix(3).map(\.message))")
        #expect(report.checkpoints[1].matchesLog == true)

        // Damage before the checkpoint is not read; damage after it is found and located.
        var lines = Self.log.lines
        for j in [10, 70_000] {
            lines[j] = Array(String(decoding: lines[j], as: UTF8.self).replacingOccurrences(of: "plan-", with: "plan_").utf8)
        }
        let faults = recordFaults(try verify(lines, from: 50_000))
        #expect(faults.count == 1 && located(faults, .modified, seq: 70_000, line: 70_001), "\(faults.map(\.message))")
    }
}

@Suite struct TamperEdgeTests {
    let hasher = FastTestHasher()

    func faults(_ lines: [[UInt8]]) throws -> [AuditFinding] {
        let bytes = GeneratedLog.bytes(lines)
        let report = try bytes.withUnsafeBytes { try AuditVerifier.verify(bytes: $0, hasher: hasher) }
        return recordFaults(report)
    }

    @Test func faultsAtTheStartAndRunsOfDeletions() throws {
        let log = GeneratedLog(records: 60, hasher: hasher).lines
        var lines = log
        lines.removeFirst()
        #expect(try faults(lines).map { "\($0.kind.rawValue) \($0.seq!)@\($0.line!)" } == ["missing 0@1"])

        lines = log
        lines[0] = Array(String(decoding: lines[0], as: UTF8.self).replacingOccurrences(of: "deploy", with: "delete").utf8)
        #expect(try faults(lines).map { "\($0.kind.rawValue) \($0.seq!)@\($0.line!)" } == ["modified 0@1"])

        lines = log
        lines.insert(try AuditLog.recordLine(event: event("execution"), seq: 0, prev: AuditLog.genesis, time: "2026-01-01T00:00:00Z"), at: 0)
        #expect(try faults(lines).map { "\($0.kind.rawValue) \($0.seq!)@\($0.line!)" } == ["inserted 0@1"])

        lines = log
        lines.removeSubrange(20..<23)
        let run = try faults(lines)
        #expect(run.map { "\($0.kind.rawValue) \($0.seq!)@\($0.line!)x\($0.count ?? 0)" } == ["missing 20@21x3"])

        // An edited prev: the record itself is reported, not its neighbour.
        lines = log
        let text = String(decoding: lines[30], as: UTF8.self)
        lines[30] = Array(text.replacingOccurrences(of: #""prev":"[0-9a-f]{64}""#, with: "\"prev\":\"" + String(repeating: "e", count: 64) + "\"",
                                                    options: .regularExpression).utf8)
        #expect(lines[30] != log[30])
        #expect(try faults(lines).map { "\($0.kind.rawValue) \($0.seq!)@\($0.line!)" } == ["modified 30@31"])
    }
}

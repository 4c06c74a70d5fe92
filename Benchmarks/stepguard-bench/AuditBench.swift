// Audit log benchmark: `stepguard-bench audit [--megabytes N] [--log PATH] [--keep] [--runs R]`
// or `stepguard-bench audit --existing PATH [--runs R]`.
//
// Generates a log of about N MB (default 1024) of realistic records with a checkpoint at 90%,
// then times, on the same file in the same run: `sha256sum` and a full `verify` taking turns,
// R times each (default 3), and `verify` from the checkpoint. `--existing` times only the
// turns of `sha256sum` and `verify` on a log already there. Output is one line per
// measurement, `name value unit`: each run, then the medians and the ratio of the medians.
// `_cpu_seconds` is CPU time, which is steadier than wall time on a busy machine.
import AuditLog
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func auditBenchNow() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

private func auditBenchFail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

/// Runs the audit benchmark; `arguments` are those after `audit`.
func runAuditBenchmark(arguments: [String]) {
    var megabytes = 1024
    var logPath: String?
    var keep = false
    var runs = 3
    var existing: String?
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--megabytes":
            guard i + 1 < arguments.count, let value = Int(arguments[i + 1]), value > 0 else { auditBenchFail("--megabytes needs a positive number") }
            megabytes = value
            i += 1
        case "--log":
            guard i + 1 < arguments.count else { auditBenchFail("--log needs a path") }
            logPath = arguments[i + 1]
            i += 1
        case "--keep":
            keep = true
        case "--existing":
            guard i + 1 < arguments.count else { auditBenchFail("--existing needs a path") }
            existing = arguments[i + 1]
            i += 1
        case "--runs":
            guard i + 1 < arguments.count, let value = Int(arguments[i + 1]), value > 0 else { auditBenchFail("--runs needs a positive number") }
            runs = value
            i += 1
        default:
            auditBenchFail("usage: stepguard-bench audit [--megabytes N] [--log PATH] [--keep] [--runs R] | --existing PATH [--runs R]")
        }
        i += 1
    }
    if let existing {
        auditBenchExisting(path: existing, runs: runs)
        return
    }
    let directory = NSTemporaryDirectory() + "stepguard-audit-bench-\(getpid())"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = logPath ?? directory + "/audit.jsonl"
    defer {
        if !keep {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: CheckpointStore.directory(forLog: path))
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
    let signer = try! NoteSigner(name: "bench.example/audit", seed: [UInt8](repeating: 3, count: 32))

    // Generate: 90% of the records, a checkpoint, the last 10%.
    let target = megabytes << 20
    var start = auditBenchNow()
    let writer = AuditBenchWriter(path: path)
    writer.write(until: target * 9 / 10)
    writer.flush()
    let checkpoint: CheckpointResult
    do {
        checkpoint = try AuditLog.checkpoint(logAt: path, origin: "bench.example/audit", signer: signer)
    } catch {
        auditBenchFail("checkpoint failed: \(error)")
    }
    writer.write(until: target)
    writer.close()
    print("audit_generate_seconds \(auditBenchNow() - start) s")
    print("audit_records \(writer.count) records")
    print("audit_bytes \(writer.bytes) bytes")

    let keys = [signer.verifier]
    auditBenchTurns(path: path, bytes: writer.bytes, keys: keys, runs: runs)

    start = auditBenchNow()
    let resumed: VerificationReport
    do {
        resumed = try AuditLog.verify(logAt: path, options: VerifyOptions(trustedKeys: keys, fromCheckpoint: checkpoint.checkpoint.size))
    } catch {
        auditBenchFail("verify from checkpoint failed: \(error)")
    }
    print("audit_verify_from_checkpoint_seconds \(auditBenchNow() - start) s")
    print("audit_verify_from_checkpoint_result \(resumed.summary) intact=\(resumed.isIntact)")
}

#if canImport(Glibc)
private let auditBenchSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
private let auditBenchChildren = __rusage_who_t(RUSAGE_CHILDREN.rawValue)
#else
private let auditBenchSelf = RUSAGE_SELF
private let auditBenchChildren = RUSAGE_CHILDREN
#endif

private func auditBenchCPU() -> Double {
    var usage = rusage()
    getrusage(auditBenchSelf, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

private func auditBenchChildCPU() -> Double {
    var usage = rusage()
    getrusage(auditBenchChildren, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

private func auditBenchExisting(path: String, runs: Int) {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int else {
        auditBenchFail("cannot read \"\(path)\"")
    }
    auditBenchTurns(path: path, bytes: size, keys: [], runs: runs)
}

/// One timed run: wall and CPU seconds.
private struct AuditBenchTiming {
    var wall: Double
    var cpu: Double
}

private func auditBenchMedian(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// `sha256sum` and `verify` taking turns `runs` times, so that both see the same machine; then
/// the medians and their ratios.
private func auditBenchTurns(path: String, bytes: Int, keys: [NoteVerifier], runs: Int) {
    var sums: [AuditBenchTiming] = []
    var verifies: [AuditBenchTiming] = []
    for run in 1...runs {
        if let timing = auditBenchSHA256Sum(path: path) {
            sums.append(timing)
            print("sha256sum_run\(run) \(timing.wall) s wall \(timing.cpu) s cpu")
        }
        let timing = auditBenchVerify(path: path, keys: keys)
        verifies.append(timing)
        print("audit_verify_run\(run) \(timing.wall) s wall \(timing.cpu) s cpu")
    }
    let verifyWall = auditBenchMedian(verifies.map(\.wall)), verifyCPU = auditBenchMedian(verifies.map(\.cpu))
    print("audit_verify_seconds \(verifyWall) s (median)")
    print("audit_verify_cpu_seconds \(verifyCPU) s (median)")
    print("audit_verify_mb_per_s \(Double(bytes) / 1e6 / verifyWall) MB/s")
    guard !sums.isEmpty else {
        print("sha256sum_seconds unavailable")
        return
    }
    let sumWall = auditBenchMedian(sums.map(\.wall)), sumCPU = auditBenchMedian(sums.map(\.cpu))
    print("sha256sum_seconds \(sumWall) s (median)")
    print("sha256sum_cpu_seconds \(sumCPU) s (median)")
    print("sha256sum_mb_per_s \(Double(bytes) / 1e6 / sumWall) MB/s")
    print("verify_over_sha256sum_wall \(verifyWall / sumWall)")
    print("verify_over_sha256sum_cpu \(verifyCPU / sumCPU)")
}

/// `sha256sum` on the file, wall and CPU time; nil where it cannot run.
private func auditBenchSHA256Sum(path: String) -> AuditBenchTiming? {
    let start = auditBenchNow()
    let cpuBefore = auditBenchChildCPU()
    let sha = Process()
    sha.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    sha.arguments = ["sha256sum", path]
    sha.standardOutput = FileHandle.nullDevice
    do {
        try sha.run()
        sha.waitUntilExit()
    } catch {
        return nil
    }
    let elapsed = auditBenchNow() - start
    guard sha.terminationStatus == 0 else { return nil }
    return AuditBenchTiming(wall: elapsed, cpu: auditBenchChildCPU() - cpuBefore)
}

/// A full verification, wall and CPU time; a verification that finds the log damaged stops the
/// benchmark, since its time would not be that of the work measured.
private func auditBenchVerify(path: String, keys: [NoteVerifier]) -> AuditBenchTiming {
    let start = auditBenchNow()
    let cpuBefore = auditBenchCPU()
    let report: VerificationReport
    do { report = try AuditLog.verify(logAt: path, options: VerifyOptions(trustedKeys: keys)) } catch { auditBenchFail("verify failed: \(error)") }
    let elapsed = auditBenchNow() - start
    let cpu = auditBenchCPU() - cpuBefore
    guard report.isIntact else { auditBenchFail("verify found faults: \(report.summary)") }
    return AuditBenchTiming(wall: elapsed, cpu: cpu)
}

/// Writes generated records straight to the file, with the chain computed as it goes.
final class AuditBenchWriter {
    let fd: Int32
    var buffer: [UInt8] = []
    var count = 0
    var bytes = 0
    var prev = AuditLog.genesis
    let startSeconds: Int64 = 1_780_000_000

    init(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { auditBenchFail("cannot create \"\(path)\"") }
        buffer.reserveCapacity(1 << 22)
    }

    func write(until target: Int) {
        while bytes < target {
            let line = Array(record(count).utf8)
            prev = AuditLog.hash(line: line)
            buffer.append(contentsOf: line)
            buffer.append(0x0A)
            bytes += line.count + 1
            count += 1
            if buffer.count >= 1 << 22 { flush() }
        }
    }

    func flush() {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { auditBenchWrite(fd, $0.baseAddress! + done, buffer.count - done) }
            if n <= 0 { auditBenchFail("write failed") }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        fsync(fd)
        _ = auditBenchClose(fd)
    }

    /// Record `index` in canonical member order: decision, mint, execution for each step. The
    /// 25 steps of a plan run in order, each decided to run after the one before (`after`).
    /// Decisions and mints state the digests of what was decided, as `eval` and `mint` write
    /// them, and each execution records the `args_digest` it ran with.
    private func record(_ index: Int) -> String {
        let step = index / 3
        let plan = "plan-\(step / 25)"
        let id = "step-\(step % 25)"
        let time = Timestamp.format(milliseconds: (startSeconds + Int64(index)) * 1000)
        let args = digest(step, 0xa)
        switch index % 3 {
        case 0:
            let after = step % 25 == 0 ? "" : #""after":["step-\#(step % 25 - 1)"],"#
            return #"{"action":"deploy",\#(after)"args_digest":"\#(args)","kind":"decision","outcome":"allow","plan":"\#(plan)","plan_digest":"\#(digest(step / 25, 0xb))","policies":["baseline-permit","no-prod-writes"],"prev":"\#(prev.hex)","principal":"spiffe://example.org/agent/builder","resource":"service/\#(id)","seq":\#(index),"step":"\#(id)","step_digest":"\#(digest(step, 0xc))","time":"\#(time)"}"#
        case 1:
            let exp = Timestamp.format(milliseconds: (startSeconds + Int64(index) + 300) * 1000)
            return #"{"args_digest":"\#(args)","exp":"\#(exp)","jti":"jti-\#(step)","kind":"mint","plan":"\#(plan)","plan_digest":"\#(digest(step / 25, 0xb))","prev":"\#(prev.hex)","seq":\#(index),"step":"\#(id)","step_digest":"\#(digest(step, 0xc))","time":"\#(time)"}"#
        default:
            return #"{"args_digest":"\#(args)","jti":"jti-\#(step)","kind":"execution","outcome":"success","plan":"\#(plan)","prev":"\#(prev.hex)","seq":\#(index),"step":"\#(id)","time":"\#(time)"}"#
        }
    }

    /// A digest as records spell one (`sha256:` and 64 hex digits), distinct for each `n` and `tag`.
    private func digest(_ n: Int, _ tag: UInt64) -> String {
        let word = String(UInt64(n) &* 0x9e37_79b9_7f4a_7c15 ^ tag, radix: 16)
        let padded = String(repeating: "0", count: 16 - word.count) + word
        return "sha256:" + padded + padded + padded + padded
    }
}

private func auditBenchWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}

private func auditBenchClose(_ fd: Int32) -> Int32 {
    close(fd)
}

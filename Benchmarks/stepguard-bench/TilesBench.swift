// Published-tree benchmark: `stepguard-bench tiles [--records N] [--more M] [--dir PATH] [--keep]`.
//
// Generates a log of N records (default 1,000,000) with a checkpoint, publishes it as C2SP
// tiles, appends M more (default 1,000), checkpoints and publishes again; then verifies the
// published tree whole, and proves one record from it. Output is one line per measurement,
// `name value unit`: seconds, files written, tiles read.
import AuditLog
import Dispatch
import Foundation
import JSONValue

private func tilesBenchNow() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

private func tilesBenchFail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

/// Runs the tiles benchmark; `arguments` are those after `tiles`.
func runTilesBenchmark(arguments: [String]) {
    var records = 1_000_000
    var more = 1_000
    var directory = NSTemporaryDirectory() + "stepguard-tiles-bench-\(getpid())"
    var keep = false
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--records", "--more":
            guard i + 1 < arguments.count, let value = Int(arguments[i + 1]), value > 0 else { tilesBenchFail("\(arguments[i]) needs a positive number") }
            if arguments[i] == "--records" { records = value } else { more = value }
            i += 1
        case "--dir":
            guard i + 1 < arguments.count else { tilesBenchFail("--dir needs a path") }
            directory = arguments[i + 1]
            i += 1
        case "--keep":
            keep = true
        default:
            tilesBenchFail("usage: stepguard-bench tiles [--records N] [--more M] [--dir PATH] [--keep]")
        }
        i += 1
    }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
    let log = directory + "/audit.jsonl"
    let site = directory + "/site"
    let origin = "bench.example/audit"
    let signer = try! NoteSigner(name: origin, seed: [UInt8](repeating: 3, count: 32))
    let keys = [signer.verifier]

    func measure<T>(_ name: String, _ body: () throws -> T) -> T {
        let start = tilesBenchNow()
        do {
            let result = try body()
            print("\(name)_seconds \(tilesBenchNow() - start) s")
            return result
        } catch {
            tilesBenchFail("\(name) failed: \(error)")
        }
    }

    let writer = AuditBenchWriter(path: log)
    while writer.count < records { writer.write(until: writer.bytes + 1) }
    writer.close()
    print("tiles_records \(writer.count) records")
    print("tiles_log_bytes \(writer.bytes) bytes")
    _ = measure("tiles_checkpoint") { try AuditLog.checkpoint(logAt: log, origin: origin, signer: signer) }

    let first = measure("tiles_publish") { try AuditLog.publish(logAt: log, to: site, trustedKeys: keys) }
    print("tiles_publish_files_written \(first.written.count + 1) files")

    let events: [JSONValue] = (0..<more).map { n in
        .object(JSONObject([("kind", .string("decision")), ("plan", .string("more-\(n)")), ("step", .string("s")), ("outcome", .string("deny"))]))
    }
    _ = measure("tiles_append_more") { try AuditLog.append(events: events, to: log) }
    _ = measure("tiles_checkpoint_more") { try AuditLog.checkpoint(logAt: log, origin: origin, signer: signer) }
    let second = measure("tiles_republish") { try AuditLog.publish(logAt: log, to: site, trustedKeys: keys) }
    print("tiles_republish_files_written \(second.written.count + (second.checkpointWritten ? 1 : 0)) files (\(second.written.joined(separator: " ")) checkpoint)")
    print("tiles_republish_files_kept \(second.kept) files")

    let report = measure("tiles_verify_tree") { try AuditLog.verifyPublished(at: site, options: VerifyOptions(trustedKeys: keys)) }
    print("tiles_verify_tree_result \(report.summary) intact=\(report.isIntact)")
    guard report.isIntact else { tilesBenchFail("the published tree does not verify") }

    let seq = (records + more) / 2 + 1
    let (proof, read) = measure("tiles_prove_one") { try AuditLog.prove(published: site, seq: seq, trustedKeys: keys) }
    print("tiles_prove_one_tiles_read \(read.count) files (\(read.joined(separator: " ")))")
    print("tiles_prove_one_proof_hashes \(proof.proof.count) hashes")
    guard AuditLog.verifyProof(proof, trustedKeys: keys).valid else { tilesBenchFail("the proof does not verify") }
}

import Crypto
import Foundation
import Credentials

/// A scratch directory removed when the value is released.
final class TempDir {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/stepguard-credentials-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs an external program; nil when it cannot be started.
struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

func run(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil) -> ProcessResult? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    do { try process.run() } catch { return nil }
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self)
    )
}

/// Whether a program is on PATH.
func available(_ executable: String) -> Bool {
    run("sh", ["-c", "command -v \(executable)"])?.status == 0
}

/// RFC 8032 TEST 1 / RFC 8037 Appendix A key.
let rfcSeed = Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!

func sampleAuthorization() -> StepAuthorization {
    StepAuthorization(
        action: "deploy", resource: "Service::\"web\"", planID: "release-42", stepID: "deploy-web",
        planDigest: "sha256:" + String(repeating: "ab", count: 32), argsDigest: "sha256:" + String(repeating: "cd", count: 32),
        outcome: "allow", stepDigest: "sha256:" + String(repeating: "ef", count: 32)
    )
}

func sampleRequest(now: Int64 = 1_800_000_000, ttl: Int64 = 300, policyMaxTTL: Int64? = nil) -> MintRequest {
    MintRequest(
        issuer: "stepguard", subject: "spiffe://example.org/agent/builder", audience: "deployer",
        authorization: sampleAuthorization(), ttl: ttl, policyMaxTTL: policyMaxTTL, now: now
    )
}

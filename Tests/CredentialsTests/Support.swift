import Crypto
import Foundation
import Credentials
import ProcessSupport

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

/// Runs `executable` found on PATH, with `environment` added to this process's; nil when it
/// cannot be started.
func run(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil) -> RunResult? {
    runProcess(
        "/usr/bin/env", [executable] + arguments, input: input,
        environment: environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 } })
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

import Foundation
import Testing
@testable import StepGuardCLI

/// `audit publish`, `verify --tiles`, `prove --tiles`, `cosign`, `witness-request`, tlog-proof.
struct AuditPublishCommandTests {
    typealias A = AuditFixtures
    typealias F = CredentialFixtures

    /// A checkpointed story log published to `<dir>/site`; the log key and a witness key.
    static func published() throws -> (dir: URL, log: String, site: String, key: String, pub: String, witnessKey: String) {
        let (dir, log) = try A.newLog()
        try A.story(log)
        let key = try F.key("issuer.key", in: dir)
        let pub = F.directory.appendingPathComponent("issuer.pub").path
        let witnessKey = try F.key("other.key", in: dir)
        let signed = runCLI(["audit", "checkpoint", log, "--key", key, "--origin", "audit.example/log"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let site = dir.appendingPathComponent("site").path
        let published = runCLI(["audit", "publish", log, "--out", site, "-k", pub])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout == "published checkpoint of 6 records to \(site): 2 files written, 0 already there\n")
        return (dir, log, site, key, pub, witnessKey)
    }

    @Test func publishVerifyAndProveFromTiles() throws {
        let p = try Self.published()
        let verified = runCLI(["audit", "verify", "--tiles", p.site, "-k", p.pub, "-q"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout == "6/6 records valid\n")

        let proved = runCLI(["audit", "prove", "--tiles", p.site, "--seq", "4", "-k", p.pub, "--format", "tlog-proof"])
        #expect(proved.status == 0, "\(proved.stderr)")
        #expect(proved.stdout.hasPrefix("c2sp.org/tlog-proof@v1\nextra "))
        #expect(proved.stderr.hasPrefix("2 tiles read: tile/entries/000.p/6 tile/0/000.p/6\n"))
        let proofPath = p.dir.appendingPathComponent("4.tlog-proof").path
        try proved.stdout.write(toFile: proofPath, atomically: true, encoding: .utf8)
        let checked = runCLI(["audit", "verify-proof", proofPath, "-k", p.pub])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout == "valid: record 4 is in the signed log \"audit.example/log\" of 6 records\n")
        // Without the extra data the record comes from --record, read once, even from stdin.
        let bare = proved.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("extra ") }.joined(separator: "\n")
        try bare.write(toFile: proofPath, atomically: true, encoding: .utf8)
        let record = try A.lines(p.log)[4]
        let withRecord = runCLI(["audit", "verify-proof", proofPath, "-k", p.pub, "--record", "-"], input: record + "\n")
        #expect(withRecord.status == 0, "\(withRecord.stdout)\(withRecord.stderr)")
        #expect(runCLI(["audit", "verify-proof", proofPath, "-k", p.pub], input: "").status == 2)
        let direct = runCLI(["audit", "verify-proof", "--tiles", p.site, "--seq", "5", "-k", p.pub])
        #expect(direct.status == 0, "\(direct.stdout)\(direct.stderr)")

        // Nothing new: nothing written.
        let again = runCLI(["audit", "publish", p.log, "--out", p.site])
        #expect(again.stdout == "already published checkpoint of 6 records to \(p.site): 0 files written, 2 already there\n")
    }

    @Test func damageExitsOneAtItsPath() throws {
        let p = try Self.published()
        let tile = p.site + "/tile/0/000.p/6"
        var bytes = try A.bytes(tile)
        bytes[70] ^= 0xFF
        try A.write(bytes, tile)
        let result = runCLI(["audit", "verify", "--tiles", p.site, "-k", p.pub])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(tile): fault: tile-mismatch: record 2: hash 2 of tile/0/000.p/6 is not the leaf hash of entry 2"), "\(result.stdout)")
        // A proof from damaged tiles is refused, not printed.
        let proved = runCLI(["audit", "prove", "--tiles", p.site, "--seq", "1"])
        #expect(proved.status == 2 && proved.stdout.isEmpty, "\(proved.stderr)")
    }

    @Test func witnessCosignsAndQuorumCounts() throws {
        let p = try Self.published()
        let checkpoint = p.site + "/checkpoint"
        let request = p.dir.appendingPathComponent("request.txt").path
        let body = runCLI(["audit", "witness-request", "--tiles", p.site, "--old", "0", "-o", request])
        #expect(body.status == 0, "\(body.stderr)")
        #expect(try String(contentsOfFile: request, encoding: .utf8).hasPrefix("old 0\n\naudit.example/log\n6\n"))
        let state = p.dir.appendingPathComponent("witness").path
        let cosign = ["audit", "cosign", checkpoint, "-k", p.witnessKey, "--name", "witness.example/w1", "--state", state,
                      "--log-key", p.pub, "--now", "2026-06-01T00:00:00Z"]
        let cosigned = runCLI(cosign + ["--proof", request])
        #expect(cosigned.status == 0, "\(cosigned.stderr)")
        #expect(cosigned.stdout.hasPrefix("\u{2014} witness.example/w1 "))
        let vkey = try #require(cosigned.stderr.split(separator: "\n").first { $0.hasPrefix("witness key: ") }).dropFirst(13)
        #expect(try String(contentsOfFile: checkpoint, encoding: .utf8).hasSuffix(cosigned.stdout))

        let verified = runCLI(["audit", "verify", "--tiles", p.site, "-k", p.pub, "--witness", String(vkey), "-q"])
        #expect(verified.status == 0, "\(verified.stdout)")
        // The witness key from a file works the same; without --key it is a usage error.
        let vkeyFile = p.dir.appendingPathComponent("w1.vkey").path
        try (String(vkey) + "\n").write(toFile: vkeyFile, atomically: true, encoding: .utf8)
        #expect(runCLI(["audit", "verify", "--tiles", p.site, "-k", p.pub, "--witness", vkeyFile]).status == 0)
        let keyless = runCLI(["audit", "verify", "--tiles", p.site, "--witness", vkeyFile])
        #expect(keyless.status == 2 && keyless.stderr.contains("--witness needs --key PUB"))
        // A second witness that did not cosign: quorum 2 fails, quorum 1 holds.
        let other = "witness.example/w2+86ead36b+BD/IcTTexQ28/ovF3VIL0XL3i7qzCkj5VLFWuZu4eeR8"
        let short = runCLI(["audit", "verify", "--tiles", p.site, "-k", p.pub, "--witness", String(vkey), "--witness", other])
        #expect(short.status == 1 && short.stdout.contains("fault: witness-quorum:"), "\(short.stdout)")
        #expect(runCLI(["audit", "verify", "--tiles", p.site, "-k", p.pub, "--witness", String(vkey), "--witness", other, "--quorum", "1"]).status == 0)

        let proof = runCLI(["audit", "prove", "--tiles", p.site, "--seq", "2", "--format", "tlog-proof"])
        let proofPath = p.dir.appendingPathComponent("2.tlog-proof").path
        try proof.stdout.write(toFile: proofPath, atomically: true, encoding: .utf8)
        #expect(runCLI(["audit", "verify-proof", proofPath, "-k", p.pub, "--witness", String(vkey)]).status == 0)
        let unwitnessed = runCLI(["audit", "verify-proof", proofPath, "-k", p.pub, "--witness", String(vkey), "--witness", other])
        #expect(unwitnessed.status == 1 && unwitnessed.stdout.contains("1 valid witness cosignature, 2 required"), "\(unwitnessed.stdout)")

        // The log grows; the witness extends; then refuses the old checkpoint (rollback).
        let oldCheckpoint = try String(contentsOfFile: checkpoint, encoding: .utf8)
        A.append(p.log, A.decision("deploy-web"), now: "2026-05-28T20:27:00Z")
        #expect(runCLI(["audit", "checkpoint", p.log, "--key", p.key, "--origin", "audit.example/log"]).status == 0)
        #expect(runCLI(["audit", "publish", p.log, "--out", p.site]).status == 0)
        #expect(runCLI(["audit", "witness-request", "--tiles", p.site, "--old", "6", "-o", request]).status == 0)
        #expect(runCLI(cosign + ["--proof", request]).status == 0)
        let stale = p.dir.appendingPathComponent("stale-checkpoint").path
        try oldCheckpoint.write(toFile: stale, atomically: true, encoding: .utf8)
        try "old 7\n".write(toFile: request, atomically: true, encoding: .utf8)
        var rollback = cosign
        rollback[2] = stale
        let refused = runCLI(rollback + ["--proof", request])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("rollback refused: \"audit.example/log\" was cosigned at 7 records, root "), "\(refused.stderr)")
        #expect(refused.stderr.contains("this checkpoint has 6 records, root "))
    }

    @Test(arguments: [
        (["audit", "verify", "--quorum", "1", "x.jsonl"], "--quorum needs --witness"),
        (["audit", "verify"], "give the audit log LOG, or --tiles DIR"),
        (["audit", "prove", "--seq", "1"], "give either LOG or --tiles DIR"),
        (["audit", "verify-proof", "-k", CredentialFixtures.directory.appendingPathComponent("issuer.pub").path, "--seq", "1"], "give either PROOF, or --tiles DIR with --seq N"),
        (["audit", "witness-request", "--old", "0"], "give either LOG or --tiles DIR"),
    ])
    func usageErrorsExitTwo(arguments: [String], message: String) {
        let result = runCLI(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func publishRefusesAForkedDirectory() throws {
        let p = try Self.published()
        let (_, other) = try A.newLog()
        A.append(other, A.decision("elsewhere"))
        #expect(runCLI(["audit", "checkpoint", other, "--key", p.key, "--origin", "audit.example/log"]).status == 0)
        let result = runCLI(["audit", "publish", other, "--out", p.site])
        #expect(result.status == 1)
        #expect(result.stderr.contains("publishing would roll it back"), "\(result.stderr)")
    }
}

import Crypto
import Foundation
import Testing
@testable import AuditLog

let witnessA = try! CosignatureSigner(name: "witness.example/a", seed: [UInt8](repeating: 11, count: 32))
let witnessB = try! CosignatureSigner(name: "witness.example/b", seed: [UInt8](repeating: 12, count: 32))

/// A signed checkpoint of the first `size` leaves of a synthetic tree, with the tree.
func signedCheckpoint(size: Int, salt: String = "") -> (note: SignedNote, tree: MerkleTree<RFC6962Hasher>) {
    let hasher = RFC6962Hasher()
    let tree = MerkleTree(hasher: hasher, leafHashes: (0..<size).map { hasher.hashLeaf(Array("\(salt)entry \($0)".utf8)) })
    let body = Checkpoint(origin: "audit.example/log", size: size, root: tree.root()).body
    return (testSigner.sign(text: body), tree)
}

@Suite struct CosignatureTests {
    @Test func signedMessageAndKeyIDFollowTheSpec() throws {
        let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        #expect(cosignatureMessage(checkpointText: text, time: 1679315147)
            == Array("cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n".utf8))
        let verifier = witnessA.verifier
        // Key IDs differ by signature type: 0x04 for cosignatures, 0x01 for notes.
        var sha = SHA256()
        sha.update(Array("witness.example/a\n".utf8) + [0x04] + verifier.publicKey)
        #expect(verifier.keyID == sha.finalize()[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        #expect(verifier.keyID != noteKeyID(name: verifier.name, ed25519PublicKey: verifier.publicKey))
        // The verifier key round-trips and is refused as a note key, and the other way round.
        #expect(try CosignatureVerifier(verifierKey: verifier.verifierKey) == verifier)
        #expect(verifier.verifierKey.hasPrefix("witness.example/a+" + hex8(verifier.keyID) + "+B"))
        #expect(throws: AuditError.self) { try NoteVerifier(verifierKey: verifier.verifierKey) }
        #expect(throws: AuditError.self) { try CosignatureVerifier(verifierKey: testSigner.verifier.verifierKey!) }

        let line = witnessA.cosign(checkpointText: text, time: 1679315147)
        #expect(line.signature.count == 72 && line.signature.prefix(8) == [0, 0, 0, 0, 0x64, 0x18, 0x50, 0xCB])
        let note = SignedNote(text: text, signatures: [line])
        #expect(verifier.check(note) == .verified(time: 1679315147))
        #expect(witnessB.verifier.check(note) == .notSigned)
        #expect(verifier.check(note, now: 1679315146) == .invalid("it is dated 1679315147, after the current time 1679315146"))
        var forged = line.signature
        forged[20] ^= 1
        #expect(verifier.check(SignedNote(text: text, signatures: [NoteSignature(name: line.name, keyID: line.keyID, signature: forged)]))
            == .invalid("the signature does not verify"))
        // A cosignature is not a note signature: the bytes signed differ.
        #expect(testSigner.verifier.check(note) == .notSigned)
    }

    @Test(arguments: [(1, true), (2, false)])
    func quorum(quorum: Int, satisfied: Bool) throws {
        let (note, _) = signedCheckpoint(size: 10)
        let cosigned = SignedNote(text: note.text, signatures: note.signatures + [witnessA.cosign(checkpointText: note.text, time: 100)])
        let policy = WitnessPolicy(witnesses: [witnessA.verifier, witnessB.verifier], quorum: quorum, now: 200)
        #expect(policy.evaluate(cosigned).satisfied == satisfied)
        #expect(policy.evaluate(cosigned).cosigned == ["witness.example/a"])
        #expect(policy.problems(cosigned).isEmpty == satisfied)
        if !satisfied {
            #expect(policy.problems(cosigned) == ["the checkpoint carries 1 valid witness cosignature, 2 required; not cosigned by \"witness.example/b\""])
        }
    }

    @Test func logVerificationChecksTheQuorum() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try makeCheckpointedLog(20, in: dir)
        let notePath = log + ".checkpoints/00000000000000000020.note"
        let note = try SignedNote.parse(Array(try Data(contentsOf: URL(fileURLWithPath: notePath))))
        let cosigned = SignedNote(text: note.text, signatures: note.signatures + [witnessA.cosign(checkpointText: note.text, time: 1_780_000_100)])
        try Data(cosigned.serialized.utf8).write(to: URL(fileURLWithPath: notePath))
        var options = VerifyOptions(trustedKeys: [testSigner.verifier])
        options.witnesses = WitnessPolicy(witnesses: [witnessA.verifier], quorum: 1)
        #expect(try AuditLog.verify(logAt: log, options: options).isIntact)
        options.witnesses = WitnessPolicy(witnesses: [witnessA.verifier, witnessB.verifier], quorum: 2)
        let short = try AuditLog.verify(logAt: log, options: options)
        #expect(short.faults.map(\.kind) == [.witnessQuorum], "\(short.faults.map(\.message))")
        // A published copy carries the cosignatures on to the tree's verification.
        let site = dir + "/site"
        _ = try AuditLog.publish(logAt: log, to: site)
        #expect(try AuditLog.verifyPublished(at: site, options: options).faults.map(\.kind) == [.witnessQuorum])
        options.witnesses = WitnessPolicy(witnesses: [witnessA.verifier, witnessB.verifier], quorum: 1)
        #expect(try AuditLog.verifyPublished(at: site, options: options).isIntact)
    }
}

@Suite struct WitnessStateTests {
    func cosign(_ note: SignedNote, old: Int, proof: [Digest32], state: String, keys: [NoteVerifier] = [testSigner.verifier]) throws -> Result<NoteSignature, WitnessRefusal> {
        try Witness.cosign(note: note, oldSize: old, proof: proof, logKeys: keys, signer: witnessA, stateDirectory: state, time: 1_000)
    }

    @Test func extendsAndRefusesRollbackAndFork() throws {
        let state = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let (first, tree) = signedCheckpoint(size: 300)
        let cosignature = try cosign(first, old: 0, proof: [], state: state).get()
        #expect(witnessA.verifier.check(SignedNote(text: first.text, signatures: [cosignature])) == .verified(time: 1_000))

        // A larger tree with the consistency proof from 300.
        let hasher = RFC6962Hasher()
        let bigger = MerkleTree(hasher: hasher, leafHashes: (0..<457).map { hasher.hashLeaf(Array("entry \($0)".utf8)) })
        #expect(bigger.root(size: 300) == tree.root())
        let second = testSigner.sign(text: Checkpoint(origin: "audit.example/log", size: 457, root: bigger.root()).body)
        _ = try cosign(second, old: 300, proof: bigger.consistencyProof(from: 300, to: 457)!, state: state).get()

        // Rollback: the 300 checkpoint again.
        guard case .failure(let rollback) = try cosign(first, old: 457, proof: [], state: state) else { Issue.record("rollback cosigned"); return }
        #expect(rollback.kind == .rollback && rollback.stored?.size == 457 && rollback.given?.size == 300)
        #expect(rollback.message.contains(bigger.root().base64) && rollback.message.contains(tree.root().base64))

        // Fork: another tree of the same size.
        let (forked, forkTree) = signedCheckpoint(size: 457, salt: "x")
        guard case .failure(let fork) = try cosign(forked, old: 457, proof: [], state: state) else { Issue.record("fork cosigned"); return }
        #expect(fork.kind == .fork && fork.message.contains(bigger.root().base64) && fork.message.contains(forkTree.root().base64))

        // Fork: a larger tree that does not extend the cosigned one.
        let (diverging, divergingTree) = signedCheckpoint(size: 500, salt: "y")
        let badProof = divergingTree.consistencyProof(from: 457, to: 500)!
        guard case .failure(let divergence) = try cosign(diverging, old: 457, proof: badProof, state: state) else { Issue.record("divergence cosigned"); return }
        #expect(divergence.kind == .fork)

        // The wrong old size is a conflict naming the size to use.
        guard case .failure(let conflict) = try cosign(diverging, old: 300, proof: [], state: state) else { Issue.record("conflict cosigned"); return }
        #expect(conflict.kind == .conflict && conflict.message.contains("old size 457"))

        // A checkpoint no trusted log key signed.
        let stranger = try NoteSigner(name: "audit.example/log", seed: [UInt8](repeating: 9, count: 32))
        guard case .failure(let untrusted) = try cosign(first, old: 0, proof: [], state: state, keys: [stranger.verifier]) else { Issue.record("untrusted cosigned"); return }
        #expect(untrusted.kind == .untrusted)

        // The state still says 457 with the cosigned root.
        let stored = try String(contentsOfFile: state + "/audit.example%2Flog.checkpoint", encoding: .utf8)
        #expect(stored == Checkpoint(origin: "audit.example/log", size: 457, root: bigger.root()).body)
    }

    @Test(arguments: [("audit.example/log", "audit.example%2Flog.checkpoint"), ("..", "%2E..checkpoint"), ("a b", "a%20b.checkpoint")])
    func stateFileNames(origin: String, name: String) {
        #expect(Witness.stateFileName(origin: origin) == name)
    }

    @Test func requestBodyRoundTrips() throws {
        let (note, tree) = signedCheckpoint(size: 20)
        let request = WitnessRequest(oldSize: 7, proof: tree.consistencyProof(from: 7, to: 20)!, checkpoint: note)
        #expect(request.body.hasPrefix("old 7\n" + request.proof[0].base64 + "\n"))
        #expect(try WitnessRequest.parse(Array(request.body.utf8), path: "r") == request)
        let head = "old 7\n" + request.proof.map { $0.base64 + "\n" }.joined()
        #expect(try WitnessRequest.parse(Array(head.utf8), path: "r").checkpoint == nil)
        #expect(throws: AuditError.invalidProof(path: "r:1", reason: "\"07\" is not a tree size (a decimal without leading zeroes)")) {
            try WitnessRequest.parse(Array("old 07\n".utf8), path: "r")
        }
        #expect(throws: AuditError.invalidProof(path: "r:2", reason: "a consistency proof line is the base64 of a 32-byte hash")) {
            try WitnessRequest.parse(Array("old 7\nAAAA\n".utf8), path: "r")
        }
    }
}

@Suite struct TlogProofTests {
    @Test func roundTripsAndVerifies() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try makeCheckpointedLog(40, in: dir)
        let file = try AuditLog.prove(logAt: log, seq: 17, trustedKeys: [testSigner.verifier])
        let proof = try TlogProof(file)
        let text = proof.text
        #expect(text.hasPrefix("c2sp.org/tlog-proof@v1\nextra " + StandardBase64.encode(Array(file.record.utf8)) + "\nindex 17\n" + file.proof[0].base64 + "\n"))
        #expect(text.hasSuffix("\n\n" + file.checkpoint))
        let parsed = try TlogProof.parse(Array(text.utf8), path: "p")
        #expect(parsed == proof)
        #expect(try parsed.inclusionProofFile() == file)
        #expect(AuditLog.verifyProof(try parsed.inclusionProofFile(), trustedKeys: [testSigner.verifier]).valid)
        // Without the extra data the record comes from elsewhere, and must be the right one.
        var bare = parsed
        bare.extra = nil
        let reparsed = try TlogProof.parse(Array(bare.text.utf8), path: "p")
        #expect(throws: AuditError.self) { try reparsed.inclusionProofFile() }
        #expect(AuditLog.verifyProof(try reparsed.inclusionProofFile(record: Array(file.record.utf8)), trustedKeys: [testSigner.verifier]).valid)
        let other = try AuditLog.prove(logAt: log, seq: 18).record
        #expect(!AuditLog.verifyProof(try reparsed.inclusionProofFile(record: Array(other.utf8)), trustedKeys: [testSigner.verifier]).valid)
    }

    @Test(arguments: [
        ("c2sp.org/tlog-proof@v2\n", "p:1"),
        ("c2sp.org/tlog-proof@v1\nindex 01\n\n", "p:2"),
        ("c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\n", "p:2"),
        ("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n", "p:3"),
        ("c2sp.org/tlog-proof@v1\nindex 1\n", "p:4"),
        ("c2sp.org/tlog-proof@v1\nindex 1", "p:3"),
        ("c2sp.org/tlog-proof@v1\nindex 1\n\nnot a note\n", "p:4"),
    ])
    func malformedIsLocated(text: String, location: String) {
        #expect {
            try TlogProof.parse(Array(text.utf8), path: "p")
        } throws: { error in
            guard case .invalidProof(let path, _) = error as? AuditError else { return false }
            return path == location
        }
    }
}

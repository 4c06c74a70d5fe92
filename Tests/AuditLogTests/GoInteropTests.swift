import Foundation
import Testing
@testable import AuditLog

/// Interoperability with the reference implementation: golang.org/x/mod/sumdb/note and
/// golang.org/x/mod/sumdb/tlog, as Debian ships them (`golang-go`, `golang-golang-x-mod-dev`).
/// Fixtures/go-interop/interop.go is built offline in GOPATH mode against those sources.
enum GoInterop {
    static let sources = "/usr/share/gocode"
    static var go: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/go" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static var available: Bool {
        go != nil && FileManager.default.fileExists(atPath: sources + "/src/golang.org/x/mod/sumdb/tlog/tile.go")
            && FileManager.default.fileExists(atPath: sources + "/src/golang.org/x/mod/sumdb/note/note.go")
    }
    static let program = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/go-interop/interop.go")

    /// Runs a program; (status, stdout, stderr).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, in directory: String? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // stderr is small; stdout is read to the end first.
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    /// Builds the interop program into `dir`, offline, and returns its path.
    static func build(in dir: String) throws -> String {
        let gopath = dir + "/gopath"
        try FileManager.default.createDirectory(atPath: gopath + "/src/interop", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: program.path, toPath: gopath + "/src/interop/interop.go")
        var environment = ProcessInfo.processInfo.environment
        environment["GO111MODULE"] = "off"
        environment["GOPATH"] = gopath + ":" + sources
        environment["GOPROXY"] = "off"
        environment["GOFLAGS"] = ""
        environment["CGO_ENABLED"] = "0"
        environment["GOCACHE"] = NSTemporaryDirectory() + "stepguard-go-cache"
        // CI may run without a home directory; go then has no user configuration to read.
        environment["GOENV"] = "off"
        if environment["HOME"] == nil { environment["HOME"] = dir }
        let binary = dir + "/interop"
        let (status, _, errors) = try run(go!, ["build", "-o", binary, "."], environment: environment, in: gopath + "/src/interop")
        #expect(status == 0, "go build: \(errors)")
        return binary
    }
}

@Suite(.serialized) struct GoInteropTests {
    /// 700 records: a checkpoint at 600 published, then one at 700 published over it.
    static func publishedLog(in dir: String) throws -> (log: String, site: String, oldCheckpoint: String) {
        let log = try makeCheckpointedLog(600, in: dir)
        let site = dir + "/site"
        _ = try AuditLog.publish(logAt: log, to: site)
        let oldCheckpoint = dir + "/old.note"
        try FileManager.default.copyItem(atPath: site + "/checkpoint", toPath: oldCheckpoint)
        _ = try makeCheckpointedLog(100, in: dir, from: 600)
        _ = try AuditLog.publish(logAt: log, to: site)
        return (log, site, oldCheckpoint)
    }

    @Test(.enabled(if: GoInterop.available, "needs go and golang.org/x/mod sources (golang-go, golang-golang-x-mod-dev)"))
    func goChecksWhatStepguardWrote() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let interop = try GoInterop.build(in: dir)
        let (_, site, oldCheckpoint) = try Self.publishedLog(in: dir)

        let request = try AuditLog.witnessRequest(published: site, oldSize: 600).request
        try Data(request.body.utf8).write(to: URL(fileURLWithPath: dir + "/request.txt"))
        let proof = try TlogProof(try AuditLog.prove(published: site, seq: 613).proof)
        try Data(proof.text.utf8).write(to: URL(fileURLWithPath: dir + "/613.tlog-proof"))
        // A witness cosigns the published checkpoint.
        let note = try SignedNote.parse(Array(try Data(contentsOf: URL(fileURLWithPath: site + "/checkpoint"))))
        let cosignature = try Witness.cosign(note: note, oldSize: 0, proof: [], logKeys: [testSigner.verifier], signer: witnessA,
                                             stateDirectory: dir + "/witness", time: 1_780_000_500).get()
        try Data(SignedNote(text: note.text, signatures: note.signatures + [cosignature]).serialized.utf8)
            .write(to: URL(fileURLWithPath: site + "/checkpoint"))
        try Data((testSigner.verifier.verifierKey! + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/log.vkey"))
        try Data((witnessA.verifier.verifierKey + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/witness.vkey"))

        let (status, output, errors) = try GoInterop.run(interop, ["check", site, dir + "/log.vkey", dir + "/613.tlog-proof",
                                                                    dir + "/request.txt", oldCheckpoint, dir + "/witness.vkey"])
        #expect(status == 0, "\(output)\(errors)")
        #expect(output.split(separator: "\n").count == 6 && output.split(separator: "\n").allSatisfy { $0.hasPrefix("ok: ") }, "\(output)")
    }

    @Test(.enabled(if: GoInterop.available, "needs go and golang.org/x/mod sources (golang-go, golang-golang-x-mod-dev)"))
    func stepguardChecksWhatGoWrote() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let interop = try GoInterop.build(in: dir)
        let (log, site, _) = try Self.publishedLog(in: dir)
        let out = dir + "/go"
        let (status, output, errors) = try GoInterop.run(interop, ["make", log, out, "audit.example/go", "600", "613"])
        #expect(status == 0, "\(output)\(errors)")
        func text(_ name: String) throws -> String {
            try String(contentsOfFile: out + "/" + name, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let logKey = try NoteVerifier(verifierKey: try text("log.vkey"))
        let witnesses = WitnessPolicy(witnesses: [try CosignatureVerifier(verifierKey: try text("witness.vkey"))], quorum: 1)

        // The tree Go published verifies here, cosignature included.
        var options = VerifyOptions(trustedKeys: [logKey])
        options.witnesses = witnesses
        let report = try AuditLog.verifyPublished(at: out + "/tiles", options: options)
        #expect(report.isIntact && report.summary == "700/700 records valid", "\(report.findings.map(\.message))")

        // Its tiles and entry bundles are byte for byte the ones stepguard published (which also
        // keeps the partial tiles of the checkpoint at 600).
        let files = try FileManager.default.subpathsOfDirectory(atPath: out + "/tiles/tile")
            .filter { !((try? FileManager.default.attributesOfItem(atPath: out + "/tiles/tile/" + $0)[.type] as? FileAttributeType) == .typeDirectory) }
        #expect(files.sorted() == ["0/000", "0/001", "0/002.p/188", "1/000.p/2", "entries/000", "entries/001", "entries/002.p/188"])
        for file in files {
            #expect(FileManager.default.contents(atPath: site + "/tile/" + file) == FileManager.default.contents(atPath: out + "/tiles/tile/" + file), "\(file)")
        }

        // Go's tlog-proof and consistency proof check out.
        let proof = try TlogProof.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/proof.tlog-proof"))), path: "proof.tlog-proof")
        let verification = AuditLog.verifyProof(try proof.inclusionProofFile(), trustedKeys: [logKey], witnesses: witnesses)
        #expect(verification.valid && verification.seq == 613, "\(verification.problems)")
        let request = try WitnessRequest.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/request.txt"))), path: "request.txt")
        let checkpoint = try Checkpoint.parse(body: try #require(request.checkpoint).text)
        #expect(logKey.check(request.checkpoint!) == .verified)
        let oldRootBytes = try #require(StandardBase64.decode(try text("old-root")))
        let oldRoot = try #require(Digest32(bytes: oldRootBytes))
        #expect(MerkleProof.verifyConsistency(hasher: RFC6962Hasher(), firstSize: 600, secondSize: checkpoint.size,
                                              firstRoot: oldRoot, secondRoot: checkpoint.root, proof: request.proof))
        // And a stepguard witness cosigns the checkpoint Go signed.
        let state = dir + "/witness"
        let goNote = try SignedNote.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/tiles/checkpoint"))))
        #expect(throws: Never.self) {
            _ = try Witness.cosign(note: goNote, oldSize: 0, proof: [], logKeys: [logKey], signer: witnessA, stateDirectory: state, time: 1).get()
        }
    }
}

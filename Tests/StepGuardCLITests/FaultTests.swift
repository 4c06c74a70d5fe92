import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Faults injected around the real binary: a disk that fills up, a directory that refuses new
/// files, a process killed mid-write. Whatever happens, the command exits 2 and the file it was
/// asked to change is either exactly as it was or exactly as it should be.
enum Faults {
    static let prlimit = which("prlimit")

    /// Whether a full disk can be simulated: `prlimit` caps the size of files the process may
    /// write (RLIMIT_FSIZE), so write(2) fails part way with EFBIG just as it fails with ENOSPC
    /// on a full disk.
    static var canFillDisk: Bool { stepguardBinary != nil && prlimit != nil }

    /// Runs stepguard unable to make any regular file larger than `limit` bytes. SIGXFSZ is
    /// ignored (the disposition survives exec) so the write fails instead of killing the process.
    static func runWithFullDisk(limit: Int, _ arguments: [String], input: String? = nil) -> RunResult? {
        guard let binary = stepguardBinary, let prlimit else { return nil }
        let script = "trap '' XFSZ; exec \"$0\" --fsize=\(limit) -- \"$@\""
        return runProcess("/bin/sh", ["-c", script, prlimit, binary] + arguments, input: input, environment: ["NO_COLOR": "1"])
    }

    static func run(_ arguments: [String], input: String? = nil) -> RunResult? {
        guard let binary = stepguardBinary else { return nil }
        return runProcess(binary, arguments, input: input, environment: ["NO_COLOR": "1"])
    }

    /// A fresh directory, removed (made writable first) when `body` returns.
    static func withScratchDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-fault-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer {
            makeWritable(dir)
            try? FileManager.default.removeItem(atPath: dir)
        }
        return try body(dir)
    }

    /// Makes `dir` refuse new entries. Root ignores permission bits, so for root the directory
    /// also gets the immutable attribute (entries cannot be created, removed or renamed; the
    /// contents of existing files can still be written, as in a read-only directory).
    static func makeReadOnly(_ dir: String) -> Bool {
        guard chmod(dir, 0o555) == 0 else { return false }
        if geteuid() == 0 {
            guard let chattr = which("chattr"), runProcess(chattr, ["+i", dir])?.status == 0 else { return false }
        }
        // Confirm: a directory that still takes new files would make the test meaningless.
        let probe = dir + "/.probe"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd >= 0 {
            close(fd)
            unlink(probe)
            return false
        }
        return true
    }

    static func makeWritable(_ dir: String) {
        if geteuid() == 0, let chattr = which("chattr") { _ = runProcess(chattr, ["-i", dir]) }
        _ = chmod(dir, 0o755)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// A policy file that is valid but not in canonical form.
    static let unformattedPolicy = "permit(principal,action,resource)when{context.step>1};\n"
    static let formattedPolicy = "permit (principal, action, resource)\nwhen { context.step > 1 };\n"

    /// The release-pipeline fixture: a plan whose mutation rewrites steps.
    static let releasePipeline = Repository.testsDirectory.appendingPathComponent("Fixtures/release-pipeline").path
}

@Suite(.serialized) struct FaultTests {
    // MARK: keygen

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func keygenIntoReadOnlyDirectoryExitsTwoAndWritesNothing() throws {
        try Faults.withScratchDirectory { dir in
            try Faults.write("keep\n", to: dir + "/keep.txt")
            try #require(Faults.makeReadOnly(dir), "cannot make a read-only directory here")
            let result = try #require(Faults.run(["keygen", "--out", dir + "/issuer"]))
            #expect(result.status == 2)
            #expect(result.stderr.contains(dir + "/issuer.key"))
            #expect(Faults.listing(dir) == ["keep.txt"])
            #expect(Faults.read(dir + "/keep.txt") == "keep\n")
        }
    }

    @Test(.enabled(if: Faults.canFillDisk, "needs the stepguard executable and prlimit"), arguments: [0, 64])
    func keygenOnFullDiskExitsTwoAndLeavesNoFile(limit: Int) throws {
        try Faults.withScratchDirectory { dir in
            let result = try #require(Faults.runWithFullDisk(limit: limit, ["keygen", "--out", dir + "/issuer"]))
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            // Neither key file, nor a temporary file left behind.
            #expect(Faults.listing(dir) == [])
        }
    }

    // MARK: token revoke

    /// A revocation list with some entries, and its exact bytes.
    static let revocationList = (0..<10).map { "jti-\($0)-0123456789abcdef0123456789\n" }.joined()

    @Test(.enabled(if: Faults.canFillDisk, "needs the stepguard executable and prlimit"), arguments: [0, 5])
    func revokeOnFullDiskExitsTwoAndKeepsTheList(room: Int) throws {
        try Faults.withScratchDirectory { dir in
            let file = dir + "/revoked.txt"
            try Faults.write(Self.revocationList, to: file)
            // `room` bytes fit: none at all, or the first few bytes of the new line.
            let limit = Self.revocationList.utf8.count + room
            let jti = "3f9c0a7e5b1d4e2f8a6c9b0d1e2f3a4b"
            let result = try #require(Faults.runWithFullDisk(limit: limit, ["token", "revoke", "--jti", jti, "--revoked", file]))
            #expect(result.status == 2)
            #expect(Faults.read(file) == Self.revocationList)
            // With room, the same command succeeds and appends exactly one line.
            let again = try #require(Faults.run(["token", "revoke", "--jti", jti, "--revoked", file]))
            #expect(again.status == 0)
            #expect(Faults.read(file) == Self.revocationList + jti + "\n")
        }
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func revokeIntoReadOnlyDirectoryExitsTwo() throws {
        try Faults.withScratchDirectory { dir in
            try #require(Faults.makeReadOnly(dir), "cannot make a read-only directory here")
            let file = dir + "/revoked.txt"
            let result = try #require(Faults.run(["token", "revoke", "--jti", "abc", "--revoked", file]))
            #expect(result.status == 2)
            #expect(result.stderr.contains(file))
            #expect(Faults.listing(dir) == [])
        }
    }

    // MARK: fmt -w

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func fmtWriteIntoReadOnlyDirectoryExitsTwoAndKeepsTheFile() throws {
        try Faults.withScratchDirectory { dir in
            let file = dir + "/policy.cedar"
            try Faults.write(Faults.unformattedPolicy, to: file)
            try #require(Faults.makeReadOnly(dir), "cannot make a read-only directory here")
            let result = try #require(Faults.run(["fmt", "-w", file]))
            #expect(result.status == 2)
            #expect(result.stderr.contains(file))
            #expect(Faults.read(file) == Faults.unformattedPolicy)
            #expect(Faults.listing(dir) == ["policy.cedar"])
        }
    }

    @Test(.enabled(if: Faults.canFillDisk, "needs the stepguard executable and prlimit"), arguments: [0, 20])
    func fmtWriteOnFullDiskExitsTwoAndKeepsTheFile(limit: Int) throws {
        try Faults.withScratchDirectory { dir in
            let file = dir + "/policy.cedar"
            try Faults.write(Faults.unformattedPolicy, to: file)
            let result = try #require(Faults.runWithFullDisk(limit: limit, ["fmt", "-w", file]))
            #expect(result.status == 2)
            #expect(Faults.read(file) == Faults.unformattedPolicy)
            #expect(Faults.listing(dir) == ["policy.cedar"])
            // The same command with room formats the file.
            #expect(Faults.run(["fmt", "-w", file])?.status == 0)
            #expect(Faults.read(file) == Faults.formattedPolicy)
        }
    }

    /// `kill -9` at many points of `fmt -w` on a large file: the file is always either the
    /// original or the formatted text, never a mix, never empty.
    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func fmtWriteKilledLeavesOldOrNewFile() throws {
        let binary = try #require(stepguardBinary)
        try Faults.withScratchDirectory { dir in
            let file = dir + "/big.cedar"
            let original = (0..<600).map { i in
                "@id(\"p\(i)\")\npermit(principal==User::\"u\(i)\",action in [Action::\"read\",Action::\"list\"],resource)when{context.n>\(i)&&resource.owner==principal};"
            }.joined(separator: "\n") + "\n"
            try Faults.write(original, to: file)
            let formatted = try #require(Faults.run(["fmt", file]))
            try #require(formatted.status == 0)
            let expected = formatted.stdout
            try #require(expected != original)

            // How long a whole run takes, to spread the kills across it.
            let start = Date()
            try #require(Faults.run(["fmt", "-w", file])?.status == 0)
            let duration = Date().timeIntervalSince(start)
            #expect(Faults.read(file) == expected)

            var sawOld = 0, sawNew = 0
            for round in 0..<8 {
                try Faults.write(original, to: file)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["fmt", "-w", file]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                // From early in the run to just past its end.
                usleep(useconds_t(duration * 1.2 * Double(round) / 7 * 1_000_000))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                let now = Faults.read(file)
                #expect(now == original || now == expected, "round \(round): the file is neither the old nor the new text")
                if now == original { sawOld += 1 } else if now == expected { sawNew += 1 }
            }
            // The first kill lands before the rename. (Whether a late one lands after it depends
            // on the machine's load, so it is not required.)
            #expect(sawOld > 0)
            #expect(sawOld + sawNew == 8)
        }
    }

    // MARK: mutate -o

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func mutateOutputIntoReadOnlyDirectoryExitsTwoAndKeepsTheFile() throws {
        try Faults.withScratchDirectory { dir in
            let output = dir + "/safe.json"
            try Faults.write("{\"previous\": true}\n", to: output)
            try #require(Faults.makeReadOnly(dir), "cannot make a read-only directory here")
            let result = try #require(Faults.run(["mutate", Faults.releasePipeline + "/plan.json", "-o", output]))
            #expect(result.status == 2)
            #expect(result.stderr.contains(output))
            #expect(Faults.read(output) == "{\"previous\": true}\n")
            #expect(Faults.listing(dir) == ["safe.json"])
        }
    }

    @Test(.enabled(if: Faults.canFillDisk, "needs the stepguard executable and prlimit"), arguments: [0, 100])
    func mutateOutputOnFullDiskExitsTwoAndKeepsTheFile(limit: Int) throws {
        try Faults.withScratchDirectory { dir in
            let output = dir + "/safe.json"
            try Faults.write("{\"previous\": true}\n", to: output)
            let result = try #require(Faults.runWithFullDisk(limit: limit, ["mutate", Faults.releasePipeline + "/plan.json", "-o", output]))
            #expect(result.status == 2)
            #expect(Faults.read(output) == "{\"previous\": true}\n")
            #expect(Faults.listing(dir) == ["safe.json"])
        }
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func mutateOutputThroughSymlinkToDevFullExitsTwo() throws {
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        try Faults.withScratchDirectory { dir in
            // The link names a device: it must be written in place (and fail with ENOSPC), never
            // replaced by renaming a file over it.
            let link = dir + "/safe.json"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/full")
            let refused = try #require(Faults.run(["mutate", Faults.releasePipeline + "/plan.json", "-o", link]))
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("is a symbolic link"), "\(refused.stderr)")
            let result = try #require(Faults.run(["mutate", Faults.releasePipeline + "/plan.json", "-o", link, "--force"]))
            #expect(result.status == 2)
            #expect(result.stderr.contains("No space left on device"))
            let attributes = try FileManager.default.attributesOfItem(atPath: link)
            #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
            #expect(Faults.listing(dir) == ["safe.json"])
        }
    }

    // MARK: audit append / checkpoint

    static let event = "{\"kind\": \"decision\", \"plan\": \"p\", \"step\": \"s\", \"principal\": \"Agent::\\\"a\\\"\", \"action\": \"deploy\", \"resource\": \"Service::\\\"x\\\"\", \"outcome\": \"allow\", \"policies\": [\"p0\"]}"

    /// A log of three records written by `audit append` itself.
    static func makeLog(_ path: String) throws {
        for _ in 0..<3 {
            let result = try #require(Faults.run(["audit", "append", path], input: event))
            try #require(result.status == 0, "audit append: \(result.stderr)")
        }
    }

    @Test(.enabled(if: Faults.canFillDisk, "needs the stepguard executable and prlimit"), arguments: [0, 40])
    func auditAppendOnFullDiskExitsTwoAndKeepsTheLog(room: Int) throws {
        try Faults.withScratchDirectory { dir in
            let log = dir + "/audit.jsonl"
            try Self.makeLog(log)
            let before = try #require(Faults.read(log))
            // `room` bytes fit: none, or the start of the new record.
            let result = try #require(Faults.runWithFullDisk(limit: before.utf8.count + room, ["audit", "append", log], input: Self.event))
            #expect(result.status == 2)
            // A write that fails part way is cut back: the log is exactly as it was.
            #expect(Faults.read(log) == before)
            let verify = try #require(Faults.run(["audit", "verify", log]))
            #expect(verify.status == 0, "the log no longer verifies: \(verify.stdout)\(verify.stderr)")
        }
    }

    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func auditAppendIntoReadOnlyDirectoryExitsTwo() throws {
        try Faults.withScratchDirectory { dir in
            try #require(Faults.makeReadOnly(dir), "cannot make a read-only directory here")
            let log = dir + "/audit.jsonl"
            let result = try #require(Faults.run(["audit", "append", log], input: Self.event))
            #expect(result.status == 2)
            #expect(result.stderr.contains(log))
            #expect(Faults.listing(dir) == [])
        }
    }

    /// `kill -9` at many points of a long `audit append`: every append reported before the kill
    /// is in the log, in order; what is left verifies, or verifies after `--repair`, which drops
    /// only the torn last line. Records of 256 KB make a kill inside write(2) possible.
    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func auditAppendKilledLosesOnlyTheTornLine() throws {
        let binary = try #require(stepguardBinary)
        try Faults.withScratchDirectory { dir in
            let log = dir + "/audit.jsonl"
            let events = dir + "/events.jsonl"
            let count = 12
            let padding = String(repeating: "x", count: 1 << 18)
            let text = (0..<count).map { i in
                "{\"kind\": \"decision\", \"plan\": \"p\", \"step\": \"s\(i)\", \"outcome\": \"allow\", \"resource\": \"\(padding)\"}"
            }.joined(separator: "\n") + "\n"
            try Faults.write(text, to: events)

            let start = Date()
            try #require(Faults.run(["audit", "append", log, "--event", events])?.status == 0)
            let duration = Date().timeIntervalSince(start)
            try FileManager.default.removeItem(atPath: log)

            var torn = 0, whole = 0
            for round in 0..<8 {
                try? FileManager.default.removeItem(atPath: log)
                let stdout = dir + "/stdout-\(round)"
                _ = FileManager.default.createFile(atPath: stdout, contents: nil)
                let output = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["audit", "append", log, "--event", events]
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                usleep(useconds_t(duration * (0.3 + 0.7 * Double(round) / 7) * 1_000_000))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try output.close()
                // Each "appended seq N" line is printed after that record's fsync.
                let reported = (Faults.read(stdout) ?? "").split(separator: "\n").count

                guard FileManager.default.fileExists(atPath: log) else {
                    #expect(reported == 0)
                    continue
                }
                let verify = try #require(Faults.run(["audit", "verify", "-q", log]))
                if verify.status == 0 {
                    whole += 1
                } else {
                    torn += 1
                    #expect(verify.stdout.contains("torn") || verify.stdout.contains("not a record"), "round \(round): \(verify.stdout)")
                    let repair = try #require(Faults.run(["audit", "append", "--repair", log]))
                    #expect(repair.status == 0, "round \(round): \(repair.stderr)")
                    let again = try #require(Faults.run(["audit", "verify", "-q", log]))
                    #expect(again.status == 0, "round \(round) after --repair: \(again.stdout)")
                }
                // What remains is the first records of the batch, in order, and at least every
                // one that was reported; at most the one in flight besides.
                let lines = (Faults.read(log) ?? "").split(separator: "\n")
                #expect(lines.count >= reported && lines.count <= reported + 1, "round \(round): \(lines.count) records, \(reported) reported")
                for (index, line) in lines.enumerated() {
                    #expect(line.contains("\"step\":\"s\(index)\""), "round \(round): record \(index) is not event \(index)")
                }
            }
            #expect(torn + whole > 0)
            print("audit append killed 8 times: \(torn) torn tails repaired, \(whole) logs whole")
        }
    }

    /// Checkpoints signed while other processes append: every checkpoint must cover records the
    /// log really has, with the root of exactly those records, so the log verifies at the end.
    @Test(.enabled(if: stepguardBinary != nil, "the stepguard executable was not built"))
    func auditCheckpointRacingAppendSignsOnlyWhatTheLogHas() throws {
        let binary = try #require(stepguardBinary)
        try Faults.withScratchDirectory { dir in
            let log = dir + "/audit.jsonl"
            try #require(Faults.run(["keygen", "--out", dir + "/audit"])?.status == 0)
            try Self.makeLog(log)
            let appends = 30
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                for _ in 0..<appends { _ = runProcess(binary, ["audit", "append", log], input: Self.event) }
            }
            var statuses: [Int32] = []
            for _ in 0..<15 {
                let result = try #require(Faults.run(["audit", "checkpoint", log, "--key", dir + "/audit.key"]))
                statuses.append(result.status)
                #expect(result.status == 0, "checkpoint: \(result.stderr)")
            }
            group.wait()
            #expect(Faults.read(log)?.split(separator: "\n").count == 3 + appends)
            let verify = try #require(Faults.run(["audit", "verify", log, "--key", dir + "/audit.pub", "--verbose"]))
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            let checkpoints = Faults.listing(log + ".checkpoints").filter { $0.hasSuffix(".note") }
            #expect(!checkpoints.isEmpty)
        }
    }
}

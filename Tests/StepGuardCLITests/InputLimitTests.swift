import Foundation
import Testing
@testable import StepGuardCLI

/// Every file a command reads whole is bounded (docs/limits.md): past the bound the command
/// exits 2 naming the file and the limit, and reads nothing more.
struct InputLimitTests {
    /// A sparse file just over 32 MiB: its size is known before a byte is read.
    static func oversizedFile(named name: String) throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("permit(principal, action, resource);\n".utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(FileReader.maxFileBytes + 1))
        try handle.close()
        return (directory, path)
    }

    @Test(arguments: [["fmt"], ["fmt", "--check"], ["lint"], ["authorize", "--principal", "User::\"a\"", "--action", "Action::\"r\"", "--resource", "R::\"x\"", "--policies"]])
    func oversizedPolicyFileIsRefused(command: [String]) throws {
        let (directory, path) = try Self.oversizedFile(named: "big.cedar")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = runCLI(command + [path])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("big.cedar"), "\(result.stderr)")
        #expect(result.stderr.contains("larger than the 32 MiB limit"), "\(result.stderr)")
    }

    /// A device is endless input, or none: it is refused by name, never read.
    @Test func devicesAreRefused() throws {
        #expect(throws: CLIError.unreadableFile(path: "/dev/zero", reason: "is a device, not a regular file; give a file (or - for stdin)")) {
            try FileReader.read("/dev/zero", limit: 1 << 20)
        }
    }

    @Test func fileAtTheLimitIsRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data().write(to: URL(fileURLWithPath: path))
        let bytes = try FileReader.read(path, limit: 0)
        #expect(bytes.isEmpty)
    }
}

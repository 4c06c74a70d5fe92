import Foundation
import Testing
import Basics

@Suite struct FilesTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("basics-\(UUID().uuidString)").path
    }

    @Test func boundedReadStopsAtTheLimit() throws {
        // A device is refused by name, never read (it could read without end, or block).
        #expect(throws: FileError.unreadable(path: "/dev/zero", reason: "is a device, not a regular file; give a file (or - for stdin)")) {
            try BoundedRead.file("/dev/zero", limit: 1 << 20)
        }
        #expect(throws: FileError.unreadable(path: "/", reason: "is a directory")) { try BoundedRead.file("/", limit: 10) }
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try AtomicWrite.write("12345", to: path)
        #expect(try BoundedRead.file(path, limit: 5) == Array("12345".utf8))
        #expect(throws: FileError.self) { try BoundedRead.file(path, limit: 4) }
        try AtomicWrite.write("", to: path)
        #expect(try BoundedRead.file(path, limit: 0) == [])
    }

    @Test func atomicWriteReplacesOrRefuses() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try AtomicWrite.write("first", to: path, permissions: 0o600, overwrite: false)
        #expect(throws: FileError.exists(path: path)) { try AtomicWrite.write("second", to: path, overwrite: false) }
        try AtomicWrite.write("second", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        let directory = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") && $0.contains("basics-") }.isEmpty)
    }
}

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

    /// Whatever the input's length and however it arrives (a file read from its start or from
    /// part-way, a pipe that fills several buffers, bytes already held), every byte is read once,
    /// in order, and a limit passed is an error.
    @Test(arguments: [0, 1, 4095, 65_536, 65_537, 300_001])
    func boundedReadReadsEveryByteOnce(length: Int) throws {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try BoundedRead.file(path, limit: length) == bytes)
        if length > 0 { #expect(throws: FileError.self) { try BoundedRead.file(path, limit: length - 1) } }

        // From part-way through an open file, after bytes already held.
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let skip = length / 3
        lseek(fd, off_t(skip), SEEK_SET)
        var held: [UInt8] = [7, 7]
        try BoundedRead.descriptor(fd, into: &held, path: path, limit: length + 2)
        #expect(held == [7, 7] + bytes[skip...])

        // Through a pipe, written from another thread in pieces.
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let input = ends[1]
        let writer = Thread {
            var at = 0
            while at < bytes.count {
                let n = min(10_000, bytes.count - at)
                _ = bytes[at..<(at + n)].withUnsafeBytes { write(input, $0.baseAddress!, n) }
                at += n
            }
            close(input)
        }
        writer.start()
        var piped: [UInt8] = []
        try BoundedRead.descriptor(ends[0], into: &piped, path: "-", limit: length)
        close(ends[0])
        #expect(piped == bytes)
    }

    /// A directory's names are Foundation's, whatever the entries are; a missing directory is
    /// an error that names it.
    @Test func directoryListingNamesWhatFoundationNames() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path + "/sub", withIntermediateDirectories: true)
        for name in ["a.cedar", ".hidden", "caf\u{e9}.json", "e\u{301}.cedar", "space name", String(repeating: "n", count: 200)] {
            try AtomicWrite.write("x", to: path + "/" + name)
        }
        try FileManager.default.createSymbolicLink(atPath: path + "/link", withDestinationPath: path + "/a.cedar")
        #expect(try DirectoryListing.names(path).sorted() == FileManager.default.contentsOfDirectory(atPath: path).sorted())
        #expect(try DirectoryListing.names(path + "/sub") == [])
        #expect(throws: FileError.self) { try DirectoryListing.names(path + "/absent") }
        #expect(throws: FileError.self) { try DirectoryListing.names(path + "/a.cedar") }
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

import Basics
import Foundation
import Testing

/// What the binary uses in place of Foundation answers as Foundation does: the tests may link
/// Foundation, the binary does not.
struct FoundationParityTests {
    // Foundation's own path reading traps on some texts ("///a//"), which are left out.
    static let paths = [
        "/tmp/scratch.tiff", "/tmp/lock/", "/tmp/", "/tmp", "/", "//", "scratch.tiff", "a/b//c//",
        "dir/./x", "./x", "../a/b", "", "policies", "policies/", "é/ü/", "a\u{301}/b",
    ]

    @Test(arguments: paths)
    func deletingLastComponentAsNSString(_ path: String) {
        #expect(PathText.deletingLastComponent(path) == (path as NSString).deletingLastPathComponent)
    }

    @Test(arguments: paths)
    func appendingAsNSString(_ path: String) {
        for component in ["tools.json", "", "a/b", "/x"] {
            #expect(PathText.appending(component, to: path) == (path as NSString).appendingPathComponent(component))
        }
    }

    @Test func whitespaceIsFoundationsSetOnEveryScalar() {
        let set = CharacterSet.whitespacesAndNewlines
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(String.isTrimmedWhitespace(scalar) == set.contains(scalar), "U+\(String(value, radix: 16))")
        }
    }

    @Test(arguments: ["", " ", " \t\n a b \r\n", "\u{A0}x\u{3000}", "\u{2028}x\u{85}", " \u{301}x ", "x", "\u{FEFF}x\u{200B}"])
    func trimmingAsFoundation(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test(arguments: ["", "deny", "allowed", "😀x", "e\u{301}", "a😀"])
    func paddingAsNSString(_ text: String) {
        for length in 0...9 {
            #expect(text.padded(toLength: length) == text.padding(toLength: length, withPad: " ", startingAt: 0))
        }
    }

    @Test func environmentAsProcessInfo() {
        setenv("STEPGUARD_PARITY_TEST", "a=b=c", 1)
        setenv("STEPGUARD_PARITY_EMPTY", "", 1)
        defer {
            unsetenv("STEPGUARD_PARITY_TEST")
            unsetenv("STEPGUARD_PARITY_EMPTY")
        }
        let environment = ProcessInfo.processInfo.environment
        for name in ["STEPGUARD_PARITY_TEST", "STEPGUARD_PARITY_EMPTY", "STEPGUARD_PARITY", "PATH", "HOME", "NOT_SET_ANYWHERE_\(getpid())"] {
            #expect(Environment.process[name] == environment[name], "\(name)")
        }
        let fixed: Environment = ["A": "1", "B": "", "A": "2"]
        #expect(fixed["A"] == "2")
        #expect(fixed["B"] == "")
        #expect(fixed["C"] == nil)
    }

    @Test func pathKindAsFileManager() throws {
        let root = NSTemporaryDirectory() + "stepguard-pathkind-\(getpid())"
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        FileManager.default.createFile(atPath: root + "/file", contents: Data("x".utf8))
        try FileManager.default.createSymbolicLink(atPath: root + "/to-dir", withDestinationPath: root + "/dir")
        try FileManager.default.createSymbolicLink(atPath: root + "/dangling", withDestinationPath: root + "/missing")
        for name in ["dir", "file", "to-dir", "dangling", "missing", "file/below"] {
            let path = root + "/" + name
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let expected: PathKind = !exists ? .missing : isDirectory.boolValue ? .directory : .other
            #expect(PathKind(path) == expected, "\(name)")
        }
    }

    @Test func aThreadWithTheStackAskedForRunsAndIsJoined() {
        final class Box: @unchecked Sendable { var stack = 0 }
        let box = Box()
        #expect(runOnThread(stackSize: 64 << 20) {
            #if os(Linux)
            // glibc's pthread_getattr_np (a GNU extension the Glibc module leaves out) reads a
            // running thread's attributes.
            typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
            guard let symbol = dlsym(nil, "pthread_getattr_np") else { return }
            var attributes = pthread_attr_t()
            if unsafeBitCast(symbol, to: GetAttributes.self)(pthread_self(), &attributes) == 0 {
                pthread_attr_getstacksize(&attributes, &box.stack)
                pthread_attr_destroy(&attributes)
            }
            #else
            box.stack = 64 << 20
            #endif
        })
        #expect(box.stack >= 64 << 20)
    }

    @Test func conditionHandsValuesBetweenThreads() {
        final class Queue: @unchecked Sendable {
            let condition = ThreadCondition()
            var items: [Int] = []
            var done = false
        }
        let queue = Queue()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            for n in 0..<1_000 {
                queue.condition.lock()
                queue.items.append(n)
                queue.condition.signal()
                queue.condition.unlock()
            }
            queue.condition.lock()
            queue.done = true
            queue.condition.broadcast()
            queue.condition.unlock()
        }
        var received: [Int] = []
        queue.condition.lock()
        while true {
            if !queue.items.isEmpty {
                received += queue.items
                queue.items.removeAll()
            } else if queue.done {
                break
            } else {
                queue.condition.wait()
            }
        }
        queue.condition.unlock()
        group.wait()
        #expect(received == Array(0..<1_000))
    }
}

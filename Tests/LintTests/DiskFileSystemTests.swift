import Foundation
import Testing
@testable import Lint

/// A policy file reached through a symbolic link is measured by what the link points to: a
/// link's own few bytes must not let a file too large to read through to be linted as empty.
@Test("a symbolic link to a policy file over the limit is too large, not linted as empty")
func linkedFileOverTheLimitIsTooLarge() throws {
    let root = NSTemporaryDirectory() + "stepguard-lint-link-\(getpid())"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let large = root + "/large.data"
    // Sparse: the size without the writing.
    #expect(FileManager.default.createFile(atPath: large, contents: nil))
    let handle = try #require(FileHandle(forWritingAtPath: large))
    try handle.truncate(atOffset: UInt64(Linter.maxFileBytes + 1))
    try handle.close()
    let link = root + "/policy.cedar"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: large)
    #expect(DiskFileSystem().readableSize(link) == Linter.maxFileBytes + 1)
    #expect(throws: LintError.tooLarge(link, limit: Linter.maxFileBytes)) { try Linter.lint(paths: [link]) }
}

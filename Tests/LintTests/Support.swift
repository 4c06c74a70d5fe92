import Foundation
@testable import Lint

/// The test fixtures directory.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// Every file under `directory` (recursively), keyed by its path relative to `relativeTo`.
func loadTree(_ directory: String, relativeTo base: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return out }
    while let name = enumerator.nextObject() as? String {
        let path = directory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else { continue }
        let relative = String(path.dropFirst(base.count + 1))
        out[relative] = [UInt8](data)
    }
    return out
}

/// Compares `actual` with the golden file `name`; rewrites it when STEPGUARD_UPDATE_GOLDENS=1.
func matchesGolden(_ actual: String, _ name: String) -> Bool {
    let path = fixturesDirectory + "/golden/" + name
    if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDENS"] == "1" {
        try? FileManager.default.createDirectory(atPath: fixturesDirectory + "/golden", withIntermediateDirectories: true)
        return FileManager.default.createFile(atPath: path, contents: Data(actual.utf8))
    }
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    return String(decoding: data, as: UTF8.self) == actual
}

/// Writes a generated document when STEPGUARD_REGENERATE_DOCS=1; otherwise says whether the
/// committed file matches.
func documentIsCurrent(_ generated: String, at relativePath: String) -> Bool {
    let path = repositoryRoot + "/" + relativePath
    if ProcessInfo.processInfo.environment["STEPGUARD_REGENERATE_DOCS"] == "1" {
        return FileManager.default.createFile(atPath: path, contents: Data(generated.utf8))
    }
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    return String(decoding: data, as: UTF8.self) == generated
}

/// The fixture project linted from memory, paths relative to the fixtures directory.
func lintFixtureProject(configuration: LintConfiguration = LintConfiguration()) throws -> LintResult {
    let files = loadTree(fixturesDirectory + "/project", relativeTo: fixturesDirectory).mapKeys { $0 }
    return try Linter.lint(paths: ["project"], configuration: configuration, fileSystem: MemoryFileSystem(bytes: files))
}

extension Dictionary {
    func mapKeys<K: Hashable>(_ transform: (Key) -> K) -> [K: Value] {
        Dictionary<K, Value>(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

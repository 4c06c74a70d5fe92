import Foundation
import JSONValue
@testable import Workflow

/// The fixtures folder, located from this file so tests run from any working directory.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// The repository root (for the shipped examples under policies/examples).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

func fixture(_ relative: String) -> String { fixtures + "/" + relative }

func readText(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

/// Compares `actual` with a golden file; with `STEPGUARD_UPDATE_GOLDENS=1` writes it instead.
func matchesGolden(_ actual: String, _ path: String) -> Bool {
    if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDENS"] == "1" {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return FileManager.default.createFile(atPath: path, contents: Data(actual.utf8))
    }
    return readText(path) == actual
}

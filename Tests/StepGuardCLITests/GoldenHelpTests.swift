import Foundation
import Testing
@testable import StepGuardCLI

/// The help of every command, pinned. Regenerate after an intended change with
/// `STEPGUARD_UPDATE_GOLDEN=1 swift test --filter StepGuardCLITests.GoldenHelpTests`.
struct GoldenHelpTests {
    static let paths: [[String]] = [[]] + CommandTable.root.visibleDescendants().map(\.path)

    static func goldenName(_ path: [String]) -> String {
        "help-" + (path.isEmpty ? "stepguard" : path.joined(separator: "-")) + ".txt"
    }

    @Test(arguments: paths)
    func helpMatchesGolden(path: [String]) throws {
        let result = runCLI(["help"] + path)
        #expect(result.status == 0)
        let file = Repository.golden.appendingPathComponent(Self.goldenName(path))
        if ProcessInfo.processInfo.environment["STEPGUARD_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Repository.golden, withIntermediateDirectories: true)
            try AtomicFile.write(result.stdout, to: file.path)
            return
        }
        let golden = try? String(contentsOf: file, encoding: .utf8)
        #expect(
            golden == result.stdout,
            """
            help of '\((["stepguard"] + path).joined(separator: " "))' differs from \(file.lastPathComponent); \
            if the change is intended, regenerate with: \
            STEPGUARD_UPDATE_GOLDEN=1 swift test --filter StepGuardCLITests.GoldenHelpTests
            """)
    }

    @Test func noGoldenForACommandThatIsGone() throws {
        let expected = Set(Self.paths.map(Self.goldenName))
        let present = try FileManager.default.contentsOfDirectory(atPath: Repository.golden.path)
            .filter { $0.hasPrefix("help-") }
        for name in present {
            #expect(expected.contains(name), "\(name) pins the help of a command that no longer exists; delete it")
        }
    }

    @Test(arguments: paths)
    func helpFitsEightyColumns(path: [String]) {
        let help = runCLI(["help"] + path).stdout
        for line in help.split(separator: "\n") where !line.hasPrefix("  stepguard ") && !line.hasPrefix("    ") {
            #expect(DisplayWidth.of(String(line)) <= 80, "too long: \(line)")
        }
    }
}

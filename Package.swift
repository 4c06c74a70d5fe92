// swift-tools-version:6.0
// stepguard: governance for autonomous agent workflows. No package dependencies, by design.
import Foundation
import PackageDescription

/// Fixture and golden-file folders of a test target: data read by the tests, not sources.
func testData(_ target: String) -> [String] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Tests/\(target)")
    return ["Fixtures", "Golden"].filter {
        FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path)
    }
}

/// Release builds call each generic type's metadata accessor directly instead of spelling the
/// type as a mangled name that the runtime demangles on first use: the gate runs before every
/// tool call, and first-use demangling was a fifth of its time (BENCHMARKS.md, "One static
/// executable").
///
/// On Linux each function is also compiled into a section of its own, so that the link can place
/// the functions a gate call runs together (see `linkOrder`).
let startUp: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
]

/// The functions a gate call runs (written by `Benchmarks/gate/link-order.sh` from profiles of
/// gate calls): the release link puts them first in the executable's code, so
/// a call faults in a few pages of code rather than one for nearly every function it runs
/// (BENCHMARKS.md, "Code in the order a call runs it"). The toolchain's own `lld` does the
/// ordering; a name the code no longer has is passed over.
let linkOrder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/stepguard/link-order.txt").path

let package = Package(
    name: "stepguard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "stepguard", targets: ["stepguard"]),
    ],
    targets: [
        .executableTarget(
            name: "stepguard", dependencies: ["StepGuardCLI"], exclude: ["link-order.txt"], swiftSettings: startUp,
            linkerSettings: [
                // The toolchain's static-stdlib link exports every symbol of the program
                // (`-export-dynamic`); nothing looks them up, but the runtime's start-up resolves its
                // own path with `dladdr`, which scans them all (BENCHMARKS.md, "Without Foundation").
                .unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux])),
                // A release binary links everything in, C++ runtime and C library too: the gate runs
                // before every tool call, and resolving libstdc++ and libc at start-up was most of the
                // bare start-up (BENCHMARKS.md, "One static executable"). It needs no shared library.
                .unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release)),
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(linkOrder)", "-Xlinker", "--no-warn-symbol-ordering"],
                    .when(platforms: [.linux], configuration: .release)),
            ]
        ),
        .target(
            name: "StepGuardCLI",
            dependencies: ["Gate", "Approvals", "Workflow", "Lint", "Credentials", "AuditLog", "Cedar", "JSONValue", "Crypto", "Basics"],
            swiftSettings: startUp
        ),
        // Signed approvals of held steps: documents, approver keys, and the judge eval, mutate,
        // mint and test release held steps with.
        .target(name: "Approvals", dependencies: ["Workflow", "Credentials", "AuditLog", "Crypto", "JSONValue", "Basics"], swiftSettings: startUp),
        .target(name: "Gate", dependencies: ["Workflow", "Approvals", "AuditLog", "JSONValue", "Crypto", "Basics"], swiftSettings: startUp),
        .target(name: "Workflow", dependencies: ["Cedar", "JSONValue", "Crypto", "Basics"], swiftSettings: startUp),
        .target(name: "Lint", dependencies: ["Workflow", "Cedar", "JSONValue", "Basics"], swiftSettings: startUp),
        .target(name: "Credentials", dependencies: ["Crypto", "JSONValue", "Basics"], swiftSettings: startUp),
        .target(name: "AuditLog", dependencies: ["Crypto", "JSONValue", "CHotPaths", "Basics"], swiftSettings: startUp),
        .target(name: "Cedar", dependencies: ["JSONValue", "Basics"], swiftSettings: startUp),
        .target(name: "Crypto", dependencies: ["CHotPaths"], swiftSettings: startUp),
        // The measured hot paths of `audit verify` (see BENCHMARKS.md): SHA-256 compression with
        // the CPU's SHA instructions (Crypto falls back to Swift where they are missing) and a
        // cache prefetch for the joins' table lookups.
        .target(name: "CHotPaths"),
        .target(name: "JSONValue", swiftSettings: startUp),
        // What every module shares and is not JSON: no dependencies of its own.
        .target(name: "Basics", swiftSettings: startUp),
        .executableTarget(
            name: "stepguard-bench",
            dependencies: ["Cedar", "Workflow", "Lint", "Crypto", "AuditLog", "JSONValue"],
            path: "Benchmarks/stepguard-bench"
        ),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"], exclude: testData("BasicsTests")),
        .testTarget(name: "JSONValueTests", dependencies: ["JSONValue"], exclude: testData("JSONValueTests")),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], exclude: testData("CryptoTests")),
        .testTarget(name: "CedarTests", dependencies: ["Cedar", "JSONValue"], exclude: testData("CedarTests")),
        .testTarget(name: "CredentialsTests", dependencies: ["ProcessSupport", "Credentials", "Crypto", "JSONValue"], exclude: testData("CredentialsTests")),
        .testTarget(name: "AuditLogTests", dependencies: ["AuditLog", "Crypto", "JSONValue"], exclude: testData("AuditLogTests")),
        .testTarget(name: "WorkflowTests", dependencies: ["ProcessSupport", "Basics", "Workflow", "Approvals", "Cedar", "JSONValue"], exclude: testData("WorkflowTests")),
        .testTarget(name: "LintTests", dependencies: ["Lint", "Cedar", "JSONValue", "Basics"], exclude: testData("LintTests")),
        // Running the built binary and other programs from the tests.
        .target(name: "ProcessSupport", path: "Tests/ProcessSupport"),
        .testTarget(name: "GateTests", dependencies: ["ProcessSupport", "Gate", "Approvals", "Credentials", "Workflow", "AuditLog", "JSONValue", "Crypto"], exclude: testData("GateTests")),
        .testTarget(name: "StepGuardCLITests", dependencies: ["ProcessSupport", "StepGuardCLI"], exclude: testData("StepGuardCLITests")),
    ]
)

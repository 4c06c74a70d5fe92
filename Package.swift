// swift-tools-version:6.0
// stepguard: governance for autonomous agent workflows. No package dependencies, by design.
import PackageDescription

let package = Package(
    name: "stepguard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "stepguard", targets: ["stepguard"]),
    ],
    targets: [
        .executableTarget(name: "stepguard", dependencies: ["StepGuardCLI"]),
        .target(
            name: "StepGuardCLI",
            dependencies: ["Workflow", "Lint", "Credentials", "AuditLog", "Cedar", "JSONValue", "Crypto"]
        ),
        .target(name: "Workflow", dependencies: ["Cedar", "JSONValue", "Crypto"]),
        .target(name: "Lint", dependencies: ["Workflow", "Cedar", "JSONValue"]),
        .target(name: "Credentials", dependencies: ["Crypto", "JSONValue"]),
        .target(name: "AuditLog", dependencies: ["Crypto", "JSONValue"]),
        .target(name: "Cedar", dependencies: ["JSONValue"]),
        .target(name: "Crypto"),
        .target(name: "JSONValue"),
        .executableTarget(
            name: "stepguard-bench",
            dependencies: ["Cedar", "Workflow", "Lint", "Crypto", "AuditLog", "JSONValue"],
            path: "Benchmarks/stepguard-bench"
        ),
        .testTarget(name: "JSONValueTests", dependencies: ["JSONValue"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "CedarTests", dependencies: ["Cedar", "JSONValue"]),
        .testTarget(name: "CredentialsTests", dependencies: ["Credentials", "Crypto", "JSONValue"]),
        .testTarget(name: "AuditLogTests", dependencies: ["AuditLog", "Crypto", "JSONValue"]),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "Cedar", "JSONValue"]),
        .testTarget(name: "LintTests", dependencies: ["Lint", "Cedar", "JSONValue"]),
        .testTarget(name: "StepGuardCLITests", dependencies: ["StepGuardCLI"]),
    ]
)

import Foundation
import Testing
@testable import StepGuardCLI

/// Every shipped policy directory with a schema agrees with it: its policies validate, its
/// entities read through it, lint finds nothing wrong in it, and its suites pass — and a
/// disagreement between schema, entities and policies fails.
struct ExampleSchemaTests {
    /// The shipped directories (`policies/*`, `policies/examples/*`) that hold a schema.
    static let directories: [String] = {
        let policies = Repository.root.appendingPathComponent("policies")
        var found: [String] = []
        for parent in [policies, policies.appendingPathComponent("examples")] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
            for name in names.sorted() {
                let directory = parent.appendingPathComponent(name).path
                if ["schema.cedarschema", "schema.cedarschema.json"].contains(where: {
                    FileManager.default.fileExists(atPath: directory + "/" + $0)
                }) {
                    found.append(directory)
                }
            }
        }
        return found
    }()

    static let release = Repository.root.appendingPathComponent("policies/examples/release-pipeline").path

    @Test func theReleaseExampleShipsASchema() {
        #expect(Self.directories.contains(Self.release))
    }

    @Test(arguments: directories)
    func schemaEntitiesAndPoliciesAgree(_ directory: String) throws {
        let validate = runCLI(["validate", "-p", directory])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains("and \(directory)/entities.json validate against \(directory)/schema.cedarschema"), "\(validate.stdout)")

        let lint = runCLI(["lint", "--format", "json", directory])
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any])
        let rules = ((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["rule"] as? String }
        for schemaRule in ["SG100", "SG101", "SG102", "SG103", "SG104"] {
            #expect(!rules.contains(schemaRule), "\(directory): \(lint.stdout)")
        }

        let test = runCLI(["test", directory])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
    }

    /// A copy of the release example with `change` applied to one of its files.
    static func releaseCopy(_ file: String, _ change: (String) -> String) throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("stepguard-schema-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: release), to: copy)
        let url = copy.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the change applies")
        try changed.write(to: url, atomically: true, encoding: .utf8)
        return copy
    }

    /// bob's key as PEM text, which this directory's schema does not admit: every command that
    /// reads the entities stops at its place in entities.json.
    @Test func entitiesTheSchemaRefusesStopEveryCommand() throws {
        let copy = try Self.releaseCopy("entities.json") {
            $0.replacingOccurrences(
                of: #"{"kty": "OKP", "crv": "Ed25519", "x": "V_MGAfPIhWe-Nshqx1yJ3ye0l_wFnXesgDe6e3smgkY"}"#,
                with: #""-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAV/MGAfPIhWe+Nshqx1yJ3ye0l/wFnXesgDe6e3smgkY=\n-----END PUBLIC KEY-----\n""#)
        }
        defer { try? FileManager.default.removeItem(at: copy) }
        let entities = copy.path + "/entities.json:25:"
        let validate = runCLI(["validate", "-p", copy.path])
        #expect(validate.status == 2)
        #expect(validate.stderr.hasPrefix(entities), "\(validate.stderr)")
        #expect(validate.stderr.contains("type mismatch"), "\(validate.stderr)")
        let lint = runCLI(["lint", copy.path])
        #expect(lint.status == 2)
        #expect(lint.stdout.contains(entities) && lint.stdout.contains("[SG103]"), "\(lint.stdout)")
        let eval = runCLI(["eval", copy.path + "/plan.json", "-p", copy.path, "--now", "2026-11-20T09:00:00Z"])
        #expect(eval.status == 2)
        #expect(eval.stderr.hasPrefix(entities), "\(eval.stderr)")
    }

    /// A policy that reads an attribute the schema does not declare fails validation and lint.
    @Test func aPolicyTheSchemaRefusesFails() throws {
        let copy = try Self.releaseCopy("40-approvals.cedar") {
            $0.replacingOccurrences(of: "principal is User,", with: "principal is User,\n  action == Action::\"stepguard.approve\",\n  resource\n) when { principal.approval_ky.crv == \"Ed25519\" };\npermit (\n  principal is User,")
        }
        defer { try? FileManager.default.removeItem(at: copy) }
        let validate = runCLI(["validate", "-p", copy.path])
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("approval_ky"), "\(validate.stdout)")
        let lint = runCLI(["lint", copy.path])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("[SG102]") && lint.stdout.contains("approval_ky"), "\(lint.stdout)")
    }
}

/// Every agent the shipped directories declare has a workload identity, so `mint` can name it.
struct ShippedAgentsTests {
    static let entityFiles: [String] = {
        let policies = Repository.root.appendingPathComponent("policies")
        var found: [String] = []
        for parent in [policies, policies.appendingPathComponent("examples")] {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []).sorted() {
                let file = parent.appendingPathComponent(name).appendingPathComponent("entities.json").path
                if FileManager.default.fileExists(atPath: file) { found.append(file) }
            }
        }
        return found
    }()

    @Test(arguments: entityFiles)
    func everyAgentHasASPIFFEID(_ file: String) throws {
        let entities = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]])
        for entity in entities {
            guard let uid = entity["uid"] as? [String: Any], (uid["type"] as? String)?.hasSuffix("Agent") == true else { continue }
            let attributes = entity["attrs"] as? [String: Any] ?? [:]
            #expect((attributes["spiffe_id"] as? String)?.hasPrefix("spiffe://") == true, "\(file): \(uid)")
        }
    }
}

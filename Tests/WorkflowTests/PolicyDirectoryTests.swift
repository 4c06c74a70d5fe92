import Foundation
import Testing
@testable import Workflow

@Suite struct PolicyDirectoryLoadingTests {
    /// `entities.json` is read through the directory's schema, as `validate` reads it: the
    /// address is an `ipaddr`, so the forbid evaluates (and does not hold) instead of erroring.
    @Test func entitiesAreReadThroughTheSchema() throws {
        let bundle = try PolicyBundle.load(path: fixture("schema-entities"))
        #expect(bundle.directory.schemaFile == fixture("schema-entities") + "/schema.cedarschema")
        let plan = try Plan.parse(#"{"plan": "p", "principal": "Agent::\"bot\"", "steps": [{"id": "s", "action": "open", "resource": "Host::\"db\""}]}"#, file: "p.json")
        let step = try PlanEvaluator.evaluate(plan, bundle: bundle, options: pinned).steps[0]
        #expect(step.errors.isEmpty, "\(step.errors)")
        #expect(step.outcome == .allow)
    }

    @Test func malformedSchemaIsALocatedError() throws {
        let directory = try copy(fixture("schema-entities"))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "entity Host { addr: };\n".write(toFile: directory + "/schema.cedarschema", atomically: true, encoding: .utf8)
        #expect {
            _ = try PolicyBundle.load(path: directory)
        } throws: { error in
            guard case .malformedSchema(let location, _) = error as? WorkflowError else { return false }
            return location?.file == directory + "/schema.cedarschema" && location?.line == 1
        }
    }

    /// A FIFO named like a policy would block the reader, and a hidden policy would be read by
    /// no command: both are refused by name. Other hidden entries are not part of the directory.
    @Test func onlyRegularVisibleFilesAreRead() throws {
        let directory = try copy(fixture("schema-entities"))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{}\n".write(toFile: directory + "/.stepguard.json", atomically: true, encoding: .utf8)
        #expect(try PolicyDirectory(path: directory).policyFiles == [directory + "/policies.cedar"])
        try "permit (principal, action, resource);\n".write(toFile: directory + "/.zz-hotfix.cedar", atomically: true, encoding: .utf8)
        #expect(throws: WorkflowError.policyDirectory(message: PolicyDirectory.hiddenPolicyFileMessage(directory + "/.zz-hotfix.cedar"))) {
            try PolicyDirectory(path: directory)
        }
        try FileManager.default.removeItem(atPath: directory + "/.zz-hotfix.cedar")
        #expect(mkfifo(directory + "/zz.cedar", 0o600) == 0)
        #expect(throws: WorkflowError.policyDirectory(
            message: "\"\(directory)/zz.cedar\" is not a regular file; a policy directory holds only files")) {
            try PolicyDirectory(path: directory)
        }
    }

    func copy(_ source: String) throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("policy-dir-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: source, toPath: target)
        return target
    }
}

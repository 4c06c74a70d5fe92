import Foundation
import Testing
import JSONValue
@testable import Cedar

/// Runs every request of the reference-generated corpus and compares decision, reasons (as a
/// set) and erroring policies (as a set) with the reference engine's answers.
@Suite struct ConformanceTests {
    struct Outcome {
        var requests = 0
        var agree = 0
        var failures: [String] = []
    }

    static func runCase(_ url: URL) throws -> Outcome {
        var out = Outcome()
        let doc = try Fixtures.json(url)
        let name = url.lastPathComponent
        let text = doc["policies"]?.stringValue ?? ""
        let policies = try PolicySet(text: text, file: name, idScheme: .positional)
        let entities = try Entities(json: doc["entities"] ?? .array([]))
        for (i, r) in (doc["requests"]?.arrayValue ?? []).enumerated() {
            out.requests += 1
            let context: [ExactString: Value]
            if let c = r["context"], case .record(let rec) = try Value(json: c) { context = rec } else { context = [:] }
            let request = Request(
                principal: try EntityUID(json: r["principal"]!), action: try EntityUID(json: r["action"]!),
                resource: try EntityUID(json: r["resource"]!), context: context)
            let response = Authorizer.isAuthorized(request, policies: policies, entities: entities)
            let wantDecision = r["decision"]?.stringValue ?? ""
            let wantReasons = Set((r["reasons"]?.arrayValue ?? []).compactMap(\.stringValue))
            let wantErrors = Set((r["errors"]?.arrayValue ?? []).compactMap(\.stringValue))
            let gotErrors = Set(response.errors.map(\.policyID))
            if response.decision.rawValue == wantDecision && Set(response.reasons) == wantReasons && gotErrors == wantErrors {
                out.agree += 1
            } else {
                out.failures.append("\(name) request \(i): want \(wantDecision) \(wantReasons.sorted()) errors \(wantErrors.sorted()); got \(response.decision.rawValue) \(response.reasons) errors \(response.errors.map { "\($0.policyID): \($0.message)" })")
            }
        }
        return out
    }

    @Test func cedarGenerated() throws {
        var total = Outcome()
        for url in Fixtures.files("cedar-generated", prefix: "case-") {
            do {
                let o = try Self.runCase(url)
                total.requests += o.requests
                total.agree += o.agree
                total.failures += o.failures
            } catch {
                total.failures.append("\(url.lastPathComponent): \(error)")
            }
        }
        print("cedar-generated: \(total.agree)/\(total.requests) requests agree")
        for f in total.failures.prefix(30) { Issue.record("\(f)") }
        #expect(total.failures.isEmpty)
        #expect(total.requests > 0)
    }
}

extension ConformanceTests {
    /// Differential run over extra corpora made with the corpus generator: set
    /// `CEDAR_EXTRA_CORPUS` to one or more directories separated by `:`.
    @Test func extraCorpus() throws {
        guard let dirs = ProcessInfo.processInfo.environment["CEDAR_EXTRA_CORPUS"] else { return }
        var total = Outcome()
        var rejects = 0, rejected = 0
        for dir in dirs.split(separator: ":") {
            let d = URL(fileURLWithPath: String(dir))
            let names = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
            for n in names.sorted() where n.hasSuffix(".json") {
                let url = d.appendingPathComponent(n)
                if n.hasPrefix("case-") {
                    do {
                        let o = try Self.runCase(url)
                        total.requests += o.requests
                        total.agree += o.agree
                        total.failures += o.failures
                    } catch {
                        total.failures.append("\(n): \(error)")
                    }
                } else if n.hasPrefix("reject-") {
                    rejects += 1
                    let text = try Fixtures.json(url)["policies"]?.stringValue ?? ""
                    if (try? Parser.parse(text, file: n)) == nil { rejected += 1 } else { total.failures.append("\(n): parsed but the reference rejects it") }
                } else if n.hasPrefix("accept-") {
                    let text = try Fixtures.json(url)["policies"]?.stringValue ?? ""
                    do { _ = try Parser.parse(text, file: n) } catch { total.failures.append("\(n): rejected but the reference accepts it: \(error)") }
                }
            }
        }
        print("extra corpus: \(total.agree)/\(total.requests) requests agree, \(rejected)/\(rejects) rejects rejected")
        for f in total.failures.prefix(40) { Issue.record("\(f)") }
        #expect(total.failures.isEmpty)
    }
}

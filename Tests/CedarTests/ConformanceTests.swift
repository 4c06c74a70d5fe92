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
        var validations = 0
        var validationsAgree = 0
        var rejections = 0
        var rejectionsAgree = 0
        var failures: [String] = []

        mutating func add(_ o: Outcome) {
            requests += o.requests
            agree += o.agree
            validations += o.validations
            validationsAgree += o.validationsAgree
            rejections += o.rejections
            rejectionsAgree += o.rejectionsAgree
            failures += o.failures
        }
    }

    /// Runs one case file. With a `schema`, entity data, contexts and requests are read by it
    /// (a request the reference refuses has decision `error`), the policies' validation verdict
    /// is compared, and `entitiesRejected` says the reference refuses the entity data.
    static func runCase(_ url: URL) throws -> Outcome {
        var out = Outcome()
        let doc = try Fixtures.json(url)
        let name = url.lastPathComponent
        let text = doc["policies"]?.stringValue ?? ""
        let policies = try PolicySet(text: text, file: name, idScheme: .positional)
        let schema = try doc["schema"]?.stringValue.map { try Schema.parse($0, file: name) }
        if let schema, let v = doc["validation"] {
            out.validations += 1
            let got = Validator.validate(policies: policies, schema: schema)
            let wantPassed = v["passed"]?.boolValue ?? false
            let wantKinds = Set((v["errors"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(referenceKind) })
            if got.isEmpty == wantPassed && Set(got.map(\.kind)) == wantKinds {
                out.validationsAgree += 1
            } else {
                out.failures.append("\(name) validation: want \(wantPassed ? "valid" : "invalid") \(v["errors"]?.arrayValue ?? []); got \(got.map(\.message))")
            }
        }
        let entities: Entities
        do {
            entities = try schema.map { try $0.entities(json: doc["entities"] ?? .array([])) } ?? Entities(json: doc["entities"] ?? .array([]))
        } catch {
            if doc["entitiesRejected"]?.boolValue == true {
                out.rejections += 1
                out.rejectionsAgree += 1
                return out
            }
            throw error
        }
        if doc["entitiesRejected"]?.boolValue == true {
            out.rejections += 1
            out.failures.append("\(name): entity data accepted, the reference rejects it: \(doc["why"]?.stringValue ?? "")")
            return out
        }
        for (i, r) in (doc["requests"]?.arrayValue ?? []).enumerated() {
            out.requests += 1
            let wantDecision = r["decision"]?.stringValue ?? ""
            let response: Response
            do {
                let principal = try EntityUID(json: r["principal"]!), action = try EntityUID(json: r["action"]!)
                let contextJSON = r["context"] ?? .object(JSONObject())
                let context: [ExactString: Value]
                if let schema {
                    context = try schema.context(for: action, json: contextJSON)
                } else if case .record(let rec) = try Value(json: contextJSON) {
                    context = rec
                } else {
                    context = [:]
                }
                let request = Request(principal: principal, action: action, resource: try EntityUID(json: r["resource"]!), context: context)
                try schema?.validate(request: request)
                response = Authorizer.isAuthorized(request, policies: policies, entities: entities)
            } catch {
                if wantDecision == "error" { out.agree += 1 } else { out.failures.append("\(name) request \(i): want \(wantDecision); got \(error)") }
                continue
            }
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

    /// Runs every `case-` file of a fixture directory (of one generator profile, when given);
    /// files whose policies the reference rejects (`reject-`) must not parse.
    static func runDirectory(_ dir: String, profile: String? = nil) -> Outcome {
        var total = Outcome()
        let tag = profile.map { "\($0)-" } ?? ""
        for url in Fixtures.files(dir, prefix: "case-" + tag) {
            do {
                total.add(try runCase(url))
            } catch {
                total.failures.append("\(url.lastPathComponent): \(error)")
            }
        }
        for url in Fixtures.files(dir, prefix: "reject-" + tag) {
            total.rejections += 1
            let text = (try? Fixtures.json(url))?["policies"]?.stringValue ?? ""
            if (try? Parser.parse(text, file: url.lastPathComponent)) == nil {
                total.rejectionsAgree += 1
            } else {
                total.failures.append("\(url.lastPathComponent): parsed, but the reference rejects it")
            }
        }
        return total
    }

    @Test func cedarGenerated() throws {
        let total = Self.runDirectory("cedar-generated")
        print("cedar-generated: \(total.agree)/\(total.requests) requests agree")
        for f in total.failures.prefix(30) { Issue.record("\(f)") }
        #expect(total.failures.isEmpty)
        #expect(total.requests > 0)
    }

    /// The classes that once disagreed with the reference, generated from new seeds with
    /// `Fixtures/generator/cedar_corpus.py --profile extn|actions|unicode|tags`.
    @Test(arguments: ["extn", "actions", "unicode", "tags"])
    func generatedClasses(_ profile: String) throws {
        let total = Self.runDirectory("cedar-classes", profile: profile)
        print("cedar-classes \(profile): \(total.agree)/\(total.requests) requests agree, "
              + "\(total.validationsAgree)/\(total.validations) validation verdicts agree, "
              + "\(total.rejectionsAgree)/\(total.rejections) reference rejections (entity data, policy text) agree")
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
                        total.add(try Self.runCase(url))
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

// Workflow benchmark: a generated plan (10,000 steps by default) evaluated against a generated
// policy set (500 policies by default), in steps per second; next to it, the bare Cedar
// authorizer on the same requests without chain facts. `--write DIR` also writes the inputs
// (policy directory, plan, and requests.jsonl for `stepguard authorize --requests`).
import Cedar
import Foundation
import JSONValue
import Workflow

/// Runs the workflow benchmark. Arguments: `--steps N`, `--policies N`, `--write DIR`,
/// `--shape chains|wide` (short chains, the default; or a wide, shallow DAG of three layers).
func runWorkflowBenchmark(arguments: [String]) {
    guard let options = BenchOptions(arguments, benchmark: "workflow", known: ["--steps", "--policies", "--write", "--shape"]),
          let steps = options.int("--steps", 10_000), let policyCount = options.int("--policies", 500)
    else { exit(2) }
    let writeDirectory = options.text("--write")
    let wide = options.text("--shape") == "wide"
    let inputs = WorkflowBenchInputs(steps: steps, policies: policyCount, wide: wide)
    if let writeDirectory { inputs.write(to: writeDirectory) }

    let loadStart = DispatchTime.now()
    let bundle: PolicyBundle
    let plan: Plan
    do {
        bundle = try PolicyBundle.make(
            policies: [(text: inputs.policies, file: "bench.cedar")], entities: (text: inputs.entities, file: "entities.json"),
            catalog: (text: inputs.catalog, file: "tools.json"))
        plan = try Plan.parse(inputs.plan, file: "plan.json")
    } catch {
        print("workflow benchmark: \(error)")
        return
    }
    let loadSeconds = seconds(since: loadStart)

    let evalStart = DispatchTime.now()
    let evalCPUStart = cpuSeconds()
    let evaluation: PlanEvaluation
    do {
        evaluation = try PlanEvaluator.evaluate(plan, bundle: bundle, options: EvaluationOptions(clock: Clock(epochSeconds: 1_795_000_000)))
    } catch {
        print("workflow benchmark: \(error)")
        return
    }
    let evalSeconds = seconds(since: evalStart)
    let evalCPU = cpuSeconds() - evalCPUStart

    let rewriteStart = DispatchTime.now()
    let mutation = PlanRewriter.rewrite(evaluation)
    let rewriteSeconds = seconds(since: rewriteStart)

    // The same requests, one authorization each, without chain facts.
    let policySet: PolicySet
    let entities: Entities
    do {
        policySet = try PolicySet(text: inputs.policies, file: "bench.cedar")
        entities = try Entities(jsonBytes: Array(inputs.entities.utf8), file: "entities.json")
    } catch {
        print("workflow benchmark: \(error)")
        return
    }
    var requests: [Request] = []
    for step in plan.steps {
        var context: [String: Value] = [:]
        context["args"] = try? Value(json: .object(step.args))
        requests.append(Request(
            principal: EntityUID(type: step.principal.type, id: step.principal.id),
            action: EntityUID(type: step.actionEntity.type, id: step.actionEntity.id),
            resource: EntityUID(type: step.resource.type, id: step.resource.id), context: context))
    }
    let authorizeStart = DispatchTime.now()
    let authorizeCPUStart = cpuSeconds()
    var allowed = 0
    for request in requests where Authorizer.isAuthorized(request, policies: policySet, entities: entities).decision == .allow {
        allowed += 1
    }
    let authorizeSeconds = seconds(since: authorizeStart)
    let authorizeCPU = cpuSeconds() - authorizeCPUStart

    let counts = StepOutcome.allCases.map { "\($0.rawValue) \(evaluation.summary.counts[$0] ?? 0)" }.joined(separator: ", ")
    print("workflow: \(steps) steps\(wide ? " (wide, shallow DAG)" : ""), \(policyCount) policies (\(bundle.policies.count) parsed)")
    print(String(format: "  load (parse policies, entities, catalog, plan): %.3f s", loadSeconds))
    print(String(format: "  eval: %.3f s wall, %.3f s cpu, %.0f steps/s (cpu)  [%@]", evalSeconds, evalCPU, Double(steps) / evalCPU, counts))
    print(String(format: "  mutate (rewrite + diff, %d diff lines): %.3f s", mutation.diff.split(separator: "\n").count, rewriteSeconds))
    print(String(format: "  authorizer alone, same requests without chain facts: %.3f s wall, %.3f s cpu, %.0f requests/s (cpu, %d allowed)",
                 authorizeSeconds, authorizeCPU, Double(requests.count) / authorizeCPU, allowed))
}

private func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// Processor time used by this process so far, in seconds: on a shared machine wall time
/// also counts other processes, so both are reported.
private func cpuSeconds() -> Double {
    Double(clock()) / Double(CLOCKS_PER_SEC)
}

/// Deterministic generated inputs: the same arguments always give the same files.
struct WorkflowBenchInputs {
    let policies: String
    let entities: String
    let catalog: String
    let plan: String
    let requests: String

    static let actionCount = 50
    static let resourceCount = 200
    static let agentCount = 20
    static let groupCount = 4

    init(steps: Int, policies policyCount: Int, wide: Bool = false) {
        let actions = (0..<Self.actionCount).map { "op\($0)" }
        func effect(_ a: Int) -> String { a % 10 == 9 ? "delete" : (a % 3 == 0 ? "read" : "write") }
        // Catalog: every write has a safe read-only variant, some actions are external or secret.
        var catalogActions = JSONObject()
        for a in 0..<Self.actionCount {
            var entry = JSONObject([("effect", .string(effect(a)))])
            var flags: [JSONValue] = []
            if a % 7 == 0 { flags.append(.string("external")) }
            if a % 11 == 0 { flags.append(.string("secret")) }
            if effect(a) == "delete" { flags.append(.string("irreversible")) }
            entry["flags"] = .array(flags)
            entry["tool"] = .string("tool\(a % 12)")
            if effect(a) != "read" {
                entry["variants"] = .object(JSONObject([
                    ("safe", .object(JSONObject([("action", .string("verify")), ("args", .object(JSONObject([("dry_run", .bool(true))])))]))),
                    ("staging", .object(JSONObject([("resource", .string("$resource.staging"))]))),
                ]))
            }
            catalogActions[actions[a]] = .object(entry)
        }
        catalogActions["verify"] = .object(JSONObject([("effect", .string("read")), ("flags", .array([]))]))
        catalog = JSONWriter.pretty(.object(JSONObject([("actions", .object(catalogActions))]))) + "\n"

        // Entities: agents in groups, resources with environment, labels, sensitivity and a staging twin.
        var entityList: [JSONValue] = []
        func uid(_ type: String, _ id: String) -> JSONValue { .object(JSONObject([("type", .string(type)), ("id", .string(id))])) }
        for g in 0..<Self.groupCount { entityList.append(.object(JSONObject([("uid", uid("Group", "g\(g)")), ("attrs", .object(JSONObject())), ("parents", .array([]))]))) }
        for a in 0..<Self.agentCount {
            entityList.append(.object(JSONObject([
                ("uid", uid("Agent", "agent\(a)")), ("attrs", .object(JSONObject())), ("parents", .array([uid("Group", "g\(a % Self.groupCount)")])),
            ])))
        }
        for r in 0..<Self.resourceCount {
            var attrs = JSONObject()
            attrs["environment"] = .string(r % 4 == 0 ? "production" : "staging")
            attrs["sensitivity"] = .int(Int64(r % 5))
            attrs["labels"] = .array(r % 9 == 0 ? [.string("pii")] : [.string("team\(r % 6)")])
            attrs["staging"] = .object(JSONObject([("__entity", uid("Res", "r\(r)-staging"))]))
            entityList.append(.object(JSONObject([("uid", uid("Res", "r\(r)")), ("attrs", .object(attrs)), ("parents", .array([]))])))
            let twin = JSONObject([("environment", .string("staging")), ("sensitivity", .int(0)), ("labels", .array([]))])
            entityList.append(.object(JSONObject([("uid", uid("Res", "r\(r)-staging")), ("attrs", .object(twin)), ("parents", .array([]))])))
        }
        entities = JSONWriter.pretty(.array(entityList)) + "\n"

        // Policies: per group permits over slices of the actions; forbids of every kind, most of
        // them narrow (one action and resource), a few judging the chain.
        var text = ""
        var n = 0
        func add(_ policy: String) {
            guard n < policyCount else { return }
            text += policy + "\n\n"
            n += 1
        }
        for g in 0..<Self.groupCount {
            let list = (0..<Self.actionCount).filter { $0 % 16 != g + 1 }.map { "Action::\"\(actions[$0])\"" }
            add("@id(\"permit-g\(g)\")\npermit (principal in Group::\"g\(g)\", action in [\(list.joined(separator: ", "))], resource);")
        }
        add("@id(\"permit-verify\")\npermit (principal, action == Action::\"verify\", resource);")
        add("@id(\"chain-pii-external\")\nforbid (principal, action, resource)\nwhen { context.tool.flags.contains(\"external\") && context.history.labels.contains(\"pii\") };")
        add("@id(\"log-secret\") @mode(\"log_only\")\nforbid (principal, action, resource)\nwhen { context.tool.flags.contains(\"secret\") && resource.sensitivity >= 3 };")
        var k = 0
        while n < policyCount {
            let a = (k * 7) % Self.actionCount, r = (k * 13) % Self.resourceCount
            switch k % 10 {
            case 0:
                add("@id(\"mutate-\(k)\") @mutate(\"safe\")\nforbid (principal, action == Action::\"\(actions[a])\", resource)\nwhen { resource.environment == \"production\" && context.args.n > \(k % 900) };")
            case 1:
                add("@id(\"approve-\(k)\") @approve(\"owners\")\nforbid (principal, action == Action::\"\(actions[a])\", resource == Res::\"r\(r)\");")
            case 2:
                add("@id(\"permit-\(k)\")\npermit (principal == Agent::\"agent\(k % Self.agentCount)\", action == Action::\"\(actions[a])\", resource)\nwhen { resource.sensitivity < 4 };")
            default:
                add("@id(\"forbid-\(k)\")\nforbid (principal, action == Action::\"\(actions[a])\", resource == Res::\"r\(r)\")\nwhen { context.args.n > 990 || context.history.writes > 100000 };")
            }
            k += 1
        }
        policies = text

        // The plan: agents take turns; most steps need the one before (a chain), some stand alone.
        var stepValues: [JSONValue] = []
        var requestLines = ""
        for i in 0..<steps {
            let a = (i * 7 + i / 50) % Self.actionCount, r = (i * 13) % Self.resourceCount
            var step = JSONObject()
            step["id"] = .string("s\(i)")
            step["action"] = .string(actions[a])
            step["resource"] = .string("Res::\"r\(r)\"")
            step["principal"] = .string("Agent::\"agent\(i % Self.agentCount)\"")
            step["args"] = .object(JSONObject([("n", .int(Int64(i % 1000)))]))
            if wide {
                // 100 roots; the next 1,000 steps need one root each; the rest need one of those.
                if i >= 1100 {
                    step["needs"] = .array([.string("s\(100 + i % 1000)")])
                } else if i >= 100 {
                    step["needs"] = .array([.string("s\(i % 100)")])
                }
            } else if i % 5 != 0, i > 0 {
                step["needs"] = .array([.string("s\(i - 1)")])
            }
            stepValues.append(.object(step))
            requestLines += CanonicalJSON.string(.object(JSONObject([
                ("principal", .string("Agent::\"agent\(i % Self.agentCount)\"")),
                ("action", .string("Action::\"\(actions[a])\"")),
                ("resource", .string("Res::\"r\(r)\"")),
                ("context", .object(JSONObject([("args", .object(JSONObject([("n", .int(Int64(i % 1000)))])))]))),
            ]))) + "\n"
        }
        plan = JSONWriter.pretty(.object(JSONObject([
            ("plan", .string("bench-\(steps)")), ("owner", .string("bench")), ("intent", .string("benchmark")), ("steps", .array(stepValues)),
        ]))) + "\n"
        requests = requestLines
    }

    /// Writes the inputs as a policy directory (policies, entities, catalog, plan, requests.jsonl).
    func write(to directory: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in [("bench.cedar", policies), ("entities.json", entities), ("tools.json", catalog), ("plan.json", plan), ("requests.jsonl", requests)] {
            guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8)) else {
                FileHandle.standardError.write(Data("stepguard-bench: cannot write \(directory)/\(name)\n".utf8))
                exit(2)
            }
        }
    }
}

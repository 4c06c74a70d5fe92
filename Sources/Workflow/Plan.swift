import Basics
import JSONValue

/// One step of a plan, as written and resolved.
public struct PlanStep: Sendable {
    /// The step id, unique in the plan.
    public var id: String
    /// Position in the plan's `steps` array (0-based).
    public var index: Int
    /// The catalog action name (`deploy`; `Ops::Action::"deploy"` for a namespaced action).
    public var action: String
    /// The resource the step acts on.
    public var resource: EntityRef
    /// The principal: the step's own, else the plan's.
    public var principal: EntityRef
    /// Arguments, passed to policies as `context.args`.
    public var args: JSONObject
    /// Step context, merged over the plan context.
    public var context: JSONObject
    /// Ids of the steps this one depends on.
    public var needs: [String]
    /// For an approval checkpoint written by `mutate`: what it holds.
    public var checkpoint: ApprovalCheckpoint?
    /// The step exactly as written, for digests and rewriting.
    public var raw: JSONObject
    /// Where the step starts in the plan file.
    public var location: FileLocation

    /// A step given field by field: one that no plan file holds, such as a live tool call.
    /// `raw` is what its approval digest covers.
    public init(
        id: String, index: Int, action: String, resource: EntityRef, principal: EntityRef, args: JSONObject = JSONObject(),
        context: JSONObject = JSONObject(), needs: [String] = [], checkpoint: ApprovalCheckpoint? = nil, raw: JSONObject,
        location: FileLocation
    ) {
        self.id = id
        self.index = index
        self.action = action
        self.resource = resource
        self.principal = principal
        self.args = args
        self.context = context
        self.needs = needs
        self.checkpoint = checkpoint
        self.raw = raw
        self.location = location
    }

    /// The Cedar action entity.
    public var actionEntity: EntityRef { EntityRef.action(action) }

    /// The step's action, resource and arguments as planned.
    public var form: StepForm { StepForm(action: action, resource: resource, args: args) }
}

/// A workflow plan: the steps an agent intends to run, decided before any of them runs.
public struct Plan: Sendable {
    /// The plan id.
    public var id: String
    /// Who answers for the plan.
    public var owner: String?
    /// What the plan is for, in words.
    public var intent: String?
    /// The default principal of every step.
    public var principal: EntityRef?
    /// Context shared by every step.
    public var context: JSONObject
    /// The steps, in plan order.
    public var steps: [PlanStep]
    /// Whether the steps run strictly in file order (`"sequential": true`): each waits for the
    /// one before it, as if it needed it.
    public var sequential: Bool
    /// The whole plan as written.
    public var raw: JSONValue
    /// The file the plan came from.
    public var file: String

    let source: JSONSource

    /// Step by id.
    public func step(_ id: String) -> PlanStep? { steps.first { $0.id.isExactly(id) } }

    /// Where the value at `path` is in the plan file (or its nearest existing ancestor).
    public func location(_ path: [JSONPathComponent]) -> FileLocation { source.location(path) }

    /// Keys a plan may have at the top level.
    public static let planKeys: Set<String> = ["plan", "owner", "intent", "principal", "context", "steps", "description", "sequential"]
    /// Keys a step may have.
    public static let stepKeys: Set<String> = [
        "id", "action", "resource", "principal", "args", "context", "needs", "description", "rewrite", "approval",
    ]
    /// Context keys stepguard sets itself; plans may not set them.
    public static let reservedContextKeys: Set<String> = ["step", "step_id", "args", "history", "done", "plan", "tool", "now"]

    /// Loads and checks a plan file. Actions are checked against a catalog separately
    /// (`checkActions(_:)`), because the catalog lives in the policy directory.
    public static func load(_ path: String) throws(WorkflowError) -> Plan {
        try parse(try readFile(path), file: path)
    }

    /// Parses and checks plan JSON.
    public static func parse(_ bytes: [UInt8], file: String) throws(WorkflowError) -> Plan {
        try PlanReader(source: try JSONSource.parse(bytes, file: file)).read()
    }

    /// Parses and checks plan JSON text.
    public static func parse(_ text: String, file: String) throws(WorkflowError) -> Plan {
        try parse(Array(text.utf8), file: file)
    }

    /// Reads a plan written inside another JSON document (a test suite), keeping its locations.
    static func read(_ source: JSONSource) throws(WorkflowError) -> Plan {
        try PlanReader(source: source).read()
    }

    /// Checks that every step's action (and nothing else) is in the catalog.
    public func checkActions(_ catalog: ActionCatalog) throws(WorkflowError) {
        for step in steps where step.checkpoint == nil {
            if catalog.action(named: step.action) == nil {
                throw .unknownAction(
                    location([.key("steps"), .index(step.index), .key("action")]), action: step.action,
                    suggestion: EditDistance.suggestion(for: step.action, among: catalog.actions.keys))
            }
        }
    }

    /// Step indices in the order they are decided: dependencies first, otherwise plan order.
    public var evaluationOrder: [Int] { order }

    /// The indices of the steps each step waits for: its `needs`, and in a sequential plan the
    /// step before it.
    public var prerequisites: [[Int]] {
        let indexByID = Plan.indexByID(steps)
        return steps.map { step in
            var before = step.needs.compactMap { indexByID[ExactString($0)] }
            if sequential && step.index > 0 && !before.contains(step.index - 1) { before.append(step.index - 1) }
            return before
        }
    }

    let order: [Int]

    /// Step indices by id. Ids are told apart by code points, as the log and Cedar tell them
    /// apart: `"e\u{301}"` and `"\u{e9}"` are two steps, and a need names exactly one of them.
    static func indexByID(_ steps: [PlanStep]) -> [ExactString: Int] {
        Dictionary(steps.map { (ExactString($0.id), $0.index) }, uniquingKeysWith: { first, _ in first })
    }

    /// Kahn's algorithm with a min-heap of ready indices, so that plan order breaks ties and
    /// long plans stay O(n log n).
    static func order(of steps: [PlanStep]) -> [Int] {
        let indexByID = Plan.indexByID(steps)
        var pending = steps.map { $0.needs.count }
        var dependents = Array(repeating: [Int](), count: steps.count)
        for step in steps { for need in step.needs { if let n = indexByID[ExactString(need)] { dependents[n].append(step.index) } } }
        var heap = MinHeap()
        for index in steps.indices where pending[index] == 0 { heap.push(index) }
        var order: [Int] = []
        order.reserveCapacity(steps.count)
        while let next = heap.pop() {
            order.append(next)
            for dependent in dependents[next] {
                pending[dependent] -= 1
                if pending[dependent] == 0 { heap.push(dependent) }
            }
        }
        return order
    }
}

struct MinHeap {
    private var items: [Int] = []

    mutating func push(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count, items[left] < items[smallest] { smallest = left }
                if right < items.count, items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

/// An approval checkpoint step: a step held for a human, bound to the digest of the step it holds.
public struct ApprovalCheckpoint: Sendable, Equatable {
    /// The action name checkpoint steps carry; it needs no catalog entry.
    public static let action = "stepguard.approval"
    /// Who must approve.
    public var groups: [String]
    /// The policies that asked for the approval.
    public var policies: [String]
    /// Why, in words.
    public var reason: String
    /// SHA-256 (hex) of the canonical JSON of `step`.
    public var sha256: String
    /// The exact step held.
    public var step: JSONValue
}

private struct PlanReader {
    let source: JSONSource

    func fail(_ path: [JSONPathComponent], _ message: String) -> WorkflowError {
        .malformedPlan(source.location(path), message: message)
    }

    func read() throws(WorkflowError) -> Plan {
        guard case .object(let root) = source.root else {
            throw fail([], "a plan must be a JSON object with \"plan\" and \"steps\", found \(source.root.typeName)")
        }
        for key in root.keys where !Plan.planKeys.contains(key) {
            let hint = EditDistance.suggestion(for: key, among: Plan.planKeys).map { "did you mean \"\($0)\"? " } ?? ""
            throw fail([.key(key)], "unknown plan key \"\(key)\"; \(hint)allowed keys are \(Plan.planKeys.sorted().joined(separator: ", "))")
        }
        guard let idValue = root["plan"] else { throw fail([], "plan has no \"plan\" id; add \"plan\": \"<id>\"") }
        guard let id = idValue.stringValue, !id.isEmpty else { throw fail([.key("plan")], "\"plan\" must be a non-empty string id") }
        let owner = try optionalString(root, "owner", [])
        let intent = try optionalString(root, "intent", [])
        let principal = try root["principal"].map { (value) throws(WorkflowError) in try entity(value, [.key("principal")], "principal") }
        let context = try contextObject(root["context"], [.key("context")])
        var sequential = false
        if let value = root["sequential"] {
            guard case .bool(let flag) = value else { throw fail([.key("sequential")], "\"sequential\" must be true or false, found \(value.typeName)") }
            sequential = flag
        }
        guard let stepsValue = root["steps"] else { throw fail([], "plan has no \"steps\"; add \"steps\": [ ... ]") }
        guard case .array(let stepValues) = stepsValue else {
            throw fail([.key("steps")], "\"steps\" must be an array of step objects, found \(stepsValue.typeName)")
        }
        if stepValues.count > WorkflowLimits.maxSteps {
            throw fail([.key("steps"), .index(WorkflowLimits.maxSteps)],
                       "the plan has \(stepValues.count) steps, more than the limit of \(WorkflowLimits.maxSteps); split it into several plans")
        }
        var steps: [PlanStep] = []
        var firstLocation: [ExactString: FileLocation] = [:]
        for (index, value) in stepValues.enumerated() {
            // A repeated id is named as such before anything else about the step (a second
            // step "a" that needs "a" is a duplicate, not a step that needs itself).
            if case .object(let object) = value, let id = object["id"]?.stringValue, let first = firstLocation[ExactString(id)] {
                throw .duplicateStepID(source.location([.key("steps"), .index(index), .key("id")]), id: id, first: first)
            }
            let step = try readStep(value, index: index, planPrincipal: principal)
            firstLocation[ExactString(step.id)] = source.location([.key("steps"), .index(index), .key("id")])
            steps.append(step)
        }
        // needs: every name exists; no cycles.
        let indexByID = Plan.indexByID(steps)
        for step in steps {
            for (n, need) in step.needs.enumerated() where indexByID[ExactString(need)] == nil {
                throw .missingNeed(
                    source.location([.key("steps"), .index(step.index), .key("needs"), .index(n)]),
                    step: step.id, need: need, suggestion: EditDistance.suggestion(for: need, among: steps.map(\.id)))
            }
        }
        if sequential {
            // File order is the run order: a step may wait only for steps written before it.
            for step in steps {
                for (n, need) in step.needs.enumerated() where indexByID[ExactString(need)]! > step.index {
                    throw fail([.key("steps"), .index(step.index), .key("needs"), .index(n)],
                               "step \"\(step.id)\" needs \"\(need)\", written after it in a sequential plan; move \"\(need)\" before it")
                }
            }
        }
        if let cycle = findCycle(steps) {
            let first = steps.first { $0.id.isExactly(cycle[0]) }!
            throw .needsCycle(source.location([.key("steps"), .index(first.index), .key("needs")]), cycle: cycle)
        }
        return Plan(
            id: id, owner: owner, intent: intent, principal: principal, context: context, steps: steps, sequential: sequential,
            raw: source.root, file: source.file, source: source, order: Plan.order(of: steps))
    }

    func optionalString(_ object: JSONObject, _ key: String, _ base: [JSONPathComponent]) throws(WorkflowError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue else { throw fail(base + [.key(key)], "\"\(key)\" must be a string, found \(value.typeName)") }
        return text
    }

    func entity(_ value: JSONValue, _ path: [JSONPathComponent], _ what: String) throws(WorkflowError) -> EntityRef {
        if let parsed = EntityRef(json: value) { return parsed }
        if case .string(let text) = value, !text.contains("::") {
            throw fail(path, "\(what) \"\(text)\" is not an entity; write it as Type::\"id\", e.g. \"Service::\\\"\(text)\\\"\", or as {\"type\": ..., \"id\": ...}")
        }
        throw fail(path, "\(what) must be an entity: \"Type::\\\"id\\\"\" or {\"type\": ..., \"id\": ...}")
    }

    func contextObject(_ value: JSONValue?, _ path: [JSONPathComponent]) throws(WorkflowError) -> JSONObject {
        guard let value else { return JSONObject() }
        guard case .object(let object) = value else { throw fail(path, "\"\(path.last.map(name) ?? "context")\" must be an object, found \(value.typeName)") }
        try checkCedarValues(value, path)
        return object
    }

    func name(_ component: JSONPathComponent) -> String {
        if case .key(let key) = component { return key }
        return "value"
    }

    /// Context and argument values become Cedar values; reject what Cedar cannot hold here,
    /// where the location is known, rather than at evaluation.
    func checkCedarValues(_ value: JSONValue, _ path: [JSONPathComponent], depth: Int = 0) throws(WorkflowError) {
        if depth > 64 { throw fail(path, "value nested deeper than 64 levels; flatten it") }
        switch value {
        case .null:
            throw fail(path, "null has no Cedar equivalent; remove the member or give it a value")
        case .number(let number):
            if number.int64 == nil {
                throw fail(path, "number \(number.text) is not a 64-bit integer; Cedar has no fractions: write it as a string or {\"__extn\": {\"fn\": \"decimal\", \"arg\": \"\(number.text)\"}}")
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() { try checkCedarValues(element, path + [.index(index)], depth: depth + 1) }
        case .object(let object):
            if object["__extn"] != nil || object["__entity"] != nil { return }
            for (key, member) in object { try checkCedarValues(member, path + [.key(key)], depth: depth + 1) }
        case .bool, .string:
            return
        }
    }

    func readStep(_ value: JSONValue, index: Int, planPrincipal: EntityRef?) throws(WorkflowError) -> PlanStep {
        let base: [JSONPathComponent] = [.key("steps"), .index(index)]
        guard case .object(let object) = value else {
            throw fail(base, "each step must be an object with \"id\", \"action\" and \"resource\", found \(value.typeName)")
        }
        for key in object.keys where !Plan.stepKeys.contains(key) {
            let hint = EditDistance.suggestion(for: key, among: Plan.stepKeys).map { "did you mean \"\($0)\"? " } ?? ""
            throw fail(base + [.key(key)], "unknown step key \"\(key)\"; \(hint)allowed keys are \(Plan.stepKeys.sorted().joined(separator: ", "))")
        }
        guard let idValue = object["id"] else { throw fail(base, "step \(index) has no \"id\"; add a unique \"id\"") }
        guard let id = idValue.stringValue, !id.isEmpty else { throw fail(base + [.key("id")], "step \"id\" must be a non-empty string") }
        guard let actionValue = object["action"] else { throw fail(base, "step \"\(id)\" has no \"action\"; add the catalog action it runs") }
        guard let actionText = actionValue.stringValue, !actionText.isEmpty else {
            throw fail(base + [.key("action")], "step \"action\" must be a non-empty string naming a catalog action")
        }
        let action = EntityRef.action(actionText).actionName
        guard let resourceValue = object["resource"] else { throw fail(base, "step \"\(id)\" has no \"resource\"; add the entity it acts on") }
        let resource = try entity(resourceValue, base + [.key("resource")], "resource")
        var principal = planPrincipal
        if let value = object["principal"] { principal = try entity(value, base + [.key("principal")], "principal") }
        guard let principal else {
            throw fail(base, "step \"\(id)\" has no principal and the plan sets none; add \"principal\" to the plan or the step")
        }
        var args = JSONObject()
        if let value = object["args"] {
            guard case .object(let members) = value else { throw fail(base + [.key("args")], "\"args\" must be an object, found \(value.typeName)") }
            try checkCedarValues(value, base + [.key("args")])
            args = members
        }
        let context = try contextObject(object["context"], base + [.key("context")])
        for key in context.keys where Plan.reservedContextKeys.contains(key) {
            throw fail(base + [.key("context"), .key(key)], "context key \"\(key)\" is set by stepguard; rename it")
        }
        var needs: [String] = []
        if let value = object["needs"] {
            guard case .array(let elements) = value else {
                throw fail(base + [.key("needs")], "\"needs\" must be an array of step ids, found \(value.typeName)")
            }
            for (n, element) in elements.enumerated() {
                guard let need = element.stringValue else { throw fail(base + [.key("needs"), .index(n)], "each need must be a step id string") }
                if need.isExactly(id) { throw fail(base + [.key("needs"), .index(n)], "step \"\(id)\" needs itself; remove it from needs") }
                if needs.contains(where: { $0.isExactly(need) }) { throw fail(base + [.key("needs"), .index(n)], "\"\(need)\" is listed twice in needs; remove one") }
                needs.append(need)
            }
        }
        var checkpoint: ApprovalCheckpoint?
        if action == ApprovalCheckpoint.action {
            checkpoint = try readCheckpoint(object["approval"], base + [.key("approval")], id: id)
        } else if object["approval"] != nil {
            throw fail(base + [.key("approval")], "\"approval\" belongs only to \(ApprovalCheckpoint.action) steps; remove it")
        }
        return PlanStep(
            id: id, index: index, action: action, resource: resource, principal: principal, args: args,
            context: context, needs: needs, checkpoint: checkpoint, raw: object, location: source.location(base))
    }

    func readCheckpoint(_ value: JSONValue?, _ path: [JSONPathComponent], id: String) throws(WorkflowError) -> ApprovalCheckpoint {
        guard let value, case .object(let object) = value else {
            throw fail(path, "approval checkpoint \"\(id)\" needs an \"approval\" object with \"groups\", \"sha256\" and \"step\"")
        }
        guard let step = object["step"], case .object = step else { throw fail(path + [.key("step")], "\"approval.step\" must be the held step object") }
        guard let digest = object["sha256"]?.stringValue else { throw fail(path + [.key("sha256")], "\"approval.sha256\" must be the hex digest of the held step") }
        let actual = stepDigest(step)
        if digest != actual {
            throw fail(path + [.key("sha256")], "the held step does not match its digest (sha256 \(actual), recorded \(digest)); the checkpoint was altered: regenerate it with mutate")
        }
        func strings(_ key: String) throws(WorkflowError) -> [String] {
            guard let array = object[key]?.arrayValue else { return [] }
            var out: [String] = []
            for (n, element) in array.enumerated() {
                guard let text = element.stringValue else { throw fail(path + [.key(key), .index(n)], "\"\(key)\" must hold strings") }
                out.append(text)
            }
            return out
        }
        return ApprovalCheckpoint(
            groups: try strings("groups"), policies: try strings("policies"), reason: object["reason"]?.stringValue ?? "",
            sha256: digest, step: step)
    }

    func findCycle(_ steps: [PlanStep]) -> [String]? {
        let byID = Plan.indexByID(steps)
        var state: [ExactString: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        // Iterative DFS: plans may be long chains.
        for start in steps where state[ExactString(start.id)] == nil {
            var frames: [(id: String, next: Int)] = [(start.id, 0)]
            state[ExactString(start.id)] = 1
            stack = [start.id]
            while !frames.isEmpty {
                let top = frames[frames.count - 1]
                let needs = steps[byID[ExactString(top.id)]!].needs
                if top.next < needs.count {
                    frames[frames.count - 1].next += 1
                    let need = needs[top.next]
                    switch state[ExactString(need)] {
                    case 1:
                        let from = stack.firstIndex { $0.isExactly(need) }!
                        return Array(stack[from...]) + [need]
                    case 2:
                        continue
                    default:
                        state[ExactString(need)] = 1
                        stack.append(need)
                        frames.append((need, 0))
                    }
                } else {
                    state[ExactString(top.id)] = 2
                    stack.removeLast()
                    frames.removeLast()
                }
            }
        }
        return nil
    }
}

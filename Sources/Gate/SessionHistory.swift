import Basics
import JSONValue
import Workflow

/// What deciding a call needs of its session's earlier calls: the action and resource of each
/// call that ran (the chain facts of `context.history`), and the risk class the session's
/// decided calls were governed at.
struct SessionHistory: Equatable {
    /// An action and resource (Cedar text) that ran, and how many calls ran it.
    struct Ran: Equatable {
        var action: String
        var resource: String
        var times: Int64
    }

    /// Each distinct action and resource of the calls that ran, in the order each first ran.
    var ran: [Ran] = []
    /// The highest risk class the session's decided calls were governed at: a session's class
    /// only ever goes up, whether or not the call that raised it ran (an attempt on production
    /// is reason enough to govern the rest of the session more strictly).
    var risk: RiskClass = .low

    /// No call yet.
    static let empty = SessionHistory()

    /// The history of `calls` (as `SessionLog.calls` reads them).
    init(calls: [SessionCall]) {
        var seen: [HistoryKey: Int] = [:]
        for call in calls where call.ran {
            guard let action = call.action, let resource = call.resource else { continue }
            let key = HistoryKey(action: action, resource: resource)
            if let index = seen[key] {
                ran[index].times += 1
            } else {
                seen[key] = ran.count
                ran.append(Ran(action: action, resource: resource, times: 1))
            }
        }
        risk = calls.compactMap { $0.risk.flatMap(RiskClass.init(rawValue:)) }.max() ?? .low
    }

    private init() {}

    /// The history of the `count` records `bytes` encode (`HistoryEncoding`), read straight from
    /// the bytes: the same as `init(calls: SessionLog.calls(records))` of the decoded records,
    /// without building a string per record or a call per step. Nil when the bytes are not
    /// exactly `count` records so encoded.
    init?(encoded bytes: [UInt8], count: Int) {
        var fold = Fold(expected: count)
        var walker = HistoryEncoding.Walker()
        guard walker.walk(bytes, count: count, { fold.add($0) }) else { return nil }
        self = fold.history(of: bytes, distinct: walker.distinct)
    }

    /// The history `fold` has gathered; its strings' numbers name `distinct`, ranges of `bytes`.
    private init(_ fold: inout Fold, bytes: [UInt8], distinct: [Range<Int>]) {
        // Each distinct pair's place in `ran`, by the pair (open addressing over a power of two:
        // a dictionary hashes every key with a seeded SipHash, once per call of the session).
        var capacity = 16
        while capacity < fold.slots.count * 2 { capacity *= 2 }
        var keys = [Int](repeating: -1, count: capacity)
        var places = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for slot in fold.slots where slot.runs && slot.action >= 0 && slot.resource >= 0 {
            // Numbers stand for distinct bytes, so a pair of numbers is a distinct pair of texts.
            let (action, resource) = (Int(slot.action), Int(slot.resource))
            let key = action &* (distinct.count + 1) &+ resource
            var at = Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
            while keys[at] >= 0 && keys[at] != key { at = (at + 1) & mask }
            if keys[at] == key {
                ran[Int(places[at])].times += 1
            } else {
                keys[at] = key
                places[at] = Int32(ran.count)
                ran.append(Ran(
                    action: fold.text(action, of: bytes, distinct: distinct), resource: fold.text(resource, of: bytes, distinct: distinct),
                    times: 1))
            }
        }
        var highest: RiskClass?
        for slot in fold.slots where slot.risk >= 0 {
            if let said = fold.kind(Int(slot.risk), of: bytes, distinct: distinct).risk, highest.map({ said > $0 }) ?? true { highest = said }
        }
        risk = highest ?? .low
    }

    /// The calls of encoded records as `SessionLog.calls` folds them, each member a string's
    /// number (see `HistoryEncoding.Member`): one walk's records given to `add` one by one.
    struct Fold {
        /// A call, its members by number (-1: absent).
        struct Slot {
            var action: Int32
            var resource: Int32
            var risk: Int32
            var runs = false
        }
        var slots: [Slot] = []
        /// The calls by the bytes of their step id.
        var positions: ByteRangeTable
        /// What each repeating string means, by its number, once asked (the texts of actions
        /// and resources only of the calls that ran): its text and what it says as a record's
        /// kind, an outcome or a risk class.
        private var texts: [String?] = []
        private var kinds: [Kind?] = []

        init(expected: Int) {
            slots.reserveCapacity(expected)
            positions = ByteRangeTable(expected: expected)
        }

        /// What the records given so far say; the strings' numbers name `distinct`, ranges of
        /// `bytes` (the encoding the walk read: `Walker.distinct`).
        mutating func history(of bytes: [UInt8], distinct: [Range<Int>]) -> SessionHistory {
            SessionHistory(&self, bytes: bytes, distinct: distinct)
        }

        /// The text of string `id` (a range of `distinct` in `bytes`), read once.
        fileprivate mutating func text(_ id: Int, of bytes: [UInt8], distinct: [Range<Int>]) -> String {
            if id < texts.count, let known = texts[id] { return known }
            let made = String(decoding: bytes[distinct[id]], as: UTF8.self)
            remember(id, made)
            return made
        }

        /// What string `id` says (see `text`).
        fileprivate mutating func kind(_ id: Int, of bytes: [UInt8], distinct: [Range<Int>]) -> Kind {
            if id < kinds.count, let known = kinds[id] { return known }
            return remember(id, text(id, of: bytes, distinct: distinct))
        }

        @discardableResult
        private mutating func remember(_ id: Int, _ text: String) -> Kind {
            if texts.count <= id {
                texts.append(contentsOf: repeatElement(nil, count: id + 1 - texts.count))
                kinds.append(contentsOf: repeatElement(nil, count: id + 1 - kinds.count))
            }
            texts[id] = text
            let kind = Kind(text)
            kinds[id] = kind
            return kind
        }

        fileprivate mutating func kind(_ member: HistoryEncoding.Member, in walk: HistoryEncoding.Walk) -> Kind? {
            guard member.isPresent, member.id >= 0 else { return nil }
            if member.id < kinds.count, let known = kinds[member.id] { return known }
            return remember(member.id, walk.text(walk.distinct[member.id]))
        }

        mutating func add(_ walk: HistoryEncoding.Walk) {
            let step = walk.members.step
            guard step.isPresent else { return }
            let recordKind = kind(walk.members.kind, in: walk)
            let outcome = walk.members.outcome
            let lookup = positions.find(step.bytes, in: walk.buffer)
            let found = lookup.value.map { Int($0) }
            switch recordKind?.record {
            case .decision?:
                guard outcome.isPresent else { return }
                let said = kind(outcome, in: walk)
                if let at = found {
                    // A held call the gate later released with signed approvals.
                    if said?.released == true { slots[at].runs = true }
                    return
                }
                positions.insert(step.bytes, value: Int32(slots.count), at: lookup.slot, in: walk.buffer)
                let action = walk.members.action, resource = walk.members.resource, risk = walk.members.risk
                slots.append(Slot(
                    action: action.isPresent ? Int32(action.id) : -1, resource: resource.isPresent ? Int32(resource.id) : -1,
                    risk: risk.isPresent ? Int32(risk.id) : -1, runs: said?.decisionRuns == true))
            case .mutation?:
                guard let at = found else { return }
                let action = walk.members.action, resource = walk.members.resource
                slots[at].action = action.isPresent ? Int32(action.id) : -1
                slots[at].resource = resource.isPresent ? Int32(resource.id) : -1
            case .approval?:
                if let at = found, outcome.isPresent ? kind(outcome, in: walk)?.approvalRuns == true : RunningOutcomes.approvalRuns("") {
                    slots[at].runs = true
                }
            case .execution?:
                if let at = found { slots[at].runs = true }
            case nil:
                return
            }
        }
    }

    /// What a repeating string says where `SessionLog.calls` reads it: as a record's kind, or
    /// as an outcome.
    fileprivate struct Kind {
        enum Record { case decision, mutation, approval, execution }
        var record: Record?
        var decisionRuns: Bool
        var approvalRuns: Bool
        var released: Bool
        var risk: RiskClass?

        init(_ text: String) {
            switch text {
            case "decision": record = .decision
            case "mutation": record = .mutation
            case "approval": record = .approval
            case "execution": record = .execution
            default: record = nil
            }
            decisionRuns = RunningOutcomes.decisionRuns(text)
            approvalRuns = RunningOutcomes.approvalRuns(text)
            released = text == StepOutcome.approved.rawValue
            risk = RiskClass(rawValue: text)
        }
    }
}

/// An earlier call's action and resource text, compared exactly (code point by code point, as
/// Cedar tells them apart).
struct HistoryKey: Hashable {
    let action: ExactString
    let resource: ExactString

    init(action: String, resource: String) {
        self.action = ExactString(action)
        self.resource = ExactString(resource)
    }
}

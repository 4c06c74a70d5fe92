// Reading some of the policies of a compiled form, and which of them an action can reach.
// A caller that knows the actions it will ask about decodes only the policies whose action
// scope can match one of them: what Cedar's scope check would skip is never decoded.
import JSONValue

/// The policies `CompiledForm.write(_:to:)` wrote, each decoded only when asked for.
public struct PolicyTable: Sendable {
    private let bytes: [UInt8]
    /// Where each policy starts in `bytes`, and where the last one ends.
    private let starts: [Int]

    /// Reads the table of lengths at `offset` in `bytes` (which the table keeps, unread and
    /// uncopied, to decode policies from); the policies end at `end`.
    public init(_ bytes: [UInt8], offset: Int) throws(BinaryFormatError) {
        var r = BinaryReader(bytes, offset: offset)
        let n = try r.count()
        var starts: [Int] = []
        starts.reserveCapacity(n + 1)
        var length: [Int] = []
        length.reserveCapacity(n)
        for _ in 0..<n {
            // Every policy takes at least a byte per field: an empty one is damage.
            let one = try r.count()
            guard one > 0 else { throw r.fail("a policy of no bytes") }
            length.append(one)
        }
        var at = r.offset
        starts.append(at)
        for one in length {
            guard one <= bytes.count - at else { throw BinaryFormatError("truncated: policies beyond the data", offset: at) }
            at += one
            starts.append(at)
        }
        self.bytes = bytes
        self.starts = starts
    }

    /// Where the policies end in the bytes the table was read from.
    public var end: Int { starts[starts.count - 1] }

    /// How many policies there are.
    public var count: Int { starts.count - 1 }

    /// Policy `index`, which must take exactly the bytes the table gives it.
    public func policy(_ index: Int) throws(BinaryFormatError) -> Policy {
        guard index >= 0, index < count else { throw BinaryFormatError("no policy \(index) of \(count)", offset: 0) }
        var r = BinaryReader(bytes, offset: starts[index])
        let policy = try CompiledForm.readPolicy(&r)
        guard r.offset == starts[index + 1] else { throw r.fail("policy \(index) does not fill its \(starts[index + 1] - starts[index]) bytes") }
        return policy
    }

    /// The policies at `indices`, in that order. (An array, not any sequence: a generic
    /// function called from another module runs unspecialised, its witnesses looked up at run
    /// time, on the path of every gate call.)
    public func policies(_ indices: [Int]) throws(BinaryFormatError) -> [Policy] {
        var out: [Policy] = []
        out.reserveCapacity(indices.count)
        for index in indices { out.append(try policy(index)) }
        return out
    }

    /// Every policy, in order.
    public func policies() throws(BinaryFormatError) -> [Policy] { try policies(Array(0..<count)) }
}

extension ActionConstraint {
    /// Whether a request for `action`, whose ancestors in the entity store are `ancestors` (nil
    /// when the store does not hold it), can match this scope: the test Cedar's scope index
    /// makes (`PolicyIndex`): unconstrained, `== A` with A the action, or `in A` / `in [A, ...]`
    /// with A the action or one of its ancestors.
    public func canMatch(_ action: EntityUID, ancestors: Set<EntityUID>?) -> Bool {
        func within(_ group: EntityUID) -> Bool { group == action || (ancestors?.contains(group) ?? false) }
        switch kind {
        case .any: return true
        case .equals(let uid): return uid == action
        case .in(let uid): return within(uid)
        case .inList(let uids): return uids.contains(where: within)
        }
    }
}

extension CompiledForm {
    /// For each of `actions`, the positions in `policies` of those whose action scope can match
    /// it (ascending), the entity store answering for the actions' ancestors.
    public static func reachable(_ policies: [Policy], actions: [EntityUID], entities: Entities) -> [[Int]] {
        actions.map { action in
            let ancestors = entities.ancestors(of: action)
            return policies.indices.filter { policies[$0].action.canMatch(action, ancestors: ancestors) }
        }
    }
}

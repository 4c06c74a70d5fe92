/// The boundary check of DESIGN §3: a rewrite must never be a disguised bypass. The rewritten
/// step keeps the principal, its action's effect is no higher and its flags a subset of the
/// original's, and its resource is the same or a counterpart the original resource names. (The
/// last condition, that the whole policy set allows the rewritten step, needs the policies:
/// `StepDecider` checks it.)
public enum RewriteBoundary {
    /// One way an action change leaves the boundary.
    public enum Violation: Sendable, Equatable, CustomStringConvertible {
        /// The new action's effect is higher.
        case higherEffect(from: ActionEffect, to: ActionEffect)
        /// The new action has flags the original lacks (sorted).
        case addedFlags([ActionFlag])

        /// The problem as the evaluator reports it.
        public var description: String {
            switch self {
            case .higherEffect(let from, let to):
                return "effect \"\(to.rawValue)\" is higher than \"\(from.rawValue)\""
            case .addedFlags(let flags):
                return "adds flag\(flags.count > 1 ? "s" : "") \(flags.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) the original action lacks"
            }
        }
    }

    /// How running `target` instead of `original` leaves the boundary; empty when it does not.
    /// Lint rule SG207 asks the same of every `@mutate` variant ahead of any plan.
    public static func violations(from original: CatalogAction, to target: CatalogAction) -> [Violation] {
        var found: [Violation] = []
        if target.effect > original.effect { found.append(.higherEffect(from: original.effect, to: target.effect)) }
        let added = Set(target.flags).subtracting(original.flags).sorted()
        if !added.isEmpty { found.append(.addedFlags(added)) }
        return found
    }

    /// Applies variant `variant` of `form`'s action to `form`: the rewritten form (nil when the
    /// variant cannot be applied at all) and the boundary facts, `problems` listing every
    /// check that failed. `allowedBy` is left for the re-evaluation to fill in.
    public static func apply(
        variant: String, to form: StepForm, principal: EntityRef, catalog: ActionCatalog, resources: some ResourceFacts
    ) -> (to: StepForm?, facts: BoundaryFacts) {
        guard let original = catalog.action(named: form.action) else {
            return (nil, BoundaryFacts(
                principal: principal, samePrincipal: true, effectFrom: .read, effectTo: nil, flagsFrom: [], flagsTo: nil,
                resourceRelation: nil, allowedBy: [], problems: ["action \"\(form.action)\" is not in tools.json"]))
        }
        var facts = BoundaryFacts(
            principal: principal, samePrincipal: true, effectFrom: original.effect, effectTo: nil,
            flagsFrom: original.flags, flagsTo: nil, resourceRelation: nil, allowedBy: [], problems: [])
        func refuse(_ problem: String) -> (to: StepForm?, facts: BoundaryFacts) {
            facts.problems.append(problem)
            return (nil, facts)
        }
        guard let definition = original.variant(variant) else {
            return refuse("action \"\(form.action)\" has no variant \"\(variant)\" in tools.json")
        }
        let targetName = definition.action ?? form.action
        guard let target = catalog.action(named: targetName) else { return refuse("variant action \"\(targetName)\" is not in tools.json") }
        // Resource: unchanged, or a counterpart the current resource names.
        var resource = form.resource
        switch definition.resource {
        case nil:
            facts.resourceRelation = "unchanged"
        case .counterpart(let attribute):
            guard let counterpart = resources.counterpart(of: form.resource, attribute: attribute) else {
                return refuse("resource \(form.resource) names no counterpart in attribute \"\(attribute)\"")
            }
            resource = counterpart
            facts.resourceRelation = counterpart == form.resource ? "unchanged" : "counterpart:\(attribute)"
        case .literal(let entity):
            resource = entity
            if entity == form.resource {
                facts.resourceRelation = "unchanged"
            } else if let attribute = resources.attributeNaming(entity, in: form.resource) {
                facts.resourceRelation = "counterpart:\(attribute)"
            } else {
                facts.problems.append("resource \(entity) is not named by \(form.resource); a rewrite may only move to a counterpart the original resource names")
            }
        }
        var args = form.args
        for (key, value) in definition.args {
            if value.isNull { args[key] = nil } else { args[key] = value }
        }
        facts.effectTo = target.effect
        facts.flagsTo = target.flags
        // A rewrite never changes the principal: the request is built from the step's principal.
        facts.samePrincipal = true
        facts.problems += violations(from: original, to: target).map(\.description)
        return (StepForm(action: targetName, resource: resource, args: args), facts)
    }
}

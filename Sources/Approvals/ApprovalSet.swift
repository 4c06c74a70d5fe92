import Basics
import Credentials
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONValue
import Workflow

/// The signed approvals a command was given (`--approvals DIR`, and the `approval` records of an
/// audit log), and the judge that checks them against a held step.
public struct ApprovalSet: ApprovalJudge {
    /// The approvals, each once (by id), in the order read.
    public private(set) var approvals: [SignedApproval] = []
    /// Where each id stands in `approvals`.
    private var positions: [String: Int] = [:]

    /// No approvals.
    public init() {}

    /// The approvals at `path`: a directory of approval files, or an audit log.
    public init(path: String) throws(ApprovalError) {
        try load(path)
    }

    /// Adds `approval` unless one with its id is already there.
    public mutating func add(_ approval: SignedApproval) {
        guard positions[approval.id] == nil else { return }
        positions[approval.id] = approvals.count
        approvals.append(approval)
    }

    /// The audit log each approval read from one came from.
    public private(set) var logs: [String: String] = [:]

    /// Reads the approvals at `path`: a directory of approval files, or an audit log.
    public mutating func load(_ path: String) throws(ApprovalError) {
        let kind = PathKind(path)
        guard kind != .missing else {
            throw .io(path: path, message: "no such file or directory; pass the directory approve --out wrote, or an audit log")
        }
        if kind == .directory {
            try load(directory: path)
        } else {
            try load(log: path)
        }
    }

    /// The approval files of `directory`: every `*.json` (dotfiles skipped), in name order.
    public static func files(in directory: String) throws(ApprovalError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .io(path: directory, message: "cannot list the approvals directory; create it or pass the one approve --out wrote")
        }
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
    }

    /// Reads every approval file of `directory`.
    public mutating func load(directory: String) throws(ApprovalError) {
        for file in try Self.files(in: directory) {
            add(try SignedApproval(json: try Self.parse(try Self.read(file), file: file), file: file))
        }
    }

    /// Reads the approval documents that `approval` records of the audit log at `path` carry.
    /// Records without one (written by hand, unsigned) release nothing and are passed over.
    public mutating func load(log path: String) throws(ApprovalError) {
        for (line, text) in try Self.read(path).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            // Only approval records are parsed: the rest of a large log is skipped by a byte search.
            guard !text.isEmpty, text.firstRange(of: Array(#""kind":"approval""#.utf8)) != nil else { continue }
            let where_ = "\(path):\(line + 1)"
            guard let record = try Self.parse(Array(text), file: where_).objectValue, record["kind"]?.stringValue == "approval",
                  let document = record["approval"] else { continue }
            let approval = try SignedApproval(json: document, file: where_)
            if positions[approval.id] == nil { logs[approval.id] = path }
            add(approval)
        }
    }

    /// The approval with `id`.
    public func approval(_ id: String) -> SignedApproval? { positions[id].map { approvals[$0] } }

    static func read(_ path: String) throws(ApprovalError) -> [UInt8] {
        do {
            return try BoundedRead.file(path, limit: 1 << 30)
        } catch {
            throw .io(path: path, message: error.reason)
        }
    }

    static func parse(_ bytes: [UInt8], file: String) throws(ApprovalError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes, file: file)
        } catch {
            throw .malformed(file: file, message: error.description)
        }
    }

    /// Every approval that names `held`, by its digest or by its plan and step id, checked in
    /// turn: bound to this plan and this exact step, signed by the key the approver's entity
    /// holds, unexpired, and by someone who may approve it.
    public func checks(for held: HeldStep, bundle: PolicyBundle) -> [ApprovalCheck] {
        approvals.compactMap { approval in
            guard approval.sha256 == held.sha256 || (approval.plan == held.plan.id && approval.step == held.stepID) else { return nil }
            var check = ApprovalCheck(
                id: approval.id, approver: approval.approver.description, group: approval.group, decision: approval.decision,
                problem: nil, message: "")
            if let (problem, message) = Self.problem(approval, held: held, bundle: bundle) {
                check.problem = problem
                check.message = message
            }
            return check
        }
    }

    /// Why `approval` does not count for `held`; nil when it counts.
    public static func problem(_ approval: SignedApproval, held: HeldStep, bundle: PolicyBundle) -> (ApprovalProblem, String)? {
        if approval.sha256 != held.sha256 {
            return (.alteredStep, "it approves a step with sha256 \(approval.sha256.prefix(16))…, but step \"\(held.stepID)\" as planned now has sha256 \(held.sha256.prefix(16))…: the step changed after it was approved")
        }
        if approval.plan != held.plan.id {
            return (.planMismatch, "it approves this step in plan \"\(approval.plan)\", not in plan \"\(held.plan.id)\"")
        }
        let key: VerificationKey
        switch ApproverKey.key(of: approval.approver, in: bundle.entities) {
        case .failure(let problem): return (.unknownKey, problem.message(approval.approver))
        case .success(let found): key = found
        }
        if key.thumbprint != approval.kid {
            return (.unknownKey, "it is signed by key \(approval.kid), not by \(approval.approver)'s approval key \(key.thumbprint)")
        }
        if !approval.verifies(under: key) {
            return (.badSignature, "the signature does not verify under \(approval.approver)'s approval key: the approval was altered or forged")
        }
        if held.clock.epochSeconds >= approval.expiresAt.epochSeconds {
            return (.expired, "it expired at \(approval.expiresAt) (now \(held.clock))")
        }
        if held.clock.epochSeconds < approval.issuedAt.epochSeconds {
            return (.expired, "it is not valid before \(approval.issuedAt) (now \(held.clock))")
        }
        return ApproverAuthority.check(approval.approver, group: approval.group, decision: approval.decision, held: held, bundle: bundle)
            .map { ($0.problem, $0.message) }
    }
}

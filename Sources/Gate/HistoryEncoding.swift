import AuditLog
import Crypto
import JSONValue

/// A session's history as the session index keeps it: the members the gate reads of each record
/// (`HistoryRecord` without `session_prev` and `history_digest`), in log order.
///
/// Each record is its nine members in a fixed order (kind, step, outcome, principal, action,
/// resource, input digest, risk, host call id), each a tag byte and what it says: 0, absent;
/// 2, the member's UTF-8 length and bytes; 1, the number of an earlier string written with tag 2
/// (counted from 0 in the order written). Only the members that repeat across a session's calls
/// (kind, outcome, principal, action, resource, risk) name earlier strings, and only one with
/// exactly the same bytes; a call's own ids are always written out. The encoding of a history
/// is therefore one sequence of bytes, and the encoding of its first records is a prefix of it.
///
/// What a gate record names as `history_digest` is the SHA-256 of the hash of the session's
/// record before the append (the first appended record's `session_prev`) followed by the
/// encoding of the history (`digest(after:)`): the history together with where it ends.
struct HistoryEncoding: Equatable {
    /// The encoded records.
    private(set) var bytes: [UInt8]
    /// The strings written with tag 2 so far, in order.
    private var strings: [String] = []
    /// The first number of each string of `strings` (by Swift's equality: a hit is used only
    /// when its bytes are the same).
    private var numbers: [String: Int] = [:]

    static func == (a: HistoryEncoding, b: HistoryEncoding) -> Bool { a.bytes == b.bytes }

    /// The encoding of `records`.
    init(_ records: [HistoryRecord] = []) {
        bytes = []
        bytes.reserveCapacity(records.count * 64)
        for record in records { append(record) }
    }

    /// The SHA-256 of `last` (the hash of the history's last record, or the genesis value)
    /// followed by the bytes.
    func digest(after last: Digest32) -> Digest32 { Self.digest(of: bytes, after: last) }

    /// The digest of encoded `bytes` (read from an index, before they are decoded).
    static func digest(of bytes: [UInt8], after last: Digest32) -> Digest32 {
        var sha = SHA256()
        last.bytes.withUnsafeBytes { sha.update($0) }
        bytes.withUnsafeBytes { sha.update($0) }
        return Digest32(bytes: sha.finalize())!
    }

    /// The members of one record, in the encoding's order, and whether each repeats across calls.
    private static func members(_ record: HistoryRecord) -> [(String?, Bool)] {
        [(record.kind, true), (record.step, false), (record.outcome, true), (record.principal, true), (record.action, true),
         (record.resource, true), (record.inputDigest, false), (record.risk, true), (record.hostCallID, false)]
    }

    /// Adds `record` after the records encoded so far.
    mutating func append(_ record: HistoryRecord) {
        var w = BinaryWriter()
        for (member, repeats) in Self.members(record) {
            guard let member else {
                w.byte(0)
                continue
            }
            if repeats, let number = numbers[member], strings[number].utf8.elementsEqual(member.utf8) {
                w.byte(1)
                w.count(number)
                continue
            }
            w.byte(2)
            w.string(member)
            if repeats { remember(member) }
        }
        bytes.append(contentsOf: w.bytes)
    }

    private mutating func remember(_ string: String) {
        if numbers[string] == nil { numbers[string] = strings.count }
        strings.append(string)
    }

    /// The records `bytes` encode, and their encoding ready to have more added; nil when the
    /// bytes are not exactly `count` records so encoded. The bytes must be ones this encoding
    /// wrote (checked against a digest first): text that is not UTF-8 is not refused here.
    static func decode(_ bytes: [UInt8], count: Int) -> (records: [HistoryRecord], encoding: HistoryEncoding)? {
        var table = HistoryEncoding()
        table.bytes = bytes
        var records: [HistoryRecord] = []
        records.reserveCapacity(count)
        var r = BinaryReader(bytes)
        /// One member: nil when absent; throws on anything that is not this encoding.
        func member(repeats: Bool) throws(BinaryFormatError) -> String? {
            switch try r.byte() {
            case 0:
                return nil
            case 1 where repeats:
                // A number, not a length: it may exceed the bytes left.
                let number = try r.uint()
                guard number < UInt64(table.strings.count) else { throw r.fail("no such string") }
                return table.strings[Int(number)]
            case 2:
                let length = try r.count()
                // The bytes were checked against the digest the log names before they are read,
                // so they are what the gate wrote from strings: valid UTF-8.
                let text = String(decoding: try r.raw(length), as: UTF8.self)
                if repeats { table.remember(text) }
                return text
            default:
                throw r.fail("not a member")
            }
        }
        do throws(BinaryFormatError) {
            for _ in 0..<count {
                // In the encoding's order (see `members`).
                let kind = try member(repeats: true), step = try member(repeats: false), outcome = try member(repeats: true)
                let principal = try member(repeats: true), action = try member(repeats: true), resource = try member(repeats: true)
                let inputDigest = try member(repeats: false), risk = try member(repeats: true), hostCallID = try member(repeats: false)
                records.append(HistoryRecord(
                    kind: kind, step: step, outcome: outcome, principal: principal, action: action, resource: resource,
                    inputDigest: inputDigest, risk: risk, hostCallID: hostCallID))
            }
        } catch {
            return nil
        }
        guard r.isAtEnd else { return nil }
        return (records, table)
    }
}

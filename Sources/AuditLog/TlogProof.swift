// C2SP tlog-proof (c2sp.org/tlog-proof): a text proof that an entry is in a log.
//
//     c2sp.org/tlog-proof@v1
//     extra <base64 opaque data>          (optional)
//     index <N>
//     <base64 inclusion proof hash>       (zero or more, leaf's sibling first)
//
//     <the checkpoint, signatures and cosignatures included>
//
// stepguard puts the record line in `extra`: it is not authenticated by the format, but a
// verifier hashes it and the inclusion proof must lead from that hash to the signed root.

/// A tlog-proof file.
public struct TlogProof: Equatable, Sendable {
    /// The first line.
    public static let header = "c2sp.org/tlog-proof@v1"
    /// The most proof lines accepted: a tree of 2^63 entries needs 63.
    public static let maxProofLines = 63

    /// Opaque extra data; stepguard writes the record line here.
    public var extra: [UInt8]?
    /// The entry's index in the log.
    public var index: Int
    /// The RFC 6962 inclusion proof, bottom up.
    public var proof: [Digest32]
    /// The checkpoint note, verbatim.
    public var checkpoint: SignedNote

    public init(extra: [UInt8]?, index: Int, proof: [Digest32], checkpoint: SignedNote) {
        self.extra = extra
        self.index = index
        self.proof = proof
        self.checkpoint = checkpoint
    }

    /// The proof of an inclusion proof file, its record line as the extra data.
    public init(_ file: InclusionProofFile) throws(AuditError) {
        do {
            self.init(extra: Array(file.record.utf8), index: file.seq, proof: file.proof,
                      checkpoint: try SignedNote.parse(Array(file.checkpoint.utf8)))
        } catch {
            throw .invalidProof(path: "proof", reason: "the checkpoint does not parse: \(error.message)")
        }
    }

    /// The file's text.
    public var text: String {
        var out = Self.header + "\n"
        if let extra { out += "extra " + StandardBase64.encode(extra) + "\n" }
        out += "index \(index)\n"
        for hash in proof { out += hash.base64 + "\n" }
        return out + "\n" + checkpoint.serialized
    }

    /// Whether `bytes` start like a tlog-proof.
    public static func looksLikeOne(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: Array((header + "\n").utf8))
    }

    /// Parses a tlog-proof; errors name the line.
    public static func parse(_ bytes: [UInt8], path: String) throws(AuditError) -> TlogProof {
        func fail(_ line: Int, _ reason: String) -> AuditError { .invalidProof(path: "\(path):\(line)", reason: reason) }
        var lines = bytes.split(separator: 0x0A, maxSplits: 3 + maxProofLines + 1, omittingEmptySubsequences: false)
        func take() -> String? {
            guard !lines.isEmpty else { return nil }
            return String(decoding: lines.removeFirst(), as: UTF8.self)
        }
        guard take() == header else { throw fail(1, "the first line must be \"\(header)\"") }
        var lineNumber = 2
        var line = take()
        var extra: [UInt8]?
        if let text = line, text.hasPrefix("extra ") {
            guard let data = StandardBase64.decode(String(text.dropFirst(6))) else { throw fail(lineNumber, "the extra data is not base64") }
            extra = data
            lineNumber += 1
            line = take()
        }
        guard let indexLine = line, indexLine.hasPrefix("index ") else { throw fail(lineNumber, "expected \"index <N>\"") }
        let indexText = String(indexLine.dropFirst(6))
        guard let index = Int(indexText), index >= 0, String(index) == indexText else {
            throw fail(lineNumber, "\"\(indexText)\" is not an index (a decimal without leading zeroes)")
        }
        var proof: [Digest32] = []
        while true {
            lineNumber += 1
            guard let text = take() else { throw fail(lineNumber, "the proof ends before the empty line and the checkpoint") }
            if text.isEmpty { break }
            guard proof.count < maxProofLines else { throw fail(lineNumber, "more than \(maxProofLines) proof lines") }
            guard let decoded = StandardBase64.decode(text), let hash = Digest32(bytes: decoded) else {
                throw fail(lineNumber, "a proof line is the base64 of a 32-byte hash")
            }
            proof.append(hash)
        }
        let rest = Array(lines.joined(separator: [0x0A]))
        do {
            return TlogProof(extra: extra, index: index, proof: proof, checkpoint: try SignedNote.parse(rest))
        } catch {
            throw fail(lineNumber + 1, "the checkpoint does not parse: \(error.message)")
        }
    }

    /// The inclusion proof file this proof amounts to for `record` (the extra data when nil).
    public func inclusionProofFile(record: [UInt8]? = nil, path: String = "proof") throws(AuditError) -> InclusionProofFile {
        guard let line = record ?? extra else {
            throw .invalidProof(path: path, reason: "it carries no record in its extra data; give the record with --record")
        }
        let size: Int
        do {
            size = try Checkpoint.parse(body: checkpoint.text).size
        } catch {
            throw .invalidProof(path: path, reason: "the checkpoint does not parse: \(error.message)")
        }
        return InclusionProofFile(seq: index, record: String(decoding: line, as: UTF8.self), leafHash: AuditLog.hash(line: line),
                                  treeSize: size, proof: proof, checkpoint: checkpoint.serialized)
    }
}

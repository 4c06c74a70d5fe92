import Crypto

/// PEM armour (RFC 7468, strict form): `-----BEGIN LABEL-----`, base64 in lines of 64, `-----END LABEL-----`.
public enum PEM {
    /// One armoured block.
    public struct Block: Equatable, Sendable {
        /// The label, such as `PRIVATE KEY` or `PUBLIC KEY`.
        public var label: String
        /// The decoded contents.
        public var der: [UInt8]

        public init(label: String, der: [UInt8]) {
            self.label = label
            self.der = der
        }
    }

    /// Armours `der` under `label`, base64 lines of 64 characters, ending in a newline.
    public static func encode(label: String, der: [UInt8]) -> String {
        let body = Base64.encode(der)
        var lines: [Substring] = []
        var index = body.startIndex
        while index < body.endIndex {
            let next = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(body[index..<next])
            index = next
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    /// Every block in `text`, in order. Text outside blocks (comments, explanatory lines as
    /// openssl sometimes writes) is ignored; a block that is opened but not properly closed is an error.
    public static func decode(_ text: String) throws(CredentialsError) -> [Block] {
        var blocks: [Block] = []
        var currentLabel: String?
        var body = ""
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingSpaces()
            if let label = currentLabel {
                if line.hasPrefix("-----END ") {
                    guard line == "-----END \(label)-----" else {
                        throw .malformedPEM("\"-----BEGIN \(label)-----\" is closed by \"\(line)\"")
                    }
                    guard let der = Base64.decodeIgnoringWhitespace(body), !der.isEmpty else {
                        throw .malformedPEM("the \(label) block is not valid base64")
                    }
                    blocks.append(Block(label: label, der: der))
                    currentLabel = nil
                    body = ""
                } else if line.hasPrefix("-----") {
                    throw .malformedPEM("unexpected \"\(line)\" inside the \(label) block")
                } else {
                    guard line.count <= 76 else { throw .malformedPEM("line longer than 76 characters in the \(label) block") }
                    body += line
                    guard body.utf8.count <= 1 << 20 else { throw .malformedPEM("the \(label) block is larger than 1 MiB") }
                }
            } else if line.hasPrefix("-----BEGIN ") && line.hasSuffix("-----") && line.count > 16 {
                currentLabel = String(line.dropFirst(11).dropLast(5))
            }
        }
        if let label = currentLabel {
            throw .malformedPEM("the \(label) block has no END line (the file may be truncated)")
        }
        return blocks
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while let first = s.first, first == " " || first == "\t" || first == "\r" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}

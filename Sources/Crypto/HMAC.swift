/// HMAC (RFC 2104) over any `HashFunction`; `HMAC<SHA256>` is HMAC-SHA256.
public struct HMAC<H: HashFunction>: Sendable {
    private var inner: H
    private var outer: H

    /// A MAC computation keyed with `key` (keys longer than a block are hashed first).
    public init<Key: Sequence>(key: Key) where Key.Element == UInt8 {
        var block = Array(key)
        if block.count > H.blockSize { block = H.hash(block) }
        block += [UInt8](repeating: 0, count: H.blockSize - block.count)
        inner = H()
        inner.update(block.map { $0 ^ 0x36 })
        outer = H()
        outer.update(block.map { $0 ^ 0x5c })
    }

    /// Absorbs message bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        inner.update(bytes)
    }

    /// Absorbs message bytes from raw memory.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    /// The tag over everything absorbed so far.
    public func finalize() -> [UInt8] {
        var out = outer
        out.update(inner.finalize())
        return out.finalize()
    }

    /// The tag of `message` under `key`.
    public static func authenticationCode<Key: Sequence, Message: Sequence>(
        for message: Message, key: Key
    ) -> [UInt8] where Key.Element == UInt8, Message.Element == UInt8 {
        var mac = HMAC(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Whether `tag` is the full-length tag of `message` under `key`, compared in constant time.
    /// Truncated tags are refused: accepting them would let a forger guess fewer bits.
    public static func isValid<Key: Sequence, Message: Sequence>(
        _ tag: [UInt8], for message: Message, key: Key
    ) -> Bool where Key.Element == UInt8, Message.Element == UInt8 {
        constantTimeEquals(authenticationCode(for: message, key: key), tag)
    }
}

/// Whether `a` and `b` hold the same bytes. The time taken depends only on the lengths, never on
/// where the first difference is, so it is safe for comparing MACs and other secrets.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}

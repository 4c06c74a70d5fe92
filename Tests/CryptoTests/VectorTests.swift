@testable import Crypto
import Foundation
import Testing

/// One `Len`/`Msg`/`MD` record of a NIST CAVP `.rsp` file.
struct CAVPRecord: Sendable, CustomStringConvertible {
    let bitLength: Int
    let message: [UInt8]
    let digest: [UInt8]
    var description: String { "Len = \(bitLength)" }
}

enum CAVP {
    /// Parses the byte-oriented SHAVS format; a `Len = 0` record carries a placeholder `Msg = 00`.
    static func records(_ relativePath: String) throws -> [CAVPRecord] {
        var records: [CAVPRecord] = []
        var length: Int?
        var message: [UInt8]?
        for line in try lines(relativePath) {
            if line.hasPrefix("Len = ") {
                length = Int(line.dropFirst(6))
            } else if line.hasPrefix("Msg = ") {
                message = Hex.decode(String(line.dropFirst(6)))
            } else if line.hasPrefix("MD = ") {
                guard let bits = length, let msg = message, let md = Hex.decode(String(line.dropFirst(5))) else {
                    throw FixtureError.malformed("\(relativePath): record before \(line)")
                }
                records.append(CAVPRecord(bitLength: bits, message: bits == 0 ? [] : msg, digest: md))
                length = nil
                message = nil
            }
        }
        return records
    }

    /// The lines of a fixture with surrounding blanks removed; the published files end their
    /// lines with CRLF, which Swift reads as one `Character`, so split on any newline.
    static func lines(_ relativePath: String) throws -> [String] {
        try Fixtures.text(relativePath).split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The `Seed` and the 100 checkpoint digests of a SHAVS Monte Carlo file.
    static func monte(_ relativePath: String) throws -> (seed: [UInt8], checkpoints: [[UInt8]]) {
        var seed: [UInt8]?
        var checkpoints: [[UInt8]] = []
        for line in try lines(relativePath) {
            if line.hasPrefix("Seed = ") {
                seed = Hex.decode(String(line.dropFirst(7)))
            } else if line.hasPrefix("MD = "), let digest = Hex.decode(String(line.dropFirst(5))) {
                checkpoints.append(digest)
            }
        }
        guard let seed else { throw FixtureError.malformed("\(relativePath): no Seed") }
        return (seed, checkpoints)
    }

    /// The hash a CAVP file is for, named by the file.
    static func hash(forFile file: String) -> @Sendable ([UInt8]) -> [UInt8] {
        if file.contains("SHA384") { return { SHA384.hash($0) } }
        if file.contains("SHA512") { return { SHA512.hash($0) } }
        return { SHA256.hash($0) }
    }

    /// The SHAVS Monte Carlo procedure: each checkpoint is the last of 1,000 chained hashes
    /// over the three previous digests, and seeds the next 1,000.
    static func monteCarlo(seed: [UInt8], rounds: Int, hash: ([UInt8]) -> [UInt8]) -> [[UInt8]] {
        var seed = seed
        var checkpoints: [[UInt8]] = []
        for _ in 0..<rounds {
            var window = [seed, seed, seed]
            for _ in 0..<1000 {
                let next = hash(window[0] + window[1] + window[2])
                window = [window[1], window[2], next]
            }
            seed = window[2]
            checkpoints.append(seed)
        }
        return checkpoints
    }
}

@Suite struct CAVPTests {
    @Test(arguments: [
        ("cavp/SHA256ShortMsg.rsp", 65), ("cavp/SHA256LongMsg.rsp", 64),
    ])
    func sha256(file: String, expectedCount: Int) throws {
        let records = try CAVP.records(file)
        #expect(records.count == expectedCount)
        var passed = 0, portablePassed = 0
        for record in records {
            #expect(record.message.count * 8 == record.bitLength, "\(record)")
            let digest = SHA256.hash(record.message)
            #expect(digest == record.digest, "\(file) \(record)")
            if digest == record.digest { passed += 1 }
            // The Swift code as well, where the default is the CPU's SHA instructions.
            var portable = SHA256(portable: ())
            portable.update(record.message)
            #expect(portable.finalize() == record.digest, "\(file) \(record), portable")
            if portable.finalize() == record.digest { portablePassed += 1 }
        }
        print("\(file): \(passed)/\(records.count) digests match (\(SHA256Path.taken())); portable \(portablePassed)/\(records.count)")
    }

    /// The instruction path and the Swift code agree on every length up to 600 bytes, fed
    /// whole and in uneven chunks (partial blocks, exact blocks, several blocks at once).
    /// Without the SHA instructions both sides are the Swift code, so the path taken is held to
    /// what the CPU reports first, and said.
    @Test func hardwareAndPortableAgree() {
        let path = SHA256Path.taken()
        #expect(SHA256().hardware == SHA256.usesHardwareInstructions)
        #expect(!SHA256(portable: ()).hardware)
        print("SHA-256, instruction path against the Swift code: \(path)")
        var generator = SystemRandomNumberGenerator()
        let message = (0..<600).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0...message.count {
            let input = Array(message.prefix(length))
            var portable = SHA256(portable: ())
            portable.update(input)
            var chunked = SHA256()
            var rest = input[...]
            var chunk = 1
            while !rest.isEmpty {
                chunked.update(rest.prefix(chunk))
                rest = rest.dropFirst(chunk)
                chunk = chunk * 5 % 131 + 1
            }
            #expect(SHA256.hash(input) == portable.finalize(), "length \(length)")
            #expect(chunked.finalize() == portable.finalize(), "length \(length), chunked")
        }
    }

    /// SHA-512 and SHA-384, which share everything but the initial state and the output length.
    @Test(arguments: [
        ("cavp/SHA512ShortMsg.rsp", 129), ("cavp/SHA512LongMsg.rsp", 128),
        ("cavp/SHA384ShortMsg.rsp", 129), ("cavp/SHA384LongMsg.rsp", 128),
    ])
    func sha512Family(file: String, expectedCount: Int) throws {
        let records = try CAVP.records(file)
        #expect(records.count == expectedCount)
        let hash = CAVP.hash(forFile: file)
        var passed = 0
        for record in records {
            #expect(record.message.count * 8 == record.bitLength, "\(record)")
            let digest = hash(record.message)
            #expect(digest == record.digest, "\(file) \(record)")
            if digest == record.digest { passed += 1 }
        }
        print("\(file): \(passed)/\(records.count) digests match")
    }

    /// SHA-256 also through the portable code, where the default is the CPU's SHA instructions.
    @Test(arguments: ["cavp/SHA256Monte.rsp", "cavp/SHA384Monte.rsp", "cavp/SHA512Monte.rsp"])
    func monteCarlo(file: String) throws {
        let (seed, expected) = try CAVP.monte(file)
        #expect(expected.count == 100)
        let sha256 = file.contains("SHA256")
        let hash = CAVP.hash(forFile: file)
        let computed = CAVP.monteCarlo(seed: seed, rounds: expected.count, hash: hash)
        let passed = zip(computed, expected).filter { $0 == $1 }.count
        #expect(passed == expected.count)
        if sha256 {
            let portable = CAVP.monteCarlo(seed: seed, rounds: expected.count) { message in
                var hasher = SHA256(portable: ())
                hasher.update(message)
                return hasher.finalize()
            }
            #expect(portable == expected)
        }
        print("\(file): \(passed)/\(expected.count) checkpoints match")
    }

    /// The long messages again, fed in uneven chunks through the streaming interface.
    @Test func longMessagesStreamed() throws {
        for record in try CAVP.records("cavp/SHA256LongMsg.rsp") {
            var hasher = SHA256()
            var rest = record.message[...]
            var chunk = 1
            while !rest.isEmpty {
                hasher.update(rest.prefix(chunk))
                rest = rest.dropFirst(chunk)
                chunk = chunk * 3 % 97 + 1
            }
            #expect(hasher.finalize() == record.digest, "\(record)")
        }
    }
}

@Suite struct HMACVectorTests {
    @Test func rfc4231() throws {
        let document = try Fixtures.json("rfc/rfc4231_hmac_sha256.json")
        let tests = try document.objects("tests")
        #expect(tests.count == 7)
        for test in tests {
            let expected = try test.hex("hmacSha256")
            let name = try test.string("name")
            let key = try test.hex("key")
            let data = try test.hex("data")
            let mac = HMAC<SHA256>.authenticationCode(for: data, key: key)
            // Test case 5 publishes only the first 128 bits.
            #expect(Array(mac.prefix(expected.count)) == expected, "\(name)")
            if expected.count == 32 {
                #expect(HMAC<SHA256>.isValid(expected, for: data, key: key), "\(name)")
            }
        }
    }

    @Test func wycheproofHMACSHA256() throws {
        let document = try Fixtures.json("wycheproof/hmac_sha256_test.json")
        var tally = VectorTally()
        var count = 0
        for group in try document.objects("testGroups") {
            let tagBytes = (group["tagSize"] as? Int ?? 256) / 8
            for test in try group.objects("tests") {
                count += 1
                let key = try test.hex("key")
                let message = try test.hex("msg")
                let tag = try test.hex("tag")
                let expected = try test.string("result")
                let mac = HMAC<SHA256>.authenticationCode(for: message, key: key)
                // Truncated tags (tagSize 128) are compared on the published prefix, in constant time.
                let accepted = tag.count == tagBytes && constantTimeEquals(Array(mac.prefix(tagBytes)), tag)
                if tagBytes == 32 {
                    #expect(accepted == HMAC<SHA256>.isValid(tag, for: message, key: key))
                }
                switch (expected, accepted) {
                case ("valid", true): tally.validAccepted += 1
                case ("invalid", false): tally.invalidRejected += 1
                default: tally.failures.append("tcId \(test["tcId"] ?? "?"): expected \(expected)")
                }
            }
        }
        #expect(count == document["numberOfTests"] as? Int)
        #expect(tally.failures.isEmpty, "\(tally.failures)")
        print("wycheproof hmac_sha256_test.json: \(count) tests: \(tally.summary)")
    }

    @Test func truncatedTagsAreRefusedByIsValid() {
        let key = [UInt8](repeating: 1, count: 32)
        let mac = HMAC<SHA256>.authenticationCode(for: [1, 2, 3], key: key)
        #expect(HMAC<SHA256>.isValid(mac, for: [1, 2, 3], key: key))
        #expect(!HMAC<SHA256>.isValid(Array(mac.prefix(16)), for: [1, 2, 3], key: key))
        #expect(!HMAC<SHA256>.isValid([], for: [1, 2, 3], key: key))
    }
}

@Suite struct RFC8032Tests {
    @Test func section7_1() throws {
        let document = try Fixtures.json("rfc/rfc8032_ed25519.json")
        let tests = try document.objects("tests")
        #expect(tests.count == 5)
        for test in tests {
            let name = try test.string("name")
            let key = try Ed25519.PrivateKey(seed: try test.hex("secretKey"))
            let message = try test.hex("message")
            let signature = try test.hex("signature")
            let publicKeyBytes = try test.hex("publicKey")
            #expect(key.publicKey.rawRepresentation == publicKeyBytes, "\(name)")
            #expect(key.signature(for: message) == signature, "\(name)")
            let publicKey = try Ed25519.PublicKey(rawRepresentation: publicKeyBytes)
            #expect(publicKey.isValidSignature(signature, for: message), "\(name)")
            var tampered = message
            if tampered.isEmpty { tampered = [0] } else { tampered[0] ^= 1 }
            #expect(!publicKey.isValidSignature(signature, for: tampered), "\(name)")
        }
        print("rfc8032 §7.1: \(tests.count) vectors signed and verified")
    }
}

/// Which SHA-256 path hashers take, held to what the CPU reports: where Linux on x86-64 lists
/// the SHA instructions (and the SSE levels the code needs) in /proc/cpuinfo, hashers must take
/// them, or every test comparing the two paths would compare the Swift code with itself.
enum SHA256Path {
    /// Whether /proc/cpuinfo lists `sha_ni`, `ssse3` and `sse4_1`; nil where there is no such
    /// file to ask (another system or architecture).
    static var listedByCPU: Bool? {
        #if os(Linux) && arch(x86_64)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":")
        else { return nil }
        let flags = Set(line[line.index(after: colon)...].split(separator: " "))
        return ["sha_ni", "ssse3", "sse4_1"].allSatisfy { flags.contains(Substring($0)) }
        #else
        return nil
        #endif
    }

    /// Checks the path taken against the CPU's report and says which it is.
    static func taken() -> String {
        let path = SHA256.usesHardwareInstructions ? "SHA instructions" : "portable Swift code"
        guard let listed = listedByCPU else {
            return "\(path); no /proc/cpuinfo flags here to say whether the CPU has the SHA instructions"
        }
        #expect(SHA256.cpuHasInstructions == listed, "/proc/cpuinfo \(listed ? "lists" : "does not list") sha_ni, ssse3 and sse4_1, CPUID says otherwise")
        if SHA256.portableChosen {
            #expect(!SHA256.usesHardwareInstructions)
            return "\(path), chosen by STEPGUARD_SHA256=portable (the CPU \(listed ? "has" : "lacks") the SHA instructions)"
        }
        #expect(SHA256.usesHardwareInstructions == listed, "/proc/cpuinfo \(listed ? "lists" : "does not list") sha_ni, ssse3 and sse4_1")
        return listed ? path : "\(path): this CPU has no SHA instructions, so both sides were the Swift code"
    }
}

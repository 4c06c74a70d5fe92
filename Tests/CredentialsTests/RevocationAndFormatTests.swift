import Dispatch
import Foundation
import Testing
import Credentials

@Suite struct RevocationTests {
    @Test func appendLoadAndDuplicates() throws {
        let dir = try TempDir()
        let path = dir.file("revoked.txt")
        #expect(try RevocationList.load(path: path, missingIsEmpty: true).jtis.isEmpty)
        #expect(throws: CredentialsError.self) { try RevocationList.load(path: path) }
        #expect(try RevocationList.append(jti: "abc", to: path) == .appended)
        #expect(try RevocationList.append(jti: "def", to: path) == .appended)
        #expect(try RevocationList.append(jti: "abc", to: path) == .alreadyRevoked)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "abc\ndef\n")
        let list = try RevocationList.load(path: path)
        #expect(list.contains("abc") && list.contains("def") && !list.contains("ab"))
    }

    @Test func commentsBlankLinesAndTornLastLine() throws {
        let dir = try TempDir()
        let path = dir.file("revoked.txt")
        // A crash mid-append can leave a last line without its newline.
        try "# revoked credentials\n\n  one  \ntwo".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try RevocationList.load(path: path).jtis == ["one", "two"])
        #expect(try RevocationList.append(jti: "three", to: path) == .appended)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("two\nthree\n"))
        #expect(try RevocationList.load(path: path).jtis == ["one", "two", "three"])
    }

    @Test(arguments: ["", "has space", "new\nline", "#comment", String(repeating: "x", count: 300)])
    func badJTIs(jti: String) throws {
        let dir = try TempDir()
        #expect(throws: CredentialsError.self) { try RevocationList.append(jti: jti, to: dir.file("r.txt")) }
    }

    @Test func concurrentRevokersLoseNothing() throws {
        let dir = try TempDir()
        let path = dir.file("revoked.txt")
        let count = 64
        DispatchQueue.concurrentPerform(iterations: count) { index in
            _ = try? RevocationList.append(jti: "jti-\(index)", to: path)
        }
        let list = try RevocationList.load(path: path)
        #expect(list.jtis.count == count)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == count + 1 && lines.last == "")
    }

    @Test func concurrentProcessesLoseNothing() throws {
        // Separate processes take the flock too: each shell loop appends through its own open file.
        let dir = try TempDir()
        let path = dir.file("revoked.txt")
        try RevocationList.append(jti: "seed", to: path)
        // Writers that do not lock still cannot tear lines under O_APPEND; the lock matters for
        // the duplicate check, exercised by the threads above. Here: our appends mixed with
        // another process's appends all survive.
        guard let shell = run("sh", ["-c", "for i in $(seq 1 50); do echo ext-$i >> '\(path)'; done"]) else { return }
        #expect(shell.status == 0)
        for index in 0..<50 { try RevocationList.append(jti: "own-\(index)", to: path) }
        #expect(try RevocationList.load(path: path).jtis.count == 101)
    }
}

@Suite struct SPIFFETests {
    @Test(arguments: [
        "spiffe://example.org", "spiffe://example.org/agent/builder", "spiffe://prod.acme-corp_1.io/ns/ci/sa/runner.v2",
    ])
    func valid(id: String) throws {
        try SPIFFEID.validate(id)
    }

    @Test(arguments: [
        ("spiffe://", "trust domain is empty"), ("spiffe:///path", "trust domain is empty"),
        ("SPIFFE://example.org", "lower case"), ("spiffe://Example.org", "lower case"),
        ("spiffe://example.org:8080/x", "port"), ("spiffe://user@example.org", "user info"),
        ("spiffe://example.org/", "end with"), ("spiffe://example.org/a//b", "empty segment"),
        ("spiffe://example.org/a/../b", "\"..\""), ("spiffe://example.org/./b", "\".\""),
        ("spiffe://example.org/a?b=c", "query"), ("spiffe://example.org/a#frag", "query or fragment"),
        ("spiffe://example.org/a b", "letters"), ("spiffe://exa mple.org", "trust domain may contain"),
        ("https://example.org/a", "spiffe://"),
    ])
    func invalid(id: String, reason: String) {
        do {
            try SPIFFEID.validate(id)
            Issue.record("accepted \(id)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func tooLong() {
        #expect(throws: CredentialsError.self) { try SPIFFEID.validate("spiffe://example.org/" + String(repeating: "a", count: 2100)) }
    }
}

@Suite struct TimeFormatTests {
    @Test(arguments: [("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2d", 172_800), ("1h0m5s", 3605), ("0s", 0)])
    func durations(text: String, seconds: Int64) throws {
        #expect(try CredentialTime.parseDuration(text) == seconds)
    }

    @Test(arguments: ["", "90", "500ms", "m", "5x", "-5m", "5m1h", "5mm", "1.5h", "5 m", "99999999999999999999s"])
    func badDurations(text: String) throws {
        #expect(throws: CredentialsError.self) { try CredentialTime.parseDuration(text) }
    }

    @Test func timestamps() throws {
        #expect(CredentialTime.format(1_800_000_000) == "2027-01-15T08:00:00Z")
        #expect(CredentialTime.format(951_825_600) == "2000-02-29T12:00:00Z")
    }
}

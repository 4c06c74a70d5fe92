import Crypto
import Foundation
import Testing
@testable import AuditLog

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func fixtureBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
}

func fixtureLine(_ name: String) throws -> String {
    String(decoding: try fixtureBytes(name), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A fixed signer for tests: the seed is 32 bytes of 0x07.
let testSigner = try! NoteSigner(name: "audit.example/log", seed: [UInt8](repeating: 7, count: 32))

@Suite struct SignedNoteTests {
    @Test func publishedExampleVerifies() throws {
        let verifier = try NoteVerifier(verifierKey: fixtureLine("peter-neumann.vkey"))
        #expect(verifier.name == "PeterNeumann")
        #expect(verifier.keyID == 0xc74f20a3)
        #expect(noteKeyID(name: "PeterNeumann", ed25519PublicKey: verifier.publicKey) == 0xc74f20a3)
        let bytes = try fixtureBytes("peter-neumann.note")
        let note = try SignedNote.parse(bytes)
        #expect(note.text == "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n")
        #expect(note.signatures.count == 1)
        #expect(verifier.check(note) == .verified)
        #expect(Array(note.serialized.utf8) == bytes)
        #expect(verifier.verifierKey == (try fixtureLine("peter-neumann.vkey")))

        // One changed character in the text breaks it.
        let altered = SignedNote(text: note.text.replacingOccurrences(of: "answer", with: "Answer"), signatures: note.signatures)
        #expect(verifier.check(altered) == .badSignature)
        // A different key with the same name is simply not the signer.
        #expect(try testSigner.verifier.check(note) == .notSigned)
        // A bare public key (as from a PEM file) finds its signature by key ID.
        let bare = try NoteVerifier(publicKey: verifier.publicKey)
        #expect(bare.check(note) == .verified)
        #expect(bare.check(altered) == .badSignature)
        #expect(try NoteVerifier(publicKey: testSigner.publicKey).check(note) == .notSigned)
    }

    @Test func signingWithThePublishedSeedReproducesTheSignature() throws {
        let parts = try fixtureLine("peter-neumann.skey").split(separator: "+", maxSplits: 4)
        let raw = try #require(StandardBase64.decode(String(parts[4])))
        #expect(raw.count == 33 && raw[0] == 0x01)
        let signer = try NoteSigner(name: String(parts[2]), seed: Array(raw[1...]))
        #expect(signer.keyID == 0xc74f20a3)
        let note = signer.sign(text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n")
        #expect(Array(note.serialized.utf8) == (try fixtureBytes("peter-neumann.note")))
    }

    @Test func specificationExampleParses() throws {
        let note = try SignedNote.parse(fixtureBytes("c2sp-signed-note-example.note"))
        // The text keeps its own blank line; the last blank line separates the signatures.
        #expect(note.text == "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u{e8} subito sera.\n")
        #expect(note.signatures.map(\.name) == ["quasimodo.example/salvatore"])
        #expect(note.signatures[0].keyID == 0x367ba04b)
        #expect(note.signatures[0].signature.count == 64)
    }

    @Test func malformedNotesAreRejected() {
        let bad: [String] = [
            "no signatures\n",
            "text\n\n",
            "text\n\n\u{2014} name\n",
            "text\n\n- name AAAAAAA=\n",
            "text\n\n\u{2014} name !!!!\n",
            "text\n\n\u{2014} na+me c74f20a3AAAA\n",
            "tab\there\n\n\u{2014} name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
            "text\n\n\u{2014} name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        ]
        for text in bad {
            #expect(throws: NoteFormatError.self, "\(text)") { try SignedNote.parse(Array(text.utf8)) }
        }
    }

    @Test func checkpointBodyRoundTrips() throws {
        let root = RFC6962Hasher().emptyRoot
        let checkpoint = Checkpoint(origin: "audit.example/log", size: 12, root: root)
        #expect(checkpoint.body == "audit.example/log\n12\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
        #expect(try Checkpoint.parse(body: checkpoint.body) == checkpoint)
        let withExtension = "o\n3\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nextra\n"
        #expect(try Checkpoint.parse(body: withExtension).extensions == ["extra"])
        for bad in ["o\n012\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", "o\n1\nAAAA\n", "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", "o\n1\n"] {
            #expect(throws: NoteFormatError.self) { try Checkpoint.parse(body: bad) }
        }
        let note = testSigner.sign(text: checkpoint.body)
        #expect(testSigner.verifier.check(try SignedNote.parse(Array(note.serialized.utf8))) == .verified)
    }
}

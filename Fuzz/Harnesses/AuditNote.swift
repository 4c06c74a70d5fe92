// Signed notes (C2SP signed-note), checkpoint bodies (C2SP tlog-checkpoint), verifier keys and
// inclusion-proof files. Invariants: a note that parses serialises to exactly its input; a
// checkpoint body that parses writes back the same text; a note signed over any text parses
// back equal and verifies; nothing accepted crashes the proof checker.
import AuditLog
import Crypto
import JSONValue

let noteSigner: NoteSigner = {
    do { return try NoteSigner(name: "fuzz.example/log", seed: [UInt8](repeating: 5, count: 32)) } catch { fatalError("\(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuditNote(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    if let note = try? SignedNote.parse(bytes) {
        require(Array(note.serialized.utf8) == bytes, "a parsed note serialises differently:\n\(note.serialized)")
        _ = noteSigner.verifier.check(note)
        if let checkpoint = try? Checkpoint.parse(body: note.text) {
            require(checkpoint.body == note.text, "a checkpoint body writes back differently:\n\(checkpoint.body)")
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if let checkpoint = try? Checkpoint.parse(body: text) {
        require(checkpoint.body == text, "a checkpoint body writes back differently:\n\(checkpoint.body)")
    }
    if let verifier = try? NoteVerifier(verifierKey: text) {
        require(verifier.verifierKey?.lowercased() == text.lowercased(), "a verifier key writes back differently: \(verifier.verifierKey ?? "-")")
    }
    // Any text ending in a newline can be signed; the note must read back and verify.
    if text.hasSuffix("\n"), !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x0A }), !text.contains("\n\n") {
        let signed = noteSigner.sign(text: text)
        do {
            let back = try SignedNote.parse(Array(signed.serialized.utf8))
            require(back == signed, "a signed note reads back differently")
            require(noteSigner.verifier.check(back) == .verified, "a signed note does not verify")
        } catch {
            require(false, "a signed note does not parse: \(error)\n\(signed.serialized)")
        }
    }
    if let json = try? JSONParser.parse(bytes), let proof = try? InclusionProofFile(json: json) {
        _ = AuditLog.verifyProof(proof, trustedKeys: [noteSigner.verifier])
    }
    return 0
}

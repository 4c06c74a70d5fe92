// Crypto benchmarks: `stepguard-bench crypto sha256 FILE`, `stepguard-bench crypto ed25519 [SECONDS]`
// and `stepguard-bench crypto verify ecdsa|rsa KEY SIGNATURE MESSAGE [SECONDS]` (see run.sh).
// Output is one line per measurement, `name value unit`, so run.sh can put it beside OpenSSL's numbers.
import Crypto
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func cryptoBenchNow() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// CPU time of this process, as `openssl speed` measures, so a busy machine skews both sides alike.
private func cryptoBenchCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

private func cryptoBenchFail(_ message: String) -> Never {
    var stderr = message + "\n"
    stderr.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// Runs one crypto benchmark; `arguments` are those after `crypto`.
func runCryptoBenchmark(arguments: [String]) {
    guard let mode = arguments.first else {
        cryptoBenchFail("usage: stepguard-bench crypto sha256 FILE | ed25519 [SECONDS]")
    }
    switch mode {
    case "sha256":
        guard arguments.count == 2 else { cryptoBenchFail("usage: stepguard-bench crypto sha256 FILE") }
        cryptoBenchSHA256(path: arguments[1])
    case "ed25519":
        let seconds = arguments.count > 1 ? Double(arguments[1]) ?? 3 : 3
        cryptoBenchEd25519(seconds: seconds)
    case "verify":
        guard arguments.count >= 5 else {
            cryptoBenchFail("usage: stepguard-bench crypto verify ecdsa|rsa KEY-HEX SIGNATURE-FILE MESSAGE-FILE [SECONDS]")
        }
        let seconds = arguments.count > 5 ? Double(arguments[5]) ?? 3 : 3
        cryptoBenchVerify(kind: arguments[1], keyHex: arguments[2], signaturePath: arguments[3], messagePath: arguments[4], seconds: seconds)
    default:
        cryptoBenchFail("unknown crypto benchmark \"\(mode)\"; use sha256, ed25519 or verify")
    }
}

private func cryptoBenchSHA256(path: String) {
    let fd = open(path, O_RDONLY)
    if fd < 0 { cryptoBenchFail("cannot open \"\(path)\"") }
    defer { close(fd) }
    let chunk = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
    defer { buffer.deallocate() }
    let start = cryptoBenchNow()
    var hasher = SHA256()
    var total = 0
    while true {
        let n = read(fd, buffer.baseAddress, chunk)
        if n < 0 { cryptoBenchFail("read failed on \"\(path)\"") }
        if n == 0 { break }
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        total += n
    }
    let digest = hasher.finalize()
    let elapsed = cryptoBenchNow() - start
    print("sha256 \(Hex.encode(digest))")
    print("sha256_seconds \(elapsed)")
    print("sha256_mb_per_s \(Double(total) / 1e6 / elapsed)")
}

private func cryptoBenchEd25519(seconds: Double) {
    let key: Ed25519.PrivateKey
    do {
        key = try Ed25519.PrivateKey(seed: [UInt8](repeating: 7, count: 32))
    } catch {
        cryptoBenchFail("\(error)")
    }
    // Same message size as `openssl speed ed25519` signs.
    var message = [UInt8](repeating: 0, count: 64)
    var signatures = 0
    var start = cryptoBenchCPUTime()
    var signature: [UInt8] = []
    while cryptoBenchCPUTime() - start < seconds {
        for _ in 0..<100 {
            message[0] &+= 1
            signature = key.signature(for: message)
        }
        signatures += 100
    }
    let signSeconds = cryptoBenchCPUTime() - start
    let publicKey: Ed25519.PublicKey
    do {
        publicKey = try Ed25519.PublicKey(rawRepresentation: key.publicKey.rawRepresentation)
    } catch {
        cryptoBenchFail("\(error)")
    }
    var verifications = 0
    var failures = 0
    start = cryptoBenchCPUTime()
    while cryptoBenchCPUTime() - start < seconds {
        for _ in 0..<100 where !publicKey.isValidSignature(signature, for: message) {
            failures += 1
        }
        verifications += 100
    }
    let verifySeconds = cryptoBenchCPUTime() - start
    if failures > 0 { cryptoBenchFail("ed25519 verification failed \(failures) times") }
    print("ed25519_sign_per_s \(Double(signatures) / signSeconds)")
    print("ed25519_verify_per_s \(Double(verifications) / verifySeconds)")
}

private func cryptoBenchReadFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    if fd < 0 { cryptoBenchFail("cannot open \"\(path)\"") }
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out += buffer[0..<n]
    }
    return out
}

/// Signature verifications per CPU-second, for a signature `openssl dgst -sign` made: ECDSA
/// with the curve's JOSE hash (the key is the uncompressed point in hex, the signature DER),
/// RSA PKCS #1 v1.5 with SHA-256 (the key is the modulus in hex, exponent 65537).
private func cryptoBenchVerify(kind: String, keyHex: String, signaturePath: String, messagePath: String, seconds: Double) {
    guard let key = Hex.decode(keyHex) else { cryptoBenchFail("the key is not hex") }
    let signature = cryptoBenchReadFile(signaturePath)
    let message = cryptoBenchReadFile(messagePath)
    let verify: () -> Bool
    let name: String
    switch kind {
    case "ecdsa":
        let curve: ECDSACurve
        switch key.count {
        case 65: curve = .p256
        case 97: curve = .p384
        case 133: curve = .p521
        default: cryptoBenchFail("an uncompressed P-256, P-384 or P-521 point is 65, 97 or 133 bytes, not \(key.count)")
        }
        guard let publicKey = try? ECDSAPublicKey(curve: curve, x963Representation: key) else { cryptoBenchFail("bad EC key") }
        name = "ecdsa_\(curve.rawValue.lowercased().replacingOccurrences(of: "-", with: ""))"
        verify = { publicKey.isValidSignature(derRepresentation: signature, digest: curve.hash.hash(message)) }
    case "rsa":
        guard let publicKey = try? RSAPublicKey(modulus: key, exponent: [1, 0, 1]) else { cryptoBenchFail("bad RSA key") }
        name = "rsa\(publicKey.bitCount)"
        verify = { publicKey.isValidPKCS1v15Signature(signature, digest: SHA256.hash(message), hash: .sha256) }
    default:
        cryptoBenchFail("unknown key kind \"\(kind)\"; use ecdsa or rsa")
    }
    guard verify() else { cryptoBenchFail("\(name): the signature does not verify") }
    var count = 0
    let start = cryptoBenchCPUTime()
    while cryptoBenchCPUTime() - start < seconds {
        for _ in 0..<10 where !verify() { cryptoBenchFail("\(name): verification failed") }
        count += 10
    }
    print("\(name)_verify_per_s \(Double(count) / (cryptoBenchCPUTime() - start))")
}

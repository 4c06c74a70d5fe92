import Crypto
import Foundation

/// Locates and reads files under Tests/CryptoTests/Fixtures.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(relativePath))
    }

    static func text(_ relativePath: String) throws -> String {
        String(decoding: try data(relativePath), as: UTF8.self)
    }

    static func json(_ relativePath: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data(relativePath)) as? [String: Any] else {
            throw FixtureError.malformed(relativePath)
        }
        return object
    }
}

enum FixtureError: Error {
    case malformed(String)
}

/// Results of running a vector file, printed so a run shows how much was covered.
struct VectorTally {
    var validAccepted = 0
    var invalidRejected = 0
    var failures: [String] = []

    var summary: String {
        "\(validAccepted) valid accepted, \(invalidRejected) invalid rejected, \(failures.count) wrong"
    }
}

enum FieldError: Error, CustomStringConvertible {
    case missing(String)
    case badHex(String)
    var description: String {
        switch self {
        case .missing(let key): return "missing field \(key)"
        case .badHex(let key): return "field \(key) is not hex"
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let value = self[key] as? String else { throw FieldError.missing(key) }
        return value
    }

    func hex(_ key: String) throws -> [UInt8] {
        guard let bytes = Hex.decode(try string(key)) else { throw FieldError.badHex(key) }
        return bytes
    }

    func objects(_ key: String) throws -> [[String: Any]] {
        guard let value = self[key] as? [[String: Any]] else { throw FieldError.missing(key) }
        return value
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let value = self[key] as? [String: Any] else { throw FieldError.missing(key) }
        return value
    }
}
